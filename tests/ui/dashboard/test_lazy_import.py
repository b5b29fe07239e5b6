"""Opening the tray must not load the dashboard: its modules load when it is first opened."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

REPORT = """
loaded = sorted(
    m for m in sys.modules
    if m.startswith(("sec_desktop.ui.dashboard", "PySide6.QtCharts"))
)
print(",".join(loaded))
"""


def _loaded_after(*lines: str) -> list[str]:
    """The dashboard and QtCharts modules loaded after running `lines` in a new interpreter."""
    code = "\n".join(["import sys", *lines, REPORT])
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    return [m for m in result.stdout.strip().split(",") if m]


@pytest.mark.parametrize("module", ["sec_desktop.ui.tray", "sec_desktop.ui.app"])
def test_the_tray_and_the_app_do_not_load_the_dashboard(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} does not exist yet")
    assert _loaded_after(f"import {module}") == []


def test_the_dashboard_package_loads_its_window_only_when_asked() -> None:
    assert _loaded_after("import sec_desktop.ui.dashboard") == ["sec_desktop.ui.dashboard"]
    loaded = _loaded_after(
        "import sec_desktop.ui.dashboard as dashboard", "dashboard.DashboardWindow"
    )
    assert "sec_desktop.ui.dashboard.window" in loaded
    assert not [m for m in loaded if m.startswith("PySide6.QtCharts")]
