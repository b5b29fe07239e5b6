"""The shared settings through two real Syncthing instances: framework changes and personal
bands made on both devices at once all survive, the notes key set up on A is joined on B with
the passphrase, `encryption off` on B never makes A write plain text silently, and doctor folds
the conflict copies Syncthing makes of a settings file."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from tests.e2e.syncthing_pair import SYNC_MARKS, Device, SyncthingPair
from tests.helpers.file_keyring import BACKEND_NAME, KEYRING_FILE_ENV
from tests.helpers.ids import INCIDENT, OKR, RISK

pytestmark = SYNC_MARKS

PASSPHRASE = "a passphrase both devices know"  # noqa: S105 - the test's own


@contextlib.contextmanager
def apart(pair: SyncthingPair) -> Iterator[None]:
    """The two Syncthing instances stop talking (each pauses the other), so what both devices
    do meanwhile is truly concurrent; they talk again when the block ends."""
    for node in pair.nodes:
        node.request("POST", f"/rest/system/pause?device={pair.peer(node).device_id}")
    try:
        yield
    finally:
        for node in pair.nodes:
            node.request("POST", f"/rest/system/resume?device={pair.peer(node).device_id}")
        pair.wait_connected()


def drive(device: Device, *args: str, clock_offset: str | None = None) -> str:
    """The framework editor's and the band editor's calls, as this device's own process
    (under faketime when `clock_offset` is given: "-10m" runs its clock 10 minutes slow)."""
    command = [sys.executable, "-m", "tests.e2e.shared_settings_driver", *args]
    if clock_offset is not None:
        command = ["faketime", "-f", clock_offset, *command]
    result = subprocess.run(
        command,
        env=device.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"{device.name}: driver {args} failed:\n{result.stderr}"
    return result.stdout


def shown(device: Device) -> dict[str, Any]:
    found = orjson.loads(drive(device, "show"))
    assert isinstance(found, dict)
    return found


def with_keychain(pair: SyncthingPair) -> None:
    """Each device gets a keychain of its own (a file outside the synced folder)."""
    for device in pair.devices:
        device.extra_env.update(
            {
                "PYTHON_KEYRING_BACKEND": BACKEND_NAME,
                KEYRING_FILE_ENV: str(device.root / "keychain.json"),
            }
        )


def notes_seen(device: Device) -> list[str]:
    entries = device.export("--include-notes")
    return sorted(str(e.get("note")) for e in entries if e.get("note"))


def test_framework_changes_and_bands_made_on_both_devices_at_once_all_survive(
    sync_pair: SyncthingPair, record_property: Callable[[str, Any], None]
) -> None:
    a, b = sync_pair.devices
    with apart(sync_pair):
        drive(a, "rename", OKR, "Goals and OKRs")
        drive(b, "hide", OKR)
    converge_rename_hide = sync_pair.settle(scan=False)
    for device in sync_pair.devices:
        seen = shown(device)
        assert seen["labels"][OKR] == "Goals and OKRs", device.name
        assert OKR in seen["hidden"], device.name
        assert seen["problems"] == [] and seen["conflicts"] == []

    with apart(sync_pair):
        drive(a, "band", "strategy", "30", "40")
        drive(b, "rename", INCIDENT, "Incidents")
        drive(b, "band", "culture", "15", "25")
    converge_band_rename = sync_pair.settle(scan=False)
    for device in sync_pair.devices:
        seen = shown(device)
        assert seen["labels"][INCIDENT] == "Incidents", device.name
        assert seen["labels"][OKR] == "Goals and OKRs", device.name
        assert seen["bands"] == {"strategy": [30.0, 40.0], "culture": [15.0, 25.0]}, device.name

    # The same item changed on both: one value wins on both devices, the other stays visible.
    with apart(sync_pair):
        drive(a, "rename", RISK, "Risk from A")
        drive(b, "rename", RISK, "Risk from B")
    sync_pair.settle()
    seen_a, seen_b = shown(a), shown(b)
    assert seen_a["labels"][RISK] == seen_b["labels"][RISK] in ("Risk from A", "Risk from B")
    assert seen_a["conflicts"] == seen_b["conflicts"] == [f"rename/{RISK}"]
    # B's clock runs 10 minutes slow: its rename, made after it saw A's, still wins.
    drive(a, "rename", RISK, "Risk, renamed on A")
    sync_pair.settle()
    drive(b, "rename", RISK, "Risk, renamed later on slow B", clock_offset="-10m")
    sync_pair.settle()
    for device in sync_pair.devices:
        seen = shown(device)
        assert seen["labels"][RISK] == "Risk, renamed later on slow B", device.name
        assert seen["conflicts"] == [], device.name
    files = sorted(p.name for p in (a.data_dir / "shared").rglob("*.json"))
    assert not [name for name in files if "sync-conflict" in name], files
    record_property("converge_rename_hide_s", round(converge_rename_hide, 2))
    record_property("converge_band_rename_s", round(converge_band_rename, 2))
    print(
        f"rename on A + hide on B converged in {converge_rename_hide:.1f} s; band on A + "
        f"rename and band on B in {converge_band_rename:.1f} s"
    )


def test_notes_key_joined_with_the_passphrase_and_off_on_b_never_silent_on_a(
    sync_pair: SyncthingPair, record_property: Callable[[str, Any], None]
) -> None:
    with_keychain(sync_pair)
    a, b = sync_pair.devices
    secret = a.root / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    a.ok("encryption", "on", "--passphrase-file", str(secret))
    a.ok(
        "--tz",
        "UTC",
        "log",
        OKR,
        "--start",
        "2026-01-05T09:00",
        "--minutes",
        "30",
        "--note",
        "written on A",
    )
    began = time.monotonic()
    sync_pair.settle(scan=False)
    converge_on = time.monotonic() - began

    refused = b.cli(
        "--tz",
        "UTC",
        "log",
        OKR,
        "--start",
        "2026-01-05T10:00",
        "--minutes",
        "30",
        "--note",
        "written on B",
    )
    assert refused.returncode == 1 and "sec-desktop encryption unlock" in refused.stderr
    assert "holds no notes key" in b.ok("encryption", "status")
    b.ok("encryption", "on", "--passphrase-file", str(secret))
    b.ok(
        "--tz",
        "UTC",
        "log",
        OKR,
        "--start",
        "2026-01-05T10:00",
        "--minutes",
        "30",
        "--note",
        "written on B",
    )
    sync_pair.settle(scan=False)
    for device in sync_pair.devices:
        assert notes_seen(device) == ["written on A", "written on B"], device.name
        assert "the folder's key" in device.ok("encryption", "status"), device.name
    for path in a.data_dir.rglob("*.json"):
        assert b"written on" not in path.read_bytes(), path

    b.ok("encryption", "off")
    sync_pair.settle(scan=False)
    refused = a.cli(
        "--tz",
        "UTC",
        "log",
        OKR,
        "--start",
        "2026-01-05T11:00",
        "--minutes",
        "30",
        "--note",
        "must not be plain",
    )
    assert refused.returncode == 1, refused.stdout
    assert "turned off on device device-b" in refused.stderr
    for path in a.data_dir.rglob("*.json"):
        assert b"must not be plain" not in path.read_bytes(), path
    record_property("converge_encryption_on_s", round(converge_on, 2))


def test_doctor_folds_the_conflict_copies_syncthing_makes_of_a_settings_file(
    sync_pair: SyncthingPair,
) -> None:
    a, b = sync_pair.devices
    # One device id cloned onto both machines: both write the same records file at once, so
    # Syncthing keeps one and makes a conflict copy of the other.
    with apart(sync_pair):
        drive(a, "records-as", "clone-x", f"rename/{OKR}", "From the clone on A")
        time.sleep(1.1)  # a later modification time on B: Syncthing keeps B's, copies A's
        drive(b, "records-as", "clone-x", f"rename/{INCIDENT}", "From the clone on B")
    sync_pair.settle()
    folder = a.data_dir / "shared" / "customization"
    copies = [p for p in folder.iterdir() if ".sync-conflict-" in p.name]
    assert copies, sorted(p.name for p in folder.iterdir())
    # Before doctor, both changes already show: the copy is read as part of the union.
    for device in sync_pair.devices:
        labels = shown(device)["labels"]
        assert labels[OKR] == "From the clone on A" and labels[INCIDENT] == "From the clone on B"
    doctor = a.cli("doctor")
    assert "conflict copy made by Syncthing of your customization settings" in doctor.stdout
    a.ok("doctor", "--repair", "--yes")
    sync_pair.settle()
    for device in sync_pair.devices:
        names = [p.name for p in (device.data_dir / "shared").rglob("*")]
        assert not [n for n in names if ".sync-conflict-" in n], (device.name, names)
        labels = shown(device)["labels"]
        assert labels[OKR] == "From the clone on A" and labels[INCIDENT] == "From the clone on B"
