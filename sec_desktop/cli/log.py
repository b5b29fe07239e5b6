"""`sec-desktop log`: record time already spent on an activity."""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import datetime, timedelta

from sec_desktop.cli.base import (
    EXIT_OK,
    CliError,
    Context,
    NoActivityMatch,
    confirm,
    resolve_activity,
    utf8_text,
)
from sec_desktop.framework import Framework, Node
from sec_desktop.framework.vocabulary import VocabularyError
from sec_desktop.store import Entry, EntryError
from sec_desktop.store.store import OverlapError
from sec_desktop.timefmt import format_duration, format_local, parse_time

MAX_LOG_SPAN = timedelta(hours=24)
# Clocks drift; an end a little after "now" is still time already spent.
FUTURE_TOLERANCE = timedelta(minutes=1)


def _log_interval(ctx: Context, args: argparse.Namespace) -> tuple[datetime, datetime]:
    now = ctx.now_utc()
    start = parse_time(args.start, ctx.tz, now, "--start") if args.start else None
    end = parse_time(args.end, ctx.tz, now, "--end") if args.end else None
    if args.minutes is not None:
        if not args.minutes > 0:
            raise CliError(f"--minutes must be more than 0 (got {args.minutes:g})")
        # Checked before timedelta(): inf or 1e12 minutes would overflow it, not be refused.
        if args.minutes > MAX_LOG_SPAN / timedelta(minutes=1):
            raise CliError(
                f"--minutes {args.minutes:g} is more than the 24 hours one entry may cover; "
                "log it as several entries"
            )
        span = timedelta(minutes=args.minutes)
        if start is not None:
            end = start + span
        else:
            end = end or now
            start = end - span
    elif start is None:
        raise CliError("say when: give --start, --minutes, or both")
    elif end is None:
        end = now
    if end < start:
        raise CliError(
            f"the entry ends ({format_local(end, ctx.tz)}) before it starts "
            f"({format_local(start, ctx.tz)})"
        )
    if end == start:
        raise CliError("the entry has zero length; it must end after it starts")
    if end - start > MAX_LOG_SPAN:
        raise CliError(
            f"the entry lasts {format_duration(end - start)}, more than the 24 hours one "
            "entry may cover; log it as several entries"
        )
    if end > now + FUTURE_TOLERANCE:
        raise CliError(
            f"the entry ends in the future ({format_local(end, ctx.tz)}); "
            "only time already spent can be logged"
        )
    return start, end


