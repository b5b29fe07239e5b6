"""At 200% scale on a 1920 x 1080 laptop screen (960 x 540 logical pixels) the dashboard, the
mindmap, the import wizard and the settings dialog open no larger than the screen's free
area; on a screen with room they keep their usual size.

Each run is its own interpreter: Qt fixes the scale factor and the screens when it starts.
The offscreen platform takes the screen from a JSON file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.scripts import LAPTOP_SCREEN, laptop_screen_config, offscreen_report

SCREEN = LAPTOP_SCREEN

OPEN_WINDOWS = r"""
import json, sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QApplication

from sec_desktop.framework import load_framework
from sec_desktop.settings import Settings
from sec_desktop.store import EntryStore
from sec_desktop.ui.dashboard.window import DashboardWindow
from sec_desktop.ui.dialogs.settings import SettingsDialog
from sec_desktop.ui.import_wizard.wizard import ImportWizard
from sec_desktop.ui.mindmap.window import MindmapWindow

root, shot = Path(sys.argv[1]), sys.argv[2]
app = QApplication(["fit"])
now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
tz = ZoneInfo("Europe/Berlin")
framework = load_framework()
store = EntryStore(root / "data", "laptop", clock=lambda: now)
windows = {
    "dashboard": DashboardWindow(
        framework, store, root / "data", root / "config", tz, now=lambda: now
    ),
    "mindmap": MindmapWindow(framework, store, tz, now=lambda: now),
    "import wizard": ImportWizard(
        framework, store, root / "data", root / "config", tz, lambda: now
    ),
    "settings": SettingsDialog(Settings(), root / "config", default_data_dir=root / "data"),
}
for window in windows.values():
    window.show()
app.processEvents()
area = app.primaryScreen().availableGeometry()
windows["dashboard"].grab().save(shot)
print(json.dumps({
    "area": [area.width(), area.height()],
    "sizes": {name: [w.frameGeometry().width(), w.frameGeometry().height()]
              for name, w in windows.items()},
}))
windows["dashboard"].shutdown()
"""


def _open_windows(tmp_path: Path, scale: int, shot: Path) -> dict[str, object]:
    config = laptop_screen_config(tmp_path)
    return offscreen_report(
        OPEN_WINDOWS, [str(tmp_path), str(shot)], scale=scale, screen_config=config
    )


@pytest.mark.slow
def test_windows_open_within_the_screen_at_200_percent(tmp_path: Path, artifacts_dir: Path) -> None:
    report = _open_windows(tmp_path, 2, artifacts_dir / "dashboard-200pct-on-1080p.png")
    width, height = report["area"]  # type: ignore[misc]
    assert (width, height) == (SCREEN["width"] // 2, SCREEN["height"] // 2)
    sizes = report["sizes"]
    assert isinstance(sizes, dict)
    assert set(sizes) == {"dashboard", "mindmap", "import wizard", "settings"}
    for name, (w, h) in sizes.items():
        assert w <= width and h <= height, f"the {name} is {w} x {h} on a {width} x {height} area"


@pytest.mark.slow
def test_windows_keep_their_size_where_the_screen_has_room(tmp_path: Path) -> None:
    report = _open_windows(tmp_path, 1, tmp_path / "dashboard.png")
    sizes = report["sizes"]
    assert isinstance(sizes, dict)
    # The frame adds a few pixels offscreen; the content is the usual 1280 x 800.
    assert sizes["dashboard"][0] >= 1280 and sizes["dashboard"][1] >= 800
    assert sizes["mindmap"][0] >= 1280 and sizes["mindmap"][1] >= 800
