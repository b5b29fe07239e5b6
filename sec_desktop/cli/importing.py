"""`sec-desktop import`: entries from Toggl, Timewarrior, Watson, TagTime, a calendar or this app's
JSON, mapped by rules, with a daily backup first.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sec_desktop.cli.base import (
    EXIT_FAILURE,
    EXIT_OK,
    CliError,
    Context,
    backup_dir_of,
    resolve_activity,
)
from sec_desktop.timefmt import counted, format_duration, format_local, parse_date

if TYPE_CHECKING:
    from sec_desktop.interop import ImportPlan
    from sec_desktop.store import Entry


FORMAT_NAMES = ("toggl", "timewarrior", "watson", "tagtime", "ics", "sec-json")
FORMAT_ALIASES = ("timew", "ical", "icalendar", "json")
DRY_RUN_ENTRIES_SHOWN = 20
OVERLAPS_SHOWN = 10
UNMAPPED_GROUPS_SHOWN = 15
# C0 controls (ESC, BEL, newline...), DEL and C1 controls (CSI...): text from an imported file
# printed with them could move the cursor, retitle or clear the terminal, or fake lines.
_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f-\x9f]")


def _safe(text: str) -> str:
    """Text read from an imported file, its control characters shown as escapes (\\x1b)."""
    return _CONTROL_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


# import -----------------------------------------------------------------------------------


def _date_range(ctx: Context, args: argparse.Namespace) -> tuple[datetime | None, datetime | None]:
    from sec_desktop.analytics import Period

    if not args.since and not args.until:
        return None, None
    first = parse_date(args.since, "--since") if args.since else None
    last = parse_date(args.until, "--until") if args.until else None
    if first and last and last < first:
        raise CliError(f"--until {last.isoformat()} is before --since {first.isoformat()}")
    start = Period(first, first, ctx.tz).start if first else None
    end = Period(last, last, ctx.tz).end if last else None
    return start, end


def _label(ctx: Context, activity: str) -> str:
    fw = ctx.framework
    return fw[activity].label if activity in fw else activity


def _write_summary(ctx: Context, plan: ImportPlan, dry_run: bool) -> None:
    out = ctx.out
    from sec_desktop.interop import FORMATS

    label = FORMATS[plan.tool].label
    out.write(f"{_safe(plan.path.name)} ({label}): {plan.rows:,} rows read.\n")
    if plan.span is not None:
        first, last = (format_local(moment, ctx.tz) for moment in plan.span)
        out.write(f"  events read from {first} to {last} (--since/--until change this)\n")
    verb = "would add" if dry_run else "to add"
    if plan.new_entries:
        first = format_local(plan.new_entries[0].start, ctx.tz)[:10]
        last = format_local(plan.new_entries[-1].start, ctx.tz)[:10]
        out.write(
            f"  {verb}: {counted(len(plan.new_entries), 'entry', 'entries')}, "
            f"{format_duration(plan.new_seconds)}, "
            f"{first} to {last}\n"
        )
    else:
        out.write(f"  {verb}: nothing new\n")
    if plan.already_imported:
        deleted = (
            f", {plan.already_deleted:,} of them deleted since" if plan.already_deleted else ""
        )
        out.write(f"  already imported: {plan.already_imported:,}{deleted} (skipped)\n")
    if plan.defaulted:
        out.write(f"  mapped by --default: {plan.defaulted:,}\n")
    for origin, count in sorted(plan.skipped_by_rule.items()):
        out.write(f"  skipped by rule: {count:,} ({_safe(origin)})\n")
    for reason, count in sorted(plan.left_out.items()):
        out.write(f"  left out: {count:,} {reason}\n")
    if plan.new_entries and not plan.blocked:
        seconds: Counter[str] = Counter()
        counts: Counter[str] = Counter()
        for entry in plan.new_entries:
            seconds[entry.activity] += int(entry.duration.total_seconds())
            counts[entry.activity] += 1
        out.write("  by activity:\n")
        for activity, secs in seconds.most_common():
            out.write(
                f"    {_label(ctx, activity)[:40]:<40} {counts[activity]:>7,}  "
                f"{format_duration(secs)}\n"
            )


def _write_unmapped(ctx: Context, plan: ImportPlan) -> None:
    out = ctx.out
    out.write(f"\n{counted(plan.unmapped_rows, 'row')} no rule matches:\n")
    for group in plan.unmapped[:UNMAPPED_GROUPS_SHOWN]:
        lines = ", ".join(str(n) for n in group.lines)
        more = ", ..." if group.rows > len(group.lines) else ""
        out.write(
            f"  {_safe(group.describe())}: {counted(group.rows, 'row')}, "
            f"{format_duration(group.seconds)} (lines {lines}{more})\n"
        )
    hidden = len(plan.unmapped) - UNMAPPED_GROUPS_SHOWN
    if hidden > 0:
        out.write(f"  and {hidden} more groups\n")
    hint = next((g.rule_hint() for g in plan.unmapped if g.field), "")
    if hint:
        out.write(
            "Map them with rules in a file passed with --rules FILE (TOML; activity ids from "
            "`sec-desktop framework`), e.g.:\n"
        )
        out.write("".join(f"    {_safe(line)}\n" for line in hint.splitlines()))
    out.write("or give --default ACTIVITY to map every row no rule matches.\n")


def _write_overlaps(ctx: Context, plan: ImportPlan) -> None:
    out = ctx.out
    out.write(
        f"\n{counted(len(plan.overlaps), 'new entry', 'new entries')} overlapping stored ones "
        "or each other:\n"
    )
    for overlap in plan.overlaps[:OVERLAPS_SHOWN]:
        out.write(f"  {_safe(overlap.describe(ctx.tz, lambda a: _label(ctx, a)))}\n")
    if len(plan.overlaps) > OVERLAPS_SHOWN:
        out.write(f"  and {len(plan.overlaps) - OVERLAPS_SHOWN:,} more\n")
    if plan.overlap_policy == "refuse":
        out.write(
            "Give --overlap skip to leave those rows out, or --overlap keep to import them "
            "as well.\n"
        )


def _write_entries(ctx: Context, entries: Sequence[Entry], show_all: bool) -> None:
    shown = entries if show_all else entries[:DRY_RUN_ENTRIES_SHOWN]
    ctx.out.write("\nEntries that would be added:\n")
    for entry in shown:
        note = f"  {_safe(entry.note)}" if entry.note else ""
        ctx.out.write(
            f"  {format_local(entry.start, ctx.tz)}-{entry.end.astimezone(ctx.tz):%H:%M}  "
            f"{_label(ctx, entry.activity)}{note}\n"
        )
    if len(entries) > len(shown):
        ctx.out.write(f"  and {len(entries) - len(shown):,} more (--show-all lists them)\n")


def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    with _collector_paused():
        return _import(ctx, args)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """An import builds hundreds of thousands of objects and frees few until it ends: the
    cyclic collector would walk them again and again, for a fifth of the time, freeing
    nothing. Reference counting still frees everything else as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import(ctx: Context, args: argparse.Namespace) -> int:
    from sec_desktop.interop import (
        ImportFileError,
        ImportWriteError,
        RuleError,
        apply_plan,
        plan_import,
        rule_set,
    )

    fw = ctx.framework
    vocabulary = ctx.workspace.vocabulary
    ctx.write_problems()
    default_activity = resolve_activity(fw, args.default, vocabulary).id if args.default else None
    start, end = _date_range(ctx, args)
    path = Path(args.file).expanduser()
    _roll_back_unfinished(ctx, args.dry_run)
    try:
        rules = rule_set(
            fw,
            [Path(r).expanduser() for r in args.rules],
            use_defaults=not args.no_default_rules,
            vocabulary=vocabulary,
        )
        plan = plan_import(
            path,
            args.format,
            store=ctx.store,
            framework=fw,
            zone=ctx.tz,
            now=ctx.now_utc(),
            rules=rules,
            default_activity=default_activity,
            start=start,
            end=end,
            me=args.me,
            overlap_policy=args.overlap,
        )
    except RuleError as exc:
        raise CliError(f"the rules can't be used: {_safe(str(exc))}") from exc
    except ImportFileError as exc:
        raise CliError(f"nothing was imported: {_safe(str(exc))}") from exc
    _write_summary(ctx, plan, args.dry_run)
    if plan.unmapped:
        _write_unmapped(ctx, plan)
    if plan.overlaps:
        _write_overlaps(ctx, plan)
    if plan.blocked:
        reasons = []
        if plan.unmapped:
            reasons.append(f"{counted(plan.unmapped_rows, 'row')} no rule matches")
        if plan.overlaps and plan.overlap_policy == "refuse":
            reasons.append(
                f"{counted(len(plan.overlaps), 'row')} overlapping stored entries or each other"
            )
        would = "would be" if args.dry_run else "was"
        raise CliError(f"nothing {would} imported: {' and '.join(reasons)} (listed above)")
    if args.dry_run:
        if plan.new_entries:
            _write_entries(ctx, plan.new_entries, args.show_all)
        ctx.out.write("\nDry run: nothing was written.\n")
        return EXIT_OK
    if not plan.new_entries:
        ctx.out.write("Nothing new to import.\n")
        return EXIT_OK
    _daily_backup(ctx)
    try:
        saved = apply_plan(plan, ctx.store)
    except ImportWriteError as exc:
        raise CliError(str(exc), code=EXIT_FAILURE) from exc
    ctx.out.write(
        f"Imported {counted(saved, 'entry', 'entries')} ({format_duration(plan.new_seconds)}) from "
        f"{_safe(plan.path.name)}; they keep their source as import:{plan.tool}.\n"
    )
    return EXIT_OK


