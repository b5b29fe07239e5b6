"""Recent input for the picker: straight from a polled source, and estimated from a watched
source's threshold crossings so that a user typing is never taken for an idle one."""

from __future__ import annotations

import pytest

from sec_desktop.platform.idle_base import (
    IdleEvent,
    IdleSourceError,
    PolledIdleSource,
    WatchedIdleSource,
)
from sec_desktop.platform.recent_input import RecentInput
from tests.helpers.clocks import FakeClock

PAUSE_S = 1.5


class Polled(PolledIdleSource):
    name = "polled"

    def __init__(self) -> None:
        self.value = 0.0
        self.closed = False
        self.broken = False

    def idle_seconds(self) -> float:
        if self.broken:
            raise IdleSourceError("gone")
        return self.value

    def close(self) -> None:
        self.closed = True


class Watched(WatchedIdleSource):
    name = "watched"

    def __init__(self) -> None:
        self.events: list[IdleEvent] = []
        self.closed = False

    def fileno(self) -> int:
        return -1

    def set_threshold(self, threshold_s: float) -> None:
        pass

    def read_events(self) -> list[IdleEvent]:
        events, self.events = self.events, []
        return events

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_polled_source_answers_directly_until_it_fails() -> None:
    source = Polled()
    recent = RecentInput(source, PAUSE_S)
    source.value = 12.5
    assert recent.idle_seconds() == 12.5
    source.broken = True
    assert recent.idle_seconds() is None
    assert source.closed and recent.name is None


def test_a_watched_source_is_estimated_from_its_crossings(clock: FakeClock) -> None:
    source = Watched()
    recent = RecentInput(source, PAUSE_S, monotonic=clock.monotonic)
    # Just opened: input may have come a moment ago, so not yet idle enough.
    assert recent.idle_seconds() == 0.0
    clock.advance(seconds=1.0)
    assert recent.idle_seconds() == 1.0
    clock.advance(seconds=5.0)
    assert recent.idle_seconds() < PAUSE_S  # no "idle" news yet: typing may go on
    source.events = [IdleEvent(idle=True, idle_for_s=PAUSE_S)]
    assert recent.idle_seconds() == PAUSE_S
    clock.advance(seconds=10.0)
    assert recent.idle_seconds() == PAUSE_S + 10.0
    source.events = [IdleEvent(idle=False)]  # back: a key or the mouse, this instant
    assert recent.idle_seconds() == 0.0
    clock.advance(seconds=0.5)
    assert recent.idle_seconds() == 0.5


def test_the_first_input_after_a_pause_is_never_taken_for_typing_after_it(
    clock: FakeClock,
) -> None:
    """The picker waits for a click once input came after it appeared; a single mouse move
    before it appeared must still let it take the keyboard after the pause."""
    source = Watched()
    recent = RecentInput(source, PAUSE_S, monotonic=clock.monotonic)
    source.events = [IdleEvent(idle=True, idle_for_s=PAUSE_S)]
    clock.advance(seconds=60)
    source.events = [IdleEvent(idle=False)]  # the mouse moves: the away question comes
    recent.idle_seconds()
    clock.advance(seconds=0.6)
    assert recent.idle_seconds() == pytest.approx(0.6)  # not 0: nothing came since
    clock.advance(seconds=0.9)
    source.events = [IdleEvent(idle=True, idle_for_s=PAUSE_S)]
    assert recent.idle_seconds() == pytest.approx(PAUSE_S)


def test_logind_is_too_coarse_for_typing(monkeypatch: pytest.MonkeyPatch) -> None:
    from sec_desktop.platform import recent_input
    from sec_desktop.platform.idle import IdleChoice

    coarse = Polled()
    coarse.name = "logind IdleHint"
    monkeypatch.setattr(recent_input, "choose_idle_source", lambda _s: IdleChoice(coarse, ()))
    assert RecentInput.open(PAUSE_S) is None
    assert coarse.closed
