"""One module per source format; each `parse(path, options) -> ParsedFile`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sec_desktop.interop.importers import ics, sec_json, tagtime, timewarrior, toggl, watson
from sec_desktop.interop.records import ImportOptions, ParsedFile


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    parse: Callable[[Path, ImportOptions], ParsedFile]


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("toggl", toggl.LABEL, toggl.parse),
        Format("timewarrior", timewarrior.LABEL, timewarrior.parse),
        Format("watson", watson.LABEL, watson.parse),
        Format("tagtime", tagtime.LABEL, tagtime.parse),
        Format("ics", ics.LABEL, ics.parse),
        Format("sec-json", sec_json.LABEL, sec_json.parse),
    )
}
# Names people are likely to type for the same formats.
ALIASES = {"timew": "timewarrior", "ical": "ics", "icalendar": "ics", "json": "sec-json"}


def parse_file(path: Path, format_name: str, options: ImportOptions) -> ParsedFile:
    """Read a whole file; raises ImportFileError (file, line, reason) on the first bad row."""
    return FORMATS[ALIASES.get(format_name, format_name)].parse(path, options)
