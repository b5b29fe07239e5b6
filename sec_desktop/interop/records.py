"""What every importer produces: one record per row, interval or event of the source file."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import orjson

# The largest file an import reads: years of any tracker's export are a few MB; the cap keeps
# a wrong file (a disk image, a video) from taking all memory before it is refused.
MAX_IMPORT_BYTES = 200 * 1024 * 1024
# Fields a rule may match, in the order an unmapped record is described by.
RULE_FIELDS = ("project", "client", "task", "tags", "title", "description")


class ImportFileError(ValueError):
    """A file that can't be imported as a whole; names the file, the line and the reason."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = Path(path)
        self.line = line
        self.reason = reason


class RecordError(ValueError):
    """One bad row, interval or event; the importer adds the file and line."""


class ImportedRecord(NamedTuple):
    """One stretch of time read from another tool, before it is mapped to an activity.

    `source_id` is stable across exports of the same data (the tool's own id, or a hash of the
    row), so importing a file twice adds nothing. `entry` is set only by the lossless SEC
    Desktop JSON format, whose records already carry their activity and history. (A named
    tuple, not a frozen dataclass: one is built for every row, in a quarter of the time.)
    """

    tool: str
    source_id: str
    start: datetime
    end: datetime
    zone: str
    line: int
    project: str = ""
    client: str = ""
    task: str = ""
    tags: tuple[str, ...] = ()
    title: str = ""
    description: str = ""
    entry: Mapping[str, Any] | None = None

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def field_values(self, name: str) -> tuple[str, ...]:
        """The values a rule on `name` is matched against (each tag on its own)."""
        if name == "tags":
            return self.tags
        value: str = getattr(self, name)
        return (value,) if value else ()


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file: the zone for times without one, the span to keep, and who `me` is.

    `start`/`end` bound the records kept (UTC, half-open); for calendars they also bound the
    expansion of recurring events. `me` holds the user's calendar addresses, so an event they
    declined is recognised.
    """

    zone: ZoneInfo
    now: datetime
    start: datetime | None = None
    end: datetime | None = None
    me: tuple[str, ...] = ()


@dataclass
class ParsedFile:
    """All records of one file, plus what the importer left out on purpose and why."""

    tool: str
    path: Path
    records: list[ImportedRecord]
    rows: int
    left_out: Counter[str] = field(default_factory=Counter)
    # The span a calendar's events were read from (its recurring events are endless).
    span: tuple[datetime, datetime] | None = None


def content_id(*parts: object) -> str:
    """A stable id for a row without one of its own: a hash of its content."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8"))
    return digest.hexdigest()[:32]


class OccurrenceCounter:
    """Numbers identical rows of one file, so two equal rows keep two different ids."""

    def __init__(self) -> None:
        self._seen: Counter[str] = Counter()

    def unique(self, base: str) -> str:
        self._seen[base] += 1
        count = self._seen[base]
        return base if count == 1 else f"{base}#{count}"


