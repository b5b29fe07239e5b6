"""iCalendar (.ics) files: one record per event occurrence in the imported span.

Recurring events are expanded (RRULE, RDATE, EXDATE and moved occurrences) between the
range's start (default: the earliest event) and its end (default: now). All-day, cancelled
and declined events are left out and counted; times without a zone (floating) are read in
the user's zone, and every entry keeps the user's zone (an event's TZID is its organiser's).
A recurring event's occurrence is identified by its UID and its original
start, so re-importing the calendar later adds only the new occurrences. A TZID neither
defined in the file nor known, a negative DURATION, and a VTIMEZONE whose rules change the
clocks more than a few times a year are refused, naming the line.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sec_desktop.interop.localtime import local_span
from sec_desktop.interop.records import (
    ImportedRecord,
    ImportFileError,
    ImportOptions,
    OccurrenceCounter,
    ParsedFile,
    RecordError,
    content_id,
    read_import_bytes,
)
from sec_desktop.store.entry import format_utc

TOOL = "ics"
LABEL = "iCalendar .ics"
# Occurrences are expanded a day beyond the span on each side; the plan then applies the
# exact span, so an event near an edge is judged by its own start, not by the expansion.
_EXPANSION_MARGIN = timedelta(days=1)
_MIN_YEAR, _MAX_YEAR = 1900, 9000
# A calendar of a few years has thousands of events; far more means a runaway rule
# (FREQ=MINUTELY) that would take minutes and memory to expand.
MAX_OCCURRENCES = 200_000
# Time zones change their clocks once or twice a year; a VTIMEZONE rule may change them at
# most this often, and repeat at most this many times from its start to _MAX_YEAR (monthly
# from year 1), or every time read in the zone walks an endless rule (FREQ=SECONDLY).
MAX_ZONE_CHANGES_A_YEAR = 12
MAX_ZONE_RULE_PERIODS = 120_000
_ZONE_SAMPLE_YEARS = 4


@dataclass
class _EventLines:
    """Where a VEVENT and its properties are in the file, for error messages."""

    begin: int
    uid: str = ""
    properties: dict[str, int] = field(default_factory=dict)


def _unfold(text: str) -> list[tuple[int, str]]:
    """The file's logical lines (continuations joined), each with the number of its first."""
    unfolded: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw[:1] in (" ", "\t") and unfolded:
            first, value = unfolded[-1]
            unfolded[-1] = (first, value + raw[1:])
        else:
            unfolded.append((number, raw))
    return unfolded


def _scan(unfolded: list[tuple[int, str]]) -> list[_EventLines]:
    events: list[_EventLines] = []
    current: _EventLines | None = None
    depth_in_event = 0
    for number, line in unfolded:
        name = re.split(r"[;:]", line, maxsplit=1)[0].upper()
        upper = line.strip().upper()
        if upper == "BEGIN:VEVENT":
            current = _EventLines(begin=number)
            events.append(current)
            depth_in_event = 0
        elif current is not None and upper.startswith("BEGIN:"):
            depth_in_event += 1
        elif current is not None and upper.startswith("END:"):
            if depth_in_event == 0:
                current = None
            else:
                depth_in_event -= 1
        elif current is not None and depth_in_event == 0:
            current.properties.setdefault(name, number)
            if name == "UID":
                current.uid = line.split(":", 1)[-1].strip()
    return events


