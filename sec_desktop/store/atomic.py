"""Crash-safe file replacement: a reader sees the old bytes or the new, never a torn file."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sec_desktop.store.sync_engine_files import engine_temp_file

FILE_MODE = 0o600
DIR_MODE = 0o700
TEMP_SUFFIX = ".tmp"
# What `atomic_write_bytes` names its temp file: `.<file name>.<random>.tmp`, the random part
# as `tempfile.mkstemp` makes it (8 of a-z, 0-9, _). A sync engine's download that happens to
# fit is told apart by `is_own_temp_file`.
OWN_TEMP_FILE = re.compile(r"^\.(?P<target>[^/\\]+)\.[a-z0-9_]+\.tmp$")
# Windows refuses os.replace while another process (antivirus, a sync engine) holds the target.
RETRY_REFUSED_REPLACE = sys.platform == "win32"
REPLACE_RETRIES = 8
REPLACE_FIRST_WAIT_S = 0.01


def ensure_private_dir(path: Path) -> None:
    """Create `path` (and parents) and make sure the leaf is private to the user."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if os.name == "posix" and (path.stat().st_mode & 0o777) != DIR_MODE:
        path.chmod(DIR_MODE)


def ensure_private_file(path: Path) -> None:
    """Create `path` empty if missing and make it private to the user, whatever the umask,
    before something that appends to it (a log) opens it; its contents are kept."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, FILE_MODE)
    try:
        if os.name == "posix":
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable; a no-op where directories can't be opened (Windows)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace_with_retry(src: Path, dst: Path) -> None:
    wait_s = REPLACE_FIRST_WAIT_S
    for attempt in range(REPLACE_RETRIES):
        try:
            src.replace(dst)
        except PermissionError:
            if not RETRY_REFUSED_REPLACE or attempt == REPLACE_RETRIES - 1:
                raise
            time.sleep(wait_s)
            wait_s *= 2
        else:
            return


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` durably: temp file in the same folder, fsync, replace, fsync dir.

    On any failure the temp file is removed and the previous file is left byte-identical.
    """
    folder = path.parent
    import tempfile  # loads shutil and random: only for a write, never for a read

    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder)
    tmp_path = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if os.name == "posix":
                os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _replace_with_retry(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise
    fsync_dir(folder)


def keep_aside(path: Path, now: datetime, infix: str) -> Path:
    """Move `path` to `<name><infix><UTC time>` (then `-1`, `-2`...), never over an earlier
    kept copy, and return where it went."""
    moment = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}{infix}{moment}")
    counter = 1
    while target.exists() or target.is_symlink():
        target = path.with_name(f"{path.name}{infix}{moment}-{counter}")
        counter += 1
    path.replace(target)
    return target


def set_aside_unreadable(path: Path) -> Path:
    """Move a damaged file to a free `<name>.unreadable` (then `-2`, `-3`...), never over an
    earlier kept copy, and return where it went."""
    target = path.with_name(f"{path.name}.unreadable")
    suffix = 1
    while target.exists() or target.is_symlink():
        suffix += 1
        target = path.with_name(f"{path.name}.unreadable-{suffix}")
    path.replace(target)
    return target


def is_own_temp_file(name: str) -> bool:
    """Whether `name` is a temp file of `atomic_write_bytes`, never a sync engine's download
    (Syncthing's `.syncthing.<name>.tmp` is that engine's, in progress or to resume)."""
    return OWN_TEMP_FILE.match(name) is not None and engine_temp_file(name) is None


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Delete temp files a killed writer left behind; call only while holding the write lock.

    Only the app's own (`is_own_temp_file`): a sync engine's download in the same folder is
    left to the engine."""
    removed = []
    for stale in folder.glob(f".*{TEMP_SUFFIX}"):
        if not is_own_temp_file(stale.name):
            continue
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
            removed.append(stale)
    return removed
