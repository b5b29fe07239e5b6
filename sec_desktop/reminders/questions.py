"""The questions not yet answered, kept in a file so that a restart, a crash or a reboot
loses none of them, and so that `status`, `report` and the dashboard can show them.

The tray app writes the file whenever its queue changes; everything else only reads it. A
file that can't be read is set aside under another name (never overwritten) and named in
the message, so that no question is lost to a bad write or a hand edit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from sec_desktop.reminders.booking import uncovered
from sec_desktop.reminders.prompts import PromptSlot, SlotKind
from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir, keep_aside

QUESTIONS_FILE = "questions.json"
FORMAT_VERSION = 1
# An unreadable file is kept as `questions.json.unreadable-<UTC time>`.
UNREADABLE_INFIX = ".unreadable-"
# A question older than this is about time nobody remembers; it is shown until then.
QUESTION_MEMORY = timedelta(days=14)


class QuestionsFileError(ValueError):
    """The questions file is not what this version writes; the message says where."""


@dataclass(frozen=True)
class LoadedQuestions:
    slots: list[PromptSlot]
    # A sentence for the user when the file could not be read (and was set aside).
    problem: str | None = None


def questions_path(config_dir: Path) -> Path:
    return config_dir / QUESTIONS_FILE


def dump_questions(slots: Iterable[PromptSlot]) -> bytes:
    return orjson.dumps(
        {
            "version": FORMAT_VERSION,
            "questions": [
                {
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "kind": s.kind.value,
                    "due": s.due.isoformat(),
                }
                for s in slots
            ],
        },
        option=orjson.OPT_INDENT_2,
    )


def _moment(item: dict[str, Any], key: str, where: str) -> datetime:
    raw = item.get(key)
    if not isinstance(raw, str):
        raise QuestionsFileError(f"{where}: {key!r} is missing or not a text")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise QuestionsFileError(f"{where}: {key!r} is not a date and time ({raw!r})") from exc
    if moment.tzinfo is None:
        raise QuestionsFileError(f"{where}: {key!r} has no UTC offset ({raw!r})")
    return moment.astimezone(UTC)


def parse_questions(data: bytes, source: str) -> list[PromptSlot]:
    """The slots in a questions file; QuestionsFileError naming `source` and the item."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise QuestionsFileError(f"{source} is not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("questions"), list):
        raise QuestionsFileError(f"{source} has no list of questions")
    if doc.get("version") != FORMAT_VERSION:
        raise QuestionsFileError(
            f"{source} is format version {doc.get('version')!r}; this version reads "
            f"{FORMAT_VERSION}"
        )
    slots: list[PromptSlot] = []
    for index, item in enumerate(doc["questions"], start=1):
        where = f"{source}, question {index}"
        if not isinstance(item, dict):
            raise QuestionsFileError(f"{where} is not an object")
        try:
            kind = SlotKind(str(item.get("kind")))
        except ValueError as exc:
            raise QuestionsFileError(f"{where}: unknown kind {item.get('kind')!r}") from exc
        start, end = _moment(item, "start", where), _moment(item, "end", where)
        if end <= start:
            raise QuestionsFileError(f"{where} ends at or before it starts")
        slots.append(PromptSlot(start, end, kind, _moment(item, "due", where)))
    return slots


def save_questions(path: Path, slots: Sequence[PromptSlot]) -> None:
    """Write the open questions atomically (an empty list too: all answered)."""
    ensure_private_dir(path.parent)
    atomic_write_bytes(path, dump_questions(slots))


def load_questions(path: Path, *, now: datetime) -> LoadedQuestions:
    """The open questions saved at `path`, without those past QUESTION_MEMORY.

    An unreadable file is renamed aside (`questions.json.unreadable-<UTC time>`) so the next
    save cannot overwrite it, and the problem says where it went.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return LoadedQuestions([])
    except OSError as exc:
        return LoadedQuestions([], f"The open questions in {path} could not be read ({exc}).")
    try:
        slots = parse_questions(data, str(path))
    except QuestionsFileError as exc:
        try:
            # A fresh name each time: an earlier kept copy is never replaced.
            aside = keep_aside(path, now, UNREADABLE_INFIX)
        except OSError:
            return LoadedQuestions([], f"{exc}. It was left in place.")
        return LoadedQuestions([], f"{exc}. It was kept as {aside.name}.")
    return LoadedQuestions([s for s in slots if s.end > now - QUESTION_MEMORY])


def still_open(
    slots: Iterable[PromptSlot], booked: Iterable[tuple[datetime, datetime]]
) -> list[PromptSlot]:
    """`slots` less what entries booked since (the user answered from the command line, say):
    a slot wholly booked is gone, one partly booked keeps its open pieces."""
    spans = list(booked)
    kept: list[PromptSlot] = []
    for slot in slots:
        pieces = uncovered(slot.start, slot.end, spans)
        if slot.kind is SlotKind.PING:
            # A ping is asked about its moment: open while that moment is.
            if any(s < slot.end <= e for s, e in pieces):
                kept.append(slot)
            continue
        if pieces == [(slot.start, slot.end)]:
            kept.append(slot)
        else:
            kept += [PromptSlot(s, e, slot.kind, slot.due) for s, e in pieces]
    return kept


def questions_json(slots: Iterable[PromptSlot]) -> list[dict[str, Any]]:
    """The open questions as `status --format json` lists them."""
    return [
        {
            "kind": s.kind.value,
            "start": s.start.isoformat(),
            "end": s.end.isoformat(),
            "minutes": round(s.span.total_seconds() / 60, 1),
        }
        for s in slots
    ]


def unanswered_away_spans(
    slots: Iterable[PromptSlot],
) -> list[tuple[datetime, datetime]]:
    return [(s.start, s.end) for s in slots if s.kind is SlotKind.AWAY]
