"""Exports for other tools: Toggl-compatible CSV with the SEC levels, and iCalendar.

The lossless JSON export (re-importable with `import --from sec-json`) and the plain CSV
live beside the `export` command in `cli.py`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sec_desktop.framework import Framework, Level
from sec_desktop.store.entry import Entry

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
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ICS_PRODID = "-//SEC Desktop//Time allocation export//EN"


def _cell(value: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


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
            [
                "",
                "",
                _cell(levels.get(Level.DOMAIN, "")),
                _cell(levels.get(Level.FOCUS_AREA, "")),
                "",
                _cell(description),
                "No",
                start.strftime("%Y-%m-%d"),
                start.strftime("%H:%M:%S"),
                end.strftime("%Y-%m-%d"),
                end.strftime("%H:%M:%S"),
                _hms(entry.duration.total_seconds()),
                _cell(", ".join(entry.labels)),
                levels.get(Level.DOMAIN, ""),
                levels.get(Level.FOCUS_AREA, ""),
                levels.get(Level.ACTIVITY, ""),
                entry.activity,
            ]
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
