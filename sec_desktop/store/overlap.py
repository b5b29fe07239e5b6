"""The one overlap rule for edits to saved time: where an entry may go without counting any
time twice. No Qt.

The command line refuses a new entry over saved ones; the dashboard's Change times, the
timeline's moves, resizes and drag-created entries follow the same rule through `place`. A
move (both ends change) is refused; when only one end moves (a resize, or a drag from a fixed
starting point), that end may instead give way and stop where the neighbouring entry begins or
ends, so the edit is trimmed rather than refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sec_desktop.store.entry import Entry


class Trim(Enum):
    """Which end of the span may give way to saved entries; NONE refuses any overlap."""

    NONE = "none"
    START = "start"
    END = "end"


class OverlapRefused(ValueError):
    """The span overlaps saved entries (`clashes`, sorted by start) and can't be trimmed."""

    def __init__(self, clashes: list[Entry]) -> None:
        super().__init__(f"the span overlaps {len(clashes)} saved entries")
        self.clashes = clashes


@dataclass(frozen=True)
class Placement:
    """Where the span goes; `trimmed_by` names the entries an end gave way to (empty: as asked)."""

    start: datetime
    end: datetime
    trimmed_by: tuple[Entry, ...] = ()

    @property
    def trimmed(self) -> bool:
        return bool(self.trimmed_by)


def clashes_with(
    start: datetime, end: datetime, others: Iterable[Entry], *, ignore_id: str | None = None
) -> list[Entry]:
    """The live entries of `others` sharing time with [start, end), except `ignore_id` (the
    entry being edited), sorted by start. Touching ends don't overlap."""
    found = [e for e in others if e.id != ignore_id and not e.is_deleted and e.overlaps(start, end)]
    return sorted(found, key=lambda e: (e.start, e.end))


def place(
    start: datetime,
    end: datetime,
    others: Iterable[Entry],
    *,
    ignore_id: str | None = None,
    trim: Trim = Trim.NONE,
) -> Placement:
    """Put [start, end) among `others` without overlap, or raise `OverlapRefused`.

    With `Trim.END` the end stops at the first clash after the start; with `Trim.START` the
    start moves to the end of the last clash before the end. A clash over the fixed end itself
    leaves nothing to keep, so it is refused like any overlap with `Trim.NONE`.
    """
    clashes = clashes_with(start, end, others, ignore_id=ignore_id)
    if not clashes:
        return Placement(start, end)
    if trim is Trim.END and all(c.start > start for c in clashes):
        return Placement(start, min(c.start for c in clashes), tuple(clashes))
    if trim is Trim.START and all(c.end < end for c in clashes):
        return Placement(max(c.end for c in clashes), end, tuple(clashes))
    raise OverlapRefused(clashes)
