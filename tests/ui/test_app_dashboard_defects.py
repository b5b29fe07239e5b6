"""Defects between the app and its dashboard and mindmap windows: the mindmap's "Log time to
it" books the node it was asked on, and the windows share the period and the profile."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from sec_desktop.reminders import Disposition, SlotAnswer
from sec_desktop.settings import load_settings
from sec_desktop.ui.app import SecDesktopApp
from sec_desktop.ui.mindmap.window import MindmapWindow
from tests.helpers.clocks import FakeClock
from tests.helpers.ids import INCIDENT, OKR
from tests.ui.test_app import clock, prompt, start_app

__all__ = ["clock"]  # the fixture, shared with test_app


@pytest.fixture
def app(qtbot, isolated_dirs: dict[str, Path], clock: FakeClock) -> Iterator[SecDesktopApp]:
    application = start_app(isolated_dirs, clock)
    yield application
    application.shutdown()


def _mindmap(app: SecDesktopApp) -> MindmapWindow:
    app.open_mindmap()
    window = app.windows.get("mindmap")
    assert isinstance(window, MindmapWindow)
    return window


def test_log_time_from_the_mindmap_books_the_node_not_the_last_answer(
    app: SecDesktopApp, qtbot, clock: FakeClock
) -> None:
    clock.advance(minutes=25)
    first = prompt(app, qtbot)
    app.picker.answered.emit([SlotAnswer(s, Disposition.TAGGED, OKR) for s in first.slots])
    clock.advance(minutes=40)

    mindmap = _mindmap(app).widget
    mindmap.show_entries(INCIDENT)
    with qtbot.waitSignal(app.driver.promptDue, timeout=2000) as asked:
        mindmap.panel_log_button.click()
    picker = app.picker
    assert picker.isVisible()
    for _slot in asked.args[0].slots:  # each slot of the queue, one Enter each
        assert picker.choice_ids()[0] == INCIDENT  # offered first, where Enter picks
        # Keys pressed as the picker opens are held back (on the real monotonic clock).
        qtbot.waitUntil(lambda: not picker._answers_held(time.monotonic()))  # noqa: SLF001
        qtbot.keyClick(picker._search, Qt.Key.Key_Return)  # noqa: SLF001 - the focused box
    qtbot.waitUntil(lambda: not picker.isVisible(), timeout=2000)
    qtbot.waitUntil(lambda: app.privacy is not None, timeout=15000)
    saved = app.store.entries(clock.now - timedelta(minutes=40), clock.now)
    assert saved
    assert {e.activity for e in saved} == {INCIDENT}


def test_the_chosen_activity_lasts_one_picker(app: SecDesktopApp, qtbot, clock: FakeClock) -> None:
    """Closed without an answer, the next ordinary prompt offers the last answer again."""
    clock.advance(minutes=25)
    first = prompt(app, qtbot)
    app.picker.answered.emit([SlotAnswer(s, Disposition.TAGGED, OKR) for s in first.slots])
    clock.advance(minutes=40)
    mindmap = _mindmap(app).widget
    with qtbot.waitSignal(app.driver.promptDue, timeout=2000):
        mindmap.logTimeRequested.emit(INCIDENT)
    assert app.picker.choice_ids()[0] == INCIDENT
    app.picker.dismiss()
    clock.advance(minutes=5)
    prompt(app, qtbot)
    assert app.picker.choice_ids()[0] == OKR  # "same as before" again


def test_dashboard_and_mindmap_share_the_saved_period_and_profile(
    qtbot, isolated_dirs: dict[str, Path], clock: FakeClock
) -> None:
    from sec_desktop.ui.dashboard import DashboardWindow

    config = isolated_dirs["config"]
    app = start_app(isolated_dirs, clock, view_period="month", benchmark_profile="mature")
    try:
        app.open_dashboard()
        dashboard = app.windows.get("dashboard")
        assert isinstance(dashboard, DashboardWindow)
        mindmap = _mindmap(app).widget
        assert (dashboard.kind, dashboard.profile_id) == ("month", "mature")
        assert (mindmap.kind, mindmap.profile_id) == ("month", "mature")
        assert dashboard.period == mindmap.period

        mindmap.set_period_kind("quarter")  # picked in the mindmap...
        assert load_settings(config).settings.view_period == "quarter"
        assert dashboard.kind == "quarter"  # ...shown in the dashboard at once
        assert dashboard.period == mindmap.period

        dashboard.set_profile("early-stage")  # and the other way round
        assert load_settings(config).settings.benchmark_profile == "early-stage"
        assert mindmap.profile_id == "early-stage"

        dashboard.set_period_kind("this-week")
        assert load_settings(config).settings.view_period == "week"
        assert mindmap.kind == "week"
        dashboard.set_period_kind("last-week")  # a one-off look: not kept
        assert load_settings(config).settings.view_period == "week"
    finally:
        app.shutdown()

    again = start_app(isolated_dirs, clock)
    try:
        again.open_mindmap()
        reopened = again.windows.get("mindmap")
        assert isinstance(reopened, MindmapWindow)
        assert (reopened.widget.kind, reopened.widget.profile_id) == ("week", "early-stage")
    finally:
        again.shutdown()
