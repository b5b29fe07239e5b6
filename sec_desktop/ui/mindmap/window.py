"""The SEC framework drawn as a mindmap: the role at the centre, the domains, their focus areas
and their activities, overlaid with where the time of a period went.

The layout is radial and computed here: every leaf row gets a slot on an outer ring (an
ellipse, so labels stay horizontal and readable), focus areas and domains sit on inner rings
at the mean angle of their leaves, and any node that would touch one placed before it is
pushed outward until it doesn't. Each node's bubble has an area proportional to its share of
the tracked time; banded nodes fill it with their verdict's colour and say the verdict in
words in the tooltip; activities without time are drawn quiet (a dashed ring, muted text).

Exports (PNG at 2x, SVG, a one-page A4 PDF "job description") are painted with the light
theme so they print well, with or without the time overlay.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMarginsF,
    QPointF,
    QRectF,
    QSize,
    QSizeF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyleOptionGraphicsItem,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sec_desktop import APP_NAME
from sec_desktop.analytics import AllocationReport, Period, allocate, named_period
from sec_desktop.analytics.allocation import Verdict, clipped_seconds
from sec_desktop.analytics.periods import shifted_period
from sec_desktop.analytics.text import VERDICT_SYMBOLS, band_text, duration, pct, period_text
from sec_desktop.framework import Band, BenchmarkProfile, Framework, Level
from sec_desktop.framework.customization import is_custom_activity
from sec_desktop.store import Entry, EntryStore, utc_now
from sec_desktop.store.atomic import atomic_write_bytes
from sec_desktop.ui.dashboard.theme import ChartTheme

ROLE_ID = "role"
ROLE_LABEL = "CTO \u00b7 CIO \u00b7 CISO"
JOB_TITLE = "The CTO / CIO / CISO role: a job description"

# Bubble radii in scene pixels. A bubble's area is proportional to its node's share of all
# tracked time: 100% would fill a circle of FULL_SHARE_RADIUS.
FULL_SHARE_RADIUS = 30.0
MIN_BUBBLE_RADIUS = 2.5  # a node with a sliver of time still shows a dot
QUIET_BUBBLE_RADIUS = 4.5  # the dashed ring of a node without time
PLAIN_RADIUS = {1: 7.0, 2: 6.0, 3: 4.5}  # without the overlay: the structure only

# Text wraps at these widths (scene pixels) so long labels don't widen the map.
WRAP_WIDTH = {0: 160.0, 1: 110.0, 2: 150.0, 3: 185.0}
PILL_PAD_X, PILL_PAD_Y = 8.0, 4.0
BUBBLE_TEXT_GAP = 5.0
RING_GAP_X = 20.0
CHILD_GAP_X = 12.0  # a child starts at least this far beyond its parent's outer edge
ROW_GAP = 3.0
FOCUS_GAP = 5.0
DOMAIN_GAP = 14.0
NODE_MARGIN = 4.0  # the clearance a pushed node keeps from nodes placed before it
PUSH_PX = 3.0
MIN_ROW_HEIGHT = 12.0
MAX_ROW_GAP = 16.0
DEFAULT_ASPECT = 1280 / 720  # a 1280 x 800 window less its bars
# The outer ring's vertical half-axis is this much taller than the highest side, so the first
# and last rows sit at about 63 degrees and no label reaches over the poles.
POLE_CLEARANCE = 1.12
# Domains sit this fraction of the way from the centre to their leaves' middle height.
DOMAIN_PULL = 0.5
SCENE_MARGIN = 16.0

ZOOM_STEP = 1.15
MIN_ZOOM, MAX_ZOOM = 0.2, 6.0
PNG_SCALE = 2.0
PDF_MARGIN_MM = 12.0
PDF_RESOLUTION_DPI = 96
PANEL_MIN_WIDTH_PX = 340
# Arrow keys walk the nodes in tree order: down and right to the next, up and left back.
NAVIGATION_KEYS = {Qt.Key.Key_Down: 1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_Left: -1}
PERIOD_KINDS = (("week", "Week"), ("month", "Month"), ("quarter", "Quarter"), ("year", "Year"))


# The model ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeFigures:
    """A node's time in the period: seconds, share of all tracked time, band and verdict."""

    seconds: float
    share: float
    band: Band | None = None
    verdict: Verdict | None = None


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


def build_model(framework: Framework, report: AllocationReport | None = None) -> MindmapModel:
    """The tree of `framework` (hidden activities only where they have time in the report),
    with the report's figures as the overlay when one is given."""
    figures: dict[str, NodeFigures] | None = None
    if report is not None:
        figures = {
            ROLE_ID: NodeFigures(report.total_seconds, 1.0 if report.total_seconds > 0 else 0.0)
        }
        for row in (*report.domains, *report.focus_areas, *report.activities):
            figures[row.id] = NodeFigures(row.seconds, row.share, row.band, row.verdict)
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
    return f"{pct(figures.share)} {symbol}".strip()


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
    return "\n".join(lines)


# Fonts and measures ------------------------------------------------------------------------


@dataclass(frozen=True)
class MindmapFonts:
    role: QFont
    domain: QFont
    focus: QFont
    activity: QFont
    small: QFont

    @classmethod
    def from_base(cls, base: QFont) -> MindmapFonts:
        def scaled(factor: float, bold: bool = False) -> QFont:
            font = QFont(base)
            size = base.pointSizeF() if base.pointSizeF() > 0 else 9.0
            font.setPointSizeF(size * factor)
            font.setBold(bold)
            return font

        return cls(
            role=scaled(1.3, True),
            domain=scaled(1.15, True),
            focus=scaled(1.0, True),
            activity=scaled(0.95),
            small=scaled(0.85),
        )

    def for_level(self, level: int) -> QFont:
        return (self.role, self.domain, self.focus, self.activity)[level]


def _text_size(font: QFont, text: str, wrap: float) -> QSizeF:
    metrics = QFontMetricsF(font)
    rect = metrics.boundingRect(QRectF(0, 0, wrap, 10_000), int(Qt.TextFlag.TextWordWrap), text)
    return QSizeF(math.ceil(rect.width()), math.ceil(rect.height()))


def bubble_radius(node: MindmapNode, figures: NodeFigures | None, overlay: bool) -> float:
    if node.level == 0:
        return 0.0
    if not overlay:
        return PLAIN_RADIUS[node.level]
    if figures is None or figures.seconds <= 0:
        return QUIET_BUBBLE_RADIUS
    return max(MIN_BUBBLE_RADIUS, FULL_SHARE_RADIUS * math.sqrt(max(0.0, figures.share)))


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


