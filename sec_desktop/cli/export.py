"""`sec-desktop export`: the entries of a range as CSV, JSON, Toggl's CSV or a calendar."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from sec_desktop.cli.base import EXIT_OK, CliError, Context, add_range, period_from_args
from sec_desktop.store import Entry
from sec_desktop.store.atomic import atomic_write_bytes


def export_data(ctx: Context, format_name: str, entries: Sequence[Entry]) -> bytes:
    """The bytes of `export --format toggl-csv|ics`."""
    from sec_desktop.interop.exports import export_ics, export_toggl_csv

    if format_name == "toggl-csv":
        return export_toggl_csv(entries, ctx.framework, ctx.tz).encode("utf-8")
    if format_name == "ics":
        return export_ics(entries, ctx.framework, ctx.now_utc())
    raise CliError(f"--format {format_name!r} is not an export format")


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    start = end = None
    if args.from_date or args.to_date:
        period = period_from_args(ctx, args)
        start, end = period.start, period.end
    from sec_desktop.interop.exports import export_csv, export_json
    from sec_desktop.privacy.notes import entries_for_export

    entries, notes = entries_for_export(
        ctx.store.entries(start, end), include_notes=args.include_notes
    )
    if notes.message():
        ctx.err.write(f"{notes.message()}\n")
    if args.format in ("toggl-csv", "ics"):
        data = export_data(ctx, args.format, entries)
    else:
        data = (
            export_csv(entries, ctx.framework).encode("utf-8")
            if args.format == "csv"
            else export_json(entries, ctx.framework, ctx.now_utc())
        )
    if args.output in (None, "-"):
        ctx.out.write(data.decode("utf-8"))
        return EXIT_OK
    target = Path(args.output).expanduser()
    write_output_file(target, data)
    ctx.err.write(f"Exported {len(entries)} entries to {target}\n")
    return EXIT_OK


def write_output_file(target: Path, data: bytes) -> None:
    """Write `data` to the --output `target`: a new file or a regular one replaced whole (a
    temp file renamed over it). The rename would replace whatever is at that path, a link,
    a pipe or, for root, /dev/null itself, so anything but a regular file is refused."""
    from sec_desktop.interop.exports import not_a_regular_file

    try:
        what = not_a_regular_file(target)
    except OSError as exc:
        raise CliError(f"--output {target} can't be checked ({exc.strerror or exc})", 1) from exc
    if what is not None:
        raise CliError(
            f"--output {target} is {what}; only a new or regular file is written "
            "(--output - writes to standard output)"
        )
    if not target.parent.is_dir():
        raise CliError(f"--output: the folder {target.parent} does not exist")
    try:
        atomic_write_bytes(target, data)
    except OSError as exc:
        raise CliError(f"--output {target} can't be written ({exc.strerror or exc})", 1) from exc


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p_exp = sub.add_parser("export", help="write entries as CSV or JSON")
    p_exp.add_argument("--format", choices=("csv", "json", "toggl-csv", "ics"), required=True)
    p_exp.add_argument("--output", metavar="FILE", help="default: standard output")
    p_exp.add_argument(
        "--include-notes", action="store_true", help="export notes too, in plain text"
    )
    add_range(p_exp, False)
    p_exp.set_defaults(handler=cmd_export, period=None)
