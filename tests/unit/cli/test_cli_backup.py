"""`sec-desktop backup` against the faults an audit found: quarantined files, odd clocks,
symlinked folders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sec_desktop.doctor import DoctorContext, Status, check_quarantine
from sec_desktop.store.backup import backup_dir_for, backup_if_due, list_backups
from tests.helpers.ids import OKR
from tests.unit.cli.conftest import NOW


def doctor_context(isolated_dirs: dict[str, Path], device: str, days: int) -> DoctorContext:
    data = isolated_dirs["data"]
    return DoctorContext(
        data_dir=data,
        backup_dir=backup_dir_for(isolated_dirs["config"], data),
        device_id=device,
        now=NOW + timedelta(days=days),
        env={},
    )


def test_the_backup_with_the_only_good_copy_of_a_quarantined_file_is_kept(
    cli, log, isolated_dirs, device
) -> None:
    log(OKR, "--start", "09:00", "--end", "10:00")
    assert cli("backup", "now").code == 0
    shard = isolated_dirs["data"] / "entries" / device / "2026-11.json"
    shard.write_bytes(shard.read_bytes()[:40])  # truncated
    report = cli("report", "--period", "today", "--format", "json", now=NOW + timedelta(hours=1))
    assert "quarantine" in report.err
    for day in range(1, 16):
        made = cli("backup", "now", now=NOW + timedelta(days=day))
        assert made.code == 0, made.err

    (result,) = check_quarantine(doctor_context(isolated_dirs, device, 16))
    assert result.status is Status.PROBLEM
    assert result.repair is not None, result.message  # a backup still holds the file
    assert "is kept until" in result.message
    listed = cli("backup", "list", now=NOW + timedelta(days=16))
    kept = [line for line in listed.out.splitlines() if "kept:" in line]
    assert len(kept) == 1, listed.out
    assert f"entries/{device}/2026-11.json" in kept[0]
    # 14 by rotation, plus the one that holds the quarantined file.
    assert len(list_backups(backup_dir_for(isolated_dirs["config"], isolated_dirs["data"]))) == 15

    # Once its entries are restored, the backup is no longer needed and rotates away.
    context = doctor_context(isolated_dirs, device, 16)
    assert result.repair.run().startswith("restored 1 entry")
    assert check_quarantine(context)[0].status is Status.OK
    assert cli("backup", "now", now=NOW + timedelta(days=17)).code == 0
    assert len(list_backups(context.backup_dir)) == 14


FUTURE = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)


def test_a_backup_made_under_a_clock_years_ahead_does_not_outrank_todays(
    cli, log, isolated_dirs
) -> None:
    log(OKR, "--start", "09:00", "--end", "10:00")
    assert cli("backup", "now", now=FUTURE).code == 0
    fresh = cli("backup", "now", "--keep", "1")
    assert fresh.code == 0, fresh.err
    (left,) = list_backups(backup_dir_for(isolated_dirs["config"], isolated_dirs["data"]))
    assert str(left.path) in fresh.out  # the fresh one stays, the 2031 one goes
    assert left.created == NOW


def test_daily_backups_go_on_after_a_backup_from_the_future(cli, log, isolated_dirs) -> None:
    log(OKR, "--start", "09:00", "--end", "10:00")
    data, backups = (
        isolated_dirs["data"],
        backup_dir_for(isolated_dirs["config"], isolated_dirs["data"]),
    )
    assert backup_if_due(data, backups, FUTURE) is not None
    today = backup_if_due(data, backups, NOW)
    assert today is not None
    assert backup_if_due(data, backups, NOW + timedelta(hours=1)) is None
    assert list_backups(backups)[0].path == today.path
    assert backup_if_due(data, backups, NOW + timedelta(days=1)) is not None


BEFORE_ZIP_TIME = datetime(1975, 3, 1, 8, 0, tzinfo=UTC)


def test_backup_and_import_work_under_a_clock_before_1980(
    cli, log, isolated_dirs, tmp_path
) -> None:
    log(OKR, "--start", "09:00", "--end", "10:00")
    made = cli("backup", "now", now=BEFORE_ZIP_TIME - timedelta(days=1))
    assert made.code == 0, made.err
    toggl = tmp_path / "toggl.csv"
    toggl.write_text(
        "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
        "End time,Duration,Tags,Amount (EUR)\n"
        "Ana,ana@example.com,,Board,,deck,No,1975-02-27,09:00:00,1975-02-27,10:00:00,01:00:00,,\n"
    )
    imported = cli("import", str(toggl), "--from", "toggl", "--default", OKR, now=BEFORE_ZIP_TIME)
    assert imported.code == 0, imported.err
    backups = list_backups(backup_dir_for(isolated_dirs["config"], isolated_dirs["data"]))
    assert [b.created for b in backups] == [BEFORE_ZIP_TIME, BEFORE_ZIP_TIME - timedelta(days=1)]
    assert "Backup made before importing" in imported.err
    assert all(b.good for b in backups)


def test_log_refuses_a_symlinked_device_folder_and_names_it(
    cli, isolated_dirs, device, tmp_path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (isolated_dirs["data"] / "entries").mkdir(parents=True)
    (isolated_dirs["data"] / "entries" / device).symlink_to(elsewhere)
    result = cli("log", OKR, "--start", "09:00", "--end", "10:00")
    assert result.code == 1
    assert f"entries/{device} is a symbolic link" in result.err
    assert list(elsewhere.iterdir()) == []