def _line_of_text(text: str, fragment: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment and fragment in line:
            return number
    return None


def _address(value: Any) -> str:
    return str(value).strip().lower().removeprefix("mailto:")


def _attendees(event: Any) -> list[Any]:
    found = event.get("ATTENDEE")
    if found is None:
        return []
    return list(found) if isinstance(found, list) else [found]


def _declined(event: Any, me: set[str]) -> bool:
    for attendee in _attendees(event):
        params = getattr(attendee, "params", {})
        if _address(attendee) in me and str(params.get("PARTSTAT", "")).upper() == "DECLINED":
            return True
    return False


def _as_utc(moment: datetime, zone: ZoneInfo) -> datetime:
    """For bounds and ids only: a floating time in a DST gap is shifted, not refused."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _earliest_start(events: list[Any], zone: ZoneInfo) -> datetime | None:
    earliest: datetime | None = None
    for event in events:
        value = event.get("DTSTART")
        moment = getattr(value, "dt", None)
        if isinstance(moment, datetime):
            utc = _as_utc(moment, zone)
        elif isinstance(moment, date):
            utc = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
        else:
            continue
        earliest = utc if earliest is None or utc < earliest else earliest
    return earliest


def _check_components(calendar: Any, scanned: list[_EventLines], path: Path) -> None:
    """Refuse a calendar with a property icalendar could not read, naming its line."""
    for index, event in enumerate(calendar.walk("VEVENT")):
        lines = scanned[index] if index < len(scanned) else None
        for name, message in getattr(event, "errors", []) or []:
            line = lines.properties.get(str(name).upper(), lines.begin) if lines else None
            raise ImportFileError(path, line, f"the event's {name} can't be read ({message})")
        start = event.get("DTSTART")
        if start is None:
            raise ImportFileError(path, lines.begin if lines else None, "an event has no DTSTART")
        _check_zones_and_duration(event, lines, path)
        for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            value = getattr(event.get(prop), "dt", None)
            if isinstance(value, date) and not _MIN_YEAR <= value.year <= _MAX_YEAR:
                line = lines.properties.get(prop) if lines else None
                raise ImportFileError(path, line, f"{prop} {value} is out of range")
        # The expansion library would quietly swap a backwards event's ends.
        begin, finish = getattr(start, "dt", None), getattr(event.get("DTEND"), "dt", None)
        with contextlib.suppress(TypeError):  # a date beside a time, floating beside zoned
            if begin is not None and finish is not None and finish < begin:
                line = lines.properties.get("DTEND") if lines else None
                raise ImportFileError(path, line, "the event ends before it starts")


def _event_name(event: Any) -> str:
    summary = str(event.get("SUMMARY", "")).strip()
    if summary:
        return f"the event {summary[:60]!r}"
    return f"the event with UID {str(event.get('UID', '')).strip()[:60]!r}"


def _check_zones_and_duration(event: Any, lines: _EventLines | None, path: Path) -> None:
    """Refuse a time in a zone nobody defined, and a negative DURATION, naming the event.

    icalendar reads an unknown TZID as a floating time (the user's own), and the expansion
    library swaps a negative duration's ends: both would book hours that never happened.
    """
    for prop in ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE"):
        found = event.get(prop)
        for value in found if isinstance(found, list) else [found]:
            tzid = getattr(value, "params", {}).get("TZID")
            moments = [getattr(v, "dt", None) for v in getattr(value, "dts", [value])]
            if tzid and any(isinstance(m, datetime) and m.tzinfo is None for m in moments):
                line = lines.properties.get(prop) if lines else None
                raise ImportFileError(
                    path,
                    line,
                    f"the time zone {str(tzid)[:60]!r} of {_event_name(event)} ({prop}) is "
                    "not known, and the file has no VTIMEZONE defining it; export the "
                    "calendar again with its time zones, or give the event's times in UTC",
                )
    duration = getattr(event.get("DURATION"), "dt", None)
    if isinstance(duration, timedelta) and duration < timedelta(0):
        line = lines.properties.get("DURATION") if lines else None
        raise ImportFileError(
            path,
            line,
            f"the DURATION of {_event_name(event)} is negative "
            f"({event['DURATION'].to_ical().decode('ascii', 'replace')})",
        )


def _read_calendar(path: Path) -> tuple[Any, list[tuple[int, str]]]:
    import icalendar

    raw = read_import_bytes(path)
    text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        raise ImportFileError(path, None, "the file is empty")
    unfolded = _unfold(text)
    # Before icalendar reads the zones: it keeps them for the whole process, by TZID.
    _check_time_zones(unfolded, path)
    try:
        calendar = icalendar.Calendar.from_ical(raw)
    # icalendar raises many kinds of exception on malformed input (AttributeError among
    # them); any of them means the file can't be read, and is said so, not raised.
    except Exception as exc:
        fragment = re.search(r"'([^']{3,})'", str(exc))
        line = _line_of_text(text, fragment.group(1)) if fragment else None
        raise ImportFileError(path, line, f"it is not a valid iCalendar file ({exc})") from exc
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise ImportFileError(path, 1, "it is not an iCalendar file (no BEGIN:VCALENDAR)")
    return calendar, unfolded


@dataclass
class _ZoneRule:
    """One RRULE or EXRULE of a VTIMEZONE's STANDARD or DAYLIGHT part, for checking."""

    line: int
    text: str
    start: str


def _zone_rules(unfolded: list[tuple[int, str]]) -> list[tuple[str, _ZoneRule]]:
    """(TZID, rule) of every clock-change rule of every VTIMEZONE in the file."""
    found: list[tuple[str, _ZoneRule]] = []
    in_zone = False
    tzid = ""
    start = ""
    pending: list[_ZoneRule] = []
    zone_rules: list[_ZoneRule] = []
    for number, line in unfolded:
        name, _, value = line.partition(":")
        name = name.split(";", 1)[0].strip().upper()
        upper = line.strip().upper()
        if upper == "BEGIN:VTIMEZONE":
            in_zone, tzid, zone_rules = True, "", []
        elif not in_zone:
            continue
        elif upper == "END:VTIMEZONE":
            found += [(tzid, rule) for rule in zone_rules]
            in_zone = False
        elif upper.startswith("BEGIN:"):
            start, pending = "", []
        elif upper.startswith("END:"):
            zone_rules += [_ZoneRule(r.line, r.text, start) for r in pending]
            pending = []
        elif name == "TZID":
            tzid = value.strip()
        elif name == "DTSTART":
            start = value.strip()
        elif name in ("RRULE", "EXRULE"):
            pending.append(_ZoneRule(number, f"{name}:{value.strip()}", ""))
    return found


def _check_time_zones(unfolded: list[tuple[int, str]], path: Path) -> None:
    """Refuse a VTIMEZONE whose rules change the clocks far more often than any zone does.

    Reading a time in such a zone walks its rule from its DTSTART on: every second since 1970
    is hours and gigabytes. A rule may repeat at most monthly (counted in periods from its
    start to the last year read), and yield at most MAX_ZONE_CHANGES_A_YEAR changes a year
    (counted over its first years).
    """
    from dateutil import parser, rrule  # type: ignore[import-untyped]

    for tzid, zone_rule in _zone_rules(unfolded):
        refusal = ImportFileError(
            path,
            zone_rule.line,
            f"the time zone {tzid or '(without TZID)'} may change its clocks more than "
            f"{MAX_ZONE_CHANGES_A_YEAR} times a year ({zone_rule.text[:80]}); a time zone's "
            "rules repeat yearly or monthly",
        )
        try:
            start = parser.parse(zone_rule.start, ignoretz=True) if zone_rule.start else None
        except (ValueError, OverflowError):
            start = None  # icalendar refuses such a zone itself, later
        start = start or datetime(2000, 1, 1)
        try:
            rule = rrule.rrulestr(zone_rule.text, dtstart=start, ignoretz=True)
        except (ValueError, TypeError, OverflowError, KeyError, IndexError) as exc:
            raise ImportFileError(
                path,
                zone_rule.line,
                f"the rule of time zone {tzid or '(without TZID)'} can't be read ({exc})",
            ) from exc
        parts = dict(
            part.partition("=")[::2] for part in zone_rule.text.partition(":")[2].split(";")
        )
        freq = parts.get("FREQ", "").upper()
        interval = max(int(parts.get("INTERVAL") or 1), 1)
        periods = (datetime(_MAX_YEAR, 1, 1) - start).total_seconds() / (
            _SECONDS_PER.get(freq, 1) * interval
        )
        if periods > MAX_ZONE_RULE_PERIODS:
            raise refusal
        sample_end = min(start, datetime(9990, 1, 1)) + timedelta(days=365 * _ZONE_SAMPLE_YEARS)
        allowed = MAX_ZONE_CHANGES_A_YEAR * _ZONE_SAMPLE_YEARS
        sample = rule.replace(count=None, until=sample_end)
        if sum(1 for _ in itertools.islice(sample, allowed + 1)) > allowed:
            raise refusal


@dataclass
class _Reading:
    """What deciding about one occurrence needs from the whole calendar."""

    zone: ZoneInfo
    me: set[str]
    recurring: set[str]
    ids: OccurrenceCounter = field(default_factory=OccurrenceCounter)
    left_out: Counter[str] = field(default_factory=Counter)


def _me(calendar: Any, options: ImportOptions) -> set[str]:
    """The user's addresses: as given, else the calendar's name when it is an address."""
    me = {m.strip().lower() for m in options.me if m.strip()}
    calendar_name = str(calendar.get("X-WR-CALNAME", ""))
    if not me and "@" in calendar_name:
        # Calendar apps name an exported calendar after its owner's address.
        me = {calendar_name.strip().lower()}
    return me


def parse(path: Path, options: ImportOptions) -> ParsedFile:
    import recurring_ical_events  # type: ignore[import-untyped]

    calendar, unfolded = _read_calendar(path)
    scanned = _scan(unfolded)
    try:
        _check_components(calendar, scanned, path)
        masters = calendar.walk("VEVENT")
    except ImportFileError:
        raise
    except Exception as exc:  # as for from_ical above
        raise ImportFileError(path, None, f"its events can't be read ({exc})") from exc
    reading = _Reading(
        options.zone,
        _me(calendar, options),
        {
            str(e.get("UID", ""))
            for e in masters
            if "RRULE" in e or "RDATE" in e or "RECURRENCE-ID" in e
        },
    )
    line_of_uid: dict[str, int] = {}
    for lines in scanned:
        line_of_uid.setdefault(lines.uid, lines.begin)
    records: list[ImportedRecord] = []
    earliest = _earliest_start(masters, options.zone)
    if earliest is None:
        return ParsedFile(TOOL, path, records, 0, reading.left_out)
    span_start = (options.start or earliest) - _EXPANSION_MARGIN
    span_end = (options.end or options.now) + _EXPANSION_MARGIN
    if span_end <= span_start:
        return ParsedFile(TOOL, path, records, 0, reading.left_out)
    if _most_occurrences(masters, span_start, span_end) > MAX_OCCURRENCES:
        raise ImportFileError(
            path,
            None,
            f"its events would repeat more than {MAX_OCCURRENCES:,} times in the span read "
            f"(a rule repeating every minute or second?); choose a shorter span with --since "
            "and --until",
        )
    try:
        occurrences = list(recurring_ical_events.of(calendar).between(span_start, span_end))
    except Exception as exc:  # as for from_ical above
        raise ImportFileError(
            path, None, f"its recurring events can't be expanded ({exc})"
        ) from exc
    for event in occurrences:
        uid = str(event.get("UID", ""))
        line = line_of_uid.get(uid, 0) or 1
        try:
            record = _record(event, uid, line, reading)
        except RecordError as exc:
            raise ImportFileError(path, line, str(exc)) from exc
        except Exception as exc:  # as for from_ical above
            raise ImportFileError(path, line, f"the event can't be read ({exc})") from exc
        if record is not None:
            records.append(record)
    records.sort(key=lambda r: (r.start, r.line))
    read_from = options.start or earliest
    return ParsedFile(
        TOOL,
        path,
        records,
        len(occurrences),
        reading.left_out,
        (read_from, options.end or options.now),
    )


_SECONDS_PER = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3_600,
    "DAILY": 86_400,
    "WEEKLY": 604_800,
    "MONTHLY": 28 * 86_400,
    "YEARLY": 365 * 86_400,
}
_BY_PARTS = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")


def _most_occurrences(masters: list[Any], start: datetime, end: datetime) -> float:
    """An upper bound on the occurrences of all events in [start, end], without expanding.

    Each rule counts its periods in the span times every BY* list's length (an
    overestimate), capped by its COUNT; a rule this code can't read counts as endless.
    """
    span_s = max((end - start).total_seconds(), 0.0)
    total = 0.0
    for event in masters:
        found = event.get("RRULE")
        rules = found if isinstance(found, list) else [found] if found is not None else []
        extra = event.get("RDATE")
        extra_dates = extra if isinstance(extra, list) else [extra] if extra is not None else []
        total += 1 + sum(len(getattr(group, "dts", [])) for group in extra_dates)
        for rule in rules:
            try:
                freq = str(rule["FREQ"][0]).upper()
                interval = max(int(rule.get("INTERVAL", [1])[0]), 1)
                bound = (span_s / (_SECONDS_PER[freq] * interval) + 1) * math.prod(
                    max(len(rule.get(part, [])), 1) for part in _BY_PARTS
                )
                if "COUNT" in rule:
                    bound = min(bound, int(rule["COUNT"][0]))
            except (KeyError, IndexError, TypeError, ValueError):
                return math.inf
            total += bound
    return total


def _times(event: Any, zone: ZoneInfo) -> tuple[datetime, datetime, datetime]:
    """(start, end) in UTC and the start as written; raises RecordError for a bad event."""
    start_value = event.decoded("DTSTART")
    if "DTEND" in event:
        end_value = event.decoded("DTEND")
    elif "DURATION" in event:
        end_value = start_value + event.decoded("DURATION")
    else:
        end_value = start_value
    if not isinstance(end_value, datetime):
        raise RecordError("the event starts at a time but ends on a date (DTEND)")
    if start_value.tzinfo is None and end_value.tzinfo is None:
        start, end = local_span(start_value, end_value, zone, None)
    elif start_value.tzinfo is None or end_value.tzinfo is None:
        raise RecordError("the event mixes a floating time with a time in a zone")
    else:
        start, end = start_value.astimezone(UTC), end_value.astimezone(UTC)
    if end < start:
        raise RecordError("the event ends before it starts")
    return start, end, start_value


def _categories(event: Any) -> tuple[str, ...]:
    found = event.get("CATEGORIES")
    tags: list[str] = []
    for group in found if isinstance(found, list) else [found]:
        for category in getattr(group, "cats", []) or []:
            if str(category).strip():
                tags.append(str(category).strip())
    return tuple(dict.fromkeys(tags))


def _source_id(event: Any, uid: str, start_value: datetime, reading: _Reading) -> str:
    if not uid:
        end_value = event.get("DTEND")
        return content_id(start_value.isoformat(), str(end_value), str(event.get("SUMMARY", "")))
    if uid not in reading.recurring:
        return uid
    original = getattr(event.get("RECURRENCE-ID"), "dt", start_value)
    key = (
        format_utc(_as_utc(original, reading.zone))
        if isinstance(original, datetime)
        else str(original)
    )
    return f"{uid}/{key}"


def _record(event: Any, uid: str, line: int, reading: _Reading) -> ImportedRecord | None:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        reading.left_out["cancelled events"] += 1
        return None
    if not isinstance(event.decoded("DTSTART"), datetime):
        reading.left_out["all-day events"] += 1
        return None
    if _declined(event, reading.me):
        reading.left_out["events you declined"] += 1
        return None
    start, end, start_value = _times(event, reading.zone)
    if end == start:
        reading.left_out["events without duration"] += 1
        return None
    return ImportedRecord(
        tool=TOOL,
        source_id=reading.ids.unique(_source_id(event, uid, start_value, reading)),
        start=start,
        end=end,
        # The event's TZID is its organiser's zone; the entry keeps the user's.
        zone=reading.zone.key,
        line=line,
        tags=_categories(event),
        title=str(event.get("SUMMARY", "")).strip(),
        description=str(event.get("DESCRIPTION", "")).strip(),
    )
