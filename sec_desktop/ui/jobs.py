"""Work off the GUI thread: `Jobs` runs callables one at a time on a worker thread and hands
each result, or its exception, back to the GUI thread through a queued signal.

Python's cycle collector is paused while a worker thread exists: a collection triggered on a
worker may finalise Qt wrappers that belong to the GUI thread, which crashes PySide. The GUI
thread turns collection off before it starts a worker and back on once that thread has ended,
so collections only ever happen on the GUI thread. For the same reason a worker never drops
the last reference to a job (its callable or callback may hold Qt objects): the GUI thread
does, once the job is handed back.
"""

from __future__ import annotations

import gc
import itertools
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

T = TypeVar("T")


class _GcPause:
    """Collection is off while anyone holds the pause; it is on or off for the whole process,
    so there is one pause for every `Jobs`. Used from the GUI thread only."""

    def __init__(self) -> None:
        self._holders = 0
        self._was_enabled = True

    def hold(self) -> None:
        if self._holders == 0:
            self._was_enabled = gc.isenabled()
            gc.disable()
        self._holders += 1

    def release(self) -> None:
        self._holders -= 1
        if self._holders == 0 and self._was_enabled:
            gc.enable()


_GC_PAUSE = _GcPause()
_job_ids = itertools.count(1)


class Job(Generic[T]):
    """One callable given to `Jobs.submit`: its outcome once run, and a way to drop it."""

    def __init__(self, work: Callable[[], T], on_done: Callable[[Job[T]], None] | None) -> None:
        self.id = next(_job_ids)
        self._work = work
        self.on_done = on_done
        self._future: Future[T] = Future()
        self._cancelled = False

    def done(self) -> bool:
        """True once it has run (or was cancelled before it could)."""
        return self._future.done()

    def result(self, timeout: float | None = None) -> T:
        """The callable's return value; raises what it raised (waits up to `timeout`)."""
        return self._future.result(timeout)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        return self._future.exception(timeout)

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """Never call back: a job still waiting is not run, a running one's outcome is dropped."""
        self._cancelled = True
        self._future.cancel()

    def run(self) -> None:
        """Run the callable here and keep its outcome (the worker thread calls this)."""
        if not self._future.set_running_or_notify_cancel():
            return
        try:
            self._future.set_result(self._work())
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
            self._future.set_exception(exc)


class _Worker(threading.Thread):
    """A daemon thread, so work that never returns (a silent keychain) can't hold up the
    app's exit. It ends once no job is waiting."""

    def __init__(self, queue: _JobQueue) -> None:
        super().__init__(name=queue.name, daemon=True)
        self.queue = queue
        self.reaped = False

    def run(self) -> None:
        self.queue.work(self)


@dataclass(frozen=True)
class _Report:
    """What a worker tells the GUI thread: a job ran, and whether the worker has ended."""

    queue: _JobQueue
    job_id: int | None
    ended: _Worker | None


