"""The settings dialog: validation messages that name the field, Save only while valid, the
file and start at login applied on Save, nothing half-applied on failure, rendered at 100%
and 200% for people to look at."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from pytestqt.qtbot import QtBot

from sec_desktop import APP_ID
from sec_desktop.platform import autostart
from sec_desktop.settings import SPECS, Settings, load_settings, save_settings
from sec_desktop.ui.dialogs.settings import SettingsDialog

DEFAULT_DATA = Path("/home/cto/.local/share/sec-desktop")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config"


class Dialogs:
    """Makes dialogs and closes the ones still open at the end (they delete themselves on
    close, so qtbot.addWidget would close them twice)."""

    def __init__(self) -> None:
        self.made: list[SettingsDialog] = []

    def __call__(self, settings: Settings, config: Path, **kwargs: object) -> SettingsDialog:
        made = SettingsDialog(settings, config, **kwargs)  # type: ignore[arg-type]
        self.made.append(made)
        return made

    def close_all(self) -> None:
        for made in self.made:
            if shiboken6.isValid(made):
                made.close()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def dialogs(qapp: object) -> Iterator[Dialogs]:
    made = Dialogs()
    yield made
    made.close_all()


@pytest.fixture
def dialog(dialogs: Dialogs, config: Path, qtbot: QtBot) -> SettingsDialog:
    shown = dialogs(
        Settings(), config, default_data_dir=DEFAULT_DATA, launch_command=["sec-desktop"]
    )
    shown.show()
    qtbot.waitExposed(shown)
    return shown


def is_deleted(widget: QWidget) -> bool:
    """Whether `widget` was deleted once the pending deferred deletes have run."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return not shiboken6.isValid(widget)


def error_text(dialog: SettingsDialog, key: str) -> str | None:
    label = dialog.editor(key).error
    return label.text() if label.isVisible() else None


def test_valid_defaults_can_be_saved(dialog: SettingsDialog) -> None:
    assert dialog.problems == {}
    assert dialog.ok_button.isEnabled()
    assert dialog.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    assert not dialog.isModal()


def test_snooze_lengths_are_checked_as_typed(dialog: SettingsDialog, qtbot: QtBot) -> None:
    edit = dialog.editor("snooze_minutes").focus
    edit.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(edit, "5, 5")
    assert error_text(dialog, "snooze_minutes") == "Snooze lengths: has the same value twice."
    assert not dialog.ok_button.isEnabled()
    assert "has the same value twice" in edit.accessibleDescription()
    qtbot.keyClicks(edit, "0")
    assert error_text(dialog, "snooze_minutes") is None
    assert dialog.ok_button.isEnabled()
    edit.setText("5, soon")  # type: ignore[attr-defined]
    assert error_text(dialog, "snooze_minutes") == "Snooze lengths: 'soon' is not a number."
    edit.setText("1, 2, 3, 4")  # type: ignore[attr-defined]
    assert error_text(dialog, "snooze_minutes") == "Snooze lengths: needs 1 to 3 values."
    edit.setText("600")  # type: ignore[attr-defined]
    assert error_text(dialog, "snooze_minutes") == (
        "Snooze lengths: 600 is not between 1 and 480 minutes."
    )


def test_no_working_day(dialog: SettingsDialog) -> None:
    for box in dialog.weekday_boxes:
        box.setChecked(False)
    assert error_text(dialog, "work_days") == "Working days: pick at least one day."
    assert not dialog.ok_button.isEnabled()
    dialog.weekday_boxes[6].setChecked(True)
    assert dialog.ok_button.isEnabled()


def test_end_before_start(dialog: SettingsDialog) -> None:
    dialog.editor("work_end").write(time(8, 30))
    assert error_text(dialog, "work_end") == "End: must be after the start of the working day."
    assert error_text(dialog, "work_start") is None
    assert not dialog.ok_button.isEnabled()
    dialog.editor("work_start").write(time(7, 0))
    assert error_text(dialog, "work_end") is None
    assert dialog.ok_button.isEnabled()


def test_data_folder_must_be_an_absolute_folder(dialog: SettingsDialog, tmp_path: Path) -> None:
    edit = dialog.editor("data_dir").focus
    edit.setText("relative/folder")  # type: ignore[attr-defined]
    assert error_text(dialog, "data_dir") == (
        "Data folder: must be an absolute path, not 'relative/folder'."
    )
    a_file = tmp_path / "entries.csv"
    a_file.write_text("")
    edit.setText(str(a_file))  # type: ignore[attr-defined]
    assert f"Data folder: '{a_file}' is a file, not a folder." == error_text(dialog, "data_dir")
    edit.setText(str(tmp_path / "sync" / "sec"))  # type: ignore[attr-defined]
    assert error_text(dialog, "data_dir") is None
    edit.setText("")  # type: ignore[attr-defined]
    assert dialog.ok_button.isEnabled()


