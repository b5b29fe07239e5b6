"""`edit`, `delete`, `restore` and `conflicts`, with two devices whose folders a test syncs."""

from __future__ import annotations

import io
import os
import re
import shutil
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from sec_desktop.cli.main import main
from sec_desktop.doctor import DoctorContext, Status, check_entry_conflicts
from sec_desktop.store import device_id
from tests.unit.cli.conftest import NOW, TZ, Result

ID = re.compile(r"\[id ([0-9a-f-]{36})\]")


class Device:
    """One machine: its own config folder (device id) and its own copy of the data folder."""

    def __init__(self, root: Path, name: str) -> None:
        self.config = root / name / "config"
        self.data = root / name / "data"
        self.env = {
            **os.environ,
            "SEC_DESKTOP_CONFIG_DIR": str(self.config),
            "SEC_DESKTOP_DATA_DIR": str(self.data),
        }
        self.now = NOW

    @property
    def id(self) -> str:
        return device_id(self.config)

    def __call__(self, *args: str) -> Result:
        self.now += timedelta(seconds=5)
        out, err = io.StringIO(), io.StringIO()
        code = main(["--tz", TZ, *args], now=lambda: self.now, env=self.env, out=out, err=err)
        result = Result(code, out.getvalue(), err.getvalue())
        assert "Traceback" not in result.out + result.err
        return result

    def sync_to(self, other: Device) -> None:
        shutil.copytree(self.data / "entries", other.data / "entries", dirs_exist_ok=True)


@pytest.fixture
def pair(isolated_dirs: dict[str, Path], tmp_path: Path) -> tuple[Device, Device]:
    a, b = Device(tmp_path, "a"), Device(tmp_path, "b")
    b.now = NOW - timedelta(minutes=10)  # B's clock runs ten minutes behind
    return a, b


def sync(a: Device, b: Device) -> None:
    a.sync_to(b)
    b.sync_to(a)


def logged(device: Device, *args: str) -> str:
    result = device("log", *args)
    assert result.code == 0, result.err
    found = ID.search(result.out)
    assert found
    return found.group(1)


def test_edit_changes_only_what_is_given_and_export_shows_ids(pair: tuple[Device, Device]) -> None:
    a, _ = pair
    entry_id = logged(a, "okr", "--start", "09:00", "--end", "09:45", "--note", "draft")
    result = a("edit", entry_id[:8], "--start", "09:15", "--activity", "roadmapping")
    assert result.code == 0, result.err
    assert "09:15 to 09:45" in result.out and "'draft'" in result.out
    exported = orjson.loads(a("export", "--format", "json").out)
    (entry,) = exported["entries"]
    assert entry["id"] == entry_id
    assert entry["start"] == "2026-11-23T08:15:00Z"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--end", "08:00"), "before it starts"),
        ((), "say what to change"),
        (("--activity", "qqqqzzzz"), "no activity matches"),
    ],
)
def test_bad_edits_are_refused_with_a_reason(
    pair: tuple[Device, Device], args: tuple[str, ...], message: str
) -> None:
    a, _ = pair
    entry_id = logged(a, "okr", "--start", "09:00", "--end", "09:45")
    result = a("edit", entry_id, *args)
    assert result.code == 2
    assert message in result.err


def test_an_unknown_or_ambiguous_id_is_refused(pair: tuple[Device, Device]) -> None:
    a, _ = pair
    result = a("delete", "0000000000")
    assert result.code == 2 and "no entry with id '0000000000'" in result.err


def test_delete_and_restore(pair: tuple[Device, Device]) -> None:
    a, _ = pair
    entry_id = logged(a, "okr", "--start", "09:00", "--end", "09:45")
    assert "Deleted" in a("delete", entry_id).out
    assert orjson.loads(a("export", "--format", "json").out)["entries"] == []
    assert a("edit", entry_id, "--note", "x").code == 2
    assert "Restored" in a("restore", entry_id).out
    assert len(orjson.loads(a("export", "--format", "json").out)["entries"]) == 1