def _roll_back_unfinished(ctx: Context, dry_run: bool) -> None:
    """An import killed part-way is removed before the next one plans (a dry run only says so)."""
    from sec_desktop.interop import (
        ImportFileError,
        roll_back_unfinished_import,
        unfinished_import,
    )

    try:
        if dry_run:
            pending = unfinished_import(ctx.store)
            if pending:
                written = counted(pending, "entry", "entries")
                ctx.err.write(
                    f"Note: an earlier import was interrupted; its {written} are removed by "
                    "the next import (a dry run changes nothing).\n"
                )
            return
        removed = roll_back_unfinished_import(ctx.store)
    except ImportFileError as exc:
        raise CliError(f"nothing was imported: {exc}", code=EXIT_FAILURE) from exc
    except OSError as exc:
        raise CliError(
            f"nothing was imported: an interrupted import could not be rolled back ({exc})",
            code=EXIT_FAILURE,
        ) from exc
    if removed:
        ctx.err.write(
            f"An earlier import was interrupted; its {counted(removed, 'entry', 'entries')} were "
            "rolled back.\n"
        )


def _daily_backup(ctx: Context) -> None:
    """Before adding many entries: the day's backup, if none was made yet. Never blocks."""
    from sec_desktop.settings import configured_backups_kept
    from sec_desktop.store.backup import BackupError, backup_if_due

    try:
        keep = configured_backups_kept(ctx.config_dir)
        backup = backup_if_due(ctx.data_dir, backup_dir_of(ctx), ctx.now_utc(), keep)
    except (OSError, BackupError) as exc:
        ctx.err.write(f"Warning: the daily backup could not be made ({exc}); importing anyway.\n")
        return
    if backup is not None:
        ctx.err.write(f"Backup made before importing: {backup.path}\n")


