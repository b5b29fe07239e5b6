"""The application object wires tray, driver, picker and store: answers become entries, a
timer books its time, settings apply at once, and quitting cleans up."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest
from PySide6.QtWidgets import QApplication

from sec_desktop.platform.ipc_commands import COMMANDS
from sec_desktop.reminders import Disposition, PromptRequest, SlotAnswer
from sec_desktop.settings import load_settings, save_settings
from sec_desktop.store.entry import MAX_ENTRY_SPAN
from sec_desktop.ui.app import AppOptions, SecDesktopApp
from tests.helpers.clocks import FakeClock
from tests.helpers.ids import INCIDENT, OKR

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def clock() -> FakeClock:
    # Monday 23 Nov 2026, 10:00 in Berlin: inside the default working hours.
    return FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


def start_app(dirs: dict[str, Path], clock: FakeClock, **saved: object) -> SecDesktopApp:
    """The app started on `dirs`, past the orientation, with `saved` settings on disk."""
    config = dirs["config"]
    save_settings(config, load_settings(config).settings.replace(first_run_done=True, **saved))
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    options = AppOptions(data_dir=dirs["data"], config_dir=config, tz=BERLIN, tray_wait_s=0.2)
    application = SecDesktopApp(qapp, options, clock=clock, monotonic=clock.monotonic)
    application.start()
    return application


@pytest.fixture
def app(qtbot, isolated_dirs: dict[str, Path], clock: FakeClock) -> Iterator[SecDesktopApp]:
    application = start_app(isolated_dirs, clock)
    yield application
    application.shutdown()


def prompt(app: SecDesktopApp, qtbot) -> PromptRequest:
    with qtbot.waitSignal(app.driver.promptDue, timeout=2000) as blocker:
        app.log_now()
    request = blocker.args[0]
    assert isinstance(request, PromptRequest)
    return request


def test_an_answer_becomes_an_entry(app: SecDesktopApp, qtbot, clock: FakeClock) -> None:
    clock.advance(minutes=25)
    request = prompt(app, qtbot)
    assert app.picker.isVisible()
    answers = [SlotAnswer(s, Disposition.TAGGED, OKR, note="q1 okrs") for s in request.slots]
    # Answered at once, before the keychain check is done: the answer waits for the key.
    app.picker.answered.emit(answers)
    qtbot.waitUntil(lambda: app.privacy is not None, timeout=15000)
    saved = app.store.entries(clock.now - timedelta(hours=2), clock.now)
    assert [(e.activity, e.source, e.note) for e in saved] == [(OKR, "manual", "q1 okrs")]
    assert saved[0].end == request.slots[-1].end
    assert app.tray_state().current_label == "OKR management"


def test_away_answers_book_nothing(app: SecDesktopApp, qtbot, clock: FakeClock) -> None:
    clock.advance(minutes=25)
    request = prompt(app, qtbot)
    app.picker.answered.emit([SlotAnswer(s, Disposition.AWAY) for s in request.slots])
    assert app.store.entries(clock.now - timedelta(hours=2), clock.now) == []


def test_timer_books_its_time_and_survives_a_restart(
    app: SecDesktopApp, qtbot, clock: FakeClock, isolated_dirs: dict[str, Path]
) -> None:
    app.start_timer(INCIDENT)
    state = app.tray_state()
    assert state.timer_label == "Incident response"
    assert state.icon_state == "timer"
    saved = orjson.loads((isolated_dirs["config"] / "timer.json").read_bytes())
    assert saved["activity"] == INCIDENT
    clock.advance(minutes=40)
    app.stop_timer()
    entries = app.store.entries(clock.now - timedelta(hours=2), clock.now)
    incident = [e for e in entries if e.activity == INCIDENT]
    assert [(e.source, e.end - e.start) for e in incident] == [("timer", timedelta(minutes=40))]
    assert app.driver.timer is None
    assert orjson.loads((isolated_dirs["config"] / "timer.json").read_bytes()) == {"activity": None}


def test_a_timer_that_ran_longer_than_an_entry_may_is_booked_in_pieces_and_stopped(
    app: SecDesktopApp, clock: FakeClock, isolated_dirs: dict[str, Path], monkeypatch
) -> None:
    notices: list[tuple[str, str]] = []
    monkeypatch.setattr(app.tray, "notify", lambda title, text: notices.append((title, text)))
    since = clock.now
    app.start_timer(INCIDENT)
    clock.advance(days=40)
    app.stop_timer()
    booked = [e for e in app.store.entries() if e.activity == INCIDENT]
    assert booked[0].start == since and booked[-1].end == clock.now
    assert all(e.end - e.start <= MAX_ENTRY_SPAN for e in booked)
    assert all(a.end == b.start for a, b in itertools.pairwise(booked))
    assert {e.source for e in booked} == {"timer"}
    assert app.driver.timer is None
    assert orjson.loads((isolated_dirs["config"] / "timer.json").read_bytes()) == {"activity": None}
    ((title, text),) = notices
    assert "timer" in title
    assert "40 days" in text and f"{len(booked)} pieces" in text, text


def test_a_running_timer_is_restored(
    qtbot, isolated_dirs: dict[str, Path], clock: FakeClock
) -> None:
    config = isolated_dirs["config"]
    config.mkdir(parents=True)
    since = clock.now - timedelta(minutes=30)
    (config / "timer.json").write_bytes(
        orjson.dumps({"activity": INCIDENT, "since": since.isoformat()})
    )
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    options = AppOptions(isolated_dirs["data"], config, BERLIN, tray_wait_s=0.2)
    app = SecDesktopApp(qapp, options, clock=clock, monotonic=clock.monotonic)
    try:
        assert app.driver.timer is not None
        assert app.driver.timer.activity_id == INCIDENT
        assert app.driver.timer.since == since
    finally:
        app.shutdown()


def test_a_corrupt_timer_file_is_reported_not_fatal(
    qtbot, isolated_dirs: dict[str, Path], clock: FakeClock
) -> None:
    config = isolated_dirs["config"]
    config.mkdir(parents=True)
    (config / "timer.json").write_bytes(b"{not json")
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    options = AppOptions(isolated_dirs["data"], config, BERLIN, tray_wait_s=0.2)
    app = SecDesktopApp(qapp, options, clock=clock, monotonic=clock.monotonic)
    try:
        assert app.driver.timer is None
        assert any("timer" in p for p in app.problems)
        assert any("timer" in n for n in app.tray_state().notices)
    finally:
        app.shutdown()


def test_snooze_from_the_tray_and_resume(app: SecDesktopApp, clock: FakeClock) -> None:
    app.snooze(60)  # past the prompt due at 10:30, so it holds that one
    assert app.driver.snoozed_until == clock.now + timedelta(minutes=60)
    assert app.tray_state().icon_state == "snoozed"
    app.driver.resume()
    assert app.driver.snoozed_until is None


def test_settings_apply_without_restart(app: SecDesktopApp, isolated_dirs: dict[str, Path]) -> None:
    current = load_settings(isolated_dirs["config"]).settings
    changed = type(current)(**{**current.__dict__, "interval_minutes": 45})
    app.apply_settings(changed)
    assert app.driver.settings.interval_minutes == 45


def test_a_saved_industry_preset_changes_and_clears_without_restart(
    qtbot, isolated_dirs: dict[str, Path], clock: FakeClock
) -> None:
    app = start_app(isolated_dirs, clock, industry_preset="fintech")
    try:
        assert app.framework.active_preset == "fintech"
        app.apply_settings(replace(app.settings, industry_preset="healthcare"))
        assert app.framework.active_preset == "healthcare"
        app.apply_settings(replace(app.settings, industry_preset=None))
        assert app.framework.active_preset is None
        assert app.picker.framework is app.framework
    finally:
        app.shutdown()


def test_status_and_requests(app: SecDesktopApp, qtbot) -> None:
    status = app.status()
    assert status["tray"] in ("tray", "window", None)
    assert status["data_dir"].endswith("data")
    with qtbot.waitSignal(app.driver.promptDue, timeout=2000):
        app._on_request("prompt", {"command": "prompt"})  # noqa: SLF001 - the IPC entry point
    assert app.server.reply["ok"] is True
    assert app.server.reply["picker_visible"] is True


def test_every_request_has_one_handler(app: SecDesktopApp) -> None:
    assert set(app.request_handlers()) == {command.name for command in COMMANDS}


def test_shutdown_stops_everything(app: SecDesktopApp) -> None:
    app.shutdown()
    assert not app.driver.running
    assert app.tray.mode is None or not app.tray.icon.isVisible()
    app.shutdown()  # twice is harmless


def test_a_new_data_folder_applies_at_once(
    app: SecDesktopApp, qtbot, clock: FakeClock, tmp_path: Path
) -> None:
    current = app.settings
    target = tmp_path / "elsewhere"
    app.apply_settings(current.replace(data_dir=target))
    assert app.options.data_dir == target
    assert app.store.data_dir == target
    clock.advance(minutes=25)
    request = prompt(app, qtbot)
    qtbot.waitUntil(lambda: app.privacy is not None, timeout=15000)
    app.picker.answered.emit([SlotAnswer(s, Disposition.TAGGED, OKR) for s in request.slots])
    assert list((target / "entries").rglob("*.json"))


def test_a_pinned_data_folder_is_kept(
    qtbot, isolated_dirs: dict[str, Path], clock: FakeClock, tmp_path: Path
) -> None:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    options = AppOptions(
        isolated_dirs["data"], isolated_dirs["config"], BERLIN, tray_wait_s=0.2,
        data_dir_pinned=True,
    )  # fmt: skip
    app = SecDesktopApp(qapp, options, clock=clock, monotonic=clock.monotonic)
    try:
        app.apply_settings(app.settings.replace(data_dir=tmp_path / "elsewhere"))
        assert app.options.data_dir == isolated_dirs["data"]
    finally:
        app.shutdown()


def test_the_first_start_opens_the_orientation(
    qtbot, isolated_dirs: dict[str, Path], clock: FakeClock
) -> None:
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    options = AppOptions(isolated_dirs["data"], isolated_dirs["config"], BERLIN, tray_wait_s=0.2)
    app = SecDesktopApp(qapp, options, clock=clock, monotonic=clock.monotonic)
    try:
        app.start()
        qtbot.waitUntil(lambda: app.windows.get("orientation") is not None, timeout=5000)
        assert app.windows.get("orientation").isVisible()
    finally:
        app.shutdown()


def test_a_daily_backup_is_made_at_start(
    app: SecDesktopApp, qtbot, clock: FakeClock, isolated_dirs: dict[str, Path]
) -> None:
    from sec_desktop.store.backup import backup_dir_for, list_backups

    clock.advance(minutes=25)
    request = prompt(app, qtbot)
    qtbot.waitUntil(lambda: app.privacy is not None, timeout=15000)
    app.picker.answered.emit([SlotAnswer(s, Disposition.TAGGED, OKR) for s in request.slots])
    app._backup_job = None  # noqa: SLF001 - the one at start ran on an empty folder
    clock.advance(days=1)
    app.back_up_if_due()
    job = app._backup_job  # noqa: SLF001
    assert job is not None
    qtbot.waitUntil(job.done, timeout=15000)
    assert job.exception() is None
    backup_dir = backup_dir_for(isolated_dirs["config"], isolated_dirs["data"])
    assert list_backups(backup_dir)


@pytest.fixture
def typing_app(
    qtbot, isolated_dirs: dict[str, Path], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SecDesktopApp]:
    """The app while its user types in another window (input 0.2 s ago, always)."""
    monkeypatch.setattr(SecDesktopApp, "_open_typing_idle", lambda _self: lambda: 0.2)
    application = start_app(isolated_dirs, clock)
    yield application
    application.shutdown()


def test_a_prompt_while_typing_elsewhere_waits_and_asking_again_answers_it(
    typing_app: SecDesktopApp, qtbot, clock: FakeClock
) -> None:
    clock.advance(minutes=25)
    request = prompt(typing_app, qtbot)  # as `sec-desktop prompt` asks
    picker = typing_app.picker
    assert picker.isVisible()
    assert picker.waiting_for_keyboard
    typing_app.request_handlers()["prompt"]()  # the shortcut, pressed again
    assert not picker.waiting_for_keyboard
    assert picker.request is request  # the same question, now with the keyboard


def test_log_now_from_the_tray_takes_the_keyboard_at_once(
    typing_app: SecDesktopApp, qtbot, clock: FakeClock
) -> None:
    clock.advance(minutes=25)
    with qtbot.waitSignal(typing_app.driver.promptDue, timeout=2000):
        typing_app.tray.logNowRequested.emit()
    assert typing_app.picker.isVisible()
    assert not typing_app.picker.waiting_for_keyboard


def test_prompt_with_keyboard_from_a_key_binding_takes_the_keyboard_at_once(
    typing_app: SecDesktopApp, qtbot, clock: FakeClock
) -> None:
    from sec_desktop.platform.ipc_commands import TAKE_KEYBOARD

    clock.advance(minutes=25)
    # What `sec-desktop prompt --keyboard` sends: the binding's key press was the user asking.
    typing_app._on_request("prompt", {"command": "prompt", TAKE_KEYBOARD: True})  # noqa: SLF001
    assert typing_app.picker.isVisible()
    assert not typing_app.picker.waiting_for_keyboard


def test_plain_prompt_request_still_waits_while_typing_elsewhere(
    typing_app: SecDesktopApp, qtbot, clock: FakeClock
) -> None:
    clock.advance(minutes=25)
    typing_app._on_request("prompt", {"command": "prompt"})  # noqa: SLF001
    assert typing_app.picker.isVisible()
    assert typing_app.picker.waiting_for_keyboard
