"""`sec-desktop` subcommands over the shared core: framework, log, report, export."""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from sec_desktop import APP_NAME, __version__
from sec_desktop.analytics import (
    PERIOD_NAMES,
    AllocationReport,
    Period,
    PeriodError,
    named_period,
)
from sec_desktop.framework import (
    AmbiguousActivity,
    Framework,
    FrameworkError,
    Level,
    Node,
    UnknownActivity,
    load_framework,
)
from sec_desktop.store import (
    Entry,
    EntryError,
    EntryStore,
    StoreError,
    device_id,
    format_utc,
    resolve_config_dir,
    resolve_data_dir,
    utc_now,
)
from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir
from sec_desktop.store.paths import DATA_DIR_ENV, id_index_path
from sec_desktop.timefmt import (
    TimeInputError,
    format_duration,
    format_local,
    parse_date,
    parse_time,
)

if TYPE_CHECKING:
    from sec_desktop.analytics.dashboard import DashboardData

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
MAX_LOG_SPAN = timedelta(hours=24)
# Clocks drift; an end a little after "now" is still time already spent.
FUTURE_TOLERANCE = timedelta(minutes=1)
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class CliError(Exception):
    """Bad input or an impossible request: one sentence for stderr, exit code 2."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Context:
    """What every command needs, resolved once from the global options."""

    data_dir: Path
    config_dir: Path
    tz: ZoneInfo
    now: datetime
    preset: str | None
    out: TextIO
    err: TextIO
    _framework: Framework | None = field(default=None, repr=False)
    _store: EntryStore | None = field(default=None, repr=False)

    @property
    def framework(self) -> Framework:
        if self._framework is None:
            from sec_desktop.framework.customization import load_user_framework
            from sec_desktop.settings import configured_value

            try:
                shipped = load_framework()
            except FrameworkError as exc:
                # main() ends the sentence; a FrameworkError already ends in a full stop.
                raise CliError(str(exc).rstrip(".")) from exc
            if self.preset is not None and self.preset not in shipped.presets:
                known = ", ".join(shipped.presets)
                raise CliError(f"--preset {self.preset!r} is not an industry preset ({known})")
            # As the app sees it: the preset chosen in the settings and the user's own
            # activities, renames and hidden ones from the data folder.
            preset = self.preset or configured_value(self.config_dir, "industry_preset")
            framework, problems = load_user_framework(self.data_dir, preset)
            for problem in problems:
                self.err.write(f"Warning: {problem}\n")
            self._framework = framework
        return self._framework

    @property
    def store(self) -> EntryStore:
        if self._store is None:
            from sec_desktop.privacy.keychain import SecretStore
            from sec_desktop.privacy.notes import keychain_cipher

            # The keychain is asked only when a note must be encrypted or decrypted.
            cipher = keychain_cipher(self.data_dir, SecretStore(lock_dir=self.config_dir))
            self._store = EntryStore(
                self.data_dir,
                device_id(self.config_dir),
                clock=self.now_utc,
                cipher=cipher,
                id_index_path=id_index_path(self.config_dir, self.data_dir),
            )
        return self._store

    def now_utc(self) -> datetime:
        return self.now.astimezone(UTC)


def _local_zone() -> ZoneInfo:
    try:
        import tzlocal

        return ZoneInfo(tzlocal.get_localzone_name() or "UTC")
    except (ZoneInfoNotFoundError, ValueError, LookupError):
        return ZoneInfo("UTC")


def _zone(name: str | None) -> ZoneInfo:
    if not name:
        return _local_zone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CliError(f"--tz {name!r} is not an IANA time zone such as Europe/Berlin") from exc


# framework ------------------------------------------------------------------------------


def _node_json(fw: Framework, node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {"id": node.id, "label": node.label, "level": node.level.name.lower()}
    if node.description:
        out["description"] = node.description
    if node.preset:
        out["preset"] = node.preset
    kids = fw.children(node.id)
    if kids:
        key = "focus_areas" if node.level is Level.DOMAIN else "activities"
        out[key] = [_node_json(fw, k) for k in kids]
    return out


def cmd_framework(ctx: Context, args: argparse.Namespace) -> int:
    fw = ctx.framework
    profiles = [
        {
            "id": p.id,
            "label": p.label,
            "description": p.description,
            "bands": {
                k: {"low": b.low, "high": b.high, "source": b.source} for k, b in p.bands.items()
            },
        }
        for p in fw.profiles.values()
    ]
    if args.format == "json":
        doc = {
            "id": fw.id,
            "name": fw.name,
            "version": fw.version,
            "preset": fw.active_preset,
            "counts": (
                {
                    "stated": dict(fw.counts.stated),
                    "enumerated": dict(fw.counts.enumerated),
                    "note": fw.counts.note,
                }
                if fw.counts
                else None
            ),
            "domains": [_node_json(fw, d) for d in fw.domains],
            "profiles": profiles,
            "presets": [{"id": p.id, "label": p.label} for p in fw.presets.values()],
        }
        ctx.out.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")
        return EXIT_OK
    n_fa = len(fw.of_level(Level.FOCUS_AREA))
    n_act = len(fw.of_level(Level.ACTIVITY))
    ctx.out.write(
        f"{fw.name} {fw.version}: {len(fw.domains)} domains, {n_fa} focus areas, "
        f"{n_act} activities"
        + (f" (industry preset: {fw.presets[fw.active_preset].label})" if fw.active_preset else "")
        + "\n"
    )
    if fw.counts and fw.counts.note:
        ctx.out.write(f"Note: {fw.counts.note}\n")
    ctx.out.write("\n")
    for node in fw.walk():
        indent = "  " * (node.level.value - 1)
        ctx.out.write(f"{indent}{node.label}  [{node.id}]\n")
    ctx.out.write("\nBenchmark profiles:\n")
    for p in fw.profiles.values():
        bands = ", ".join(
            f"{fw[k].label} {b.low * 100:g}-{b.high * 100:g}%" for k, b in p.bands.items()
        )
        ctx.out.write(f"  {p.id}: {p.label}. {bands}\n")
    return EXIT_OK


# log ------------------------------------------------------------------------------------


def resolve_activity(fw: Framework, query: str) -> Node:
    try:
        return fw.resolve(query)
    except AmbiguousActivity as exc:
        listed = "; ".join(f"{fw.path_label(n.id)} [{n.id}]" for n in exc.candidates[:10])
        more = f" and {len(exc.candidates) - 10} more" if len(exc.candidates) > 10 else ""
        raise CliError(f"activity {query!r} is ambiguous; it matches: {listed}{more}") from exc
    except UnknownActivity as exc:
        hint = ""
        if exc.suggestions:
            hint = "; did you mean: " + "; ".join(
                f"{fw.path_label(n.id)} [{n.id}]" for n in exc.suggestions
            )
        raise CliError(
            f"no activity matches {query!r}{hint} (`sec-desktop framework` lists them all)"
        ) from exc


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


def cmd_log(ctx: Context, args: argparse.Namespace) -> int:
    fw = ctx.framework
    node = resolve_activity(fw, args.activity)
    start, end = _log_interval(ctx, args)
    if not args.allow_overlap:
        clashes = ctx.store.overlapping(start, end)
        if clashes:
            first = clashes[0]
            label = fw.path_label(first.activity) if first.activity in fw else first.activity
            more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
            raise CliError(
                f"the new entry overlaps the one from {format_local(first.start, ctx.tz)} to "
                f"{format_local(first.end, ctx.tz)} {label} (id {first.id}){more}; "
                "use --allow-overlap to log it anyway"
            )
    if args.note:
        from sec_desktop.privacy.keychain import SecretStore
        from sec_desktop.privacy.notes import turn_on_by_default

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
        ctx.store.add(entry)
    except EntryError as exc:
        raise CliError(f"the entry can't be saved: {exc}") from exc
    ctx.out.write(
        f"Logged {format_local(start, ctx.tz)} to {end.astimezone(ctx.tz):%H:%M} "
        f"({format_duration(end - start)}): {fw.path_label(node.id)} [id {entry.id}]\n"
    )
    return EXIT_OK


# report ---------------------------------------------------------------------------------


def _period(ctx: Context, args: argparse.Namespace) -> Period:
    today = ctx.now.astimezone(ctx.tz).date()
    if args.from_date or args.to_date:
        if args.period:
            raise CliError("give either --period or --from/--to, not both")
        if not args.from_date:
            raise CliError("--to needs --from")
        first = parse_date(args.from_date, "--from")
        last = parse_date(args.to_date, "--to") if args.to_date else today
        if last < first:
            raise CliError(
                f"--to {last.isoformat()} is before --from {first.isoformat()}; the range is empty"
            )
        return Period(first, last, ctx.tz)
    return named_period(args.period or "week", today, ctx.tz)


def compute_report(ctx: Context, period: Period, profile_id: str) -> AllocationReport:
    return compute_dashboard(ctx, period, profile_id).report


def compute_dashboard(ctx: Context, period: Period, profile_id: str) -> DashboardData:
    """The dashboard's own computation (allocation, coverage, ping estimates, insights), so
    `report` prints the numbers the dashboard shows for the same period and profile."""
    from sec_desktop.analytics.coverage import working_intervals_for
    from sec_desktop.analytics.dashboard import dashboard_data, dashboard_span
    from sec_desktop.framework.custom_profile import profiles_for
    from sec_desktop.settings import load_settings

    fw = ctx.framework
    problems: list[str] = []
    profiles = profiles_for(fw, ctx.data_dir, problems)
    for problem in problems:
        ctx.err.write(f"Warning: {problem}.\n")
    if profile_id not in profiles:
        known = ", ".join(profiles)
        raise CliError(f"unknown profile {profile_id!r}; choose one of: {known}")
    loaded = load_settings(ctx.config_dir, now=ctx.now_utc())
    for settings_problem in loaded.problems:
        ctx.err.write(f"Warning: settings: {settings_problem.message}\n")
    entries = ctx.store.entries(*dashboard_span(period))
    working = working_intervals_for(period, loaded.settings)
    return dashboard_data(entries, fw, period, profiles[profile_id], working, now=ctx.now_utc())


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _report_table(data: DashboardData, out: TextIO) -> None:
    report = data.report
    p = report.period
    out.write(
        f"SEC allocation {p.first.isoformat()} to {p.last.isoformat()} ({p.tz.key}), "
        f"profile: {report.profile.label}\n"
        f"Tracked: {format_duration(report.total_seconds)} in {report.entry_count} entries\n"
    )
    if report.total_seconds <= 0:
        out.write("\nNo time tracked in this period.\n")
        return

    def section(title: str, rows: Sequence[Any], with_band: bool) -> None:
        out.write(f"\n{title:<34}{'Time':>12}{'Share':>8}")
        out.write(f"  {'Band':<10}Verdict\n" if with_band else "\n")
        for r in rows:
            line = f"{r.label[:33]:<34}{format_duration(r.seconds):>12}{_pct(r.share):>8}"
            if with_band and r.band is not None and r.verdict is not None:
                band = f"{r.band.low * 100:g}-{r.band.high * 100:g}%"
                line += f"  {band:<10}{r.verdict.describe()}"
            out.write(line.rstrip() + "\n")

    section("Domain", report.domains, True)
    section("Focus area", report.focus_areas, True)
    section("Top activities", report.activities[:10], False)
    by_level = report.tagged_seconds_by_level
    above = by_level[Level.DOMAIN] + by_level[Level.FOCUS_AREA]
    if above > 0:
        out.write(
            f"\n{format_duration(above)} was tagged only at domain or focus-area level and "
            "counts there, not under any activity.\n"
        )
    for activity_id, secs in report.unknown:
        out.write(
            f"\n{format_duration(secs)} is tagged {activity_id!r}, which this framework "
            "doesn't have; it counts in the total only.\n"
        )
    _report_extras(data, out)


def _report_extras(data: DashboardData, out: TextIO) -> None:
    """Coverage, the random-ping estimates and the insights, as the dashboard shows them."""
    cov = data.coverage
    out.write(
        f"\nCoverage: {_pct(cov.share)} of working hours have entries "
        f"({format_duration(cov.tracked_seconds)} of {format_duration(cov.working_seconds)})"
    )
    if cov.tracked_outside_working_seconds > 0:
        out.write(f"; {format_duration(cov.tracked_outside_working_seconds)} outside them")
    out.write(".\n")
    coarse = [
        f"{format_duration(cov.seconds_by_level[level])} only at {level.noun} level"
        for level in (Level.FOCUS_AREA, Level.DOMAIN)
        if cov.seconds_by_level.get(level, 0.0) > 0
    ]
    if coarse:
        out.write(f"Of the working time with entries, {' and '.join(coarse)}.\n")
    estimates = [e for e in data.estimates.values() if e.pings > 0]
    if estimates:
        out.write(f"\nRandom-ping estimates (95% interval, {estimates[0].pings} pings)\n")
        labels = {a.id: a.label for a in (*data.report.domains, *data.report.focus_areas)}
        for e in estimates:
            label = labels.get(e.node_id, e.node_id)
            share = f"{e.share * 100:.0f}% ({e.low * 100:.0f}-{e.high * 100:.0f}%)"
            out.write(f"{label[:33]:<34}{share:>16}  {e.describe()}\n")
    if data.insights:
        out.write("\nInsights\n")
        for insight in data.insights:
            out.write(f"  {'!' if insight.severity == 'warning' else '-'} {insight.text}\n")


def _report_csv(report: AllocationReport, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["level", "id", "label", "minutes", "share", "band_low", "band_high", "status", "distance"]
    )
    for row in [*report.domains, *report.focus_areas, *report.activities]:
        writer.writerow(
            [
                row.level.name.lower(),
                row.id,
                _csv_safe(row.label),
                f"{row.minutes:.2f}",
                f"{row.share:.6f}",
                f"{row.band.low:g}" if row.band else "",
                f"{row.band.high:g}" if row.band else "",
                row.verdict.status if row.verdict else "",
                f"{row.verdict.distance:.6f}" if row.verdict else "",
            ]
        )


def cmd_report(ctx: Context, args: argparse.Namespace) -> int:
    period = _period(ctx, args)
    data = compute_dashboard(ctx, period, args.profile)
    if args.format == "json":
        from sec_desktop.analytics.dashboard import summary_json

        ctx.out.write(orjson.dumps(summary_json(data), option=orjson.OPT_INDENT_2).decode())
        ctx.out.write("\n")
    elif args.format == "csv":
        _report_csv(data.report, ctx.out)
    else:
        _report_table(data, ctx.out)
    return EXIT_OK


# export ---------------------------------------------------------------------------------


def _csv_safe(value: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (CSV injection)."""
    if value.startswith(CSV_FORMULA_PREFIXES):
        return "'" + value
    return value


