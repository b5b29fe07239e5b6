"""Two devices logging at once through two real Syncthing instances: every entry arrives on
both, none lost or doubled, also when Syncthing is killed on one side during a burst, and
when both devices were given the same device id by mistake."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from tests.e2e.syncthing_pair import (
    SYNC_MARKS,
    Device,
    SyncthingPair,
    at,
    log_bursts,
    past_day,
    syncthing_pair,
)
from tests.helpers.ids import OKR

pytestmark = SYNC_MARKS

SLOT_MINUTES = 5
BURST_TIMEOUT_S = 120.0
# The activity by its id: `log` learns the words a search was typed with into the shared
# aliases.json, which is not what these tests are about.
ACTIVITY = OKR


def day_starts(days_ago: int, count: int) -> list[str]:
    """`count` back-to-back slots from UTC midnight `days_ago` days back (always past)."""
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = midnight - timedelta(days=days_ago)
    return [f"{first + timedelta(minutes=SLOT_MINUTES * n):%Y-%m-%dT%H:%M}" for n in range(count)]


def split(starts: Sequence[str], workers: int) -> list[list[str]]:
    """Interleaved shares, so a device's workers contend for its files the whole time."""
    return [list(starts[n::workers]) for n in range(workers)]


def assert_all_booked(lines: Sequence[str], device: Device) -> None:
    failed = [line for line in lines if not line.startswith("0 ")]
    assert not failed, f"{device.name}: log calls failed: {failed[:5]}"


def assert_exactly(pair: SyncthingPair, expected: dict[str, list[str]]) -> None:
    """Both devices see exactly the expected entries (device id -> starts): each once."""
    want = Counter(
        (device_id, f"{start}:00Z") for device_id, starts in expected.items() for start in starts
    )
    for device in pair.devices:
        entries = device.export()
        seen = Counter(
            (entry["device"], entry["start"].replace("+00:00", "Z")) for entry in entries
        )
        assert seen == want, (
            f"{device.name}: missing {list((want - seen).elements())[:5]}, "
            f"extra {list((seen - want).elements())[:5]}"
        )
        ids = Counter(entry["id"] for entry in entries)
        assert max(ids.values()) == 1, f"{device.name}: ids twice: {ids.most_common(3)}"
        assert {entry["deleted"] for entry in entries} == {None}


def assert_files_whole(pair: SyncthingPair) -> None:
    """Every entries file on each side is whole JSON, no sync-conflict copy was made, and
    `doctor` finds the data files readable."""
    for device in pair.devices:
        entries_dir = device.data_dir / "entries"
        for path in entries_dir.rglob("*.json"):
            try:
                orjson.loads(path.read_bytes())
            except orjson.JSONDecodeError as exc:
                pytest.fail(f"{device.name}: {path} is torn: {exc}")
        conflicts = [p.name for p in entries_dir.rglob("*") if ".sync-conflict-" in p.name]
        assert not conflicts, f"{device.name}: sync-conflict copies {conflicts}"
        doctor = device.cli("doctor").stdout
        for check in ("data files", "sync conflicts"):
            line = next(line for line in doctor.splitlines() if f" {check}:" in line)
            assert line.startswith("ok "), f"{device.name}: doctor says {line}"


def report_minutes(device: Device, first_day: str, last_day: str) -> float:
    out = device.ok(
        "--tz", "UTC", "report", "--from", first_day, "--to", last_day, "--format", "json"
    )
    minutes = orjson.loads(out)["total_minutes"]
    assert isinstance(minutes, float | int)
    return float(minutes)


