"""`sec-desktop --self-test`: does this build work on this machine?

Run by the installers' smoke tests and by a user who wonders whether a bundle is whole. Each
check exercises what a frozen build most often loses: the framework data files, the store's
libraries, the notes cipher's OpenSSL, keyring's backends (found through package metadata),
the time zone data, the notification library, and Qt's platform and image plugins with a
tray icon shown and hidden.

Everything is written to a temporary folder that is removed afterwards; the user's data,
settings and keychain are only read (the keychain's state), never changed. Qt is imported
inside the tray check only, so the module stays importable from the core.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from sec_desktop import APP_NAME, __version__

DEFAULT_TRAY_TIMEOUT_S = 15.0
KEYRING_TIMEOUT_S = 5.0
SELF_TEST_DEVICE = "self-test"


class SelfTestFailure(Exception):
    """A check failed; the message says what and why in one sentence."""


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    passed: bool
    detail: str


def _check_framework(data_dir: Path) -> str:
    from sec_desktop.framework.customization import load_user_framework
    from sec_desktop.framework.model import Level

    framework, problems = load_user_framework(data_dir)
    if problems:
        raise SelfTestFailure("; ".join(problems))
    counts = [len(framework.of_level(level)) for level in Level]
    if counts[0] != 3 or counts[1] < 10 or counts[2] < 30:
        raise SelfTestFailure(
            f"the framework is incomplete: {counts[0]} domains, {counts[1]} focus areas, "
            f"{counts[2]} activities"
        )
    return f"{counts[0]} domains, {counts[1]} focus areas, {counts[2]} activities"


def _check_store(data_dir: Path) -> str:
    from sec_desktop.framework.loader import load_framework
    from sec_desktop.framework.model import Level
    from sec_desktop.store.entry import Entry
    from sec_desktop.store.store import EntryStore

    activity = load_framework().of_level(Level.ACTIVITY)[0].id
    end = datetime.now(UTC).replace(microsecond=0)
    written = Entry.new(
        start=end - timedelta(minutes=30),
        end=end,
        tz="UTC",
        activity=activity,
        source="manual",
        device=SELF_TEST_DEVICE,
        note="self-test",
    )
    store = EntryStore(data_dir, SELF_TEST_DEVICE)
    try:
        store.add(written)
    finally:
        store.close()
    # A second store reads the file back from disk, not from the first one's cache.
    reader = EntryStore(data_dir, SELF_TEST_DEVICE)
    try:
        read = reader.get(written.id)
        problems = list(reader.problems)
    finally:
        reader.close()
    if problems:
        raise SelfTestFailure(f"the store reported problems: {problems}")
    if read != written:
        raise SelfTestFailure(f"the entry read back differs from the one written: {read}")
    return f"wrote and read back an entry of {activity}"


def _check_cipher() -> str:
    from sec_desktop.store.notes_crypto import KEY_BYTES, NoteCipher

    cipher = NoteCipher(os.urandom(KEY_BYTES), "self-test")
    sealed = cipher.seal("a note", "entry-1")
    if cipher.open(sealed, "entry-1") != "a note":
        raise SelfTestFailure("a note did not decrypt to what was encrypted")
    return "AES-GCM round trip"


def _check_keyring(config_dir: Path) -> str:
    from sec_desktop.privacy.keychain import SecretStore, known_backends

    backends = known_backends()
    if not backends:
        # keyring then has no backend on any machine: the build lost its package metadata.
        raise SelfTestFailure("no keyring backend is in this build (keyring's metadata is lost)")
    status = SecretStore(timeout_s=KEYRING_TIMEOUT_S, lock_dir=config_dir).status()
    return (
        f"backends in this build: {', '.join(backends)}; on this machine: "
        f"{status.backend_name}, {status.state.value}"
    )


def _check_zone() -> str:
    from zoneinfo import ZoneInfo

    import tzlocal

    name = tzlocal.get_localzone_name() or "UTC"
    # The bundled tzdata must have zones the OS may lack (Windows has none).
    ZoneInfo("America/New_York")
    ZoneInfo(name)
    return f"local zone {name}"


def _wait(
    condition: Callable[[], bool], timeout_s: float, process_events: Callable[[], None]
) -> bool:
    deadline = time.monotonic() + timeout_s
    while True:
        process_events()
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def _check_tray(tray_timeout_s: float) -> Iterator[CheckOutcome]:
    """Qt's platform plugin, the SVG plugins, then a tray icon shown and hidden."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImageReader
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    from sec_desktop.ui.startup import load_icon

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    platform = app.platformName()
    formats = {bytes(fmt.data()).decode() for fmt in QImageReader.supportedImageFormats()}
    if "svg" not in formats:
        yield CheckOutcome("Qt", False, f"no SVG image plugin (formats: {sorted(formats)})")
        return
    icon = load_icon(app_icon=True)
    if icon.pixmap(QSize(64, 64)).isNull():
        yield CheckOutcome("Qt", False, "the app icon renders empty")
        return
    yield CheckOutcome("Qt", True, f"Qt {_qt_version()} on the {platform} platform, SVG icons")

    if not _wait(QSystemTrayIcon.isSystemTrayAvailable, tray_timeout_s, app.processEvents):
        yield CheckOutcome("tray", False, f"no system tray appeared within {tray_timeout_s:g} s")
        return
    tray = QSystemTrayIcon(load_icon())
    tray.setToolTip(f"{APP_NAME} self-test")
    tray.show()
    shown = _wait(
        lambda: tray.isVisible() and tray.geometry().isValid(), tray_timeout_s, app.processEvents
    )
    geometry = tray.geometry()
    tray.hide()
    hidden = _wait(lambda: not tray.isVisible(), tray_timeout_s, app.processEvents)
    tray.deleteLater()
    app.processEvents()
    if not shown:
        yield CheckOutcome(
            "tray", False, f"the tray icon was not placed in the tray within {tray_timeout_s:g} s"
        )
    elif not hidden:
        yield CheckOutcome("tray", False, "the tray icon could not be hidden")
    else:
        size = f"{geometry.width()}x{geometry.height()}"
        yield CheckOutcome("tray", True, f"icon shown ({size}) and hidden")


