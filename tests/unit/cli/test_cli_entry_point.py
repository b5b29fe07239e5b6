"""The installed `sec-desktop` command, run as a real process."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sec_desktop.cli.main import _write_crash_log


def _command() -> list[str]:
    """The console script next to this interpreter (the venv's), else `python -m sec_desktop`."""
    script = Path(sys.executable).parent / "sec-desktop"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which("sec-desktop", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "sec_desktop"]


def test_console_entry_point(isolated_dirs, tmp_path) -> None:
    env = dict(os.environ)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*_command(), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )

    version = run("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("sec-desktop ")

    framework = run("--tz", "Europe/Berlin", "framework", "--format", "json")
    assert framework.returncode == 0, framework.stderr
    assert len(json.loads(framework.stdout)["domains"]) == 3

    logged = run("--tz", "UTC", "log", "okr", "--minutes", "25", "--note", "from a process")
    assert logged.returncode == 0, logged.stderr
    assert "Strategy > Technology Planning > OKR management" in logged.stdout
    exported = run("export", "--format", "json", "--include-notes")
    (entry,) = json.loads(exported.stdout)["entries"]
    assert entry["note"] == "from a process"
    assert Path(isolated_dirs["data"], "entries").is_dir()

    # An error is one line on stderr, exit code 2, no traceback.
    failed = run("--tz", "Europe/Berlin", "log", "security", "--minutes", "10")
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert len(failed.stderr.splitlines()) == 1, failed.stderr
    assert failed.stderr.startswith("sec-desktop: activity 'security' is ambiguous")
    assert "Traceback" not in failed.stderr

    bad_time = run("--tz", "Europe/Berlin", "log", "okr", "--start", "2026-03-29T02:30")
    assert bad_time.returncode == 2
    assert len(bad_time.stderr.splitlines()) == 1
    assert "does not exist in Europe/Berlin" in bad_time.stderr
    assert "Traceback" not in bad_time.stderr


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_the_crash_log_is_private_even_under_umask_000(tmp_path: Path) -> None:
    old_umask = os.umask(0)
    try:
        written = _write_crash_log(tmp_path)
    finally:
        os.umask(old_umask)
    assert written is not None
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
