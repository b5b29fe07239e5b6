"""Opening the tray must not load the dashboard: its modules load when it is first opened."""

from __future__ import annotations

import importlib.util

import pytest

from tests.helpers.imports import modules_loaded_by

DASHBOARD_AND_CHARTS = ("sec_desktop.ui.dashboard", "PySide6.QtCharts")


def _loaded_after(*lines: str) -> list[str]:
    """The dashboard and QtCharts modules loaded after running `lines` in a new interpreter."""
    return modules_loaded_by(*lines, prefixes=DASHBOARD_AND_CHARTS)


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
