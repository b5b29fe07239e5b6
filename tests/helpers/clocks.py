"""A fake clock for tests: a wall clock and an awake (monotonic) clock that tests move by hand.

With a `tick`, every wall reading is that much after the last, so each store edit is stamped
later than the version it replaces, as on a real machine.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

START = datetime(2026, 6, 1, tzinfo=UTC)


class FakeClock:
    """Call it for the wall time (aware UTC); `monotonic()` is the awake clock in seconds.

    `advance` moves both; setting `now` alone moves only the wall clock, as a suspend does.
    """

    def __init__(
        self,
        start: datetime = START,
        *,
        tick: timedelta = timedelta(0),
        mono: float = 1000.0,
    ) -> None:
        self.now = start
        self.tick = tick
        self.mono = mono

    def __call__(self) -> datetime:
        self.now += self.tick
        return self.now

    def monotonic(self) -> float:
        return self.mono

    def advance(self, **delta: float) -> None:
        step = timedelta(**delta)
        self.now += step
        self.mono += step.total_seconds()


def ticking(start: datetime = START) -> FakeClock:
    """A clock one second further on at every reading, for the store tests."""
    return FakeClock(start, tick=timedelta(seconds=1))
