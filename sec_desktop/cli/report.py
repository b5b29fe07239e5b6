"""`sec-desktop report`: the dashboard's numbers for a period, as a table, JSON or CSV."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

import orjson

from sec_desktop.analytics.text import pct
from sec_desktop.cli.base import EXIT_OK, CliError, Context, add_range, period_from_args
from sec_desktop.framework import Level
from sec_desktop.timefmt import format_duration

if TYPE_CHECKING:
    from sec_desktop.analytics import AllocationReport, Period
    from sec_desktop.analytics.dashboard import DashboardData
    from sec_desktop.analytics.targets import PlanRow


def compute_dashboard(ctx: Context, period: Period, profile_id: str | None) -> DashboardData:
    """The dashboard's own computation (allocation, coverage, ping estimates, insights), so
    `report` prints the numbers the dashboard shows for the same period and profile. Without
    `profile_id`, the saved career stage is used, as the dashboard opens on it."""
    from sec_desktop.analytics.coverage import working_intervals_for
    from sec_desktop.analytics.dashboard import dashboard_from
    from sec_desktop.analytics.month_summaries import period_figures
    from sec_desktop.analytics.plan_records import load_plans
    from sec_desktop.framework.custom_profile import opening_profile_id, profiles_for
    from sec_desktop.reminders.questions import (
        load_questions,
        questions_path,
        unanswered_away_spans,
    )
    from sec_desktop.store.paths import month_summaries_dir

    fw = ctx.framework
    problems: list[str] = []
    profiles = profiles_for(fw, ctx.data_dir, problems)
    for problem in problems:
        ctx.err.write(f"Warning: {problem}.\n")
    if profile_id is None:
        profile_id = opening_profile_id(profiles, ctx.workspace.settings.benchmark_profile)
    if profile_id not in profiles:
        known = ", ".join(profiles)
        raise CliError(f"unknown profile {profile_id!r}; choose one of: {known}")
    settings = ctx.workspace.settings
    ctx.write_problems()
    figures = period_figures(
        ctx.store, fw, period, month_summaries_dir(ctx.config_dir, ctx.data_dir)
    )
    working = working_intervals_for(period, settings)
    # The tray app keeps the away questions it asked and not answered yet in this file.
    questions = load_questions(questions_path(ctx.config_dir), now=ctx.now_utc())
    if questions.problem:
        ctx.err.write(f"Warning: {questions.problem}\n")
    plans = load_plans(ctx.data_dir, ctx.workspace.device, fw)
    for problem in plans.problems:
        ctx.err.write(f"Warning: {problem}.\n")
    return dashboard_from(
        figures,
        fw,
        period,
        profiles[profile_id],
        working,
        now=ctx.now_utc(),
        unanswered_away=unanswered_away_spans(questions.slots),
        plans=plans.plans,
    )


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

    plan_rows = {r.id: r for r in data.plan_rows}

    def section(title: str, rows: Sequence[Any], with_band: bool) -> None:
        out.write(f"\n{title:<34}{'Time':>12}{'Share':>8}")
        out.write(f"  {'Band':<10}{'Plan':>7}  Verdict\n" if with_band else "\n")
        for r in rows:
            line = f"{r.label[:33]:<34}{format_duration(r.seconds):>12}{pct(r.share):>8}"
            if with_band:
                band = f"{r.band.low * 100:g}-{r.band.high * 100:g}%" if r.band else ""
                verdicts = [r.verdict.describe()] if r.verdict is not None else []
                plan = plan_rows.get(r.id)
                target = plan.plan if plan is not None else None
                if plan is not None and target is not None:
                    verdicts.append(plan.verdict.describe())
                line += f"  {band:<10}{pct(target) if target is not None else '':>7}  "
                line += "; ".join(verdicts)
            out.write(line.rstrip() + "\n")

    section("Domain", report.domains, True)
    section("Focus area", report.focus_areas, True)
    section("Top activities", report.activities[:10], False)
    _plan_notes(data, out)
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


def _plan_notes(data: DashboardData, out: TextIO) -> None:
    """Which quarters' plan the period is judged by, and where a target covers only part."""
    plan = data.plan
    if plan is None or plan.is_empty:
        out.write("\nNo plan for this period (`sec-desktop plan set` makes one).\n")
        return
    quarters = ", ".join(str(q) for q in plan.quarters)
    mixed = " (mixed by days)" if len(plan.quarters) > 1 else ""
    out.write(f"\nPlan: {quarters}{mixed}.\n")
    for row in data.plan_rows:
        if row.plan is not None and row.plan_covered < 1.0:
            out.write(
                f"The {row.label} target covers {pct(row.plan_covered)} of the period; the "
                "other quarter has none.\n"
            )


def _report_extras(data: DashboardData, out: TextIO) -> None:
    """Coverage, the random-ping estimates and the insights, as the dashboard shows them."""
    cov = data.coverage
    out.write(
        f"\nCoverage: {pct(cov.share)} of working hours have entries "
        f"({format_duration(cov.tracked_seconds)} of {format_duration(cov.working_seconds)})"
    )
    if cov.tracked_outside_working_seconds > 0:
        out.write(f"; {format_duration(cov.tracked_outside_working_seconds)} outside them")
    out.write(".\n")
    if cov.unanswered_away_seconds > 0:
        out.write(
            f"{format_duration(cov.unanswered_away_seconds)} of working time you were away "
            "and have not answered yet (`sec-desktop status` lists it).\n"
        )
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


def _report_csv(report: AllocationReport, out: TextIO, plan_rows: Sequence[PlanRow] = ()) -> None:
    import csv  # here: the table and JSON reports need no csv module

    from sec_desktop.interop.exports import csv_safe

    plans = {r.id: r for r in plan_rows if r.plan is not None}

    # Only the text cells go through csv_safe: a number may start with a minus sign.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            *("level", "id", "label", "minutes", "share"),
            *("band_low", "band_high", "status", "distance"),
            *("plan", "plan_status", "plan_distance"),
        ]
    )
    for row in [*report.domains, *report.focus_areas, *report.activities]:
        plan = plans.get(row.id)
        writer.writerow(
            [
                csv_safe(row.level.name.lower()),
                csv_safe(row.id),
                csv_safe(row.label),
                f"{row.minutes:.2f}",
                f"{row.share:.6f}",
                f"{row.band.low:g}" if row.band else "",
                f"{row.band.high:g}" if row.band else "",
                csv_safe(row.verdict.status) if row.verdict else "",
                f"{row.verdict.distance:.6f}" if row.verdict else "",
                f"{plan.plan:.6f}" if plan and plan.plan is not None else "",
                csv_safe(plan.verdict.status) if plan else "",
                f"{plan.verdict.distance:.6f}" if plan else "",
            ]
        )


def cmd_report(ctx: Context, args: argparse.Namespace) -> int:
    period = period_from_args(ctx, args)
    data = compute_dashboard(ctx, period, args.profile)
    if args.format == "json":
        from sec_desktop.analytics.dashboard import summary_json

        ctx.out.write(orjson.dumps(summary_json(data), option=orjson.OPT_INDENT_2).decode())
        ctx.out.write("\n")
    elif args.format == "csv":
        _report_csv(data.report, ctx.out, data.plan_rows)
    else:
        _report_table(data, ctx.out)
    return EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p_rep = sub.add_parser("report", help="allocation against the benchmark bands")
    add_range(p_rep, True)
    p_rep.add_argument(
        "--profile",
        default=None,
        metavar="NAME",
        help="benchmark profile (default: the career stage saved in the settings)",
    )
    p_rep.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p_rep.set_defaults(handler=cmd_report)
