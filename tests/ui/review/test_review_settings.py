"""The weekly review's moment in the settings: Monday 09:00 by default, off possible, kept in
the settings file, and in the dialog with the time greyed out while the review is off."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt

from sec_desktop.settings import Settings, SettingsError, load_settings, save_settings
from sec_desktop.ui.dialogs.settings import SettingsDialog


def test_default_round_trip_and_bad_values(tmp_path: Path) -> None:
    assert (Settings().review_day, Settings().review_time) == ("mon", time(9, 0))
    chosen = Settings(review_day="fri", review_time=time(16, 30))
    save_settings(tmp_path, chosen)
    doc = (tmp_path / "settings.json").read_text()
    assert '"review_day": "fri"' in doc and '"review_time": "16:30"' in doc
    assert load_settings(tmp_path).settings == chosen
    with pytest.raises(SettingsError, match=r"^Weekly review: must be one of 'off', 'mon'"):
        Settings(review_day="monday")


@pytest.fixture
def dialog(qapp: object, tmp_path: Path) -> Iterator[SettingsDialog]:
    made = SettingsDialog(Settings(), tmp_path, default_data_dir=tmp_path / "data")
    yield made
    if shiboken6.isValid(made):
        made.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_dialog_edits_the_moment(dialog: SettingsDialog, qtbot, tmp_path: Path) -> None:
    day, at = dialog.editor("review_day"), dialog.editor("review_time")
    assert day.read() == "mon" and at.read() == time(9, 0)
    assert at.widget.isEnabled()
    assert day.widget.accessibleName() == "Weekly review"
    day.write("off")
    assert not at.widget.isEnabled()
    day.write("fri")
    at.write(time(16, 30))
    assert at.widget.isEnabled()
    dialog.show()
    out = Path(os.environ.get("SEC_REVIEW_SHOTS", tmp_path)) / "settings-review.png"
    assert dialog.grab().save(str(out))
    with qtbot.waitSignal(dialog.settingsSaved, timeout=1000) as saved:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    (settings,) = saved.args
    assert (settings.review_day, settings.review_time) == ("fri", time(16, 30))
