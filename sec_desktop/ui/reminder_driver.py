"""The Qt side of the reminders: one QTimer that feeds the wall clock to the `Planner`.

The planner decides everything; this class only ticks it and turns its answers into signals.
QTimers stop while the machine sleeps and cannot exceed 2^31-1 ms, so the driver never
waits longer than TICK_MS: each tick reads the wall clock and an awake-time clock, and the
planner spots a sleep from the difference.
"""

from __future__ import annotations

import ctypes
import math
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from sec_desktop.reminders.prompts import PromptRequest, SlotAnswer
from sec_desktop.reminders.schedule import Planner, RunningTimer, TimerSegment
from sec_desktop.settings import Settings
from sec_desktop.store.entry import utc_now
from sec_desktop.timefmt import system_zone

# Between ticks while nothing is due sooner. Each tick is a wakeup of an idle laptop, so it
# is rare: a sleep is signalled at once where logind runs (the away monitor), and the
# wall-clock gap, the fallback everywhere, still finds it within this long of waking.
TICK_MS = 300_000
# The shortest wait, so that a due time just reached is not re-armed in a busy loop.
MIN_TICK_MS = 20
# A due time is acted on at the first tick at or after it; wake a little after, not before.
DUE_MARGIN_MS = 5


def awake_monotonic() -> float:
    """Seconds of time the machine was awake, from an arbitrary start.

    `time.monotonic` stops during suspend on Linux and macOS; on Windows it counts the
    sleep too, so there the unbiased interrupt time (which excludes it) is read instead.
    """
    if sys.platform == "win32":
        counter = ctypes.c_ulonglong()
        kernel32 = ctypes.WinDLL("kernel32")
        if kernel32.QueryUnbiasedInterruptTime(ctypes.byref(counter)):
            return counter.value / 10_000_000  # 100 ns units
    return time.monotonic()


class ReminderDriver(QObject):
    """Ticks the planner and tells the application when to show a prompt.

    `promptDue(PromptRequest)`: show this (the driver considers it open until `answered`,
    `prompt_closed` or `snooze`). `promptWithdrawn()`: close the open prompt unanswered; its
    slots come back (the user went away, or Log now folded it into a new prompt).
    `stateChanged()`: the next prompt time, snooze, timer or away state changed.
    """

    promptDue = Signal(object)
    promptWithdrawn = Signal()
    stateChanged = Signal()

    def __init__(
        self,
        settings: Settings,
        *,
        tz: tzinfo | None = None,
        last_answer_end: datetime | None = None,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = awake_monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._monotonic = monotonic
        self._settings = settings
        self.planner = Planner(
            settings, tz or system_zone(), clock, last_answer_end=last_answer_end
        )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._timer.timeout.connect(self.tick)
        self._running = False

    # Life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        self._running = True
        self.tick()

    def stop(self) -> None:
        self._running = False
        self._timer.stop()

    @property
    def running(self) -> bool:
        return self._running

    @property
    def tick_interval_ms(self) -> int | None:
        """The wait armed for the next tick; None when stopped."""
        return self._timer.interval() if self._timer.isActive() else None

    def tick(self) -> None:
        """Read both clocks, let the planner catch up, emit what it decided, re-arm."""
        request = self.planner.on_tick(self._clock(), self._monotonic())
        self._deliver(request)
        self._arm()

    # State ---------------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def next_prompt_at(self) -> datetime | None:
        return self.planner.next_prompt_at

    @property
    def snoozed_until(self) -> datetime | None:
        return self.planner.snoozed_until

    @property
    def paused(self) -> bool:
        return self.planner.paused

    @property
    def timer(self) -> RunningTimer | None:
        return self.planner.timer

    @property
    def away_since(self) -> datetime | None:
        """When the current absence began (idle is backdated); None when the user is here."""
        return self.planner.away_since

    @property
    def prompt_open(self) -> bool:
        return self.planner.prompt_open

    # Commands ------------------------------------------------------------------------------

    def apply_settings(self, settings: Settings) -> None:
        self._settings = settings
        self.planner.apply(settings)
        self._changed()

    def snooze(self, minutes: int | None) -> None:
        """Hold prompts for `minutes`; None pauses until the next working day."""
        self.planner.snooze(minutes)
        self._changed()

    def resume(self) -> None:
        self.planner.resume()
        self._changed(tick_soon=True)

    def ask_queued(self) -> None:
        """Ask about the queued slots now (restored ones, once the desktop is up)."""
        self.planner.ask_queued()
        self._changed(tick_soon=True)

    def request_now(self) -> None:
        """Log now: one prompt for the time since the last answer (and anything queued)."""
        self._deliver(self.planner.request_now())
        self._arm()

    def answered(self, answers: Sequence[SlotAnswer]) -> None:
        """The open prompt closed with these answers (possibly fewer than its slots)."""
        self.planner.on_answered(answers)
        # Slots that fell due meanwhile come in a moment, not inside the picker's own signal.
        self._changed(tick_soon=True)

    def prompt_closed(self, answered: bool = False) -> None:
        """The picker closed; unanswered, its slots wait for the next prompt."""
        if not answered:
            self.planner.set_prompt_open(False)
        self._changed()

    def set_prompt_open(self, is_open: bool) -> None:
        self.planner.set_prompt_open(is_open)
        self._changed()

    def start_timer(self, activity_id: str, since: datetime | None = None) -> TimerSegment | None:
        previous = self.planner.start_timer(activity_id, since)
        self._changed()
        return previous

    def stop_timer(self) -> TimerSegment | None:
        segment = self.planner.stop_timer()
        if self.planner.take_withdrawn():
            self.promptWithdrawn.emit()
        self._changed(tick_soon=True)
        return segment

    # Away ----------------------------------------------------------------------------------

    def away_started(self, reason: str, since: datetime | None = None) -> None:
        """The user left. Idle is noticed only after the idle threshold, so without `since`
        an idle absence is dated back by it."""
        if since is None and reason == "idle":
            since = self._clock() - timedelta(minutes=self._settings.idle_minutes)
        self.planner.on_away_started(reason, since)
        if self.planner.take_withdrawn():
            self.promptWithdrawn.emit()
        self._changed()

    def away_ended(self) -> None:
        self._deliver(self.planner.on_away_ended())
        self._arm()

    # Internals -----------------------------------------------------------------------------

    def _deliver(self, request: PromptRequest | None) -> None:
        if self.planner.take_withdrawn():
            self.promptWithdrawn.emit()
        if request is not None:
            self.promptDue.emit(request)
        self.stateChanged.emit()

    def _changed(self, *, tick_soon: bool = False) -> None:
        self.stateChanged.emit()
        self._arm(soon=tick_soon)

    def _arm(self, *, soon: bool = False) -> None:
        if not self._running:
            return
        wait_ms = TICK_MS
        due = self.planner.next_due()
        if soon:
            wait_ms = 0
        elif due is not None:
            remaining_ms = math.ceil((due - self._clock()).total_seconds() * 1000)
            wait_ms = min(TICK_MS, max(MIN_TICK_MS, remaining_ms + DUE_MARGIN_MS))
        self._timer.start(wait_ms)