def test_edits_on_two_devices_merge_and_a_lost_note_can_be_taken_back(
    pair: tuple[Device, Device], isolated_dirs: dict[str, Path]
) -> None:
    a, b = pair
    entry_id = logged(a, "okr", "--start", "09:00", "--end", "09:45", "--note", "first")
    sync(a, b)
    assert a("edit", entry_id, "--start", "09:10").code == 0
    assert b("edit", entry_id, "--activity", "roadmapping").code == 0
    assert a("edit", entry_id, "--note", "note from A").code == 0
    assert b("edit", entry_id, "--note", "note from B").code == 0
    sync(a, b)
    for device in (a, b):
        (entry,) = orjson.loads(device("export", "--format", "json", "--include-notes").out)[
            "entries"
        ]
        assert entry["start"] == "2026-11-23T08:10:00Z"  # A's times
        assert "roadmap" in entry["activity"]  # B's activity
    listing = a("conflicts").out
    # Concurrent: the higher stamp wins, A's here, as B's clock runs behind; B's is kept.
    assert "its note is 'note from A'" in listing
    assert f"{b.id} set it to 'note from B'" in listing
    report = check_entry_conflicts(
        DoctorContext(a.data, a.config / "backups", a.id, NOW, a.env, config_dir=a.config)
    )
    assert report[0].status is Status.WARNING and entry_id in report[0].message
    taken = a("conflicts", "take", entry_id, "note")
    assert taken.code == 0, taken.err
    sync(a, b)
    for device in (a, b):
        assert device("conflicts").out.startswith("No edit lost")
        (entry,) = orjson.loads(device("export", "--format", "json", "--include-notes").out)[
            "entries"
        ]
        assert entry["note"] == "note from B"


def test_a_delete_that_did_not_see_an_edit_is_shown_and_can_be_taken_back(
    pair: tuple[Device, Device],
) -> None:
    a, b = pair
    entry_id = logged(a, "okr", "--start", "09:00", "--end", "09:45")
    sync(a, b)
    assert a("delete", entry_id).code == 0
    assert b("edit", entry_id, "--note", "still needed").code == 0
    sync(a, b)
    listing = a("conflicts").out
    assert f"entry {entry_id}" in listing and "the edit wins" in listing
    assert len(orjson.loads(a("export", "--format", "json").out)["entries"]) == 1
    assert "Deleted entry" in a("conflicts", "take", entry_id, "deleted").out
    sync(a, b)
    assert orjson.loads(b("export", "--format", "json").out)["entries"] == []


def test_the_same_time_on_two_devices_is_listed_and_resolved(
    pair: tuple[Device, Device],
) -> None:
    a, b = pair
    first = logged(a, "okr", "--start", "09:00", "--end", "09:45")
    second = logged(b, "roadmapping", "--start", "09:30", "--end", "10:15")
    sync(a, b)
    listing = a("conflicts").out
    assert first in listing and second in listing and "share 15 min" in listing
    report = check_entry_conflicts(
        DoctorContext(a.data, a.config / "backups", a.id, NOW, a.env, config_dir=a.config)
    )
    assert report[1].status is Status.WARNING and "counted twice" in report[1].message
    result = a("conflicts", "resolve", first, second, "--trim")
    assert result.code == 0, result.err
    assert "Trimmed 2026-11-23 09:45 to 10:15" in result.out
    sync(a, b)
    assert b("conflicts").out.startswith("No edit lost")


def test_resolve_refuses_what_it_cannot_do(pair: tuple[Device, Device]) -> None:
    a, b = pair
    outer = logged(a, "okr", "--start", "09:00", "--end", "11:00")
    inner = logged(b, "roadmapping", "--start", "09:30", "--end", "10:00")
    sync(a, b)
    assert "wholly within" in a("conflicts", "resolve", outer, inner, "--trim").err
    assert "split it in two" in a("conflicts", "resolve", inner, outer, "--trim").err
    assert a("conflicts", "resolve", outer, inner, "--drop").code == 0
    assert a("conflicts").out.startswith("No edit lost")


def test_a_damaged_clock_state_is_named_and_the_edit_still_saved(
    pair: tuple[Device, Device],
) -> None:
    a, _ = pair
    entry_id = logged(a, "okr", "--start", "09:00", "--end", "09:45")
    (state,) = a.config.glob("clock-*.json")
    state.write_text("{damaged")
    result = a("edit", entry_id, "--note", "still saved")
    assert result.code == 0
    assert f"The clock state {state} could not be read" in result.err
    assert "'still saved'" in result.out
    assert a("edit", entry_id, "--note", "again").err == ""  # rewritten by the edit