EXPORT_CSV_COLUMNS = [
    "id",
    "start",
    "end",
    "time_zone",
    "duration_minutes",
    "domain",
    "focus_area",
    "activity",
    "activity_id",
    "labels",
    "note",
    "source",
    "device",
    "created",
    "updated",
]


def export_csv(entries: Sequence[Entry], fw: Framework) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_CSV_COLUMNS)
    for e in entries:
        zone = ZoneInfo(e.tz)
        # An unknown activity keeps its id in activity_id and leaves the label columns empty.
        label_at = {n.level: n.label for n in fw.ancestors(e.activity)} if e.activity in fw else {}
        writer.writerow(
            [
                e.id,
                e.start.astimezone(zone).isoformat(),
                e.end.astimezone(zone).isoformat(),
                e.tz,
                f"{e.duration.total_seconds() / 60:.2f}",
                label_at.get(Level.DOMAIN, ""),
                label_at.get(Level.FOCUS_AREA, ""),
                label_at.get(Level.ACTIVITY, ""),
                e.activity,
                _csv_safe(", ".join(e.labels)),
                _csv_safe(e.note or ""),
                e.source,
                e.device,
                format_utc(e.created),
                format_utc(e.updated),
            ]
        )
    return buffer.getvalue()


def export_json(entries: Sequence[Entry], fw: Framework, now: datetime) -> bytes:
    doc = {
        "format": "sec-desktop/export",
        "version": 1,
        "exported_at": format_utc(now),
        "framework": {"id": fw.id, "version": fw.version},
        "entries": [e.to_json() for e in entries],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    start = end = None
    if args.from_date or args.to_date:
        period = _period(ctx, args)
        start, end = period.start, period.end
    from sec_desktop.privacy.notes import entries_for_export

    entries, notes = entries_for_export(
        ctx.store.entries(start, end), include_notes=args.include_notes
    )
    if notes.message():
        ctx.err.write(f"{notes.message()}\n")
    if args.format in ("toggl-csv", "ics"):
        from sec_desktop.cli.interop import export_data

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
    if target.is_dir():
        raise CliError(f"--output {target} is a folder; give a file name")
    if not target.parent.is_dir():
        raise CliError(f"--output: the folder {target.parent} does not exist")
    try:
        atomic_write_bytes(target, data)
    except OSError as exc:
        raise CliError(f"--output {target} can't be written ({exc.strerror or exc})", 1) from exc
    ctx.err.write(f"Exported {len(entries)} entries to {target}\n")
    return EXIT_OK


# parser and entry point -----------------------------------------------------------------


def add_range(p: argparse.ArgumentParser, with_period: bool) -> None:
    """The --period/--from/--to options shared by commands that read a span of days."""
    if with_period:
        p.add_argument("--period", choices=PERIOD_NAMES, help="default: week")
    p.add_argument("--from", dest="from_date", metavar="DATE")
    p.add_argument("--to", dest="to_date", metavar="DATE")


# Commands defined in their own modules. Each module has `register(subparsers)`, which adds
# its parsers with `set_defaults(handler=...)`; handlers take (Context, Namespace) -> int and
# import anything heavy inside the handler, so `sec-desktop --help` stays fast.
COMMAND_MODULES: tuple[str, ...] = (
    "sec_desktop.cli.gui",
    "sec_desktop.cli.privacy",
    "sec_desktop.cli.demo",
    "sec_desktop.cli.interop",
)
# What `sec-desktop` runs with no command; None prints the help instead.
DEFAULT_COMMAND: str | None = "tray"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sec-desktop",
        description=f"{APP_NAME}: where your time goes, against the SEC framework.",
        epilog="Times are local YYYY-MM-DDTHH:MM (or HH:MM for today) unless an offset is "
        "given; dates are YYYY-MM-DD and inclusive.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this build works here (framework, store, keychain, tray) and exit",
    )
    parser.add_argument("--data-dir", metavar="DIR", help="data folder (or $SEC_DESKTOP_DATA_DIR)")
    parser.add_argument("--tz", metavar="ZONE", help="IANA time zone (default: the system's)")
    parser.add_argument(
        "--preset", metavar="NAME", help="industry preset: healthcare, fintech, saas"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p_fw = sub.add_parser("framework", help="show the SEC tree with ids and benchmark profiles")
    p_fw.add_argument("--format", choices=("text", "json"), default="text")
    p_fw.set_defaults(handler=cmd_framework)

    p_log = sub.add_parser("log", help="record time spent on an activity")
    p_log.add_argument("activity", metavar="ACTIVITY", help="an id, a label, or a fragment")
    p_log.add_argument("--start", metavar="TIME")
    when = p_log.add_mutually_exclusive_group()
    when.add_argument("--end", metavar="TIME", help="default: now")
    when.add_argument("--minutes", type=float, metavar="N")
    p_log.add_argument("--note", metavar="TEXT")
    p_log.add_argument("--label", action="append", default=[], metavar="L")
    p_log.add_argument("--allow-overlap", action="store_true")
    p_log.set_defaults(handler=cmd_log)

    p_rep = sub.add_parser("report", help="allocation against the benchmark bands")
    add_range(p_rep, True)
    p_rep.add_argument("--profile", default="default", metavar="NAME")
    p_rep.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p_rep.set_defaults(handler=cmd_report)

    p_exp = sub.add_parser("export", help="write entries as CSV or JSON")
    p_exp.add_argument("--format", choices=("csv", "json", "toggl-csv", "ics"), required=True)
    p_exp.add_argument("--output", metavar="FILE", help="default: standard output")
    p_exp.add_argument(
        "--include-notes", action="store_true", help="export notes too, in plain text"
    )
    add_range(p_exp, False)
    p_exp.set_defaults(handler=cmd_export, period=None)

    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(sub)
    return parser


def _data_dir(cli_value: str | None, env: Mapping[str, str], config_dir: Path) -> Path:
    """--data-dir, else $SEC_DESKTOP_DATA_DIR, else the folder chosen in the settings, else
    the platform's: the command line and the app always agree on where entries are."""
    if not cli_value and not env.get(DATA_DIR_ENV):
        from sec_desktop.settings import configured_data_dir

        chosen = configured_data_dir(config_dir)
        if chosen is not None:
            return chosen
    return resolve_data_dir(cli_value, env)


def _write_crash_log(config_dir: Path) -> Path | None:
    try:
        log_dir = config_dir / "logs"
        ensure_private_dir(log_dir)
        path = log_dir / "error.log"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {utc_now().isoformat()}\n{traceback.format_exc()}\n")
    except OSError:
        return None
    return path


def main(
    argv: Sequence[str] | None = None,
    *,
    now: Callable[[], datetime] | None = None,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run one command; returns the exit code. `now`, `env`, `out`, `err` are for tests."""
    env = os.environ if env is None else env
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        from sec_desktop.cli.gui import self_test

        return self_test(env, out, err)
    if args.command is None and DEFAULT_COMMAND is not None:
        # `sec-desktop` alone (global options allowed) starts the tray app.
        args = parser.parse_args([*(sys.argv[1:] if argv is None else argv), DEFAULT_COMMAND])
    if not getattr(args, "handler", None):
        parser.print_help(out)
        return EXIT_OK
    config_dir = resolve_config_dir(env)
    ctx: Context | None = None
    try:
        tz = _zone(args.tz)
        ctx = Context(
            data_dir=_data_dir(args.data_dir, env, config_dir),
            config_dir=config_dir,
            tz=tz,
            now=(now or utc_now)(),
            preset=args.preset,
            out=out,
            err=err,
        )
        code: int = args.handler(ctx, args)
    except (CliError, TimeInputError, PeriodError) as exc:
        code = exc.code if isinstance(exc, CliError) else EXIT_BAD_INPUT
        err.write(f"sec-desktop: {exc}.\n")
    except StoreError as exc:
        code = EXIT_FAILURE
        err.write(f"sec-desktop: nothing was changed: {exc}.\n")
    except OSError as exc:
        code = EXIT_FAILURE
        where = f" ({exc.filename})" if exc.filename else ""
        err.write(f"sec-desktop: a file operation failed{where}: {exc.strerror or exc}.\n")
    except Exception as exc:  # noqa: BLE001 - the last line of defence prints one sentence
        code = EXIT_FAILURE
        log_path = _write_crash_log(config_dir)
        where = f"; details are in {log_path}" if log_path else ""
        err.write(f"sec-desktop: unexpected error: {exc}{where}.\n")
    finally:
        if ctx is not None and ctx._store is not None:  # noqa: SLF001
            for problem in ctx._store.problems:  # noqa: SLF001
                err.write(f"Warning: {problem.message()}\n")
            ctx._store.close()  # noqa: SLF001
    return code
