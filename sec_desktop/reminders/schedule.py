"""When prompts fall due and what each one asks about: pure functions of time, no Qt.

`WorkingHours` answers "is this working time?" in the user's zone. The interval schedule asks
every N minutes of working time; the random schedule is TagTime's universal one with the
pings outside working hours skipped (never moved, so it stays TagTime's). `Planner` holds the
state between ticks: what has been answered, the queue of slots not yet shown, snooze and
pause, the running timer and away spans. Its clock is passed in, so tests move time by hand.

Rules the planner keeps: no slot overlaps another slot, the answered time or a timer's time;
at most one prompt is open, and slots that fall due meanwhile wait for the next one.

Away time (idle past the threshold, a locked screen, sleep) is never dropped and never booked
unasked: on the return the working-hours part of the absence becomes one AWAY slot ("you were
away 10:35-10:48: what was it?") in interval mode, or in timer-only mode when a timer ran; in
random mode the pings that fell in it are asked, TagTime's retro pings. An absence shorter
than the idle threshold is no absence: its time stays in the ordinary slots. AWAY slots and
pings are never dropped from a long queue; the application keeps the queue across restarts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple

from sec_desktop.reminders.prompts import (
    Disposition,
    PromptRequest,
    PromptSlot,
    RequestReason,
    SlotAnswer,
    SlotKind,
)
from sec_desktop.reminders.tagtime import TagTimeSchedule, shared_schedule
from sec_desktop.settings import Settings

# A piece of an interval slot shorter than this (left between an answer and an away span)
# is not worth a question.
MIN_SLOT = timedelta(minutes=1)
# The last prompt of a working day comes at closing time if at least this much is unasked.
MIN_CLOSING_SLOT = timedelta(minutes=5)
# The wall clock ran this much further than the awake clock between two ticks: the machine
# slept. Clocks drift by far less; the driver ticks every 30 s.
WAKE_GAP = timedelta(seconds=60)
# A queue longer than this is shortened: contiguous interval slots are merged, then the
# oldest slots are dropped (their time stays unasked; nothing is booked).
MAX_QUEUE_SLOTS = 12
# Away spans older than this can no longer touch a new slot.
AWAY_MEMORY = timedelta(days=2)
# Slot kinds a long queue never loses: each is a question about time nothing else asks about.
KEPT_KINDS = frozenset({SlotKind.AWAY, SlotKind.PING})
MAX_SNOOZE_MINUTES = 24 * 60


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"expected an aware datetime, got {moment!r}")
    return moment.astimezone(UTC)


def _whole_second(moment: datetime) -> datetime:
    """Planner times are whole seconds, so slots and entries read cleanly."""
    return _utc(moment).replace(microsecond=0)


def _from_unix(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


# Working hours -------------------------------------------------------------------------------


class WorkingHours:
    """Working days and a daily start and end in a time zone; end is after start.

    Spans are [start, end) in local time, converted to UTC day by day, so a working day on
    which the clocks change is an hour shorter or longer, as it really is.
    """

    def __init__(self, days: Iterable[int], start: time, end: time, tz: tzinfo) -> None:
        self.days = frozenset(days)
        if any(not 0 <= d <= 6 for d in self.days):
            raise ValueError(f"working days must be 0 (Monday) to 6, got {sorted(self.days)}")
        if end <= start:
            raise ValueError(f"working hours end ({end}) at or before they start ({start})")
        self.start = start
        self.end = end
        self.tz = tz

    @classmethod
    def from_settings(cls, settings: Settings, tz: tzinfo) -> WorkingHours:
        return cls(settings.work_days, settings.work_start, settings.work_end, tz)

    def span_on(self, day: date) -> tuple[datetime, datetime] | None:
        """The working span of a local date in UTC, or None on a day off."""
        if day.weekday() not in self.days:
            return None
        opens = datetime.combine(day, self.start, tzinfo=self.tz).astimezone(UTC)
        closes = datetime.combine(day, self.end, tzinfo=self.tz).astimezone(UTC)
        return opens, closes

    def _local_date(self, moment: datetime) -> date:
        return _utc(moment).astimezone(self.tz).date()

    def span_at(self, moment: datetime) -> tuple[datetime, datetime] | None:
        """The span with start <= moment < end, if any."""
        for offset in (0, -1):  # a span may have opened on the previous local date
            span = self.span_on(self._local_date(moment) + timedelta(days=offset))
            if span and span[0] <= moment < span[1]:
                return span
        return None

    def span_ending_by(self, moment: datetime) -> tuple[datetime, datetime] | None:
        """The span with start < moment <= end: the one a prompt due at `moment` closes."""
        for offset in (0, -1):
            span = self.span_on(self._local_date(moment) + timedelta(days=offset))
            if span and span[0] < moment <= span[1]:
                return span
        return None

    def contains(self, moment: datetime) -> bool:
        return self.span_at(moment) is not None

    def next_open(self, moment: datetime) -> datetime | None:
        """`moment` itself if it is working time, else the start of the next span."""
        moment = _utc(moment)
        day = self._local_date(moment) - timedelta(days=1)
        for _ in range(9):
            span = self.span_on(day)
            if span and span[1] > moment:
                return max(span[0], moment)
            day += timedelta(days=1)
        return None

    def intervals_between(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The working spans inside [start, end), clipped, as UTC pairs in order."""
        start, end = _utc(start), _utc(end)
        spans: list[tuple[datetime, datetime]] = []
        day = self._local_date(start) - timedelta(days=1)
        last = self._local_date(end)
        while day <= last:
            span = self.span_on(day)
            if span:
                lo, hi = max(span[0], start), min(span[1], end)
                if lo < hi:
                    spans.append((lo, hi))
            day += timedelta(days=1)
        return spans

    def next_day_start(self, moment: datetime) -> datetime:
        """The first working start on a later local date; local midnight if there is none."""
        tomorrow = self._local_date(moment) + timedelta(days=1)
        midnight = datetime.combine(tomorrow, time(0), tzinfo=self.tz).astimezone(UTC)
        return self.next_open(midnight) or midnight


