"""The dashboard's charts, painted with QPainter: bars against benchmark bands, weekly trends.

One painting function per chart serves the window, the PNG export and the PDF report, so all
three show the same picture. Painting is vector, hence sharp at any device pixel ratio.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget

from sec_desktop.analytics import Allocation, Verdict
from sec_desktop.analytics.targets import PlanRow, PlanVerdict
from sec_desktop.analytics.text import band_text, pct, verdict_label
from sec_desktop.framework import Band
from sec_desktop.ui.accessibility import ItemStrip
from sec_desktop.ui.dashboard.theme import ChartTheme
from sec_desktop.ui.widgets import literal

ROW_HEIGHT_EM = 1.85
AXIS_GAP_PX = 6.0
COLUMN_GAP_PX = 10.0
# Tick steps tried in order; the first whose labels don't collide is used.
TICK_STEPS = (0.05, 0.1, 0.2, 0.25, 0.5)
LABEL_SHARE_OF_WIDTH = 0.34


@dataclass(frozen=True)
class BarRow:
    """One bar: a node's share, its band and verdict if the profile has one."""

    key: str
    label: str
    share: float
    seconds: float
    band: Band | None = None
    verdict: Verdict | None = None
    # The plan's target share for the period, and where the share sits against it.
    plan: float | None = None
    plan_verdict: PlanVerdict | None = None


def bar_text(row: BarRow) -> str:
    """One bar as words: "Strategy 42.0%, band 40-50%, below by 3.0 pts"."""
    text = f"{row.label} {pct(row.share)}"
    if row.band is not None:
        text += f", band {band_text(row.band)}"
    if row.verdict is not None:
        text += f", {row.verdict.describe()}"
    return text + plan_words(row)


def rows_from(allocations: Sequence[Allocation]) -> list[BarRow]:
    return [BarRow(a.id, a.label, a.share, a.seconds, a.band, a.verdict) for a in allocations]


