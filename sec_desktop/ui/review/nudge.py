"""The weekly review's one nudge: a single-shot timer set for the review's moment (re-armed
by `reschedule`, which the app calls on each reminder tick, so a machine that wakes after the
moment is caught at the tick that notices the wake), and when the review is due one
notification whose click opens the review, or the window itself where there is no tray.

The week offered is recorded before the nudge shows, so a crash or restart never offers it
twice; the schedule itself is `reminders/review.py`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from sec_desktop import APP_NAME
from sec_desktop.reminders.review import (
    ReviewDue,
    ReviewMoment,
    load_last_offered,
    next_review_at,
    review_due,
    review_state_path,
    save_last_offered,
)
from sec_desktop.settings import Settings

log = logging.getLogger(__name__)

# A QTimer cannot wait longer; a review moment further off is waited for in steps.
REVIEW_CHECK_MAX_MS = 2**31 - 1
# Due, but the week held nothing to review (a new user's first Monday): looked at again
# this often, in case time for that week is booked later.
REVIEW_RECHECK_MS = 3600 * 1000
# The first check waits this long after the tray shows: the start-up notices (the keychain's
# state, problems found) come first, and on an X11 tray one balloon replaces another, which
# would hide the review's nudge seconds after it showed.
REVIEW_START_DELAY_MS = 20_000
REVIEW_TITLE = f"{APP_NAME}: weekly review"


class ReviewNudge(QObject):
    """Offers the weekly review once a week; `offered(week)` is emitted each time it does.

    `notify(title, text, on_click)` shows a notification and returns whether it could;
    `text_for(week)` gives its text, or None when the week holds nothing to review (no
    tracked time, no open away time: a new user's first Monday), and then nothing is
    offered; `open_review(week)` opens the window.
    """

    offered = Signal(object)  # the reviewed week's Monday, a date

    def __init__(
        self,
        config_dir: Path,
        settings: Callable[[], Settings],
        tz: ZoneInfo,
        clock: Callable[[], datetime],
        *,
        notify: Callable[[str, str, Callable[[], None]], bool],
        text_for: Callable[[date], str | None],
        open_review: Callable[[date], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._path = review_state_path(config_dir)
        self._settings = settings
        self._tz = tz
        self._clock = clock
        self._notify = notify
        self._text_for = text_for
        self._open_review = open_review
        self.last_offered, self.problem = load_last_offered(self._path)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._timer.timeout.connect(self._on_timer)
        self._started = False
        self._first_wait = False
        self._recheck_armed = False

    def start(self, delay_ms: int = REVIEW_START_DELAY_MS) -> None:
        """Offer a review that is due now after `delay_ms`, then wait for each review moment.
        A due week with nothing to review is seen here, so it costs no wakeup `delay_ms`
        later (the common start: no review due, or a new user's empty week)."""
        if self._started:
            return
        self._started = True
        due = self.due()
        if due is not None and self._has_review(due.week):
            self._first_wait = True
            self._timer.start(delay_ms)
            return
        self._recheck_armed = due is not None
        wait_ms = self._wait_ms(just_checked=True)
        if wait_ms is not None:
            self._timer.start(wait_ms)

    def _has_review(self, week: date) -> bool:
        try:
            return self._text_for(week) is not None
        except Exception:  # noqa: BLE001 - the check that follows reports it and offers anyway
            return True

    def stop(self) -> None:
        self._started = False
        self._timer.stop()

    @property
    def wait_ms(self) -> int | None:
        """The wait armed until the next check; None when none is armed."""
        return self._timer.interval() if self._timer.isActive() else None

    def reschedule(self) -> None:
        """Check sooner if the wall clock now says the moment is nearer than the armed wait
        (the machine slept through part of it, or the settings moved it earlier)."""
        if not self._started or self._first_wait:
            return
        wait_ms = self._wait_ms(just_checked=False)
        if wait_ms is None:
            self._timer.stop()
        elif wait_ms == 0 and self._recheck_armed:
            return  # the due week was just found empty: its later look stands
        elif not self._timer.isActive() or wait_ms < self._timer.remainingTime():
            self._timer.start(wait_ms)

    def _on_timer(self) -> None:
        self._first_wait = False
        self.check()
        wait_ms = self._wait_ms(just_checked=True)
        self._recheck_armed = self.due() is not None
        if wait_ms is not None:
            self._timer.start(wait_ms)

    def _wait_ms(self, *, just_checked: bool) -> int | None:
        """Until the next review moment; None when no moment is set."""
        if self.due() is not None:  # after a check: due, but the week held nothing to offer
            return REVIEW_RECHECK_MS if just_checked else 0
        now = self._clock()
        at = next_review_at(self.moment(), now, self._tz, self.last_offered)
        if at is None:
            return None
        remaining_ms = math.ceil((at - now).total_seconds() * 1000)
        return min(REVIEW_CHECK_MAX_MS, remaining_ms)

    def moment(self) -> ReviewMoment | None:
        return ReviewMoment.from_settings(self._settings())

    def due(self) -> ReviewDue | None:
        return review_due(self.moment(), self._clock(), self._tz, self.last_offered)

    def next_at(self) -> datetime | None:
        return next_review_at(self.moment(), self._clock(), self._tz, self.last_offered)

    def check(self) -> bool:
        """Offer the review if it is due; True when it was offered now."""
        due = self.due()
        if due is None:
            return False
        try:
            text = self._text_for(due.week)
        except Exception:  # the nudge must not take the app down with it
            log.exception("the weekly review's figures could not be computed")
            text = "Last week is ready to review."
        if text is None:
            return False
        # Remembered first: if the nudge below fails, the review stays one click away in the
        # tray menu, which is better than a second nudge after a restart.
        self.last_offered = due.week
        try:
            save_last_offered(self._path, due.week, self._clock())
        except OSError as exc:
            log.warning("the weekly review state could not be saved: %s", exc)
        week = due.week
        if not self._notify(REVIEW_TITLE, text, lambda: self._open_review(week)):
            # No tray to show a notification in: the window is the nudge.
            self._open_review(week)
        log.info("weekly review of the week of %s offered", week.isoformat())
        self.offered.emit(week)
        return True


__all__ = ["REVIEW_CHECK_MAX_MS", "REVIEW_START_DELAY_MS", "ReviewNudge"]
