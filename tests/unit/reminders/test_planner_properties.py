"""Properties of the planner under random days: whatever the user does, no slot overlaps
another or an answered one, only AWAY slots and pings cover an absence (and an AWAY slot
nothing else), and a prompt never opens on top of another."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sec_desktop.reminders import Disposition, PromptRequest, PromptSlot, SlotAnswer, SlotKind
from sec_desktop.reminders.schedule import Planner
from sec_desktop.settings import Settings

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 23, 7, 0, tzinfo=BERLIN).astimezone(UTC)  # a Monday morning

actions = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.integers(1, 90)),  # minutes, ticking every 30 s
        st.tuples(st.just("sleep"), st.integers(2, 300)),
        st.tuples(st.just("lock"), st.integers(1, 120)),
        st.tuples(st.just("idle"), st.integers(10, 120)),
        st.tuples(st.just("answer"), st.integers(0, 3)),  # how many of the slots
        st.tuples(st.just("close"), st.just(0)),
        st.tuples(st.just("snooze"), st.sampled_from([5, 15, 60, 0])),  # 0: until tomorrow
        st.tuples(st.just("resume"), st.just(0)),
        st.tuples(st.just("log_now"), st.just(0)),
        st.tuples(st.just("timer"), st.integers(0, 1)),  # 1 start, 0 stop
    ),
    min_size=5,
    max_size=40,
)
modes = st.sampled_from(["interval", "random", "timer-only"])


def overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _joined(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Back-to-back or overlapping absences as one (a sleep straight after a sleep)."""
    joined: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


class Checked:
    """Runs the planner and checks the invariants after every step."""

    def __init__(self, mode: str, interval: int) -> None:
        self.now = START
        self.mono = 0.0
        self.planner = Planner(
            Settings(prompt_mode=mode, interval_minutes=interval, random_mean_gap_minutes=20),
            BERLIN,
            lambda: self.now,
        )
        self.open: PromptRequest | None = None
        self.answered: list[PromptSlot] = []
        self.booked_timer: list[tuple[datetime, datetime]] = []
        self.away: list[tuple[datetime, datetime]] = []

    def receive(self, request: PromptRequest | None) -> None:
        if self.planner.take_withdrawn():
            self.open = None
        if request is not None:
            assert self.open is None, "a second prompt opened on top of the first"
            self.open = request
        self.check()

    def tick(self, step: timedelta, *, awake: bool = True) -> None:
        self.now += step
        if awake:
            self.mono += step.total_seconds()
        self.receive(self.planner.on_tick(self.now, self.mono))

    def wait(self, minutes: int) -> None:
        end = self.now + timedelta(minutes=minutes)
        while self.now < end:
            self.tick(min(timedelta(seconds=30), end - self.now))

    def away_for(self, reason: str, minutes: int, backdate: int = 0) -> None:
        since = self.now - timedelta(minutes=backdate)
        self.planner.on_away_started(reason, since=since)
        self.receive(None)
        self.wait(minutes)
        self.away.append((since, self.now))  # before the return's request is checked
        self.receive(self.planner.on_away_ended())

    def live_slots(self) -> list[PromptSlot]:
        return [*self.planner.queued, *(self.open.slots if self.open else ())]

    def check(self) -> None:
        live = self.live_slots()
        spans = [(s.start, s.end) for s in [*live, *self.answered]] + self.booked_timer
        for i, a in enumerate(spans):
            assert a[0] < a[1]
            for b in spans[i + 1 :]:
                assert not overlaps(a, b), f"{a} overlaps {b}"
        threshold = self.planner.away_threshold
        absences = _joined([a for a in self.away if a[1] - a[0] >= threshold])
        for slot in live:
            if slot.kind is SlotKind.PING:
                continue  # a retro ping samples the absence
            inside = any(a[0] <= slot.start and slot.end <= a[1] for a in absences)
            if slot.kind is SlotKind.AWAY:
                assert inside, f"{slot} asks about time the user was not away"
                continue
            for away in absences:
                assert not overlaps((slot.start, slot.end), away), f"{slot} covers {away}"
        if self.planner.prompt_open:
            assert self.open is not None or not live

    def step(self, action: str, value: int) -> None:
        planner = self.planner
        if action == "wait":
            self.wait(value)
        elif action == "sleep":
            self.away.append((self.now, self.now + timedelta(minutes=value)))
            self.tick(timedelta(minutes=value), awake=False)
        elif action == "lock":
            self.away_for("lock", value)
        elif action == "idle":
            self.away_for("idle", value, backdate=10)
        elif action == "answer" and self.open is not None:
            answers = [
                SlotAnswer(s, Disposition.TAGGED, "strategy")
                for s in self.open.slots[: value or len(self.open.slots)]
            ]
            planner.on_answered(answers)
            self.answered += [a.slot for a in answers]
            self.open = None
        elif action == "close" and self.open is not None:
            planner.set_prompt_open(False)
            self.open = None
        elif action == "snooze":
            planner.snooze(value or None)
            self.open = None
        elif action == "resume":
            planner.resume()
        elif action == "log_now":
            self.receive(planner.request_now())
        elif action == "timer":
            segment = planner.start_timer("execution") if value else planner.stop_timer()
            if segment is not None:
                self.booked_timer.append((segment.start, segment.end))
        self.receive(None)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mode=modes, interval=st.sampled_from([5, 15, 30]), plan=actions)
def test_no_overlap_away_time_asked_only_as_away_one_prompt(
    mode: str, interval: int, plan: list[tuple[str, int]]
) -> None:
    run = Checked(mode, interval)
    run.wait(120)  # into the working day
    for action, value in plan:
        run.step(action, value)
