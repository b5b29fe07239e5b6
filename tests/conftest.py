"""Every test runs with its own home, data and config folders under tmp_path.

The real home folder is never touched: the session fails if SEC Desktop's folders there
appear or change while the tests run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from sec_desktop import APP_DIR_NAME

# Offscreen unless a test (the end-to-end ones) asks for a real X server.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_REAL_APP_DIRS = [
    platformdirs.user_data_path(APP_DIR_NAME, appauthor=False),
    platformdirs.user_config_path(APP_DIR_NAME, appauthor=False),
    platformdirs.user_state_path(APP_DIR_NAME, appauthor=False),
]


def _snapshot(paths: list[Path]) -> dict[Path, int | None]:
    return {p: (p.stat().st_mtime_ns if p.exists() else None) for p in paths}


@pytest.fixture(scope="session", autouse=True)
def _real_home_untouched() -> Iterator[None]:
    before = _snapshot(_REAL_APP_DIRS)
    yield
    after = _snapshot(_REAL_APP_DIRS)
    changed = [str(p) for p in _REAL_APP_DIRS if before[p] != after[p]]
    assert not changed, f"tests touched the real home folder: {changed}"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point HOME, the XDG folders and SEC Desktop's own folders into tmp_path."""
    home = tmp_path / "home"
    dirs = {
        "home": home,
        "data": tmp_path / "data",
        "config": tmp_path / "config",
    }
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("SEC_DESKTOP_DATA_DIR", str(dirs["data"]))
    monkeypatch.setenv("SEC_DESKTOP_CONFIG_DIR", str(dirs["config"]))
    # Never the user's real keychain: keyring (and every subprocess) sees no backend unless a
    # test sets one with keyring.set_keyring or its own environment.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return dirs


@pytest.fixture(autouse=True)
def private_runtime_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """$XDG_RUNTIME_DIR, where the app keeps its socket: private, and short enough for a
    socket path (tmp_path itself can be too long for one)."""
    runtime = tmp_path_factory.mktemp("run")
    runtime.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    return runtime


ARTIFACTS_ROOT = Path(__file__).resolve().parent.parent / "build" / "test-artifacts"


@pytest.fixture
def artifacts_dir() -> Path:
    """Where tests leave screenshots and reports for people to look at (kept after the run).

    `build/test-artifacts/` in the checkout, or $SEC_DESKTOP_ARTIFACTS_DIR when CI wants them
    elsewhere. Nothing here is read back by the tests themselves.
    """
    root = Path(os.environ.get("SEC_DESKTOP_ARTIFACTS_DIR", ARTIFACTS_ROOT))
    root.mkdir(parents=True, exist_ok=True)
    return root
