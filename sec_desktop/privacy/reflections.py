"""The weekly review's reflection: a short text per week, kept in the data folder so it
travels with the entries, one file per week per device (two devices never write one file).

`<data_dir>/reviews/<device>/<monday>.json`, written atomically. While the data folder's
notes are encrypted (`encryption.json`), the text is sealed with the notes key like a note,
bound to its device and week, and a reflection is never written in plain text then: without
the key it is not saved and the caller is told why. No Qt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir
from sec_desktop.store.notes_crypto import (
    MarkerError,
    NoteCipher,
    UndecryptableNote,
    open_sealed,
    read_marker,
)

REVIEWS_DIR = "reviews"
REFLECTION_FORMAT = "sec-desktop/reflection"
REFLECTION_VERSION = 1
# A reflection is a few sentences; a limit keeps a pasted log out of the data folder.
MAX_REFLECTION_CHARS = 10_000
_FILE_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})\.json")
_DEVICE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


class ReflectionError(Exception):
    """A reflection that could not be saved; the message says why, for the user."""


@dataclass(frozen=True)
class Reflection:
    """One device's reflection on the week starting `week` (a Monday).

    `text` is None when it can't be read; `problem` then says why (no key, damaged file).
    """

    week: date
    device: str
    text: str | None
    saved: datetime | None
    encrypted: bool
    problem: str | None = None


def reflection_path(data_dir: Path, device: str, week: date) -> Path:
    return data_dir / REVIEWS_DIR / device / f"{week.isoformat()}.json"


def _sealed_id(device: str, week: date) -> str:
    """What a sealed reflection is bound to: copied to another week or device, it won't open."""
    return f"review/{device}/{week.isoformat()}"


def _check_monday(week: date) -> None:
    if week.weekday() != 0:
        raise ValueError(f"a review week starts on a Monday, not on {week.isoformat()}")


def save_reflection(
    data_dir: Path,
    device: str,
    week: date,
    text: str,
    cipher: NoteCipher | None,
    *,
    now: datetime,
) -> Reflection:
    """Write this device's reflection on `week`, sealed when notes are encrypted.

    ReflectionError, with nothing written, when the text is too long, when notes are
    encrypted and the key is not at hand (or is another key), or when the encryption
    settings can't be read.
    """
    _check_monday(week)
    if len(text) > MAX_REFLECTION_CHARS:
        raise ReflectionError(
            f"the reflection has {len(text)} characters; at most {MAX_REFLECTION_CHARS} are kept"
        )
    try:
        marker = read_marker(data_dir)
    except MarkerError as exc:
        raise ReflectionError(
            f"the encryption settings in {exc.path} can't be read ({exc.reason}), so the "
            "reflection was not saved"
        ) from exc
    doc: dict[str, Any] = {
        "format": REFLECTION_FORMAT,
        "version": REFLECTION_VERSION,
        "week": week.isoformat(),
        "device": device,
        "saved": now.astimezone(UTC).isoformat(),
    }
    encrypted = marker is not None and marker.enabled
    if encrypted:
        if cipher is None:
            raise ReflectionError(
                "notes in this data folder are encrypted and the key is not available, so the "
                "reflection was not saved (it is never written unencrypted)"
            )
        if marker is not None and cipher.key_id != marker.key_id:
            raise ReflectionError(
                f"notes in this data folder are encrypted with key {marker.key_id}, but this "
                f"device's key is {cipher.key_id}; the reflection was not saved"
            )
        doc["text"] = None
        doc["text_encrypted"] = cipher.seal(text, _sealed_id(device, week))
    else:
        doc["text"] = text
    path = reflection_path(data_dir, device, week)
    ensure_private_dir(data_dir / REVIEWS_DIR)
    ensure_private_dir(path.parent)
    atomic_write_bytes(path, orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    return Reflection(week, device, text, now, encrypted)


def _document(path: Path) -> dict[str, Any] | str:
    """The file's document, or why it can't be used."""
    try:
        doc = orjson.loads(path.read_bytes())
    except OSError as exc:
        return f"it could not be read ({exc.strerror or exc})"
    except orjson.JSONDecodeError as exc:
        return f"it is not valid JSON ({exc})"
    if not isinstance(doc, dict) or doc.get("format") != REFLECTION_FORMAT:
        return "it is not an SEC Desktop reflection"
    if doc.get("version") != REFLECTION_VERSION:
        return f"it is format version {doc.get('version')!r}"
    return doc


def _read(path: Path, device: str, week: date, cipher: NoteCipher | None) -> Reflection:
    doc = _document(path)
    if isinstance(doc, str):
        return Reflection(week, device, None, None, False, f"{path}: {doc}")
    saved_raw = doc.get("saved")
    try:
        saved = datetime.fromisoformat(saved_raw) if isinstance(saved_raw, str) else None
    except ValueError:
        saved = None
    sealed = doc.get("text_encrypted")
    if sealed is not None:
        try:
            text = open_sealed(
                cipher, sealed, _sealed_id(device, week), "the notes key is not available"
            )
        except UndecryptableNote as exc:
            problem = f"{path}: the encrypted reflection can't be opened: {exc.reason}"
            return Reflection(week, device, None, saved, True, problem)
        return Reflection(week, device, text, saved, True)
    plain = doc.get("text")
    if not isinstance(plain, str):
        return Reflection(week, device, None, saved, False, f"{path}: it holds no text")
    return Reflection(week, device, plain, saved, False)


def load_reflections(data_dir: Path, week: date, cipher: NoteCipher | None) -> list[Reflection]:
    """Every device's reflection on `week`, by device name; unreadable ones say why."""
    root = data_dir / REVIEWS_DIR
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        path = folder / f"{week.isoformat()}.json"
        if _DEVICE_NAME.fullmatch(folder.name) and path.is_file():
            found.append(_read(path, folder.name, week, cipher))
    return found


def reflection_weeks(data_dir: Path) -> list[date]:
    """The weeks any device wrote a reflection on, newest first."""
    root = data_dir / REVIEWS_DIR
    weeks: set[date] = set()
    if not root.is_dir():
        return []
    for folder in root.iterdir():
        if not (folder.is_dir() and _DEVICE_NAME.fullmatch(folder.name)):
            continue
        for path in folder.iterdir():
            match = _FILE_NAME.fullmatch(path.name)
            if match is None:
                continue
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                continue
            if day.weekday() == 0:
                weeks.add(day)
    return sorted(weeks, reverse=True)


__all__ = [
    "MAX_REFLECTION_CHARS",
    "REVIEWS_DIR",
    "Reflection",
    "ReflectionError",
    "load_reflections",
    "reflection_path",
    "reflection_weeks",
    "save_reflection",
]
