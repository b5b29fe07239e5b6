"""The printed forms of a view: the one-page PDF report and the charts sheet of the PNG export.

Both paint with the same chart functions as the window, so the numbers and the pictures match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen, QPicture

from sec_desktop import APP_NAME
from sec_desktop.analytics.comparison import period_over_period, plan_summary
from sec_desktop.analytics.dashboard import DashboardData
from sec_desktop.analytics.text import SEVERITY_MARKS, band_text, duration, pct, period_text
from sec_desktop.framework import Framework, Level
from sec_desktop.ui.dashboard.charts import (
    TrendLine,
    bar_layout,
    paint_bar_chart,
    paint_trend,
    rows_from,
    with_plans,
)
from sec_desktop.ui.dashboard.theme import ChartTheme
from sec_desktop.ui.dashboard.view import ViewData

REPORT_TOP_ACTIVITIES = 6
REPORT_INSIGHTS = 5
SECTION_GAP = 14.0


def trend_lines(data: DashboardData, framework: Framework) -> list[TrendLine]:
    """Each domain's weekly shares, None for a week with nothing tracked."""
    bands = data.report.profile.bands
    return [
        TrendLine(
            domain.id,
            domain.label,
            tuple(
                w.shares.get(domain.id, 0.0) if w.tracked_seconds > 0 else None for w in data.trend
            ),
            bands.get(domain.id),
            tuple(plan.target(domain.id) for plan in data.trend_plans),
        )
        for domain in framework.domains
    ]


@dataclass(frozen=True)
class Fonts:
    body: QFont
    heading: QFont
    title: QFont

    @classmethod
    def from_base(cls, base: QFont, body_pt: float) -> Fonts:
        body = QFont(base)
        body.setPointSizeF(body_pt)
        heading = QFont(body)
        heading.setBold(True)
        heading.setPointSizeF(body_pt * 1.2)
        title = QFont(body)
        title.setBold(True)
        title.setPointSizeF(body_pt * 1.9)
        return cls(body, heading, title)


class _Cursor:
    """Paints blocks top to bottom inside a rectangle and tracks the space left."""

    def __init__(self, painter: QPainter, rect: QRectF, theme: ChartTheme, fonts: Fonts) -> None:
        self.painter = painter
        self.rect = rect
        self.theme = theme
        self.fonts = fonts
        self.y = rect.top()

    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.painter.device())

    @property
    def left(self) -> float:
        return self.rect.bottom() - self.y

    def text(self, text: str, font: QFont, *, muted: bool = False, gap: float = 4.0) -> None:
        """Word-wrapped text across the full width."""
        self.wrapped(text, font, QRectF(self.rect.left(), self.y, self.rect.width(), 0), muted)
        self.y += gap

    def wrapped(self, text: str, font: QFont, area: QRectF, muted: bool = False) -> float:
        self.painter.setFont(font)
        self.painter.setPen(self.theme.muted_text if muted else self.theme.text)
        flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
        bounds = self.painter.boundingRect(
            QRectF(area.left(), area.top(), area.width(), 10_000), flags, text
        )
        self.painter.drawText(
            QRectF(area.left(), area.top(), area.width(), bounds.height()), flags, text
        )
        height = bounds.height()
        if area.height() == 0:
            self.y = area.top() + height
        return height

    def heading(self, text: str) -> None:
        self.y += SECTION_GAP / 2
        metrics = self.metrics(self.fonts.heading)
        self.painter.setFont(self.fonts.heading)
        self.painter.setPen(self.theme.text)
        self.painter.drawText(QPointF(self.rect.left(), self.y + metrics.ascent()), text)
        self.y += metrics.height() + 3
        self.painter.setPen(QPen(self.theme.grid, 1))
        self.painter.drawLine(QPointF(self.rect.left(), self.y), QPointF(self.rect.right(), self.y))
        self.y += 5


def _bars(cursor: _Cursor, data: DashboardData, level: Level) -> None:
    report = data.report
    allocations = report.domains if level is Level.DOMAIN else report.focus_areas
    rows = with_plans(rows_from(allocations), data.plan_rows)
    metrics = cursor.metrics(cursor.fonts.body)
    height = bar_layout(metrics, rows, cursor.rect.width()).height(len(rows))
    paint_bar_chart(
        cursor.painter,
        QRectF(cursor.rect.left(), cursor.y, cursor.rect.width(), height),
        rows,
        theme=cursor.theme,
        font=cursor.fonts.body,
    )
    cursor.y += height


