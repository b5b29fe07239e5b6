"""A TinyDB storage that never tears a file, never mistakes a bad file for an empty one."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from sec_desktop.store.atomic import atomic_write_bytes
from sec_desktop.store.entry import EntryError, parse_utc
from sec_desktop.store.hlc import Stamp, StampError
from sec_desktop.store.stamps import legacy_stamps

FILE_FORMAT = "sec-desktop/entries"
SCHEMA_VERSION = 2
ENTRIES_TABLE = "entries"


def _stamp_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 1 to 2: entries get per-field clock stamps (store/stamps.py). An entry of
    version 1 reads as if every field was set at its `updated` time, superseding everything
    older, which is how version 1 merged. One whose time or device is unreadable is left as
    it is, for the entry check to name."""
    entries = (doc.get("tables") or {}).get(ENTRIES_TABLE)
    if isinstance(entries, dict):
        for entry in entries.values():
            if not isinstance(entry, dict) or "stamps" in entry:
                continue
            try:
                stamp = Stamp.at(parse_utc(entry.get("updated"), "updated"), str(entry["device"]))
            except (EntryError, StampError, KeyError):
                continue
            legacy = legacy_stamps(stamp.text())
            entry["stamps"], entry["seen"] = dict(legacy.fields), dict(legacy.seen)
    return {**doc, "schema_version": 2}


# Each function lifts a file's top-level object from version N to N + 1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _stamp_fields}


class UnreadableFile(Exception):
    """A data file that can't be trusted: empty, truncated, not JSON, or the wrong shape."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class NewerFormat(Exception):
    """A file written by a newer SEC Desktop; readable by that version only, so left alone."""

    def __init__(self, path: Path, version: int) -> None:
        super().__init__(f"{path}: written in format version {version}")
        self.path = path
        self.version = version


def migrate(doc: dict[str, Any], path: Path) -> dict[str, Any]:
    version = doc["schema_version"]
    if version > SCHEMA_VERSION:
        raise NewerFormat(path, version)
    while version < SCHEMA_VERSION:
        doc = MIGRATIONS[version](doc)
        version = doc["schema_version"]
    return doc


def parse_file_bytes(raw: bytes, path: Path) -> dict[str, dict[str, Any]]:
    """The tables of one data file, migrated to the current version."""
    if not raw.strip():
        raise UnreadableFile(path, "the file is empty")
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise UnreadableFile(path, f"it is not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != FILE_FORMAT:
        raise UnreadableFile(path, "it is not an SEC Desktop entries file")
    version = doc.get("schema_version")
    # bool is an int subclass; `true` is not a version.
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UnreadableFile(path, "its schema_version is missing or invalid")
    doc = migrate(doc, path)
    tables = doc.get("tables")
    if not isinstance(tables, dict) or not all(
        isinstance(t, dict) and all(isinstance(d, dict) for d in t.values())
        for t in tables.values()
    ):
        raise UnreadableFile(path, "its tables are not objects of documents")
    return tables


def file_signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class AtomicJSONStorage(Storage):
    """TinyDB storage over one file, written atomically and durably.

    Stock `JSONStorage` rewrites in place (a crash tears the file) and reads an empty file as
    a new database (a later write then destroys what was there). This one raises
    `UnreadableFile` instead, and caches the parsed tables until the file changes on disk, so a
    save costs one serialisation and one write, not a re-parse.
    """

    def __init__(self, path: Path, header: dict[str, Any] | None = None) -> None:
        self.path = path
        self._header = dict(header or {})
        self._tables: dict[str, dict[str, Any]] | None = None
        self._sig: tuple[int, int, int] | None = None

    def read(self) -> dict[str, dict[str, Any]] | None:
        sig = file_signature(self.path)
        if sig is None:
            self._tables, self._sig = None, None
            return None
        if sig == self._sig and self._tables is not None:
            return self._tables
        self._tables, self._sig = None, None
        tables = parse_file_bytes(self.path.read_bytes(), self.path)
        self._tables, self._sig = tables, sig
        return tables

    @property
    def signature(self) -> tuple[int, int, int] | None:
        """Identity of the file version the cached tables came from; None when not cached."""
        return self._sig

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        payload = {
            "format": FILE_FORMAT,
            "schema_version": SCHEMA_VERSION,
            **self._header,
            "tables": data,
        }
        try:
            atomic_write_bytes(self.path, orjson.dumps(payload))
        except BaseException:
            # TinyDB mutated the cached tables before calling us: forget them, re-read later.
            self._tables, self._sig = None, None
            raise
        self._tables, self._sig = data, file_signature(self.path)

    def close(self) -> None:
        self._tables, self._sig = None, None


def file_mode_is_private(path: Path) -> bool:
    return os.name != "posix" or (path.stat().st_mode & 0o077) == 0
