"""The Timeline tab: a day or a week of entries on a time axis, to fix the record where it is
seen.

Days are columns and time runs down, as in a calendar. The working hours are shaded, the gaps
in them (passed working time no entry covers) and the away spans still to answer are hatched;
a click on either books it with the picker. Dragging on empty time creates an entry, dragging
an entry moves it, dragging its top or bottom edge resizes it; everything snaps to 5 minutes
and goes through the one overlap rule (`sec_desktop.store.overlap`): a move onto other entries
is refused, a resize or a new entry is trimmed where it meets one, and the message line says
which. Every edit is on the Entries table's undo stack.

The canvas is a custom-painted widget rather than a QGraphicsView: a week is a few hundred
rectangles redrawn whole on each change, the hit testing is three lists, and the drag rules
(snap, overlap, one edit on release) are ours either way; a scene would be a second copy of
the entries to keep in step with the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sec_desktop.analytics import Period
from sec_desktop.analytics.periods import local_midnight
from sec_desktop.analytics.text import duration
from sec_desktop.analytics.timeline import SNAP, OpenSpans, open_spans, snapped, tracked_seconds
from sec_desktop.framework import Framework
from sec_desktop.store import Entry, StoreError
from sec_desktop.store.overlap import Placement, Trim
from sec_desktop.ui.colors import blend
from sec_desktop.ui.dashboard.dialogs import RetagDialog, _EditDialog
from sec_desktop.ui.dashboard.entries import EditRefused, EntryEditor
from sec_desktop.ui.dashboard.theme import ChartTheme
from sec_desktop.ui.dashboard.timeline_edits import create_entry, edit_note
from sec_desktop.ui.dashboard.widgets import wrapping_label

Span = tuple[datetime, datetime]
WorkingIntervalsFor = Callable[[Period], list[Span]]
# Books a span with the app's picker; returns why it can't (a prompt is open), or None.
SpanBooker = Callable[[datetime, datetime], "str | None"]

# Hours always shown, widened to an hour beyond the working hours and the entries of the days
# shown, so there is room to drag an entry later or earlier than anything booked.
DEFAULT_FIRST_HOUR = 7
DEFAULT_LAST_HOUR = 20
MESSAGE_MS = 10_000
# How close (logical pixels) to an entry's top or bottom edge a press grabs the edge.
EDGE_GRAB_PX = 5
ONE_DAY = timedelta(days=1)
KEYS_HINT = (
    "Drag on empty time to add an entry, drag an entry to move it, its top or bottom edge to "
    "resize it; click a gap or an away span to book it. Keys: Tab selects the next item, "
    "\u2191 \u2193 move the entry 5 minutes, \u2190 \u2192 a day, "
    "Shift+\u2191 \u2193 move its end, Shift+\u2190 \u2192 its start, "
    "Enter edits the note (or books a gap), Delete deletes."
)


class ItemKind(Enum):
    ENTRY = "entry"
    GAP = "gap"
    AWAY = "away"


@dataclass(frozen=True)
class Item:
    """Something on the timeline that can be selected: an entry, a gap or an away span."""

    kind: ItemKind
    start: datetime
    end: datetime
    entry: Entry | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind.value, self.entry.id if self.entry else self.start.isoformat())


class Drag(Enum):
    MOVE = "move"
    START = "start"
    END = "end"
    CREATE = "create"


@dataclass(frozen=True)
class _Geometry:
    gutter: float  # the hour labels' width
    header: float  # the day names' height
    column: float  # one day's width
    minute: float  # one minute's height


@dataclass
class _Press:
    pos: QPointF
    moment: datetime
    drag: Drag
    item: Item | None
    column: int  # the day pressed on: a new entry or a resized edge stays in it
    dragging: bool = False
    preview: Span | None = None


def _local_minutes(moment: datetime, day: date, tz: ZoneInfo) -> float:
    """Wall-clock minutes of `moment` counted from the start of local `day`."""
    local = moment.astimezone(tz)
    return (local.date() - day).days * 1440 + local.hour * 60 + local.minute + local.second / 60


def _at_minutes(day: date, minutes: float, tz: ZoneInfo) -> datetime:
    """The instant the wall clock of `day` shows `minutes` after midnight (UTC)."""
    wall = datetime.combine(day, time(0)) + timedelta(minutes=minutes)
    return wall.replace(tzinfo=tz).astimezone(UTC)


def _hm(moment: datetime, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%H:%M}"


class TimelineCanvas(QWidget):
    """The painted days; it reports what the user asks for and leaves the edits to the tab."""

    moveRequested = Signal(object, object)  # entry, new start (UTC)
    resizeRequested = Signal(object, object, object)  # entry, Trim edge, new time (UTC)
    createRequested = Signal(object, object, object)  # start, end, the end that may give way
    bookRequested = Signal(object, object)  # start, end of a gap or away span
    editRequested = Signal(object)  # entry
    deleteRequested = Signal(object)  # entry
    selectionChanged = Signal()

    def __init__(self, framework: Framework, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.framework = framework
        self.tz = tz
        self.days: list[date] = []
        self.entries: list[Entry] = []
        self.open = OpenSpans([], [])
        self.working: list[Span] = []
        self.now = datetime.now(UTC)
        self.first_minute = DEFAULT_FIRST_HOUR * 60
        self.last_minute = DEFAULT_LAST_HOUR * 60
        self.selected: Item | None = None
        self._press: _Press | None = None
        self._day_bounds: list[Span] = []
        self._geom: _Geometry | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(320, 240)
        self.setAccessibleName("Timeline")

    # Data --------------------------------------------------------------------------------

    def set_data(
        self,
        days: Sequence[date],
        entries: Sequence[Entry],
        open_: OpenSpans,
        working: Sequence[Span],
        now: datetime,
    ) -> None:
        self.days = list(days)
        self._day_bounds = [
            (local_midnight(d, self.tz), local_midnight(d + ONE_DAY, self.tz)) for d in self.days
        ]
        self._geom = None
        self.entries = sorted((e for e in entries if not e.is_deleted), key=lambda e: e.start)
        self.open = open_
        self.working = list(working)
        self.now = now
        self._fit_hours()
        if self.selected is not None:
            self.selected = self._find(self.selected)
        self.selectionChanged.emit()
        self.update()

    def _fit_hours(self) -> None:
        """Show the default hours, widened to whole hours around every working interval and
        entry of the days shown, so nothing is drawn off the axis."""
        first, last = DEFAULT_FIRST_HOUR * 60.0 + 60, DEFAULT_LAST_HOUR * 60.0 - 60
        spans = [*self.working, *((e.start, e.end) for e in self.entries)]
        for start, end in spans:
            for day in self.days:
                lo = max(_local_minutes(start, day, self.tz), 0.0)
                hi = min(_local_minutes(end, day, self.tz), 1440.0)
                if hi > lo:
                    first, last = min(first, lo), max(last, hi)
        self.first_minute = max(0, int(first // 60) * 60 - 60)
        self.last_minute = min(1440, -int(-last // 60) * 60 + 60)

    def items(self) -> list[Item]:
        """Everything selectable, in time order (entries before spans at the same start)."""
        made = [Item(ItemKind.ENTRY, e.start, e.end, e) for e in self.entries]
        made += [Item(ItemKind.GAP, s, e) for s, e in self.open.gaps]
        made += [Item(ItemKind.AWAY, s, e) for s, e in self.open.away]
        order = {ItemKind.ENTRY: 0, ItemKind.AWAY: 1, ItemKind.GAP: 2}
        return sorted(made, key=lambda i: (i.start, order[i.kind]))

    def _find(self, item: Item) -> Item | None:
        for candidate in self.items():
            if candidate.key == item.key:
                return candidate
        return None

    def select(self, item: Item | None) -> None:
        self.selected = item
        self.selectionChanged.emit()
        self.update()

    def select_entry(self, entry_id: str) -> None:
        for item in self.items():
            if item.entry is not None and item.entry.id == entry_id:
                self.select(item)
                return

    # Geometry ----------------------------------------------------------------------------

    def _geometry(self) -> _Geometry:
        """The axis's measures, kept until the size, the font or the data changes: a paint
        asks for them a few thousand times."""
        if self._geom is None:
            metrics = self.fontMetrics()
            gutter = float(metrics.horizontalAdvance("00:00") + 14)
            header = float(metrics.height() * 2 + 8)
            span = max(60, self.last_minute - self.first_minute)
            self._geom = _Geometry(
                gutter=gutter,
                header=header,
                column=max(1.0, (self.width() - gutter - 4) / max(1, len(self.days))),
                minute=max(0.01, (self.height() - header - 6) / span),
            )
        return self._geom

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._geom = None
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._geom = None
        super().changeEvent(event)

    def _gutter(self) -> float:
        return self._geometry().gutter

    def _header(self) -> float:
        return self._geometry().header

    def _column_width(self) -> float:
        return self._geometry().column

    def _minute_height(self) -> float:
        return self._geometry().minute

    def _y(self, minutes: float) -> float:
        return self._header() + (minutes - self.first_minute) * self._minute_height()

    def _x(self, column: int) -> float:
        return self._gutter() + column * self._column_width()

    def _rect(self, column: int, start: datetime, end: datetime) -> QRectF | None:
        """The rectangle of [start, end) in a day's column, clipped to the day and the axis."""
        day_start, day_end = self._day_bounds[column]
        if end <= day_start or start >= day_end:
            return None
        day = self.days[column]
        lo = max(_local_minutes(start, day, self.tz), float(self.first_minute))
        hi = min(_local_minutes(end, day, self.tz), float(self.last_minute))
        if hi <= lo:
            return None
        x = self._x(column)
        return QRectF(x + 2, self._y(lo), self._column_width() - 4, self._y(hi) - self._y(lo))

    def _rects(self, start: datetime, end: datetime) -> list[QRectF]:
        return [r for c in range(len(self.days)) if (r := self._rect(c, start, end)) is not None]

    def moment_at(self, pos: QPointF, column: int | None = None) -> tuple[int, datetime]:
        """The column and instant under `pos` (clamped into the days and hours shown), or at
        the height of `pos` in the given column."""
        if column is None:
            column = int((pos.x() - self._gutter()) // self._column_width())
            column = min(max(column, 0), len(self.days) - 1)
        minutes = self.first_minute + (pos.y() - self._header()) / self._minute_height()
        minutes = min(max(minutes, float(self.first_minute)), float(self.last_minute))
        return column, _at_minutes(self.days[column], minutes, self.tz)

    def point_of(self, moment: datetime, column: int | None = None) -> QPointF:
        """The point of `moment` in its day's column (for tests and the keyboard)."""
        local_day = moment.astimezone(self.tz).date()
        if column is None:
            column = self.days.index(local_day) if local_day in self.days else 0
        day = self.days[column]
        x = self._x(column) + self._column_width() / 2
        return QPointF(x, self._y(_local_minutes(moment, day, self.tz)))

    def hit(self, pos: QPointF) -> tuple[Item | None, Drag]:
        """What a press at `pos` takes hold of: an entry's edge or body, or a gap or away span
        (or nothing); the drag it starts on empty time creates an entry."""
        for entry in reversed(self.entries):
            for column, day in enumerate(self.days):
                rect = self._rect(column, entry.start, entry.end)
                if rect is None or not rect.adjusted(0, -EDGE_GRAB_PX, 0, EDGE_GRAB_PX).contains(
                    pos
                ):
                    continue
                item = Item(ItemKind.ENTRY, entry.start, entry.end, entry)
                room = rect.height() > 3 * EDGE_GRAB_PX
                # An edge can be grabbed only where the block shows it (not cut by a day's end).
                top = _local_minutes(entry.start, day, self.tz) >= self.first_minute
                bottom = _local_minutes(entry.end, day, self.tz) <= self.last_minute
                if room and top and abs(pos.y() - rect.top()) <= EDGE_GRAB_PX:
                    return item, Drag.START
                if room and bottom and abs(pos.y() - rect.bottom()) <= EDGE_GRAB_PX:
                    return item, Drag.END
                if rect.contains(pos):
                    return item, Drag.MOVE
        for kind, spans in ((ItemKind.AWAY, self.open.away), (ItemKind.GAP, self.open.gaps)):
            for start, end in spans:
                if any(r.contains(pos) for r in self._rects(start, end)):
                    return Item(kind, start, end), Drag.CREATE
        return None, Drag.CREATE

    # Mouse -------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not self.days:
            super().mousePressEvent(event)
            return
        pos = event.position()
        item, drag = self.hit(pos)
        if item is not None and item.kind is ItemKind.ENTRY:
            self.select(item)
        column, moment = self.moment_at(pos)
        self._press = _Press(pos, moment, drag, item, column)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        press = self._press
        pos = event.position()
        if press is None:
            self._hover(pos)
            return
        if not press.dragging:
            moved = (pos - press.pos).manhattanLength()
            if moved < QApplication.startDragDistance():
                return
            press.dragging = True
        press.preview = self._drag_span(press, self._drag_moment(press, pos))
        self.update()

    def _drag_moment(self, press: _Press, pos: QPointF) -> datetime:
        """Where the pointer is in time: a move follows it into another day, the other drags
        keep to the day they began in (a new entry does not run on across the night)."""
        column = None if press.drag is Drag.MOVE else press.column
        return self.moment_at(pos, column)[1]

    def _drag_span(self, press: _Press, moment: datetime) -> Span:
        """Where the dragged entry (or the new one) would go, snapped to 5 minutes."""
        if press.drag is Drag.CREATE:
            anchor, other = snapped(press.moment), snapped(moment)
            if other == anchor:
                other = anchor + SNAP
            return (min(anchor, other), max(anchor, other))
        entry = press.item.entry if press.item else None
        if entry is None:  # an entry's drag always holds its entry; here for the type checker
            return (press.moment, press.moment + SNAP)
        if press.drag is Drag.MOVE:
            start = snapped(entry.start + (moment - press.moment))
            return (start, start + entry.duration)
        if press.drag is Drag.START:
            return (min(snapped(moment), entry.end - SNAP), entry.end)
        return (entry.start, max(snapped(moment), entry.start + SNAP))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        press, self._press = self._press, None
        if press is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self.update()
        if not press.dragging:
            if press.item is not None and press.item.kind is not ItemKind.ENTRY:
                self.select(press.item)
                self.bookRequested.emit(press.item.start, press.item.end)
            elif press.item is None:
                self.select(None)
            return
        span = self._drag_span(press, self._drag_moment(press, event.position()))
        entry = press.item.entry if press.item else None
        if press.drag is Drag.CREATE:
            # The end away from where the drag began may give way to a neighbour.
            grows_later = span[0] == snapped(press.moment)
            self.createRequested.emit(span[0], span[1], Trim.END if grows_later else Trim.START)
        elif entry is not None and press.drag is Drag.MOVE:
            if span[0] != entry.start:
                self.moveRequested.emit(entry, span[0])
        elif entry is not None and press.drag is Drag.START:
            self.resizeRequested.emit(entry, Trim.START, span[0])
        elif entry is not None:
            self.resizeRequested.emit(entry, Trim.END, span[1])

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        item, _ = self.hit(event.position())
        if item is not None and item.entry is not None:
            self._press = None
            self.select(item)
            self.editRequested.emit(item.entry)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def _hover(self, pos: QPointF) -> None:
        item, drag = self.hit(pos)
        if item is not None and drag in (Drag.START, Drag.END):
            self.setCursor(Qt.CursorShape.SizeVerCursor)
        elif item is not None and item.kind is not ItemKind.ENTRY:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.unsetCursor()
        self.setToolTip(self.describe(item) if item is not None else "")

    # Keyboard ----------------------------------------------------------------------------

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 - Qt's own name
        """Tab walks the timeline's items; past the last (or first) one it leaves the canvas,
        so the keyboard is never trapped here."""
        if self._step_selection(1 if next else -1):
            return True
        return super().focusNextPrevChild(next)

    def focusInEvent(self, event: QFocusEvent) -> None:
        # Tabbed into from outside: the walk starts again at the first (or last) item.
        if event.reason() in (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason):
            self.select(None)
        super().focusInEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        shift = mods == Qt.KeyboardModifier.ShiftModifier
        plain = mods == Qt.KeyboardModifier.NoModifier
        if self._press is not None and key == Qt.Key.Key_Escape:
            self._press = None  # the drag is called off
            self.update()
            return
        item = self.selected
        if item is not None and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if item.entry is not None:
                self.editRequested.emit(item.entry)
            else:
                self.bookRequested.emit(item.start, item.end)
            return
        entry = item.entry if item is not None else None
        if entry is not None and (plain or shift) and self._entry_key(entry, key, shift=shift):
            return
        super().keyPressEvent(event)

    def _entry_key(self, entry: Entry, key: Qt.Key, *, shift: bool) -> bool:
        """Delete, move or resize the selected entry; False for a key that does none."""
        steps = {Qt.Key.Key_Up: -SNAP, Qt.Key.Key_Down: SNAP}
        days = {Qt.Key.Key_Left: -ONE_DAY, Qt.Key.Key_Right: ONE_DAY}
        if key == Qt.Key.Key_Delete and not shift:
            self.deleteRequested.emit(entry)
        elif not shift and key in steps:
            self.moveRequested.emit(entry, snapped(entry.start) + steps[key])
        elif not shift and key in days:
            self.moveRequested.emit(entry, entry.start + days[key])
        elif key in steps:
            self.resizeRequested.emit(entry, Trim.END, snapped(entry.end) + steps[key])
        elif key in days:
            # Left grows the entry at its top (an earlier start), right shrinks it there.
            step = -SNAP if key == Qt.Key.Key_Left else SNAP
            self.resizeRequested.emit(entry, Trim.START, snapped(entry.start) + step)
        else:
            return False
        return True

    def _step_selection(self, step: int) -> bool:
        """Select the next (1) or previous (-1) item; False when there is none that way."""
        items = self.items()
        keys = [i.key for i in items]
        if self.selected is None or self.selected.key not in keys:
            index = 0 if step > 0 else len(items) - 1
        else:
            index = keys.index(self.selected.key) + step
        if not 0 <= index < len(items):
            return False
        self.select(items[index])
        return True

    def describe(self, item: Item) -> str:
        """The item in words: the tooltip, and the line under the toolbar."""
        tz = self.tz
        when = (
            f"{item.start.astimezone(tz):%a %d %b} {_hm(item.start, tz)}\u2013{_hm(item.end, tz)}"
        )
        length = duration((item.end - item.start).total_seconds())
        if item.entry is not None:
            entry = item.entry
            label = (
                self.framework.path_label(entry.activity)
                if entry.activity in self.framework
                else entry.activity
            )
            note = f" \u2014 note: {entry.note}" if entry.note else ""
            return f"{when} ({length}): {label}{note}"
        if item.kind is ItemKind.AWAY:
            return f"Away {when} ({length}), not answered yet: click or press Enter to answer"
        return f"Gap {when} ({length}): click or press Enter to book it"

    # Painting ----------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        # No antialiasing: everything is an axis-aligned rectangle or line, and it halves
        # the time a busy week takes to paint.
        painter = QPainter(self)
        theme = ChartTheme.from_palette(self.palette())
        painter.fillRect(self.rect(), theme.background)
        if not self.days:
            painter.end()
            return
        self._paint_axis(painter, theme)
        self._paint_spans(painter, theme)
        self._paint_entries(painter, theme)
        self._paint_now(painter, theme)
        self._paint_preview(painter, theme)
        painter.end()

    def _paint_axis(self, painter: QPainter, theme: ChartTheme) -> None:
        metrics = self.fontMetrics()
        working_fill = blend(theme.background, theme.highlight, 0.10 if theme.dark else 0.07)
        for start, end in self.working:
            for rect in self._rects(start, end):
                painter.fillRect(rect.adjusted(-2, 0, 2, 0), working_fill)
        painter.setPen(QPen(theme.grid, 1))
        bottom = self._y(self.last_minute)
        for minutes in range(self.first_minute, self.last_minute + 1, 60):
            y = self._y(minutes)
            painter.drawLine(QPointF(self._gutter() - 4, y), QPointF(self.width() - 2, y))
        painter.setPen(theme.muted_text)
        for minutes in range(self.first_minute, self.last_minute, 60):
            y = self._y(minutes)
            label = QRectF(0, y - metrics.height() / 2, self._gutter() - 8, metrics.height())
            painter.drawText(label, Qt.AlignmentFlag.AlignRight, f"{minutes // 60:02d}:00")
        today = self.now.astimezone(self.tz).date()
        bold = QFont(self.font())
        bold.setBold(True)
        line = metrics.height()
        for column, day in enumerate(self.days):
            x = self._x(column)
            painter.setPen(QPen(theme.grid, 1))
            painter.drawLine(QPointF(x, self._header() - 4), QPointF(x, bottom))
            day_start, day_end = self._day_bounds[column]
            booked = [e for e in self.entries if e.overlaps(day_start, day_end)]
            clipped = [(max(e.start, day_start), min(e.end, day_end)) for e in booked]
            seconds = sum((e - s).total_seconds() for s, e in clipped)
            width = self._column_width()
            painter.setFont(bold if day == today else self.font())
            painter.setPen(theme.text)
            title = f"{day:%a} {day.day} {day:%b}" + (" (today)" if day == today else "")
            painter.drawText(
                QRectF(x + 4, 2, width - 8, line),
                Qt.AlignmentFlag.AlignLeft,
                metrics.elidedText(title, Qt.TextElideMode.ElideRight, int(width - 8)),
            )
            painter.setFont(self.font())
            painter.setPen(theme.muted_text)
            total = duration(seconds) if seconds else "nothing booked"
            painter.drawText(
                QRectF(x + 4, 2 + line, width - 8, line), Qt.AlignmentFlag.AlignLeft, total
            )

    def _paint_spans(self, painter: QPainter, theme: ChartTheme) -> None:
        styles = (
            (self.open.gaps, ItemKind.GAP, theme.verdict_colour("below"), "Gap"),
            (self.open.away, ItemKind.AWAY, theme.verdict_colour("above"), "Away, to answer"),
        )
        metrics = self.fontMetrics()
        for spans, kind, colour, title in styles:
            tint = QColor(colour)
            tint.setAlphaF(0.55)
            brush = QBrush(
                tint,
                Qt.BrushStyle.BDiagPattern if kind is ItemKind.GAP else Qt.BrushStyle.FDiagPattern,
            )
            for start, end in spans:
                selected = (
                    self.selected is not None and self.selected.key == Item(kind, start, end).key
                )
                for rect in self._rects(start, end):
                    painter.fillRect(rect, blend(theme.background, colour, 0.08))
                    painter.fillRect(rect, brush)
                    pen = QPen(theme.highlight if selected else colour, 2 if selected else 1)
                    pen.setStyle(Qt.PenStyle.SolidLine if selected else Qt.PenStyle.DashLine)
                    painter.setPen(pen)
                    painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))
                    if rect.height() >= metrics.height() + 2:
                        painter.setPen(colour)
                        text = f"{title} {duration((end - start).total_seconds())}"
                        painter.drawText(
                            rect.adjusted(6, 1, -4, 0),
                            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                            metrics.elidedText(
                                text, Qt.TextElideMode.ElideRight, int(rect.width() - 10)
                            ),
                        )

    def _paint_entries(self, painter: QPainter, theme: ChartTheme) -> None:
        metrics = self.fontMetrics()
        selected_id = self.selected.entry.id if self.selected and self.selected.entry else None
        for entry in self.entries:
            colour = theme.domain_colour(entry.activity)
            fill = blend(theme.background, colour, 0.34 if theme.dark else 0.22)
            label = (
                self.framework[entry.activity].label
                if entry.activity in self.framework
                else entry.activity
            )
            for rect in self._rects(entry.start, entry.end):
                inner = rect.adjusted(0, 0.5, 0, -0.5)
                painter.fillRect(inner, fill)
                painter.fillRect(QRectF(inner.left(), inner.top(), 3, inner.height()), colour)
                if entry.id == selected_id:
                    painter.setPen(QPen(theme.highlight, 2))
                    painter.drawRect(inner.adjusted(1, 1, -1, -1))
                else:
                    painter.setPen(QPen(blend(fill, colour, 0.5), 1))
                    painter.drawLine(inner.bottomLeft(), inner.bottomRight())
                if inner.height() < metrics.height() - 1:  # text would run into the next block
                    continue
                painter.setPen(theme.text)
                text = f"{_hm(entry.start, self.tz)} {label}" + (" \u270e" if entry.note else "")
                painter.drawText(
                    inner.adjusted(7, 0, -3, 0),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                    metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(inner.width() - 10)),
                )

    def _paint_now(self, painter: QPainter, theme: ChartTheme) -> None:
        now_colour = QColor("#ff6b6b" if theme.dark else "#c62828")
        painter.setPen(QPen(now_colour, 2))
        for column, day in enumerate(self.days):
            minutes = _local_minutes(self.now, day, self.tz)
            if 0 <= minutes < 1440 and self.first_minute <= minutes <= self.last_minute:
                y = self._y(minutes)
                x = self._x(column)
                painter.drawLine(QPointF(x, y), QPointF(x + self._column_width(), y))

    def _paint_preview(self, painter: QPainter, theme: ChartTheme) -> None:
        press = self._press
        if press is None or not press.dragging or press.preview is None:
            return
        start, end = press.preview
        fill = QColor(theme.highlight)
        fill.setAlphaF(0.28)
        pen = QPen(theme.highlight, 2)
        pen.setStyle(Qt.PenStyle.DashLine)
        length = duration((end - start).total_seconds())
        text = f"{_hm(start, self.tz)}\u2013{_hm(end, self.tz)} ({length})"
        for rect in self._rects(start, end):
            painter.fillRect(rect, fill)
            painter.setPen(pen)
            painter.drawRect(rect)
            painter.setPen(theme.text)
            painter.drawText(
                rect.adjusted(6, 0, -2, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                text,
            )


class NoteDialog(_EditDialog):
    """The entry's note in an editor; OK saves it (blank removes it)."""

    def __init__(
        self, entry: Entry, describe: str, apply: Callable[[str], None], parent: QWidget | None
    ) -> None:
        super().__init__("Edit note", parent)
        self.text = QPlainTextEdit(entry.note or "")
        self.text.setAccessibleName("Note")
        self.text.setTabChangesFocus(True)
        about = QLabel(describe)
        about.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(440, 260)
        self._apply = apply

    def attempt(self) -> None:
        self._apply(self.text.toPlainText())


class TimelineTab(QWidget):
    """The day/week switch, the navigation, undo and redo, the message line and the canvas.

    `statusMessage(text, timeout_ms)` repeats each message for the status bar.
    """

    statusMessage = Signal(str, int)

    def __init__(
        self,
        framework: Framework,
        tz: ZoneInfo,
        editor: EntryEditor,
        undo_actions: Sequence[tuple[QAction, str]],
        *,
        now: Callable[[], datetime],
        working_intervals_for: WorkingIntervalsFor,
        unanswered_away: Callable[[], Sequence[Span]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.framework = framework
        self.tz = tz
        self.editor = editor
        self.now = now
        self.working_intervals_for = working_intervals_for
        self.unanswered_away = unanswered_away
        self.span_booker: SpanBooker | None = None
        self.week = True
        self.anchor = now().astimezone(tz).date()
        self._stale = True
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addLayout(self._build_tools(undo_actions))
        self.message = wrapping_label("Timeline message")
        self.message.hide()
        layout.addWidget(self.message)
        self.canvas = TimelineCanvas(framework, tz)
        layout.addWidget(self.canvas, 1)
        # What is selected, or the keys when nothing is; wraps, so it never widens the window.
        self.selection_text = wrapping_label("Selected on the timeline")
        layout.addWidget(self.selection_text)
        self.selection_text.setText(KEYS_HINT)
        self.canvas.moveRequested.connect(self.move_entry)
        self.canvas.resizeRequested.connect(self.resize_entry)
        self.canvas.createRequested.connect(self.create_between)
        self.canvas.bookRequested.connect(self.book_span)
        self.canvas.editRequested.connect(self.open_note)
        self.canvas.deleteRequested.connect(self.delete_entry)
        self.canvas.selectionChanged.connect(self._show_selection)
        editor.changed.connect(self.reload)
        editor.failed.connect(self.show_message)  # an undo or redo that could not be done

    def _build_tools(self, undo_actions: Sequence[tuple[QAction, str]]) -> QHBoxLayout:
        tools = QHBoxLayout()
        self.day_button = QToolButton()
        self.day_button.setText("Da&y")
        self.week_button = QToolButton()
        self.week_button.setText("&Week")
        group = QButtonGroup(self)
        for button, name in ((self.day_button, "Show one day"), (self.week_button, "Show a week")):
            button.setCheckable(True)
            button.setAccessibleName(name)
            group.addButton(button)
            tools.addWidget(button)
        self.week_button.setChecked(True)
        self.day_button.clicked.connect(lambda: self.set_week(False))
        self.week_button.clicked.connect(lambda: self.set_week(True))
        self.back_button = QToolButton()
        self.back_button.setText("\u25c0")
        self.back_button.setAccessibleName("Earlier")
        self.back_button.clicked.connect(lambda: self.shift(-1))
        self.today_button = QToolButton()
        self.today_button.setText("Today")
        self.today_button.setAccessibleName("Go to today")
        self.today_button.clicked.connect(self.go_today)
        self.next_button = QToolButton()
        self.next_button.setText("\u25b6")
        self.next_button.setAccessibleName("Later")
        self.next_button.clicked.connect(lambda: self.shift(1))
        for button in (self.back_button, self.today_button, self.next_button):
            tools.addWidget(button)
        self.range_label = QLabel()
        self.range_label.setAccessibleName("Days shown")
        tools.addWidget(self.range_label)
        tools.addSpacing(12)
        for action, name in undo_actions:
            tool = QToolButton()
            tool.setDefaultAction(action)
            tool.setAccessibleName(name)
            tools.addWidget(tool)
        tools.addStretch(1)
        return tools

    # Days shown --------------------------------------------------------------------------

    def days(self) -> list[date]:
        if not self.week:
            return [self.anchor]
        monday = self.anchor - timedelta(days=self.anchor.weekday())
        return [monday + timedelta(days=i) for i in range(7)]

    def set_week(self, week: bool) -> None:
        self.week = week
        (self.week_button if week else self.day_button).setChecked(True)
        self.reload()

    def shift(self, steps: int) -> None:
        self.anchor += timedelta(days=(7 if self.week else 1) * steps)
        self.reload()

    def go_today(self) -> None:
        self.anchor = self.now().astimezone(self.tz).date()
        self.reload()

    def show_day(self, day: date, *, week: bool) -> None:
        self.anchor = day
        self.set_week(week)

    # Loading -----------------------------------------------------------------------------

    def mark_stale(self) -> None:
        """The store may have changed (a view was recomputed): reload now if shown, or when
        next shown."""
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        self._stale = False
        days = self.days()
        period = Period(days[0], days[-1], self.tz)
        start, end = period.start, period.end
        with self.editor.store_lock:
            entries = self.editor.store.entries(start, end)
        now = self.now().astimezone(UTC)
        working = self.working_intervals_for(period)
        spans = open_spans((start, end), entries, working, self.unanswered_away(), now)
        self.canvas.set_data(days, entries, spans, working, now)
        first, last = days[0], days[-1]
        shown = f"{first:%a %d %b %Y}" if first == last else f"{first:%d %b} \u2013 {last:%d %b %Y}"
        seconds = tracked_seconds([e for e in entries if e.overlaps(start, end)])
        self.range_label.setText(f"{shown} \u00b7 {duration(seconds)} booked")

    def _show_selection(self) -> None:
        item = self.canvas.selected
        self.selection_text.setText(self.canvas.describe(item) if item else KEYS_HINT)

    # Messages ----------------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.statusMessage.emit(text, MESSAGE_MS)

    def _edit(self, what: str, action: Callable[[], object]) -> object | None:
        """Run one edit; a refusal or a store failure is shown on the message line."""
        try:
            done = action()
        except EditRefused as exc:
            self.show_message(f"{what}: {exc}.")
            return None
        except (StoreError, OSError) as exc:
            self.show_message(f"{what}: the store refused the edit ({exc}).")
            return None
        self.message.hide()
        return done

    def _trim_message(self, what: str, placed: Placement, edge: Trim) -> None:
        tz, by = self.tz, placed.trimmed_by
        span = f"{_hm(placed.start, tz)}\u2013{_hm(placed.end, tz)}"
        if edge is Trim.END:
            why = f"it stops where the entry from {_hm(by[0].start, tz)} begins"
        else:
            why = f"it starts where the entry to {_hm(by[-1].end, tz)} ends"
        self.show_message(f"{what}, trimmed to {span}: {why}, so no time counts twice.")

    # Edits -------------------------------------------------------------------------------

    def move_entry(self, entry: Entry, start: datetime) -> None:
        end = start + entry.duration
        done = self._edit(
            "Not moved",
            lambda: self.editor.change_times(entry, start, end, text="Move entry"),
        )
        if done is not None:
            self.canvas.select_entry(self.editor.ids.current(entry.id))

    def resize_entry(self, entry: Entry, edge: Trim, moment: datetime) -> None:
        start, end = (moment, entry.end) if edge is Trim.START else (entry.start, moment)
        placed = self._edit(
            "Not resized",
            lambda: self.editor.change_times(entry, start, end, trim=edge, text="Resize entry"),
        )
        if placed is None:
            return
        self.canvas.select_entry(self.editor.ids.current(entry.id))
        if isinstance(placed, Placement) and placed.trimmed:
            self._trim_message("Resized", placed, edge)

    def create_between(self, start: datetime, end: datetime, trim: Trim) -> RetagDialog:
        """Ask for the activity of a new entry over [start, end), then save it."""
        tz = self.tz

        def save(activity_id: str) -> None:
            entry, placed = create_entry(self.editor, start, end, activity_id, tz, trim=trim)
            self.canvas.select_entry(entry.id)
            if placed.trimmed:
                self._trim_message("Added", placed, trim)
            else:
                self.message.hide()

        dialog = RetagDialog(self.framework, None, save, self.window())
        dialog.setWindowTitle(f"New entry {_hm(start, tz)}\u2013{_hm(end, tz)}: activity")
        dialog.open()
        return dialog

    def book_span(self, start: datetime, end: datetime) -> RetagDialog | None:
        """Book a gap or an away span: with the app's picker when the tray app runs, else
        with the activity list here."""
        if self.span_booker is not None:
            refusal = self.span_booker(start, end)
            if refusal:
                self.show_message(refusal)
            return None
        return self.create_between(start, end, Trim.NONE)

    def open_note(self, entry: Entry) -> NoteDialog | None:
        if entry.note_unreadable:
            self.show_message(
                "This note is encrypted with a key this device does not have, so it can't be "
                "edited here; unlock the notes in Settings first."
            )
            return None
        describe = self.canvas.describe(Item(ItemKind.ENTRY, entry.start, entry.end, entry))

        def save(text: str) -> None:
            edit_note(self.editor, entry, text)

        dialog = NoteDialog(entry, describe, save, self.window())
        dialog.open()
        return dialog

    def delete_entry(self, entry: Entry) -> None:
        self._edit("Not deleted", lambda: self.editor.delete([entry]))

    # For tests and the keyboard ----------------------------------------------------------

    def entry_point(self, entry: Entry, where: float = 0.5) -> QPoint:
        """A point inside the entry's block, `where` of the way down (0 top, 1 bottom)."""
        moment = entry.start + (entry.end - entry.start) * where
        return self.canvas.point_of(moment).toPoint()
