"""The first-run orientation: walked page by page it saves the chosen settings through the
settings layer and asks for a first prompt; Skip saves only that it was seen."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import orjson
import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt, QTime
from PySide6.QtWidgets import QApplication

from sec_desktop import APP_ID
from sec_desktop.framework import load_framework
from sec_desktop.platform import autostart
from sec_desktop.settings import defaults, load_settings, settings_path
from sec_desktop.ui.dialogs.orientation import FirstRunDialog, sec_in_three_sentences
from sec_desktop.ui.dialogs.settings import SettingsDialog


def _closed_at_end(shown: FirstRunDialog) -> Iterator[FirstRunDialog]:
    # The dialog deletes itself when it closes (WA_DeleteOnClose), so qtbot can't own it.
    yield shown
    if shiboken6.isValid(shown):
        shown.close()


@pytest.fixture
def dialog(qtbot, isolated_dirs: dict[str, Path]) -> Iterator[FirstRunDialog]:
    shown = FirstRunDialog(load_framework(), isolated_dirs["config"])
    shown.show()
    qtbot.waitExposed(shown)
    yield from _closed_at_end(shown)


def _click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    # Near the left edge: a radio button or check box only takes clicks on its indicator
    # and text, not on the empty rest of a wide row.
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


def test_sec_in_three_sentences_uses_the_frameworks_domains() -> None:
    sentences = sec_in_three_sentences(load_framework())
    assert len(sentences) == 3
    assert sentences[0].startswith(
        "SEC maps the work of a technology leader who is CTO, CIO and CISO at once into 3 domains: "
        "Strategy (forward-looking, visionary work and external positioning), Execution ("
    )
    assert "job description" in sentences[1] and "tagging system" in sentences[1]
    assert all(s.endswith(".") for s in sentences)


def test_walking_the_pages_saves_the_chosen_settings(
    qtbot, dialog, isolated_dirs, artifacts_dir
) -> None:
    assert dialog.pages.currentIndex() == 0
    assert not dialog.back_button.isEnabled()
    dialog.grab().save(str(artifacts_dir / "first-run-1-welcome.png"))
    _click(qtbot, dialog.next_button)

    assert dialog.pages.currentIndex() == 1
    assert list(dialog.preset_buttons) == ["", "healthcare", "fintech", "saas"]
    assert dialog.preset_buttons[""].isChecked()
    assert dialog.profile_buttons["default"].isChecked()
    _click(qtbot, dialog.preset_buttons["fintech"])
    _click(qtbot, dialog.profile_buttons["early-stage"])
    dialog.grab().save(str(artifacts_dir / "first-run-2-company.png"))
    _click(qtbot, dialog.next_button)

    assert dialog.pages.currentIndex() == 2
    dialog.start_edit.setTime(QTime(8, 30))
    dialog.end_edit.setTime(QTime(17, 15))
    _click(qtbot, dialog.day_boxes[4])  # no prompts on Fridays
    _click(qtbot, dialog.day_boxes[5])  # but on Saturdays
    dialog.grab().save(str(artifacts_dir / "first-run-3-hours.png"))
    _click(qtbot, dialog.next_button)

    assert dialog.pages.currentIndex() == 3
    assert dialog.next_button.text() == "&Finish"
    assert dialog.interval_radio.isChecked() and not dialog.gap_spin.isEnabled()
    _click(qtbot, dialog.random_radio)
    assert dialog.gap_spin.isEnabled() and not dialog.interval_spin.isEnabled()
    dialog.gap_spin.setValue(60)
    _click(qtbot, dialog.login_box)
    dialog.grab().save(str(artifacts_dir / "first-run-4-prompts.png"))

    with (
        qtbot.waitSignal(dialog.firstPromptRequested),
        qtbot.waitSignal(dialog.finished_with) as finished,
    ):
        _click(qtbot, dialog.next_button)
    saved = finished.args[0]

    loaded = load_settings(isolated_dirs["config"])
    assert loaded.problems == ()
    assert loaded.settings == saved
    expected = defaults().replace(
        industry_preset="fintech",
        benchmark_profile="early-stage",
        work_start=time(8, 30),
        work_end=time(17, 15),
        work_days=frozenset({0, 1, 2, 3, 5}),
        prompt_mode="random",
        random_mean_gap_minutes=60,
        start_at_login=True,
        first_run_done=True,
    )
    assert loaded.settings == expected
    stored = orjson.loads(settings_path(isolated_dirs["config"]).read_bytes())["settings"]
    assert stored["work_days"] == [0, 1, 2, 3, 5] and stored["work_start"] == "08:30"
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_skip_saves_only_that_the_orientation_was_seen(qtbot, dialog, isolated_dirs) -> None:
    _click(qtbot, dialog.next_button)
    _click(qtbot, dialog.preset_buttons["saas"])  # chosen, then skipped: not saved
    with qtbot.waitSignal(dialog.finished_with) as finished:
        _click(qtbot, dialog.skip_button)
    assert finished.args[0] == defaults().replace(first_run_done=True)
    assert load_settings(isolated_dirs["config"]).settings == defaults().replace(
        first_run_done=True
    )
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))  # closed and deleted


def test_skip_keeps_settings_the_user_already_had(qtbot, isolated_dirs) -> None:
    earlier = defaults().replace(interval_minutes=20, industry_preset="healthcare")
    shown = FirstRunDialog(load_framework(), isolated_dirs["config"], earlier)
    shown.show()
    assert shown.preset_buttons["healthcare"].isChecked()
    assert shown.interval_spin.value() == 20
    shown.skip()
    assert load_settings(isolated_dirs["config"]).settings == earlier.replace(first_run_done=True)


def test_a_refused_choice_is_named_and_nothing_is_saved(qtbot, dialog, isolated_dirs) -> None:
    dialog.go_to(2)
    dialog.end_edit.setTime(QTime(7, 0))  # before the 09:00 start
    dialog.go_to(3)
    with qtbot.assertNotEmitted(dialog.firstPromptRequested):
        _click(qtbot, dialog.next_button)
    assert dialog.pages.currentIndex() == 2  # back where the end is set
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == "End: must be after the start of the working day."
    assert not settings_path(isolated_dirs["config"]).exists()
    assert dialog.isVisible()

    for box in dialog.day_boxes:
        box.setChecked(False)
    dialog.end_edit.setTime(QTime(18, 0))
    dialog.finish()
    assert dialog.error_label.text() == "Working days: pick at least one day."
    assert not settings_path(isolated_dirs["config"]).exists()


def test_closing_the_window_counts_as_skip(qtbot, dialog, isolated_dirs) -> None:
    with qtbot.waitSignal(dialog.finished_with):
        dialog.close()
    assert load_settings(isolated_dirs["config"]).settings.first_run_done


# Enter goes forward; start at login is the real autostart entry -------------------------------


def _autostart_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / f"{APP_ID}.desktop"


def test_enter_goes_forward_and_finishes_not_skips(qtbot, dialog, isolated_dirs) -> None:
    qtbot.waitUntil(dialog.next_button.hasFocus)
    assert not dialog.skip_button.hasFocus()
    assert dialog.next_button.isDefault() and not dialog.skip_button.autoDefault()
    for page in (1, 2, 3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        assert dialog.pages.currentIndex() == page
        assert dialog.next_button.hasFocus()
    assert not settings_path(isolated_dirs["config"]).exists()  # not skipped on the way
    with qtbot.waitSignal(dialog.firstPromptRequested):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert load_settings(isolated_dirs["config"]).settings == defaults().replace(
        first_run_done=True
    )


def test_skip_is_still_reached_from_the_keyboard(qtbot, dialog, isolated_dirs) -> None:
    with qtbot.waitSignal(dialog.finished_with):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    assert load_settings(isolated_dirs["config"]).settings.first_run_done


def test_start_at_login_writes_the_autostart_entry_settings_then_shows(
    qtbot, dialog, isolated_dirs
) -> None:
    dialog.go_to(3)
    assert not dialog.login_box.isChecked()
    _click(qtbot, dialog.login_box)
    with qtbot.waitSignal(dialog.finished_with):
        dialog.finish()
    assert "Exec=" in _autostart_file().read_text()
    # The settings dialog reads the entry itself, so it now shows start at login on.
    saved = load_settings(isolated_dirs["config"]).settings
    settings_dialog = SettingsDialog(saved, isolated_dirs["config"])
    try:
        assert settings_dialog.editor("start_at_login").read() is True
    finally:
        settings_dialog.close()


def test_turning_start_at_login_off_removes_the_entry(qtbot, isolated_dirs) -> None:
    autostart.enable(["sec-desktop"])
    shown = FirstRunDialog(load_framework(), isolated_dirs["config"])
    shown.show()
    assert shown.login_box.isChecked()  # the real state, though the setting says off
    shown.login_box.setChecked(False)
    shown.finish()
    assert not _autostart_file().exists()
    assert not load_settings(isolated_dirs["config"]).settings.start_at_login


def test_an_autostart_failure_is_shown_and_nothing_is_saved(
    qtbot, dialog, isolated_dirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise autostart.AutostartError("could not turn on start at login in /x: Permission denied")

    monkeypatch.setattr(autostart, "set_enabled", refuse)
    dialog.login_box.setChecked(True)
    with qtbot.assertNotEmitted(dialog.finished_with):
        dialog.finish()
    assert dialog.pages.currentIndex() == 3
    assert dialog.error_label.text() == (
        "Start at login: could not turn on start at login in /x: Permission denied."
    )
    assert not settings_path(isolated_dirs["config"]).exists()
