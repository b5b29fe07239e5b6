"""Entries of different devices that cover the same time: the same 45 minutes logged on two
devices before they synced counts as 90. Each device refuses an overlap when it books, but it
cannot see what another device books at the same time, so they are found after a sync."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sec_desktop.store.entry import Entry


@dataclass(frozen=True)
class Overlap:
    """Two live entries whose times overlap, saved last by different devices; `first`
    starts first (on a tie, the lower id)."""

    first: Entry
    second: Entry

    @property
    def shared(self) -> timedelta:
        """The time both count."""
        return min(self.first.end, self.second.end) - max(self.first.start, self.second.start)


def cross_device_overlaps(entries: Iterable[Entry]) -> list[Overlap]:
    """Every pair of live entries from different devices that overlap, by start time.

    A sweep over the entries sorted by start: each is compared only with those still open
    when it starts, so a year of entries costs about one pass.
    """
    live = sorted((e for e in entries if not e.is_deleted), key=lambda e: (e.start, e.id))
    found: list[Overlap] = []
    open_: list[Entry] = []
    for entry in live:
        open_ = [o for o in open_ if o.end > entry.start]
        found.extend(Overlap(o, entry) for o in open_ if o.device != entry.device)
        open_.append(entry)
    return found
