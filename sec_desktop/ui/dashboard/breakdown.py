"""The Breakdown tab: every domain, focus area and activity with its time, share, band, verdict
and random-ping estimate, as a tree. Double-click a row (or press Enter on it) for its entries."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from sec_desktop.analytics import Allocation
from sec_desktop.analytics.text import band_text, duration, pct, verdict_text
from sec_desktop.framework import Framework, Level
from sec_desktop.ui.dashboard.theme import ChartTheme
from sec_desktop.ui.dashboard.view import ViewData

BREAKDOWN_COLUMNS = (
    "Domain \u203a focus area \u203a activity",
    "Time",
    "Share",
    "Band",
    "Verdict",
    "Random-ping estimate",
    "Estimate verdict",
    "Plan",
    "Plan verdict",
)
NODE_ROLE = Qt.ItemDataRole.UserRole


PLAN_COLUMN = BREAKDOWN_COLUMNS.index("Plan")


class BreakdownTree(QTreeWidget):
    """The framework's tree with the view's numbers; activities without time are left out.

    `entriesRequested(node_id)` asks for the entries behind an activated row.
    """

    entriesRequested = Signal(str)

    def __init__(self, framework: Framework, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.framework = framework
        self.itemActivated.connect(self._activated)
        self.setAccessibleName("Breakdown by domain, focus area and activity")
        self.setHeaderLabels(list(BREAKDOWN_COLUMNS))
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        header = self.header()
        for column in range(len(BREAKDOWN_COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def show_view(self, view: ViewData) -> None:
        report = view.data.report
        rows: dict[str, Allocation] = {
            a.id: a for a in (*report.domains, *report.focus_areas, *report.activities)
        }
        estimates = view.data.estimates
        plans = {p.id: p for p in view.data.plan_rows if p.plan is not None}
        # Light or dark as the window is (an item view may have a palette of its own).
        theme = ChartTheme.from_palette(self.window().palette())
        self.clear()

        def add(parent: QTreeWidget | QTreeWidgetItem, node_id: str) -> None:
            node = self.framework[node_id]
            row = rows.get(node_id)
            if row is None and node.level is Level.ACTIVITY:
                return
            item = QTreeWidgetItem(parent)
            item.setText(0, node.label)
            item.setToolTip(0, node.id)
            item.setData(0, NODE_ROLE, node.id)
            if row is not None:
                item.setText(1, duration(row.seconds))
                item.setText(2, pct(row.share))
                if row.band is not None:
                    item.setText(3, band_text(row.band))
                item.setText(4, verdict_text(row.verdict))
                if row.verdict is not None:
                    item.setForeground(4, theme.verdict_colour(row.verdict.status))
            estimate = estimates.get(node_id)
            if estimate is not None:
                item.setText(5, estimate.interval_text())
                item.setText(6, estimate.describe())
                item.setToolTip(6, estimate.describe())
            plan = plans.get(node_id)
            if plan is not None and plan.plan is not None:
                item.setText(PLAN_COLUMN, pct(plan.plan))
                item.setText(PLAN_COLUMN + 1, plan.verdict.describe())
                status = plan.verdict.status if plan.verdict.status != "on_plan" else "within"
                item.setForeground(PLAN_COLUMN + 1, theme.verdict_colour(status))
            for column in (1, 2, PLAN_COLUMN):
                item.setTextAlignment(
                    column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
            for child in self.framework.children(node_id):
                add(item, child.id)

        for domain in self.framework.domains:
            add(self, domain.id)
        for activity_id, seconds in report.unknown:
            item = QTreeWidgetItem(self)
            item.setText(0, f"{activity_id} (not in this framework)")
            item.setData(0, NODE_ROLE, activity_id)
            item.setText(1, duration(seconds))
            share = seconds / report.total_seconds if report.total_seconds else 0.0
            item.setText(2, pct(share))
        self.expandAll()

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        node_id = item.data(0, NODE_ROLE)
        if node_id:
            self.entriesRequested.emit(str(node_id))
