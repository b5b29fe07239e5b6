"""The Settings row of the global shortcut: the key editor reads and writes the setting,
refuses a key that can't be global, and where the app holds no shortcut it says why and
how to bind the prompt command in this desktop, with a Copy button."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from pytestqt.qtbot import QtBot

from sec_desktop.settings import Settings, load_settings
from sec_desktop.ui.dialogs.settings import SettingsDialog
from sec_desktop.ui.dialogs.shortcut_row import ShortcutRow, qt_sequence, sequence_text

SWAY_PROBLEM = "This desktop offers no GlobalShortcuts portal."


@pytest.fixture
def make_dialog(qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("SWAYSOCK", str(tmp_path / "sway.sock"))
    made: list[SettingsDialog] = []

    def make(settings: Settings, problem: str | None) -> SettingsDialog:
        dialog = SettingsDialog(settings, tmp_path / "config", shortcut_problem=problem)
        made.append(dialog)
        dialog.show()
        return dialog

    yield make
    for dialog in made:
        if shiboken6.isValid(dialog):
            dialog.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def row_of(dialog: SettingsDialog) -> ShortcutRow:
    row = dialog.editor("open_picker_shortcut").widget
    assert isinstance(row, ShortcutRow)
    return row


def test_qt_names_map_to_the_settings_names_both_ways() -> None:
    assert sequence_text(QKeySequence("Meta+Shift+T")) == "Shift+Super+T"
    assert sequence_text(qt_sequence("Ctrl+Alt+Space")) == "Ctrl+Alt+Space"
    assert sequence_text(qt_sequence("Shift+Super+T")) == "Shift+Super+T"
    assert sequence_text(qt_sequence("")) == ""


def test_the_editor_shows_the_default_and_saves_a_new_key(
    make_dialog: object, qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = make_dialog(Settings(), None)  # type: ignore[operator]
    row = row_of(dialog)
    assert row.text() == "Ctrl+Alt+Space"
    assert not row.steps.isVisibleTo(dialog)  # the app holds it: no binding steps
    row.edit.setFocus()
    qtbot.keyClick(
        row.edit, Qt.Key.Key_T, Qt.KeyboardModifier.MetaModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert row.text() == "Shift+Super+T"
    with qtbot.waitSignal(dialog.settingsSaved, timeout=1000) as saved:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].open_picker_shortcut == "Shift+Super+T"
    assert load_settings(tmp_path / "config").settings.open_picker_shortcut == "Shift+Super+T"


def test_a_key_that_cant_be_global_is_named_and_blocks_save(make_dialog: object) -> None:
    dialog = make_dialog(Settings(), None)  # type: ignore[operator]
    row_of(dialog).set_text("Ctrl+Left")
    dialog.validate()
    assert "Shortcut: 'Left' can't end a global shortcut" in dialog.problems["open_picker_shortcut"]
    assert not dialog.ok_button.isEnabled()


def test_cleared_means_no_shortcut(make_dialog: object, qtbot: QtBot) -> None:
    dialog = make_dialog(Settings(), None)  # type: ignore[operator]
    row_of(dialog).edit.clear()
    with qtbot.waitSignal(dialog.settingsSaved, timeout=1000) as saved:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].open_picker_shortcut == ""


def test_without_a_grab_it_says_why_and_how_to_bind_it_in_sway(
    make_dialog: object, qtbot: QtBot
) -> None:
    dialog = make_dialog(Settings(), SWAY_PROBLEM)  # type: ignore[operator]
    row = row_of(dialog)
    assert row.steps.isVisibleTo(dialog)
    assert row.steps.text().startswith(SWAY_PROBLEM)
    assert "bindsym Ctrl+Mod1+space exec sec-desktop prompt --keyboard" in row.steps.text()
    row.set_text("Super+Shift+T")
    assert "bindsym Shift+Mod4+t exec sec-desktop prompt --keyboard" in row.steps.text()
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(row.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "sec-desktop prompt --keyboard"
