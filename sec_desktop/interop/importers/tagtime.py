"""TagTime logs: one ping a line, `UNIXTIME tag tag (comment) [human-readable time]`.

Words outside parentheses and brackets are tags; parenthesised text is a comment (except the
clock times TagTime itself adds). Each ping stands for its gap, as the app's own random
sampling books an answer: the time since the ping before it. A ping on TagTime's universal
schedule (default seed and 45-minute gap, as `reminders.tagtime` computes it) gets its gap from
the schedule, so pings missing from the log don't stretch the next one; any other ping gets
the time since the log's previous ping, and the log's first such ping the log's median gap.
"""

from __future__ import annotations

import bisect
import itertools
import re
import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sec_desktop.interop.records import (
    ImportedRecord,
    ImportFileError,
    ImportOptions,
    ParsedFile,
    read_text,
)
from sec_desktop.reminders.tagtime import shared_schedule

TOOL = "tagtime"
LABEL = "TagTime log"
# TagTime's default mean gap, for a log of a single ping.
DEFAULT_GAP = timedelta(minutes=45)
_PING = re.compile(r"^(\d{1,12})(?:\s+(.*))?$")
_BRACKETED = re.compile(r"\[[^\]]*\]")
_PARENTHESISED = re.compile(r"\(([^()]*)\)")
# TagTime writes the local clock time of a retro-filled ping as a comment: (19:35:57 WED 07/11)
_CLOCK_COMMENT = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})? [A-Za-z]{3} \d{1,2}/\d{1,2}$")
_MAX_UNIX = 253_402_300_799
# Enough to find the scheduled ping before the first ping of the log (gaps over a day have a
# chance of e^-32); and no schedule walk past 2100, which would take long for nothing.
_SCHEDULE_LOOKBACK_S = 86_400
_MAX_SCHEDULE_UNIX = 4_102_444_800


def _split(rest: str) -> tuple[tuple[str, ...], str]:
    rest = _BRACKETED.sub(" ", rest)
    comments = [
        c.strip()
        for c in _PARENTHESISED.findall(rest)
        if c.strip() and not _CLOCK_COMMENT.match(c.strip())
    ]
    bare = _PARENTHESISED.sub(" ", rest)
    if "(" in bare:  # an unclosed parenthesis: the rest of the line is a comment
        bare, _, tail = bare.partition("(")
        comments.append(tail.strip())
    tags = tuple(dict.fromkeys(word for word in bare.split() if word))
    return tags, "; ".join(c for c in comments if c)


def _universal_pings(first: int, last: int) -> list[int]:
    """The universal schedule's pings from just before `first` to `last`."""
    # Pings before the schedule's start, or logs from far in the future, aren't on it.
    if last > _MAX_SCHEDULE_UNIX:
        return []
    return shared_schedule().pings_between(first - _SCHEDULE_LOOKBACK_S, last)


def _scheduled_previous(scheduled: list[int], stamp: int) -> int | None:
    """The schedule's ping before `stamp`, if `stamp` itself is on the schedule."""
    index = bisect.bisect_left(scheduled, stamp)
    if index < len(scheduled) and scheduled[index] == stamp and index > 0:
        return scheduled[index - 1]
    return None


def parse(path: Path, options: ImportOptions) -> ParsedFile:
    text = read_text(path)
    pings: list[tuple[int, int, tuple[str, ...], str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _PING.match(line)
        if not match:
            raise ImportFileError(
                path, number, "a TagTime line starts with a Unix time, e.g. 1772438400 work"
            )
        stamp = int(match.group(1))
        if stamp > _MAX_UNIX:
            raise ImportFileError(path, number, f"{stamp} is out of range for a Unix time")
        tags, comment = _split(match.group(2) or "")
        pings.append((stamp, number, tags, comment))
    if not pings:
        raise ImportFileError(path, None, "the file has no pings")
    pings.sort(key=lambda p: (p[0], p[1]))
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(pings)]
    first_gap = round(statistics.median(gaps)) if gaps else int(DEFAULT_GAP.total_seconds())
    scheduled = _universal_pings(pings[0][0], pings[-1][0])
    records: list[ImportedRecord] = []
    left_out: Counter[str] = Counter()
    previous: int | None = None
    for stamp, number, tags, comment in pings:
        end = datetime.fromtimestamp(stamp, UTC)
        before = _scheduled_previous(scheduled, stamp)
        if before is None:
            before = previous if previous is not None else stamp - first_gap
        start = datetime.fromtimestamp(before, UTC)
        previous = stamp
        if start == end:
            left_out["at the same second as the ping before"] += 1
            continue
        records.append(
            ImportedRecord(
                tool=TOOL,
                source_id=str(stamp),
                start=start,
                end=end,
                zone=options.zone.key,
                line=number,
                tags=tags,
                title=comment,
            )
        )
    return ParsedFile(TOOL, path, records, len(pings), left_out)
