"""What the application keeps from one choice to the next: the career stage chosen at
orientation opens the dashboard, start at login is the real autostart entry, a snooze or a
pause outlives a restart, and the tray says which of them is on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication

from sec_desktop import APP_ID
from sec_desktop.settings import load_settings, save_settings
from sec_desktop.ui.app import AppOptions, SecDesktopApp
from sec_desktop.ui.dashboard import DashboardWindow
from sec_desktop.ui.dialogs.orientation import FirstRunDialog
from tests.helpers.clocks import FakeClock

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