# parsers ----------------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p_imp = sub.add_parser(
        "import",
        help="add entries from Toggl, Timewarrior, Watson, TagTime or a calendar",
        description="Read a whole file, map each row to an SEC activity by rules, and add "
        "the new entries. Nothing is written unless every row is accounted for; re-importing "
        "a file adds nothing. An import is all or nothing: one killed part-way is rolled back "
        "by the next.",
    )
    p_imp.add_argument("file", metavar="FILE")
    p_imp.add_argument(
        "--from",
        dest="format",
        required=True,
        choices=FORMAT_NAMES + FORMAT_ALIASES,
        metavar="FORMAT",
        help=f"one of: {', '.join(FORMAT_NAMES)}",
    )
    p_imp.add_argument("--dry-run", action="store_true", help="show what would be added")
    p_imp.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="FILE",
        help="your mapping rules (TOML or JSON), tried before the shipped ones",
    )
    p_imp.add_argument("--no-default-rules", action="store_true", help="use only the --rules files")
    p_imp.add_argument(
        "--default", metavar="ACTIVITY", help="map every row no rule matches to ACTIVITY"
    )
    p_imp.add_argument(
        "--overlap",
        choices=("refuse", "skip", "keep"),
        default="refuse",
        help="rows overlapping stored entries or each other: refuse the import (default), "
        "skip them (the first of the file's own is kept), or keep them",
    )
    p_imp.add_argument(
        "--since", metavar="DATE", help="import only rows starting this day or later"
    )
    p_imp.add_argument("--until", metavar="DATE", help="import only rows starting by this day")
    p_imp.add_argument(
        "--me",
        action="append",
        default=[],
        metavar="EMAIL",
        help="your calendar address, to leave out events you declined (ics)",
    )
    p_imp.add_argument("--show-all", action="store_true", help="with --dry-run, list every entry")
    p_imp.set_defaults(handler=cmd_import)
