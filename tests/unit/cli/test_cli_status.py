"""`sec-desktop status`: the running app's state, or with none running the questions it left
open, as text or as JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sec_desktop.reminders.prompts import PromptSlot, SlotKind
from sec_desktop.reminders.questions import questions_path, save_questions
from tests.unit.cli.conftest import Runner


def test_status_without_the_app_lists_the_questions_it_left_open(
    cli: Runner, isolated_dirs: dict[str, Path]
) -> None:
    away = PromptSlot(
        datetime(2026, 11, 23, 9, 35, tzinfo=UTC),
        datetime(2026, 11, 23, 9, 48, tzinfo=UTC),
        SlotKind.AWAY,
        datetime(2026, 11, 23, 9, 48, tzinfo=UTC),
    )
    save_questions(questions_path(isolated_dirs["config"]), [away])
    text = cli("status")
    assert text.code == 1
    assert text.out.splitlines() == [
        "SEC Desktop is not running.",
        "Open questions: 1",
        "  10:35\u201310:48  (13 min)  away, not answered",
    ]
    as_json = cli("status", "--format", "json")
    doc = json.loads(as_json.out)
    assert doc["running"] is False
    assert doc["questions"] == [
        {
            "kind": "away",
            "start": "2026-11-23T09:35:00+00:00",
            "end": "2026-11-23T09:48:00+00:00",
            "minutes": 13.0,
        }
    ]


def test_report_counts_away_time_not_answered_yet(
    cli: Runner, isolated_dirs: dict[str, Path]
) -> None:
    # Monday 23 Nov, 10:00-11:30 in Berlin away; 10:00-10:30 logged from the command line since.
    away = PromptSlot(
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 10, 30, tzinfo=UTC),
        SlotKind.AWAY,
        datetime(2026, 11, 23, 10, 30, tzinfo=UTC),
    )
    save_questions(questions_path(isolated_dirs["config"]), [away])
    logged = cli("log", "okr", "--start", "2026-11-23 10:00", "--end", "2026-11-23 10:30")
    assert logged.code == 0, logged.err
    doc = json.loads(cli("report", "--period", "today", "--format", "json").out)
    assert doc["coverage"]["away_not_answered_minutes"] == 60.0
    table = cli("report", "--period", "today").out
    assert "1 h 00 min of working time you were away and have not answered yet" in table
