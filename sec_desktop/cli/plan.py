"""`sec-desktop plan`: show, set, fill and clear the target shares of a quarter.

The targets live in the data folder as shared records (analytics/plan_records.py), so the
dashboard, the reports and every device see the same plan.
"""

from __future__ import annotations

import argparse
import math
import re
from typing import TYPE_CHECKING, Any

import orjson

from sec_desktop.cli.base import EXIT_OK, CliError, Context, confirm
from sec_desktop.framework import Framework, Level, Node

if TYPE_CHECKING:
    from sec_desktop.analytics.plan_records import LoadedPlans, PlanStore
    from sec_desktop.analytics.targets import PlanIssue, Quarter
    from sec_desktop.framework import BenchmarkProfile

_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*$")


def parse_percent(text: str) -> float:
    """ "30", "27.5" or "30%" as a fraction; a CliError naming the text otherwise."""
    match = _PERCENT.match(text)
    value = float(match.group(1)) if match else math.nan
    if not match or not 0.0 <= value <= 100.0:
        raise CliError(
            f"the target {text!r} is not a percentage from 0 to 100; write e.g. 30 or 27.5"
        )
    return value / 100.0


def resolve_target_node(fw: Framework, query: str) -> Node:
    """A domain or focus area by id, label or a word of it; a CliError listing the choices."""
    wanted = query.strip().lower()
    nodes = [n for n in fw.walk() if n.level is not Level.ACTIVITY]
    for match in (
        [n for n in nodes if n.id == wanted],
        [n for n in nodes if n.label.lower() == wanted],
        [n for n in nodes if n.id.rsplit(".", 1)[-1] == wanted],
        [n for n in nodes if wanted and wanted in n.label.lower()],
    ):
        if len(match) == 1:
            return match[0]
        if len(match) > 1:
            names = ", ".join(f"{n.label} [{n.id}]" for n in match[:6])
            raise CliError(f"{query!r} matches more than one: {names}")
    activities = [n for n in fw.walk() if n.level is Level.ACTIVITY]
    exact = [n for n in activities if wanted in (n.id, n.label.lower())]
    named = exact or [n for n in activities if wanted and wanted in n.label.lower()]
    if len(named) == 1 and named[0].parent_id is not None:
        raise CliError(
            f"{fw.path_label(named[0].id)} is an activity; targets are for domains and focus "
            f"areas (its focus area is {fw[named[0].parent_id].label})"
        )
    raise CliError(
        f"there is no domain or focus area {query!r} (`sec-desktop plan show` lists them)"
    )


def _quarter(ctx: Context, args: argparse.Namespace) -> Quarter:
    from sec_desktop.analytics.targets import PlanError, Quarter

    if not args.quarter:
        return Quarter.of(ctx.now.astimezone(ctx.tz).date())
    try:
        return Quarter.parse(args.quarter)
    except PlanError as exc:
        raise CliError(f"--quarter: {exc}") from exc


def _profile(ctx: Context, profile_id: str | None) -> BenchmarkProfile:
    from sec_desktop.framework.custom_profile import opening_profile_id, profiles_for

    problems: list[str] = []
    profiles = profiles_for(ctx.framework, ctx.data_dir, problems)
    for problem in problems:
        ctx.err.write(f"Warning: {problem}.\n")
    if profile_id is None:
        profile_id = opening_profile_id(profiles, ctx.workspace.settings.benchmark_profile)
    if profile_id not in profiles:
        raise CliError(f"unknown profile {profile_id!r}; choose one of: {', '.join(profiles)}")
    return profiles[profile_id]


def _store(ctx: Context) -> PlanStore:
    from sec_desktop.analytics.plan_records import PlanStore

    return PlanStore(ctx.data_dir, ctx.workspace.device)


def _warn(ctx: Context, loaded: LoadedPlans) -> None:
    for problem in loaded.problems:
        ctx.err.write(f"Warning: {problem}.\n")


def _pct(share: float) -> str:
    return f"{share * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _write_issues(ctx: Context, issues: list[PlanIssue]) -> None:
    for issue in issues:
        ctx.out.write(f"  ! {issue.text[0].upper()}{issue.text[1:]}.\n")


def _save(
    ctx: Context, args: argparse.Namespace, targets: dict[str, float | None], **kw: Any
) -> int:
    from sec_desktop.analytics.targets import PlanError
    from sec_desktop.store.shared_records import SharedRecordsError

    quarter = _quarter(ctx, args)
    profile = _profile(ctx, getattr(args, "profile", None))
    try:
        loaded, warnings = _store(ctx).save_quarter(quarter, targets, ctx.framework, profile, **kw)
    except (PlanError, SharedRecordsError) as exc:
        raise CliError(str(exc)) from exc
    _warn(ctx, loaded)
    fw = ctx.framework
    for node_id, share in targets.items():
        label = fw[node_id].label if node_id in fw else node_id
        if share is None:
            ctx.out.write(f"Cleared the {quarter} target for {label}.\n")
        else:
            ctx.out.write(f"{quarter} target for {label}: {_pct(share)}.\n")
    # The warnings about what changed (and the totals), not every old one of the quarter.
    touched = {None, *targets, *(fw.ancestors(n)[-1].id for n in targets if n in fw)}
    _write_issues(ctx, [w for w in warnings if w.node_id in touched])
    return EXIT_OK


def cmd_plan_set(ctx: Context, args: argparse.Namespace) -> int:
    node = resolve_target_node(ctx.framework, args.node)
    return _save(ctx, args, {node.id: parse_percent(args.percent)})


