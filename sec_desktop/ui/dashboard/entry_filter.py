"""Which entries the Entries table shows: a search text and filters by node, source and dates.

A filter can also carry the time spans a number was computed over (an insight reads some
weeks, not the dashboard's period); then only the time inside them counts, as in the number.
Kept free of Qt so the rule behind "these entries make up that number" is plain code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sec_desktop.analytics.allocation import clipped_seconds
from sec_desktop.framework import Framework
from sec_desktop.store import Entry

Span = tuple[datetime, datetime]
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class EntryFilter:
    """All set parts must match; an empty filter shows every entry of the period.

    `node_id` matches entries tagged with the node or anything below it (how the charts add
    up time); `first`/`last` are local dates, inclusive (an entry with any time on them
    matches); `spans` (UTC, half-open) limit the
    entries to those overlapping them; `title` says where the filter came from ("Strategy
    in this week"), shown above the table.
    """

    text: str = ""
    node_id: str | None = None
    source: str | None = None
    first: date | None = None
    last: date | None = None
    spans: tuple[Span, ...] = ()
    title: str = ""

    @property
    def is_empty(self) -> bool:
        return (
            not self.text.strip()
            and self.node_id is None
            and self.source is None
            and self.first is None
            and self.last is None
            and not self.spans
        )

    def matches(self, entry: Entry, framework: Framework, tz: ZoneInfo) -> bool:
        words = self.text.casefold().split()
        return (
            not entry.is_deleted
            and (self.node_id is None or under_node(entry.activity, self.node_id, framework))
            and (self.source is None or entry.source == self.source)
            and (self.first is None or entry.end > local_midnight(self.first, tz))
            and (self.last is None or entry.start < local_midnight(self.last + ONE_DAY, tz))
            and (not self.spans or any(entry.overlaps(lo, hi) for lo, hi in self.spans))
            and (not words or all(w in search_text(entry, framework) for w in words))
        )


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant `day` begins in `tz` (entries are half-open: one ending then is before)."""
    return datetime.combine(day, time.min, tzinfo=tz)


def under_node(activity_id: str, node_id: str, framework: Framework) -> bool:
    """True when time on `activity_id` counts toward `node_id` (itself or an ancestor)."""
    if activity_id == node_id:
        return True
    if activity_id not in framework:
        return False
    return any(node.id == node_id for node in framework.ancestors(activity_id))


def search_text(entry: Entry, framework: Framework) -> str:
    """What the search box looks in: the activity's path and id, the note and the labels."""
    path = framework.path_label(entry.activity) if entry.activity in framework else ""
    parts = [path, entry.activity, entry.note or "", *entry.labels]
    return " \n".join(parts).casefold()


def counted_seconds(entries: Iterable[Entry], spans: Sequence[Span]) -> float:
    """The entries' time inside the spans, as the charts count it (clipped to each span)."""
    return sum(clipped_seconds(entry, lo, hi) for entry in entries for lo, hi in spans)
