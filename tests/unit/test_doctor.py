"""`sec-desktop doctor`: each check in plain words, and repairs that do what they said."""

from __future__ import annotations

import io
import os
import shutil
import stat
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import orjson
import pytest

from sec_desktop.cli.main import main
from sec_desktop.doctor import (
    DoctorContext,
    Status,
    check_backups,
    check_data_files,
    check_keyring,
    check_permissions,
    check_quarantine,
    check_settings_conflicts,
    check_state_files,
    check_sync_conflicts,
    check_tray,
    quarantined_files,
)
from sec_desktop.settings import defaults, save_settings
from sec_desktop.store import Entry, EntryStore, device_id
from sec_desktop.store.backup import backup_dir_for, make_backup
from sec_desktop.store.notes_crypto import write_marker
from sec_desktop.store.store import read_shard_file
from tests.helpers.entries import make_entry, save_entries
from tests.helpers.ids import INCIDENT, MENTORSHIP, OKR

NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
OTHER = "desktop-d4e5f6"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


entry = partial(make_entry, minutes=45, activity=MENTORSHIP, now=NOW - timedelta(days=30))


def at(day: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, 9, tzinfo=UTC)


@pytest.fixture
def ctx(isolated_dirs: dict[str, Path]) -> DoctorContext:
    data = isolated_dirs["data"]
    return DoctorContext(
        data_dir=data,
        backup_dir=backup_dir_for(isolated_dirs["config"], data),
        device_id=device_id(isolated_dirs["config"]),
        now=NOW,
        env={},
    )


def add(ctx: DoctorContext, *entries: Entry, device: str | None = None) -> None:
    save_entries(ctx.data_dir, device or ctx.device_id, entries, now=NOW)


def stored(ctx: DoctorContext) -> dict[str, Entry]:
    store = EntryStore(ctx.data_dir, ctx.device_id, clock=lambda: NOW)
    try:
        return {e.id: e for e in store.entries()}
    finally:
        store.close()


def own_shard(ctx: DoctorContext, month: str = "2026-03") -> Path:
    return ctx.data_dir / "entries" / ctx.device_id / f"{month}.json"


def test_a_healthy_folder(ctx) -> None:
    add(
        ctx,
        *(entry(at(d), device=ctx.device_id) for d in (2, 3)),
        entry(at(4, 4), device=ctx.device_id),
    )
    (result,) = check_data_files(ctx)
    assert result.status is Status.OK
    assert result.message == "all 2 entries files are readable (3 entries and tombstones)."
    (quarantine,) = check_quarantine(ctx)
    assert quarantine.status is Status.OK
    (conflicts,) = check_sync_conflicts(ctx)
    assert conflicts.status is Status.OK


def test_an_unreadable_own_file_is_set_aside_and_restored_from_a_backup(ctx) -> None:
    kept = [entry(at(d), device=ctx.device_id) for d in (2, 3, 4)]
    add(ctx, *kept)
    make_backup(ctx.data_dir, ctx.backup_dir, NOW - timedelta(days=1))
    own_shard(ctx).write_bytes(b'{"format": "sec-desktop/entries", "tab')  # a torn write
    (result,) = check_data_files(ctx)
    assert result.status is Status.PROBLEM
    assert "2026-03.json can't be read: it is not valid JSON" in result.message
    assert result.repair is not None
    assert "restore its entries from the newest backup" in result.repair.description
    done = result.repair.run()
    assert "restored 3 entries" in done
    assert set(stored(ctx)) == {e.id for e in kept}
    (after,) = check_data_files(ctx)
    assert after.status is Status.OK
    (quarantine,) = check_quarantine(ctx)
    assert quarantine.status is Status.OK
    assert "restored from a backup" in quarantine.message


def test_a_quarantined_file_restores_only_what_is_missing(ctx) -> None:
    old = [entry(at(d), device=ctx.device_id) for d in (2, 3)]
    add(ctx, *old)
    make_backup(ctx.data_dir, ctx.backup_dir, NOW - timedelta(days=1))
    own_shard(ctx).write_bytes(b"")
    store = EntryStore(ctx.data_dir, ctx.device_id, clock=lambda: NOW)
    store.entries()  # sets the empty file aside
    newer = store.add(entry(at(20), device=ctx.device_id, note="saved after the loss"))
    store.close()
    (item,) = quarantined_files(ctx.data_dir)
    assert item.original == f"entries/{ctx.device_id}/2026-03.json"
    assert item.moved_at == NOW
    (result,) = check_quarantine(ctx)
    assert result.status is Status.PROBLEM
    assert result.repair is not None
    assert "entries saved since then" in result.repair.description
    assert "restored 2 entries" in result.repair.run()
    assert set(stored(ctx)) == {newer.id, *(e.id for e in old)}
    assert item.path.exists()  # the unreadable file is kept, never deleted
    (after,) = check_quarantine(ctx)
    assert after.status is Status.OK


