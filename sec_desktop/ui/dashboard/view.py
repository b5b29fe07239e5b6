"""What one dashboard view needs, and the worker thread that computes the longer ones.

A view is a period and a profile. Its entries are read once (the store keeps parsed files),
covering the period and the weeks the trend reaches back, and handed to the core's
`dashboard_data`, so the window, its exports and `sec-desktop report` share one computation.
"""

from __future__ import annotations

import gc
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from sec_desktop.analytics import Period
from sec_desktop.analytics.dashboard import DashboardData, dashboard_data, dashboard_span
from sec_desktop.framework import BenchmarkProfile, Framework
from sec_desktop.store import Entry, EntryStore

WorkingIntervals = list[tuple[datetime, datetime]]


@dataclass(frozen=True)
class ViewRequest:
    generation: int
    period: Period
    profile: BenchmarkProfile
    working_intervals: WorkingIntervals
    # Working hours after this moment have not happened yet: coverage leaves them out.
    now: datetime | None = None


@dataclass(frozen=True)
class ViewData:
    """A computed view: the core's numbers and the period's entries for the table."""

    request: ViewRequest
    data: DashboardData
    entries: list[Entry]
    problems: list[str]

    @property
    def period(self) -> Period:
        return self.request.period


def compute_view(
    store: EntryStore,
    framework: Framework,
    request: ViewRequest,
    store_lock: AbstractContextManager[Any],
) -> ViewData:
    period = request.period
    start, end = dashboard_span(period)
    with store_lock:
        loaded = store.entries(start, end)
        problems = [p.message() for p in store.problems]
    data = dashboard_data(
        loaded,
        framework,
        period,
        request.profile,
        request.working_intervals,
        now=request.now,
    )
    in_period = [e for e in loaded if e.end > period.start and e.start < period.end]
    return ViewData(request, data, in_period, problems)


class _GcPause:
    """Keeps Python's cycle collector off while a compute thread runs Python code.

    A collection triggered in a worker thread may finalise Qt wrappers that belong to the GUI
    thread, which crashes PySide. So the GUI thread turns collection off before it starts a
    thread and back on once the thread has finished (its `finished` comes after the last line
    of Python it runs), so collections only ever happen in the GUI thread.
    """

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


# Collection is on or off for the whole process, so there is one pause for all loaders.
_GC_PAUSE = _GcPause()


class _ComputeThread(QThread):
    """One view computed off the GUI thread; the result is read after `finished`."""

    def __init__(
        self,
        store: EntryStore,
        framework: Framework,
        request: ViewRequest,
        store_lock: AbstractContextManager[Any],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.framework = framework
        self.request = request
        self.store_lock = store_lock
        self.result: ViewData | None = None
        self.error: str | None = None

    def run(self) -> None:
        try:
            self.result = compute_view(self.store, self.framework, self.request, self.store_lock)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the window stays up
            self.error = f"The dashboard could not be computed: {exc}"


class ViewLoader(QObject):
    """Computes views on a worker thread, one at a time; only the newest request is shown.

    A request made while one is computing waits, and replaces any request already waiting.
    """

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        store: EntryStore,
        framework: Framework,
        store_lock: AbstractContextManager[Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.framework = framework
        self.store_lock: AbstractContextManager[Any] = store_lock or threading.RLock()
        self._running: _ComputeThread | None = None
        self._waiting: ViewRequest | None = None

    def compute_now(self, request: ViewRequest) -> ViewData:
        """Compute in the calling thread: the first view (so the first paint has numbers) and
        views short enough to be computed faster than a thread hand-off."""
        return compute_view(self.store, self.framework, request, self.store_lock)

    @property
    def busy(self) -> bool:
        return self._running is not None or self._waiting is not None

    def submit(self, request: ViewRequest) -> None:
        if self._running is not None:
            self._waiting = request
            return
        thread = _ComputeThread(self.store, self.framework, request, self.store_lock, self)
        thread.finished.connect(self._finished)
        self._running = thread
        _GC_PAUSE.hold()
        thread.start()

    def _finished(self) -> None:
        thread = self._running
        if thread is None:
            return
        thread.wait()
        self._running = None
        _GC_PAUSE.release()
        thread.deleteLater()
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self.submit(waiting)  # newer than this result, which would only flash by
            return
        if thread.error is not None:
            self.failed.emit(thread.error)
        elif thread.result is not None:
            self.loaded.emit(thread.result)

    def shutdown(self) -> None:
        """Wait for a running computation and drop its result and any waiting request."""
        self._waiting = None
        thread, self._running = self._running, None
        if thread is not None:
            thread.finished.disconnect(self._finished)
            thread.wait()
            _GC_PAUSE.release()
            thread.deleteLater()
