"""The laid-out mindmap as a graphics scene: connectors, and one item per node that paints its
pill or bubble and label and reports hovers, clicks and menus.

Banded nodes fill their bubble with their verdict's colour; activities without time are drawn
quiet (a dashed ring, muted text).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from sec_desktop.framework import Level
from sec_desktop.ui.colors import blend
from sec_desktop.ui.dashboard.theme import ChartTheme
from sec_desktop.ui.mindmap.layout import (
    DEFAULT_ASPECT,
    MindmapFonts,
    NodeGeometry,
    layout_mindmap,
    map_bounds,
)
from sec_desktop.ui.mindmap.model import (
    MindmapModel,
    MindmapNode,
    display_label,
    second_line,
    tooltip_text,
)

SCENE_MARGIN = 16.0


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
        bounds = map_bounds(self.geometry)
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
            fill = blend(theme.background, domain_colour, 0.2 if theme.dark else 0.12)
            if node.level == 0:
                fill = blend(theme.background, theme.text, 0.1)
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
