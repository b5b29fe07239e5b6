"""Exports of entries, shared by `sec-desktop export` and the dashboard: the plain CSV, the
lossless JSON (re-importable with `import --from sec-json`), Toggl-compatible CSV with the SEC
levels, and iCalendar."""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from sec_desktop.framework import Framework, Level
from sec_desktop.store.entry import Entry, format_utc

TOGGL_COLUMNS = [
    "User",
    "Email",
    "Client",
    "Project",
    "Task",
    "Description",
    "Billable",
    "Start date",
    "Start time",
    "End date",
    "End time",
    "Duration",
    "Tags",
    "SEC domain",
    "SEC focus area",
    "SEC activity",
    "SEC activity id",
]
# What spreadsheets run as a formula (or as DDE) when a cell starts with it, also after spaces.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
ICS_PRODID = "-//SEC Desktop//Time allocation export//EN"


def csv_safe(value: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (CSV injection)."""
    if value.lstrip(" ").startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_safe_row(cells: Sequence[str]) -> list[str]:
    """Every cell through `csv_safe`: labels, ids, notes and tags may come from a hostile
    import or a rename; the numbers and dates written here never start like a formula."""
    return [csv_safe(cell) for cell in cells]


EXPORT_CSV_COLUMNS = [
    "id",
    "start",
    "end",
    "time_zone",
    "duration_minutes",
    "domain",
    "focus_area",
    "activity",
    "activity_id",
    "labels",
    "note",
    "source",
    "device",
    "created",
    "updated",
]


def not_a_regular_file(path: Path) -> str | None:
    """What is at `path` when an export must not replace it, else None (nothing there, or a
    regular file). Exports are renamed into place, and a rename replaces whatever is there:
    a symbolic link such as /dev/stdout, a named pipe or, for root, /dev/null itself."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):  # the folder check says which is missing
        return None
    if stat.S_ISREG(mode):
        return None
    kinds = (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    )
    return next((kind for is_kind, kind in kinds if is_kind(mode)), "not a regular file")


def export_csv(entries: Sequence[Entry], fw: Framework) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_CSV_COLUMNS)
    for e in entries:
        zone = ZoneInfo(e.tz)
        # An unknown activity keeps its id in activity_id and leaves the label columns empty.
        label_at = {n.level: n.label for n in fw.ancestors(e.activity)} if e.activity in fw else {}
        writer.writerow(
            csv_safe_row(
                [
                    e.id,
                    e.start.astimezone(zone).isoformat(),
                    e.end.astimezone(zone).isoformat(),
                    e.tz,
                    f"{e.duration.total_seconds() / 60:.2f}",
                    label_at.get(Level.DOMAIN, ""),
                    label_at.get(Level.FOCUS_AREA, ""),
                    label_at.get(Level.ACTIVITY, ""),
                    e.activity,
                    ", ".join(e.labels),
                    e.note or "",
                    e.source,
                    e.device,
                    format_utc(e.created),
                    format_utc(e.updated),
                ]
            )
        )
    return buffer.getvalue()


def export_json(entries: Sequence[Entry], fw: Framework, now: datetime) -> bytes:
    doc = {
        "format": "sec-desktop/export",
        "version": 1,
        "exported_at": format_utc(now),
        "framework": {"id": fw.id, "version": fw.version},
        "entries": [_exported(e) for e in entries],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


# The merge bookkeeping stays in the data folder: it means nothing outside it, and a
# conflict may hold a note the export was asked to leave out.
_MERGE_KEYS = frozenset(("stamps", "seen", "conflicts"))


def _exported(entry: Entry) -> dict[str, Any]:
    return {k: v for k, v in entry.to_json().items() if k not in _MERGE_KEYS}


def _hms(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _levels(framework: Framework, activity: str) -> dict[Level, str]:
    if activity not in framework:
        return {}
    return {node.level: node.label for node in framework.ancestors(activity)}


def export_toggl_csv(entries: Sequence[Entry], framework: Framework, zone: ZoneInfo) -> str:
    """Toggl's detailed-report columns (times local to `zone`, as Toggl writes them), then
    the SEC domain, focus area, activity and activity id. The focus area is the project."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TOGGL_COLUMNS)
    for entry in entries:
        levels = _levels(framework, entry.activity)
        start = entry.start.astimezone(zone)
        end = entry.end.astimezone(zone)
        description = entry.note or levels.get(Level.ACTIVITY) or ""
        writer.writerow(
            csv_safe_row(
                [
                    "",
                    "",
                    levels.get(Level.DOMAIN, ""),
                    levels.get(Level.FOCUS_AREA, ""),
                    "",
                    description,
                    "No",
                    start.strftime("%Y-%m-%d"),
                    start.strftime("%H:%M:%S"),
                    end.strftime("%Y-%m-%d"),
                    end.strftime("%H:%M:%S"),
                    _hms(entry.duration.total_seconds()),
                    ", ".join(entry.labels),
                    levels.get(Level.DOMAIN, ""),
                    levels.get(Level.FOCUS_AREA, ""),
                    levels.get(Level.ACTIVITY, ""),
                    entry.activity,
                ]
            )
        )
    return buffer.getvalue()


def export_ics(entries: Sequence[Entry], framework: Framework, now: datetime) -> bytes:
    """One VEVENT per entry, UID = the entry's id, times in UTC; the activity is the summary."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", ICS_PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "SEC Desktop time")
    for entry in entries:
        levels = _levels(framework, entry.activity)
        label = framework.path_label(entry.activity) if entry.activity in framework else ""
        event = icalendar.Event()
        event.add("uid", entry.id)
        event.add("dtstamp", now)
        event.add("created", entry.created)
        event.add("last-modified", entry.updated)
        event.add("dtstart", entry.start)
        event.add("dtend", entry.end)
        event.add("summary", levels.get(Level.ACTIVITY) or label or entry.activity)
        lines = [f"SEC: {label or entry.activity}"]
        if entry.note:
            lines.append(entry.note)
        event.add("description", "\n".join(lines))
        categories = [v for v in (levels.get(Level.DOMAIN), levels.get(Level.FOCUS_AREA)) if v]
        categories += list(entry.labels)
        if categories:
            event.add("categories", categories)
        event.add("x-sec-activity", entry.activity)
        event.add("x-sec-source", entry.source)
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
