"""A hybrid logical clock: stamps that order edits across devices whatever their wall clocks.

A stamp is (wall milliseconds, counter, device id), compared in that order, so any two stamps
are ordered and no two devices ever make the same one. A device's clock never goes backwards:
`now()` is later than every stamp it made before (the last one is kept in a state file, so a
restart or a wall clock set back doesn't undo that) and later than every stamp it `observe`d.
An edit that observes the stamps of the version it edits therefore wins over that version,
even on a device whose wall clock runs ten minutes behind.

The text form sorts like the stamps: fixed-width wall and counter, then the device id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir

if TYPE_CHECKING:
    from sec_desktop.store.file_lock import FileLock

WALL_DIGITS = 15  # milliseconds since 1970 up to the year 33658
COUNTER_DIGITS = 6
MAX_WALL_MS = 10**WALL_DIGITS - 1
MAX_COUNTER = 10**COUNTER_DIGITS - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_TEXT = re.compile(
    rf"^(\d{{{WALL_DIGITS}}})\.(\d{{{COUNTER_DIGITS}}})\.([a-z0-9][a-z0-9-]{{0,63}})$"
)
STATE_FORMAT = 1
LOCK_TIMEOUT_S = 30.0


class StampError(ValueError):
    """A stamp's text or parts that are not a valid stamp; the message says which."""


@dataclass(frozen=True, order=True, slots=True)
class Stamp:
    """One point of the hybrid logical clock; stamps compare field by field in this order."""

    wall_ms: int
    counter: int
    device: str

    def __post_init__(self) -> None:
        if not 0 <= self.wall_ms <= MAX_WALL_MS:
            raise StampError(f"stamp wall time {self.wall_ms} is out of range.")
        if not 0 <= self.counter <= MAX_COUNTER:
            raise StampError(f"stamp counter {self.counter} is out of range.")
        if not _TEXT.match(f"{0:0{WALL_DIGITS}d}.{0:0{COUNTER_DIGITS}d}.{self.device}"):
            raise StampError(f"stamp device {self.device!r} is not a lowercase slug.")

    def text(self) -> str:
        """`<wall ms, 15 digits>.<counter, 6 digits>.<device>`; sorts as the stamps do."""
        return f"{self.wall_ms:0{WALL_DIGITS}d}.{self.counter:0{COUNTER_DIGITS}d}.{self.device}"

    def __str__(self) -> str:
        return self.text()

    @classmethod
    def parse(cls, text: object, what: str = "stamp") -> Stamp:
        """A stamp from its text form; `what` names it in the error (e.g. "entry X's note")."""
        match = _TEXT.match(text) if isinstance(text, str) else None
        if match is None:
            raise StampError(
                f"{what} {text!r} is not a clock stamp (<15-digit ms>.<6-digit counter>.<device>)."
            )
        return cls(int(match.group(1)), int(match.group(2)), match.group(3))

    @classmethod
    def at(cls, moment: datetime, device: str) -> Stamp:
        """The stamp a version saved at `moment` by `device` gets when it carried none.

        The microseconds under the millisecond become the counter, so stamps made this way
        keep the exact order of the times they come from.
        """
        micros = (moment.astimezone(UTC) - _EPOCH) // timedelta(microseconds=1)
        wall_ms, sub_ms = divmod(max(micros, 0), 1000)
        return cls(min(wall_ms, MAX_WALL_MS), sub_ms, device)

    @property
    def wall(self) -> datetime:
        """The wall time in the stamp (which may run ahead of any real clock)."""
        return _EPOCH + self.wall_ms * _MS


def wall_ms(moment: datetime) -> int:
    return (moment.astimezone(UTC) - _EPOCH) // _MS


class HybridClock:
    """Stamps for one device. With a `state_path` the last stamp survives restarts and is
    shared by every process of the device (read and written under a file lock)."""

    def __init__(
        self,
        device: str,
        wall: Callable[[], datetime],
        state_path: Path | None = None,
    ) -> None:
        Stamp(0, 0, device)  # refuse a bad device id here, not at the first stamp
        self.device = device
        self._wall = wall
        self._state_path = state_path
        # Made at the first stamp: a process that only reads never loads the lock.
        self._lock: FileLock | None = None
        # The highest (wall, counter) made or observed by this object.
        self._last: tuple[int, int] = (0, 0)
        # What went wrong reading the state file, for doctor; the clock goes on without it.
        self.problems: list[str] = []

    def observe(self, remote: Stamp) -> None:
        """Take note of a stamp seen in data: every later `now()` is after it."""
        self._last = max(self._last, (remote.wall_ms, remote.counter))

    def now(self) -> Stamp:
        """A stamp after every stamp this device made or observed, near the wall clock."""
        if self._state_path is None:
            return self._tick()
        ensure_private_dir(self._state_path.parent)
        if self._lock is None:
            from sec_desktop.store.file_lock import FileLock

            self._lock = FileLock(
                self._state_path.with_name(self._state_path.name + ".lock"),
                timeout=LOCK_TIMEOUT_S,
                mode=0o600,  # private like every file of ours
            )
        with self._lock:
            self.observe_persisted()
            stamp = self._tick()
            doc = {"format": STATE_FORMAT, "last": stamp.text()}
            atomic_write_bytes(self._state_path, orjson.dumps(doc))
        return stamp

    def observe_persisted(self) -> None:
        """Catch up with the last stamp in the state file (another process may have moved it)."""
        if self._state_path is None:
            return
        try:
            doc = orjson.loads(self._state_path.read_bytes())
            last = Stamp.parse(doc.get("last") if isinstance(doc, dict) else None, "last stamp")
        except FileNotFoundError:
            return
        except (OSError, orjson.JSONDecodeError, StampError) as exc:
            problem = (
                f"The clock state {self._state_path} could not be read ({exc}); stamps go on "
                "from the wall clock and the stamps in this device's entries, and the file is "
                "rewritten at the next edit."
            )
            if problem not in self.problems:
                self.problems.append(problem)
            return
        self.observe(last)

    def _tick(self) -> Stamp:
        physical = min(max(wall_ms(self._wall()), 0), MAX_WALL_MS)
        last_wall, last_counter = self._last
        if physical > last_wall:
            wall, counter = physical, 0
        elif last_counter < MAX_COUNTER:
            wall, counter = last_wall, last_counter + 1
        else:
            # The counter is full: borrow the next millisecond instead (still strictly later).
            wall, counter = last_wall + 1, 0
        self._last = (wall, counter)
        return Stamp(wall, counter, self.device)