def _trend(cursor: _Cursor, data: DashboardData, framework: Framework, height: float) -> None:
    paint_trend(
        cursor.painter,
        QRectF(cursor.rect.left(), cursor.y, cursor.rect.width(), height),
        [w.week_start for w in data.trend],
        trend_lines(data, framework),
        theme=cursor.theme,
        font=cursor.fonts.body,
    )
    cursor.y += height


def verdict_summary(data: DashboardData) -> str:
    """One sentence on the banded areas: which are outside their bands and by how much."""
    report = data.report
    if report.total_seconds <= 0:
        return "No time was tracked in this period."
    banded = [a for a in (*report.domains, *report.focus_areas) if a.verdict is not None]
    outside = [a for a in banded if a.verdict and a.verdict.status in ("below", "above")]
    within = [a.label for a in banded if a.verdict and a.verdict.status == "within"]
    if not outside:
        return "Every banded area is within its band."
    listed = "; ".join(f"{a.label} {a.verdict.describe()}" for a in outside if a.verdict)
    return f"Outside their bands: {listed}." + (f" Within: {', '.join(within)}." if within else "")


def _trend_heading(data: DashboardData) -> str:
    if not data.trend:
        return "Weekly trend"
    first = data.trend[0].week_start
    last = data.trend[-1].week_end
    planned = any(not p.is_empty for p in data.trend_plans)
    return (
        f"Weekly share of each domain: {len(data.trend)} weeks, "
        f"{first.day} {first:%b %Y} to {last.day} {last:%b %Y}"
    ) + (" (dashed line: plan)" if planned else "")


def _focus_heading(data: DashboardData) -> str:
    banded = [
        f"{a.label} {band_text(a.band)}" for a in data.report.focus_areas if a.band is not None
    ]
    return "Focus areas" + (f" ({', '.join(banded)})" if banded else "")


def paint_charts_sheet(
    painter: QPainter,
    rect: QRectF,
    view: ViewData,
    framework: Framework,
    *,
    theme: ChartTheme,
    fonts: Fonts,
) -> float:
    """Title, domain bars, focus-area bars and the trend; returns the height used."""
    data = view.data
    cursor = _Cursor(painter, rect, theme, fonts)
    cursor.text(
        f"SEC allocation, {period_text(view.period)} (profile: {data.report.profile.label})",
        fonts.heading,
    )
    cursor.heading("Domains")
    _bars(cursor, data, Level.DOMAIN)
    cursor.heading(_focus_heading(data))
    _bars(cursor, data, Level.FOCUS_AREA)
    cursor.heading(_trend_heading(data))
    _trend(cursor, data, framework, cursor.metrics(fonts.body).height() * 11)
    return cursor.y - rect.top()


def charts_sheet_height(width: float, view: ViewData, framework: Framework, fonts: Fonts) -> float:
    """The height `paint_charts_sheet` needs, measured by painting into a null device."""
    picture = QPicture()
    painter = QPainter(picture)
    try:
        return paint_charts_sheet(
            painter,
            QRectF(0, 0, width, 100_000),
            view,
            framework,
            theme=ChartTheme.light(),
            fonts=fonts,
        )
    finally:
        painter.end()


