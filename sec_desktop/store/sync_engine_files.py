"""Files and folders a sync engine keeps inside the folder it syncs: not the app's.

Syncthing marks a synced folder with `.stfolder` (created 0755) and keeps old versions in
`.stversions`; it downloads a file as `.syncthing.<name>.tmp` (`~syncthing~<name>.tmp` on
Windows) and renames it over the file when done. Dropbox, Resilio Sync and Nextcloud keep their
own, as below. The app never judges, changes or removes these: an engine's marker keeps the
mode the engine gave it, and a download in progress must not be deleted under the engine.
No Qt here.
"""

from __future__ import annotations

import re

# Marker and bookkeeping folders or files an engine creates in the synced folder -> engine.
ENGINE_MARKERS = {
    ".stfolder": "Syncthing",
    ".stversions": "Syncthing",
    ".stignore": "Syncthing",
    ".dropbox": "Dropbox",
    ".dropbox.cache": "Dropbox",
    ".dropbox.attr": "Dropbox",
    ".sync": "Resilio Sync",
    ".SynologyWorkingDirectory": "Synology Drive",
}
# A file an engine is downloading (or left from a download it will resume) -> engine.
_ENGINE_TEMP_FILES = (
    ("Syncthing", re.compile(r"^(?:\.syncthing\.|~syncthing~).+\.tmp$")),
    ("Resilio Sync", re.compile(r"^.+\.!sync$")),
    ("Nextcloud or ownCloud", re.compile(r"^\..+\.~[0-9a-f]+$")),
)


def engine_marker(name: str) -> str | None:
    """The engine a marker folder or file of that name belongs to; None if it is not one."""
    return ENGINE_MARKERS.get(name)


def engine_temp_file(name: str) -> str | None:
    """The engine whose download temp file `name` is; None if it is not one."""
    return next((engine for engine, pattern in _ENGINE_TEMP_FILES if pattern.match(name)), None)


__all__ = ["ENGINE_MARKERS", "engine_marker", "engine_temp_file"]
