"""SEC Desktop's own JSON export (`export --format json`): lossless, so entries come back as
they were, with their ids, activities, labels, notes, sources and history.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from sec_desktop.interop.records import (
    ImportedRecord,
    ImportFileError,
    ImportOptions,
    JsonPositions,
    ParsedFile,
    read_text,
)
from sec_desktop.store.entry import Entry, EntryError

TOOL = "sec-json"
LABEL = "SEC Desktop JSON export"
EXPORT_FORMAT = "sec-desktop/export"
SUPPORTED_VERSION = 1


def parse(path: Path, options: ImportOptions) -> ParsedFile:
    text = read_text(path)
    if not text.strip():
        raise ImportFileError(path, None, "the file is empty")
    walker = JsonPositions(text, path)
    header: dict[str, Any] = {}
    records: list[ImportedRecord] = []
    left_out: Counter[str] = Counter()
    rows = 0
    saw_entries = False
    for key, pos in walker.object_members(0):
        if key != "entries":
            header[key], walker.end = walker.decode(pos)
            continue
        saw_entries = True
        for line, doc in walker.array_items(pos):
            rows += 1
            try:
                entry = Entry.from_json(doc)
            except EntryError as exc:
                raise ImportFileError(path, line, f"the entry is invalid: {exc}") from exc
            if entry.is_deleted:
                left_out["deleted entries"] += 1
                continue
            records.append(
                ImportedRecord(
                    tool=TOOL,
                    source_id=entry.id,
                    start=entry.start,
                    end=entry.end,
                    zone=entry.tz,
                    line=line,
                    tags=entry.labels,
                    title=entry.note or "",
                    entry=doc,
                )
            )
    walker.finish()
    if header.get("format") != EXPORT_FORMAT:
        raise ImportFileError(
            path, 1, f"this is not an SEC Desktop JSON export (format is not {EXPORT_FORMAT!r})"
        )
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportFileError(path, 1, "its version is missing or invalid")
    if version > SUPPORTED_VERSION:
        raise ImportFileError(
            path, 1, f"a newer SEC Desktop wrote it (version {version}); update the app first"
        )
    if not saw_entries:
        raise ImportFileError(path, None, "it has no entries list")
    return ParsedFile(TOOL, path, records, rows, left_out)
