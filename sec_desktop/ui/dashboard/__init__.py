"""The dashboard window. Its modules load on first use, so the tray starts without them.

`DashboardWindow` is imported from `window` only when asked for; `run_dashboard_app` opens the
window on its own (as `sec-desktop demo` does).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from sec_desktop.framework import Framework
    from sec_desktop.ui.dashboard.window import DashboardWindow

__all__ = ["DashboardWindow", "run_dashboard_app"]


def __getattr__(name: str) -> Any:
    if name == "DashboardWindow":
        from sec_desktop.ui.dashboard.window import DashboardWindow

        return DashboardWindow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run_dashboard_app(
    data_dir: Path,
    config_dir: Path,
    tz: ZoneInfo | None = None,
    framework: Framework | None = None,
) -> int:
    """Open the dashboard on `data_dir` and run the event loop until it closes.

    Creates the QApplication when there is none; returns the loop's exit code.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from sec_desktop import APP_ID, APP_NAME
    from sec_desktop.framework import load_framework
    from sec_desktop.timefmt import system_zone
    from sec_desktop.ui.dashboard.window import DashboardWindow
    from sec_desktop.workspace import Workspace

    app = QApplication.instance()
    if app is None:
        # Fractional scale factors (150%) are kept as they are, so text and charts stay sharp.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication([APP_NAME])
        app.setApplicationName(APP_NAME)
        app.setDesktopFileName(APP_ID)
    workspace = Workspace(data_dir, config_dir)
    store = workspace.store
    window = DashboardWindow(
        framework or load_framework(), store, data_dir, config_dir, tz or system_zone()
    )
    window.show()
    try:
        return app.exec()
    finally:
        window.shutdown()
        window.close()
        window.deleteLater()
        workspace.close()
