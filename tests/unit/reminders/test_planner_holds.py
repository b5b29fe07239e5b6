"""A snooze or a pause given back to a new planner after a restart (fake clock): it holds
prompts as it did, an expired one is dropped, an impossible one is cut short."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sec_desktop.reminders import PromptRequest
from sec_desktop.reminders.schedule import Planner
from sec_desktop.settings import Settings

BERLIN = ZoneInfo("Europe/Berlin")
TICK = timedelta(seconds=30)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 in Berlin (CET), as UTC. The 23rd is a Monday."""
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.mono = 1000.0

    def __call__(self) -> datetime:
        return self.now


def first_prompt(planner: Planner, clock: Clock, end: datetime) -> datetime | None:
    """Tick every 30 s until a prompt comes; when it came."""
    while clock.now < end:
        clock.now += TICK
        clock.mono += TICK.total_seconds()
        request = planner.on_tick(clock.now, clock.mono)
        if isinstance(request, PromptRequest):
            return clock.now
    return None


def restarted(clock: Clock, planner: Planner) -> Planner:
    """A new planner on the same clock, given back what the old one held."""
    fresh = Planner(Settings(), BERLIN, clock)
    fresh.on_tick(clock.now, clock.mono)
    fresh.restore_holds(*planner.holds)
    return fresh


def test_a_snooze_survives_a_restart() -> None:
    clock = Clock(at(23, 9))
    planner = Planner(Settings(), BERLIN, clock)
    planner.on_tick(clock.now, clock.mono)
    clock.now = at(23, 9, 20)
    planner.snooze(60)
    assert planner.holds == (at(23, 10, 20), None)
    clock.now = at(23, 9, 25)
    again = restarted(clock, planner)
    assert again.snoozed_until == at(23, 10, 20)
    assert not again.paused
    assert first_prompt(again, clock, at(23, 12)) == at(23, 10, 20)


def test_a_pause_survives_a_restart() -> None:
    clock = Clock(at(23, 15))
    planner = Planner(Settings(), BERLIN, clock)
    planner.on_tick(clock.now, clock.mono)
    planner.snooze(None)
    clock.now = at(23, 16)
    again = restarted(clock, planner)
    assert again.paused
    assert again.snoozed_until == at(24, 9)
    assert again.next_prompt_at == at(24, 9, 30)
    assert first_prompt(again, clock, at(24, 12)) == at(24, 9, 30)


def test_without_a_restored_snooze_the_prompt_comes_sooner() -> None:
    # The other side of the snooze test: a fresh planner would have asked at 10:00.
    clock = Clock(at(23, 9, 25))
    fresh = Planner(Settings(), BERLIN, clock)
    fresh.on_tick(clock.now, clock.mono)
    assert first_prompt(fresh, clock, at(23, 12)) == at(23, 9, 55)


def test_a_snooze_or_pause_over_before_the_restart_is_dropped() -> None:
    clock = Clock(at(24, 10))
    planner = Planner(Settings(), BERLIN, clock)
    planner.restore_holds(at(24, 9, 30), at(24, 9))
    assert planner.holds == (None, None)
    assert planner.snoozed_until is None


def test_an_impossibly_long_hold_is_cut_to_what_could_have_been_set() -> None:
    clock = Clock(at(23, 10))
    planner = Planner(Settings(), BERLIN, clock)
    planner.restore_holds(at(26, 10), at(30, 9))
    assert planner.holds == (at(24, 10), at(24, 9))