# Layout ------------------------------------------------------------------------------------


@dataclass
class NodeGeometry:
    """Where one node is drawn, in scene coordinates."""

    node: MindmapNode
    side: int  # +1 right of the centre, -1 left, 0 the centre itself
    rect: QRectF  # the whole node: pill or bubble and label
    bubble: QPointF
    radius: float
    text_rect: QRectF
    second_rect: QRectF | None = None

    def inner_point(self) -> QPointF:
        """Where the connector from the parent arrives."""
        if self.node.level == Level.ACTIVITY:
            return QPointF(self.bubble.x() - self.side * self.radius, self.bubble.y())
        x = self.rect.left() if self.side > 0 else self.rect.right()
        return QPointF(x, self.rect.center().y())

    def outer_point(self, toward: int) -> QPointF:
        """Where connectors to children leave, on the side they go to."""
        x = self.rect.right() if toward > 0 else self.rect.left()
        return QPointF(x, self.rect.center().y())


@dataclass(frozen=True)
class _Shape:
    size: QSizeF
    radius: float
    text: QSizeF
    second: QSizeF | None


def _measure(model: MindmapModel, node: MindmapNode, fonts: MindmapFonts) -> _Shape:
    radius = bubble_radius(node, model.figures_of(node.id), model.overlay)
    text = _text_size(fonts.for_level(node.level), display_label(node), WRAP_WIDTH[node.level])
    extra = second_line(model, node)
    second = _text_size(fonts.small, extra, WRAP_WIDTH[node.level]) if extra else None
    block_w = max(text.width(), second.width() if second else 0.0)
    block_h = text.height() + (second.height() if second else 0.0)
    if node.level == Level.ACTIVITY:
        size = QSizeF(2 * radius + BUBBLE_TEXT_GAP + block_w, max(2 * radius, block_h))
    else:
        bubble_w = 2 * radius + BUBBLE_TEXT_GAP if radius else 0.0
        size = QSizeF(
            bubble_w + block_w + 2 * PILL_PAD_X, max(2 * radius, block_h) + 2 * PILL_PAD_Y
        )
    return _Shape(size, radius, text, second)


def assign_sides(leaf_counts: Sequence[int]) -> list[int]:
    """Put whole domains left (-1) or right (+1) so the two sides hold about as many rows.

    By leaf count, not drawn size, so the layout doesn't jump from one period to the next.
    Ties keep the first domain on the right.
    """
    count = len(leaf_counts)
    if count == 1:
        return [1]
    best: tuple[int, int] | None = None
    best_sides: list[int] = []
    for mask in range(1 << count):
        sides = [1 if not (mask >> i) & 1 else -1 for i in range(count)]
        if 1 not in sides or -1 not in sides or sides[0] != 1:
            continue
        right = sum(c for c, s in zip(leaf_counts, sides, strict=True) if s > 0)
        left = sum(c for c, s in zip(leaf_counts, sides, strict=True) if s < 0)
        key = (max(right, left), mask)
        if best is None or key < best:
            best, best_sides = key, sides
    return best_sides


def _place_shape(node: MindmapNode, shape: _Shape, side: int, anchor: QPointF) -> NodeGeometry:
    """The geometry of a node whose anchor is the pill's centre, or an activity's bubble."""
    if node.level == Level.ACTIVITY:
        r = shape.radius
        left = anchor.x() - r if side > 0 else anchor.x() + r - shape.size.width()
        rect = QRectF(
            left, anchor.y() - shape.size.height() / 2, shape.size.width(), shape.size.height()
        )
        text_left = anchor.x() + r + BUBBLE_TEXT_GAP if side > 0 else rect.left()
        text_rect = QRectF(
            text_left, anchor.y() - shape.text.height() / 2, shape.text.width(), shape.text.height()
        )
        return NodeGeometry(node, side, rect, anchor, r, text_rect)
    rect = QRectF(
        anchor.x() - shape.size.width() / 2,
        anchor.y() - shape.size.height() / 2,
        shape.size.width(),
        shape.size.height(),
    )
    r = shape.radius
    block_h = shape.text.height() + (shape.second.height() if shape.second else 0.0)
    top = anchor.y() - block_h / 2
    # Bubble on the side facing the centre, so the connector runs into it.
    if r and side < 0:
        bubble = QPointF(rect.right() - PILL_PAD_X - r, anchor.y())
        text_left = rect.left() + PILL_PAD_X
    elif r:
        bubble = QPointF(rect.left() + PILL_PAD_X + r, anchor.y())
        text_left = bubble.x() + r + BUBBLE_TEXT_GAP
    else:
        bubble = anchor
        text_left = anchor.x() - shape.text.width() / 2
    block_w = rect.width() - 2 * PILL_PAD_X - (2 * r + BUBBLE_TEXT_GAP if r else 0.0)
    text_rect = QRectF(text_left, top, block_w, shape.text.height())
    second_rect = None
    if shape.second is not None:
        second_rect = QRectF(text_left, top + shape.text.height(), block_w, shape.second.height())
    return NodeGeometry(node, side, rect, bubble, r, text_rect, second_rect)


def _clear_of(rect: QRectF, placed: Iterable[QRectF]) -> bool:
    grown = rect.adjusted(-NODE_MARGIN, -NODE_MARGIN, NODE_MARGIN, NODE_MARGIN)
    return not any(grown.intersects(other) for other in placed)


def spread_vertically(items: Sequence[tuple[str, float, float]], gap: float) -> dict[str, float]:
    """Centres for (key, ideal centre, height) items so that none overlap, each as near its
    ideal as the others allow: overlapping neighbours merge into a block centred on the mean
    of their ideals, which may in turn merge with the block above."""
    clusters: list[tuple[list[tuple[str, float, float]], float]] = []  # (items, top)

    def block_top(members: list[tuple[str, float, float]]) -> float:
        offsets, offset = [], 0.0
        for _key, _ideal, height in members:
            offsets.append(offset + height / 2)
            offset += height + gap
        return sum(
            ideal - off for (_k, ideal, _h), off in zip(members, offsets, strict=True)
        ) / len(members)

    def bottom(members: list[tuple[str, float, float]], top: float) -> float:
        return top + sum(h for _k, _i, h in members) + gap * (len(members) - 1)

    for item in sorted(items, key=lambda i: i[1]):
        members = [item]
        top = item[1] - item[2] / 2
        while clusters and top < bottom(*clusters[-1]) + gap:
            previous, _ = clusters.pop()
            members = previous + members
            top = block_top(members)
        clusters.append((members, top))
    centres: dict[str, float] = {}
    for members, top in clusters:
        y = top
        for key, _ideal, height in members:
            centres[key] = y + height / 2
            y += height + gap
    return centres


