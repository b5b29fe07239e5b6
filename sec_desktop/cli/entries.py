"""`sec-desktop edit`, `delete`, `restore` and `conflicts`: entries changed by id, and the
edits and overlaps that two devices made without seeing each other, shown and settled."""

from __future__ import annotations

import argparse
from dataclasses import replace

from sec_desktop.cli.base import EXIT_OK, CliError, Context, resolve_activity, utf8_text
from sec_desktop.store import Entry, EntryError
from sec_desktop.store.stamps import FIELDS
from sec_desktop.timefmt import format_duration, format_local, parse_time

# An id may be shortened to a prefix this long or longer, as long as one entry matches.
MIN_ID_PREFIX = 6


def find_entry(ctx: Context, given: str, *, deleted: bool = False) -> Entry:
    """The entry whose id is `given` or starts with it (one only); deleted ones if asked."""
    store = ctx.store
    exact = store.get(given, include_deleted=True)
    if exact is not None:
        if exact.is_deleted and not deleted:
            raise CliError(
                f"entry {given} is deleted (`sec-desktop restore {given}` brings it back)"
            )
        return exact
    if len(given) < MIN_ID_PREFIX:
        raise CliError(f"there is no entry with id {given!r}")
    matches = [
        e
        for e in store.entries(include_deleted=True)
        if e.id.startswith(given) and (deleted or not e.is_deleted)
    ]
    if not matches:
        raise CliError(f"there is no entry with id {given!r}")
    if len(matches) > 1:
        raise CliError(f"{len(matches)} entries have ids starting with {given!r}; give more of it")
    return matches[0]


def describe(ctx: Context, entry: Entry) -> str:
    label = ctx.framework.path_label(entry.activity)
    note = f"; note {entry.note!r}" if entry.note else ""
    labels = f"; labels {', '.join(entry.labels)}" if entry.labels else ""
    return (
        f"{format_local(entry.start, ctx.tz)} to {entry.end.astimezone(ctx.tz):%H:%M} "
        f"({format_duration(entry.duration)}): {label}{note}{labels} [id {entry.id}]"
    )


def cmd_edit(ctx: Context, args: argparse.Namespace) -> int:
    if (
        all(value is None for value in (args.start, args.end, args.activity, args.note, args.label))
        and not args.no_labels
    ):
        raise CliError("say what to change: --start, --end, --activity, --note or --label")
    entry = find_entry(ctx, args.id)
    now = ctx.now_utc()
    changed = entry
    if args.start is not None or args.end is not None:
        start = parse_time(args.start, ctx.tz, now, "--start") if args.start else entry.start
        end = parse_time(args.end, ctx.tz, now, "--end") if args.end else entry.end
        if end <= start:
            raise CliError(
                f"the entry would end ({format_local(end, ctx.tz)}) before it starts "
                f"({format_local(start, ctx.tz)})"
            )
        changed = replace(changed, start=start, end=end, tz=ctx.tz.key)
    if args.activity is not None:
        node = resolve_activity(ctx.framework, args.activity, ctx.workspace.vocabulary)
        changed = replace(changed, activity=node.id)
    if args.note is not None:
        changed = replace(changed, note=utf8_text(args.note, "--note") or None)
    if args.no_labels:
        changed = replace(changed, labels=())
    elif args.label is not None:
        labels = [utf8_text(label, "--label").strip() for label in args.label]
        changed = replace(changed, labels=tuple(dict.fromkeys(x for x in labels if x)))
    try:
        saved = ctx.store.update(changed)
    except EntryError as exc:
        raise CliError(f"the entry can't be saved: {exc}") from exc
    ctx.out.write(f"Changed {describe(ctx, saved)}\n")
    return EXIT_OK


def cmd_delete(ctx: Context, args: argparse.Namespace) -> int:
    entry = find_entry(ctx, args.id)
    ctx.store.delete(entry.id)
    ctx.out.write(
        f"Deleted {describe(ctx, entry)}; `sec-desktop restore {entry.id}` brings it back.\n"
    )
    return EXIT_OK


def cmd_restore(ctx: Context, args: argparse.Namespace) -> int:
    entry = find_entry(ctx, args.id, deleted=True)
    if not entry.is_deleted:
        raise CliError(f"entry {entry.id} is not deleted")
    restored = ctx.store.restore(entry.id)
    ctx.out.write(f"Restored {describe(ctx, restored)}\n")
    return EXIT_OK


def cmd_conflicts(ctx: Context, args: argparse.Namespace) -> int:
    from sec_desktop.doctor import describe_conflict, describe_overlap
    from sec_desktop.store.overlaps import cross_device_overlaps

    store = ctx.store
    conflicted = store.conflicts()
    overlaps = cross_device_overlaps(store.entries())
    lines = [
        describe_conflict(entry, conflict)
        for entry in conflicted
        for conflict in (entry.stamps.conflicts if entry.stamps else ())
    ]
    if not lines and not overlaps:
        ctx.out.write("No edit lost to another device's, and no two devices' entries overlap.\n")
        return EXIT_OK
    if lines:
        ctx.out.write("Edits that lost to a concurrent edit on another device:\n")
        ctx.out.writelines(f"- {line}\n" for line in lines)
    if overlaps:
        ctx.out.write("Entries from different devices that count the same time:\n")
        ctx.out.writelines(f"- {describe_overlap(o)}\n" for o in overlaps)
    return EXIT_OK


