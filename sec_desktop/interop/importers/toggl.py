"""Toggl Track's detailed report, exported as CSV.

Columns are found by their English header (any order, any case): Start date and Start time,
and End date/End time or Duration; Project, Client, Task, Description and Tags when present.
The file carries no time zone: its times are in the Toggl profile's zone, which the caller
passes in. Durations may be h:mm:ss (hours past 24 too), h:mm, or decimal hours.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sec_desktop.interop.localtime import local_span, local_to_utc
from sec_desktop.interop.records import (
    ImportedRecord,
    ImportFileError,
    ImportOptions,
    OccurrenceCounter,
    ParsedFile,
    RecordError,
    content_id,
    read_text,
)

TOOL = "toggl"
LABEL = "Toggl Track detailed CSV"

_REQUIRED = ("start date", "start time")
_OPTIONAL = (
    "end date",
    "end time",
    "duration",
    "user",
    "email",
    "project",
    "client",
    "task",
    "description",
    "tags",
)
_HMS = re.compile(r"^(\d{1,6}):([0-5]\d)(?::([0-5]\d))?$")
_DECIMAL_HOURS = re.compile(r"^\d{1,6}(?:[.,]\d+)?$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")


# Exports repeat the same dates, clock times and durations thousands of times.
@lru_cache(maxsize=4096)
def _parse_date(text: str, column: str) -> date:
    value = text.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    dotted = _DOTTED_DATE.match(value)
    if dotted:
        day, month, year = (int(g) for g in dotted.groups())
        try:
            return date(year, month, day)
        except ValueError as exc:
            raise RecordError(f"{column} {text!r} is not a date ({exc})") from exc
    if "/" in value:
        raise RecordError(
            f"{column} {text!r} is ambiguous (day/month or month/day?); export with the "
            "date format YYYY-MM-DD in your Toggl profile"
        )
    raise RecordError(f"{column} {text!r} is not a date such as 2026-03-02")


@lru_cache(maxsize=16384)
def _parse_clock(text: str, column: str) -> time:
    match = _CLOCK.match(text.strip())
    if not match:
        raise RecordError(f"{column} {text!r} is not a time such as 09:30:00")
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    meridiem = (match.group(4) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            raise RecordError(f"{column} {text!r} is not a 12-hour time")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise RecordError(f"{column} {text!r} is not a time of day")
    return time(hour, minute, second)


@lru_cache(maxsize=16384)
def parse_duration(text: str) -> timedelta:
    """h:mm:ss, h:mm or decimal hours (0.75 or 0,75), as Toggl's duration formats write it."""
    value = text.strip()
    hms = _HMS.match(value)
    if hms:
        hours, minutes = int(hms.group(1)), int(hms.group(2))
        return timedelta(hours=hours, minutes=minutes, seconds=int(hms.group(3) or 0))
    if _DECIMAL_HOURS.match(value):
        return timedelta(hours=float(value.replace(",", ".")))
    raise RecordError(f"Duration {text!r} is not h:mm:ss, h:mm or decimal hours")


def _delimiter(first_line: str) -> str:
    # Spreadsheets in comma-decimal locales save with semicolons.
    return ";" if first_line.count(";") > first_line.count(",") else ","


def parse(path: Path, options: ImportOptions) -> ParsedFile:
    text = read_text(path)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    header: list[str] | None = None
    columns: dict[str, int] = {}
    records: list[ImportedRecord] = []
    left_out: Counter[str] = Counter()
    ids = OccurrenceCounter()
    rows = 0
    line = 1
    zone = options.zone
    try:
        for row in reader:
            row_line, line = line, reader.line_num + 1
            if not "".join(row).strip():  # every cell blank
                continue
            if header is None:
                header = row
                columns = _columns(path, row_line, row)
                continue
            rows += 1
            if len(row) != len(header):
                raise ImportFileError(
                    path,
                    row_line,
                    f"the row has {len(row)} fields but the header has {len(header)}",
                )
            try:
                record = _record(row, columns, zone, row_line, ids)
            except RecordError as exc:
                raise ImportFileError(path, row_line, str(exc)) from exc
            if record is None:
                left_out["of zero length"] += 1
            else:
                records.append(record)
    except csv.Error as exc:
        raise ImportFileError(path, reader.line_num, f"the CSV can't be read ({exc})") from exc
    if header is None:
        raise ImportFileError(path, None, "the file is empty; a Toggl export has a header row")
    return ParsedFile(TOOL, path, records, rows, left_out)


def _columns(path: Path, line: int, header: list[str]) -> dict[str, int]:
    names = {name.strip().lower(): i for i, name in enumerate(header)}
    missing = [name for name in _REQUIRED if name not in names]
    has_end = "end date" in names and "end time" in names
    if not missing and not has_end and "duration" not in names:
        missing.append("end date and end time, or duration")
    if missing:
        raise ImportFileError(
            path,
            line,
            f"this is not a Toggl detailed CSV export: the header lacks {', '.join(missing)} "
            f"(it has: {', '.join(h.strip() for h in header)})",
        )
    return {name: names[name] for name in (*_REQUIRED, *_OPTIONAL) if name in names}


def _record(
    row: list[str],
    columns: dict[str, int],
    zone: ZoneInfo,
    line: int,
    ids: OccurrenceCounter,
) -> ImportedRecord | None:
    cells = {name: row[index].strip() for name, index in columns.items()}
    cell = cells.get
    start_date, start_time = cell("start date", ""), cell("start time", "")
    end_date, end_time = cell("end date", ""), cell("end time", "")
    duration_text = cell("duration", "")
    start_local = datetime.combine(
        _parse_date(start_date, "Start date"), _parse_clock(start_time, "Start time")
    )
    duration = parse_duration(duration_text) if duration_text else None
    if end_date and end_time:
        end_day = _parse_date(end_date, "End date")
        end_local = datetime.combine(end_day, _parse_clock(end_time, "End time"))
        start, end = local_span(start_local, end_local, zone, duration)
        if end < start:
            raise RecordError(f"the entry ends ({end_local}) before it starts ({start_local})")
    elif duration is not None:
        start = local_to_utc(start_local, zone)
        end = start + duration
    else:
        raise RecordError("the row has neither an end nor a duration")
    if end == start:
        return None
    tags_text = cell("tags", "")
    project, client, task = cell("project", ""), cell("client", ""), cell("task", "")
    description = cell("description", "")
    source_id = ids.unique(
        content_id(
            cell("email") or cell("user", ""),
            start_date,
            start_time,
            end_date,
            end_time,
            duration_text,
            project,
            client,
            task,
            description,
            tags_text,
        )
    )
    return ImportedRecord(
        tool=TOOL,
        source_id=source_id,
        start=start,
        end=end,
        zone=zone.key,
        line=line,
        project=project,
        client=client,
        task=task,
        tags=_tags(tags_text),
        title=description,
    )


# Exports repeat the same few tag lists thousands of times.
@lru_cache(maxsize=4096)
def _tags(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())
