"""Prompts as notifications in the real app against a real notification server (dunst on a
session bus of its own, in the test's X session): the prompt shows with its buttons, "Same as
before" books the entry, Other… opens the picker, dismissing books nothing, and a second
prompt replaces the first.

dunst lists a notification's buttons in its context menu, which it hands to a dmenu-like
program; the one configured here writes the lines it was given to a file and answers with the
line the test chose, as a user picking a button would."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sec_desktop.framework import load_framework
from sec_desktop.reminders.prompts import PromptRequest, PromptSlot, RequestReason, SlotKind
from sec_desktop.reminders.ranking import UsageRanking
from sec_desktop.settings import Settings
from sec_desktop.store.entry import utc_now
from sec_desktop.timefmt import system_zone
from sec_desktop.ui.prompt_notice import PromptNotice, open_desktop_server
from tests.e2e.xsession import (
    E2E_MARKS,
    TRAY_WAIT_ENV,
    AppProcess,
    XSession,
    app_process,
    dunst_on_own_bus,
    dunstctl,
    returning_user,
    stored_entries,
    wait_for,
)
from tests.helpers.entries import make_entry, save_entries
from tests.helpers.ids import OKR

pytestmark = [
    *E2E_MARKS,
    pytest.mark.skipif(shutil.which("dunst") is None, reason="needs dunst (Debian package dunst)"),
]

INTERVAL_MIN = 5
# The last answer ended this long before the app starts: its next prompt is a few seconds away.
ANSWERED_AGO = timedelta(minutes=INTERVAL_MIN) - timedelta(seconds=8)
# The lines are written to a side file and renamed into place only once complete: a test
# polling for menu.txt must never read it while `cat` is still writing (it saw it empty).
MENU_SCRIPT = """#!/bin/sh
# dunst's context menu: keep the lines offered, answer with the one the test chose.
cat > "{dir}/menu.part"
grep -F -m1 -f "{dir}/pick" "{dir}/menu.part"
mv "{dir}/menu.part" "{dir}/menu.txt"
"""


@dataclass
class Dunst:
    env: dict[str, str]
    menu_dir: Path

    def ctl(self, *args: str) -> str:
        return dunstctl(self.env, *args)

    def displayed(self) -> int:
        for line in self.ctl("count").splitlines():
            if "Currently displayed" in line:
                return int(line.split(":")[1])
        return -1

    def choose(self, line_start: str) -> list[str]:
        """Open the newest notification's menu and pick the line starting with this; the
        menu's lines, as dunst offered them."""
        menu = self.menu_dir / "menu.txt"
        menu.unlink(missing_ok=True)
        (self.menu_dir / "pick").write_text(f"#{line_start}\n", encoding="utf-8")
        self.ctl("context")
        wait_for(menu.exists, 10, "dunst's context menu")
        return menu.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def dunst(session: XSession, tmp_path: Path) -> Iterator[Dunst]:
    """A session bus of its own with dunst on it, in the test's X session; both stopped by
    PID."""
    menu_dir = tmp_path / "dunst"
    menu_dir.mkdir()
    script = menu_dir / "menu.sh"
    script.write_text(MENU_SCRIPT.format(dir=menu_dir), encoding="utf-8")
    script.chmod(0o755)
    config = menu_dir / "dunstrc"
    config.write_text(
        "[global]\n"
        f"    dmenu = {script}\n"
        "    font = DejaVu Sans 11\n"
        "    width = 440\n"
        "    origin = top-right\n"
        "    offset = 10x40\n",
        encoding="utf-8",
    )
    with dunst_on_own_bus(session, config) as env:
        yield Dunst(env, menu_dir)


def answered_a_moment_ago(isolated_dirs: dict[str, Path], surface: str) -> None:
    """OKR management answered just under an interval ago, prompts as `surface`, working
    time all day: the app's first prompt is due a few seconds after it starts."""
    end = utc_now() - ANSWERED_AGO
    earlier = make_entry(end - timedelta(minutes=30), 30, OKR, source="prompt")
    save_entries(isolated_dirs["data"], "laptop", [earlier])
    returning_user(
        isolated_dirs["config"],
        work_days=frozenset(range(7)),
        work_start=clock_time(0, 0),
        work_end=clock_time(23, 59),
        interval_minutes=INTERVAL_MIN,
        prompt_surface=surface,
    )


@pytest.fixture
def app(dunst: Dunst, isolated_dirs: dict[str, Path]) -> Iterator[AppProcess]:
    answered_a_moment_ago(isolated_dirs, "notification")
    with app_process({**dunst.env, **TRAY_WAIT_ENV}) as running:
        yield running


def wait_for_prompt_notification(app: AppProcess, dunst: Dunst) -> float:
    """Seconds from the prompt firing to dunst showing its notification."""
    wait_for(lambda: "prompt (due)" in app.log(), 60, "the due prompt")
    fired = time.monotonic()
    wait_for(lambda: dunst.displayed() == 1, 10, "dunst showing the prompt")
    assert "prompt notification" in app.log()
    return time.monotonic() - fired


