"""The weekly reflection: saved and read back, sealed while notes are encrypted and never
written in plain text then, bound to its week and device."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sec_desktop.privacy.reflections import (
    MAX_REFLECTION_CHARS,
    ReflectionError,
    load_reflections,
    reflection_path,
    reflection_weeks,
    save_reflection,
)
from sec_desktop.store.notes_crypto import NoteCipher, write_marker

WEEK = date(2026, 11, 30)
NOW = datetime(2026, 12, 7, 9, 5, tzinfo=UTC)
TEXT = "Too much firefighting; block Thursday mornings for strategy."


def cipher(key_id: str = "k1") -> NoteCipher:
    return NoteCipher(os.urandom(32), key_id)


def encrypt_folder(data_dir: Path, key_id: str = "k1") -> None:
    write_marker(data_dir, enabled=True, key_id=key_id, device="laptop-aaaaaa", now=NOW)


def test_plain_round_trip(tmp_path: Path) -> None:
    saved = save_reflection(tmp_path, "laptop-aaaaaa", WEEK, TEXT, None, now=NOW)
    assert not saved.encrypted
    [back] = load_reflections(tmp_path, WEEK, None)
    assert (back.text, back.device, back.saved, back.problem) == (TEXT, "laptop-aaaaaa", NOW, None)
    assert reflection_weeks(tmp_path) == [WEEK]


def test_encrypted_round_trip_never_plain_on_disk(tmp_path: Path) -> None:
    encrypt_folder(tmp_path)
    key = cipher()
    saved = save_reflection(tmp_path, "laptop-aaaaaa", WEEK, TEXT, key, now=NOW)
    assert saved.encrypted
    raw = reflection_path(tmp_path, "laptop-aaaaaa", WEEK).read_bytes()
    assert b"firefighting" not in raw and b"text_encrypted" in raw
    [back] = load_reflections(tmp_path, WEEK, key)
    assert back.text == TEXT and back.encrypted
    [locked] = load_reflections(tmp_path, WEEK, None)
    assert locked.text is None and locked.problem is not None and "key" in locked.problem


def test_encrypted_without_key_writes_nothing(tmp_path: Path) -> None:
    encrypt_folder(tmp_path)
    with pytest.raises(ReflectionError, match="never written unencrypted"):
        save_reflection(tmp_path, "laptop-aaaaaa", WEEK, TEXT, None, now=NOW)
    assert not (tmp_path / "reviews").exists()


def test_another_key_is_refused(tmp_path: Path) -> None:
    encrypt_folder(tmp_path, "k1")
    with pytest.raises(ReflectionError, match="key k1"):
        save_reflection(tmp_path, "laptop-aaaaaa", WEEK, TEXT, cipher("k2"), now=NOW)
    assert not reflection_path(tmp_path, "laptop-aaaaaa", WEEK).exists()


def test_sealed_text_moved_to_another_week_does_not_open(tmp_path: Path) -> None:
    encrypt_folder(tmp_path)
    key = cipher()
    save_reflection(tmp_path, "laptop-aaaaaa", WEEK, TEXT, key, now=NOW)
    other = date(2026, 11, 23)
    moved = reflection_path(tmp_path, "laptop-aaaaaa", other)
    moved.write_bytes(reflection_path(tmp_path, "laptop-aaaaaa", WEEK).read_bytes())
    [back] = load_reflections(tmp_path, other, key)
    assert back.text is None and back.problem is not None and "does not verify" in back.problem


def test_each_device_keeps_its_own_file(tmp_path: Path) -> None:
    save_reflection(tmp_path, "laptop-aaaaaa", WEEK, "from the laptop", None, now=NOW)
    save_reflection(tmp_path, "desk-bbbbbb", WEEK, "from the desk", None, now=NOW)
    texts = {r.device: r.text for r in load_reflections(tmp_path, WEEK, None)}
    assert texts == {"laptop-aaaaaa": "from the laptop", "desk-bbbbbb": "from the desk"}


def test_saving_again_replaces(tmp_path: Path) -> None:
    save_reflection(tmp_path, "laptop-aaaaaa", WEEK, "first", None, now=NOW)
    save_reflection(tmp_path, "laptop-aaaaaa", WEEK, "second", None, now=NOW)
    assert [r.text for r in load_reflections(tmp_path, WEEK, None)] == ["second"]


def test_too_long_and_not_monday_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ReflectionError, match="at most"):
        save_reflection(
            tmp_path, "laptop-aaaaaa", WEEK, "x" * (MAX_REFLECTION_CHARS + 1), None, now=NOW
        )
    with pytest.raises(ValueError, match="Monday"):
        save_reflection(tmp_path, "laptop-aaaaaa", date(2026, 12, 1), TEXT, None, now=NOW)


def test_damaged_file_is_named(tmp_path: Path) -> None:
    path = reflection_path(tmp_path, "laptop-aaaaaa", WEEK)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"{oops")
    [back] = load_reflections(tmp_path, WEEK, None)
    assert back.text is None and back.problem is not None and str(path) in back.problem


def test_damaged_marker_refuses_to_save(tmp_path: Path) -> None:
    (tmp_path / "encryption.json").write_text("{")
    with pytest.raises(ReflectionError, match="encryption settings"):
        save_reflection(tmp_path, "laptop-aaaaaa", WEEK, TEXT, None, now=NOW)
