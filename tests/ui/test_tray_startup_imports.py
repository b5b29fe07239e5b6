"""The resident tray loads only what a tray and a picker need (issue 18): this fails when its
start-up path imports the keychain's tree, note crypto, QtNetwork or a window that only
opens on request, or keeps the source of what it imported. No timing: the app is started
offscreen in its own process, and its modules are listed once start-up has finished."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from sec_desktop.settings import load_settings, save_settings
from tests.helpers.processes import stop_process
from tests.helpers.scripts import offscreen_report

ROOT = Path(__file__).resolve().parents[2]

# Lists the modules once the tray has shown, the picker is built, the away monitor runs, the
# keychain has answered (from its own process) and the daily backup is done, and a first
# prompt has shown; then quits.
STARTED_APP = """
import json, linecache, sys
from PySide6.QtCore import QTimer
import sec_desktop.ui.app as ui_app
import sec_desktop.ui.tray as ui_tray

started = []
at_icon = []
original_tray_start = ui_tray.TrayController.start

def tray_start(self, wait_s):
    original_tray_start(self, wait_s)
    at_icon.extend(sorted(sys.modules))  # where the icon shows when a tray is there

ui_tray.TrayController.start = tray_start
original_start = ui_app.SecDesktopApp.start

def start(self):
    started.append(self)
    original_start(self)

ui_app.SecDesktopApp.start = start

def settled(app):
    backup = app._backup_job
    return (
        app.tray.mode is not None and app.privacy is not None and app._away is not None
        and app._picker is not None and backup is not None and backup.done()
    )

def look():
    if started and settled(started[0]):
        app = started[0]
        app.review_nudge.check()  # its first look, due 20 s after start
        app.log_now()  # a first prompt, in the picker (the default surface)
        shown = app.picker_visible()
        modules, sources = sorted(sys.modules), sorted(linecache.cache)
        print(json.dumps({
            "modules": modules, "sources": sources, "picker_shown": shown, "at_icon": at_icon
        }))
        app.quit()
    else:
        QTimer.singleShot(20, look)

QTimer.singleShot(0, look)
sys.argv = ["sec-desktop"]
from sec_desktop.__main__ import main
sys.exit(main())
"""

# Loaded only when a note is sealed or opened, or in the keychain check's own process.
KEYCHAIN_AND_CRYPTO = ("keyring", "secretstorage", "cryptography")
# The single-instance socket is plain Python on Unix.
NETWORK = ("PySide6.QtNetwork",) if sys.platform != "win32" else ()
# Windows that open on request.
ON_REQUEST = (
    "sec_desktop.ui.dashboard",
    "sec_desktop.ui.dialogs",
    "sec_desktop.ui.import_wizard",
    "sec_desktop.ui.mindmap",
    "sec_desktop.ui.review.window",
    "sec_desktop.ui.picker.timer_chooser",
    "sec_desktop.interop",
    "sec_desktop.analytics.review",
    # Prompts as notifications: only where that setting is chosen.
    "sec_desktop.ui.prompt_notice",
    "asyncio",
)


# Loaded once the icon shows, from the event loop: the picker and its search, the keychain
# check's side, the away monitor, the global shortcut, notifications, the backup, the other
# command-line commands' modules.
AFTER_THE_ICON = (
    "sec_desktop.privacy",
    "sec_desktop.ui.picker",
    "sec_desktop.platform.sleep",
    "sec_desktop.platform.idle",
    "sec_desktop.platform.recent_input",
    "sec_desktop.platform.notifications",
    "sec_desktop.ui.global_shortcut",
    "sec_desktop.ui.review.notice",
    "sec_desktop.store.backup",
    *(
        f"sec_desktop.cli.{name}"
        for name in ("framework", "log", "entries", "report", "export", "importing", "demo")
    ),
)


def started_modules(isolated_dirs: dict[str, Path]) -> dict[str, Any]:
    config = isolated_dirs["config"]
    # A returning user: the first-run orientation (a dialog) does not open.
    save_settings(config, load_settings(config).settings.replace(first_run_done=True))
    return offscreen_report(STARTED_APP, [], scale=1, extra_env={"PYTHONPATH": str(ROOT)})


def loaded(modules: list[str], packages: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(f"{p}.") for p in packages)]


def test_the_tray_starts_without_keychain_crypto_network_or_windows(
    isolated_dirs: dict[str, Path],
) -> None:
    started = started_modules(isolated_dirs)
    modules = started["modules"]
    assert "sec_desktop.ui.picker.window" in modules  # the probe saw a started tray
    assert started["picker_shown"]
    assert loaded(modules, KEYCHAIN_AND_CRYPTO) == []
    assert loaded(modules, NETWORK) == []
    assert loaded(modules, ON_REQUEST) == []
    # PySide6's import hook reads each module's source, its own and the standard library's
    # as it loads too; none of it is kept.
    assert started["sources"] == []


def test_the_icon_shows_before_the_rest_is_loaded(isolated_dirs: dict[str, Path]) -> None:
    started = started_modules(isolated_dirs)
    at_icon = started["at_icon"]
    assert "sec_desktop.ui.tray" in at_icon  # the probe saw the tray start
    assert loaded(at_icon, AFTER_THE_ICON) == []
    # ...and all of it is there once start-up has settled.
    for module in ("sec_desktop.ui.picker.window", "sec_desktop.platform.sleep"):
        assert module in started["modules"]


def mapped_files(pid: int) -> set[str]:
    maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split()[-1] for line in maps if len(line.split()) >= 6}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/maps")
def test_the_launched_tray_keeps_no_openssl_or_svg(
    isolated_dirs: dict[str, Path], tmp_path: Path
) -> None:
    """`sec-desktop` as the launcher runs it: its few SHA-256 digests come from Python's own
    hashing, so OpenSSL's libcrypto is never mapped; and the digests agree with OpenSSL's. Its
    icons are PNGs, so QtSvg and its icon engine are not mapped either."""
    config = isolated_dirs["config"]
    save_settings(config, load_settings(config).settings.replace(first_run_done=True))
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
        "SEC_DESKTOP_LOG": "info",
        "SEC_DESKTOP_TRAY_WAIT_S": "0",
    }
    log_path = tmp_path / "app.log"
    with log_path.open("w") as log_file:
        app = subprocess.Popen(
            [sys.executable, "-m", "sec_desktop"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        # Settled: the backup and the keychain check, the last of start-up's work, are done.
        while not all(
            line in log_path.read_text() for line in ("ready:", "daily backup", "notes:")
        ):
            assert app.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.05)
        mapped = mapped_files(app.pid)
    finally:
        stop_process(app)
    assert mapped, "the app's memory map was not read"
    assert not [f for f in mapped if "libcrypto" in f or "_hashlib" in f]
    assert not [f for f in mapped if "Svg" in f or "qsvg" in f]


def test_python_sha256_gives_openssls_digests() -> None:
    import _sha256  # type: ignore[import-not-found]

    text = b"/home/someone/SEC Desktop data"
    assert _sha256.sha256(text).hexdigest() == hashlib.sha256(text).hexdigest()