def test_same_as_before_from_the_notification_books_the_entry(
    session: XSession,
    app: AppProcess,
    dunst: Dunst,
    isolated_dirs: dict[str, Path],
    artifacts_dir: Path,
) -> None:
    shown_s = wait_for_prompt_notification(app, dunst)
    session.screenshot(artifacts_dir / "e2e-prompt-notification.png")
    assert session.find_window("What are you doing") is None  # no picker
    before = {e.id for e in stored_entries(isolated_dirs["data"])}
    menu = dunst.choose("Same as before: OKR management")
    labels = sorted(line.split(" (What are you doing?)")[0] for line in menu)
    assert "#Same as before: OKR management" in labels
    assert "#Other\u2026" in labels
    assert len(labels) == 5, menu  # same, two suggestions, Other…, and the click itself
    new = wait_for(
        lambda: [e for e in stored_entries(isolated_dirs["data"]) if e.id not in before],
        10,
        "the answer saved",
    )
    (entry,) = new
    assert (entry.activity, entry.source) == (OKR, "prompt")
    # The slot: from the last answer's end to the prompt (seconds apart, on the real clock).
    assert timedelta(minutes=4) < entry.end - entry.start <= timedelta(minutes=INTERVAL_MIN + 1)
    assert "prompt notification answered" in app.log()
    wait_for(lambda: dunst.displayed() == 0, 10, "the notification gone")
    print(f"prompt notification shown {shown_s * 1000:.0f} ms after the prompt fired")


def test_other_opens_the_picker(app: AppProcess, dunst: Dunst, session: XSession) -> None:
    wait_for_prompt_notification(app, dunst)
    dunst.choose("Other\u2026")
    wait_for(lambda: session.find_window("What are you doing"), 20, "the picker")
    assert "picker painted" in wait_for(
        lambda: "picker painted" in app.log() and app.log(), 10, "the picker's paint"
    )


def test_dismissing_books_nothing(
    app: AppProcess, dunst: Dunst, session: XSession, isolated_dirs: dict[str, Path]
) -> None:
    wait_for_prompt_notification(app, dunst)
    before = stored_entries(isolated_dirs["data"])
    dunst.ctl("close")  # what a click on its close corner does
    wait_for(lambda: "unanswered" in app.log(), 10, "the dismissal reaching the app")
    assert stored_entries(isolated_dirs["data"]) == before
    assert session.find_window("What are you doing") is None


def test_then_picker_opens_the_picker_when_the_notification_is_dismissed(
    dunst: Dunst, session: XSession, isolated_dirs: dict[str, Path], artifacts_dir: Path
) -> None:
    answered_a_moment_ago(isolated_dirs, "notification-then-picker")
    with app_process({**dunst.env, **TRAY_WAIT_ENV}) as running:
        wait_for_prompt_notification(running, dunst)
        dunst.ctl("close")
        wait_for(lambda: session.find_window("What are you doing"), 20, "the picker")
        wait_for(lambda: "picker painted" in running.log(), 10, "the picker's paint")
        session.screenshot(artifacts_dir / "e2e-prompt-notification-then-picker.png")
        assert dunst.displayed() == 0


def test_a_second_prompt_replaces_the_first(qtbot: QtBot, dunst: Dunst) -> None:
    framework = load_framework()
    ranking = UsageRanking(framework, tz=system_zone())
    now = utc_now()
    ranking.record_answer(OKR, now - timedelta(minutes=25))
    settings = Settings(prompt_surface="notification")
    notice = PromptNotice(
        ranking=lambda: ranking,
        framework=lambda: framework,
        settings=lambda: settings,
        tz=system_zone(),
        clock=utc_now,
        open_server=lambda: open_desktop_server(dunst.env),
    )
    try:

        def due(minutes: int) -> PromptRequest:
            slot = PromptSlot(now - timedelta(minutes=minutes), now, SlotKind.INTERVAL, now)
            return PromptRequest((slot,), RequestReason.DUE)

        assert notice.offer(due(25))
        first = notice.notification_id
        wait_for(lambda: dunst.displayed() == 1, 10, "the first prompt")
        notice.withdraw()  # withdrawn and asked again at once, as when a timer stops
        assert notice.offer(due(55))
        assert notice.notification_id == first
        qtbot.wait(300)
        assert dunst.displayed() == 1
        dunst.ctl("close-all")
        history = dunst.ctl("history")
        assert "55 min" in history
        assert "25 min" not in history
    finally:
        notice.close()


def test_a_notification_answered_elsewhere_is_taken_away(qtbot: QtBot, dunst: Dunst) -> None:
    framework = load_framework()
    ranking = UsageRanking(framework, tz=system_zone())
    now = utc_now()
    notice = PromptNotice(
        ranking=lambda: ranking,
        framework=lambda: framework,
        settings=lambda: Settings(prompt_surface="notification"),
        tz=system_zone(),
        clock=utc_now,
        open_server=lambda: open_desktop_server(dunst.env),
    )
    try:
        slot = PromptSlot(now - timedelta(minutes=30), now, SlotKind.INTERVAL, now)
        assert notice.offer(PromptRequest((slot,), RequestReason.DUE))
        wait_for(lambda: dunst.displayed() == 1, 10, "the prompt")
        notice.withdraw()
        qtbot.waitUntil(lambda: dunst.displayed() == 0, timeout=5000)
    finally:
        notice.close()
