"""Defects between the app and its dashboard and mindmap windows: the mindmap's "Log time to
it" books the node it was asked on, and the windows share the period and the profile."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from sec_desktop.reminders import Disposition, SlotAnswer
from sec_desktop.settings import load_settings, save_settings
from sec_desktop.ui.app import SecDesktopApp
from sec_desktop.ui.mindmap.window import MindmapWindow
from tests.helpers.clocks import FakeClock
from tests.helpers.entries import make_entry, save_entries
from tests.helpers.ids import INCIDENT, OKR, SECURITY
from tests.helpers.keyrings import MemoryKeyring, install
from tests.ui.test_app import BERLIN, clock, prompt, start_app

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


class GatedKeyring(MemoryKeyring):
    """A keychain that answers only once the test opens the gate (a slow unlock)."""

    def __init__(self, values: dict[tuple[str, str], str]) -> None:
        super().__init__()
        self.values = dict(values)
        self.gate = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.gate.wait(GATE_WAIT_S)
        return super().get_password(service, username)


GATE_WAIT_S = 8.0  # under the app's keychain timeout: the answer must still count


def test_notes_in_a_dashboard_opened_before_the_key_is_known_are_decrypted_once_it_is(
    qtbot, isolated_dirs: dict[str, Path], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication

    from sec_desktop.privacy.keychain import SecretStore
    from sec_desktop.privacy.notes import enable_encryption
    from sec_desktop.store import device_id
    from sec_desktop.ui.app import AppOptions
    from sec_desktop.ui.dashboard import DashboardWindow
    from sec_desktop.ui.dashboard.entries import COLUMNS

    data, config = isolated_dirs["data"], isolated_dirs["config"]
    device = device_id(config)
    hidden_note = "breach at a customer"
    (entry,) = save_entries(
        data,
        device,
        [make_entry(clock.now - timedelta(hours=2), 60, INCIDENT, device=device, note=hidden_note)],
    )
    keychain = install(monkeypatch, MemoryKeyring())
    enable_encryption(data, device, SecretStore(lock_dir=config))
    assert hidden_note.encode() not in b"".join(p.read_bytes() for p in data.rglob("*.json"))
    gated = install(monkeypatch, GatedKeyring(keychain.values))

    save_settings(config, load_settings(config).settings.replace(first_run_done=True))
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    options = AppOptions(
        data_dir=data, config_dir=config, tz=BERLIN, tray_wait_s=0.2, initial_command="dashboard"
    )
    app = SecDesktopApp(qapp, options, clock=clock, monotonic=clock.monotonic)
    try:
        app.start()  # as `sec-desktop dashboard` starts it
        qtbot.waitUntil(lambda: app.windows.get("dashboard") is not None, timeout=5000)
        dashboard = app.windows.get("dashboard")
        assert isinstance(dashboard, DashboardWindow)
        tab = dashboard.entries

        def note_shown() -> str:
            row = tab.proxy.row_of(entry.id)
            assert row is not None
            return str(tab.proxy.index(row, COLUMNS.index("Note")).data())

        assert app.privacy is None
        assert note_shown().startswith("[Encrypted note")  # the key is not known yet
        gated.gate.set()
        qtbot.waitUntil(lambda: app.privacy is not None, timeout=15000)
        qtbot.waitUntil(lambda: note_shown() == hidden_note, timeout=5000)
    finally:
        gated.gate.set()
        app.shutdown()


def test_a_mindmap_node_opens_the_dashboard_entries_behind_it(
    app: SecDesktopApp, qtbot, clock: FakeClock
) -> None:
    from sec_desktop.ui.dashboard import DashboardWindow

    booked = [
        make_entry(clock.now - timedelta(hours=3), 45, INCIDENT, device=app.device),
        make_entry(clock.now - timedelta(hours=2), 30, OKR, device=app.device),
    ]
    app.store.add_many(booked)
    mindmap = _mindmap(app).widget
    mindmap.refresh()
    mindmap.show_entries(SECURITY)
    mindmap.panel_table_button.click()
    dashboard = app.windows.get("dashboard")
    assert isinstance(dashboard, DashboardWindow)
    qtbot.waitUntil(lambda: dashboard.view is not None and dashboard.period == mindmap.period)
    tab = dashboard.entries
    assert dashboard.tabs.currentWidget() is tab
    assert tab.entry_filter.node_id == SECURITY
    qtbot.waitUntil(lambda: [e.id for e in tab.shown_entries()] == [booked[0].id])
    assert tab.counted_seconds() == 45 * 60