def _settle(ctx: Context, args: argparse.Namespace, *, take: bool) -> int:
    entry = find_entry(ctx, args.id, deleted=True)
    held = [c for c in (entry.stamps.conflicts if entry.stamps else ()) if c.field == args.field]
    if args.stamp is not None:
        held = [c for c in held if c.stamp == args.stamp]
    if not held:
        raise CliError(
            f"entry {entry.id} has no conflict of its {args.field}"
            + (f" stamped {args.stamp}" if args.stamp else "")
            + " (`sec-desktop conflicts` lists them)"
        )
    if len(held) > 1:
        stamps = ", ".join(c.stamp for c in held)
        raise CliError(
            f"entry {entry.id} has {len(held)} conflicts of its {args.field}; "
            f"name one by its stamp: {stamps}"
        )
    saved = ctx.store.settle_conflict(entry.id, args.field, held[0].stamp, take=take)
    if saved.is_deleted:
        ctx.out.write(f"Deleted entry {saved.id}, as the other device had; settled.\n")
    else:
        what = "took back the other device's value" if take else "kept the current value"
        ctx.out.write(f"Settled the {args.field} of {describe(ctx, saved)}: {what}.\n")
    return EXIT_OK


def cmd_take(ctx: Context, args: argparse.Namespace) -> int:
    return _settle(ctx, args, take=True)


def cmd_keep(ctx: Context, args: argparse.Namespace) -> int:
    return _settle(ctx, args, take=False)


def cmd_resolve(ctx: Context, args: argparse.Namespace) -> int:
    """Two overlapping entries: the first stays, the second is trimmed to the time the first
    leaves free, or deleted."""
    first, second = find_entry(ctx, args.first), find_entry(ctx, args.second)
    if first.id == second.id:
        raise CliError("give two different entries")
    if not first.overlaps(second.start, second.end):
        raise CliError(f"entries {first.id} and {second.id} do not overlap")
    if args.drop:
        ctx.store.delete(second.id)
        ctx.out.write(f"Kept {describe(ctx, first)}\nDeleted {describe(ctx, second)}\n")
        return EXIT_OK
    if second.start >= first.start and second.end <= first.end:
        raise CliError(
            f"{second.id} lies wholly within {first.id}, so nothing of it is left to keep; "
            "use --drop to delete it"
        )
    if second.start < first.start and second.end > first.end:
        raise CliError(
            f"{first.id} lies inside {second.id}; trimming would split it in two. Change it "
            f"with `sec-desktop edit {second.id} --start ... --end ...`, or use --drop"
        )
    trimmed = (
        replace(second, start=first.end)
        if second.start >= first.start
        else replace(second, end=first.start)
    )
    saved = ctx.store.update(trimmed)
    ctx.out.write(f"Kept {describe(ctx, first)}\nTrimmed {describe(ctx, saved)}\n")
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p_edit = sub.add_parser("edit", help="change an entry by its id")
    p_edit.add_argument("id", help="the entry's id (or the start of it); `export` shows ids")
    p_edit.add_argument("--start", metavar="TIME")
    p_edit.add_argument("--end", metavar="TIME")
    p_edit.add_argument("--activity", metavar="WORDS")
    p_edit.add_argument("--note", metavar="TEXT", help='"" removes the note')
    labels = p_edit.add_mutually_exclusive_group()
    labels.add_argument("--label", action="append", metavar="L", help="replaces the labels")
    labels.add_argument("--no-labels", action="store_true", help="removes every label")
    p_edit.set_defaults(handler=cmd_edit)

    p_del = sub.add_parser("delete", help="delete an entry by its id (restore brings it back)")
    p_del.add_argument("id")
    p_del.set_defaults(handler=cmd_delete)

    p_res = sub.add_parser("restore", help="bring a deleted entry back")
    p_res.add_argument("id")
    p_res.set_defaults(handler=cmd_restore)

    p_con = sub.add_parser(
        "conflicts",
        help="edits lost to another device's and overlapping entries, and how to settle them",
    )
    p_con.set_defaults(handler=cmd_conflicts)
    actions = p_con.add_subparsers(dest="action", metavar="ACTION")
    for name, handler, text in (
        ("take", cmd_take, "put back the value another device's edit replaced"),
        ("keep", cmd_keep, "keep the current value and settle the conflict"),
    ):
        p = actions.add_parser(name, help=text)
        p.add_argument("id")
        p.add_argument("field", choices=FIELDS)
        p.add_argument("stamp", nargs="?", help="needed only when the field has several")
        p.set_defaults(handler=handler)
    p_resolve = actions.add_parser(
        "resolve", help="two overlapping entries: keep the first, trim or drop the second"
    )
    p_resolve.add_argument("first")
    p_resolve.add_argument("second")
    how = p_resolve.add_mutually_exclusive_group(required=True)
    how.add_argument("--trim", action="store_true", help="cut the second to the free time")
    how.add_argument("--drop", action="store_true", help="delete the second")
    p_resolve.set_defaults(handler=cmd_resolve)