def cmd_plan_clear(ctx: Context, args: argparse.Namespace) -> int:
    quarter = _quarter(ctx, args)
    if args.nodes:
        ids = [resolve_target_node(ctx.framework, q).id for q in args.nodes]
        return _save(ctx, args, dict.fromkeys(ids))
    if not confirm(ctx, f"Clear every target of {quarter}?", args.yes):
        ctx.out.write("Nothing cleared.\n")
        return EXIT_OK
    loaded = _store(ctx).clear_quarter(quarter, ctx.framework)
    _warn(ctx, loaded)
    ctx.out.write(f"Cleared every target of {quarter}.\n")
    return EXIT_OK


def cmd_plan_fill(ctx: Context, args: argparse.Namespace) -> int:
    from sec_desktop.analytics.targets import prefill

    profile = _profile(ctx, args.profile)
    targets: dict[str, float | None] = dict(prefill(ctx.framework, profile))
    ctx.out.write(f"From the {profile.label} profile (its targets, else band midpoints):\n")
    return _save(ctx, args, targets, replace=True)


def cmd_plan_show(ctx: Context, args: argparse.Namespace) -> int:
    from sec_desktop.analytics.targets import band_text, check_plan

    fw = ctx.framework
    quarter = _quarter(ctx, args)
    profile = _profile(ctx, args.profile)
    loaded = _store(ctx).load(fw)
    _warn(ctx, loaded)
    targets = dict(loaded.plans.quarter(quarter).targets)
    issues = check_plan(targets, fw, profile)
    conflicts = [c for c in loaded.conflicts if c.quarter == quarter]
    if args.format == "json":
        doc = {
            "quarter": str(quarter),
            "profile": profile.id,
            "targets": [
                {
                    "id": n.id,
                    "label": n.label,
                    "level": n.level.name.lower(),
                    "target": targets.get(n.id),
                    "band": (
                        {"low": profile.bands[n.id].low, "high": profile.bands[n.id].high}
                        if n.id in profile.bands
                        else None
                    ),
                }
                for n in fw.walk()
                if n.level is not Level.ACTIVITY
            ],
            "issues": [{"severity": i.severity, "id": i.node_id, "text": i.text} for i in issues],
            "conflicts": [
                {
                    "id": c.node_id,
                    "kept": c.kept,
                    "others": [{"device": d, "target": s} for d, s in c.others],
                }
                for c in conflicts
            ],
        }
        ctx.out.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")
        return EXIT_OK
    ctx.out.write(
        f"Plan for {quarter} ({quarter.first} to {quarter.last}), profile: {profile.label}\n"
    )
    if not targets:
        ctx.out.write(
            "No targets yet: `sec-desktop plan fill` takes them from the profile, "
            "`sec-desktop plan set strategy 30` sets one.\n"
        )
    ctx.out.write(f"\n{'Domain / focus area':<40}{'Band':>10}{'Target':>9}\n")
    for node in fw.walk():
        if node.level is Level.ACTIVITY:
            continue
        band = profile.bands.get(node.id)
        indent = "" if node.level is Level.DOMAIN else "  "
        target = targets.get(node.id)
        line = f"{(indent + node.label)[:39]:<40}{band_text(band) if band else '':>10}"
        line += f"{_pct(target) if target is not None else '':>9}"
        ctx.out.write(line.rstrip() + "\n")
    if issues:
        ctx.out.write("\n")
        _write_issues(ctx, issues)
    for c in conflicts:
        label = fw[c.node_id].label if c.node_id in fw else c.node_id
        others = ", ".join(f"{_pct(s) if s is not None else 'cleared'} on {d}" for d, s in c.others)
        kept = _pct(c.kept) if c.kept is not None else "cleared"
        ctx.out.write(
            f"\n{label} was set on two devices at once: {kept} is kept over {others}; "
            f"`sec-desktop plan set` the one you mean.\n"
        )
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p_plan = sub.add_parser(
        "plan",
        help="target shares per quarter, shown beside band and actual in every report",
        description="A plan is a set of target shares for a quarter (YYYY-Qn), per domain and "
        "per focus area where you want one. It is kept in the data folder, so it travels with "
        "your entries and merges across devices. A target outside its band is allowed, with a "
        "warning; domain targets can't add up to more than 100%. A period that spans quarters "
        "is judged by their targets mixed by days.",
    )
    plan_sub = p_plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)

    def common(p: argparse.ArgumentParser, with_profile: bool = True) -> None:
        p.add_argument("--quarter", metavar="YYYY-Qn", help="default: the current quarter")
        if with_profile:
            p.add_argument(
                "--profile",
                metavar="NAME",
                help="the bands to check against (default: the career stage in the settings)",
            )

    p_show = plan_sub.add_parser("show", help="a quarter's targets beside their bands")
    common(p_show)
    p_show.add_argument("--format", choices=("text", "json"), default="text")
    p_show.set_defaults(handler=cmd_plan_show)
    p_set = plan_sub.add_parser("set", help="set one target, e.g. `plan set strategy 30`")
    p_set.add_argument("node", metavar="DOMAIN_OR_FOCUS_AREA", help="an id or label")
    p_set.add_argument("percent", metavar="PERCENT", help="the target share, e.g. 30 or 27.5%%")
    common(p_set)
    p_set.set_defaults(handler=cmd_plan_set)
    p_fill = plan_sub.add_parser(
        "fill", help="replace a quarter's targets with the profile's (band midpoints)"
    )
    common(p_fill)
    p_fill.set_defaults(handler=cmd_plan_fill)
    p_clear = plan_sub.add_parser("clear", help="clear targets (all of the quarter without names)")
    p_clear.add_argument("nodes", nargs="*", metavar="DOMAIN_OR_FOCUS_AREA")
    common(p_clear)
    p_clear.add_argument("--yes", action="store_true", help="don't ask before clearing them all")
    p_clear.set_defaults(handler=cmd_plan_clear)
