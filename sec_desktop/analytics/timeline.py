"""What the day timeline shows besides the entries: the gaps in the working hours and the away
spans still to answer, and the 5-minute grid edits snap to. No Qt.

A gap is working time that has already passed, that no entry covers and that is not an away
span waiting for its answer (those are shown, and booked, as away spans). Both are the spans
the dashboard's coverage counts as untracked, so a gap booked here raises the coverage by its
length.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sec_desktop.reminders.schedule import subtract_spans
from sec_desktop.store import Entry

Span = tuple[datetime, datetime]
SNAP = timedelta(minutes=5)
# Slivers shorter than this between back-to-back entries are rounding, not time to book.
MIN_GAP = timedelta(minutes=1)


@dataclass(frozen=True)
class OpenSpans:
    """The spans of a stretch of time that wait for an answer, each sorted by start."""

    gaps: list[Span]
    away: list[Span]


def merged(spans: Iterable[Span]) -> list[Span]:
    """The union of `spans` as sorted, disjoint spans (touching ones joined)."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
            continue
        out.append((start, end))
    return out


def tracked_seconds(entries: Iterable[Entry]) -> float:
    """The time the entries cover, each moment once (the union of their spans)."""
    return sum((e - s).total_seconds() for s, e in merged((x.start, x.end) for x in entries))


def open_spans(
    span: Span,
    entries: Sequence[Entry],
    working: Iterable[Span],
    unanswered_away: Iterable[Span],
    now: datetime,
) -> OpenSpans:
    """The gaps and the unanswered away spans within `span`, up to `now`.

    Away spans keep only their parts no entry covers (an answer may have booked some).
    """
    start, end = span[0], min(span[1], now)
    if end <= start:
        return OpenSpans([], [])
    booked = merged((e.start, e.end) for e in entries if not e.is_deleted)
    away = [
        piece
        for lo, hi in merged(unanswered_away)
        if hi > start and lo < end
        for piece in subtract_spans(max(lo, start), min(hi, end), booked)
        if piece[1] - piece[0] >= MIN_GAP
    ]
    taken = merged([*booked, *away])
    gaps = [
        piece
        for lo, hi in merged(working)
        if hi > start and lo < end
        for piece in subtract_spans(max(lo, start), min(hi, end), taken)
        if piece[1] - piece[0] >= MIN_GAP
    ]
    return OpenSpans(gaps, away)


def snapped(moment: datetime, step: timedelta = SNAP) -> datetime:
    """`moment` rounded to the nearest multiple of `step` (UTC; every zone's offset today is a
    whole number of 15 minutes, so the local clock shows the same round minutes)."""
    seconds = step.total_seconds()
    stamp = moment.timestamp()
    return datetime.fromtimestamp(round(stamp / seconds) * seconds, UTC)
