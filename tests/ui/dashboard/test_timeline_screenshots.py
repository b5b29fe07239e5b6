"""Screenshots of the Timeline tab on a busy demo week: light, dark, and at 200% scale.

Each is rendered in its own interpreter (a scale factor is fixed when Qt starts) at 1280x800
logical pixels, with an away span still to answer and a morning left unbooked so the gaps show.
The window checks itself: the timeline's labels and buttons as wide as their text, the canvas
given room, and every block of the week on the axis. The images go to the test artifacts; the
light one is also kept in docs/screenshots for the README (rewritten with
SEC_DESKTOP_UPDATE_DOCS=1).
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from sec_desktop.demo import DEMO_DEVICE, generate_demo_year
from sec_desktop.framework import Framework
from sec_desktop.store import EntryStore
from tests.helpers.scripts import offscreen_report

from .conftest import TZ

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
DEMO_LAST_DAY = date(2026, 2, 27)
# Thursday 26 February 2026, 16:40 in Berlin: the week is busy up to now, the rest is to come.
DEMO_NOW = datetime(2026, 2, 26, 15, 40, tzinfo=UTC)
# Unbooked on Tuesday morning (a gap) and around Thursday's lunch (an away span to answer).
HOLE = (datetime(2026, 2, 24, 8, 0, tzinfo=UTC), datetime(2026, 2, 24, 9, 30, tzinfo=UTC))
AWAY = (datetime(2026, 2, 26, 11, 0, tzinfo=UTC), datetime(2026, 2, 26, 12, 0, tzinfo=UTC))
WIDTH, HEIGHT = 1280, 800

RENDER = r"""
import json, sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from sec_desktop.framework import load_framework
from sec_desktop.store import EntryStore
from sec_desktop.ui.dashboard.theme import dark_palette
from sec_desktop.ui.dashboard.window import DashboardWindow

data_dir, config_dir, out, theme, now_text, device, away_text = sys.argv[1:8]
app = QApplication(["timeline-screenshot"])
app.setStyle("Fusion")
if theme == "dark":
    app.setPalette(dark_palette())
now = datetime.fromisoformat(now_text)
away = [tuple(datetime.fromisoformat(t) for t in away_text.split("/"))]
store = EntryStore(Path(data_dir), device, clock=lambda: now)
window = DashboardWindow(
    load_framework(), store, Path(data_dir), Path(config_dir), ZoneInfo("Europe/Berlin"),
    now=lambda: now, unanswered_away=lambda: away,
)
window.resize(1280, 800)
window.tabs.setCurrentWidget(window.timeline)
window.show()
for _ in range(10):
    app.processEvents()
timeline = window.timeline
canvas = timeline.canvas
canvas.select_entry(canvas.entries[len(canvas.entries) // 2].id)
app.processEvents()

problems = []
def where(widget):
    return f"{type(widget).__name__} {widget.accessibleName()!r}"
for label in timeline.findChildren(QLabel):
    if not label.isVisibleTo(window) or not label.text():
        continue
    if label.wordWrap():
        if label.height() < label.heightForWidth(label.width()):
            problems.append(f"{where(label)} is cut off at the bottom")
    elif label.width() < label.sizeHint().width():
        problems.append(f"{where(label)} is cut off at the side")
for button in timeline.findChildren(QAbstractButton):
    if button.isVisibleTo(window) and button.width() < button.sizeHint().width():
        problems.append(f"{where(button)} is narrower than its text")
if canvas.height() < 300:
    problems.append(f"the canvas is only {canvas.height()} pixels tall")
for entry in canvas.entries:
    for column, day in enumerate(canvas.days):
        if entry.start.astimezone(canvas.tz).date() == day:
            if canvas.point_of(entry.start, column).y() > canvas.height():
                problems.append(f"the entry at {entry.start} is below the axis")
image = window.grab()
image.save(out)
print(json.dumps({
    "problems": problems,
    "pixels": [image.width(), image.height()],
    "entries": len(canvas.entries),
    "gaps": len(canvas.open.gaps),
    "away": len(canvas.open.away),
    "window": [window.width(), window.height()],
}))
window.shutdown()
"""


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory, framework: Framework) -> Path:
    root = tmp_path_factory.mktemp("timeline-demo")
    store = EntryStore(root / "data", DEMO_DEVICE, clock=lambda: DEMO_NOW)
    entries = generate_demo_year(framework, DEMO_LAST_DAY, TZ, seed=7)
    holes = (HOLE, AWAY)
    store.add_many(
        e for e in entries if e.end <= DEMO_NOW and not any(e.overlaps(lo, hi) for lo, hi in holes)
    )
    store.close()
    return root


def _render(demo: Path, out: Path, theme: str, scale: int) -> dict[str, object]:
    args = [
        str(demo / "data"),
        str(demo / "config"),
        str(out),
        theme,
        DEMO_NOW.isoformat(),
        DEMO_DEVICE,
        "/".join(t.isoformat() for t in AWAY),
    ]
    return offscreen_report(RENDER, args, scale=scale)


@pytest.mark.slow
@pytest.mark.parametrize(("theme", "scale"), [("light", 1), ("dark", 1), ("light", 2), ("dark", 2)])
def test_timeline_screenshot(
    demo_folder: Path, artifacts_dir: Path, theme: str, scale: int
) -> None:
    out = artifacts_dir / f"timeline-{theme}-{scale * 100}pct.png"
    report = _render(demo_folder, out, theme, scale)
    assert report["problems"] == []
    assert report["window"] == [WIDTH, HEIGHT]  # at 200% too: no wider than it was asked
    assert report["pixels"] == [WIDTH * scale, HEIGHT * scale]
    assert int(str(report["entries"])) > 100  # a busy week
    assert int(str(report["gaps"])) >= 1
    assert report["away"] == 1
    image = QImage(str(out))
    window_colour = image.pixelColor(4, image.height() // 2)
    assert (window_colour.lightness() < 100) == (theme == "dark")
    # The README's copy changes only when asked, so a test run leaves the checkout clean.
    if (theme, scale) == ("light", 1) and os.environ.get("SEC_DESKTOP_UPDATE_DOCS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out, DOCS_SCREENSHOTS / "timeline-light.png")
