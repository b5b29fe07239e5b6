"""`sec-desktop doctor` and `sec-desktop backup`: check and repair the data folder, and make,
list or restore its backups."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from sec_desktop.cli.base import EXIT_FAILURE, EXIT_OK, CliError, Context, backup_dir_of, confirm
from sec_desktop.timefmt import counted, format_local

if TYPE_CHECKING:
    from sec_desktop.doctor import CheckResult


def _write_results(out: TextIO, results: Sequence[CheckResult], only_issues: bool) -> None:
    from sec_desktop.doctor import Status

    for result in results:
        if only_issues and result.status is Status.OK:
            continue
        tag = {Status.OK: "ok", Status.WARNING: "warning", Status.PROBLEM: "PROBLEM"}
        out.write(f"{tag[result.status]:<8} {result.check}: {result.message}\n")


def cmd_doctor(ctx: Context, args: argparse.Namespace) -> int:
    import os

    from sec_desktop.doctor import DoctorContext, Status, run_checks
    from sec_desktop.settings import configured_backups_kept
    from sec_desktop.store import StoreError
    from sec_desktop.store.backup import BackupError

    doctor = DoctorContext(
        data_dir=ctx.data_dir,
        backup_dir=backup_dir_of(ctx),
        device_id=ctx.store.device_id,
        now=ctx.now_utc(),
        env=dict(os.environ),
        keep_backups=configured_backups_kept(ctx.config_dir),
        config_dir=ctx.config_dir,
    )
    results = run_checks(doctor)
    ctx.out.write(f"Data folder: {ctx.data_dir}\n")
    _write_results(ctx.out, results, only_issues=False)
    repairs = [r.repair for r in results if r.repair is not None]
    if repairs and not args.repair:
        ctx.out.write(
            f"\n{len(repairs)} of these can be repaired: run `sec-desktop doctor --repair` to see "
            "what it would do.\n"
        )
    if repairs and args.repair:
        ctx.out.write("\nRepairs:\n")
        for number, repair in enumerate(repairs, start=1):
            ctx.out.write(f"  {number}. {repair.description}.\n")
        if not confirm(ctx, f"Apply these {len(repairs)} repairs?", args.yes):
            ctx.out.write("Nothing was changed.\n")
            return EXIT_FAILURE if any(r.status is Status.PROBLEM for r in results) else EXIT_OK
        for number, repair in enumerate(repairs, start=1):
            try:
                done = repair.run()
            except (OSError, StoreError, BackupError) as exc:
                ctx.out.write(f"  {number}. failed: {exc}\n")
            else:
                ctx.out.write(f"  {number}. {done}.\n")
        results = run_checks(doctor)
        ctx.out.write("\nAfter repair:\n")
        _write_results(ctx.out, results, only_issues=False)
    elif args.repair:
        ctx.out.write("\nNothing needs repairing.\n")
    return EXIT_FAILURE if any(r.status is Status.PROBLEM for r in results) else EXIT_OK


def cmd_backup(ctx: Context, args: argparse.Namespace) -> int:
    from sec_desktop.store.backup import BackupError

    try:
        if args.action == "now":
            return _backup_now(ctx, args)
        if args.action == "list":
            return _backup_list(ctx, args)
        return _backup_restore(ctx, args)
    except BackupError as exc:
        raise CliError(str(exc), code=EXIT_FAILURE) from exc


def _backup_now(ctx: Context, args: argparse.Namespace) -> int:
    from sec_desktop.settings import configured_backups_kept
    from sec_desktop.store.backup import make_backup, rotate

    keep: int = configured_backups_kept(ctx.config_dir) if args.keep is None else args.keep
    if keep < 1:
        raise CliError(f"--keep must be at least 1 (got {keep})")
    backup_dir = backup_dir_of(ctx)
    backup = make_backup(ctx.data_dir, backup_dir, ctx.now_utc())
    removed = rotate(backup_dir, keep, data_dir=ctx.data_dir)
    ctx.out.write(
        f"Backup made: {backup.path} ({counted(backup.files, 'file')}, "
        f"{counted(backup.entries, 'entry', 'entries')}).\n"
    )
    if removed:
        ctx.out.write(f"Removed {len(removed)} older backups (keeping {keep}).\n")
    if not backup.good:
        for problem in backup.problems:
            ctx.err.write(f"Warning: {problem}\n")
        raise CliError(
            "the backup is incomplete (see the warnings); older good backups were kept",
            code=EXIT_FAILURE,
        )
    return EXIT_OK


def _backup_list(ctx: Context, args: argparse.Namespace) -> int:
    from sec_desktop.store.backup import list_backups

    backup_dir = backup_dir_of(ctx)
    backups = list_backups(backup_dir, verify=args.verify, data_dir=ctx.data_dir)
    if not backups:
        ctx.out.write(f"No backups yet in {backup_dir}.\n")
        return EXIT_OK
    ctx.out.write(f"Backups in {backup_dir}, newest first:\n")
    for backup in backups:
        state = "good" if backup.good else "NOT GOOD: " + "; ".join(backup.problems)
        ctx.out.write(
            f"  {backup.name}  {format_local(backup.created, ctx.tz)}  "
            f"{backup.entries:>8,} entries  {state}\n"
        )
        for reason in backup.kept_for:
            ctx.out.write(f"      kept: {reason}\n")
    return EXIT_OK if all(b.good for b in backups[:1]) else EXIT_FAILURE


def _backup_restore(ctx: Context, args: argparse.Namespace) -> int:
    from sec_desktop.store.backup import apply_restore, list_backups, restore_plan, verify_backup

    backup_dir = backup_dir_of(ctx)
    backups = list_backups(backup_dir)
    if not backups:
        raise CliError(f"there are no backups in {backup_dir}")
    if args.name in (None, "latest"):
        chosen = next((b for b in backups if b.good), None)
        if chosen is None:
            raise CliError("no backup is good; `sec-desktop backup list` shows why")
    else:
        chosen = next((b for b in backups if b.name in (args.name, f"{args.name}.zip")), None)
        if chosen is None:
            raise CliError(
                f"there is no backup named {args.name!r}; `sec-desktop backup list` shows them"
            )
    checked = verify_backup(chosen.path)
    if not checked.good:
        ctx.err.write(
            f"Warning: {chosen.name} is not complete ({'; '.join(checked.problems)}); "
            "its readable files can still be restored.\n"
        )
    plan = restore_plan(checked, ctx.store)
    ctx.out.write(
        f"{chosen.name} holds {counted(checked.entries, 'entry', 'entries')}; {plan.present:,} "
        "are still in the "
        f"data folder (in this or a newer version) and are left as they are.\n"
    )
    if not plan.entries:
        ctx.out.write("Nothing to restore.\n")
        return EXIT_OK
    ctx.out.write(f"Restoring adds back {counted(len(plan.entries), 'entry', 'entries')}:\n")
    for name, count in sorted(plan.per_file.items()):
        ctx.out.write(f"  {count:>6,} from {name}\n")
    if not confirm(ctx, "Add them back?", args.yes):
        ctx.out.write("Nothing was changed.\n")
        return EXIT_OK
    added = apply_restore(plan, ctx.store)
    ctx.out.write(f"Restored {counted(added, 'entry', 'entries')} from {chosen.name}.\n")
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p_doc = sub.add_parser(
        "doctor",
        help="check the data files, backups, keyring, tray and idle source, and repair what can be",
    )
    p_doc.add_argument(
        "--repair", action="store_true", help="show the repairs, then apply them once you agree"
    )
    p_doc.add_argument("--yes", action="store_true", help="with --repair: don't ask")
    p_doc.set_defaults(handler=cmd_doctor)

    p_bak = sub.add_parser("backup", help="make, list or restore backups of the data folder")
    actions = p_bak.add_subparsers(dest="action", metavar="ACTION", required=True)
    p_now = actions.add_parser("now", help="back up the data folder now")
    p_now.add_argument(
        "--keep",
        type=int,
        metavar="N",
        help="backups to keep (default: the settings' Daily backups kept, 14 unless changed)",
    )
    p_list = actions.add_parser("list", help="the backups, newest first")
    p_list.add_argument("--verify", action="store_true", help="re-read every backup in full")
    p_res = actions.add_parser(
        "restore", help="add back the entries of a backup that the data folder lost"
    )
    p_res.add_argument("name", nargs="?", metavar="NAME", help="a backup's name (default: latest)")
    p_res.add_argument("--yes", action="store_true", help="don't ask")
    p_bak.set_defaults(handler=cmd_backup)
