"""The weekly review's nudge in the running app, on a fake clock: due Monday 09:00, not twice,
a missed Monday offered once later that week, nothing offered again after a restart; the
tray menu item and the notification's click open the review; no tray, the window opens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from sec_desktop.reminders.review import review_state_path
from sec_desktop.settings import Settings, load_settings, save_settings
from sec_desktop.ui.app import AppOptions, SecDesktopApp
from sec_desktop.ui.review import ReviewWindow
from sec_desktop.ui.review.nudge import REVIEW_RECHECK_MS, REVIEW_START_DELAY_MS, ReviewNudge
from sec_desktop.ui.tray import TrayController
from tests.helpers.clocks import FakeClock
from tests.helpers.entries import make_entry, save_entries
from tests.helpers.ids import OKR, ROADMAP

BERLIN = ZoneInfo("Europe/Berlin")
REVIEWED = date(2026, 11, 30)


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def seed(data_dir: Path, monday: date) -> None:
    """Eight hours on each of the week's first three days."""
    entries = []
    for day in range(3):
        start = datetime.combine(monday + timedelta(days=day), datetime.min.time(), BERLIN)
        start = (start + timedelta(hours=9)).astimezone(UTC)
        entries += [
            make_entry(start, 240, OKR),
            make_entry(start + timedelta(hours=4), 240, ROADMAP),
        ]
    save_entries(data_dir, "laptop", entries)


Notices = list[tuple[str, str, Callable[[], None]]]