def test_only_the_settings_of_the_chosen_mode_are_enabled(dialog: SettingsDialog) -> None:
    interval = dialog.editor("interval_minutes").widget
    gap = dialog.editor("random_mean_gap_minutes").widget
    assert interval.isEnabled() and not gap.isEnabled()
    dialog.editor("prompt_mode").write("random")
    assert gap.isEnabled() and not interval.isEnabled()
    dialog.editor("prompt_mode").write("timer-only")
    assert interval.isEnabled() and not gap.isEnabled()


def test_save_writes_emits_and_closes(dialog: SettingsDialog, config: Path, qtbot: QtBot) -> None:
    dialog.editor("interval_minutes").write(20)
    dialog.editor("prompt_mode").write("random")
    dialog.editor("snooze_minutes").write((10, 30))
    with qtbot.waitSignal(dialog.settingsSaved, timeout=1000) as saved:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert is_deleted(dialog)
    (settings,) = saved.args
    assert settings == Settings(prompt_mode="random", interval_minutes=20, snooze_minutes=(10, 30))
    assert load_settings(config).settings == settings


def test_hidden_settings_are_kept(qtbot: QtBot, config: Path, dialogs: Dialogs) -> None:
    original = Settings(industry_preset="fintech", first_run_done=True, random_seed=42)
    dialog = dialogs(original, config)
    with qtbot.waitSignal(dialog.settingsSaved, timeout=1000) as saved:
        dialog.save()
    assert saved.args[0] == original


def test_cancel_saves_nothing(dialog: SettingsDialog, config: Path, qtbot: QtBot) -> None:
    dialog.editor("interval_minutes").write(20)
    emitted: list[object] = []
    dialog.settingsSaved.connect(emitted.append)
    dialog.reject()
    assert is_deleted(dialog)
    assert emitted == []
    assert not (config / "settings.json").exists()


def test_start_at_login_is_applied_on_save(qtbot: QtBot, config: Path, dialogs: Dialogs) -> None:
    desktop_file = Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / f"{APP_ID}.desktop"
    dialog = dialogs(Settings(), config, launch_command=["/opt/sec/sec-desktop"])
    dialog.editor("start_at_login").write(True)
    assert not desktop_file.exists()  # nothing happens before Save
    with qtbot.waitSignal(dialog.settingsSaved, timeout=1000) as saved:
        dialog.save()
    assert saved.args[0].start_at_login
    assert "Exec=/opt/sec/sec-desktop" in desktop_file.read_text()

    again = dialogs(saved.args[0], config)
    assert again.editor("start_at_login").read() is True
    again.editor("start_at_login").write(False)
    with qtbot.waitSignal(again.settingsSaved, timeout=1000):
        again.save()
    assert not desktop_file.exists()


def test_the_checkbox_shows_the_real_autostart_state(
    qtbot: QtBot, config: Path, dialogs: Dialogs
) -> None:
    autostart.enable(["sec-desktop"])
    dialog = dialogs(Settings(start_at_login=False), config)
    assert dialog.editor("start_at_login").read() is True


