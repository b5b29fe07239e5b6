"""Copies a sync engine makes when it sees one file changed in two places at once.

Dropbox names them `2026-03 (Ana's conflicted copy 2026-03-05).json` (or `(conflicted copy
...)`, as Nextcloud does); Syncthing `2026-03.sync-conflict-20260305-101530-ABCDEFG.json`;
OneDrive, iCloud Drive and Google Drive as below. Devices write only
their own files, so these are rare (one device id cloned to two machines, or a sync engine
racing a save), but when they appear their entries must not be lost: the store reads a
conflict copy of an entries file as part of the union (its versions merge field by field
with the others, store/merge.py). One that can't be read is reported and left where it is.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sec_desktop.store.atomic import ensure_private_dir, fsync_dir

_DROPBOX = re.compile(r"^(?P<stem>.+?) \([^()]*conflicted copy[^()]*\)(?P<suffix>\.[^.]+)?$", re.I)
_SYNCTHING = re.compile(
    r"^(?P<stem>.+?)\.sync-conflict-\d{8}-\d{6}(?:-[A-Za-z0-9]+)?(?P<suffix>\.[^.]+)?$"
)
# OneDrive keeps the losing copy as `2026-03-LAPTOP-7Q2H.json` (the machine's name appended,
# then `-2`, `-3` for more); iCloud Drive as `2026-03 2.json`; Google Drive and OneDrive's web
# uploads as `2026-03 (1).json`. Those shapes are too common to trust on any file name, so
# they are recognised on month files only, where nothing else is ever written.
_SHARD_STEM = r"(?P<stem>\d{4}-\d{2})"
# A machine name has a letter (Windows refuses all-digit names), so `2026-03-1.json` is not one.
_ONEDRIVE = re.compile(
    rf"^{_SHARD_STEM}-(?P<machine>(?=[0-9_-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_-]{{0,62}})"
    r"(?P<suffix>\.json)$"
)
_NUMBERED = re.compile(rf"^{_SHARD_STEM}(?: \d{{1,3}}| \(\d{{1,3}}\))(?P<suffix>\.json)$")
ENGINES = (
    ("Dropbox", _DROPBOX),
    ("Syncthing", _SYNCTHING),
    ("OneDrive", _ONEDRIVE),
    ("iCloud Drive or Google Drive", _NUMBERED),
)
MERGED_CONFLICTS_DIR = "quarantine/merged-conflicts"


def original_name(name: str) -> str | None:
    """The name of the file a conflict copy was made of; None when `name` is not one."""
    for _, pattern in ENGINES:
        match = pattern.match(name)
        if match:
            return match.group("stem") + (match.group("suffix") or "")
    return None


def engine_of(name: str) -> str | None:
    return next((engine for engine, pattern in ENGINES if pattern.match(name)), None)


@dataclass(frozen=True)
class ConflictCopy:
    """A conflict copy in the data folder and the file it belongs to."""

    path: Path
    original: Path
    engine: str


def find_conflict_copies(entries_root: Path) -> list[ConflictCopy]:
    """Conflict copies of files in the device folders under `entries_root`."""
    found: list[ConflictCopy] = []
    if not entries_root.is_dir():
        return found
    for device_dir in sorted(entries_root.iterdir()):
        if not device_dir.is_dir():
            continue
        for path in sorted(device_dir.iterdir()):
            original = original_name(path.name)
            engine = engine_of(path.name)
            if original is not None and engine is not None and path.is_file():
                found.append(ConflictCopy(path, path.with_name(original), engine))
    return found


def set_aside(data_dir: Path, copy: ConflictCopy, now: datetime) -> Path:
    """Move a conflict copy whose entries are saved in its original out of the entries folder.

    It is kept (never deleted) under `quarantine/merged-conflicts/`, marked with the time.
    """
    relative = copy.path.relative_to(data_dir)
    target_dir = data_dir / MERGED_CONFLICTS_DIR / relative.parent
    for folder in reversed(target_dir.relative_to(data_dir).parents[:-1]):
        ensure_private_dir(data_dir / folder)
    ensure_private_dir(target_dir)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    target = target_dir / f"{copy.path.name}.{stamp}"
    suffix = 1
    while target.exists():
        target = target_dir / f"{copy.path.name}.{stamp}-{suffix}"
        suffix += 1
    shutil.move(copy.path, target)
    fsync_dir(copy.path.parent)
    return target
