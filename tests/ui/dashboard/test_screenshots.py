"""Screenshots of the dashboard on the demo year: light, dark, and at 200% scale.

Each is rendered in its own interpreter (a scale factor is fixed when Qt starts) at 1280x800
logical pixels, and the window checks itself for clipping there: every wrapped label as tall as
its text needs, every chart as tall as its rows, every button and label as wide as its text,
and the overview without scroll bars. The images go to the test artifacts; the light and dark
ones are also kept in docs/screenshots for the README (rewritten with SEC_DESKTOP_UPDATE_DOCS=1).
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
# A Friday at the end of a month: the month view is nearly complete.
DEMO_LAST_DAY = date(2026, 2, 27)
DEMO_NOW = datetime(2026, 2, 27, 16, 30, tzinfo=UTC)
WIDTH, HEIGHT = 1280, 800

RENDER = r"""
import json, sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from sec_desktop.framework import load_framework
from sec_desktop.store import EntryStore
from sec_desktop.ui.dashboard.charts import BarChart
from sec_desktop.ui.dashboard.theme import dark_palette
from sec_desktop.ui.dashboard.window import DashboardWindow

data_dir, config_dir, out, theme, now_text, device = sys.argv[1:7]
app = QApplication(["dashboard-screenshot"])
app.setStyle("Fusion")
if theme == "dark":
    app.setPalette(dark_palette())
now = datetime.fromisoformat(now_text)
store = EntryStore(Path(data_dir), device, clock=lambda: now)
window = DashboardWindow(
    load_framework(), store, Path(data_dir), Path(config_dir), ZoneInfo("Europe/Berlin"),
    now=lambda: now,
)
window.resize(1280, 800)
window.show()
loop = QEventLoop()
window.viewShown.connect(loop.quit)
QTimer.singleShot(20_000, loop.quit)
window.set_period_kind("month")
loop.exec()
for _ in range(10):
    app.processEvents()

problems = []
def where(widget):
    return f"{type(widget).__name__} {widget.accessibleName()!r}"
for label in window.findChildren(QLabel):
    if not label.isVisibleTo(window) or not label.text():
        continue
    if label.wordWrap():
        if label.height() < label.heightForWidth(label.width()):
            problems.append(f"{where(label)} is cut off at the bottom")
    elif label.width() < label.sizeHint().width():
        problems.append(f"{where(label)} is cut off at the side")
for button in window.findChildren(QAbstractButton):
    if button.isVisibleTo(window) and button.width() < button.sizeHint().width():
        problems.append(f"{where(button)} is narrower than its text")
for chart in window.findChildren(BarChart):
    if chart.height() < chart.sizeHint().height() - 2:
        problems.append(f"{where(chart)} is shorter than its rows")
scroll = window.overview_scroll
bars = (("horizontal", scroll.horizontalScrollBar()), ("vertical", scroll.verticalScrollBar()))
for name, bar in bars:
    if bar.maximum() > 0:
        problems.append(f"the overview needs a {name} scroll bar")
image = window.grab()
image.save(out)
print(json.dumps({
    "problems": problems,
    "pixels": [image.width(), image.height()],
    "ratio": image.devicePixelRatio(),
    "period": window.period_bar.period_label.text(),
}))
window.shutdown()
"""


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory, framework: Framework) -> Path:
    root = tmp_path_factory.mktemp("demo")
    store = EntryStore(root / "data", DEMO_DEVICE, clock=lambda: DEMO_NOW)
    store.add_many(generate_demo_year(framework, DEMO_LAST_DAY, TZ, seed=7))
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
    ]
    return offscreen_report(RENDER, args, scale=scale)


@pytest.mark.slow
@pytest.mark.parametrize(("theme", "scale"), [("light", 1), ("dark", 1), ("light", 2), ("dark", 2)])
def test_dashboard_screenshot(
    demo_folder: Path, artifacts_dir: Path, theme: str, scale: int
) -> None:
    out = artifacts_dir / f"dashboard-{theme}-{scale * 100}pct.png"
    report = _render(demo_folder, out, theme, scale)
    assert report["problems"] == []
    assert report["period"] == "February 2026"
    assert report["pixels"] == [WIDTH * scale, HEIGHT * scale]
    image = QImage(str(out))
    assert (image.width(), image.height()) == (WIDTH * scale, HEIGHT * scale)
    window_colour = image.pixelColor(4, image.height() // 2)
    assert (window_colour.lightness() < 100) == (theme == "dark")
    # The README's copies change only when asked, so a test run leaves the checkout clean.
    if scale == 1 and os.environ.get("SEC_DESKTOP_UPDATE_DOCS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out, DOCS_SCREENSHOTS / f"dashboard-{theme}.png")