def _round_up(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


def with_plans(rows: Sequence[BarRow], plans: Sequence[PlanRow]) -> list[BarRow]:
    """`rows` with each one's target from `plans` (the view's plan rows) where it has one."""
    targets = {p.id: p for p in plans if p.plan is not None}
    return [
        replace(row, plan=target.plan, plan_verdict=target.verdict)
        if (target := targets.get(row.key)) is not None
        else row
        for row in rows
    ]


def plan_text(share: float) -> str:
    """The Plan column's text, e.g. "plan 27.5%"."""
    return f"plan {pct(share)}"


def plan_words(row: BarRow) -> str:
    """The plan as a screen reader hears it after the share: ", plan 30.0%, below plan by
    5.0 pts"; empty without a target."""
    if row.plan is None:
        return ""
    verdict = f", {row.plan_verdict.describe()}" if row.plan_verdict is not None else ""
    return f", plan {pct(row.plan)}{verdict}"


def bar_scale(rows: Sequence[BarRow]) -> float:
    """The axis maximum: every bar and band fits, rounded up to 10 points."""
    highest = 0.0
    for row in rows:
        highest = max(highest, row.share)
        if row.band is not None:
            highest = max(highest, row.band.high)
        if row.plan is not None:
            highest = max(highest, row.plan)
    return min(1.0, max(0.1, _round_up(highest, 0.1)))


def _tick_step(scale: float, width: float, label_width: float) -> float:
    for step in TICK_STEPS:
        if width * step / scale >= label_width + 8:
            return step
    return scale


@dataclass(frozen=True)
class BarLayout:
    """Column widths and row height of a bar chart for one font and width."""

    row_height: float
    label_width: float
    value_width: float
    band_width: float
    verdict_width: float
    axis_height: float
    plan_width: float = 0.0

    def height(self, rows: int) -> float:
        return rows * self.row_height + self.axis_height


def bar_layout(metrics: QFontMetricsF, rows: Sequence[BarRow], width: float) -> BarLayout:
    labels = [metrics.horizontalAdvance(r.label) for r in rows] or [0.0]
    has_band = any(r.band is not None for r in rows)
    has_verdict = any(r.verdict is not None for r in rows)
    # Room for the widest verdict a band can give, so columns don't jump between periods.
    widest = metrics.horizontalAdvance("\u25b2 above by 10.0 pts")
    return BarLayout(
        row_height=max(metrics.height() * ROW_HEIGHT_EM, 18.0),
        label_width=min(max(labels) + COLUMN_GAP_PX, width * LABEL_SHARE_OF_WIDTH),
        value_width=metrics.horizontalAdvance("100.0%") + COLUMN_GAP_PX,
        band_width=(metrics.horizontalAdvance("100\u2013100%") + COLUMN_GAP_PX if has_band else 0),
        verdict_width=(
            max(widest, *(metrics.horizontalAdvance(verdict_label(r.verdict)) for r in rows))
            + COLUMN_GAP_PX
            if has_verdict
            else 0
        ),
        axis_height=metrics.height() + AXIS_GAP_PX,
        plan_width=(
            metrics.horizontalAdvance(plan_text(1.0)) + COLUMN_GAP_PX
            if any(r.plan is not None for r in rows)
            else 0.0
        ),
    )


def bar_chart_height(font: QFont, row_count: int) -> float:
    metrics = QFontMetricsF(font)
    return max(1, row_count) * max(metrics.height() * ROW_HEIGHT_EM, 18.0) + (
        metrics.height() + AXIS_GAP_PX
    )


class _BarGeometry:
    """Where the columns of one bar chart fall, and the x of a share on its axis."""

    def __init__(self, metrics: QFontMetricsF, rows: Sequence[BarRow], rect: QRectF) -> None:
        self.metrics = metrics
        self.rect = rect
        self.layout = bar_layout(metrics, rows, rect.width())
        columns = (
            self.layout.value_width
            + self.layout.band_width
            + self.layout.plan_width
            + self.layout.verdict_width
        )
        self.bar_left = rect.left() + self.layout.label_width
        self.bar_width = max(20.0, rect.width() - self.layout.label_width - columns)
        self.scale = bar_scale(rows)
        self.plot_bottom = rect.top() + len(rows) * self.layout.row_height
        self.value_left = self.bar_left + self.bar_width + COLUMN_GAP_PX / 2

    def x_of(self, share: float) -> float:
        return self.bar_left + self.bar_width * min(share, self.scale) / self.scale

    def row_rect(self, index: int) -> QRectF:
        height = self.layout.row_height
        return QRectF(self.rect.left(), self.rect.top() + index * height, self.rect.width(), height)


def _paint_bar_axis(painter: QPainter, geometry: _BarGeometry, theme: ChartTheme) -> None:
    """Grid lines and percentages under the bars."""
    metrics = geometry.metrics
    step = _tick_step(geometry.scale, geometry.bar_width, metrics.horizontalAdvance("100%"))
    tick = 0.0
    while tick <= geometry.scale + 1e-9:
        x = geometry.x_of(tick)
        painter.setPen(QPen(theme.grid, 1))
        painter.drawLine(QPointF(x, geometry.rect.top()), QPointF(x, geometry.plot_bottom))
        painter.setPen(theme.muted_text)
        label = f"{tick * 100:.0f}%"
        width = metrics.horizontalAdvance(label)
        left = min(max(x - width / 2, geometry.bar_left - width / 2), geometry.rect.right() - width)
        baseline = geometry.plot_bottom + AXIS_GAP_PX / 2 + metrics.ascent()
        painter.drawText(QPointF(left, baseline), label)
        tick += step


def _paint_bar_row(
    painter: QPainter, geometry: _BarGeometry, row: BarRow, row_rect: QRectF, theme: ChartTheme
) -> None:
    """One row: band behind, bar, then label, share, band and verdict as text."""
    layout, metrics = geometry.layout, geometry.metrics
    mid_y = row_rect.center().y()
    if row.band is not None:
        band_rect = QRectF(
            geometry.x_of(row.band.low),
            row_rect.top() + layout.row_height * 0.1,
            max(1.5, geometry.x_of(row.band.high) - geometry.x_of(row.band.low)),
            layout.row_height * 0.8,
        )
        painter.fillRect(band_rect, theme.band_fill)
        painter.setPen(QPen(theme.band_edge, 1, Qt.PenStyle.DashLine))
        painter.drawLine(band_rect.topLeft(), band_rect.bottomLeft())
        painter.drawLine(band_rect.topRight(), band_rect.bottomRight())
    bar_height = layout.row_height * 0.42
    bar_length = max(0.0, geometry.x_of(row.share) - geometry.bar_left)
    painter.fillRect(
        QRectF(geometry.bar_left, mid_y - bar_height / 2, bar_length, bar_height),
        theme.domain_colour(row.key),
    )
    text_y = mid_y - metrics.height() / 2 + metrics.ascent()
    painter.setPen(theme.text)
    label = metrics.elidedText(
        row.label, Qt.TextElideMode.ElideRight, layout.label_width - COLUMN_GAP_PX
    )
    painter.drawText(QPointF(row_rect.left(), text_y), label)
    value = pct(row.share)
    value_right = geometry.value_left + layout.value_width - COLUMN_GAP_PX
    painter.drawText(QPointF(value_right - metrics.horizontalAdvance(value), text_y), value)
    if row.band is not None:
        painter.setPen(theme.muted_text)
        band_left = geometry.value_left + layout.value_width
        painter.drawText(QPointF(band_left, text_y), band_text(row.band))
    if row.plan is not None:
        _paint_plan_tick(painter, geometry.x_of(row.plan), row_rect, layout.row_height, theme)
        painter.setPen(theme.text)
        plan_left = geometry.value_left + layout.value_width + layout.band_width
        painter.drawText(QPointF(plan_left, text_y), plan_text(row.plan))
    if row.verdict is not None:
        painter.setPen(theme.verdict_colour(row.verdict.status))
        verdict_left = (
            geometry.value_left + layout.value_width + layout.band_width + layout.plan_width
        )
        painter.drawText(QPointF(verdict_left, text_y), verdict_label(row.verdict))


def _paint_plan_tick(
    painter: QPainter, x: float, row_rect: QRectF, row_height: float, theme: ChartTheme
) -> None:
    """The plan's target on the bar: a solid upright line with a small triangle on top, in the
    text colour, so it reads apart from the dashed band edges in both themes."""
    top = row_rect.top() + row_height * 0.12
    bottom = row_rect.bottom() - row_height * 0.12
    painter.setPen(QPen(theme.text, 2))
    painter.drawLine(QPointF(x, top + 3), QPointF(x, bottom))
    marker = QPainterPath()
    marker.moveTo(x - 4, top)
    marker.lineTo(x + 4, top)
    marker.lineTo(x, top + 5)
    marker.closeSubpath()
    painter.fillPath(marker, theme.text)


def paint_bar_chart(
    painter: QPainter,
    rect: QRectF,
    rows: Sequence[BarRow],
    *,
    theme: ChartTheme,
    font: QFont,
    selected: str | None = None,
) -> list[QRectF]:
    """Paint horizontal bars over their bands into `rect`; returns each row's rectangle."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setFont(font)
    geometry = _BarGeometry(QFontMetricsF(font, painter.device()), rows, rect)
    # Grid and axis labels first, so bands and bars sit on top of them.
    _paint_bar_axis(painter, geometry, theme)
    row_rects = [geometry.row_rect(index) for index in range(len(rows))]
    for row, row_rect in zip(rows, row_rects, strict=True):
        if row.key == selected:
            fill = QColor(theme.highlight)
            fill.setAlphaF(0.18)
            painter.fillRect(row_rect, fill)
        _paint_bar_row(painter, geometry, row, row_rect, theme)
    painter.restore()
    return row_rects


# Trend ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendLine:
    """One domain's weekly shares; None where the week has no tracked time."""

    key: str
    label: str
    values: tuple[float | None, ...]
    band: Band | None
    # Each week's plan target (None where the week has none); drawn as a dashed line.
    plan: tuple[float | None, ...] = ()


def _short_day(day: date) -> str:
    return f"{day.day} {day:%b}"


def paint_trend(
    painter: QPainter,
    rect: QRectF,
    weeks: Sequence[date],
    lines: Sequence[TrendLine],
    *,
    theme: ChartTheme,
    font: QFont,
) -> None:
    """One small panel per domain, side by side: its weekly share over its shaded band."""
    if not lines:
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setFont(font)
    for panel_rect, line in zip(
        _trend_panel_rects(rect, len(lines), QFontMetricsF(font, painter.device())),
        lines,
        strict=True,
    ):
        _TrendPanel(painter, panel_rect, font).paint(weeks, line, theme)
    painter.restore()


def _trend_panel_rects(rect: QRectF, count: int, metrics: QFontMetricsF) -> list[QRectF]:
    gap = metrics.horizontalAdvance("MM")
    panel_width = (rect.width() - gap * (count - 1)) / max(1, count)
    return [
        QRectF(rect.left() + index * (panel_width + gap), rect.top(), panel_width, rect.height())
        for index in range(count)
    ]


def trend_point_text(
    line: TrendLine, week: date, value: float | None, target: float | None = None
) -> str:
    """One point of the trend as words: "Strategy, week of 2 Mar: 38.0%, band 40-50%, plan
    45.0%"."""
    shown = "no tracked time" if value is None else pct(value)
    text = f"{line.label}, week of {_short_day(week)}: {shown}"
    if line.band is not None:
        text += f", band {band_text(line.band)}"
    if target is not None:
        text += f", plan {pct(target)}"
    return text


class _TrendPanel:
    """One domain's panel of the trend: title, shaded band, axis and the weekly line."""

    def __init__(self, painter: QPainter | None, rect: QRectF, font: QFont) -> None:
        """`painter` None: only to know where the points fall (the chart's accessible items)."""
        self.painter = painter if painter is not None else QPainter()
        self.rect = rect
        self.font = font
        self.title_font = QFont(font)
        self.title_font.setBold(True)
        if painter is not None:
            self.metrics = QFontMetricsF(font, painter.device())
            self.title_metrics = QFontMetricsF(self.title_font, painter.device())
        else:
            self.metrics = QFontMetricsF(font)
            self.title_metrics = QFontMetricsF(self.title_font)
        y_label_width = self.metrics.horizontalAdvance("100%") + 6
        title_height = self.title_metrics.height() + 6
        self.plot = QRectF(
            rect.left() + y_label_width,
            rect.top() + title_height,
            max(10.0, rect.width() - y_label_width - 6),
            max(10.0, rect.height() - title_height - self.metrics.height() - AXIS_GAP_PX),
        )
        self.scale = 1.0
        self.count = 1

    def y_of(self, share: float) -> float:
        return self.plot.bottom() - self.plot.height() * min(share, self.scale) / self.scale

    def x_of(self, index: int) -> float:
        if self.count == 1:
            return self.plot.center().x()
        return self.plot.left() + self.plot.width() * index / (self.count - 1)

    def fit(self, weeks: Sequence[date], line: TrendLine) -> None:
        """The vertical scale and the week count, from which points are placed."""
        values = [v for v in (*line.values, *line.plan) if v is not None]
        high = max([*values, line.band.high if line.band else 0.0, 0.1])
        self.scale = min(1.0, _round_up(high, 0.1))
        self.count = max(1, len(weeks))

    def paint(self, weeks: Sequence[date], line: TrendLine, theme: ChartTheme) -> None:
        self.fit(weeks, line)
        self._title(line, theme)
        if line.band is not None:
            top, bottom = self.y_of(line.band.high), self.y_of(line.band.low)
            band = QRectF(self.plot.left(), top, self.plot.width(), bottom - top)
            self.painter.fillRect(band, theme.band_fill)
        self._axes(weeks, theme)
        self._plan_line(line, theme)
        self._line(line, theme)

    def _title(self, line: TrendLine, theme: ChartTheme) -> None:
        painter = self.painter
        baseline = self.rect.top() + self.title_metrics.ascent()
        painter.setFont(self.title_font)
        painter.setPen(theme.domain_colour(line.key))
        painter.drawText(QPointF(self.rect.left(), baseline), line.label)
        painter.setFont(self.font)
        used = self.rect.left() + self.title_metrics.horizontalAdvance(line.label)
        if line.band is not None:
            painter.setPen(theme.muted_text)
            left = used + 8
            band = f"band {band_text(line.band)}"
            painter.drawText(QPointF(left, baseline), band)
            used = left + self.metrics.horizontalAdvance(band)
        planned = [p for p in line.plan if p is not None]
        text = plan_text(planned[-1]) if planned else ""
        # The latest week's target, where it fits; the dashed line shows it either way.
        if text and used + 8 + self.metrics.horizontalAdvance(text) <= self.rect.right():
            painter.setPen(theme.text)
            painter.drawText(
                QPointF(self.rect.right() - self.metrics.horizontalAdvance(text), baseline), text
            )

    def _plan_line(self, line: TrendLine, theme: ChartTheme) -> None:
        """Each week's target as a dashed step: flat through a quarter, a step where it
        changes, broken where a week has no target."""
        painter = self.painter
        painter.setPen(QPen(theme.text, 1.5, Qt.PenStyle.DashLine))
        half = (self.x_of(1) - self.x_of(0)) / 2 if self.count > 1 else self.plot.width() / 2
        for index, target in enumerate(line.plan):
            if target is None:
                continue
            y = self.y_of(target)
            left = max(self.plot.left(), self.x_of(index) - half)
            right = min(self.plot.right(), self.x_of(index) + half)
            painter.drawLine(QPointF(left, y), QPointF(right, y))
            following = line.plan[index + 1] if index + 1 < len(line.plan) else None
            if following is not None and following != target:
                painter.drawLine(QPointF(right, y), QPointF(right, self.y_of(following)))

    def _axes(self, weeks: Sequence[date], theme: ChartTheme) -> None:
        painter, metrics, plot = self.painter, self.metrics, self.plot
        step = 0.1 if self.scale <= 0.5 else 0.2
        tick = 0.0
        while tick <= self.scale + 1e-9:
            y = self.y_of(tick)
            painter.setPen(QPen(theme.grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(theme.muted_text)
            label = f"{tick * 100:.0f}%"
            left = plot.left() - 4 - metrics.horizontalAdvance(label)
            painter.drawText(QPointF(left, y - metrics.height() / 2 + metrics.ascent()), label)
            tick += step
        if not weeks:
            return
        baseline = plot.bottom() + AXIS_GAP_PX / 2 + metrics.ascent()
        first, last = _short_day(weeks[0]), _short_day(weeks[-1])
        painter.drawText(QPointF(plot.left(), baseline), first)
        if len(weeks) > 1:
            painter.drawText(
                QPointF(plot.right() - metrics.horizontalAdvance(last), baseline), last
            )

    def _line(self, line: TrendLine, theme: ChartTheme) -> None:
        painter = self.painter
        colour = theme.domain_colour(line.key)
        path = QPainterPath()
        drawing = False
        for index, value in enumerate(line.values):
            if value is None:
                drawing = False
                continue
            point = QPointF(self.x_of(index), self.y_of(value))
            if drawing:
                path.lineTo(point)
            else:
                path.moveTo(point)
                drawing = True
        painter.setPen(QPen(colour, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        painter.setBrush(QBrush(colour))
        painter.setPen(Qt.PenStyle.NoPen)
        for index, value in enumerate(line.values):
            if value is not None:
                painter.drawEllipse(QPointF(self.x_of(index), self.y_of(value)), 2.6, 2.6)
        painter.setBrush(Qt.BrushStyle.NoBrush)


# Widgets ----------------------------------------------------------------------------------


class BarChart(QWidget):
    """Bars against bands; rows can be picked with the mouse or the arrow keys and Enter.

    Each bar is an accessible item read with its share, band and verdict; Tab reaches the
    chart and Up/Down move between the bars, so a screen reader reads each one. An activatable
    chart's rows also have a context menu (right-click, or the menu key on the current row)
    whose "Show its entries" emits `rowEntriesRequested(key)`.
    """

    rowActivated = Signal(str)
    rowEntriesRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, activatable: bool = False) -> None:
        super().__init__(parent)
        self._rows: list[BarRow] = []
        self._row_rects: list[QRectF] = []
        self._current: int | None = None
        self._activatable = activatable
        self.last_menu: QMenu | None = None  # the context menu last shown, for tests
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.items = ItemStrip(self)
        self.items.focused.connect(self._item_focused)
        if activatable:
            self.setCursor(Qt.CursorShape.PointingHandCursor)

    @property
    def rows(self) -> list[BarRow]:
        return list(self._rows)

    @property
    def row_rects(self) -> list[QRectF]:
        """Where each row was last painted (for clicks, and for tests that click)."""
        return list(self._row_rects)

    def set_rows(self, rows: Sequence[BarRow]) -> None:
        self._rows = list(rows)
        if self._current is not None and self._current >= len(self._rows):
            self._current = None
        self.setFixedHeight(round(bar_chart_height(self.font(), len(self._rows))) + 2)
        self.setAccessibleDescription(self.describe())
        self.items.set_items([bar_text(row) for row in self._rows], self._item_rects())
        self.updateGeometry()
        self.update()

    def describe(self) -> str:
        """The chart as sentences, for screen readers."""
        return "; ".join(bar_text(row) for row in self._rows)

    def _plot_rect(self) -> QRectF:
        return QRectF(self.rect()).adjusted(2, 1, -2, -1)

    def _item_rects(self) -> list[QRect]:
        geometry = _BarGeometry(QFontMetricsF(self.font()), self._rows, self._plot_rect())
        return [geometry.row_rect(index).toRect() for index in range(len(self._rows))]

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.items.set_rects(self._item_rects())

    def sizeHint(self) -> QSize:
        return QSize(480, round(bar_chart_height(self.font(), len(self._rows))) + 2)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        theme = ChartTheme.from_palette(self.palette())
        selected = (
            self._rows[self._current].key
            if self._current is not None and self.items.has_focus()
            else None
        )
        self._row_rects = paint_bar_chart(
            painter,
            self._plot_rect(),
            self._rows,
            theme=theme,
            font=self.font(),
            selected=selected,
        )
        painter.end()

    def _row_at(self, y: float) -> int | None:
        for index, rect in enumerate(self._row_rects):
            if rect.top() <= y < rect.bottom():
                return index
        return None

    def _item_focused(self, index: int) -> None:
        self._current = index
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self._row_at(event.position().y())
        if self._activatable and index is not None:
            self._current = index
            self.items.focus(index)
            self.rowActivated.emit(self._rows[index].key)
            event.accept()
            return
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._rows:
            super().keyPressEvent(event)
            return
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.items.step(1 if key == Qt.Key.Key_Down else -1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self._activatable:
            if self._current is not None:
                self.rowActivated.emit(self._rows[self._current].key)
        else:
            super().keyPressEvent(event)
            return
        self.update()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        keyboard = event.reason() == QContextMenuEvent.Reason.Keyboard
        index = self._current if keyboard else self._row_at(event.pos().y())
        if not self._activatable or index is None or index >= len(self._rows):
            super().contextMenuEvent(event)
            return
        key = self._rows[index].key
        menu = QMenu(self)
        menu.setAccessibleName("Bar actions")
        show = menu.addAction(f"Show the entries of {literal(self._rows[index].label)}")
        show.triggered.connect(lambda: self.rowEntriesRequested.emit(key))
        self.last_menu = menu
        menu.popup(event.globalPos())
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self._current is None and self._rows:
            self._current = 0
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.update()
        super().focusOutEvent(event)


TREND_MIN_HEIGHT_EM = 11
TREND_FOCUS_RING_PX = 5.0


class TrendChart(QWidget):
    """Weekly domain shares as small multiples, one panel per domain with its band shaded.

    Each point is an accessible item read with its domain, week, share and band; Tab reaches
    the chart, Left/Right move along the weeks and Up/Down between the domains."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._weeks: list[date] = []
        self._lines: list[TrendLine] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(round(QFontMetricsF(self.font()).height() * TREND_MIN_HEIGHT_EM))
        self.items = ItemStrip(self)

    @property
    def weeks(self) -> list[date]:
        return list(self._weeks)

    @property
    def lines(self) -> list[TrendLine]:
        return list(self._lines)

    def set_data(self, weeks: Sequence[date], lines: Sequence[TrendLine]) -> None:
        self._weeks = list(weeks)
        self._lines = list(lines)
        self.setAccessibleDescription(self.describe())
        names = [
            trend_point_text(line, week, value, line.plan[i] if i < len(line.plan) else None)
            for line in self._lines
            for i, (week, value) in enumerate(zip(self._weeks, line.values, strict=False))
        ]
        self.items.set_items(names, self._item_rects())
        self.update()

    def describe(self) -> str:
        if not self._weeks:
            return "No weeks to show."
        parts = [f"Weekly shares from the week of {self._weeks[0].isoformat()}"]
        for line in self._lines:
            shown = ", ".join("none" if v is None else pct(v) for v in line.values)
            planned = [p for p in line.plan if p is not None]
            plan = f" (plan {pct(planned[-1])} in the last week)" if planned else ""
            parts.append(f"{line.label}: {shown}{plan}")
        return "; ".join(parts)

    def sizeHint(self) -> QSize:
        return QSize(600, round(QFontMetricsF(self.font()).height() * 13))

    def _plot_rect(self) -> QRectF:
        return QRectF(self.rect()).adjusted(4, 2, -4, -2)

    def _item_rects(self) -> list[QRect]:
        """A small square around each point (a week with no time sits on the zero line)."""
        rects: list[QRect] = []
        metrics = QFontMetricsF(self.font())
        panels = _trend_panel_rects(self._plot_rect(), len(self._lines), metrics)
        half = TREND_FOCUS_RING_PX
        for panel_rect, line in zip(panels, self._lines, strict=True):
            panel = _TrendPanel(None, panel_rect, self.font())
            panel.fit(self._weeks, line)
            for index, value in enumerate(line.values[: len(self._weeks)]):
                centre = QPointF(panel.x_of(index), panel.y_of(value or 0.0))
                rects.append(
                    QRectF(centre.x() - half, centre.y() - half, 2 * half, 2 * half).toRect()
                )
        return rects

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.items.set_rects(self._item_rects())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Down: len(self._weeks),
            Qt.Key.Key_Up: -len(self._weeks),
        }
        step = steps.get(Qt.Key(event.key()))
        if step is None or not self._weeks:
            super().keyPressEvent(event)
            return
        self.items.step(step)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        theme = ChartTheme.from_palette(self.palette())
        paint_trend(
            painter,
            self._plot_rect(),
            self._weeks,
            self._lines,
            theme=theme,
            font=self.font(),
        )
        current = self.items.current()
        if current is not None and self.items.has_focus():
            # The focused point gets a ring, where the keyboard is.
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(theme.highlight, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            centre = QRectF(self.items.items[current].geometry()).center()
            painter.drawEllipse(centre, TREND_FOCUS_RING_PX, TREND_FOCUS_RING_PX)
        painter.end()