def test_no_backup_means_no_repair_and_a_plain_problem(ctx) -> None:
    add(ctx, entry(at(2), device=ctx.device_id))
    own_shard(ctx).write_bytes(b"garbage")
    store = EntryStore(ctx.data_dir, ctx.device_id, clock=lambda: NOW)
    store.entries()
    store.close()
    (result,) = check_quarantine(ctx)
    assert result.status is Status.PROBLEM
    assert result.repair is None
    assert "no good backup holds that file" in result.message


def test_another_devices_unreadable_file_is_only_a_warning(ctx) -> None:
    folder = ctx.data_dir / "entries" / OTHER
    folder.mkdir(parents=True, mode=0o700)
    (folder / "2026-03.json").write_bytes(b"{")
    (result,) = check_data_files(ctx)
    assert result.status is Status.WARNING
    assert result.repair is None
    assert "half-synced" in result.message


@posix_only
def test_loose_permissions_are_reported_and_fixed(ctx) -> None:
    add(ctx, entry(at(2), device=ctx.device_id))
    own_shard(ctx).chmod(0o644)
    ctx.data_dir.chmod(0o755)
    result = check_permissions(ctx)
    assert result.status is Status.WARNING
    assert "2 files or folders can be read by other users" in result.message
    assert result.repair is not None
    result.repair.run()
    assert stat.S_IMODE(own_shard(ctx).stat().st_mode) == 0o600
    assert stat.S_IMODE(ctx.data_dir.stat().st_mode) == 0o700
    assert check_permissions(ctx).status is Status.OK


def test_an_own_conflict_copy_is_folded_into_its_file_and_set_aside(ctx) -> None:
    first = entry(at(2), device=ctx.device_id)
    add(ctx, first)
    shard = own_shard(ctx)
    before = shard.read_bytes()
    clone_only = entry(at(3), device=ctx.device_id, note="written by a cloned install")
    add(ctx, clone_only)
    copy = shard.with_name("2026-03.sync-conflict-20260305-101530-ABCDEFG.json")
    shutil.copyfile(shard, copy)
    shard.write_bytes(before)
    (result,) = check_sync_conflicts(ctx)
    assert result.status is Status.WARNING
    assert "conflict copy made by Syncthing; its 2 entries are merged" in result.message
    assert result.repair is not None
    assert "saved 1 new and 0 newer entries" in result.repair.run()
    assert not copy.exists()
    assert {d["id"] for d in read_shard_file(shard)} == {first.id, clone_only.id}
    set_aside = list((ctx.data_dir / "quarantine" / "merged-conflicts").rglob("*"))
    assert any(p.name.startswith(copy.name) for p in set_aside)
    assert check_sync_conflicts(ctx)[0].status is Status.OK
    assert check_quarantine(ctx)[0].status is Status.OK  # merged copies aren't losses


def test_a_foreign_conflict_copy_is_left_to_its_device(ctx) -> None:
    add(ctx, entry(at(2), device=OTHER), device=OTHER)
    shard = ctx.data_dir / "entries" / OTHER / "2026-03.json"
    shutil.copyfile(shard, shard.with_name("2026-03 (Ana's conflicted copy 2026-03-05).json"))
    (result,) = check_sync_conflicts(ctx)
    assert result.status is Status.OK
    assert result.repair is None


def test_backups_missing_stale_and_fine(ctx) -> None:
    add(ctx, entry(at(2), device=ctx.device_id))
    missing = check_backups(ctx)
    assert missing.status is Status.WARNING
    assert missing.repair is not None
    assert "made the backup" in missing.repair.run()
    assert check_backups(ctx).status is Status.OK
    later = DoctorContext(**{**ctx.__dict__, "now": NOW + timedelta(days=5)})
    stale = check_backups(later)
    assert stale.status is Status.WARNING
    assert "5 days old" in stale.message


class FakeBackend:
    """A keychain that answers and holds nothing yet."""

    name = "Test keychain"

    def get_password(self, service: str, username: str) -> None:
        return None


def test_keyring_states_in_plain_words() -> None:
    from keyring.backends import fail

    ok = check_keyring(get_keyring=FakeBackend)
    assert ok.status is Status.OK
    assert ok.message.startswith("the keychain is available")
    none = check_keyring(get_keyring=fail.Keyring)
    assert none.status is Status.WARNING
    assert "no keychain is available" in none.message


