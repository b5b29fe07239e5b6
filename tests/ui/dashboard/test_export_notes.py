"""The window's CSV and JSON exports leave notes out unless the user says to include them,
as `sec-desktop export` does without --include-notes, and otherwise write what it writes."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from sec_desktop.cli.main import main
from sec_desktop.store import EntryStore

from .conftest import NOW, TZ


@pytest.fixture
def month(make_window: Any, shown: Any) -> Any:
    window = make_window()
    shown(window, lambda: window.set_period_kind("month"))
    assert any(e.note for e in window.view.entries)
    return window


def _cli_export(window: Any, *options: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    first, last = window.period.first.isoformat(), window.period.last.isoformat()
    argv = ["--tz", TZ.key, "export", "--from", first, "--to", last, *options]
    code = main(argv, now=lambda: NOW, env=dict(os.environ), out=out, err=err)
    assert code == 0, err.getvalue()
    return out.getvalue()


def test_the_csv_matches_sec_desktop_export_with_and_without_notes(
    month: Any, tmp_path: Path
) -> None:
    plain = month.export_csv(tmp_path / "plain.csv").read_bytes().decode("utf-8")
    assert plain == _cli_export(month, "--format", "csv")
    assert "Weekly sync" not in plain
    noted = month.export_csv(tmp_path / "noted.csv", include_notes=True)
    text = noted.read_bytes().decode("utf-8")
    assert text == _cli_export(month, "--format", "csv", "--include-notes")
    assert "Weekly sync" in text


def test_the_json_entries_match_sec_desktop_export(month: Any, tmp_path: Path) -> None:
    doc = json.loads(month.export_json(tmp_path / "period.json").read_text(encoding="utf-8"))
    cli = json.loads(_cli_export(month, "--format", "json"))
    assert doc["entries"] == cli["entries"]
    assert all("note" not in entry or entry["note"] is None for entry in doc["entries"])


def _menu_action(window: Any, suffix: str) -> Any:
    from sec_desktop.ui.dashboard.export_actions import EXPORT_TEXTS

    menu = window.export_button.menu()
    return next(a for a in menu.actions() if a.text() == EXPORT_TEXTS[suffix])


@pytest.mark.parametrize(
    ("button", "with_notes"), [("Without notes", False), ("Include notes", True)]
)
def test_the_csv_export_asks_about_notes_with_without_as_default(
    month: Any, qtbot: Any, tmp_path: Path, button: str, with_notes: bool
) -> None:
    _menu_action(month, "csv").trigger()
    question = month.export_button.notes_question
    assert question is not None and question.isVisible()
    assert question.defaultButton().text() == "Without notes"
    noted = sum(1 for e in month.view.entries if e.note)
    assert question.text().startswith(f"{noted} entries have notes")
    chosen = next(b for b in question.buttons() if b.text() == button)
    chosen.click()
    dialog = month.export_button.file_dialog
    assert dialog is not None
    target = tmp_path / "entries.csv"
    dialog.fileSelected.emit(str(target))
    assert ("Weekly sync" in target.read_text(encoding="utf-8")) is with_notes
    dialog.reject()


def test_cancel_writes_nothing(month: Any, tmp_path: Path) -> None:
    _menu_action(month, "json").trigger()
    question = month.export_button.notes_question
    assert question is not None
    month.export_button.file_dialog = None
    question.button(QMessageBox.StandardButton.Cancel).click()
    assert month.export_button.file_dialog is None


def test_no_question_when_the_period_has_no_notes(
    make_window: Any, shown: Any, filled_store: EntryStore
) -> None:
    window = make_window()
    day = datetime(2026, 3, 14, tzinfo=UTC).date()  # a Saturday without entries
    shown(window, lambda: window.set_custom_range(day, day))
    window.export_button.notes_question = None
    _menu_action(window, "csv").trigger()
    assert window.export_button.notes_question is None
    assert window.export_button.file_dialog is not None
    window.export_button.file_dialog.reject()
