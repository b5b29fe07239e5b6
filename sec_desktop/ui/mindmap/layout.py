"""Where each node of the mindmap is drawn: fonts and measures, then a radial layout.

Every leaf row gets a slot on an outer ring (an ellipse, so labels stay horizontal and
readable), focus areas and domains sit on inner rings at the mean angle of their leaves, and
any node that would touch one placed before it is pushed outward until it doesn't. A bubble's
area is proportional to its node's share of the tracked time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QFont, QFontMetricsF

from sec_desktop.framework import Level
from sec_desktop.ui.mindmap.model import (
    ROLE_ID,
    MindmapModel,
    MindmapNode,
    NodeFigures,
    display_label,
    second_line,
)

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
    bounds = map_bounds(geometry)
    rows = max(1, sum(1 for n in model.nodes if n.level == Level.ACTIVITY) // 2)
    wanted = bounds.width() / aspect
    if bounds.height() < wanted:
        gap = min(MAX_ROW_GAP, ROW_GAP + (wanted - bounds.height()) / rows)
        geometry = _layout(model, shapes, gap)
    return geometry


def map_bounds(geometry: Mapping[str, NodeGeometry]) -> QRectF:
    """The rectangle that holds every node."""
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
