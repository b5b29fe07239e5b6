"""The overview's text column: tracked time and coverage, insights, the top activities and the
random-ping estimates with their band verdicts."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QProgressBar, QVBoxLayout, QWidget

from sec_desktop.analytics.comparison import plan_summary
from sec_desktop.analytics.insights import Insight
from sec_desktop.analytics.text import SEVERITY_MARKS, duration, pct
from sec_desktop.framework import Framework, Level
from sec_desktop.ui.accessibility import expose_text
from sec_desktop.ui.dashboard.theme import ChartTheme
from sec_desktop.ui.dashboard.view import ViewData
from sec_desktop.ui.dashboard.widgets import group_box, wrapping_label

TOP_ACTIVITIES_SHOWN = 5
INSIGHTS_SHOWN = 4


class SummaryColumn(QWidget):
    """Text boxes beside the charts; `show_view` fills them from a computed view.

    Each insight is a link (click it, or Tab to it and press Enter): `insightActivated`
    carries the insight, whose entries the window then lists.
    """

    insightActivated = Signal(object)
    # A top activity's name is a link too: its id, for the entries behind its time.
    activityActivated = Signal(str)

    def __init__(self, framework: Framework, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.framework = framework
        self.insights: list[Insight] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._build_summary_box())
        insights_box, insights_layout = group_box("Insights", "Insights")
        self.insights_label = wrapping_label("Insights", live=True)
        self.insights_label.setTextFormat(Qt.TextFormat.RichText)
        self.insights_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.insights_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.insights_label.linkActivated.connect(self._insight_link)
        insights_layout.addWidget(self.insights_label)
        column.addWidget(insights_box)
        column.addWidget(self._build_plan_box())
        column.addWidget(self._build_top_box())
        column.addWidget(self._build_confidence_box())
        column.addStretch(1)

    def _build_summary_box(self) -> QGroupBox:
        box, layout = group_box("Tracked time and coverage", "Coverage")
        self.summary_label = wrapping_label("Tracked time")
        self.coverage_share = QLabel()
        expose_text(self.coverage_share, "Coverage share")
        headline = self.summary_label.font()
        headline.setBold(True)
        self.summary_label.setFont(headline)
        self.coverage_share.setFont(headline)
        self.coverage_bar = QProgressBar()
        self.coverage_bar.setAccessibleName("Share of working hours with entries")
        self.coverage_bar.setRange(0, 1000)
        self.coverage_bar.setTextVisible(False)
        self.coverage_label = wrapping_label("Coverage details", live=True)
        for widget in (
            self.summary_label,
            self.coverage_share,
            self.coverage_bar,
            self.coverage_label,
        ):
            layout.addWidget(widget)
        return box

    def _build_top_box(self) -> QGroupBox:
        box, layout = group_box("Top activities", "Top activities")
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(0, 1)
        self.top_rows: list[tuple[QLabel, QLabel, QLabel]] = []
        for row in range(TOP_ACTIVITIES_SHOWN):
            cells = (QLabel(), QLabel(), QLabel())
            cells[0].setTextFormat(Qt.TextFormat.RichText)
            cells[0].setTextInteractionFlags(
                Qt.TextInteractionFlag.LinksAccessibleByMouse
                | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
            )
            cells[0].linkActivated.connect(self.activityActivated)
            for column, cell in enumerate(cells):
                if column:
                    cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                grid.addWidget(cell, row, column)
            self.top_rows.append(cells)
        self.top_empty = QLabel("No time on any activity in this period.")
        layout.addLayout(grid)
        layout.addWidget(self.top_empty)
        return box

    def _build_confidence_box(self) -> QGroupBox:
        box, layout = group_box("Random-ping estimates (95% interval)", "Sampled estimates")
        box.setToolTip(
            "A band verdict is given once the whole 95% interval lies below, within or above "
            "the band; until then it says how many more answered prompts would decide it."
        )
        self.confidence_label = wrapping_label("Sampled estimates")
        layout.addWidget(self.confidence_label)
        self.confidence_grid = QGridLayout()
        self.confidence_grid.setContentsMargins(0, 0, 0, 0)
        self.confidence_grid.setVerticalSpacing(2)
        self.confidence_grid.setColumnStretch(2, 1)
        layout.addLayout(self.confidence_grid)
        self.confidence_rows: list[tuple[QLabel, QLabel, QLabel]] = []
        return box

    def show_view(self, view: ViewData, profile_label: str) -> None:
        self._fill_summary(view, profile_label)
        self._fill_insights(view)
        self._fill_confidence(view)
        self._fill_top(view)
        self._fill_plan(view)

    def _fill_summary(self, view: ViewData, profile_label: str) -> None:
        data = view.data
        report = data.report
        cov = data.coverage
        self.summary_label.setText(
            f"{duration(report.total_seconds)} tracked in {report.entry_count} entries, "
            f"profile {profile_label}."
        )
        self.coverage_bar.setValue(round(min(1.0, cov.share) * 1000))
        self.coverage_share.setText(f"{pct(cov.share)} of working hours have entries.")
        self.coverage_bar.setAccessibleDescription(self.coverage_share.text())
        lines = [
            f"{duration(cov.tracked_seconds)} of {duration(cov.working_seconds)} working time "
            "has entries."
        ]
        if cov.unanswered_away_seconds > 0:
            lines.append(
                f"{duration(cov.unanswered_away_seconds)} away, not answered yet: "
                "answer it from the tray (Answer away time)."
            )
        if cov.tracked_outside_working_seconds > 0:
            lines.append(
                f"{duration(cov.tracked_outside_working_seconds)} tracked outside working hours."
            )
        by_level = report.tagged_seconds_by_level
        for level, noun in ((Level.DOMAIN, "domain"), (Level.FOCUS_AREA, "focus-area")):
            seconds = by_level.get(level, 0.0)
            if seconds > 0:
                lines.append(f"{duration(seconds)} tagged at {noun} level only.")
        for activity_id, seconds in report.unknown:
            lines.append(
                f"{duration(seconds)} tagged {activity_id!r}, which this framework doesn't have."
            )
        self.coverage_label.setText("\n".join(lines))

    def _fill_insights(self, view: ViewData) -> None:
        found = view.data.insights[:INSIGHTS_SHOWN]
        self.insights = list(found)
        if not found:
            self.insights_label.setText("Nothing stands out in the weeks shown.")
            self.insights_label.setAccessibleDescription("")
            return
        self.insights_label.setText(
            "<br>".join(
                f'{SEVERITY_MARKS[i.severity]} <a href="{index}">{html.escape(i.text)}</a>'
                for index, i in enumerate(found)
            )
        )
        self.insights_label.setAccessibleDescription(
            "; ".join(i.text for i in found) + ". Each opens the entries it is about."
        )

    def _insight_link(self, href: str) -> None:
        if href.isdigit() and int(href) < len(self.insights):
            self.insightActivated.emit(self.insights[int(href)])

    def _confidence_row(self, row: int) -> tuple[QLabel, QLabel, QLabel]:
        """The labels of one estimate row, made on first use and kept for later views."""
        while len(self.confidence_rows) <= row:
            name = QLabel()
            font = name.font()
            font.setBold(True)
            name.setFont(font)
            share = QLabel()
            verdict = wrapping_label("Estimate verdict")
            index = len(self.confidence_rows)
            for column, cell in enumerate((name, share, verdict)):
                self.confidence_grid.addWidget(cell, index, column, Qt.AlignmentFlag.AlignTop)
            self.confidence_rows.append((name, share, verdict))
        return self.confidence_rows[row]

    def _fill_confidence(self, view: ViewData) -> None:
        estimates = list(view.data.estimates.values())
        pings = max((e.pings for e in estimates), default=0)
        shown = estimates if pings else []
        if pings == 0:
            self.confidence_label.setText(
                "No random-ping answers in this period. When random prompts are answered, "
                "each banded share is estimated here with its 95% interval."
            )
        else:
            self.confidence_label.setText(
                f"{pings} random ping{'s' if pings != 1 else ''} answered; each share with "
                "its 95% interval:"
            )
        theme = ChartTheme.from_palette(self.palette())
        for row, estimate in enumerate(shown):
            name, share, verdict = self._confidence_row(row)
            label = self.framework[estimate.node_id].label
            name.setText(label)
            share.setText(
                f"{estimate.share * 100:.0f}% "
                f"({estimate.low * 100:.0f}\u2013{estimate.high * 100:.0f}%)"
            )
            expose_text(share, f"{label} estimate")
            expose_text(verdict, f"{label} estimate verdict")
            status = estimate.verdict if estimate.verdict != "not_enough_data" else None
            palette = verdict.palette()
            palette.setColor(verdict.foregroundRole(), theme.verdict_colour(status))
            verdict.setPalette(palette)
            verdict.setText(estimate.describe())
        for row, cells in enumerate(self.confidence_rows):
            for cell in cells:
                if cell.isVisibleTo(self) != (row < len(shown)):
                    cell.setVisible(row < len(shown))

    def _fill_top(self, view: ViewData) -> None:
        shown = view.data.top_activities[:TOP_ACTIVITIES_SHOWN]
        if self.top_empty.isVisibleTo(self) == bool(shown):
            self.top_empty.setVisible(not shown)
        for index, cells in enumerate(self.top_rows):
            allocation = shown[index] if index < len(shown) else None
            texts = (
                (
                    f'<a href="{html.escape(allocation.id)}">{html.escape(allocation.label)}</a>',
                    duration(allocation.seconds),
                    pct(allocation.share),
                )
                if allocation is not None
                else ("", "", "")
            )
            for cell, text in zip(cells, texts, strict=True):
                cell.setText(text)
                if cell.isVisibleTo(self) != (allocation is not None):
                    cell.setVisible(allocation is not None)
            if allocation is not None:
                cells[0].setToolTip(self.framework.path_label(allocation.id))

    def _build_plan_box(self) -> QGroupBox:
        box, layout = group_box("Plan", "Plan")
        self.plan_label = wrapping_label("Plan against actual")
        layout.addWidget(self.plan_label)
        return box

    def _fill_plan(self, view: ViewData) -> None:
        data = view.data
        text = plan_summary(data.plan, data.plan_rows)
        if data.plan is None or data.plan.is_empty:
            text += " Plan\u2026 above sets target shares for a quarter."
        self.plan_label.setText(text)