def _qt_version() -> str:
    from PySide6.QtCore import qVersion

    return str(qVersion())


# The library each OS's prompt notifications load lazily, which a frozen build can lose.
NOTIFICATION_MODULES = {
    "darwin": "desktop_notifier.backends.macos",
    "win32": "windows_toasts",
    "linux": "jeepney",
}


def check_notification_library(platform: str = sys.platform) -> str:
    """The notification library loads; whether this machine gives buttons is only reported
    (a bundle run from a disk image or before install has no shortcut), never shown."""
    import importlib

    from sec_desktop.platform.notifications_backend import native_backend_problem

    module = NOTIFICATION_MODULES.get(platform)
    if module is None:
        return f"no notification buttons on {platform}; the picker asks"
    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise SelfTestFailure(f"{module} is not in this build ({exc})") from exc
    if platform == "linux":
        return f"{module} loads"
    problem = native_backend_problem(platform)
    return f"{module} loads; here: {problem or 'prompts can come with buttons'}"


def _run_check(name: str, check: Callable[[], str]) -> CheckOutcome:
    try:
        return CheckOutcome(name, True, check())
    except SelfTestFailure as exc:
        return CheckOutcome(name, False, str(exc))
    except Exception as exc:  # noqa: BLE001 - any failure is the answer, named with its type
        return CheckOutcome(name, False, f"{type(exc).__name__}: {exc}")


def run_self_test(
    out: TextIO, *, tray_timeout_s: float = DEFAULT_TRAY_TIMEOUT_S, with_tray: bool = True
) -> int:
    """Run every check, print one line each, and return 0 when all passed, else 1."""
    build = "frozen bundle" if getattr(sys, "frozen", False) else "from source"
    out.write(f"{APP_NAME} {__version__} self-test ({build}, {sys.platform})\n")
    outcomes: list[CheckOutcome] = []

    def report(outcome: CheckOutcome) -> None:
        outcomes.append(outcome)
        out.write(f"  {'ok  ' if outcome.passed else 'FAIL'} {outcome.name}: {outcome.detail}\n")
        out.flush()

    with tempfile.TemporaryDirectory(prefix="sec-desktop-self-test-") as scratch:
        data_dir, config_dir = Path(scratch) / "data", Path(scratch) / "config"
        config_dir.mkdir()
        report(_run_check("framework", lambda: _check_framework(data_dir)))
        report(_run_check("store", lambda: _check_store(data_dir)))
        report(_run_check("notes encryption", _check_cipher))
        report(_run_check("keyring", lambda: _check_keyring(config_dir)))
        report(_run_check("time zones", _check_zone))
        report(_run_check("notifications", check_notification_library))
        if with_tray:
            try:
                for outcome in _check_tray(tray_timeout_s):
                    report(outcome)
            except Exception as exc:  # noqa: BLE001 - reported like any failed check
                report(CheckOutcome("tray", False, f"{type(exc).__name__}: {exc}"))
    failed = [outcome for outcome in outcomes if not outcome.passed]
    if failed:
        reasons = "; ".join(f"{outcome.name}: {outcome.detail}" for outcome in failed)
        out.write(f"Self-test failed: {reasons}\n")
        return 1
    out.write("Self-test passed.\n")
    return 0
