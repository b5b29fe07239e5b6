"""Watson: its `frames` file, or the output of `watson log --json`.

A frames file is a JSON list of `[start, stop, project, id, tags, updated_at]` with Unix
times; `watson log --json` lists objects with ISO 8601 times and offsets. Both carry Watson's
own frame id, the stable source id, so a frame imported from either form is imported once.
"""

from __future__ import annotations

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

TOOL = "watson"
LABEL = "Watson frames or `watson log --json`"
# Unix times outside this range are not times Watson could have recorded.
_MIN_UNIX, _MAX_UNIX = 0, 253_402_300_799  # 1970 to the end of year 9999
_FIRST, _LAST = datetime.fromtimestamp(_MIN_UNIX, UTC), datetime.fromtimestamp(_MAX_UNIX, UTC)


def _unix(value: Any, what: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"{what} is not a Unix time")
    if not _MIN_UNIX <= value <= _MAX_UNIX:
        raise RecordError(f"{what} {value} is out of range for a Unix time")
    return datetime.fromtimestamp(value, UTC)


def _iso(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise RecordError(f"{what} is not an ISO 8601 time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise RecordError(f"{what} {value!r} is not an ISO 8601 time") from exc
    if moment.tzinfo is None:
        raise RecordError(f"{what} {value!r} has no UTC offset")
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 moved across the date line by its offset
        utc = None
    if utc is None or not _FIRST <= utc <= _LAST:
        raise RecordError(
            f"{what} {value!r} is out of range (Watson's times are from 1970 to the year 9999)"
        )
    return utc


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise RecordError(f"{what} is not text")
    return value


def _tags(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise RecordError("tags is not a list of text")
    return tuple(value)


def _checked(
    start: datetime, stop: datetime, project: str, frame_id: str, tags: tuple[str, ...]
) -> tuple[datetime, datetime, str, str, tuple[str, ...]]:
    if not frame_id:
        raise RecordError("the frame's id is empty")
    if stop < start:
        raise RecordError("the frame stops before it starts")
    return start, stop, project, frame_id, tags


def _frame(item: Any) -> tuple[datetime, datetime, str, str, tuple[str, ...]]:
    if isinstance(item, list):
        if len(item) not in (5, 6):
            raise RecordError(
                f"a frame has {len(item)} fields; Watson writes "
                "[start, stop, project, id, tags, updated_at]"
            )
        start, stop = _unix(item[0], "start"), _unix(item[1], "stop")
        return _checked(
            start, stop, _text(item[2], "project"), _text(item[3], "id"), _tags(item[4])
        )
    if isinstance(item, dict):
        for key in ("id", "project", "start", "stop"):
            if key not in item:
                raise RecordError(f"the frame has no {key}")
        start, stop = _iso(item["start"], "start"), _iso(item["stop"], "stop")
        tags = _tags(item.get("tags", []))
        return _checked(
            start, stop, _text(item["project"], "project"), _text(item["id"], "id"), tags
        )
    raise RecordError("a frame is neither a list (frames file) nor an object (watson log --json)")


def parse(path: Path, options: ImportOptions) -> ParsedFile:
    text = read_text(path)
    if not text.strip():
        raise ImportFileError(path, None, "the file is empty; Watson writes a JSON list")
    walker = JsonPositions(text, path)
    records: list[ImportedRecord] = []
    left_out: Counter[str] = Counter()
    ids = OccurrenceCounter()
    rows = 0
    for line, item in walker.array_items(0):
        rows += 1
        try:
            start, stop, project, frame_id, tags = _frame(item)
        except RecordError as exc:
            raise ImportFileError(path, line, str(exc)) from exc
        if stop == start:
            left_out["of zero length"] += 1
            continue
        records.append(
            ImportedRecord(
                tool=TOOL,
                source_id=ids.unique(frame_id),
                start=start,
                end=stop,
                zone=options.zone.key,
                line=line,
                project=project,
                tags=tags,
            )
        )
    walker.finish()
    return ParsedFile(TOOL, path, records, rows, left_out)
