"""The app as a screen reader sees it, over AT-SPI: the real app on Xvfb with a private D-Bus
session and the AT-SPI bus, queried and listened to as Orca does.

Checked: every control of the picker, the dashboard, the stand-in window and the tray notice
has a name; information labels expose their text; a Down key in the picker reports the new
item as focused, and typing reports no rows that are already gone; the charts have one item
per bar and point with its numbers; the notice is announced.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.atspi import AtSpi, Event, Node, a11y_session, a11y_tools_missing
from tests.e2e.xsession import (
    E2E_MARKS,
    AppProcess,
    XSession,
    app_process,
    returning_user,
    tray_app,
    wait_for,
    x_session,
)

pytestmark = [
    *E2E_MARKS,
    pytest.mark.skipif(
        bool(a11y_tools_missing()) and not os.environ.get("CI"),
        reason="needs the AT-SPI bus (Debian package at-spi2-core)",
    ),
]

APP_NAME = "SEC Desktop"
WAIT_S = 20
# The names the dashboard's labels had instead of their text, and the error read when none
# was shown: none of them may be what a label says.
GENERIC_NAMES = {
    "Tracked time",
    "Coverage details",
    "Coverage share",
    "Insights",
    "Sampled estimates",
    "Entry count",
    "Range error",
    "Shown period",
}


@pytest.fixture
def a11y_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    # The runtime folder the suite made private for this test (short enough for sockets).
    with a11y_session(dict(os.environ), Path(os.environ["XDG_RUNTIME_DIR"])) as env:
        yield env


@pytest.fixture
def spi(a11y_env: dict[str, str]) -> Iterator[AtSpi]:
    client = AtSpi(a11y_env)
    # What Orca listens to; Qt sends only the kinds someone registered for.
    client.listen("object:", "focus:", "window:")
    try:
        yield client
    finally:
        client.close()


def window_named(spi: AtSpi, bus: str, name: str) -> Node:
    def find() -> Node | None:
        return next((w for w in spi.windows(bus) if w.name == name and w.showing), None)

    found: Node = wait_for(find, WAIT_S, f"the window {name!r} over AT-SPI")
    return found


def unnamed(window: Node) -> list[str]:
    """The showing controls, texts and images a screen reader would find without a name."""
    roles = {
        "push button",
        "toggle button",
        "check box",
        "radio button",
        "combo box",
        "text",
        "spin button",
        "list",
        "list item",
        "table",
        "page tab",
        "page tab list",
        "progress bar",
        "graphic",
        "label",
    }
    return [
        f"{node.role} {node.path} ({node.description!r})"
        for node in window.walk()
        if node.showing and node.role in roles and not node.name.strip()
    ]


def labels(window: Node) -> list[Node]:
    return [n for n in window.walk() if n.role == "label" and n.showing]


def focus_on(spi: AtSpi, event: Event, role: str) -> bool:
    return (
        event.kind == "object:state-changed:focused"
        and event.detail1 == 1
        and spi.role_of(event.bus, event.path) == role
    )


@pytest.fixture
def session(a11y_env: dict[str, str]) -> Iterator[XSession]:
    with x_session(a11y_env) as xs:
        yield xs


@pytest.fixture
def app(session: XSession, isolated_dirs: dict[str, Path], spi: AtSpi) -> Iterator[AppProcess]:
    """The app with the tray, started once the screen reader's listeners are registered."""
    returning_user(isolated_dirs["config"])
    with tray_app(session) as running:
        yield running