def test_autostart_failure_saves_nothing(
    dialog: SettingsDialog, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise autostart.AutostartError("could not turn on start at login in /x: Permission denied")

    monkeypatch.setattr(autostart, "set_enabled", refuse)
    dialog.editor("start_at_login").write(True)
    dialog.editor("interval_minutes").write(20)
    emitted: list[object] = []
    dialog.settingsSaved.connect(emitted.append)
    dialog.save()
    assert error_text(dialog, "start_at_login") == (
        "Start at login: could not turn on start at login in /x: Permission denied."
    )
    assert emitted == [] and dialog.isVisible()
    assert not (config / "settings.json").exists()


def test_unwritable_config_keeps_the_dialog_open(
    qtbot: QtBot, tmp_path: Path, dialogs: Dialogs
) -> None:
    blocked = tmp_path / "config-is-a-file"
    blocked.write_text("")
    dialog = dialogs(Settings(), blocked)
    dialog.show()
    dialog.save()
    message = dialog.findChild(QLabel, "error_save")
    assert message is not None and message.isVisible()
    assert message.text().startswith(f"The settings could not be saved in {blocked}:")
    assert dialog.isVisible()
    dialog.editor("interval_minutes").write(25)  # any edit clears the message
    assert not message.isVisible()


def test_restore_defaults(dialog: SettingsDialog) -> None:
    dialog.editor("interval_minutes").write(90)
    dialog.editor("snooze_minutes").focus.setText("oops")  # type: ignore[attr-defined]
    assert not dialog.ok_button.isEnabled()
    dialog.restore_defaults()
    assert dialog.editor("interval_minutes").read() == 30
    assert dialog.editor("snooze_minutes").read() == (5, 15, 60)
    assert dialog.ok_button.isEnabled()


def test_every_control_has_an_accessible_name(dialog: SettingsDialog) -> None:
    controls = [
        w
        for w in dialog.findChildren(QWidget)
        if w.focusPolicy() != Qt.FocusPolicy.NoFocus and w.isVisibleTo(dialog)
    ]
    assert len(controls) >= len([s for s in SPECS if s.shown])
    unnamed = [
        f"{type(w).__name__} {w.objectName()!r}"
        for w in controls
        if not w.accessibleName() and not (isinstance(w, QAbstractButton) and w.text())
    ]
    # Inner parts of compound editors (a spin box's line edit) take their parent's name.
    unnamed = [u for u in unnamed if "qt_spinbox_lineedit" not in u]
    assert unnamed == []
    for spec in SPECS:
        if spec.shown:
            label_for = [
                lbl
                for lbl in dialog.findChildren(QLabel)
                if lbl.buddy() is dialog.editor(spec.key).focus
            ]
            assert label_for, f"{spec.key} has no label pointing at it"


def test_nothing_is_clipped(dialog: SettingsDialog, artifacts_dir: Path, qtbot: QtBot) -> None:
    dialog.editor("snooze_minutes").focus.setText("5, 5")  # type: ignore[attr-defined]
    dialog.editor("work_end").write(time(8))
    dialog.adjustSize()
    qtbot.wait(0)
    for label in dialog.findChildren(QLabel):
        if label.isVisible() and label.wordWrap() and label.text():
            needed = label.heightForWidth(label.width())
            assert label.height() >= needed, f"{label.objectName()} is cut off"
    image = dialog.grab().toImage()
    path = artifacts_dir / "settings-dialog-100.png"
    assert image.save(str(path))
    assert image.width() >= 400 and image.height() >= 500


RENDER_AT_200 = """
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from sec_desktop.settings import Settings
from sec_desktop.ui.dialogs.settings import SettingsDialog
dialog = SettingsDialog(Settings(), Path(sys.argv[2]), default_data_dir=Path(sys.argv[3]))
dialog.show()
app.processEvents()
for label in dialog.findChildren(type(dialog.editor("interval_minutes").error)):
    if label.isVisible() and label.wordWrap() and label.text():
        assert label.height() >= label.heightForWidth(label.width()), label.objectName()
assert dialog.grab().save(sys.argv[1])
print(dialog.width(), dialog.height())
"""


def test_renders_at_200_percent(artifacts_dir: Path, tmp_path: Path) -> None:
    path = artifacts_dir / "settings-dialog-200.png"
    path.unlink(missing_ok=True)
    env = {**os.environ, "QT_SCALE_FACTOR": "2", "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", RENDER_AT_200, str(path), str(tmp_path / "c"), str(DEFAULT_DATA)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    width, height = (int(n) for n in done.stdout.split())
    image = QImage(str(path))
    assert (image.width(), image.height()) == (width * 2, height * 2)


def test_saved_settings_round_trip_through_the_dialog(
    qtbot: QtBot, config: Path, dialogs: Dialogs
) -> None:
    chosen = Settings(
        prompt_mode="timer-only",
        work_days=frozenset({1, 3}),
        work_start=time(7, 45),
        work_end=time(15, 15),
        snooze_minutes=(2, 240),
        idle_minutes=25,
        data_dir=config.parent / "data",
    )
    save_settings(config, chosen)
    dialog = dialogs(load_settings(config).settings, config)
    with qtbot.waitSignal(dialog.settingsSaved, timeout=1000) as saved:
        dialog.save()
    assert saved.args[0] == chosen


def test_idle_after_says_which_idle_source_is_live(config: Path, dialogs: Dialogs) -> None:
    from PySide6.QtWidgets import QLabel

    from sec_desktop.platform.idle import NO_IDLE_SENTENCE, idle_source_sentence

    live = dialogs(Settings(), config, idle_note=idle_source_sentence("Wayland org_kde_kwin_idle"))
    hint = live.findChild(QLabel, "help_idle_minutes")
    assert hint is not None
    assert hint.text().endswith("Idle: Wayland org_kde_kwin_idle.")
    none = dialogs(Settings(), config, idle_note=idle_source_sentence(None))
    hint = none.findChild(QLabel, "help_idle_minutes")
    assert hint is not None
    assert hint.text().endswith(NO_IDLE_SENTENCE)