def to_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def read_import_bytes(path: Path, head: int | None = None) -> bytes:
    """A regular file's bytes (only its first `head` bytes if given); anything else is refused.

    A FIFO would wait for a writer and a device (/dev/zero) never ends: both are refused
    before reading, as is a file larger than MAX_IMPORT_BYTES. Opened without blocking, then
    checked on the open file, so a file swapped in meanwhile is checked too.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError as exc:
        raise ImportFileError(path, None, "the file does not exist") from exc
    except IsADirectoryError as exc:
        raise ImportFileError(path, None, "it is a folder, not a file") from exc
    except OSError as exc:
        raise ImportFileError(path, None, f"it can't be read ({exc.strerror or exc})") from exc
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ImportFileError(path, None, "it is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise ImportFileError(
                path, None, "it is not a regular file (a pipe, device or socket); save it first"
            )
        try:
            raw = handle.read(MAX_IMPORT_BYTES + 1 if head is None else head)
        except OSError as exc:
            raise ImportFileError(path, None, f"it can't be read ({exc.strerror or exc})") from exc
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            path,
            None,
            f"it is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB, the most one import "
            "reads; export a shorter span and import that",
        )
    return raw


def read_text(path: Path) -> str:
    """The file as text: UTF-8 (a byte-order mark is dropped); anything else is refused."""
    raw = read_import_bytes(path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ImportFileError(
            path, line, f"the file is not UTF-8 text (byte {exc.start + 1} can't be read)"
        ) from exc


# No time, id or version needs more; Python can't even turn 4,300 digits into an int.
MAX_NUMBER_DIGITS = 100


def _digits(literal: str) -> int:
    return sum(char.isdigit() for char in literal)


class _NumberTooLong(ValueError):
    def __init__(self, literal: str) -> None:
        super().__init__(literal)
        self.literal = literal
        self.digits = _digits(literal)


def _bounded_int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_DIGITS and _digits(literal) > MAX_NUMBER_DIGITS:
        raise _NumberTooLong(literal)
    return int(literal)


def _bounded_float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_DIGITS and _digits(literal) > MAX_NUMBER_DIGITS:
        raise _NumberTooLong(literal)
    return float(literal)


_DECODER = json.JSONDecoder(parse_int=_bounded_int, parse_float=_bounded_float)
_WHITESPACE = " \t\n\r"
_WS = " \t\r"  # JSON's white space within one line
# A JSON escape of a UTF-16 surrogate: a pair stands for one character, one alone for none.
_SURROGATE_ESCAPES = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[dD][89a-fA-F][0-9a-fA-F]{2}"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _holds_a_surrogate(value: Any) -> bool:
    """Whether a decoded JSON value has a lone surrogate in a text or key (no file holds it)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _decode_lines(bodies: list[str], first_line: int) -> list[tuple[int, Any]] | None:
    """(line, element) of each non-blank line of a list's body, one element a line and a
    comma after each but the last; None when it is not that, or orjson can't stand in."""
    found: list[tuple[int, Any]] = []
    last = max((i for i, body in enumerate(bodies) if body), default=-1)
    for index, body in enumerate(bodies):
        if not body:
            continue
        if index < last:
            if not body.endswith(","):
                return None
            body = body[:-1]  # noqa: PLW2901 - the element without its comma
        if "\\u" in body and _SURROGATE_ESCAPES.search(body):
            return None
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None  # the last line's comma too: `[1,]` is for the walk to refuse
        if _holds_a_float(value):
            return None
        found.append((first_line + index, value))
    return found


def _holds_a_float(value: Any) -> bool:
    """Whether a decoded value holds a number orjson made a float: a fraction, or an integer
    too long for 64 bits, which the walk keeps exact or refuses (MAX_NUMBER_DIGITS)."""
    pending = [value]
    for item in pending:  # grows while it is read: every value nested in `value`
        kind = type(item)
        if kind is float:
            return True
        if kind is dict:
            pending += item.values()
        elif kind is list:
            pending += item
    return False


