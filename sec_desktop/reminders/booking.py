"""Turning answered prompts into entries without booking any minute twice.

A prompt's span may already be partly covered: the user logged a meeting from the CLI, or a
timer ran. Only the uncovered parts of each tagged span become entries, so the time a report
counts is never doubled and no existing entry is changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sec_desktop.reminders.prompts import Disposition, SlotAnswer
from sec_desktop.store import Entry

# Slivers shorter than this (clock skew between a CLI entry and a prompt) are not worth an
# entry of their own.
MIN_PIECE = timedelta(seconds=30)


def uncovered(
    start: datetime, end: datetime, covered: Iterable[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The parts of [start, end) that no span in `covered` touches (half-open spans)."""
    pieces: list[tuple[datetime, datetime]] = []
    cursor = start
    for c_start, c_end in sorted((s, e) for s, e in covered if s < end and e > start):
        if c_start > cursor:
            pieces.append((cursor, c_start))
        cursor = max(cursor, c_end)
        if cursor >= end:
            break
    if cursor < end:
        pieces.append((cursor, end))
    return [(s, e) for s, e in pieces if e - s >= MIN_PIECE]


def entries_for_answers(
    answers: Sequence[SlotAnswer],
    existing: Iterable[Entry],
    *,
    tz: str,
    device: str,
    now: datetime,
) -> list[Entry]:
    """New entries for the tagged answers, leaving out time existing entries already cover.

    Away and off-work answers produce nothing: that time is never booked as work.
    """
    covered = [(e.start, e.end) for e in existing if not e.is_deleted]
    made: list[Entry] = []
    for answer in answers:
        if answer.disposition is not Disposition.TAGGED or answer.activity_id is None:
            continue
        for start, end in uncovered(answer.slot.start, answer.slot.end, covered):
            entry = Entry.new(
                start=start,
                end=end,
                tz=tz,
                activity=answer.activity_id,
                source=answer.slot.kind.entry_source,
                device=device,
                note=answer.note,
                now=now,
            )
            made.append(entry)
            covered.append((start, end))  # a queue's slots never double-book each other
    return made
