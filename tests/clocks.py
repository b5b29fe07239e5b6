"""A clock for store tests: every reading is one second after the last, so each edit is
stamped later than the version it replaces, as on a real machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class TickingClock:
    def __init__(self, start: datetime = datetime(2026, 6, 1, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now
