"""The view of the mindmap scene: zoom (wheel, Ctrl +/-/0), pan (drag), the keyboard's walk
over the nodes, and each node's context menu."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QContextMenuEvent, QKeyEvent, QPainter, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QMenu, QWidget

from sec_desktop.framework import Level
from sec_desktop.ui.dashboard.theme import ChartTheme
from sec_desktop.ui.mindmap.items import MindmapScene, NodeItem
from sec_desktop.ui.mindmap.layout import MindmapFonts
from sec_desktop.ui.mindmap.model import ROLE_ID, MindmapModel

ZOOM_STEP = 1.15
MIN_ZOOM, MAX_ZOOM = 0.2, 6.0
# Arrow keys walk the nodes in tree order: down and right to the next, up and left back.
NAVIGATION_KEYS = {Qt.Key.Key_Down: 1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_Left: -1}


class MindmapView(QGraphicsView):
    """The mindmap with zoom (wheel, Ctrl +/-/0) and pan (drag); it fits the window until the
    user zooms. From the keyboard, the arrow keys walk the nodes in tree order, Enter lists
    the current node's entries and the menu key opens its actions."""

    nodeClicked = Signal(str)
    logTimeRequested = Signal(str)
    entriesRequested = Signal(str)  # the node's entries in the dashboard's Entries table

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
            table = QAction("Open in the Entries table", menu)
            table.triggered.connect(lambda: self.entriesRequested.emit(node_id))
            menu.addAction(table)
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