class ReportPage:
    """The one-page report for a CEO or board conversation, painted top to bottom."""

    def __init__(
        self,
        painter: QPainter,
        rect: QRectF,
        view: ViewData,
        framework: Framework,
        *,
        theme: ChartTheme,
        fonts: Fonts,
        name: str = "",
        company: str = "",
    ) -> None:
        self.cursor = _Cursor(painter, rect, theme, fonts)
        # Who the report is about, from the settings; either may be empty.
        self.prepared_for = " \u00b7 ".join(part for part in (name, company) if part)
        self.view = view
        self.framework = framework
        self.metrics = self.cursor.metrics(fonts.body)
        # What is below this line is left for the footer.
        self.bottom = rect.bottom() - self.metrics.height() * 2

    def paint(self, generated: datetime) -> None:
        self._header()
        self._charts()
        self._activities_and_insights()
        self._estimates()
        self._footer(generated)

    def _header(self) -> None:
        cursor, fonts = self.cursor, self.cursor.fonts
        data = self.view.data
        report, period, coverage = data.report, self.view.period, data.coverage
        cursor.text("Where the technology leader's time went", fonts.title, gap=2)
        if self.prepared_for:
            cursor.text(self.prepared_for, fonts.heading, gap=2)
        cursor.text(
            f"{period_text(period)} ({period.first.isoformat()} to {period.last.isoformat()}, "
            f"{period.tz.key}) \u00b7 benchmark profile: {report.profile.label}",
            fonts.body,
            muted=True,
        )
        cursor.text(
            f"Tracked {duration(report.total_seconds)} in {report.entry_count} entries; "
            f"{pct(coverage.share)} of working hours have entries "
            f"({duration(coverage.tracked_seconds)} of {duration(coverage.working_seconds)}).",
            fonts.body,
        )
        cursor.text(verdict_summary(data), fonts.body)
        cursor.text(plan_summary(data.plan, data.plan_rows), fonts.body)
        comparison = period_over_period(report, data.previous)
        if comparison:
            cursor.text(comparison, fonts.body)

    def _charts(self) -> None:
        cursor, data = self.cursor, self.view.data
        cursor.heading("Domains against their bands")
        _bars(cursor, data, Level.DOMAIN)
        cursor.heading(_focus_heading(data))
        _bars(cursor, data, Level.FOCUS_AREA)
        by_level = data.report.tagged_seconds_by_level
        above = by_level.get(Level.DOMAIN, 0.0) + by_level.get(Level.FOCUS_AREA, 0.0)
        if above > 0:
            cursor.y += 4
            cursor.text(
                f"{duration(above)} was tagged only at domain or focus-area level and counts "
                "there.",
                cursor.fonts.body,
                muted=True,
            )
        cursor.heading(_trend_heading(data))
        _trend(cursor, data, self.framework, self.metrics.height() * 9)

    def _activities_and_insights(self) -> None:
        """Two columns, top activities and insights, cut to the space left on the page."""
        cursor, metrics, data = self.cursor, self.metrics, self.view.data
        painter, theme, rect = cursor.painter, cursor.theme, cursor.rect
        cursor.heading("Top activities and insights")
        column_gap = 24.0
        column_width = (rect.width() - column_gap) / 2
        top = cursor.y
        y = top
        painter.setFont(cursor.fonts.body)
        painter.setPen(theme.text)
        for allocation in data.top_activities[:REPORT_TOP_ACTIVITIES]:
            if y + metrics.height() > self.bottom:
                break
            numbers = f"{duration(allocation.seconds)}  {pct(allocation.share)}"
            numbers_width = metrics.horizontalAdvance(numbers)
            label = metrics.elidedText(
                allocation.label, Qt.TextElideMode.ElideRight, column_width - numbers_width - 12
            )
            baseline = y + metrics.ascent()
            painter.drawText(QPointF(rect.left(), baseline), label)
            painter.drawText(QPointF(rect.left() + column_width - numbers_width, baseline), numbers)
            y += metrics.height() * 1.3
        left_bottom = y
        y = top
        right = rect.left() + column_width + column_gap
        texts = [
            f"{SEVERITY_MARKS.get(i.severity, '')} {i.text}"
            for i in data.insights[:REPORT_INSIGHTS]
        ] or ["Nothing stands out in the weeks shown."]
        for text in texts:
            if y + metrics.height() > self.bottom:
                break
            y += cursor.wrapped(text, cursor.fonts.body, QRectF(right, y, column_width, 1)) + 4
        cursor.y = max(left_bottom, y)

    def _estimates(self) -> None:
        cursor, metrics = self.cursor, self.metrics
        pinged = [e for e in self.view.data.estimates.values() if e.pings > 0]
        if not pinged or cursor.y + metrics.height() * 4 > self.bottom:
            return
        cursor.heading("Random-ping estimates (95% intervals)")
        for estimate in pinged:
            if cursor.y + metrics.height() * 2 > self.bottom:
                break
            label = self.framework[estimate.node_id].label
            cursor.text(
                f"{label}: {estimate.interval_text()}; {estimate.describe()}",
                cursor.fonts.body,
                gap=1,
            )

    def _footer(self, generated: datetime) -> None:
        cursor, metrics = self.cursor, self.metrics
        painter, rect = cursor.painter, cursor.rect
        painter.setFont(cursor.fonts.body)
        painter.setPen(cursor.theme.muted_text)
        footer = (
            f"{APP_NAME} \u00b7 {self.framework.name} {self.framework.version} \u00b7 shares "
            "are of all tracked time \u00b7 generated "
            f"{generated.astimezone(self.view.period.tz):%Y-%m-%d %H:%M}"
        )
        painter.drawText(
            QPointF(rect.left(), rect.bottom() - metrics.descent()),
            metrics.elidedText(footer, Qt.TextElideMode.ElideRight, rect.width()),
        )
