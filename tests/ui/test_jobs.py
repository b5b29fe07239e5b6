"""Jobs run off the GUI thread with the cycle collector paused, and hand their result or
exception back on the GUI thread; cancelled jobs and jobs after shutdown are never called back."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal

from sec_desktop.ui.jobs import Job, Jobs

WAIT_MS = 5000
WAIT_S = WAIT_MS / 1000


class Done(QObject):
    """Records each call back and the thread it ran on; `called` fires for each."""

    called = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list[Job[Any]] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, job: Job[Any]) -> None:
        self.jobs.append(job)
        self.threads.append(threading.current_thread())
        self.called.emit(job)


@pytest.fixture
def jobs(qtbot) -> Iterator[Jobs]:
    made = Jobs("test-jobs")
    yield made
    made.shutdown()
    qtbot.waitUntil(gc.isenabled, timeout=WAIT_MS)


def test_the_result_arrives_on_the_gui_thread(qtbot, jobs: Jobs) -> None:
    done = Done()
    ran_on: list[threading.Thread] = []

    def work() -> int:
        ran_on.append(threading.current_thread())
        assert not gc.isenabled()  # no collection may run on the worker thread
        return 42

    with qtbot.waitSignal(done.called, timeout=WAIT_MS):
        job = jobs.submit(work, done)
        assert jobs.busy
    assert done.jobs == [job]
    assert job.result() == 42
    assert ran_on[0] is not threading.main_thread()
    assert done.threads == [threading.main_thread()]
    assert not jobs.busy
    assert gc.isenabled()  # back on once the worker has ended


def test_an_exception_arrives_on_the_gui_thread(qtbot, jobs: Jobs) -> None:
    done = Done()

    def work() -> None:
        raise ValueError("broken file")

    with qtbot.waitSignal(done.called, timeout=WAIT_MS):
        job = jobs.submit(work, done)
    assert done.threads == [threading.main_thread()]
    assert isinstance(job.exception(), ValueError)
    with pytest.raises(ValueError, match="broken file"):
        job.result()


def test_jobs_run_in_order_and_a_cancelled_one_is_dropped(qtbot, jobs: Jobs) -> None:
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []
    done = Done()

    def step(name: str) -> str:
        ran.append(name)
        if name == "running":
            started.set()
            assert release.wait(WAIT_S)
        return name

    running = jobs.submit(lambda: step("running"), done)
    waiting = jobs.submit(lambda: step("waiting"), done)
    latest = jobs.submit(lambda: step("latest"), done)
    assert started.wait(WAIT_S)
    running.cancel()  # stale while it runs: it finishes, its result is dropped
    waiting.cancel()  # stale before it starts: it never runs
    with qtbot.waitSignal(done.called, timeout=WAIT_MS):
        release.set()
    assert done.jobs == [latest]
    assert ran == ["running", "latest"]
    assert running.result() == "running"
    assert waiting.done() and waiting.cancelled
    assert not jobs.busy


def test_shutdown_waits_for_the_running_job_then_runs_the_last_step(qtbot) -> None:
    jobs = Jobs("test-jobs")
    started, release = threading.Event(), threading.Event()
    order: list[str] = []
    done = Done()

    def long() -> None:
        started.set()
        assert release.wait(WAIT_S)
        order.append("long")

    jobs.submit(long, done)
    dropped = jobs.submit(lambda: order.append("dropped"), done)
    assert started.wait(WAIT_S)
    release.set()
    jobs.shutdown(lambda: order.append("last"))
    assert order == ["long", "last"]  # both ran before shutdown returned; "dropped" never
    assert dropped.done() and dropped.cancelled
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        jobs.submit(lambda: None)
    qtbot.waitUntil(lambda: not jobs.busy, timeout=WAIT_MS)  # the queued reports arrived
    assert done.jobs == []


def test_jobs_whose_parent_is_gone_call_nothing_back(qtbot) -> None:
    parent = QObject()
    jobs = Jobs("test-jobs", parent)
    release = threading.Event()
    done = Done()
    job = jobs.submit(lambda: release.wait(WAIT_S), done)
    with qtbot.waitSignal(parent.destroyed, timeout=WAIT_MS):
        parent.deleteLater()
    release.set()
    jobs.wait()  # usable after the parent has gone
    assert job.result() is True
    assert gc.isenabled()
    qtbot.waitUntil(lambda: not jobs.busy, timeout=WAIT_MS)
    assert done.jobs == []