def test_two_devices_logging_at_once_converge_to_every_entry_once(sync_pair: SyncthingPair) -> None:
    per_device = 200
    expected = {
        sync_pair.a.app_device_id: day_starts(3, per_device),
        sync_pair.b.app_device_id: day_starts(2, per_device),
    }
    # Two processes per device, four at once: each device's two contend for its write lock
    # while Syncthing carries its files to the other side.
    jobs = [
        (device, share)
        for device in sync_pair.devices
        for share in split(expected[device.app_device_id], 2)
    ]
    began = time.monotonic()
    with log_bursts(jobs, ACTIVITY, SLOT_MINUTES) as bursts:
        for burst in bursts:
            assert_all_booked(burst.finish(BURST_TIMEOUT_S), burst.device)
    logged_s = time.monotonic() - began
    # As on a user's machines: no scan asked for, the file watchers notice the changes.
    converge_s = sync_pair.settle(scan=False)

    assert_exactly(sync_pair, expected)
    assert_files_whole(sync_pair)
    first_day, last_day = expected["device-a"][0][:10], expected["device-b"][0][:10]
    for device in sync_pair.devices:
        assert report_minutes(device, first_day, last_day) == 2 * per_device * SLOT_MINUTES
    print(  # the figures, for -s or -rA
        f"pair started in {sync_pair.start_s:.1f} s; 2 x {per_device} logs took "
        f"{logged_s:.1f} s; converged {converge_s:.1f} s after the last"
    )


@pytest.mark.parametrize("killed", ["a", "b"], ids=["sender-killed", "receiver-killed"])
def test_syncthing_killed_during_a_burst_loses_nothing(
    sync_pair: SyncthingPair, killed: str
) -> None:
    burst_size = 250
    starts = day_starts(2, burst_size)
    node = sync_pair.sync_a if killed == "a" else sync_pair.sync_b
    with log_bursts([(sync_pair.a, starts)], ACTIVITY, SLOT_MINUTES) as (burst,):
        # Let Syncthing carry a part of the burst, then kill it mid-way without warning.
        burst.read_until(burst_size // 3)
        node.kill()
        lines = burst.finish(BURST_TIMEOUT_S)
    assert_all_booked(lines, sync_pair.a)
    assert len(lines) == burst_size
    # The kill landed mid-way: B has only part of the burst until Syncthing is back.
    seen_on_b = len(sync_pair.b.export())
    assert seen_on_b < burst_size, "Syncthing was killed after the burst had synced"
    began = time.monotonic()
    node.start()
    sync_pair.wait_connected()
    sync_pair.settle()
    recovered_s = time.monotonic() - began

    assert_exactly(sync_pair, {sync_pair.a.app_device_id: starts})
    assert_files_whole(sync_pair)
    print(
        f"B had {seen_on_b} of {burst_size} entries while Syncthing {killed} was down; "
        f"restarted, the pair converged in {recovered_s:.1f} s"
    )


def test_a_device_id_shared_by_mistake_loses_nothing_and_doctor_folds_the_copy(
    tmp_path: Path,
) -> None:
    # Both machines got the same SEC device id (a cloned config folder): they write the same
    # entries file, and Syncthing keeps the loser as a conflict copy.
    day = past_day(2)
    with syncthing_pair(tmp_path / "pair", app_ids={"a": "device-x", "b": "device-x"}) as pair:
        with pair.apart():
            on_a = pair.a.log(ACTIVITY, at(day, "08:00"), at(day, "09:00"))
            on_b = pair.b.log(ACTIVITY, at(day, "10:00"), at(day, "11:00"))
            assert not pair.in_sync()[0], "settle would not wait for devices that are apart"
        for device in pair.devices:
            assert sorted(e["id"] for e in device.export()) == sorted([on_a, on_b]), device.name
            line = device.doctor_line("sync conflicts")
            assert line.startswith("warning ") and ".sync-conflict-" in line, line

        repair = pair.a.cli("doctor", "--repair", "--yes")
        assert repair.returncode == 0, repair.stdout + repair.stderr
        pair.settle()
        for device in pair.devices:
            assert sorted(e["id"] for e in device.export()) == sorted([on_a, on_b]), device.name
            assert device.doctor_line("sync conflicts").startswith("ok "), device.name
