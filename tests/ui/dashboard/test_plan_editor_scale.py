"""The plan editor at 200% scale on a 1920 x 1080 screen (960 x 540 logical pixels) opens no
larger than the screen's free area, and keeps its usual size where there is room.

Each run is its own interpreter: Qt fixes the scale factor and the screens when it starts; the
offscreen platform takes the screen from a JSON file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.scripts import LAPTOP_SCREEN, laptop_screen_config, offscreen_report

SCREEN = LAPTOP_SCREEN

OPEN_EDITOR = r"""
import json, sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from sec_desktop.analytics.plan_records import PlanStore
from sec_desktop.analytics.targets import Quarter
from sec_desktop.framework import load_framework
from sec_desktop.ui.dashboard.plan_editor import PlanEditorDialog

root, shot = Path(sys.argv[1]), sys.argv[2]
app = QApplication(["fit"])
framework = load_framework()
profile = framework.profiles["default"]
store = PlanStore(root / "data", "laptop")
store.save_quarter(Quarter(2026, 4), {"strategy": 0.40, "execution": 0.5}, framework, profile)
dialog = PlanEditorDialog(
    framework, store, profile, Quarter(2026, 4), actual_for=lambda q: ({"strategy": 0.25}, "so far")
)
dialog.show()
app.processEvents()
area = app.primaryScreen().availableGeometry()
dialog.grab().save(shot)
size = dialog.frameGeometry()
print(json.dumps({"area": [area.width(), area.height()], "size": [size.width(), size.height()]}))
"""


def _open_editor(tmp_path: Path, scale: int, shot: Path) -> dict[str, list[int]]:
    config = laptop_screen_config(tmp_path)
    return offscreen_report(
        OPEN_EDITOR, [str(tmp_path), str(shot)], scale=scale, screen_config=config
    )


@pytest.mark.slow
def test_the_editor_fits_the_screen_at_200_percent(tmp_path: Path, artifacts_dir: Path) -> None:
    report = _open_editor(tmp_path, 2, artifacts_dir / "plan-editor-200pct-on-1080p.png")
    (width, height), (w, h) = report["area"], report["size"]
    assert (width, height) == (SCREEN["width"] // 2, SCREEN["height"] // 2)
    assert w <= width and h <= height, f"the editor is {w} x {h} on a {width} x {height} area"


@pytest.mark.slow
def test_the_editor_keeps_its_size_where_the_screen_has_room(tmp_path: Path) -> None:
    report = _open_editor(tmp_path, 1, tmp_path / "editor.png")
    w, h = report["size"]
    assert w >= 880 and h >= 600
