"""What the mindmap shows, free of Qt: the SEC tree around the role at the centre (domains,
focus areas, activities), overlaid with where the time of a period went, and the words that
go with each node (its tooltip, the figures under its label)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sec_desktop.analytics import AllocationReport, Period
from sec_desktop.analytics.allocation import Verdict
from sec_desktop.analytics.targets import PeriodPlan, PlanVerdict, plan_verdict
from sec_desktop.analytics.text import VERDICT_SYMBOLS, band_text, duration, pct, period_text
from sec_desktop.framework import Band, BenchmarkProfile, Framework, Level
from sec_desktop.framework.customization import is_custom_activity
from sec_desktop.store import Entry

ROLE_ID = "role"
ROLE_LABEL = "CTO \u00b7 CIO \u00b7 CISO"


@dataclass(frozen=True)
class NodeFigures:
    """A node's time in the period: seconds, share of all tracked time, band and verdict."""

    seconds: float
    share: float
    band: Band | None = None
    verdict: Verdict | None = None
    # The plan's target for the period, and where the share sits against it.
    plan: float | None = None
    plan_verdict: PlanVerdict | None = None


@dataclass(frozen=True)
class MindmapNode:
    """One drawn node; level 0 is the role at the centre, 1-3 the framework's levels."""

    id: str
    label: str
    level: int
    parent_id: str | None
    path: str = ""
    description: str = ""
    hidden: bool = False
    custom: bool = False


@dataclass(frozen=True)
class MindmapModel:
    """What the mindmap shows: the tree, and the period's figures when the overlay is on."""

    framework_name: str
    nodes: tuple[MindmapNode, ...]
    figures: Mapping[str, NodeFigures] | None = None
    period: Period | None = None
    profile: BenchmarkProfile | None = None
    total_seconds: float = 0.0

    @property
    def overlay(self) -> bool:
        return self.figures is not None

    def node(self, node_id: str) -> MindmapNode:
        return self._by_id()[node_id]

    def _by_id(self) -> dict[str, MindmapNode]:
        return {n.id: n for n in self.nodes}

    def children(self, node_id: str) -> list[MindmapNode]:
        return [n for n in self.nodes if n.parent_id == node_id]

    def figures_of(self, node_id: str) -> NodeFigures | None:
        return None if self.figures is None else self.figures.get(node_id)

    def untouched_activities(self) -> list[MindmapNode]:
        """Activities without a second in the period (the "where do I never go" list)."""
        if self.figures is None:
            return []
        return [
            n
            for n in self.nodes
            if n.level == Level.ACTIVITY and self.figures.get(n.id, NodeFigures(0, 0)).seconds <= 0
        ]


def build_model(
    framework: Framework,
    report: AllocationReport | None = None,
    plan: PeriodPlan | None = None,
) -> MindmapModel:
    """The tree of `framework` (hidden activities only where they have time in the report),
    with the report's figures (and the plan's targets, given one) as the overlay."""
    figures: dict[str, NodeFigures] | None = None
    if report is not None:
        figures = {
            ROLE_ID: NodeFigures(report.total_seconds, 1.0 if report.total_seconds > 0 else 0.0)
        }
        for row in (*report.domains, *report.focus_areas, *report.activities):
            target = plan.target(row.id) if plan is not None else None
            figures[row.id] = NodeFigures(
                row.seconds,
                row.share,
                row.band,
                row.verdict,
                target,
                plan_verdict(row.share, target, report.total_seconds)
                if target is not None
                else None,
            )
    nodes = [MindmapNode(ROLE_ID, ROLE_LABEL, 0, None, ROLE_LABEL, framework.name)]
    for node in framework.walk():
        if node.hidden and (
            figures is None or figures.get(node.id, NodeFigures(0, 0)).seconds <= 0
        ):
            continue
        nodes.append(
            MindmapNode(
                id=node.id,
                label=node.label,
                level=int(node.level),
                parent_id=node.parent_id or ROLE_ID,
                path=framework.path_label(node.id),
                description=node.description,
                hidden=node.hidden,
                custom=is_custom_activity(node.id),
            )
        )
        if figures is not None and node.id not in figures:
            figures[node.id] = NodeFigures(0.0, 0.0)  # an activity without time in the period
    return MindmapModel(
        framework_name=framework.name,
        nodes=tuple(nodes),
        figures=figures,
        period=report.period if report else None,
        profile=report.profile if report else None,
        total_seconds=report.total_seconds if report else 0.0,
    )


def entries_of(node_id: str, entries: Iterable[Entry]) -> list[Entry]:
    """The entries that count toward a node: tagged with it or with anything below it."""
    if node_id == ROLE_ID:
        return [e for e in entries if not e.is_deleted]
    prefix = node_id + "."
    return [
        e
        for e in entries
        if not e.is_deleted and (e.activity == node_id or e.activity.startswith(prefix))
    ]


# Text --------------------------------------------------------------------------------------


def figures_line(figures: NodeFigures) -> str:
    """The short line under a domain's or focus area's label: "24.1% \u25bc"."""
    symbol = VERDICT_SYMBOLS.get(figures.verdict.status, "") if figures.verdict else ""
    line = f"{pct(figures.share)} {symbol}".strip()
    return line + (f" \u00b7 plan {pct(figures.plan)}" if figures.plan is not None else "")


def tooltip_text(model: MindmapModel, node_id: str) -> str:
    """Path, minutes, share and band verdict in words; or the description without overlay."""
    node = model.node(node_id)
    lines = [node.path or node.label]
    if node.hidden:
        lines.append("Hidden from the picker; its time still counts.")
    figures = model.figures_of(node_id)
    if model.figures is None or figures is None:
        if node.description:
            lines.append(node.description)
        return "\n".join(lines)
    when = period_text(model.period) if model.period else "the period"
    if node.level == 0:
        lines.append(f"{duration(figures.seconds)} tracked in {when}")
        return "\n".join(lines)
    if figures.seconds <= 0:
        lines.append(f"No time in {when}.")
    else:
        minutes = figures.seconds / 60
        lines.append(
            f"{duration(figures.seconds)} ({minutes:,.0f} min), {pct(figures.share)} of "
            f"{duration(model.total_seconds)} tracked in {when}"
        )
    if figures.band is not None:
        profile = f" ({model.profile.label})" if model.profile else ""
        verdict = figures.verdict.describe() if figures.verdict else "no data"
        if verdict == "within":
            verdict = "within the band"
        lines.append(f"Band {band_text(figures.band)}{profile}: {verdict}")
    if figures.plan is not None and figures.plan_verdict is not None:
        lines.append(f"Plan {pct(figures.plan)}: {figures.plan_verdict.describe()}")
    return "\n".join(lines)


def display_label(node: MindmapNode) -> str:
    return f"{node.label} (hidden)" if node.hidden else node.label


def second_line(model: MindmapModel, node: MindmapNode) -> str:
    """The figures under a pill's label; the role shows the period's total."""
    figures = model.figures_of(node.id)
    if figures is None or node.level == Level.ACTIVITY:
        return ""
    if node.level == 0:
        return f"{duration(figures.seconds)} tracked" if model.overlay else ""
    return figures_line(figures)
