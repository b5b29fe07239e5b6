"""The overview's charts: domain and focus-area shares against their bands (a focus area opens
on its activities), and the weekly trend of each domain's share.

Every bar leads to its entries: a domain bar and an activity bar (in a focus area's view) ask
for them with `entriesRequested(node_id)`, as does the focus area's "Show its entries".
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from sec_desktop.analytics import Allocation
from sec_desktop.analytics.text import pct
from sec_desktop.framework import Framework
from sec_desktop.ui.dashboard.charts import BarChart, TrendChart, rows_from, with_plans
from sec_desktop.ui.dashboard.report import trend_lines
from sec_desktop.ui.dashboard.view import ViewData
from sec_desktop.ui.dashboard.widgets import group_box
from sec_desktop.ui.widgets import literal

FOCUS_TITLE = (
    "Focus areas (click one, or press Enter on it, to see its activities; right-click it for "
    "its entries)"
)
DOMAINS_TITLE = "Domains (click one, or press Enter on it, to see its entries)"


class AllocationCharts(QWidget):
    """The Domains, Focus areas and Weekly trend boxes, one above the other."""

    entriesRequested = Signal(str)

    def __init__(self, framework: Framework, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.framework = framework
        self.view: ViewData | None = None
        self._drill: str | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)

        domains_box, layout = group_box(DOMAINS_TITLE, "Domains chart")
        self.domain_chart = BarChart(activatable=True)
        self.domain_chart.setAccessibleName(
            "Domain shares against their bands; Enter shows a domain's entries"
        )
        self.domain_chart.rowActivated.connect(self.entriesRequested)
        self.domain_chart.rowEntriesRequested.connect(self.entriesRequested)
        layout.addWidget(self.domain_chart)
        column.addWidget(domains_box)

        self.focus_box, layout = group_box(FOCUS_TITLE, "Focus areas chart")
        self.focus_header = QWidget()
        header = QHBoxLayout(self.focus_header)
        header.setContentsMargins(0, 0, 0, 0)
        self.focus_hint = QLabel()
        self.focus_hint.setAccessibleName("Focus area shown")
        self.focus_back = QPushButton("\u2190 All focus areas")
        self.focus_back.setAccessibleName("Back to all focus areas")
        self.focus_back.clicked.connect(lambda: self.drill_into(None))
        self.focus_entries = QPushButton("Show its &entries")
        self.focus_entries.setAccessibleName("Show the focus area's entries")
        self.focus_entries.clicked.connect(self._focus_entries_clicked)
        header.addWidget(self.focus_hint, 1)
        header.addWidget(self.focus_entries)
        header.addWidget(self.focus_back)
        self.focus_header.hide()
        layout.addWidget(self.focus_header)
        self.focus_chart = BarChart(activatable=True)
        self.focus_chart.setAccessibleName(
            "Focus area shares; Enter shows a focus area's activities"
        )
        self.focus_chart.rowActivated.connect(self._focus_row_activated)
        # A focus area's own entries, without opening it: its bar's context menu.
        self.focus_chart.rowEntriesRequested.connect(self.entriesRequested)
        layout.addWidget(self.focus_chart)
        column.addWidget(self.focus_box)

        self.trend_box, layout = group_box("Weekly trend", "Weekly trend chart")
        self.trend_chart = TrendChart()
        self.trend_chart.setAccessibleName("Weekly share of each domain")
        layout.addWidget(self.trend_chart)
        column.addWidget(self.trend_box, 1)

    def show_view(self, view: ViewData) -> None:
        self.view = view
        data = view.data
        self.domain_chart.set_rows(with_plans(rows_from(data.report.domains), data.plan_rows))
        self._fill_focus_chart()
        weeks = [w.week_start for w in data.trend]
        self.trend_chart.set_data(weeks, trend_lines(data, self.framework))
        if weeks:
            last_day = weeks[-1] + timedelta(days=6)
            planned = any(not p.is_empty for p in data.trend_plans)
            self.trend_box.setTitle(
                f"Weekly trend: {len(weeks)} weeks, {weeks[0].day} {weeks[0]:%b} \u2013 "
                f"{last_day.day} {last_day:%b %Y}" + (" (dashed line: plan)" if planned else "")
            )

    def _focus_row_activated(self, key: str) -> None:
        if self._drill is None and key in self.framework:
            self.drill_into(key)
        elif self._drill is not None:
            self.entriesRequested.emit(key)  # an activity of the focus area shown

    def _focus_entries_clicked(self) -> None:
        if self._drill is not None:
            self.entriesRequested.emit(self._drill)

    def drill_into(self, focus_area_id: str | None) -> None:
        """Show a focus area's activities in the focus-area chart (None: all focus areas)."""
        self._drill = focus_area_id
        self._fill_focus_chart()

    def _fill_focus_chart(self) -> None:
        if self.view is None:
            return
        report = self.view.data.report
        if self._drill is None:
            self.focus_box.setTitle(FOCUS_TITLE)
            self.focus_header.hide()
            plans = self.view.data.plan_rows
            self.focus_chart.set_rows(with_plans(rows_from(report.focus_areas), plans))
            return
        node = self.framework[self._drill]
        shown = {a.id: a for a in report.activities}
        rows = [
            shown.get(child.id) or Allocation(child.id, child.label, child.level, 0.0, 0.0)
            for child in self.framework.children(node.id)
        ]
        focus = next((a for a in report.focus_areas if a.id == node.id), None)
        self.focus_box.setTitle(
            f"Focus areas \u203a {literal(node.label)} (click an activity to see its entries)"
        )
        share = pct(focus.share) if focus else pct(0.0)
        self.focus_hint.setText(
            f"{node.label}: {share} of all tracked time; its activities as shares of all time."
        )
        self.focus_header.show()
        self.focus_chart.set_rows(rows_from(rows))
