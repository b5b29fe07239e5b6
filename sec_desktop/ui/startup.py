"""The first moments of the tray app: logging, the QApplication and the tray icon, shown
before the rest of the app (store, framework, reminders, menus) is imported and built.

Only Qt's core, GUI and widget modules and the standard library are loaded here, so the icon
a user waits for at login comes about as soon as a bare Qt tray app's would. The app built
afterwards adopts the icon (TrayController), gives it its menu and its state's look, and only
then logs "ready: tray icon shown"."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QPixmapCache
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from sec_desktop import APP_ID, APP_NAME, __version__
from sec_desktop.store.atomic import ensure_private_dir, ensure_private_file

log = logging.getLogger(__name__)

# Read from the package folder (a frozen build keeps the same layout) rather than through
# importlib.resources, which is seven modules more in a process that stays resident.
ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
# PNG sizes scripts/make_icons.py renders from each drawing. Only PNGs are loaded: an SVG
# icon keeps QtSvg and its icon engine in the resident tray, and a PNG drawn at each size a
# panel asks for at the usual scales is as sharp there. The windows' icon stops at 128 px:
# X11 is handed every size for each window, and each stays decoded as long as the process
# (256 and 512 px were 1.3 MB); launchers and task switchers take the larger ones from the
# installed icon theme.
APP_ICON_SIZES = (16, 22, 24, 32, 48, 64, 128)
TRAY_ICON_SIZES = (16, 22, 24, 32, 36, 44, 48, 64, 72, 96, 128)
EARLY_ICON_LOG = "tray icon up, loading the rest"


def icon_file(name: str) -> str:
    return str(ICON_DIR / name)


def load_icon(state: str = "normal", *, app_icon: bool = False) -> QIcon:
    """The app's or the tray's icon (in `state`), at each size it was drawn in; Qt loads a
    size's file when it is first painted."""
    stem = "app" if app_icon else ("tray" if state == "normal" else f"tray-{state}")
    icon = QIcon()
    for size in APP_ICON_SIZES if app_icon else TRAY_ICON_SIZES:
        icon.addFile(icon_file(f"{stem}-{size}.png"), QSize(size, size))
    return icon


def configure_logging(config_dir: Path, level_name: str | None) -> None:
    """Warnings to stderr (INFO with $SEC_DESKTOP_LOG=info); everything from INFO to a file."""
    level = getattr(logging, (level_name or "WARNING").upper(), logging.WARNING)
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(level)
    console.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    root.addHandler(console)
    try:
        log_dir = config_dir / "logs"
        ensure_private_dir(log_dir)
        ensure_private_file(log_dir / "app.log")  # FileHandler would create it 0644
        handler = logging.FileHandler(log_dir / "app.log", encoding="utf-8")
        handler.setLevel(logging.INFO)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    except OSError:
        root.warning("the log file in %s could not be opened", config_dir)


def _set_windows_app_id() -> None:
    """Windows groups taskbar buttons and notifications by this id; the installer's
    Start-menu entry carries the same one, so the app's windows belong to it."""
    if sys.platform == "win32":
        import ctypes

        ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID(APP_ID)


def application(argv: list[str] | None = None) -> QApplication:
    """The process's QApplication, made with the app's names if it does not exist yet."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    _set_windows_app_id()
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationDomain("secdesktop.github.io")
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(APP_ID)
    qapp = QApplication(argv or sys.argv[:1])
    # Qt's pixmap cache runs a flush timer every 10 s for as long as it holds a pixmap (the
    # tray icon, a menu's drawing): 6 wakeups a minute of a resident app that draws little.
    # Off before the first icon is drawn, so its timer never starts.
    QPixmapCache.setCacheLimit(0)
    qapp.setWindowIcon(load_icon(app_icon=True))
    return qapp


@dataclass(frozen=True)
class ShownTray:
    """The icon start-up showed, and the menu the app fills in (held here: Qt does not own
    a tray icon's menu)."""

    icon: QSystemTrayIcon
    menu: QMenu


def show_icon_early() -> ShownTray | None:
    """The tray icon, in its normal look, shown now if a tray is there to take it; None
    otherwise (the app then waits for a tray, or opens its stand-in window, as it decides).

    Its menu is set before it shows, though still empty: a StatusNotifierItem host reads the
    item's menu path once, as it registers. A host asks for the menu's items over D-Bus, which
    is answered from the event loop, so only once the app has filled them in; a click before
    then waits in the event queue too."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    menu = QMenu()
    icon = QSystemTrayIcon(load_icon())
    icon.setObjectName("sec-desktop-tray")
    icon.setToolTip(APP_NAME)
    icon.setContextMenu(menu)
    icon.show()
    log.info("%s %s", APP_NAME, EARLY_ICON_LOG)
    return ShownTray(icon, menu)
