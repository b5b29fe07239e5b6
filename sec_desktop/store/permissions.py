"""Find data files and folders that other users could read: files must be 0600, folders 0700."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

from sec_desktop.store.atomic import DIR_MODE, FILE_MODE
from sec_desktop.store.sync_engine_files import engine_marker


class LoosePermission(NamedTuple):
    """A path whose mode grants group or others access; modes as ints (compare in octal)."""

    path: Path
    mode: int
    expected: int

    def message(self) -> str:
        kind = "folder" if self.expected == DIR_MODE else "file"
        return (
            f"The {kind} {self.path} can be read by other users (mode {self.mode:04o}, "
            f"expected {self.expected:04o}); fix it with: chmod {self.expected:o} '{self.path}'"
        )


def loose_permissions(data_dir: Path) -> list[LoosePermission]:
    """Every file and folder under `data_dir` (itself included) open to group or others.

    POSIX only; on Windows the folder inherits the profile's ACL and this returns []. Symlinks
    are not followed: their targets are not ours to judge, nor is what a sync engine keeps
    in the folder (Syncthing's `.stfolder`, made 0755, and the like) or anything inside it.
    """
    if os.name != "posix" or not data_dir.is_dir():
        return []
    found: list[LoosePermission] = []

    def check(path: Path, st: os.stat_result) -> None:
        mode = stat.S_IMODE(st.st_mode)
        expected = DIR_MODE if stat.S_ISDIR(st.st_mode) else FILE_MODE
        if mode & 0o077:
            found.append(LoosePermission(path, mode, expected))

    check(data_dir, data_dir.stat())
    for root, dirs, files in os.walk(data_dir, onerror=None, followlinks=False):
        dirs[:] = [name for name in dirs if engine_marker(name) is None]
        for name in [*dirs, *(f for f in files if engine_marker(f) is None)]:
            path = Path(root) / name
            try:
                st = path.lstat()
            except FileNotFoundError:
                continue  # removed while walking (a sync engine, a save's temp file)
            if stat.S_ISLNK(st.st_mode):
                continue
            check(path, st)
    return found
