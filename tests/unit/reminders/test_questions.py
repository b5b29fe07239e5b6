"""The open-questions file: round trip, questions booked meanwhile, and a bad file set aside
with a message that names it, never overwritten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sec_desktop.reminders.prompts import PromptSlot, SlotKind
from sec_desktop.reminders.questions import (
    QUESTION_MEMORY,
    QuestionsFileError,
    dump_questions,
    load_questions,
    parse_questions,
    save_questions,
    still_open,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def span(start_min: int, end_min: int, kind: SlotKind = SlotKind.AWAY) -> PromptSlot:
    base = NOW - timedelta(hours=2)
    return PromptSlot(
        base + timedelta(minutes=start_min), base + timedelta(minutes=end_min), kind, NOW
    )


def test_round_trip(tmp_path: Path) -> None:
    slots = [span(0, 30, SlotKind.INTERVAL), span(30, 75), span(80, 90, SlotKind.PING)]
    path = tmp_path / "questions.json"
    save_questions(path, slots)
    assert load_questions(path, now=NOW).slots == slots
    save_questions(path, [])
    assert load_questions(path, now=NOW).slots == []


def test_a_missing_file_is_no_question(tmp_path: Path) -> None:
    loaded = load_questions(tmp_path / "questions.json", now=NOW)
    assert loaded.slots == [] and loaded.problem is None


def test_questions_past_their_memory_are_let_go(tmp_path: Path) -> None:
    old = PromptSlot(
        NOW - QUESTION_MEMORY - timedelta(hours=1),
        NOW - QUESTION_MEMORY - timedelta(minutes=1),
        SlotKind.AWAY,
        NOW - QUESTION_MEMORY,
    )
    path = tmp_path / "questions.json"
    save_questions(path, [old, span(0, 30)])
    assert load_questions(path, now=NOW).slots == [span(0, 30)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"{not json", "is not valid JSON"),
        (b'{"version": 1}', "has no list of questions"),
        (b'{"version": 9, "questions": []}', "format version 9"),
        (
            b'{"version": 1, "questions": [{"kind": "nap", "start": "", "end": "", "due": ""}]}',
            "question 1: unknown kind 'nap'",
        ),
        (
            b'{"version": 1, "questions": [{"kind": "away", "start": "2026-11-23T10:00:00",'
            b' "end": "2026-11-23T11:00:00+00:00", "due": "2026-11-23T11:00:00+00:00"}]}',
            "question 1: 'start' has no UTC offset",
        ),
        (
            b'{"version": 1, "questions": [{"kind": "away", "start": "2026-11-23T12:00:00+00:00",'
            b' "end": "2026-11-23T11:00:00+00:00", "due": "2026-11-23T11:00:00+00:00"}]}',
            "question 1 ends at or before it starts",
        ),
    ],
)
def test_a_bad_file_is_named_and_set_aside(tmp_path: Path, text: bytes, message: str) -> None:
    path = tmp_path / "questions.json"
    path.write_bytes(text)
    with pytest.raises(QuestionsFileError, match=message):
        parse_questions(text, str(path))
    loaded = load_questions(path, now=NOW)
    assert loaded.slots == []
    assert loaded.problem is not None and str(path) in loaded.problem
    (aside,) = tmp_path.glob("questions.json.unreadable-*")
    assert aside.read_bytes() == text  # kept byte for byte
    assert aside.name in loaded.problem
    assert not path.exists()  # the next save cannot overwrite it


def test_booked_time_closes_questions() -> None:
    away = span(0, 60)
    ping = span(60, 90, SlotKind.PING)
    booked = [(away.start, away.start + timedelta(minutes=20))]
    # The first 20 minutes were logged from the command line: 40 are still open.
    assert still_open([away, ping], booked) == [
        PromptSlot(away.start + timedelta(minutes=20), away.end, SlotKind.AWAY, away.due),
        ping,
    ]
    assert still_open([away, ping], [(away.start, ping.end)]) == []


def test_the_file_is_readable_json() -> None:
    text = dump_questions([span(0, 30)]).decode()
    assert '"kind": "away"' in text and '"version": 1' in text


def test_a_second_bad_file_in_the_same_second_keeps_the_first(tmp_path: Path) -> None:
    path = tmp_path / "questions.json"
    for text in (b"not json", b"[still not questions]"):
        path.write_bytes(text)
        assert load_questions(path, now=NOW).problem is not None
    kept = sorted(p.read_bytes() for p in tmp_path.glob("questions.json.unreadable-*"))
    assert kept == [b"[still not questions]", b"not json"]
