"""Timewarrior's `timew export`: a JSON list of intervals with UTC times and tags.

The same JSON after a header block (what Timewarrior hands a report extension) is read too.
An interval's start is its identity in Timewarrior (intervals never overlap), so it is the
stable source id here; the `id` field is only a position (@1 is the newest) and changes.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sec_desktop.interop.records import (
    ImportedRecord,
    ImportFileError,
    ImportOptions,
    JsonPositions,
    OccurrenceCounter,
    ParsedFile,
    RecordError,
    read_text,
)

TOOL = "timewarrior"
LABEL = "Timewarrior export JSON"
_STAMP = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$")
_STAMP_LENGTH = len("20260302T080000Z")
_EXTENSION_HEADER_END = re.compile(r"\n\s*\n(?=\s*\[)")


def parse_stamp(text: Any, what: str) -> datetime:
    if not isinstance(text, str):
        raise RecordError(f'{what} is not text such as "20260302T080000Z"')
    if (  # what _STAMP matches, checked without the pattern (a tenth of the time)
        len(text) == _STAMP_LENGTH
        and text[8] == "T"
        and text[15] == "Z"
        and text[:8].isdecimal()
        and text[9:15].isdecimal()
    ):
        try:
            return datetime.fromisoformat(text)  # the same UTC time
        except ValueError:
            pass  # not a real time: named below
    match = _STAMP.match(text)
    if not match:
        raise RecordError(f"{what} {text!r} is not a Timewarrior time such as 20260302T080000Z")
    year, month, day, hour, minute, second = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError as exc:
        raise RecordError(f"{what} {text!r} is not a real time ({exc})") from exc


def _json_start(text: str) -> int:
    stripped = text.lstrip()
    if stripped.startswith("[") or not stripped:
        return len(text) - len(stripped)
    header_end = _EXTENSION_HEADER_END.search(text)
    return header_end.end() if header_end else len(text) - len(stripped)


def parse(path: Path, options: ImportOptions) -> ParsedFile:
    text = read_text(path)
    if not text.strip():
        raise ImportFileError(path, None, "the file is empty; `timew export` writes a JSON list")
    walker = JsonPositions(text, path)
    records: list[ImportedRecord] = []
    left_out: Counter[str] = Counter()
    ids = OccurrenceCounter()
    rows = 0
    zone = options.zone.key
    for line, item in walker.array_items(_json_start(text)):
        rows += 1
        try:
            record = _record(item, line, zone, ids)
        except RecordError as exc:
            raise ImportFileError(path, line, str(exc)) from exc
        if record is None:
            left_out["still running (no end yet)"] += 1
        elif record.end == record.start:
            left_out["of zero length"] += 1
        else:
            records.append(record)
    walker.finish()
    return ParsedFile(TOOL, path, records, rows, left_out)


def _record(item: Any, line: int, zone: str, ids: OccurrenceCounter) -> ImportedRecord | None:
    if not isinstance(item, dict):
        raise RecordError("an interval is not a JSON object")
    if "start" not in item:
        raise RecordError("the interval has no start")
    start = parse_stamp(item["start"], "start")
    if "end" not in item:
        return None
    end = parse_stamp(item["end"], "end")
    if end < start:
        raise RecordError(f"the interval ends ({item['end']}) before it starts ({item['start']})")
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise RecordError("tags is not a list of text")
    annotation = item.get("annotation", "")
    if not isinstance(annotation, str):
        raise RecordError("annotation is not text")
    return ImportedRecord(
        tool=TOOL,
        source_id=ids.unique(item["start"]),
        start=start,
        end=end,
        zone=zone,
        line=line,
        tags=tuple(tags),
        title=annotation,
    )
