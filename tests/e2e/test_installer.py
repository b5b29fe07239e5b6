"""The Linux installer, end to end: build the .deb, install it with dpkg, run the installed
launcher's --self-test under Xvfb with a tray host, start the installed app and find its
tray icon, then remove the package and check that nothing is left under /opt or on PATH.

It changes the machine (dpkg -i as root), so it runs only where that is allowed: as root on
a Debian-based system that doesn't already have the package installed by someone else.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sec_desktop import APP_ID
from sec_desktop.settings import load_settings, save_settings
from sec_desktop.store import EntryStore
from tests.e2e.xsession import XSession, app_process, missing_tools, wait_for, x_session
from tests.helpers.ids import OKR

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "sec-desktop"
INSTALL_DIR = Path("/opt/sec-desktop")
LAUNCHER = Path("/usr/bin/sec-desktop")
# PATH as a login shell has it: the test's own PATH starts with .venv/bin, which has a
# `sec-desktop` of its own.
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
APP_TITLE = "SEC Desktop"


def _installed_version() -> str | None:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status} ${Version}", PACKAGE],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or "install ok installed" not in result.stdout:
        return None
    return result.stdout.split()[-1]


def _why_not_here() -> str | None:
    if not sys.platform.startswith("linux") or shutil.which("dpkg") is None:
        return "the .deb is built and installed on Debian-based Linux only"
    if os.geteuid() != 0:
        return "installing a .deb needs root (CI runs as root)"
    if _installed_version() is not None:
        return f"{PACKAGE} is already installed on this machine; not replacing it"
    return None


pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(missing_tools()) and not os.environ.get("CI"),
        reason=f"end-to-end tools missing: {missing_tools()}",
    ),
]


def _purge() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["dpkg", "--purge", PACKAGE], capture_output=True, text=True, check=False, timeout=300
    )


@pytest.fixture
def built_deb(tmp_path: Path) -> Path:
    """The .deb built by the same script as a release, with its lintian and validator checks."""
    reason = _why_not_here()
    if reason is not None:
        pytest.skip(reason)
    out, work = tmp_path / "installers", tmp_path / "work"
    script = ROOT / "scripts" / "build_installer.py"
    result = subprocess.run(
        [sys.executable, str(script), "--out", str(out), "--work", str(work)],
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )
    assert result.returncode == 0, f"build-installer failed:\n{result.stdout}\n{result.stderr}"
    debs = sorted(out.glob(f"{PACKAGE}_*.deb"))
    assert len(debs) == 1, f"expected one .deb in {out}: {debs}"
    assert sorted(out.glob(f"{PACKAGE}-*-linux-*.tar.gz")), "the tarball is missing"
    return debs[0]


@pytest.fixture
def installed(built_deb: Path) -> Iterator[list[Path]]:
    """The package installed with dpkg -i; purged afterwards even when the test fails."""
    try:
        result = subprocess.run(
            ["dpkg", "-i", str(built_deb)], capture_output=True, text=True, check=False, timeout=300
        )
        assert result.returncode == 0, f"dpkg -i failed:\n{result.stdout}\n{result.stderr}"
        listing = subprocess.run(
            ["dpkg", "-L", PACKAGE], capture_output=True, text=True, check=True
        ).stdout
        yield [Path(line) for line in listing.splitlines() if line.strip()]
    finally:
        if _installed_version() is not None or INSTALL_DIR.exists():
            _purge()


@pytest.fixture
def session(isolated_dirs: dict[str, Path]) -> Iterator[XSession]:
    with x_session(dict(os.environ)) as xs:
        yield xs


def _missing_libraries(folder: Path) -> list[str]:
    """Shared libraries the installed bundle's ELF files can't resolve on this system."""
    missing = []
    for path in [*sorted(folder.rglob("*.so*")), folder / PACKAGE]:
        if path.is_symlink() or not path.is_file():
            continue
        result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False)
        missing += [
            f"{path.relative_to(folder)}: {line.strip()}"
            for line in result.stdout.splitlines()
            if "not found" in line
        ]
    return missing


def test_deb_installs_runs_in_the_tray_and_removes_cleanly(
    installed: list[Path],
    session: XSession,
    isolated_dirs: dict[str, Path],
    artifacts_dir: Path,
) -> None:
    # Installed where the design says, with the launcher on PATH.
    assert (INSTALL_DIR / PACKAGE).is_file()
    assert LAUNCHER.is_symlink() and LAUNCHER.resolve() == INSTALL_DIR / PACKAGE
    assert shutil.which(PACKAGE, path=SYSTEM_PATH) == str(LAUNCHER)
    for path in (
        Path(f"/usr/share/applications/{APP_ID}.desktop"),
        Path(f"/usr/share/metainfo/{APP_ID}.metainfo.xml"),
        Path(f"/usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg"),
        Path(f"/usr/share/icons/hicolor/256x256/apps/{APP_ID}.png"),
        Path("/usr/share/man/man1/sec-desktop.1.gz"),
    ):
        assert path in installed, f"{path} is not in the package"
        assert path.is_file(), f"{path} was not installed"
    # Every library the bundle leaves to the system is there (the Depends line is complete
    # for this machine's packages, which the test scripts install from the same list).
    assert _missing_libraries(INSTALL_DIR / "_internal") == []

    env = {**session.env, "PATH": SYSTEM_PATH, "SEC_DESKTOP_TRAY_WAIT_S": "30"}
    self_test = subprocess.run(
        [str(LAUNCHER), "--self-test"], env=env, capture_output=True, text=True, timeout=120
    )
    assert self_test.returncode == 0, self_test.stdout + self_test.stderr
    assert "(frozen bundle, linux)" in self_test.stdout
    assert "Self-test passed." in self_test.stdout
    assert "FAIL" not in self_test.stdout

    # The installed app itself: it starts, its icon docks in trayer's panel, and it quits
    # when asked through the installed launcher.
    config = isolated_dirs["config"]
    save_settings(config, load_settings(config).settings.replace(first_run_done=True))
    with app_process(env, command=(str(LAUNCHER),)) as app:
        wait_for(lambda: APP_TITLE in session.tray_children(), 30, "the tray icon")
        assert session.tray_icon_geometry(APP_TITLE) is not None
        # The bundle reaches the system's libX11 for its global shortcut.
        wait_for(
            lambda: "global shortcut Ctrl+Alt+Space set (X11 key grab)" in app.log(),
            30,
            "the installed app's shortcut grab",
        )
        session.screenshot(artifacts_dir / "e2e-installed-tray.png")
        status = app.cli("status", "--format", "json")
        assert status.returncode == 0, status.stderr
        assert '"version"' in status.stdout
        logged = app.cli("log", "okr", "--minutes", "30")
        assert logged.returncode == 0, logged.stderr
        assert app.cli("quit").returncode == 0
        app.process.wait(timeout=30)
        assert app.process.returncode == 0, app.log()

    removed = _purge()
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert _installed_version() is None
    assert not INSTALL_DIR.exists(), f"left behind: {sorted(INSTALL_DIR.rglob('*'))[:10]}"
    assert shutil.which(PACKAGE, path=SYSTEM_PATH) is None
    left = [path for path in installed if path.is_file() or path.is_symlink()]
    assert left == [], f"files of the package left after removal: {left[:10]}"
    # The user's data is theirs: removing the app leaves the entry logged above.
    store = EntryStore(isolated_dirs["data"], "reader")
    assert [entry.activity for entry in store.entries()] == [OKR]