@pytest.fixture(autouse=True)
def no_session_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Notices go through the tray here; tests/e2e/test_review_nudge.py has the real server."""
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)


@pytest.fixture
def notices(monkeypatch: pytest.MonkeyPatch) -> Notices:
    """Every notification shown, as if a tray showed it (returns True)."""
    shown: Notices = []

    def notify(
        _self: TrayController, title: str, text: str, on_click: Callable[[], None] | None = None
    ) -> bool:
        shown.append((title, text, on_click or (lambda: None)))
        return True

    monkeypatch.setattr(TrayController, "notify", notify)
    return shown


def start(
    qtbot, dirs: dict[str, Path], clock: FakeClock, *, tray: bool = False, **saved: object
) -> SecDesktopApp:
    """The app started on `dirs`; with `tray`, as if a tray host had shown its icon (the
    offscreen platform has none, so the stand-in window shows otherwise)."""
    config = dirs["config"]
    save_settings(config, load_settings(config).settings.replace(first_run_done=True, **saved))
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    options = AppOptions(data_dir=dirs["data"], config_dir=config, tz=BERLIN, tray_wait_s=0.2)
    app = SecDesktopApp(qapp, options, clock=clock, monotonic=clock.monotonic)
    app.start()
    qtbot.waitUntil(lambda: app.tray.mode is not None, timeout=5000)
    if tray:
        app.tray.mode = "tray"
    return app


@pytest.fixture
def apps() -> Iterator[list[SecDesktopApp]]:
    started: list[SecDesktopApp] = []
    yield started
    for app in started:
        app.shutdown()


def review_texts(notices: Notices) -> list[str]:
    return [text for title, text, _ in notices if "weekly review" in title]


def test_due_monday_nine_once_and_not_after_restart(
    qtbot, isolated_dirs: dict[str, Path], notices: Notices, apps: list[SecDesktopApp]
) -> None:
    seed(isolated_dirs["data"], REVIEWED)
    clock = FakeClock(berlin(6, 20))  # Sunday evening: the week under review is this one
    app = start(qtbot, isolated_dirs, clock, tray=True)
    apps.append(app)
    # The week due at start (23-29 Nov) holds nothing: no start-up check, a look in an hour.
    assert app.review_nudge.wait_ms == REVIEW_RECHECK_MS
    assert review_texts(notices) == []
    clock.now = berlin(7, 8, 59)
    assert not app.review_nudge.check()
    assert app.review_nudge.next_at() == berlin(7, 9)
    clock.now = berlin(7, 9)
    assert app.review_nudge.check()
    [text] = review_texts(notices)
    assert text.startswith("Last week (30 Nov - 06 Dec) is ready.")
    clock.now = berlin(7, 9, 1)
    assert not app.review_nudge.check()
    clock.now = berlin(10, 12)  # later that week, a machine woken from sleep: still once
    assert not app.review_nudge.check()
    assert len(review_texts(notices)) == 1
    # Clicking the notification opens last week's review.
    notices[-1][2]()
    window = app.windows.get("review")
    assert isinstance(window, ReviewWindow) and window.isVisible()
    assert window.week == REVIEWED
    app.shutdown()

    restarted = start(qtbot, isolated_dirs, FakeClock(berlin(7, 10)), tray=True)
    apps.append(restarted)
    assert not restarted.review_nudge.check()
    assert len(review_texts(notices)) == 1


def test_a_missed_monday_is_offered_once_and_not_carried_over(
    qtbot, isolated_dirs: dict[str, Path], notices: Notices, apps: list[SecDesktopApp]
) -> None:
    seed(isolated_dirs["data"], REVIEWED)
    seed(isolated_dirs["data"], date(2026, 12, 7))
    clock = FakeClock(berlin(9, 14))  # first started on Wednesday
    app = start(qtbot, isolated_dirs, clock, tray=True)
    apps.append(app)
    # Not at once: the start-up notices come first, then the delayed first check.
    assert review_texts(notices) == []
    assert app.review_nudge.wait_ms == REVIEW_START_DELAY_MS
    assert app.review_nudge.check()
    assert len(review_texts(notices)) == 1
    clock.now = berlin(14, 8)  # the next Monday, before the moment: nothing stacked
    assert not app.review_nudge.check()
    clock.now = berlin(14, 9)
    assert app.review_nudge.check()
    texts = review_texts(notices)
    assert len(texts) == 2 and texts[1].startswith("Last week (07 Dec - 13 Dec)")
    assert (
        '"last_offered_week": "2026-12-07"'
        in review_state_path(isolated_dirs["config"]).read_text()
    )


def test_an_empty_week_is_not_offered_and_off_means_off(
    qtbot, isolated_dirs: dict[str, Path], notices: Notices, apps: list[SecDesktopApp]
) -> None:
    clock = FakeClock(berlin(7, 9))
    app = start(qtbot, isolated_dirs, clock, tray=True)
    apps.append(app)
    assert not app.review_nudge.check()  # nothing tracked last week: nothing to review
    seed(isolated_dirs["data"], REVIEWED)
    app.apply_settings(app.settings.replace(review_day="off"))
    assert not app.review_nudge.check()
    app.apply_settings(app.settings.replace(review_day="mon"))
    assert app.review_nudge.check()
    assert len(review_texts(notices)) == 1


def test_without_a_tray_the_window_opens(
    qtbot, isolated_dirs: dict[str, Path], apps: list[SecDesktopApp]
) -> None:
    seed(isolated_dirs["data"], REVIEWED)
    app = start(qtbot, isolated_dirs, FakeClock(berlin(7, 9, 30)))
    apps.append(app)
    assert app.tray.mode == "window"  # the offscreen platform has no tray
    assert app.review_nudge.check()
    window = app.windows.get("review")
    assert isinstance(window, ReviewWindow) and window.isVisible()
    assert window.week == REVIEWED


def test_tray_menu_opens_the_review_any_time(
    qtbot, isolated_dirs: dict[str, Path], apps: list[SecDesktopApp]
) -> None:
    app = start(qtbot, isolated_dirs, FakeClock(berlin(9, 15)))
    apps.append(app)
    app.tray.rebuild_menu()
    [item] = [a for a in app.tray.menu.actions() if a.text() == "Weekly &review..."]
    item.trigger()
    window = app.windows.get("review")
    assert isinstance(window, ReviewWindow) and window.isVisible()
    assert window.week == REVIEWED


def test_the_notification_click_runs_its_own_action_once(
    qtbot, isolated_dirs: dict[str, Path], apps: list[SecDesktopApp], monkeypatch
) -> None:
    app = start(qtbot, isolated_dirs, FakeClock(berlin(6, 12)))
    apps.append(app)
    monkeypatch.setattr(QSystemTrayIcon, "supportsMessages", staticmethod(lambda: True))
    app.tray.mode = "tray"
    clicks: list[str] = []
    assert app.tray.notify("title", "review", lambda: clicks.append("review"))
    app.tray.icon.messageClicked.emit()
    app.tray.icon.messageClicked.emit()
    assert clicks == ["review"]
    # A later message without an action: clicking it opens nothing.
    app.tray.notify("title", "review", lambda: clicks.append("review"))
    app.tray.notify("title", "something else")
    app.tray.icon.messageClicked.emit()
    assert clicks == ["review"]


def test_the_first_check_runs_by_itself_after_the_delay(
    qtbot, isolated_dirs: dict[str, Path], notices: Notices
) -> None:
    seed(isolated_dirs["data"], REVIEWED)
    offered: list[date] = []
    nudge = ReviewNudge(
        isolated_dirs["config"],
        Settings,
        BERLIN,
        FakeClock(berlin(8, 10)),
        notify=lambda _title, _text, _click: True,
        text_for=lambda week: "ready",
        open_review=offered.append,
    )
    with qtbot.waitSignal(nudge.offered, timeout=2000) as blocker:
        nudge.start(delay_ms=10)
    assert blocker.args == [REVIEWED]
    nudge.stop()


def test_answer_away_in_the_review_asks_the_picker(
    qtbot, isolated_dirs: dict[str, Path], apps: list[SecDesktopApp]
) -> None:
    app = start(qtbot, isolated_dirs, FakeClock(berlin(7, 10)))
    apps.append(app)
    app.open_review()
    window = app.windows.get("review")
    assert isinstance(window, ReviewWindow)
    with qtbot.waitSignal(app.driver.promptDue, timeout=2000):
        window.answerAwayRequested.emit()


def test_the_review_in_the_app_compares_with_the_saved_plan(
    qtbot, isolated_dirs: dict[str, Path], apps: list[SecDesktopApp]
) -> None:
    from sec_desktop.analytics.plan_records import PlanStore
    from sec_desktop.analytics.targets import Quarter
    from sec_desktop.framework import load_framework
    from sec_desktop.framework.custom_profile import profiles_for

    seed(isolated_dirs["data"], REVIEWED)
    framework = load_framework()
    app = start(qtbot, isolated_dirs, FakeClock(berlin(9, 15)))
    apps.append(app)
    PlanStore(isolated_dirs["data"], app.device).save_quarter(
        Quarter.of(REVIEWED),
        {"strategy": 0.30},
        framework,
        profiles_for(framework, isolated_dirs["data"])["default"],
    )
    app.tray.rebuild_menu()
    [item] = [a for a in app.tray.menu.actions() if a.text() == "Weekly &review..."]
    item.trigger()
    window = app.windows.get("review")
    assert isinstance(window, ReviewWindow)
    table = window.table
    cells = [
        [table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]
    [strategy] = [row for row in cells if row and row[0].strip().startswith("Strategy")]
    assert "30" in " ".join(strategy), strategy


def test_one_timer_for_the_review_moment_and_a_wake_past_it_is_caught(
    qtbot, isolated_dirs: dict[str, Path]
) -> None:
    """No minute check: after the first look the nudge waits for Monday 09:00 in one wait;
    a machine that slept through that moment is caught at the next reminder tick."""
    clock = FakeClock(berlin(6, 20))  # Sunday evening
    offered: list[date] = []
    nudge = ReviewNudge(
        isolated_dirs["config"],
        Settings,
        BERLIN,
        clock,
        notify=lambda _title, _text, _click: True,
        text_for=lambda _week: "Last week is ready.",
        open_review=lambda _week: None,
    )
    nudge.offered.connect(offered.append)
    nudge.start(delay_ms=0)
    nudge.reschedule()  # a tick inside the start-up delay changes nothing
    assert nudge.wait_ms == 0
    qtbot.waitUntil(lambda: nudge.wait_ms not in (None, 0), timeout=2000)
    assert nudge.wait_ms == 13 * 3600 * 1000  # Sunday 20:00 to Monday 09:00
    assert offered == [date(2026, 11, 23)]  # the first look offers the week not yet offered
    clock.now = berlin(7, 11)  # asleep from before the moment until 11:00 (the timer too)
    nudge.reschedule()
    assert nudge.wait_ms == 0
    qtbot.waitUntil(lambda: offered[-1:] == [REVIEWED], timeout=2000)
    assert nudge.wait_ms == (7 * 24 - 2) * 3600 * 1000  # next Monday 09:00
    nudge.stop()
    assert nudge.wait_ms is None


def test_a_due_week_with_nothing_to_review_is_looked_at_again_hourly(
    qtbot, isolated_dirs: dict[str, Path]
) -> None:
    """A new user's first Monday: due, but empty. The nudge neither spins on it nor looks at
    each reminder tick; it looks again an hour later."""
    looks: list[date] = []

    def nothing(week: date) -> None:
        looks.append(week)

    nudge = ReviewNudge(
        isolated_dirs["config"],
        Settings,
        BERLIN,
        FakeClock(berlin(7, 9, 30)),
        notify=lambda _title, _text, _click: True,
        text_for=nothing,
        open_review=lambda _week: None,
    )
    nudge.start(delay_ms=0)
    qtbot.waitUntil(lambda: nudge.wait_ms not in (None, 0), timeout=2000)
    assert nudge.wait_ms == REVIEW_RECHECK_MS
    nudge.reschedule()
    assert nudge.wait_ms == REVIEW_RECHECK_MS
    assert looks == [REVIEWED]
    nudge.stop()