def layout_mindmap(
    model: MindmapModel, fonts: MindmapFonts, aspect: float = DEFAULT_ASPECT
) -> dict[str, NodeGeometry]:
    """Every node's geometry; no two node rectangles intersect.

    Rows are spaced out (up to MAX_ROW_GAP) until the map is about `aspect` times as wide as
    it is high, so it fills a window of that shape.
    """
    shapes = {n.id: _measure(model, n, fonts) for n in model.nodes}
    geometry = _layout(model, shapes, ROW_GAP)
    bounds = _bounds(geometry)
    rows = max(1, sum(1 for n in model.nodes if n.level == Level.ACTIVITY) // 2)
    wanted = bounds.width() / aspect
    if bounds.height() < wanted:
        gap = min(MAX_ROW_GAP, ROW_GAP + (wanted - bounds.height()) / rows)
        geometry = _layout(model, shapes, gap)
    return geometry


def _bounds(geometry: Mapping[str, NodeGeometry]) -> QRectF:
    bounds = QRectF()
    for geo in geometry.values():
        bounds = bounds.united(geo.rect)
    return bounds


def _ellipse_x(ring_a: float, ring_b: float, y: float) -> float:
    ratio = max(-1.0, min(1.0, y / ring_b))
    return ring_a * math.sqrt(1.0 - ratio * ratio)


def _layout(
    model: MindmapModel, shapes: Mapping[str, _Shape], row_gap: float
) -> dict[str, NodeGeometry]:
    return _RadialLayout(model, shapes, row_gap).place()


class _RadialLayout:
    """One layout pass: leaf rows per side, then rings from the centre outward."""

    def __init__(self, model: MindmapModel, shapes: Mapping[str, _Shape], row_gap: float) -> None:
        self.model = model
        self.shapes = shapes
        self.row_gap = row_gap
        self.domains = model.children(ROLE_ID)
        self.focus_of = {d.id: model.children(d.id) for d in self.domains}
        self.leaves_of = {f.id: model.children(f.id) for fs in self.focus_of.values() for f in fs}
        rows = [
            sum(max(1, len(self.leaves_of[f.id])) for f in self.focus_of[d.id])
            for d in self.domains
        ]
        self.sides = dict(zip((d.id for d in self.domains), assign_sides(rows), strict=True))
        self.leaf_y: dict[str, float] = {}
        self.ring_b = 1.0
        self.geometry: dict[str, NodeGeometry] = {}
        self.placed: list[QRectF] = []

    def side_of(self, node: MindmapNode) -> int:
        return self.sides[node.id.split(".", 1)[0]]

    def _stack_rows(self) -> None:
        """Leaf rows stacked per side, centred on y = 0. A focus area without activities takes
        a row of its own, so that it has a place on the ring."""
        heights: dict[int, float] = {}
        for side in (1, -1):
            y = 0.0
            rows: list[tuple[str, float]] = []
            for d_index, domain in enumerate(d for d in self.domains if self.sides[d.id] == side):
                if d_index:
                    y += DOMAIN_GAP
                for f_index, focus in enumerate(self.focus_of[domain.id]):
                    if f_index:
                        y += FOCUS_GAP
                    for leaf in self.leaves_of[focus.id] or [focus]:
                        h = max(self.shapes[leaf.id].size.height(), MIN_ROW_HEIGHT) + self.row_gap
                        rows.append((leaf.id, y + h / 2))
                        y += h
            heights[side] = y
            for key, centre in rows:
                self.leaf_y[key] = centre - y / 2
        self.ring_b = max(max(heights.values()) / 2 * POLE_CLEARANCE, 1.0)

    def leaf_ids(self, node: MindmapNode) -> list[str]:
        if node.level == Level.FOCUS_AREA:
            return [leaf.id for leaf in self.leaves_of[node.id]] or [node.id]
        return [i for f in self.focus_of[node.id] for i in self.leaf_ids(f)]

    def group_y(self, node: MindmapNode) -> float:
        ids = self.leaf_ids(node)
        return sum(self.leaf_y[i] for i in ids) / len(ids) if ids else 0.0

    def widest(self, level: int) -> float:
        widths = [self.shapes[n.id].size.width() for n in self.model.nodes if n.level == level]
        return max(widths, default=0.0)

    def beyond_parent(self, node: MindmapNode, inner_half: float) -> float:
        """The least distance from the centre line that keeps a node's inner edge a gap
        beyond its parent's outer edge, so connectors always run outward."""
        if node.parent_id is None or node.parent_id == ROLE_ID:
            return 0.0
        parent = self.geometry[node.parent_id].rect
        return max(abs(parent.left()), abs(parent.right())) + CHILD_GAP_X + inner_half

    def _push_out(
        self, node: MindmapNode, side: int, x: float, y: float, clear_of: list[QRectF]
    ) -> None:
        """Place `node` at (x, y), moving it outward until it touches none of `clear_of`."""
        while True:
            found = _place_shape(node, self.shapes[node.id], side, QPointF(x, y))
            if _clear_of(found.rect, clear_of):
                break
            x += side * PUSH_PX
        self.geometry[node.id] = found

    def _place_level(
        self, nodes: Sequence[MindmapNode], ideal: Mapping[str, float], ring_a: float
    ) -> None:
        """Spread one level's pills vertically per side, put them on their ring, and push any
        that touch an inner node outward."""
        for side in (1, -1):
            members = [n for n in nodes if self.side_of(n) == side]
            centres = spread_vertically(
                [(n.id, ideal[n.id], self.shapes[n.id].size.height()) for n in members], FOCUS_GAP
            )
            for node in members:
                y = centres[node.id]
                half = self.shapes[node.id].size.width() / 2
                x = side * max(_ellipse_x(ring_a, self.ring_b, y), self.beyond_parent(node, half))
                self._push_out(node, side, x, y, self.placed)
            self.placed.extend(self.geometry[n.id].rect for n in members)

    def place(self) -> dict[str, NodeGeometry]:
        self._stack_rows()
        role_w = self.shapes[ROLE_ID].size.width()
        ring_a1 = role_w / 2 + RING_GAP_X + self.widest(1) / 2
        ring_a2 = ring_a1 + self.widest(1) / 2 + RING_GAP_X + self.widest(2) / 2
        ring_a3 = ring_a2 + self.widest(2) / 2 + RING_GAP_X

        role = self.model.node(ROLE_ID)
        self.geometry[ROLE_ID] = _place_shape(role, self.shapes[ROLE_ID], 0, QPointF(0, 0))
        self.placed.append(self.geometry[ROLE_ID].rect)
        domains = self.domains
        self._place_level(domains, {d.id: self.group_y(d) * DOMAIN_PULL for d in domains}, ring_a1)
        focus = [f for d in domains for f in self.focus_of[d.id]]
        self._place_level(focus, {f.id: self.group_y(f) for f in focus}, ring_a2)
        inner = list(self.placed)
        for area in focus:
            side = self.side_of(area)
            for leaf in self.leaves_of[area.id]:
                y = self.leaf_y[leaf.id]
                reach = _ellipse_x(ring_a3, self.ring_b, y)
                x = side * max(reach, self.beyond_parent(leaf, self.shapes[leaf.id].radius))
                self._push_out(leaf, side, x, y, inner)
        return self.geometry


# Painting ----------------------------------------------------------------------------------


def _blend(base: QColor, tint: QColor, amount: float) -> QColor:
    return QColor.fromRgbF(
        base.redF() * (1 - amount) + tint.redF() * amount,
        base.greenF() * (1 - amount) + tint.greenF() * amount,
        base.blueF() * (1 - amount) + tint.blueF() * amount,
    )


@dataclass(frozen=True)
class _Style:
    theme: ChartTheme
    fonts: MindmapFonts


class MindmapScene(QGraphicsScene):
    """The laid-out mindmap for one model and theme; items report clicks and menus here."""

    nodeClicked = Signal(str)
    nodeMenuRequested = Signal(str, object)  # node id, the screen position (QPoint)

    def __init__(
        self,
        model: MindmapModel,
        theme: ChartTheme,
        fonts: MindmapFonts,
        parent: QWidget | None = None,
        *,
        aspect: float = DEFAULT_ASPECT,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.style_ = _Style(theme, fonts)
        self.geometry = layout_mindmap(model, fonts, aspect)
        self.items_by_id: dict[str, NodeItem] = {}
        self.setBackgroundBrush(QBrush(theme.background))
        for node in model.nodes:
            if node.parent_id is not None:
                self._add_connector(node, node.parent_id)
        for node in model.nodes:
            item = NodeItem(model, self.geometry[node.id])
            self.addItem(item)
            self.items_by_id[node.id] = item
        bounds = QRectF()
        for geo in self.geometry.values():
            bounds = bounds.united(geo.rect)
        self.setSceneRect(bounds.adjusted(-SCENE_MARGIN, -SCENE_MARGIN, SCENE_MARGIN, SCENE_MARGIN))

    def _add_connector(self, node: MindmapNode, parent_id: str) -> None:
        child = self.geometry[node.id]
        parent = self.geometry[parent_id]
        start = parent.outer_point(child.side)
        end = child.inner_point()
        path = QPainterPath(start)
        bend = (end.x() - start.x()) / 2
        path.cubicTo(QPointF(start.x() + bend, start.y()), QPointF(end.x() - bend, end.y()), end)
        colour = QColor(self.style_.theme.domain_colour(node.id))
        figures = self.model.figures_of(node.id)
        quiet = self.model.overlay and (figures is None or figures.seconds <= 0)
        colour.setAlphaF(0.3 if quiet else 0.6)
        pen = QPen(colour, {1: 3.0, 2: 2.0, 3: 1.3}[node.level])
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        if quiet:
            pen.setStyle(Qt.PenStyle.DashLine)
        item = QGraphicsPathItem(path)
        item.setPen(pen)
        item.setZValue(-1)
        self.addItem(item)

    def node_rects(self) -> dict[str, QRectF]:
        return {node_id: QRectF(geo.rect) for node_id, geo in self.geometry.items()}


class NodeItem(QGraphicsItem):
    """One node: its pill or bubble and label; hover shows the figures, a click the entries."""

    def __init__(self, model: MindmapModel, geometry: NodeGeometry) -> None:
        super().__init__()
        # No reference to the scene is kept: a Python cycle between the scene and its items
        # would let the garbage collector free them in an order that crashes.
        self.geo = geometry
        self.node_id = geometry.node.id
        self.hovered = False
        self.setAcceptHoverEvents(True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setToolTip(tooltip_text(model, self.node_id))
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    @property
    def owner(self) -> MindmapScene:
        scene = self.scene()
        if not isinstance(scene, MindmapScene):
            raise TypeError("a mindmap node outside a mindmap scene")
        return scene

    def boundingRect(self) -> QRectF:
        return self.geo.rect.adjusted(-2, -2, 2, 2)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.geo.rect)
        return path

    # Events -------------------------------------------------------------------------------

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self.hovered = False
        self.update()
        super().hoverLeaveEvent(event)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            event.accept()  # keeps the view from starting a pan on a node
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.geo.rect.contains(event.scenePos()):
            self.activate()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activate()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        self.owner.nodeMenuRequested.emit(self.node_id, event.screenPos())
        event.accept()

    def activate(self) -> None:
        scene = self.owner
        scene.clearSelection()
        self.setSelected(True)
        scene.nodeClicked.emit(self.node_id)

    # Painting -----------------------------------------------------------------------------

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        style = self.owner.style_
        theme, fonts = style.theme, style.fonts
        model = self.owner.model
        node = self.geo.node
        figures = model.figures_of(node.id)
        quiet = model.overlay and node.level > 0 and (figures is None or figures.seconds <= 0)
        domain_colour = theme.domain_colour(node.id) if node.level else theme.text
        emphasis = self.hovered or self.isSelected() or self.hasFocus()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)

        if node.level < Level.ACTIVITY:
            fill = _blend(theme.background, domain_colour, 0.2 if theme.dark else 0.12)
            if node.level == 0:
                fill = _blend(theme.background, theme.text, 0.1)
            pen = QPen(domain_colour, 2.4 if emphasis else (1.8 if node.level < 2 else 1.2))
            if quiet:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(fill)
            radius = self.geo.rect.height() / 2 if node.level else 8.0
            painter.drawRoundedRect(self.geo.rect, radius, radius)
        elif emphasis:
            painter.setPen(QPen(theme.highlight, 1.2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self.geo.rect.adjusted(-1.5, -1.5, 1.5, 1.5), 4, 4)

        if self.geo.radius:
            colour = None
            if not quiet:
                colour = domain_colour
                if model.overlay and figures is not None and figures.band is not None:
                    colour = theme.verdict_colour(
                        figures.verdict.status if figures.verdict else None
                    )
            self._paint_bubble(painter, theme, colour)

        text_colour = QColor(theme.muted_text if quiet else theme.text)
        font = QFont(fonts.for_level(node.level))
        if node.hidden:
            font.setItalic(True)
        painter.setFont(font)
        painter.setPen(text_colour)
        align = Qt.AlignmentFlag.AlignVCenter | (
            Qt.AlignmentFlag.AlignRight
            if node.level == Level.ACTIVITY and self.geo.side < 0
            else Qt.AlignmentFlag.AlignLeft
        )
        if node.level == 0:
            align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignHCenter
        painter.drawText(
            self.geo.text_rect, int(align | Qt.TextFlag.TextWordWrap), display_label(node)
        )
        if self.geo.second_rect is not None:
            painter.setFont(fonts.small)
            painter.setPen(theme.text)
            extra_align = (
                Qt.AlignmentFlag.AlignHCenter if node.level == 0 else Qt.AlignmentFlag.AlignLeft
            )
            painter.drawText(
                self.geo.second_rect,
                int(extra_align | Qt.AlignmentFlag.AlignVCenter),
                second_line(model, node),
            )

    def _paint_bubble(self, painter: QPainter, theme: ChartTheme, colour: QColor | None) -> None:
        """A filled bubble, or a dashed ring (colour None) for a node without time."""
        r = self.geo.radius
        if colour is None:
            painter.setPen(QPen(theme.muted_text, 1.2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
        else:
            painter.setPen(QPen(colour.lighter(120) if theme.dark else colour.darker(125), 1.0))
            painter.setBrush(colour)
        painter.drawEllipse(self.geo.bubble, r, r)


# The view ----------------------------------------------------------------------------------


class MindmapView(QGraphicsView):
    """The mindmap with zoom (wheel, Ctrl +/-/0) and pan (drag); it fits the window until the
    user zooms. From the keyboard, the arrow keys walk the nodes in tree order, Enter lists
    the current node's entries and the menu key opens its actions."""

    nodeClicked = Signal(str)
    logTimeRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("SEC mindmap")
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.model: MindmapModel | None = None
        self.map_scene: MindmapScene | None = None
        self.fonts = MindmapFonts.from_base(self.font())
        self._auto_fit = True
        self.last_menu: QMenu | None = None  # the node menu shown last, for tests
        self.current_node: str | None = None  # the node the keyboard is on

    # Content ----------------------------------------------------------------------------------

    def theme(self) -> ChartTheme:
        return ChartTheme.from_palette(self.palette())

    def set_model(self, model: MindmapModel) -> None:
        self.model = model
        self._rebuild()

    def _rebuild(self) -> None:
        if self.model is None:
            return
        old = self.map_scene
        self.fonts = MindmapFonts.from_base(self.font())
        scene = MindmapScene(self.model, self.theme(), self.fonts, self)
        scene.nodeClicked.connect(self._node_clicked)
        scene.nodeMenuRequested.connect(self._show_menu)
        self.map_scene = scene
        self.setScene(scene)
        if self.current_node is not None and self.current_node in scene.items_by_id:
            scene.items_by_id[self.current_node].setSelected(True)
        else:
            self.current_node = None
        if old is not None:
            old.deleteLater()
        if self._auto_fit:
            self.fit()

    def node_ids(self) -> list[str]:
        return list(self.map_scene.items_by_id) if self.map_scene else []

    def node_rects(self) -> dict[str, QRectF]:
        return self.map_scene.node_rects() if self.map_scene else {}

    def item(self, node_id: str) -> NodeItem:
        if self.map_scene is None:
            raise KeyError(node_id)
        return self.map_scene.items_by_id[node_id]

    def node_center_in_view(self, node_id: str) -> QPointF:
        """The viewport position of a node's bubble (or its pill's centre), for tests and a11y."""
        geo = self.item(node_id).geo
        point = geo.bubble if geo.node.level == Level.ACTIVITY else geo.rect.center()
        return QPointF(self.mapFromScene(point))

    # Zoom and pan --------------------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        """Show the whole map (Ctrl+0); the map then follows window resizes again."""
        if self.map_scene is None:
            return
        self._auto_fit = True
        self.resetTransform()
        self.fitInView(self.map_scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > 1.0:
            self.resetTransform()  # never blow small maps up past their natural size

    def zoom_by(self, factor: float) -> None:
        target = max(MIN_ZOOM, min(MAX_ZOOM, self.zoom * factor))
        if self.zoom > 0:
            self._auto_fit = False
            factor = target / self.zoom
            self.scale(factor, factor)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP**steps)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
                self.zoom_by(ZOOM_STEP)
                return
            if event.key() == Qt.Key.Key_Minus:
                self.zoom_by(1 / ZOOM_STEP)
                return
            if event.key() == Qt.Key.Key_0:
                self.fit()
                return
        elif event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        ):
            step = NAVIGATION_KEYS.get(Qt.Key(event.key()))
            if step is not None:
                self.step_current(step)
                return
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current_node:
                self.item(self.current_node).activate()
                return
        super().keyPressEvent(event)

    def set_current(self, node_id: str) -> None:
        """Make a node the keyboard's current one: marked, in view, described for screen readers."""
        item = self.item(node_id)
        if self.map_scene is not None:
            self.map_scene.clearSelection()
        item.setSelected(True)
        self.current_node = node_id
        self.ensureVisible(item.geo.rect, 24, 24)
        self.setAccessibleDescription(item.toolTip())

    def step_current(self, steps: int) -> None:
        ids = self.node_ids()
        if not ids:
            return
        index = ids.index(self.current_node) + steps if self.current_node in ids else 0
        self.set_current(ids[index % len(ids)])

    def _node_clicked(self, node_id: str) -> None:
        self.current_node = node_id
        self.setAccessibleDescription(self.item(node_id).toolTip())
        self.nodeClicked.emit(node_id)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit()

    def changeEvent(self, event: object) -> None:
        from PySide6.QtCore import QEvent

        super().changeEvent(event)  # type: ignore[arg-type]
        if isinstance(event, QEvent) and event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.FontChange,
        ):
            self._rebuild()

    # Menu ----------------------------------------------------------------------------------------

    def menu_for(self, node_id: str) -> QMenu:
        """The context menu of a node: its entries, and logging time to it."""
        menu = QMenu(self)
        menu.setAccessibleName("Node actions")
        show = QAction("Show entries", menu)
        show.triggered.connect(lambda: self.item(node_id).activate())
        menu.addAction(show)
        if node_id != ROLE_ID and self.model is not None:
            noun = Level(self.model.node(node_id).level).noun
            log_action = QAction(f"Log time to this {noun}\u2026", menu)
            log_action.triggered.connect(lambda: self.logTimeRequested.emit(node_id))
            menu.addAction(log_action)
        return menu

    def _show_menu(self, node_id: str, screen_pos: object) -> None:
        menu = self.menu_for(node_id)
        self.last_menu = menu
        menu.popup(screen_pos)  # type: ignore[arg-type]

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        # The menu key on the current node: there is no mouse position to go by.
        if event.reason() == QContextMenuEvent.Reason.Keyboard and self.current_node is not None:
            centre = self.node_center_in_view(self.current_node).toPoint()
            self._show_menu(self.current_node, self.viewport().mapToGlobal(centre))
            return
        super().contextMenuEvent(event)


# Exports -----------------------------------------------------------------------------------


def export_scene(model: MindmapModel, font: QFont, aspect: float = DEFAULT_ASPECT) -> MindmapScene:
    """The map painted with the light theme, for files that get printed or shared."""
    fonts = MindmapFonts.from_base(font)
    return MindmapScene(model, ChartTheme.light(), fonts, aspect=aspect)


def _discard(scene: MindmapScene) -> None:
    """Delete an export scene's items now, while the scene is certainly alive."""
    scene.items_by_id.clear()
    scene.clear()


def png_bytes(model: MindmapModel, font: QFont, scale: float = PNG_SCALE) -> bytes:
    scene = export_scene(model, font)
    source = scene.sceneRect()
    image = QImage(
        QSize(math.ceil(source.width() * scale), math.ceil(source.height() * scale)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.fill(scene.style_.theme.background)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, image.width(), image.height()), source)
    painter.end()
    _discard(scene)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 takes the format as str at run time; its stubs say bytes.
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise OSError("the map could not be encoded as PNG")
    buffer.close()
    return bytes(data.data())


def svg_bytes(model: MindmapModel, font: QFont, title: str = JOB_TITLE) -> bytes:
    scene = export_scene(model, font)
    source = scene.sceneRect()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(math.ceil(source.width()), math.ceil(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(title)
    generator.setDescription(_subtitle(model))
    painter = QPainter(generator)
    scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    painter.end()
    _discard(scene)
    buffer.close()
    return bytes(data.data())


def _subtitle(model: MindmapModel) -> str:
    base = f"{model.framework_name}: Strategy, Execution, Culture"
    if not model.overlay or model.period is None:
        return base
    profile = f", bands of the {model.profile.label} profile" if model.profile else ""
    return (
        f"{base}. Time in {period_text(model.period)}: {duration(model.total_seconds)} "
        f"tracked{profile}."
    )


LEGEND_OVERLAY = (
    "Bubble area: share of tracked time. Colour where a band exists: "
    "\u25bc below, \u2713 within, \u25b2 above the band. Dashed: no time in the period."
)


def _domains_in_words(model: MindmapModel) -> str:
    """ "Strategy: forward-looking ... Execution: ...": the job in one line per domain."""
    parts = []
    for domain in model.children(ROLE_ID):
        text = domain.description.strip().rstrip(".")
        parts.append(f"{domain.label}: {text[:1].lower()}{text[1:]}." if text else domain.label)
    return "  ".join(parts)


def pdf_bytes(model: MindmapModel, font: QFont, title: str = JOB_TITLE) -> bytes:
    """One A4 landscape page: the title, the map scaled to fit, and a legend."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator(APP_NAME)
    writer.setResolution(PDF_RESOLUTION_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(PDF_MARGIN_MM, PDF_MARGIN_MM, PDF_MARGIN_MM, PDF_MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter(writer)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    page = QRectF(painter.viewport())
    theme = ChartTheme.light()
    title_font = QFont(font)
    title_font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.8)
    title_font.setBold(True)
    body_font = QFont(font)
    body_font.setPointSizeF(max(font.pointSizeF(), 9.0))
    painter.setPen(theme.text)
    painter.setFont(title_font)
    title_h = QFontMetricsF(title_font).height()
    painter.drawText(
        QRectF(page.left(), page.top(), page.width(), title_h),
        int(Qt.AlignmentFlag.AlignLeft),
        title,
    )
    painter.setFont(body_font)
    body_h = QFontMetricsF(body_font).height()
    sub_top = page.top() + title_h + 4
    painter.drawText(
        QRectF(page.left(), sub_top, page.width(), body_h * 2),
        int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
        _subtitle(model),
    )
    legend = LEGEND_OVERLAY if model.overlay else _domains_in_words(model)
    legend_h = body_h * 3
    map_top = sub_top + body_h * 2 + 8
    target = QRectF(page.left(), map_top, page.width(), page.bottom() - legend_h - 8 - map_top)
    # Laid out for the page's shape, so the map fills it.
    scene = export_scene(model, font, target.width() / max(1.0, target.height()))
    scene.render(painter, target, scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
    painter.setPen(theme.muted_text)
    painter.drawText(
        QRectF(page.left(), page.bottom() - legend_h, page.width(), legend_h),
        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap),
        legend,
    )
    painter.end()
    _discard(scene)
    buffer.close()
    return bytes(data.data())


def export_file(model: MindmapModel, path: Path, font: QFont) -> None:
    """Write the map as PNG, SVG or PDF by the file's suffix, atomically."""
    suffix = path.suffix.lower()
    makers: dict[str, Callable[[MindmapModel, QFont], bytes]] = {
        ".png": png_bytes,
        ".svg": svg_bytes,
        ".pdf": pdf_bytes,
    }
    if suffix not in makers:
        raise ValueError(
            f"{path.name}: export as .png, .svg or .pdf, not {suffix or 'no suffix'!r}"
        )
    atomic_write_bytes(path, makers[suffix](model, font))


# The widget: period picker, overlay, entries ----------------------------------------------------


class MindmapWidget(QWidget):
    """The mindmap with its period picker, overlay switch, exports and an entries panel.

    A window of its own (`MindmapWindow`) or a tab of the dashboard. `logTimeRequested` carries
    the id of the node the user wants to log time to; the app opens the picker for it.
    """

    logTimeRequested = Signal(str)
    nodeShown = Signal(str)  # the entries panel now lists this node's entries

    def __init__(
        self,
        framework: Framework,
        store: EntryStore,
        tz: ZoneInfo,
        *,
        profiles: Mapping[str, BenchmarkProfile] | None = None,
        profile_id: str = "default",
        now: Callable[[], datetime] = utc_now,
        period_kind: str = "month",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.framework = framework
        self.store = store
        self.tz = tz
        self.now = now
        self.profiles = dict(profiles or framework.profiles)
        self.profile_id = profile_id if profile_id in self.profiles else next(iter(self.profiles))
        self.kind = period_kind
        self.period = named_period(period_kind, self.today(), tz)
        self.entries: list[Entry] = []
        self.report: AllocationReport | None = None
        self.shown_node: str | None = None

        self.view = MindmapView()
        self.view.nodeClicked.connect(self.show_entries)
        self.view.logTimeRequested.connect(self.logTimeRequested)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 4)
        layout.addWidget(self._build_bar())
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self._build_panel())
        self.splitter.setStretchFactor(0, 1)
        self.panel.hide()
        layout.addWidget(self.splitter, 1)
        self.summary = QLabel()
        self.summary.setAccessibleName("Mindmap summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.refresh()

    def today(self) -> date:
        return self.now().astimezone(self.tz).date()

    # Controls ------------------------------------------------------------------------------

    def _build_bar(self) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in self._period_controls():
            row.addWidget(widget)
        row.addStretch(1)
        for widget in self._profile_controls():
            row.addWidget(widget)
        row.addSpacing(6)
        for widget in (*self._zoom_buttons(), self._export_button()):
            row.addWidget(widget)
        return bar

    @staticmethod
    def _tool_button(text: str, name: str, tip: str, handler: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.clicked.connect(handler)
        return button

    def _period_controls(self) -> list[QWidget]:
        period_label = QLabel("&Period:")
        self.kind_box = QComboBox()
        self.kind_box.setAccessibleName("Period")
        for kind, text in PERIOD_KINDS:
            self.kind_box.addItem(text, kind)
        self.kind_box.setCurrentIndex(max(0, self.kind_box.findData(self.kind)))
        period_label.setBuddy(self.kind_box)
        self.kind_box.activated.connect(
            lambda index: self.set_period_kind(str(self.kind_box.itemData(index)))
        )
        self.prev_button = self._tool_button(
            "\u25c0", "Previous period", "Previous period (Alt+Left)", lambda: self.shift(-1)
        )
        self.prev_button.setShortcut(QKeySequence("Alt+Left"))
        self.next_button = self._tool_button(
            "\u25b6", "Next period", "Next period (Alt+Right)", lambda: self.shift(1)
        )
        self.next_button.setShortcut(QKeySequence("Alt+Right"))
        self.period_label = QLabel()
        self.period_label.setAccessibleName("Shown period")
        self.period_label.setContentsMargins(8, 0, 0, 0)
        bold = self.period_label.font()
        bold.setBold(True)
        self.period_label.setFont(bold)
        return [period_label, self.kind_box, self.prev_button, self.next_button, self.period_label]

    def _profile_controls(self) -> list[QWidget]:
        profile_label = QLabel("Pro&file:")
        self.profile_box = QComboBox()
        self.profile_box.setAccessibleName("Benchmark profile")
        for profile_id, profile in self.profiles.items():
            self.profile_box.addItem(profile.label, profile_id)
        self.profile_box.setCurrentIndex(max(0, self.profile_box.findData(self.profile_id)))
        profile_label.setBuddy(self.profile_box)
        self.profile_box.activated.connect(
            lambda index: self.set_profile(str(self.profile_box.itemData(index)))
        )
        self.overlay_box = QCheckBox("&Time overlay")
        self.overlay_box.setAccessibleName("Show time overlay")
        self.overlay_box.setChecked(True)
        self.overlay_box.toggled.connect(lambda _on: self._show_model())
        return [profile_label, self.profile_box, self.overlay_box]

    def _zoom_buttons(self) -> list[QWidget]:
        return [
            self._tool_button(
                "\u2212", "Zoom out", "Zoom out (Ctrl+-)", lambda: self.view.zoom_by(1 / ZOOM_STEP)
            ),
            self._tool_button(
                "+", "Zoom in", "Zoom in (Ctrl++)", lambda: self.view.zoom_by(ZOOM_STEP)
            ),
            self._tool_button("Fit", "Fit to window", "Show the whole map (Ctrl+0)", self.view.fit),
        ]

    def _export_button(self) -> QToolButton:
        self.export_button = QToolButton()
        self.export_button.setText("E&xport")
        self.export_button.setAccessibleName("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for text, suffix, overlay in (
            ("PNG image\u2026", "png", None),
            ("SVG drawing\u2026", "svg", None),
            ("PDF job description with time\u2026", "pdf", True),
            ("PDF job description, structure only\u2026", "pdf", False),
        ):
            action = QAction(text, menu)
            action.triggered.connect(
                lambda _checked=False, s=suffix, o=overlay: self._ask_export(s, o)
            )
            menu.addAction(action)
        self.export_button.setMenu(menu)
        return self.export_button

    def _build_panel(self) -> QWidget:
        self.panel = QWidget()
        self.panel.setAccessibleName("Entries of the chosen node")
        column = QVBoxLayout(self.panel)
        column.setContentsMargins(6, 0, 0, 0)
        head = QHBoxLayout()
        self.panel_title = QLabel()
        self.panel_title.setWordWrap(True)
        self.panel_title.setAccessibleName("Entries title")
        close = QPushButton("Close")
        close.setAccessibleName("Close entries")
        close.clicked.connect(self.hide_entries)
        head.addWidget(self.panel_title, 1)
        head.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(head)
        self.entry_list = QTreeWidget()
        self.entry_list.setAccessibleName("Entries")
        self.entry_list.setRootIsDecorated(False)
        self.entry_list.setHeaderLabels(["When", "Time", "Activity and note"])
        header = self.entry_list.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.entry_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        column.addWidget(self.entry_list, 1)
        log_button = QPushButton("&Log time to it\u2026")
        log_button.setAccessibleName("Log time to the chosen node")
        log_button.clicked.connect(self._log_shown_node)
        self.panel_log_button = log_button
        column.addWidget(log_button)
        self.panel.setMinimumWidth(PANEL_MIN_WIDTH_PX)
        return self.panel

    # State -----------------------------------------------------------------------------------

    @property
    def profile(self) -> BenchmarkProfile:
        return self.profiles[self.profile_id]

    def set_period_kind(self, kind: str) -> None:
        if kind not in dict(PERIOD_KINDS):
            raise ValueError(f"unknown period kind {kind!r}")
        self.kind = kind
        self.kind_box.setCurrentIndex(self.kind_box.findData(kind))
        self.set_period(named_period(kind, self.today(), self.tz))

    def shift(self, steps: int) -> None:
        self.set_period(shifted_period(self.kind, self.period, steps))

    def set_period(self, period: Period) -> None:
        self.period = period
        self.refresh()

    def set_profile(self, profile_id: str) -> None:
        if profile_id not in self.profiles:
            raise ValueError(f"unknown benchmark profile {profile_id!r}")
        self.profile_id = profile_id
        self.profile_box.setCurrentIndex(self.profile_box.findData(profile_id))
        self.refresh()

    def set_overlay(self, on: bool) -> None:
        self.overlay_box.setChecked(on)

    def set_framework(self, framework: Framework) -> None:
        """Show another framework (a preset switch or new customizations)."""
        self.framework = framework
        self.refresh()

    def refresh(self) -> None:
        """Read the period's entries and redraw (after new entries or another period)."""
        self.entries = self.store.entries(self.period.start, self.period.end)
        self.report = allocate(self.entries, self.framework, self.period, self.profile)
        self.period_label.setText(period_text(self.period))
        self.period_label.setToolTip(
            f"{self.period.first.isoformat()} to {self.period.last.isoformat()} ({self.tz.key})"
        )
        self._show_model()
        if self.shown_node is not None:
            if self.shown_node in self.view.node_ids():
                self.show_entries(self.shown_node)
            else:
                self.hide_entries()

    def model(self) -> MindmapModel:
        report = self.report if self.overlay_box.isChecked() else None
        return build_model(self.framework, report)

    def _show_model(self) -> None:
        model = self.model()
        self.view.set_model(model)
        self.summary.setText(self._summary_text(model))

    def _summary_text(self, model: MindmapModel) -> str:
        activities = [n for n in model.nodes if n.level == Level.ACTIVITY]
        if not model.overlay:
            return (
                f"{len(activities)} activities in {len(model.children(ROLE_ID))} domains. "
                "Switch the time overlay on to see where your time went."
            )
        if model.total_seconds <= 0:
            return f"No time tracked in {period_text(self.period)}."
        quiet = model.untouched_activities()
        text = (
            f"{duration(model.total_seconds)} tracked in {period_text(self.period)}. "
            f"{len(quiet)} of {len(activities)} activities got no time"
        )
        if quiet:
            names = ", ".join(n.label for n in quiet[:6])
            more = f" and {len(quiet) - 6} more" if len(quiet) > 6 else ""
            text += f": {names}{more}."
        else:
            text += "."
        return text

    # Entries panel ---------------------------------------------------------------------------

    def show_entries(self, node_id: str) -> None:
        """List the period's entries that count toward a node, with their time in the period."""
        model = self.view.model
        if model is None:
            return
        node = model.node(node_id)
        shown = entries_of(node_id, self.entries)
        self.entry_list.clear()
        total = 0.0
        for entry in shown:
            seconds = clipped_seconds(entry, self.period.start, self.period.end)
            total += seconds
            start = entry.start.astimezone(self.tz)
            end = entry.end.astimezone(self.tz)
            when = f"{start:%d %b} {start:%H:%M}\u2013{end:%H:%M}"
            label = (
                self.framework[entry.activity].label
                if entry.activity in self.framework
                else entry.activity
            )
            text = f"{label} \u2014 {entry.note}" if entry.note else label
            row = QTreeWidgetItem([when, duration(seconds), text])
            row.setData(0, Qt.ItemDataRole.UserRole, entry.id)
            row.setToolTip(2, text)
            self.entry_list.addTopLevelItem(row)
        noun = "entry" if len(shown) == 1 else "entries"
        self.panel_title.setText(
            f"<b>{node.label}</b><br>{len(shown)} {noun}, {duration(total)} in "
            f"{period_text(self.period)}"
        )
        self.panel_log_button.setEnabled(node_id != ROLE_ID)
        self.shown_node = node_id
        self.panel.show()
        self.nodeShown.emit(node_id)

    def _log_shown_node(self) -> None:
        if self.shown_node is not None and self.shown_node != ROLE_ID:
            self.logTimeRequested.emit(self.shown_node)

    def shown_entry_ids(self) -> list[str]:
        rows = (self.entry_list.topLevelItem(i) for i in range(self.entry_list.topLevelItemCount()))
        return [str(row.data(0, Qt.ItemDataRole.UserRole)) for row in rows if row is not None]

    def hide_entries(self) -> None:
        self.shown_node = None
        self.panel.hide()

    # Exports ---------------------------------------------------------------------------------

    def export(self, path: Path, *, overlay: bool | None = None) -> None:
        """Write the map to `path` (.png, .svg or .pdf); `overlay` None follows the switch."""
        use_overlay = self.overlay_box.isChecked() if overlay is None else overlay
        model = build_model(self.framework, self.report if use_overlay else None)
        export_file(model, path, self.view.font())

    def _ask_export(self, suffix: str, overlay: bool | None) -> None:
        name = "sec-mindmap" if overlay is not False else "sec-job-description"
        default = str(Path.home() / f"{name}-{self.period.first.isoformat()}.{suffix}")
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Export the mindmap", default, f"{suffix.upper()} (*.{suffix})"
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != f".{suffix}":
            path = path.with_name(f"{path.name}.{suffix}")
        try:
            self.export(path, overlay=overlay)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Export failed", f"{path} could not be written: {exc}")


class MindmapWindow(QMainWindow):
    """The mindmap in a window of its own, 1280 x 800 by default."""

    logTimeRequested = Signal(str)

    def __init__(
        self,
        framework: Framework,
        store: EntryStore,
        tz: ZoneInfo,
        *,
        profiles: Mapping[str, BenchmarkProfile] | None = None,
        profile_id: str = "default",
        now: Callable[[], datetime] = utc_now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} \u2014 SEC mindmap")
        self.setAccessibleName("SEC mindmap")
        self.widget = MindmapWidget(
            framework, store, tz, profiles=profiles, profile_id=profile_id, now=now
        )
        self.widget.logTimeRequested.connect(self.logTimeRequested)
        self.setCentralWidget(self.widget)
        self.resize(1280, 800)


__all__ = [
    "MindmapModel",
    "MindmapNode",
    "MindmapScene",
    "MindmapView",
    "MindmapWidget",
    "MindmapWindow",
    "NodeFigures",
    "build_model",
    "entries_of",
    "export_file",
    "layout_mindmap",
    "pdf_bytes",
    "png_bytes",
    "svg_bytes",
    "tooltip_text",
]
