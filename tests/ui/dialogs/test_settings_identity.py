"""The settings dialog edits your name and company as lines of text, checked as typed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from sec_desktop.settings import Settings, load_settings
from sec_desktop.ui.dialogs.settings import SettingsDialog


def test_name_and_company_are_edited_and_saved(qtbot: QtBot, tmp_path: Path) -> None:
    config = tmp_path / "config"
    dialog = SettingsDialog(
        Settings(user_name="Ana"),
        config,
        default_data_dir=tmp_path / "data",
        launch_command=["sec-desktop"],
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    name = dialog.editor("user_name")
    assert isinstance(name.widget, QLineEdit)
    assert name.widget.text() == "Ana"
    name.widget.setText("x" * 81)
    assert not dialog.validate()
    assert name.error.isVisible()
    assert "at most 80 fit" in name.error.text()
    name.widget.setText("Ana Müller")
    dialog.editor("company").widget.setText("Northwind Health")
    assert dialog.validate()
    dialog.save()
    saved = load_settings(config).settings
    assert (saved.user_name, saved.company) == ("Ana Müller", "Northwind Health")