def test_a_hanging_keyring_is_given_up() -> None:
    release = threading.Event()
    try:
        result = check_keyring(timeout_s=0.2, get_keyring=lambda: release.wait(30))
    finally:
        release.set()
    assert result.status is Status.WARNING
    assert "did not answer in time" in result.message


def test_no_display_means_the_tray_cannot_be_checked(monkeypatch) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    result = check_tray({})
    assert result.status is Status.WARNING
    assert "there is no display" in result.message


# The command ----------------------------------------------------------------------------


def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        code = main(list(args), now=lambda: NOW, env=env, out=out, err=err)
    finally:
        sys.stdin = saved
    return code, out.getvalue(), err.getvalue()


def test_doctor_command_reports_and_repairs_after_asking(ctx, monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    add(ctx, entry(at(2), device=ctx.device_id))
    make_backup(ctx.data_dir, ctx.backup_dir, NOW - timedelta(hours=1))
    own_shard(ctx).write_bytes(b"")
    code, out, _ = run("doctor")
    assert code == 1
    assert "PROBLEM  data files: entries/" in out
    assert "can be repaired: run `sec-desktop doctor --repair`" in out
    code, out, _ = run("doctor", "--repair", stdin="n\n")
    assert "Repairs:\n  1. move entries/" in out
    assert "Nothing was changed." in out
    assert own_shard(ctx).read_bytes() == b""
    code, out, _ = run("doctor", "--repair", stdin="y\n")
    assert code == 0, out
    assert "restored 1 entry of entries/" in out
    assert "After repair:" in out
    assert len(stored(ctx)) == 1


# Settings and the other small files -------------------------------------------------------

DAMAGED_STATE_FILES = {
    # name: (where the file is, what the check says, how bad)
    "settings": (("config", "settings.json"), "settings", Status.WARNING),
    "customization": (("data", "framework/customization.json"), "framework", Status.WARNING),
    "custom profile": (("data", "profiles/custom.json"), "custom profile", Status.WARNING),
    "encryption": (("data", "encryption.json"), "notes encryption", Status.PROBLEM),
}


@pytest.mark.parametrize("damage", [b"{not json", b"[1, 2]", b""])
@pytest.mark.parametrize("which", DAMAGED_STATE_FILES)
def test_a_damaged_state_file_is_reported_and_left_as_it_is(
    ctx, isolated_dirs, which, damage
) -> None:
    (folder, name), check, status = DAMAGED_STATE_FILES[which]
    path = isolated_dirs[folder] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(damage)
    before = sorted(path.parent.iterdir())
    results = check_state_files(replace(ctx, config_dir=isolated_dirs["config"]))
    bad = [r for r in results if r.status is not Status.OK]
    assert [(r.check, r.status) for r in bad] == [(check, status)]
    assert str(path) in bad[0].message or path.name in bad[0].message, bad[0].message
    # Checking changes nothing: the file is neither moved nor repaired.
    assert sorted(path.parent.iterdir()) == before
    assert path.read_bytes() == damage


def test_state_files_that_are_fine_or_absent_are_ok(ctx, isolated_dirs) -> None:
    checked = replace(ctx, config_dir=isolated_dirs["config"])
    assert {r.status for r in check_state_files(checked)} == {Status.OK}
    save_settings(isolated_dirs["config"], defaults().replace(first_run_done=True))
    write_marker(ctx.data_dir, enabled=False, key_id=None, device=ctx.device_id, now=NOW)
    results = check_state_files(checked)
    assert {r.status for r in results} == {Status.OK}
    assert {r.check for r in results} == {c for _, c, _ in DAMAGED_STATE_FILES.values()}


def test_a_bad_settings_value_is_named(ctx, isolated_dirs) -> None:
    save_settings(isolated_dirs["config"], defaults())
    path = isolated_dirs["config"] / "settings.json"
    doc = orjson.loads(path.read_bytes())
    doc["settings"]["interval_minutes"] = -5
    path.write_bytes(orjson.dumps(doc))
    (bad,) = [
        r
        for r in check_state_files(replace(ctx, config_dir=isolated_dirs["config"]))
        if r.status is not Status.OK
    ]
    assert "settings.json" in bad.message and "default" in bad.message, bad.message


def test_doctor_command_fails_while_notes_cannot_be_saved(ctx, monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    ctx.data_dir.mkdir(parents=True, exist_ok=True)
    (ctx.data_dir / "encryption.json").write_bytes(b'{"format": "something else"}')
    code, out, _ = run("doctor")
    assert code == 1, out
    assert "PROBLEM  notes encryption:" in out and "encryption.json" in out


def test_conflict_copies_of_shared_settings_are_found_and_folded_without_loss(ctx) -> None:
    from sec_desktop.framework import load_framework
    from sec_desktop.framework.customization import (
        Customization,
        load_customization,
        save_customization,
    )

    base = load_framework()
    assert check_settings_conflicts(ctx)[0].status is Status.OK
    save_customization(
        ctx.data_dir, Customization().rename(base, OKR, "Goals"), base, device_id=ctx.device_id
    )
    own = ctx.data_dir / "shared" / "customization" / f"{ctx.device_id}.json"
    copy = own.with_name(f"{ctx.device_id}.sync-conflict-20260305-101530-ABCDEFG.json")
    shutil.copyfile(own, copy)
    # The file moves on (a hide); the copy keeps a rename the file no longer has.
    save_customization(
        ctx.data_dir,
        Customization().set_hidden(base, INCIDENT, True),
        base,
        device_id=ctx.device_id,
    )
    (result,) = check_settings_conflicts(ctx)
    assert result.status is Status.WARNING and result.repair is not None
    assert "conflict copy made by Syncthing of your customization settings" in result.message
    before = load_customization(ctx.data_dir, base)[0]
    result.repair.run()
    assert not copy.exists()
    assert load_customization(ctx.data_dir, base)[0] == before
    assert check_settings_conflicts(ctx)[0].status is Status.OK


def test_a_conflict_copy_of_an_old_settings_file_is_merged_into_the_records(ctx) -> None:
    from sec_desktop.framework import load_framework
    from sec_desktop.framework.customization import (
        Customization,
        customization_path,
        load_customization,
    )

    base = load_framework()
    path = customization_path(ctx.data_dir)
    path.parent.mkdir(parents=True)
    path.write_bytes(orjson.dumps(Customization().rename(base, OKR, "Goals").to_document()))
    copy = path.with_name("customization (Ana's conflicted copy 2026-03-05).json")
    copy.write_bytes(orjson.dumps(Customization().set_hidden(base, INCIDENT, True).to_document()))
    (result,) = check_settings_conflicts(ctx)
    assert "old customization" in result.message and result.repair is not None
    result.repair.run()
    custom, problems = load_customization(ctx.data_dir, base)
    # Both devices' changes survive: the rename from the file, the hide from the copy.
    assert problems == [] and custom.renamed == {OKR: "Goals"} and INCIDENT in custom.hidden
    assert not copy.exists() and not path.exists()


def test_a_setting_changed_on_two_devices_at_once_is_named(ctx) -> None:
    from sec_desktop.store.hlc import HybridClock
    from sec_desktop.store.shared_records import SharedRecords

    # Written in separate folders, as two devices apart do: neither saw the other's.
    other = ctx.data_dir.parent / "other-copy"
    earlier = HybridClock("desk-b", lambda: NOW)
    later = HybridClock(ctx.device_id, lambda: NOW + timedelta(seconds=1))  # this device's
    SharedRecords(other, "custom-profile", "desk-b", earlier).write(
        {"band/strategy": {"low": 1, "high": 2}}
    )
    SharedRecords(ctx.data_dir, "custom-profile", ctx.device_id, later).write(
        {"band/strategy": {"low": 20, "high": 30}}
    )
    shutil.copytree(other / "shared", ctx.data_dir / "shared", dirs_exist_ok=True)
    ok, named = check_settings_conflicts(ctx)
    assert ok.status is Status.OK
    assert named.status is Status.WARNING
    assert "custom-profile band/strategy was changed on two devices at once" in named.message
    assert "on desk-b is kept aside" in named.message


def test_a_plan_target_set_on_two_devices_at_once_is_named(ctx) -> None:
    from sec_desktop.analytics.plan_records import PLAN_KIND, target_key
    from sec_desktop.analytics.targets import Quarter
    from sec_desktop.store.hlc import HybridClock
    from sec_desktop.store.shared_records import SharedRecords

    other = ctx.data_dir.parent / "other-copy"
    earlier = HybridClock("desk-b", lambda: NOW)
    later = HybridClock(ctx.device_id, lambda: NOW + timedelta(seconds=1))
    key = target_key(Quarter.parse("2026-Q4"), "strategy")
    SharedRecords(other, PLAN_KIND, "desk-b", earlier).write({key: 0.25})
    SharedRecords(ctx.data_dir, PLAN_KIND, ctx.device_id, later).write({key: 0.3})
    shutil.copytree(other / "shared", ctx.data_dir / "shared", dirs_exist_ok=True)
    _, named = check_settings_conflicts(ctx)
    assert named.status is Status.WARNING
    assert "plan target/2026-Q4/strategy was changed on two devices at once" in named.message
    assert "the plan editor shows it" in named.message