def test_picker_dashboard_and_notice_over_at_spi(
    session: XSession, app: AppProcess, spi: AtSpi, artifacts_dir: Path
) -> None:
    bus = spi.application(APP_NAME)
    # The keychain notice: this private session has no keychain, so notes stay unencrypted,
    # and the tray says so in a balloon: a notification, named, reported as it shows (what
    # Orca speaks).
    notice = window_named(spi, bus, "Notice")
    assert notice.role == "notification"
    assert unnamed(notice) == []
    assert {n.role for n in notice.walk()} >= {"push button", "graphic", "label"}
    assert any("unencrypted" in n.name for n in labels(notice))
    spi.wait_event(
        lambda e: (
            e.kind == "object:state-changed:showing" and e.detail1 == 1 and e.path == notice.path
        ),
        WAIT_S,
        "the notice showing",
    )

    # The picker: every control named, the keys in the names of the one-key answers.
    assert app.cli("log", "okr", "--minutes", "30").returncode == 0
    assert app.cli("prompt").returncode == 0
    picker = window_named(spi, bus, "What are you doing?")
    wait_for(lambda: "picker: answer keys live" in app.log(), WAIT_S, "the answer guard's end")
    assert unnamed(picker) == []
    buttons = {n.name for n in picker.walk() if n.role == "push button" and n.showing}
    assert {"Away, Alt+A", "Off work, Alt+O", "Snooze, Esc", "Split, Alt+S"} <= buttons
    items = [n for n in picker.walk() if n.role == "list item" and n.showing]
    keys = [i.name.split(":")[0] for i in items]
    assert keys[-9:] == [f"Alt+{n}" for n in range(1, 10)]
    # Nothing is highlighted without a last answer to repeat; with one, its row is.
    expected = items[1] if keys[0] == "Enter" else items[0]

    # Down from the search box: the newly highlighted choice is reported as focused.
    spi.pump(0.5)
    spi.events.clear()
    session.run("xdotool", "key", "Down")
    moved = spi.wait_event(lambda e: focus_on(spi, e, "list item"), 5, "focus on a choice")
    assert spi.name_of(moved.bus, moved.path) == expected.name

    # Typing: no selection change about a row already gone; the top match, once typing
    # pauses, is reported as focused.
    spi.pump(0.5)
    spi.events.clear()
    session.run("xdotool", "type", "--delay", "60", "sec inc")
    top = spi.wait_event(lambda e: focus_on(spi, e, "list item"), 5, "the top match")
    name = spi.name_of(top.bus, top.path) or ""
    assert name.startswith("Alt+1: ")
    selections = [e for e in spi.events if e.kind == "object:selection-changed"]
    gone = [e for e in selections if spi.name_of(e.bus, e.path) is None]
    assert gone == []
    # The rows are re-used as the query changes: at most the move back to the top row is sent
    # (it was 56 selection events for these keys, 27 about rows already gone).
    assert len(selections) <= 2
    session.screenshot(artifacts_dir / "e2e-screen-reader-picker.png")
    # Alt+O, the Off work button's shortcut as read out, answers once, through the picker's
    # own keys (a shortcut firing as well would answer twice).
    session.run("xdotool", "key", "alt+o")
    wait_for(lambda: "picker closed: 1 answers" in app.log(), WAIT_S, "the answer")
    spi.pump(0.5)
    assert app.log().count("picker closed") == 1

    # The dashboard: every control named, labels read as their text, one item per bar.
    assert app.cli("dashboard").returncode == 0
    dashboard = window_named(spi, bus, "Dashboard")
    dashboard = wait_for(
        lambda: next(
            (
                w
                for w in spi.windows(bus)
                if w.name == "Dashboard" and any("tracked in" in n.name for n in labels(w))
            ),
            None,
        ),
        WAIT_S,
        "the dashboard's first view",
    )
    assert unnamed(dashboard) == []
    texts = [n.name for n in labels(dashboard)]
    assert [t for t in texts if t in GENERIC_NAMES] == []
    assert any(" tracked in 1 entries" in t for t in texts), texts
    assert any("working time has entries" in t for t in texts)
    chart = next(
        n for n in dashboard.walk() if n.name.startswith("Domain shares against their bands")
    )
    bars = [n.name for n in chart.children]
    assert len(bars) == 3
    assert any(b.startswith("Strategy 100.0%, band ") for b in bars), bars
    assert all("%" in b for b in bars)
    trend = next(n for n in dashboard.walk() if n.name == "Weekly share of each domain")
    points = [n.name for n in trend.children]
    assert len(points) >= 3
    assert any(p.startswith("Strategy, week of ") and ": 100.0%" in p for p in points), points
    assert all(n.role != "label" or n.name for n in dashboard.walk() if n.showing)


@pytest.fixture
def bare_session(a11y_env: dict[str, str]) -> Iterator[XSession]:
    with x_session(a11y_env, with_tray=False) as xs:
        yield xs


def test_the_stand_in_window_over_at_spi(
    bare_session: XSession, isolated_dirs: dict[str, Path], spi: AtSpi
) -> None:
    returning_user(isolated_dirs["config"])
    env = {**bare_session.env, "SEC_DESKTOP_TRAY_WAIT_S": "0.5"}
    with app_process(env, ready_line="ready: window"):
        bus = spi.application(APP_NAME)
        window = window_named(spi, bus, f"{APP_NAME} window")
        # The keychain notice is in the window's status, announced as it appears.
        said = spi.wait_event(lambda e: e.kind == "object:announcement", WAIT_S, "the notice")
        assert "unencrypted" in str(said.body)
        window = window_named(spi, bus, f"{APP_NAME} window")
        assert unnamed(window) == []
        texts = [n.name for n in labels(window)]
        assert any(t.startswith("No system tray was found") for t in texts), texts
        assert "Why this window is shown" not in texts
        assert "Status" not in texts
