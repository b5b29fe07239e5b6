"""What one dashboard view needs, and the worker thread that computes the longer ones.

A view is a period and a profile. Its figures come from the month summaries (or, where only
they give the exact numbers, the entries) of the period and the weeks the trend and the
previous period reach back, through the core's `dashboard_from`, as `sec-desktop report`
computes them: the window, its exports and the command line share one computation. Only the
period's own entries are read, for the table.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from sec_desktop.analytics import Period
from sec_desktop.analytics.dashboard import DashboardData, dashboard_from
from sec_desktop.analytics.month_summaries import period_figures
from sec_desktop.analytics.plan_records import load_plans
from sec_desktop.framework import BenchmarkProfile, Framework
from sec_desktop.store import Entry, EntryStore
from sec_desktop.store.overlaps import cross_device_overlaps
from sec_desktop.timefmt import counted
from sec_desktop.ui.jobs import Job, Jobs

WorkingIntervals = list[tuple[datetime, datetime]]


@dataclass(frozen=True)
class ViewRequest:
    generation: int
    period: Period
    profile: BenchmarkProfile
    working_intervals: WorkingIntervals
    # Working hours after this moment have not happened yet: coverage leaves them out.
    now: datetime | None = None
    # Away spans the user has not answered yet (UTC), shown as such in the coverage.
    unanswered_away: tuple[tuple[datetime, datetime], ...] = ()


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
    summaries_dir: Path | None = None,
) -> ViewData:
    """One view's numbers; month summaries are cached in `summaries_dir` (none: not kept)."""
    period = request.period
    plans = load_plans(store.data_dir, store.device_id, framework)
    # The figures may fall back to reading entries while they are computed: under the lock.
    with store_lock:
        figures = period_figures(store, framework, period, summaries_dir)
        data = dashboard_from(
            figures,
            framework,
            period,
            request.profile,
            request.working_intervals,
            now=request.now,
            unanswered_away=request.unanswered_away,
            plans=plans.plans,
        )
        in_period = store.entries(period.start, period.end)
        problems = [p.message() for p in store.problems]
    problems += [f"{p[0].upper()}{p[1:]}." for p in plans.problems]
    problems += sync_notices(in_period)
    return ViewData(request, data, in_period, problems)


def sync_notices(entries: list[Entry]) -> list[str]:
    """What two devices did without seeing each other in these entries, counted: time
    logged on both, and edits that lost to the other's (listed by `sec-desktop conflicts`)."""
    notices = []
    overlaps = cross_device_overlaps(entries)
    if overlaps:
        notices.append(
            f"{counted(len(overlaps), 'pair')} of entries from different devices count the same "
            "time in this period; `sec-desktop conflicts` lists them and resolves them."
        )
    lost = sum(len(e.stamps.conflicts) for e in entries if e.stamps is not None)
    if lost:
        notices.append(
            f"{counted(lost, 'edit')} in this period lost to another device's edit made at the "
            "same time; `sec-desktop conflicts` shows them and takes them back."
        )
    return notices


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
        summaries_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.summaries_dir = summaries_dir
        self.framework = framework
        self.store_lock: AbstractContextManager[Any] = store_lock or threading.RLock()
        self._jobs = Jobs("sec-desktop-dashboard", self)
        self._newest: Job[ViewData] | None = None

    def compute_now(self, request: ViewRequest) -> ViewData:
        """Compute in the calling thread: the first view (so the first paint has numbers) and
        views short enough to be computed faster than a thread hand-off."""
        return compute_view(
            self.store, self.framework, request, self.store_lock, self.summaries_dir
        )

    @property
    def busy(self) -> bool:
        return self._jobs.busy

    def submit(self, request: ViewRequest) -> None:
        if self._newest is not None:
            # Older than this request: a waiting one is not computed, a running one's result
            # would only flash by.
            self._newest.cancel()
        store, framework, store_lock = self.store, self.framework, self.store_lock
        summaries_dir = self.summaries_dir
        self._newest = self._jobs.submit(
            lambda: compute_view(store, framework, request, store_lock, summaries_dir),
            self._finished,
        )

    def _finished(self, job: Job[ViewData]) -> None:
        self._newest = None
        try:
            view = job.result()
        except Exception as exc:  # noqa: BLE001 - shown to the user; the window stays up
            self.failed.emit(f"The dashboard could not be computed: {exc}")
            return
        self.loaded.emit(view)

    def shutdown(self) -> None:
        """Wait for a running computation and drop its result and any waiting request."""
        self._newest = None
        self._jobs.shutdown()