# Schedules -----------------------------------------------------------------------------------


def next_interval_due(
    hours: WorkingHours, anchor: datetime, interval: timedelta
) -> datetime | None:
    """The first interval prompt after `anchor`: an interval into working time, or closing
    time when less than an interval of the working day is left."""
    for _ in range(16):
        opens = hours.next_open(anchor)
        if opens is None:
            return None
        span = hours.span_at(opens)
        if span is None:  # next_open returns working time only; kept for the type checker
            return None
        due = opens + interval
        if due <= span[1]:
            return due
        if span[1] - opens >= MIN_CLOSING_SLOT:
            return span[1]
        anchor = span[1]
    return None


def next_ping_due(
    hours: WorkingHours, schedule: TagTimeSchedule, after: datetime
) -> datetime | None:
    """The first TagTime ping after `after` that falls in working hours."""
    after_unix = math.floor(_utc(after).timestamp())
    for _ in range(10_000):
        ping = _from_unix(schedule.next_ping(after_unix))
        if hours.contains(ping):
            return ping
        opens = hours.next_open(ping)
        if opens is None:
            return None
        after_unix = max(math.floor(opens.timestamp()) - 1, math.floor(ping.timestamp()))
    return None


def subtract_spans(
    start: datetime, end: datetime, spans: Iterable[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """[start, end) minus the given spans, as ordered pieces."""
    pieces = [(start, end)]
    for lo, hi in spans:
        cut: list[tuple[datetime, datetime]] = []
        for s, e in pieces:
            if hi <= s or lo >= e:
                cut.append((s, e))
                continue
            if s < lo:
                cut.append((s, lo))
            if hi < e:
                cut.append((hi, e))
        pieces = cut
    return pieces


# The planner ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunningTimer:
    """A timer: "I'm on `activity_id` since `since`". `since` is None while away (the
    application books the part before the away) and becomes the return time after it."""

    activity_id: str
    since: datetime | None


class TimerSegment(NamedTuple):
    """Time a stopped timer booked, for the application to save."""

    activity_id: str
    start: datetime
    end: datetime


class Planner:
    """The prompt state between ticks. Every method reads `clock()` (UTC) for the time.

    The caller shows each `PromptRequest` it is given and then reports back with
    `on_answered`, `snooze` or `set_prompt_open(False)`. Until then no other request comes:
    slots that fall due wait and come together in the next one.
    """

    def __init__(
        self,
        settings: Settings,
        tz: tzinfo,
        clock: Callable[[], datetime],
        *,
        last_answer_end: datetime | None = None,
    ) -> None:
        self._clock = clock
        self._tz = tz
        now = self._now()
        # The last due time processed, or when prompting (re)started, on a whole minute.
        self._anchor = now.replace(second=0)
        # The end of the latest answered (or booked) time; slots never start before it.
        self._covered_until = _utc(last_answer_end) if last_answer_end else None
        self._pending: list[PromptSlot] = []
        self._shown: list[PromptSlot] = []
        self._prompt_open = False
        self._ready: RequestReason | None = None
        self._withdrawn = False
        self._snoozed_until: datetime | None = None
        self._paused_until: datetime | None = None
        self._away_since: datetime | None = None
        self._away_reasons: set[str] = set()
        self._away_spans: list[tuple[datetime, datetime]] = []
        self._timer: RunningTimer | None = None
        self._last_reading: tuple[datetime, float] | None = None
        self.dropped_slots = 0  # slots dropped from over-long queues, for diagnostics
        self._next_due: datetime | None = None
        self.settings = settings
        self.apply(settings)
        if self._covered_until and now - self.slot_cap < self._covered_until <= now:
            # Restarted soon after an answer: the next prompt follows on from it.
            self._anchor = self._covered_until
            self._next_due = self._compute_next_due()
        # Nothing before this was watched: an absence is asked about from here on only.
        self._watched_from = self._anchor

    # Configuration ---------------------------------------------------------------------------

    def apply(self, settings: Settings) -> None:
        """Use new settings from now on; the queue, answers, snooze and timer are kept."""
        now = self._now()
        self._advance(now)
        self.settings = settings
        self.hours = WorkingHours.from_settings(settings, self._tz)
        self.interval = timedelta(minutes=settings.interval_minutes)
        self.schedule = shared_schedule(settings.random_seed, settings.random_mean_gap_minutes * 60)
        self._anchor = max(self._anchor, self._covered_until or self._anchor)
        self._next_due = self._compute_next_due()
        if self._next_due is not None and self._next_due < now:
            self._anchor = now
            self._next_due = self._compute_next_due()

    @property
    def mode(self) -> str:
        return self.settings.prompt_mode

    @property
    def away_threshold(self) -> timedelta:
        """The shortest absence asked about on its own; shorter ones stay in the next slot."""
        return max(MIN_SLOT, timedelta(minutes=self.settings.idle_minutes))

    @property
    def slot_cap(self) -> timedelta:
        """The longest span one scheduled answer may cover."""
        if self.mode == "random":
            return timedelta(minutes=self.settings.random_mean_gap_minutes)
        return self.interval

    # State the UI shows ----------------------------------------------------------------------

    @property
    def timer(self) -> RunningTimer | None:
        return self._timer

    @property
    def snoozed_until(self) -> datetime | None:
        """When a snooze or a pause ends, if one is on."""
        return self._paused_until or self._snoozed_until

    @property
    def paused(self) -> bool:
        return self._paused_until is not None

    @property
    def holds(self) -> tuple[datetime | None, datetime | None]:
        """(when the snooze ends, when the pause ends), each None when off: what a restart
        needs to give back to `restore_holds`."""
        return self._snoozed_until, self._paused_until

    @property
    def away_reasons(self) -> frozenset[str]:
        """Why the user is away right now ("sleep", "lock", "idle"); empty when here."""
        return frozenset(self._away_reasons) if self._away_since else frozenset()

    @property
    def prompt_open(self) -> bool:
        return self._prompt_open

    @property
    def queued(self) -> tuple[PromptSlot, ...]:
        """Slots that fell due and wait to be shown (not those of the open prompt)."""
        return tuple(sorted(self._pending, key=lambda s: s.start))

    @property
    def covered_until(self) -> datetime | None:
        return self._covered_until

    @property
    def questions(self) -> tuple[PromptSlot, ...]:
        """Every slot not yet answered, shown or queued, in time order: what the application
        keeps across a restart."""
        return tuple(sorted([*self._shown, *self._pending], key=lambda s: (s.start, s.end)))

    @property
    def unanswered_away(self) -> tuple[PromptSlot, ...]:
        """The away spans still waiting for an answer."""
        return tuple(s for s in self.questions if s.kind is SlotKind.AWAY)

    def restore_questions(self, slots: Iterable[PromptSlot], *, ask: bool = True) -> None:
        """Queue slots left unanswered by an earlier run: asked as soon as the user is here,
        or with `ask` False at the next prompt or `ask_queued`. Slots already queued are
        skipped."""
        known = set(self.questions)
        fresh = [s for s in slots if s not in known]
        if not fresh:
            return
        self._pending.extend(fresh)
        for slot in fresh:
            if slot.kind is SlotKind.AWAY:
                self._away_spans.append((slot.start, slot.end))
        if ask:
            self.ask_queued()

    def ask_queued(self) -> None:
        """Ask about what is queued at the next tick (a snooze still holds it back)."""
        if self._pending:
            self._ready = self._ready or RequestReason.RETURN

    def next_due(self, now: datetime | None = None) -> datetime | None:
        """The next moment something happens (a prompt falls due, a snooze or pause ends),
        never before `now` (default: the clock); None when nothing is scheduled."""
        now = _utc(now) if now else self._now()
        moments = [self._next_due, self._paused_until]
        if self._pending:
            moments.append(self._snoozed_until)
        future = [m for m in moments if m is not None]
        return max(min(future), now) if future else None

    @property
    def next_prompt_at(self) -> datetime | None:
        """When the next scheduled prompt will be shown, snooze and pause included."""
        due = self._next_due
        if self._snoozed_until and self._pending:
            return self._snoozed_until
        if due is None:
            return None
        blocks = [m for m in (self._snoozed_until, self._paused_until) if m]
        return max([due, *blocks])

    def take_withdrawn(self) -> bool:
        """True once after the open prompt was withdrawn (away, or Log now replaced it)."""
        withdrawn, self._withdrawn = self._withdrawn, False
        return withdrawn

    # Ticks -------------------------------------------------------------------------------------

    def on_tick(self, now_wall: datetime, now_mono: float) -> PromptRequest | None:
        """Advance to `now_wall`; `now_mono` is an awake-time clock (seconds) that stops
        while the machine sleeps, so a wall clock running far ahead of it reveals a sleep."""
        now_wall = _whole_second(now_wall)
        last = self._last_reading
        self._last_reading = (now_wall, now_mono)
        if last is not None:
            last_wall, last_mono = last
            awake = timedelta(seconds=max(0.0, now_mono - last_mono))
            if now_wall - last_wall - awake > WAKE_GAP:
                slept_from = min(last_wall + awake, now_wall)
                self._record_sleep(slept_from, now_wall)
            elif now_wall < last_wall - WAKE_GAP:
                # The clock was set back: restart the schedule from the new time.
                self._anchor = now_wall
                self._next_due = self._compute_next_due()
        self._advance(now_wall)
        return self._emit(now_wall)

    def _record_sleep(self, start: datetime, end: datetime) -> None:
        if self._away_since is not None and self._away_since <= start:
            return  # already away (locked, say) since before the sleep
        was_away = self._away_since is not None
        self._start_away(start, "sleep")
        if not was_away:
            self._end_away(end)

    # Away ------------------------------------------------------------------------------------

    @property
    def away_since(self) -> datetime | None:
        """When the current absence began; None when the user is here."""
        return self._away_since

    def on_away_started(self, reason: str, since: datetime | None = None) -> None:
        """The user left (sleep, lock, idle) at `since` (default now): no slot covers the
        time from then on, and an open prompt is withdrawn so that its slots join the
        return queue. A running timer pauses until the return."""
        now = self._now()
        self._start_away(min(_whole_second(since), now) if since else now, reason)
        self._advance(now)

    def on_away_ended(self) -> PromptRequest | None:
        """The user is back: the slots that fell due meanwhile come as one RETURN request."""
        now = self._now()
        self._advance(now)
        if self._away_since is None:
            return None
        self._end_away(now)
        return self._emit(now)

    def _start_away(self, start: datetime, reason: str) -> None:
        self._advance(start)
        if self._away_since is not None:
            self._away_since = min(self._away_since, start)
            self._away_reasons.add(reason)
        else:
            self._away_since = start
            self._away_reasons = {reason}
        if self._prompt_open:
            self._withdraw()
        # Nothing is cut yet: whether this is an absence at all is known only on the return.
        if self._timer is not None:
            self._timer = replace(self._timer, since=None)

    def _end_away(self, end: datetime) -> None:
        # Prompts due while away still ask about the time before it left.
        self._advance(end)
        since = self._away_since
        self._away_since = None
        self._away_reasons = set()
        if since is None or end - since < self.away_threshold:
            # Too short to be an absence (a glance away, a quick lock): nothing is cut, and
            # the timer runs on from where the caller booked it to, the leaving.
            if self._timer is not None and self._timer.since is None:
                self._timer = replace(self._timer, since=since or end)
            if self._pending:
                self._ready = self._ready or RequestReason.RETURN
            return
        span = (since, end)
        self._away_spans.append(span)
        self._away_spans = [s for s in self._away_spans if s[1] > end - AWAY_MEMORY]
        # Pings inside the span stay: they are TagTime's retro pings, asked like any other.
        self._pending = [
            p
            for s in self._pending
            for p in ([s] if s.kind is SlotKind.PING else self._clip(s, [span]))
        ]
        self._ask_about_away(since, end)
        if self._timer is not None:
            self._timer = replace(self._timer, since=end)
        if self._anchor > since:
            # Prompts fell due while away: the schedule starts again from the return. After a
            # short absence with nothing due the next prompt stays where it was.
            self._anchor = max(self._anchor, end)
            self._next_due = self._compute_next_due()
        if self._pending:
            self._ready = RequestReason.RETURN

    def _ask_about_away(self, since: datetime, end: datetime) -> None:
        """Queue the working-hours part of an absence as AWAY slots, where the mode asks."""
        if self.mode == "random" or (self.mode == "timer-only" and self._timer is None):
            return
        since = max(since, self._watched_from)
        if self.mode == "interval":
            # The stretch between the last question and the leaving, which no due time asked
            # about yet: once the away answer moves the schedule on, nothing else would.
            stretch_start = max(since - self.interval, self._watched_from)
            for lo, hi in self.hours.intervals_between(stretch_start, since):
                self._add_slots(lo, hi, SlotKind.INTERVAL, since, announce=False)
        # Time answered meanwhile (a Log now just before the idle set in) is not asked twice.
        since = max(since, self._covered_until or since)
        for start, stop in self.hours.intervals_between(since, end):
            if stop - start >= MIN_SLOT:
                self._pending.append(PromptSlot(start, stop, SlotKind.AWAY, end))

    # Answers, snooze, pause ------------------------------------------------------------------

    def on_answered(self, answers: Sequence[SlotAnswer]) -> None:
        """The open prompt closed with these answers; its unanswered slots wait for the next."""
        now = self._now()
        self._advance(now)
        for answer in answers:
            slot = answer.slot
            if self._covered_until is None or slot.end > self._covered_until:
                self._covered_until = slot.end
            if slot.kind is SlotKind.TIMER_CHECK:
                self._timer_checked(answer)
        spans = [(a.slot.start, a.slot.end) for a in answers]
        self._pending = [
            piece for s in [*self._shown, *self._pending] for piece in _unanswered_part(s, spans)
        ]
        self._shown = []
        self._prompt_open = False
        if self._covered_until and self._covered_until > self._anchor:
            self._anchor = self._covered_until
            self._next_due = self._compute_next_due()

    def _timer_checked(self, answer: SlotAnswer) -> None:
        timer = self._timer
        if timer is None or timer.since is None or answer.slot.end < timer.since:
            return  # an older segment, from before an away span: the timer runs on
        if answer.disposition is Disposition.TAGGED and answer.activity_id == timer.activity_id:
            self._timer = replace(timer, since=max(timer.since, answer.slot.end))
        else:
            self._timer = None  # "no, not on it any more"
            self._retire_timer_checks()

    def set_prompt_open(self, is_open: bool) -> None:
        """Closing without answers puts the prompt's slots back in the queue; opening (for a
        window the caller shows itself) holds back scheduled prompts."""
        if is_open:
            self._prompt_open = True
            return
        self._pending = [*self._shown, *self._pending]
        self._shown = []
        self._prompt_open = False
        self._ready = None  # back with the next prompt that falls due, not at once

    def snooze(self, minutes: int | None) -> None:
        """Hold prompts for `minutes` (they queue meanwhile), or with None pause until the
        next working day (no prompts fall due meanwhile)."""
        if minutes is not None and not 0 < minutes <= MAX_SNOOZE_MINUTES:
            raise ValueError(
                f"snooze length must be 1 to {MAX_SNOOZE_MINUTES} minutes, got {minutes}"
            )
        now = self._now()
        self._advance(now)
        if self._prompt_open:
            self.set_prompt_open(False)
        if minutes is None:
            self._paused_until = self.hours.next_day_start(now)
            self._snoozed_until = None
            self._anchor = max(self._anchor, self._paused_until)
            self._next_due = self._compute_next_due()
            return
        self._snoozed_until = now + timedelta(minutes=minutes)

    def restore_holds(self, snoozed_until: datetime | None, paused_until: datetime | None) -> None:
        """Take back a snooze and a pause saved before a restart. One already over is
        ignored; one longer than a new snooze or pause could be (a clock put back, a file
        edited) is cut to that."""
        now = self._now()
        self._advance(now)
        if snoozed_until is not None and _utc(snoozed_until) > now:
            longest = now + timedelta(minutes=MAX_SNOOZE_MINUTES)
            self._snoozed_until = min(_whole_second(snoozed_until), longest)
        if paused_until is not None and _utc(paused_until) > now:
            self._paused_until = min(_whole_second(paused_until), self.hours.next_day_start(now))
            self._anchor = max(self._anchor, self._paused_until)
            self._next_due = self._compute_next_due()

    def resume(self) -> None:
        """End a snooze or pause now."""
        now = self._now()
        self._advance(now)
        if self._paused_until is not None:
            self._paused_until = None
            self._anchor = now
            self._next_due = self._compute_next_due()
        self._snoozed_until = None
        if self._pending:
            self._ready = self._ready or RequestReason.DUE

    def request_now(self) -> PromptRequest | None:
        """Log now: the time since the last answer (capped), with anything queued.

        An open prompt is withdrawn and folded in, so there is still one prompt.
        """
        now = self._now()
        self._advance(now)
        if self._prompt_open:
            self._withdraw()
        timer = self._timer
        if timer is not None and timer.since is not None:
            start = max(timer.since, self._queued_frontier() or timer.since)
            kind = SlotKind.TIMER_CHECK
        else:
            start = max(self._queued_frontier() or now - self.slot_cap, now - self.slot_cap)
            kind = SlotKind.LOG_NOW
        if start < now:
            pieces = subtract_spans(start, now, self._away_spans)
            for s, e in pieces:
                self._pending.append(PromptSlot(s, e, kind, now))
        return self._make_request(RequestReason.LOG_NOW)

    # Timer -----------------------------------------------------------------------------------

    def start_timer(self, activity_id: str, since: datetime | None = None) -> TimerSegment | None:
        """Start "I'm on X" from `since` (default now; earlier when a timer is restored). A
        timer already running stops and its segment is returned for the caller to book."""
        now = self._now()
        self._advance(now)
        since = min(_whole_second(since), now) if since else now
        previous = self._stop_timer(since)
        fresh = now - since < MIN_SLOT  # not a timer restored from an earlier run
        if previous is None and fresh and self.mode == "interval" and self.hours.contains(since):
            # The stretch since the last answer would otherwise never be asked about.
            start = max(self._queued_frontier() or since - self.interval, since - self.interval)
            self._add_slots(start, since, SlotKind.INTERVAL, since, announce=False)
        self._timer = RunningTimer(activity_id, None if self._away_since else since)
        if self.mode == "timer-only":
            self._anchor = max(self._anchor, now)
            self._next_due = self._compute_next_due()
        return previous

    def stop_timer(self) -> TimerSegment | None:
        """Stop the timer; its time since the last check, for the caller to save."""
        now = self._now()
        self._advance(now)
        return self._stop_timer(now)

    def _stop_timer(self, now: datetime) -> TimerSegment | None:
        timer, self._timer = self._timer, None
        if timer is None:
            return None
        since = timer.since
        if since is not None:
            # Checks of the span the segment books are answered by booking it.
            def booked(slot: PromptSlot) -> bool:
                return slot.kind is SlotKind.TIMER_CHECK and slot.start >= since

            if any(booked(s) for s in self._shown):
                self._withdraw()
            self._pending = [s for s in self._pending if not booked(s)]
        self._retire_timer_checks()
        if self.mode == "timer-only":
            self._next_due = self._compute_next_due()
        if since is None or now <= since:
            return None
        if self._covered_until is None or now > self._covered_until:
            self._covered_until = now
        return TimerSegment(timer.activity_id, since, now)

    def _retire_timer_checks(self) -> None:
        """Queued "still on X?" slots become plain questions once X's timer is gone."""
        self._pending = [
            replace(s, kind=SlotKind.INTERVAL) if s.kind is SlotKind.TIMER_CHECK else s
            for s in self._pending
        ]

    # Internals -------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return _whole_second(self._clock())

    def _compute_next_due(self) -> datetime | None:
        after = max(self._anchor, self._paused_until or self._anchor)
        if self.mode == "random":
            return next_ping_due(self.hours, self.schedule, after)
        if self.mode == "interval" or self._timer is not None:
            return next_interval_due(self.hours, after, self.interval)
        return None

    def _advance(self, until: datetime) -> None:
        """Process every due time up to `until`, turning each into queued slots."""
        while self._next_due is not None and self._next_due <= until:
            due = self._next_due
            self._on_due(due)
            self._anchor = due
            self._next_due = self._compute_next_due()
            if self._next_due is not None and self._next_due <= due:
                raise AssertionError(f"schedule did not move past {due}")
        if self._paused_until is not None and until >= self._paused_until:
            self._paused_until = None
        if self._snoozed_until is not None and until >= self._snoozed_until:
            self._snoozed_until = None
            if self._pending:
                self._ready = self._ready or RequestReason.DUE

    def _on_due(self, due: datetime) -> None:
        timer = self._timer
        if timer is not None:
            if timer.since is None or timer.since >= due:
                return  # away, or started this instant: nothing to check yet
            self._add_slots(timer.since, due, SlotKind.TIMER_CHECK, due)
        elif self.mode == "random":
            self._add_ping(due)
        elif self.mode == "interval":
            self._add_slots(due - self.interval, due, SlotKind.INTERVAL, due)

    def _add_ping(self, due: datetime) -> None:
        previous = self.schedule.previous_ping(math.floor(due.timestamp()) - 1)
        start = _from_unix(previous) if previous is not None else due - self.slot_cap
        span = self.hours.span_ending_by(due) or self.hours.span_at(due)
        if span is not None:
            start = max(start, span[0])
        frontier = self._queued_frontier()
        if frontier is not None:
            start = max(start, frontier)
        if start >= due:
            return
        slot = PromptSlot(start, due, SlotKind.PING, due)
        kept = self._clip(slot, self._away_now())
        if kept:
            self._pending.extend(kept)
            self._ready = self._ready or RequestReason.DUE

    def _add_slots(
        self,
        start: datetime,
        end: datetime,
        kind: SlotKind,
        due: datetime,
        *,
        announce: bool = True,
    ) -> None:
        """Queue [start, end) minus what is answered, queued or away; `announce` makes it a
        reason to prompt (otherwise it waits for the next prompt)."""
        frontier = self._queued_frontier()
        if frontier is not None:
            start = max(start, frontier)
        if end - start < MIN_SLOT:
            return
        kept = self._clip(PromptSlot(start, end, kind, due), self._away_now())
        if kept:
            self._pending.extend(kept)
            if announce:
                self._ready = self._ready or RequestReason.DUE

    def _away_now(self) -> list[tuple[datetime, datetime]]:
        """Absences that ended and were long enough to be asked about on their own. One in
        progress cuts nothing yet: it may turn out too short to count."""
        return list(self._away_spans)

    def _clip(
        self, slot: PromptSlot, spans: Sequence[tuple[datetime, datetime]]
    ) -> list[PromptSlot]:
        """The parts of `slot` outside `spans`; a ping survives only if its moment does."""
        pieces = subtract_spans(slot.start, slot.end, spans)
        if slot.kind is SlotKind.PING:
            last = pieces[-1:] if pieces and pieces[-1][1] == slot.end else []
            return [replace(slot, start=last[0][0])] if last else []
        if pieces == [(slot.start, slot.end)]:
            return [slot]
        return [replace(slot, start=s, end=e) for s, e in pieces if e - s >= MIN_SLOT]

    def _queued_frontier(self) -> datetime | None:
        """The end of everything answered, queued, shown or on the timer."""
        ends = [s.end for s in (*self._pending, *self._shown)]
        if self._covered_until is not None:
            ends.append(self._covered_until)
        if self._timer is not None and self._timer.since is not None:
            ends.append(self._timer.since)
        return max(ends) if ends else None

    def _withdraw(self) -> None:
        self._pending = [*self._shown, *self._pending]
        self._shown = []
        self._prompt_open = False
        self._withdrawn = True
        self._ready = self._ready or RequestReason.DUE

    def _emit(self, now: datetime) -> PromptRequest | None:
        if self._away_since is not None or self._prompt_open or self._ready is None:
            return None
        if any(
            block is not None and now < block for block in (self._snoozed_until, self._paused_until)
        ):
            return None
        return self._make_request(self._ready)

    def _make_request(self, reason: RequestReason) -> PromptRequest | None:
        merged = merge_contiguous(sorted(self._pending, key=lambda s: s.start))
        kept = [s for s in merged if s.kind in KEPT_KINDS]
        others = [s for s in merged if s.kind not in KEPT_KINDS]
        room = max(0, MAX_QUEUE_SLOTS - len(kept))
        shortened = others[-room:] if room else []
        self.dropped_slots += len(others) - len(shortened)
        slots = sorted([*kept, *shortened], key=lambda s: s.start)
        if not slots:
            self._ready = None
            return None
        timer = self._timer
        has_check = any(s.kind is SlotKind.TIMER_CHECK for s in slots)
        self._pending = []
        self._shown = list(slots)
        self._prompt_open = True
        self._ready = None
        return PromptRequest(
            tuple(slots), reason, timer.activity_id if timer and has_check else None
        )


def _unanswered_part(
    slot: PromptSlot, answered: Sequence[tuple[datetime, datetime]]
) -> list[PromptSlot]:
    """What of `slot` the answered spans leave open: all of it, pieces of it when the user
    split it and answered only some pieces, or nothing. A ping is one question: any answer
    touching it answers it."""
    touching = [(s, e) for s, e in answered if s < slot.end and e > slot.start]
    if not touching:
        return [slot]
    if slot.kind is SlotKind.PING:
        return []
    pieces = subtract_spans(slot.start, slot.end, touching)
    return [replace(slot, start=s, end=e) for s, e in pieces if e - s >= MIN_SLOT]


def merge_contiguous(slots: Sequence[PromptSlot], limit: int = MAX_QUEUE_SLOTS) -> list[PromptSlot]:
    """`slots` (in order) with contiguous interval or timer-check slots merged, when there are
    more than `limit`. Pings are samples and are never merged."""
    if len(slots) <= limit:
        return list(slots)
    merged: list[PromptSlot] = []
    for slot in slots:
        last = merged[-1] if merged else None
        if (
            last is not None
            and slot.kind is last.kind
            and slot.kind is not SlotKind.PING
            and last.end == slot.start
        ):
            merged[-1] = replace(last, end=slot.end, due=max(last.due, slot.due))
        else:
            merged.append(slot)
    return merged