class _Courier(QObject):
    """Lives on the GUI thread for the whole process, so a report still arrives when the
    `Jobs` that sent the work is gone (its worker then only needs reaping)."""

    arrived = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.arrived.connect(self._on_arrived, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _on_arrived(self, report: _Report) -> None:
        report.queue.receive(report)


_courier: _Courier | None = None


def _the_courier() -> _Courier:
    global _courier  # noqa: PLW0603 - one per process, made on the GUI thread
    if _courier is None:
        _courier = _Courier()
    return _courier


class _JobQueue:
    """The thread-side state of a `Jobs`. It holds no Qt object of the caller's, so a worker
    never holds the last reference to one (the courier it reports through lives as long as the
    process).

    `pending` and `workers` are touched by the GUI thread only; `_waiting` and `_running`
    are shared with the worker under `_lock`.
    """

    def __init__(self, name: str, courier: _Courier) -> None:
        self.name = name
        self.courier = courier
        self.closed = False
        self.pending: dict[int, Job[Any]] = {}
        self.workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._waiting: deque[Job[Any]] = deque()
        self._running = False

    def put(self, job: Job[Any]) -> None:
        self.pending[job.id] = job
        with self._lock:
            self._waiting.append(job)
            start = not self._running
            self._running = True
        if start:
            worker = _Worker(self)
            self.workers.append(worker)
            _GC_PAUSE.hold()
            worker.start()

    def _take(self) -> Job[Any] | None:
        with self._lock:
            if self._waiting:
                return self._waiting.popleft()
            self._running = False
            return None

    def work(self, worker: _Worker) -> None:
        """The worker thread's loop: run jobs until none is waiting, reporting each one."""
        job = self._take()
        if job is None:  # shut down before it started
            self.courier.arrived.emit(_Report(self, None, worker))
            return
        while job is not None:
            job.run()
            job_id = job.id
            job = self._take()
            # The last report also says the worker has ended: reaped before the callback
            # runs, so collection is back on by the time the GUI hears the work is done.
            self.courier.arrived.emit(_Report(self, job_id, worker if job is None else None))

    def receive(self, report: _Report) -> None:
        """On the GUI thread: reap an ended worker, then call the job back unless dropped."""
        if report.ended is not None:
            self._reap(report.ended)
        if report.job_id is None:
            return
        job = self.pending.pop(report.job_id, None)
        if job is None or job.cancelled or self.closed or job.on_done is None:
            return
        job.on_done(job)

    def _reap(self, worker: _Worker) -> None:
        if worker.reaped:
            return
        worker.join()  # once it has sent its last report, only returning is left
        worker.reaped = True
        self.workers.remove(worker)
        _GC_PAUSE.release()

    def close(self, last: Callable[[], None] | None = None) -> None:
        """Drop the waiting jobs and every later call back; `last` runs after the running job."""
        if self.closed:
            return
        self.closed = True
        with self._lock:
            dropped = list(self._waiting)
            self._waiting.clear()
        for job in dropped:
            job.cancel()
            del self.pending[job.id]
        if last is not None:
            self.put(Job(last, None))

    def wait(self) -> None:
        """Block until every worker thread has ended (on the GUI thread)."""
        while self.workers:
            self._reap(self.workers[0])


class Jobs(QObject):
    """Runs callables one at a time, in order, on a worker thread; each job's `on_done` is
    called on the GUI thread with the finished `Job`, whose `result()` returns or raises.

    A cancelled job is never called back. After `shutdown`, nothing is called back. When the
    parent is destroyed, the jobs are shut down without waiting.
    """

    def __init__(self, name: str = "sec-desktop-jobs", parent: QObject | None = None) -> None:
        super().__init__(parent)
        queue = self._queue = _JobQueue(name, _the_courier())
        self.destroyed.connect(lambda *_args: queue.close())

    def submit(
        self, work: Callable[[], T], on_done: Callable[[Job[T]], None] | None = None
    ) -> Job[T]:
        """Run `work` on the worker thread after the jobs submitted before it."""
        if self._queue.closed:
            raise RuntimeError(f"{self._queue.name}: no job can be submitted after shutdown")
        job = Job(work, on_done)
        self._queue.put(job)
        return job

    @property
    def busy(self) -> bool:
        """True while a submitted job has not been handed back (or dropped)."""
        return bool(self._queue.pending)

    def shutdown(self, last: Callable[[], None] | None = None, *, wait: bool = True) -> None:
        """Drop waiting jobs and all call backs; a running job finishes on its thread.

        `last` then runs on the worker thread (to close what only that thread uses; it must
        hold no Qt object). With `wait`, block until the worker has ended. Safe to call twice.
        """
        self._queue.close(last)
        if wait:
            self._queue.wait()

    def wait(self) -> None:
        """Block until the worker thread has ended; usable after the parent is gone."""
        self._queue.wait()
