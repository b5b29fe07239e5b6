"""Which entries the Entries table shows: a search text and filters by node, source and dates.

A filter can also carry the time spans a number was computed over (an insight reads some
weeks, not the dashboard's period); then only the time inside them counts, as in the number.
Kept free of Qt so the rule behind "these entries make up that number" is plain code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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
        return self.matcher(framework, tz)(entry)

    def matcher(self, framework: Framework, tz: ZoneInfo) -> Callable[[Entry], bool]:
        """A test for many entries, with what it needs worked out once: the activities under
        the node, each activity's path, the instants the dates begin and end."""
        words = self.text.casefold().split()
        under = None if self.node_id is None else nodes_under(self.node_id, framework)
        lo = None if self.first is None else local_midnight(self.first, tz)
        hi = None if self.last is None else local_midnight(self.last + ONE_DAY, tz)
        paths: dict[str, str] = {}

        def path_of(activity: str) -> str:
            if activity not in paths:
                known = activity in framework
                paths[activity] = (framework.path_label(activity) if known else "").casefold()
            return paths[activity]

        def matches(entry: Entry) -> bool:
            if entry.is_deleted or (under is not None and entry.activity not in under):
                return False
            if self.source is not None and entry.source != self.source:
                return False
            if (lo is not None and entry.end <= lo) or (hi is not None and entry.start >= hi):
                return False
            if self.spans and not any(entry.overlaps(a, b) for a, b in self.spans):
                return False
            if not words:
                return True
            haystack = " \n".join(
                (path_of(entry.activity), entry.activity, entry.note or "", *entry.labels)
            ).casefold()
            return all(word in haystack for word in words)

        return matches


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant `day` begins in `tz` (entries are half-open: one ending then is before)."""
    return datetime.combine(day, time.min, tzinfo=tz)


def nodes_under(node_id: str, framework: Framework) -> frozenset[str]:
    """The ids whose time counts toward `node_id`: itself and everything below it."""
    found = {node_id}
    if node_id in framework:
        found.update(n.id for n in framework.walk() if under_node(n.id, node_id, framework))
    return frozenset(found)


def under_node(activity_id: str, node_id: str, framework: Framework) -> bool:
    """True when time on `activity_id` counts toward `node_id` (itself or an ancestor)."""
    if activity_id == node_id:
        return True
    if activity_id not in framework:
        return False
    return any(node.id == node_id for node in framework.ancestors(activity_id))


def counted_seconds(entries: Iterable[Entry], spans: Sequence[Span]) -> float:
    """The entries' time inside the spans, as the charts count it (clipped to each span)."""
    return sum(clipped_seconds(entry, lo, hi) for entry in entries for lo, hi in spans)