def interactive() -> bool:
    """Whether a person at a terminal can be asked (never in a pipe or a script)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _suggestion_lines(fw: Framework, exc: NoActivityMatch) -> tuple[list[str], list[Node]]:
    lines, offered = [], []
    for title, nodes in (
        ("Closest activities:", exc.suggestions.closest),
        ("Focus areas:", exc.suggestions.focus_areas),
    ):
        if nodes:
            lines.append(title)
        for node in nodes:
            offered.append(node)
            lines.append(f"  {len(offered):2}. {fw.path_label(node.id)} [{node.id}]")
    return lines, offered


def _instead(ctx: Context, query: str, exc: NoActivityMatch) -> tuple[Node, bool]:
    """Nothing matched `query`: offer the closest activities and the focus areas. At a
    terminal the user picks one (and may keep `query` as its alias); otherwise the error
    says how. Returns the node and whether `query` became its alias."""
    fw = ctx.framework
    lines, offered = _suggestion_lines(fw, exc)
    quoted = shlex.quote(query)
    if not interactive():
        raise CliError(
            "\n".join(
                [
                    f"no activity matches {query!r}; nothing was logged",
                    *lines,
                    "Log one of them with `sec-desktop log ID ...`; to make "
                    f"{query!r} mean it from now on: `sec-desktop alias add {quoted} ID`",
                ]
            )
        )
    ctx.out.write(f"No activity matches {query!r}.\n" + "\n".join(lines) + "\n")
    ctx.out.write(f"Log it as [1-{len(offered)}, Enter: nothing] ")
    ctx.out.flush()
    answer = sys.stdin.readline().strip()
    if not answer.isdigit() or not 1 <= int(answer) <= len(offered):
        raise CliError(f"no activity matches {query!r}; nothing was logged")
    node = offered[int(answer) - 1]
    if not confirm(ctx, f"Remember {query!r} as {node.label} from now on?", assume_yes=False):
        return node, False
    try:
        ctx.workspace.vocabulary.add_alias(query, node.id)
    except (VocabularyError, OSError) as err:
        ctx.err.write(f"Warning: the alias was not saved: {err}\n")
        return node, False
    return node, True


def _overlap_error(ctx: Context, clashes: list[Entry]) -> CliError:
    fw = ctx.framework
    first = clashes[0]
    label = fw.path_label(first.activity) if first.activity in fw else first.activity
    more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
    return CliError(
        f"the new entry overlaps the one from {format_local(first.start, ctx.tz)} to "
        f"{format_local(first.end, ctx.tz)} {label} (id {first.id}){more}; "
        "use --allow-overlap to log it anyway"
    )


def _check_text_arguments(args: argparse.Namespace) -> None:
    """Bytes that are not UTF-8, and empty times, are refused before anything is written."""
    for option, value in (("--start", args.start), ("--end", args.end)):
        if value is not None and not value.strip():
            raise CliError(f"{option} is empty: give a time such as 09:30 or 2026-11-23T09:30")
    utf8_text(args.activity, "the activity")
    if args.note is not None:
        utf8_text(args.note, "--note")
    for label in args.label:
        utf8_text(label, "--label")


def cmd_log(ctx: Context, args: argparse.Namespace) -> int:
    _check_text_arguments(args)
    fw = ctx.framework
    vocabulary = ctx.workspace.vocabulary
    ctx.write_problems()
    start, end = _log_interval(ctx, args)
    made_alias = False
    try:
        node = resolve_activity(fw, args.activity, vocabulary)
    except NoActivityMatch as exc:
        node, made_alias = _instead(ctx, args.activity, exc)
    if not args.allow_overlap:
        # Checked early to refuse before anything else happens; checked again when saving.
        clashes = ctx.store.overlapping(start, end)
        if clashes:
            raise _overlap_error(ctx, clashes)
    if args.note:
        from sec_desktop.privacy.keychain import SecretStore
        from sec_desktop.privacy.state import turn_on_by_default

        # Notes are encrypted by default where a keychain exists, from the first note on.
        if turn_on_by_default(
            ctx.data_dir, ctx.store.device_id, SecretStore(lock_dir=ctx.config_dir)
        ):
            ctx.err.write("Notes are now encrypted; the key is kept in the keychain.\n")
    labels = tuple(dict.fromkeys(label.strip() for label in args.label if label.strip()))
    try:
        entry = Entry.new(
            start=start,
            end=end,
            tz=ctx.tz.key,
            activity=node.id,
            source="manual",
            device=ctx.store.device_id,
            labels=labels,
            note=args.note,
            now=ctx.now_utc(),
        )
        if args.allow_overlap:
            ctx.store.add(entry)
        else:
            ctx.store.add_if_free(entry)
    except EntryError as exc:
        raise CliError(f"the entry can't be saved: {exc}") from exc
    except OverlapError as exc:  # another `log` or the app booked the slot meanwhile
        raise _overlap_error(ctx, exc.clashes) from exc
    ctx.out.write(
        f"Logged {format_local(start, ctx.tz)} to {end.astimezone(ctx.tz):%H:%M} "
        f"({format_duration(end - start)}): {fw.path_label(node.id)} [id {entry.id}]\n"
    )
    if made_alias:
        ctx.out.write(f"{args.activity!r} now means {node.label} (`sec-desktop alias list`).\n")
    elif args.activity.strip() != node.id:
        # The same words find this activity first next time, here and in the picker.
        try:
            vocabulary.learn(args.activity, node.id)
        except (VocabularyError, OSError) as exc:
            ctx.err.write(f"Warning: the search was not remembered: {exc}\n")
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p_log = sub.add_parser("log", help="record time spent on an activity")
    p_log.add_argument(
        "activity",
        metavar="ACTIVITY",
        help='an id, a label, your alias or everyday words ("1:1", "board deck", "hiring")',
    )
    p_log.add_argument("--start", metavar="TIME")
    when = p_log.add_mutually_exclusive_group()
    when.add_argument("--end", metavar="TIME", help="default: now")
    when.add_argument("--minutes", type=float, metavar="N")
    p_log.add_argument("--note", metavar="TEXT")
    p_log.add_argument("--label", action="append", default=[], metavar="L")
    p_log.add_argument("--allow-overlap", action="store_true")
    p_log.set_defaults(handler=cmd_log)
