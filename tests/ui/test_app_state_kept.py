"""What the application keeps from one choice to the next: the career stage chosen at
orientation opens the dashboard, start at login is the real autostart entry, a snooze or a
pause outlives a restart, and the tray says which of them is on."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from sec_desktop import APP_ID
from sec_desktop.framework import Level
from sec_desktop.reminders import Disposition, SlotAnswer
from sec_desktop.settings import load_settings, save_settings
from sec_desktop.ui.app import AppOptions, SecDesktopApp
from sec_desktop.ui.dashboard import DashboardWindow
from sec_desktop.ui.dialogs.orientation import FirstRunDialog
from sec_desktop.ui.picker.timer_chooser import TimerChooser
from sec_desktop.ui.startup import configure_logging
from tests.helpers.clocks import FakeClock
from tests.helpers.ids import INCIDENT, OKR

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def clock() -> FakeClock:
    # Monday 23 Nov 2026, 10:00 in Berlin: inside the default working hours.
    return FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


def make_app(
    dirs: dict[str, Path], clock: FakeClock, *, first_run_done: bool = True
) -> SecDesktopApp:
    config = dirs["config"]
    if first_run_done:
        save_settings(config, load_settings(config).settings.replace(first_run_done=True))
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    options = AppOptions(data_dir=dirs["data"], config_dir=config, tz=BERLIN, tray_wait_s=0.2)
    application = SecDesktopApp(qapp, options, clock=clock, monotonic=clock.monotonic)
    application.start()
    return application


@pytest.fixture
def apps(qtbot, isolated_dirs: dict[str, Path], clock: FakeClock) -> Iterator[list[SecDesktopApp]]:
    """Apps made in a test, shut down at its end (a restart makes a second one)."""
    made: list[SecDesktopApp] = []
    yield made
    for application in made:
        application.shutdown()


def test_the_stage_chosen_at_orientation_opens_the_dashboard(
    qtbot, apps, isolated_dirs, clock
) -> None:
    app = make_app(isolated_dirs, clock, first_run_done=False)
    apps.append(app)
    qtbot.waitUntil(lambda: app.windows.get("orientation") is not None)
    dialog = app.windows.get("orientation")
    assert isinstance(dialog, FirstRunDialog)
    dialog.profile_buttons["early-stage"].setChecked(True)
    dialog.login_box.setChecked(True)
    dialog.finish()
    assert app.settings.benchmark_profile == "early-stage"
    assert load_settings(isolated_dirs["config"]).settings.benchmark_profile == "early-stage"
    desktop_file = Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / f"{APP_ID}.desktop"
    assert desktop_file.is_file()

    app.open_dashboard()
    dashboard = app.windows.get("dashboard")
    assert isinstance(dashboard, DashboardWindow)
    assert dashboard.profile_id == "early-stage"
    assert dashboard.profile.label == "Early stage"
    dashboard.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dashboard) or not dashboard.isVisible())


# The tray tells the truth ----------------------------------------------------------------------


def test_off_work_until_tomorrow_is_not_called_a_snooze(qtbot, apps, isolated_dirs, clock) -> None:
    app = make_app(isolated_dirs, clock)
    apps.append(app)
    app.snooze(None)  # Snooze > Until tomorrow: off work for the day
    tooltip = app.tray.tooltip
    assert "Off work: no prompts until tomorrow 09:00" in tooltip
    assert "Snoozed" not in tooltip
    app.tray.menu.aboutToShow.emit()
    items = [a.text().replace("&", "") for a in app.tray.menu.actions()]
    assert "Off work: no prompts until tomorrow 09:00" in items
    assert "Resume prompts" in items
    app.resume_prompts()
    assert "Next prompt 10:30" in app.tray.tooltip.splitlines()


def test_after_an_off_work_answer_the_tray_no_longer_says_snoozed(
    qtbot, apps, isolated_dirs, clock
) -> None:
    app = make_app(isolated_dirs, clock)
    apps.append(app)
    clock.advance(minutes=30)
    with qtbot.waitSignal(app.driver.promptDue, timeout=2000):
        app.driver.tick()
    app.picker.snooze()  # Esc: ask again in 5 minutes
    assert "Snoozed until 10:35" in app.tray.tooltip
    clock.advance(minutes=2)
    with qtbot.waitSignal(app.driver.promptDue, timeout=2000) as due:
        app.log_now()  # answered before the snooze ends, as off work
    request = due.args[0]
    app.picker.answered.emit([SlotAnswer(s, Disposition.OFF_WORK) for s in request.slots])
    tooltip = app.tray.tooltip
    assert "Snoozed" not in tooltip
    assert "Next prompt 11:02" in tooltip.splitlines()
    assert app.tray_state().icon_state != "snoozed"


def test_the_last_entry_is_said_to_end_not_to_begin(qtbot, apps, isolated_dirs, clock) -> None:
    app = make_app(isolated_dirs, clock)
    apps.append(app)
    app.start_timer(OKR)
    clock.advance(minutes=24)
    app.stop_timer()
    clock.advance(minutes=5)
    app.tray.refresh()
    assert "Last: OKR management, until 10:24" in app.tray.tooltip
    assert "since" not in app.tray.tooltip


def test_a_snooze_survives_a_restart(qtbot, apps, isolated_dirs, clock) -> None:
    first = make_app(isolated_dirs, clock)
    apps.append(first)
    first.snooze(60)
    first.shutdown()
    clock.advance(minutes=10)
    second = make_app(isolated_dirs, clock)
    apps.append(second)
    assert second.driver.snoozed_until == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert "Snoozed until 11:00" in second.tray.tooltip
    assert second.tray_state().icon_state == "snoozed"
    second.resume_prompts()
    second.shutdown()
    third = make_app(isolated_dirs, clock)
    apps.append(third)
    assert third.driver.snoozed_until is None  # resumed, and that was kept too


def test_a_pause_survives_a_restart(qtbot, apps, isolated_dirs, clock) -> None:
    first = make_app(isolated_dirs, clock)
    apps.append(first)
    first.snooze(None)
    first.shutdown()
    second = make_app(isolated_dirs, clock)
    apps.append(second)
    assert second.driver.paused
    assert "Off work: no prompts until tomorrow 09:00" in second.tray.tooltip


def test_an_unreadable_snooze_file_is_reported_not_fatal(qtbot, apps, isolated_dirs, clock) -> None:
    config = isolated_dirs["config"]
    config.mkdir(parents=True, exist_ok=True)
    (config / "snooze.json").write_bytes(b"{oops")
    app = make_app(isolated_dirs, clock)
    apps.append(app)
    assert app.driver.snoozed_until is None
    assert any("snooze" in p for p in app.tray_state().notices)


# The timer: any activity, and how long it has run -------------------------------------------


def test_the_timer_chooser_searches_the_whole_framework(qtbot, apps, isolated_dirs, clock) -> None:
    app = make_app(isolated_dirs, clock)
    apps.append(app)
    usual = set(app.ranking.top(9))
    rare = next(n for n in app.framework.of_level(Level.ACTIVITY) if n.id not in usual)
    app.tray.menu.aboutToShow.emit()
    start = next(a for a in app.tray.menu.actions() if a.text() == "Start &timer...")
    start.trigger()
    chooser = app.windows.get("timer-chooser")
    assert isinstance(chooser, TimerChooser)
    assert chooser.search.hasFocus() or QApplication.focusWidget() in (None, chooser.search)
    qtbot.keyClicks(chooser.search, rare.label)
    assert chooser.choice_ids()[0] == rare.id
    qtbot.keyClick(chooser.search, Qt.Key.Key_Return)
    assert app.driver.timer is not None
    assert app.driver.timer.activity_id == rare.id
    qtbot.waitUntil(lambda: not shiboken6.isValid(chooser) or not chooser.isVisible())


def test_alt_digit_in_the_chooser_picks_a_digit_is_text_and_escape_starts_nothing(
    qtbot, apps, isolated_dirs, clock
) -> None:
    app = make_app(isolated_dirs, clock)
    apps.append(app)
    app.open_timer_chooser()
    chooser = app.windows.get("timer-chooser")
    assert isinstance(chooser, TimerChooser)
    qtbot.keyClick(chooser.search, Qt.Key.Key_Escape)
    assert app.driver.timer is None
    app.open_timer_chooser()
    chooser = app.windows.get("timer-chooser")
    assert isinstance(chooser, TimerChooser)
    qtbot.keyClicks(chooser.search, "1:1")
    assert app.driver.timer is None and chooser.search.text() == "1:1"
    chooser.search.clear()
    second = chooser.choices.numbered(2)
    qtbot.keyClick(chooser.search, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert app.driver.timer is not None and app.driver.timer.activity_id == second


def test_the_running_timer_shows_its_elapsed_time(qtbot, apps, isolated_dirs, clock) -> None:
    app = make_app(isolated_dirs, clock)
    apps.append(app)
    app.start_timer(INCIDENT)
    assert "On Incident response for 0 min (since 10:00)" in app.tray.tooltip
    clock.advance(minutes=72, seconds=30)
    # The tooltip and the menu move on each minute while a timer runs, without a reminder
    # tick (the menu is rebuilt then, never as it opens: a tray host would clip it).
    elapsed_tick = app.tray._elapsed_tick  # noqa: SLF001 - the minute refresh under test
    assert elapsed_tick.isActive() and elapsed_tick.interval() <= 60_000
    elapsed_tick.timeout.emit()
    assert "On Incident response for 1 h 12 min (since 10:00)" in app.tray.tooltip
    items = [a.text() for a in app.tray.menu.actions()]
    assert "On Incident response for 1 h 12 min (since 10:00)" in items
    app.stop_timer()
    assert not elapsed_tick.isActive()


def test_an_unanswered_absence_survives_a_restart_and_is_asked_again(
    qtbot, apps, isolated_dirs, clock
) -> None:
    first = make_app(isolated_dirs, clock)
    apps.append(first)
    first.driver.away_started("idle", since=clock.now)
    clock.advance(minutes=30)
    first.driver.away_ended()
    assert first.picker_visible()  # "You were away 10:00-10:30 (30 min): what was it?"
    first.picker.dismiss()  # closed without an answer
    assert "Away 10:00\u201310:30 (30 min) not answered" in first.tray.tooltip
    first.shutdown()

    clock.advance(minutes=5)
    second = make_app(isolated_dirs, clock)
    apps.append(second)
    (away,) = second.driver.planner.unanswered_away
    assert (away.start, away.end) == (
        datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
    )
    assert [q["kind"] for q in second.status()["questions"]] == ["away"]
    assert not second.picker_visible()  # not before the tray has settled...
    qtbot.waitUntil(second.picker_visible, timeout=10_000)  # ...then asked again
    second.picker.answered.emit([SlotAnswer(away, Disposition.TAGGED, OKR)])
    (entry,) = second.store.entries()
    assert (entry.start, entry.end, entry.activity) == (away.start, away.end, OKR)
    assert second.driver.planner.unanswered_away == ()
    second.shutdown()
    third = make_app(isolated_dirs, clock)
    apps.append(third)
    assert third.driver.planner.questions == ()  # answered, and that was kept too


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("existing_mode", [None, 0o644])
def test_the_log_file_is_private_even_under_umask_000(
    tmp_path: Path, existing_mode: int | None
) -> None:
    log_file = tmp_path / "logs" / "app.log"
    if existing_mode is not None:  # one an earlier version made readable to all
        log_file.parent.mkdir(mode=0o700)
        log_file.write_text("older lines\n")
        log_file.chmod(existing_mode)
    root = logging.getLogger()
    before = list(root.handlers)
    old_umask = os.umask(0)
    try:
        configure_logging(tmp_path, None)
    finally:
        os.umask(old_umask)
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    if existing_mode is not None:
        assert log_file.read_text() == "older lines\n"


def test_state_files_of_the_wrong_shape_are_named_and_the_app_starts(
    qtbot, apps, isolated_dirs, clock
) -> None:
    config, data = isolated_dirs["config"], isolated_dirs["data"]
    config.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    (config / "timer.json").write_text("[1, 2, 3]")
    (config / "snooze.json").write_text("[1, 2, 3]")
    (data / "aliases.json").write_text("[" * 100_000 + "]" * 100_000)
    app = make_app(isolated_dirs, clock)
    apps.append(app)
    notices = "\n".join(app.problems)
    assert str(config / "timer.json") in notices
    assert str(config / "snooze.json") in notices
    assert "aliases.json" in notices and "nested too deeply" in notices
    assert app.driver.timer is None and app.driver.snoozed_until is None
