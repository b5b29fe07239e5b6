"""Telling an import file's format from its name and first bytes, for the import wizard's
first guess. No Qt."""

from __future__ import annotations

import re
from pathlib import Path

from sec_desktop.interop.records import ImportFileError, read_import_bytes

# Enough of the file to tell the JSON formats apart.
SNIFF_BYTES = 4096
_TIMEW_STAMP = re.compile(r'"start"\s*:\s*"\d{8}T\d{6}Z"')
_TAGTIME_LINE = re.compile(r"^\d{9,11}(\s|$)")


def guess_format(path: Path) -> str | None:  # noqa: PLR0911 - one return per telltale
    """The import format a file most likely is, from its name and first bytes; None if unsure.

    Only a first choice for the format box: the user can change it, and a wrong format shows
    the importer's message naming the line.
    """
    suffix = path.suffix.lower()
    if suffix in (".ics", ".ical", ".ifb"):
        return "ics"
    try:
        head = read_import_bytes(path, head=SNIFF_BYTES).decode("utf-8-sig", errors="replace")
    except ImportFileError:  # a FIFO or device is not opened for reading at all
        return None
    text = head.lstrip()
    if text.startswith("BEGIN:VCALENDAR"):
        return "ics"
    if text.startswith("{"):
        return "sec-json"
    if text.startswith("["):
        rest = text[1:].lstrip()
        if rest.startswith("["):
            return "watson"  # the frames file: a list of lists
        if _TIMEW_STAMP.search(text):
            return "timewarrior"
        if '"stop"' in text or '"project"' in text:
            return "watson"  # `watson log --json`
        return None
    first_line = text.splitlines()[0] if text else ""
    if _TAGTIME_LINE.match(first_line):
        return "tagtime"
    if suffix in (".csv", ".tsv") or "start date" in first_line.lower():
        return "toggl"
    return None
