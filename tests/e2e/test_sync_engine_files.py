"""What Syncthing keeps in the data folder is its own: doctor leaves its `.stfolder` marker
(Syncthing makes it 0755) out of the permissions check, and a save never removes a
`.syncthing.*.tmp` download, which doctor names as Syncthing's."""

from __future__ import annotations

import stat

from tests.e2e.syncthing_pair import SYNC_MARKS, SyncthingPair, at, past_day
from tests.helpers.ids import OKR

pytestmark = SYNC_MARKS


def test_syncthings_marker_and_downloads_are_left_to_syncthing(sync_pair: SyncthingPair) -> None:
    day = past_day(3)
    sync_pair.a.log(OKR, at(day, "09:00"), at(day, "09:30"))
    sync_pair.settle()
    for device in sync_pair.devices:
        marker = device.data_dir / ".stfolder"
        assert marker.is_dir(), f"{device.name}: Syncthing made no marker"
        # Syncthing's own mode (0755 under the usual umask): not the app's to judge or change.
        mode = stat.S_IMODE(marker.stat().st_mode)
        assert mode & 0o077, f"{device.name}: .stfolder is {mode:04o}, nothing to check"
        line = device.doctor_line("permissions")
        assert "private to you" in line, f"{device.name}: {line}"
        assert stat.S_IMODE(marker.stat().st_mode) == mode

    # A download Syncthing left interrupted in A's own device folder (as when a device id
    # was cloned), beside a save's temp file a killed write left.
    own = sync_pair.a.data_dir / "entries" / sync_pair.a.app_device_id
    download = own / f".syncthing.{day:%Y-%m}.json.tmp"
    killed_save = own / f".{day:%Y-%m}.json.k1l2m3n4.tmp"
    download.write_bytes(b"half a download")
    killed_save.write_bytes(b"half a save")
    doctor = sync_pair.a.cli("doctor").stdout
    assert "1 download file of Syncthing" in doctor, doctor
    assert "1 temporary files from an interrupted save" in doctor, doctor
    sync_pair.a.log(OKR, at(day, "10:00"), at(day, "10:30"))
    assert download.read_bytes() == b"half a download"
    assert not killed_save.exists()