class JsonPositions:
    """Walks a JSON document while keeping line numbers, so errors can name the line."""

    def __init__(self, text: str, path: Path) -> None:
        self.text = text
        self.path = path
        self._line_pos = 0
        self._line = 1
        # Where the last value consumed by the walk ended.
        self.end = 0

    def line_at(self, pos: int) -> int:
        # Positions only move forward while walking, so count newlines incrementally.
        if pos < self._line_pos:
            self._line_pos, self._line = 0, 1
        self._line += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line

    def _syntax_error(self, exc: json.JSONDecodeError) -> ImportFileError:
        return ImportFileError(self.path, exc.lineno, f"it is not valid JSON ({exc.msg})")

    def _expect(self, pos: int, char: str, what: str) -> int:
        pos = _skip_ws(self.text, pos)
        if pos >= len(self.text) or self.text[pos] != char:
            found = repr(self.text[pos]) if pos < len(self.text) else "the end of the file"
            raise ImportFileError(self.path, self.line_at(pos), f"expected {what}, found {found}")
        return pos + 1

    def decode(self, pos: int) -> tuple[Any, int]:
        start = _skip_ws(self.text, pos)
        try:
            value, end = _DECODER.raw_decode(self.text, start)
        except json.JSONDecodeError as exc:
            raise self._syntax_error(exc) from exc
        except _NumberTooLong as exc:
            # The decoder doesn't say where; the number is the first such text from `start`.
            found = self.text.find(exc.literal, start)
            raise ImportFileError(
                self.path,
                self.line_at(found if found >= 0 else start),
                f"a number has {exc.digits:,} digits; at most {MAX_NUMBER_DIGITS} are read",
            ) from None
        except RecursionError:
            raise ImportFileError(
                self.path,
                self.line_at(start),
                "its lists and objects are nested too deeply to read",
            ) from None
        if _SURROGATE_ESCAPES.search(self.text, start, end) and _holds_a_surrogate(value):
            self._lone_surrogate(start, end)
        return value, end

    def _lone_surrogate(self, start: int, end: int) -> None:
        lone = next(
            (m for m in _SURROGATE_ESCAPES.finditer(self.text, start, end) if len(m[0]) == 6),
            None,
        )
        at, escape = (lone.start(), lone[0]) if lone else (start, "\\udXXX")
        raise ImportFileError(
            self.path,
            self.line_at(at),
            f"a text holds {escape}, half of a character pair without the other half",
        )

    def array_items(self, pos: int) -> Iterator[tuple[int, Any]]:
        """(line, value) of each element of the array starting at `pos`."""
        listed = self._one_element_per_line(pos)
        if listed is not None:
            yield from listed
            return
        pos = self._expect(pos, "[", "a JSON list '['")
        pos = _skip_ws(self.text, pos)
        if pos < len(self.text) and self.text[pos] == "]":
            self.end = pos + 1
            return
        while True:
            pos = _skip_ws(self.text, pos)
            line = self.line_at(pos)
            value, pos = self.decode(pos)
            yield line, value
            pos = _skip_ws(self.text, pos)
            if pos < len(self.text) and self.text[pos] == ",":
                pos += 1
                continue
            self.end = self._expect(pos, "]", "',' or ']' after a list element")
            return

    def _one_element_per_line(self, pos: int) -> list[tuple[int, Any]] | None:
        """The elements of the list at `pos` when it is laid out as `timew export` writes
        one: `[` and `]` alone on their lines, one element a line, each but the last followed
        by a comma. Each line is decoded by orjson, many times faster than the walk.

        None when the list is laid out otherwise, or a line holds anything orjson refuses or
        reads differently from the walk (long numbers, surrogate escapes): the caller then
        walks the list, which gives the same elements, or the error naming the line.
        """
        text = self.text
        pos = _skip_ws(text, pos)
        line_end = text.find("\n", pos)
        if not text.startswith("[", pos) or line_end < 0 or text[pos + 1 : line_end].strip(_WS):
            return None
        bodies: list[str] = []
        while True:
            start = line_end + 1
            line_end = text.find("\n", start)
            body = text[start : len(text) if line_end < 0 else line_end].strip(_WS)
            if body == "]":
                break
            if line_end < 0:
                return None  # no `]` alone on a line
            bodies.append(body)
        found = _decode_lines(bodies, self.line_at(pos) + 1)
        if found is not None:
            self.end = text.index("]", start) + 1
        return found

    def object_members(self, pos: int) -> Iterator[tuple[str, int]]:
        """(key, position of its value) of each member of the object at `pos`.

        The caller must consume each value (with `decode` or `array_items`) and set `end`.
        """
        pos = self._expect(pos, "{", "a JSON object '{'")
        pos = _skip_ws(self.text, pos)
        if pos < len(self.text) and self.text[pos] == "}":
            self.end = pos + 1
            return
        while True:
            key, pos = self.decode(pos)
            if not isinstance(key, str):
                raise ImportFileError(self.path, self.line_at(pos), "an object key is not text")
            pos = self._expect(pos, ":", "':' after an object key")
            self.end = pos
            yield key, pos
            pos = _skip_ws(self.text, self.end)
            if pos < len(self.text) and self.text[pos] == ",":
                pos += 1
                continue
            self.end = self._expect(pos, "}", "',' or '}' after an object member")
            return

    def skip_value(self, pos: int) -> None:
        _, self.end = self.decode(pos)

    def finish(self) -> None:
        """Refuse anything after the document but white space."""
        pos = _skip_ws(self.text, self.end)
        if pos < len(self.text):
            raise ImportFileError(
                self.path, self.line_at(pos), "there is more text after the JSON document"
            )
