"""The dashboard window: where the time went in a period, against the benchmark bands.

The first view is computed before the window is first painted. Later period, profile and data
changes are computed in the GUI thread when the period is a quarter or less (fast enough not
to be seen) and on a worker thread when it is longer; only the newest result is shown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QDate, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sec_desktop import APP_NAME
from sec_desktop.analytics import Allocation, Period, PeriodError, named_period
from sec_desktop.analytics.coverage import default_working_intervals
from sec_desktop.analytics.periods import shifted_period
from sec_desktop.analytics.text import (
    PERIOD_KIND_LABELS,
    PERIOD_KINDS,
    SEVERITY_MARKS,
    band_text,
    duration,
    literal,
    pct,
    period_text,
    verdict_text,
)
from sec_desktop.framework import Band, BenchmarkProfile, Framework, Level
from sec_desktop.framework.custom_profile import (
    CUSTOM_PROFILE_ID,
    CustomProfileError,
    make_custom_profile,
    profiles_for,
    save_custom_profile,
)
from sec_desktop.store import Entry, EntryStore, StoreError, utc_now
from sec_desktop.ui.dashboard import export
from sec_desktop.ui.dashboard.charts import BarChart, TrendChart, rows_from
from sec_desktop.ui.dashboard.dialogs import (
    BandEditorDialog,
    RetagDialog,
    SplitDialog,
    TimesDialog,
)
from sec_desktop.ui.dashboard.entries import COLUMNS, EditRefused, EntriesModel, EntryEditor
from sec_desktop.ui.dashboard.report import trend_lines
from sec_desktop.ui.dashboard.theme import ChartTheme
from sec_desktop.ui.dashboard.view import ViewData, ViewLoader, ViewRequest
from sec_desktop.ui.dashboard.widgets import (
    combo_box,
    date_edit,
    group_box,
    tool_button,
    wrapping_label,
)

WorkingIntervalsFor = Callable[[Period], list[tuple[datetime, datetime]]]
DEFAULT_SIZE = (1280, 800)
# Views of up to a quarter are computed in the GUI thread: scripts/bench_dashboard.py measures
# the core at about 10-30 ms for them, less than a thread hand-off costs. Longer ones (a year
# takes 60-150 ms) go to the worker thread so the window keeps responding.
INLINE_MAX_DAYS = 92
TOP_ACTIVITIES_SHOWN = 5
# The widest text each entries column usually holds (the activity column takes the rest).
ENTRY_COLUMN_SAMPLES = (
    "Wed 2026-12-30",
    "00:00",
    "00:00 (+1 d)",
    "10 h 00 min",
    "",
    "import:timewarrior",
    "A note of a few words, for the width",
)
FOCUS_TITLE = "Focus areas (click one, or press Enter on it, to see its activities)"
INSIGHTS_SHOWN = 4


class EntriesView(QTableView):
    """The entries table; the Delete key asks to delete the selected entries."""

    deleteRequested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Delete:
            self.deleteRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class DashboardWindow(QMainWindow):
    """Period and profile pickers, the charts, the breakdown, the entries table and exports."""

    # Emitted after a view has been computed and shown.
    viewShown = Signal()

    def __init__(
        self,
        framework: Framework,
        store: EntryStore,
        data_dir: Path,
        config_dir: Path,
        tz: ZoneInfo,
        *,
        now: Callable[[], datetime] = utc_now,
        working_intervals_for: WorkingIntervalsFor | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.framework = framework
        self.store = store
        self.data_dir = data_dir
        self.config_dir = config_dir
        self.tz = tz
        self.now = now
        self.working_intervals_for = working_intervals_for or default_working_intervals
        self.store_lock = threading.RLock()
        self.loader = ViewLoader(store, framework, self.store_lock, self)
        self.loader.loaded.connect(self._show_view)
        self.loader.failed.connect(self._show_failure)
        self.editor = EntryEditor(store, framework, now, self.store_lock, self)
        self.editor.changed.connect(self.refresh)
        self.editor.failed.connect(self._show_error)
        self.profile_problems: list[str] = []
        self.profiles: dict[str, BenchmarkProfile] = profiles_for(
            framework, data_dir, self.profile_problems
        )
        self.profile_id = "default" if "default" in self.profiles else next(iter(self.profiles))
        self.kind = "this-week"
        self.period = named_period("week", self.today(), tz)
        self.view: ViewData | None = None
        self._generation = 0
        self._drill: str | None = None
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._recompute)

        self.setWindowTitle(f"{APP_NAME} \u2014 Dashboard")
        self.setAccessibleName("Dashboard")
        self.resize(*DEFAULT_SIZE)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self._build_top_bar())
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Dashboard sections")
        self.tabs.addTab(self._build_overview(), "&Overview")
        self.tabs.addTab(self._build_breakdown(), "&Breakdown")
        self.tabs.addTab(self._build_entries(), "&Entries")
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.statusBar().setAccessibleName("Status")
        application = QCoreApplication.instance()
        if application is not None:
            # A computation still running at quit must finish before its thread is destroyed.
            application.aboutToQuit.connect(self.shutdown)
        self._sync_controls()
        self._show_view(self.loader.compute_now(self._request()))

    # Time and requests -------------------------------------------------------------------

    def today(self) -> date:
        return self.now().astimezone(self.tz).date()

    @property
    def profile(self) -> BenchmarkProfile:
        return self.profiles[self.profile_id]

    def _request(self) -> ViewRequest:
        self._generation += 1
        return ViewRequest(
            self._generation,
            self.period,
            self.profile,
            list(self.working_intervals_for(self.period)),
            now=self.now(),
        )

    def refresh(self) -> None:
        """Recompute the view soon (after an edit or a picker change); calls coalesce."""
        self._refresh_timer.start()

    def _recompute(self) -> None:
        request = self._request()
        period = request.period
        if self.loader.busy or (period.last - period.first).days + 1 > INLINE_MAX_DAYS:
            self.loader.submit(request)
            return
        try:
            view = self.loader.compute_now(request)
        except Exception as exc:  # noqa: BLE001 - shown to the user; the window stays up
            self._show_failure(f"The dashboard could not be computed: {exc}")
            return
        self._show_view(view)

    # Top bar ----------------------------------------------------------------------------

    def _build_top_bar(self) -> QWidget:
        bar = QFrame()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        period_label = QLabel("&Period:")
        self.kind_box = combo_box("Period")
        for kind in PERIOD_KINDS:
            self.kind_box.addItem(PERIOD_KIND_LABELS[kind], kind)
        period_label.setBuddy(self.kind_box)
        self.kind_box.activated.connect(
            lambda index: self.set_period_kind(str(self.kind_box.itemData(index)))
        )
        self.prev_button = tool_button("\u25c0", "Previous period", "Alt+Left")
        self.prev_button.clicked.connect(lambda: self.shift_period(-1))
        self.next_button = tool_button("\u25b6", "Next period", "Alt+Right")
        self.next_button.clicked.connect(lambda: self.shift_period(1))
        self.period_label = QLabel()
        self.period_label.setAccessibleName("Shown period")
        font = self.period_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.period_label.setFont(font)
        self.from_edit = date_edit("From date")
        self.to_edit = date_edit("To date")
        self.from_edit.dateChanged.connect(self._custom_dates_changed)
        self.to_edit.dateChanged.connect(self._custom_dates_changed)
        self.range_error = QLabel()
        self.range_error.setAccessibleName("Range error")
        self.range_error.setStyleSheet("color: palette(bright-text);")
        profile_label = QLabel("Pro&file:")
        self.profile_box = combo_box("Benchmark profile")
        self.profile_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        profile_label.setBuddy(self.profile_box)
        self._fill_profiles()
        self.profile_box.activated.connect(
            lambda index: self.set_profile(str(self.profile_box.itemData(index)))
        )
        self.edit_bands_button = QPushButton("Edit &bands\u2026")
        self.edit_bands_button.setAccessibleName("Edit custom bands")
        self.edit_bands_button.clicked.connect(self.open_band_editor)
        self.export_button = self._build_export_button()
        left: list[QWidget] = [period_label, self.kind_box, self.prev_button, self.next_button]
        right: list[QWidget] = [
            profile_label,
            self.profile_box,
            self.edit_bands_button,
            self.export_button,
        ]
        for widget in left:
            row.addWidget(widget)
        for widget in (self.period_label, self.from_edit, self.to_edit, self.range_error):
            row.addSpacing(8 if widget is self.period_label else 0)
            row.addWidget(widget)
        row.addStretch(1)
        for widget in right:
            row.addWidget(widget)
        return bar

    def _build_export_button(self) -> QToolButton:
        button = QToolButton()
        button.setText("E&xport")
        button.setAccessibleName("Export")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        for text, suffix, handler in (
            ("PDF report\u2026", "pdf", self.export_pdf),
            ("PNG of the charts\u2026", "png", self.export_png),
            ("CSV of the entries\u2026", "csv", self.export_csv),
            ("JSON of the numbers and entries\u2026", "json", self.export_json),
        ):
            action = QAction(text, menu)
            action.triggered.connect(
                lambda _checked=False, s=suffix, h=handler: self._ask_path(s, h)
            )
            menu.addAction(action)
        button.setMenu(menu)
        return button

    def _fill_profiles(self) -> None:
        self.profile_box.blockSignals(True)
        self.profile_box.clear()
        for profile_id, profile in self.profiles.items():
            self.profile_box.addItem(profile.label, profile_id)
            self.profile_box.setItemData(
                self.profile_box.count() - 1, profile.description, Qt.ItemDataRole.ToolTipRole
            )
        self.profile_box.blockSignals(False)

    def _sync_controls(self) -> None:
        """Show the current period and profile in the pickers without re-triggering them."""
        for widget in (self.kind_box, self.from_edit, self.to_edit, self.profile_box):
            widget.blockSignals(True)
        self.kind_box.setCurrentIndex(PERIOD_KINDS.index(self.kind))
        self.from_edit.setDate(
            QDate(self.period.first.year, self.period.first.month, self.period.first.day)
        )
        self.to_edit.setDate(
            QDate(self.period.last.year, self.period.last.month, self.period.last.day)
        )
        custom = self.kind == "custom"
        self.from_edit.setVisible(custom)
        self.to_edit.setVisible(custom)
        index = self.profile_box.findData(self.profile_id)
        if index >= 0:
            self.profile_box.setCurrentIndex(index)
        for widget in (self.kind_box, self.from_edit, self.to_edit, self.profile_box):
            widget.blockSignals(False)
        self.period_label.setText(period_text(self.period))
        self.period_label.setToolTip(
            f"{self.period.first.isoformat()} to {self.period.last.isoformat()} ({self.tz.key})"
        )

    # Period and profile -------------------------------------------------------------------

    def set_period_kind(self, kind: str) -> None:
        """Jump to this week, last week, this month, quarter or year, or a custom range."""
        if kind not in PERIOD_KINDS:
            raise ValueError(f"unknown period kind {kind!r}")
        today = self.today()
        self.kind = kind
        if kind in {"this-week", "week"}:
            self.period = named_period("week", today, self.tz)
        elif kind == "last-week":
            self.period = named_period("last-week", today, self.tz)
        elif kind in ("month", "quarter", "year"):
            self.period = named_period(kind, today, self.tz)
        self.range_error.clear()
        self._sync_controls()
        self.refresh()

    def shift_period(self, steps: int) -> None:
        self.period = shifted_period(self.kind, self.period, steps)
        if self.kind in ("this-week", "last-week", "week"):
            today = self.today()
            if self.period == named_period("week", today, self.tz):
                self.kind = "this-week"
            elif self.period == named_period("last-week", today, self.tz):
                self.kind = "last-week"
            else:
                self.kind = "week"
        self._sync_controls()
        self.refresh()

    def set_custom_range(self, first: date, last: date) -> None:
        """Show the days `first` to `last` (inclusive); an empty range is refused by name."""
        try:
            period = Period(first, last, self.tz)
        except PeriodError as exc:
            self.range_error.setText(f"To date: {exc}.")
            raise
        self.range_error.clear()
        self.kind = "custom"
        self.period = period
        self._sync_controls()
        self.refresh()

    def _custom_dates_changed(self) -> None:
        first = self.from_edit.date().toPython()
        last = self.to_edit.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)  # noqa: S101 - Qt typing
        try:
            self.set_custom_range(first, last)
        except PeriodError:
            return

    def set_profile(self, profile_id: str) -> None:
        if profile_id not in self.profiles:
            raise ValueError(f"unknown profile {profile_id!r}")
        self.profile_id = profile_id
        self._sync_controls()
        self.refresh()

    def open_band_editor(self) -> BandEditorDialog:
        """The custom profile's band editor, starting from the custom or the shown profile."""
        start = self.profiles.get(CUSTOM_PROFILE_ID, self.profile)
        dialog = BandEditorDialog(self.framework, dict(start.bands), self.save_custom_bands, self)
        dialog.open()
        return dialog

    def save_custom_bands(self, bands: dict[str, Band]) -> None:
        """Validate and save the custom profile, then show it; refused input changes nothing."""
        try:
            profile = make_custom_profile(
                self.framework,
                {node_id: (b.low * 100, b.high * 100) for node_id, b in bands.items()},
                description="Bands you set yourself.",
            )
            save_custom_profile(self.data_dir, profile, self.framework)
        except CustomProfileError as exc:
            raise EditRefused(str(exc)) from exc
        except OSError as exc:
            raise EditRefused(f"the custom profile could not be saved ({exc})") from exc
        self.profile_problems.clear()
        self.profiles = profiles_for(self.framework, self.data_dir, self.profile_problems)
        self._fill_profiles()
        self.set_profile(CUSTOM_PROFILE_ID)

    # Overview ---------------------------------------------------------------------------

    def _build_overview(self) -> QWidget:
        page = QWidget()
        columns = QHBoxLayout(page)
        columns.setContentsMargins(4, 6, 4, 4)
        columns.setSpacing(10)
        left = QVBoxLayout()
        left.addWidget(self._build_domains_box())
        left.addWidget(self._build_focus_box())
        left.addWidget(self._build_trend_box(), 1)
        right = QVBoxLayout()
        right.addWidget(self._build_summary_box())
        insights_box, insights_layout = group_box("Insights", "Insights")
        self.insights_label = wrapping_label("Insights")
        insights_layout.addWidget(self.insights_label)
        right.addWidget(insights_box)
        right.addWidget(self._build_top_box())
        right.addWidget(self._build_confidence_box())
        right.addStretch(1)
        columns.addLayout(left, 4)
        columns.addLayout(right, 3)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setAccessibleName("Overview")
        scroll.setWidget(page)
        self.overview_page = page
        self.overview_scroll = scroll
        return scroll

    def _build_domains_box(self) -> QGroupBox:
        box, layout = group_box("Domains", "Domains chart")
        self.domain_chart = BarChart()
        self.domain_chart.setAccessibleName("Domain shares against their bands")
        layout.addWidget(self.domain_chart)
        return box

    def _build_focus_box(self) -> QGroupBox:
        self.focus_box, layout = group_box(FOCUS_TITLE, "Focus areas chart")
        self.focus_header = QWidget()
        header = QHBoxLayout(self.focus_header)
        header.setContentsMargins(0, 0, 0, 0)
        self.focus_hint = QLabel()
        self.focus_hint.setAccessibleName("Focus area shown")
        self.focus_back = QPushButton("\u2190 All focus areas")
        self.focus_back.setAccessibleName("Back to all focus areas")
        self.focus_back.clicked.connect(lambda: self.drill_into(None))
        header.addWidget(self.focus_hint, 1)
        header.addWidget(self.focus_back)
        self.focus_header.hide()
        layout.addWidget(self.focus_header)
        self.focus_chart = BarChart(activatable=True)
        self.focus_chart.setAccessibleName(
            "Focus area shares; Enter shows a focus area's activities"
        )
        self.focus_chart.rowActivated.connect(self._focus_row_activated)
        layout.addWidget(self.focus_chart)
        return self.focus_box

    def _build_trend_box(self) -> QGroupBox:
        self.trend_box, layout = group_box("Weekly trend", "Weekly trend chart")
        self.trend_chart = TrendChart()
        self.trend_chart.setAccessibleName("Weekly share of each domain")
        layout.addWidget(self.trend_chart)
        return self.trend_box

    def _build_summary_box(self) -> QGroupBox:
        box, layout = group_box("Tracked time and coverage", "Coverage")
        self.summary_label = wrapping_label("Tracked time")
        self.coverage_share = QLabel()
        self.coverage_share.setAccessibleName("Coverage share")
        headline = self.summary_label.font()
        headline.setBold(True)
        self.summary_label.setFont(headline)
        self.coverage_share.setFont(headline)
        self.coverage_bar = QProgressBar()
        self.coverage_bar.setAccessibleName("Share of working hours with entries")
        self.coverage_bar.setRange(0, 1000)
        self.coverage_bar.setTextVisible(False)
        self.coverage_label = wrapping_label("Coverage details")
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

    def _focus_row_activated(self, key: str) -> None:
        if self._drill is None and key in self.framework:
            self.drill_into(key)

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
            self.focus_chart.set_rows(rows_from(report.focus_areas))
            return
        node = self.framework[self._drill]
        shown = {a.id: a for a in report.activities}
        rows = [
            shown.get(child.id) or Allocation(child.id, child.label, child.level, 0.0, 0.0)
            for child in self.framework.children(node.id)
        ]
        focus = next((a for a in report.focus_areas if a.id == node.id), None)
        self.focus_box.setTitle(f"Focus areas \u203a {literal(node.label)}")
        share = pct(focus.share) if focus else pct(0.0)
        self.focus_hint.setText(
            f"{node.label}: {share} of all tracked time; its activities as shares of all time."
        )
        self.focus_header.show()
        self.focus_chart.set_rows(rows_from(rows))

    # Breakdown --------------------------------------------------------------------------

    def _build_breakdown(self) -> QWidget:
        self.breakdown = QTreeWidget()
        self.breakdown.setAccessibleName("Breakdown by domain, focus area and activity")
        self.breakdown.setHeaderLabels(
            [
                "Domain \u203a focus area \u203a activity",
                "Time",
                "Share",
                "Band",
                "Verdict",
                "Random-ping estimate",
                "Estimate verdict",
            ]
        )
        self.breakdown.setAlternatingRowColors(True)
        self.breakdown.setUniformRowHeights(True)
        header = self.breakdown.header()
        for column in range(6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        return self.breakdown

    def _fill_breakdown(self, view: ViewData) -> None:
        report = view.data.report
        rows: dict[str, Allocation] = {
            a.id: a for a in (*report.domains, *report.focus_areas, *report.activities)
        }
        estimates = view.data.estimates
        theme = ChartTheme.from_palette(self.palette())
        self.breakdown.clear()

        def add(parent: QTreeWidget | QTreeWidgetItem, node_id: str) -> None:
            node = self.framework[node_id]
            row = rows.get(node_id)
            if row is None and node.level is Level.ACTIVITY:
                return
            item = QTreeWidgetItem(parent)
            item.setText(0, node.label)
            item.setToolTip(0, node.id)
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
            for column in (1, 2):
                item.setTextAlignment(
                    column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
            for child in self.framework.children(node_id):
                add(item, child.id)

        for domain in self.framework.domains:
            add(self.breakdown, domain.id)
        for activity_id, seconds in report.unknown:
            item = QTreeWidgetItem(self.breakdown)
            item.setText(0, f"{activity_id} (not in this framework)")
            item.setText(1, duration(seconds))
            share = seconds / report.total_seconds if report.total_seconds else 0.0
            item.setText(2, pct(share))
        self.breakdown.expandAll()

    # Entries ----------------------------------------------------------------------------

    def _build_entries(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addLayout(self._build_entry_tools())
        self.entries_message = wrapping_label("Entry edit message")
        self.entries_message.hide()
        layout.addWidget(self.entries_message)
        self.entries_model = EntriesModel(self.framework, self.tz, self)
        self.entries_view = EntriesView()
        self.entries_view.setAccessibleName("Entries of the period")
        self.entries_view.setModel(self.entries_model)
        self.entries_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.entries_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.entries_view.setAlternatingRowColors(True)
        self.entries_view.verticalHeader().hide()
        self.entries_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.entries_view.setWordWrap(False)
        # Widths from sample texts: sizing to contents would measure every row of a year.
        header = self.entries_view.horizontalHeader()
        metrics = self.fontMetrics()
        for column, sample in enumerate(ENTRY_COLUMN_SAMPLES):
            if sample:
                header.resizeSection(column, metrics.horizontalAdvance(sample) + 16)
        header.setSectionResizeMode(COLUMNS.index("Activity"), QHeaderView.ResizeMode.Stretch)
        self.entries_view.deleteRequested.connect(self.delete_selected)
        self.entries_view.doubleClicked.connect(lambda _index: self.open_retag())
        layout.addWidget(self.entries_view, 1)
        return page

    def _build_entry_tools(self) -> QHBoxLayout:
        tools = QHBoxLayout()
        buttons = (
            ("&Retag\u2026", "Retag selected entries", self.open_retag),
            ("Change &times\u2026", "Change times of the selected entry", self.open_change_times),
            ("S&plit\u2026", "Split the selected entry", self.open_split),
            ("&Delete", "Delete selected entries", self.delete_selected),
        )
        made = []
        for text, name, handler in buttons:
            button = QPushButton(text)
            button.setAccessibleName(name)
            button.clicked.connect(handler)
            tools.addWidget(button)
            made.append(button)
        self.retag_button, self.times_button, self.split_button, self.delete_button = made
        self.undo_action = self.editor.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.editor.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        tools.addSpacing(12)
        for action, name in ((self.undo_action, "Undo"), (self.redo_action, "Redo")):
            self.addAction(action)
            tool = QToolButton()
            tool.setDefaultAction(action)
            tool.setAccessibleName(name)
            tools.addWidget(tool)
        tools.addStretch(1)
        self.entries_count = QLabel()
        self.entries_count.setAccessibleName("Entry count")
        tools.addWidget(self.entries_count)
        return tools

    def selected_entries(self) -> list[Entry]:
        rows = sorted({index.row() for index in self.entries_view.selectionModel().selectedRows()})
        return [self.entries_model.entry_at(row) for row in rows]

    def select_entries(self, entry_ids: Sequence[str]) -> None:
        selection = self.entries_view.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for entry_id in entry_ids:
            row = self.entries_model.row_of(self.editor.ids.current(entry_id))
            if row is not None:
                selection.select(self.entries_model.index(row, 0), flags)

    def _edit(self, action: Callable[[], None]) -> bool:
        """Run one edit; a refusal or a store failure is shown above the table."""
        try:
            action()
        except EditRefused as exc:
            self._show_error(f"Not changed: {exc}.")
            return False
        except (StoreError, OSError) as exc:
            self._show_error(f"Not changed: the store refused the edit ({exc}).")
            return False
        self.entries_message.hide()
        return True

    def _single_selected(self) -> Entry | None:
        selected = self.selected_entries()
        if len(selected) != 1:
            self._show_error("Select one entry first.")
            return None
        return selected[0]

    def open_retag(self) -> RetagDialog | None:
        selected = self.selected_entries()
        if not selected:
            self._show_error("Select the entries to retag first.")
            return None
        dialog = RetagDialog(
            self.framework,
            selected[0].activity,
            lambda activity_id: self.editor.retag(selected, activity_id),
            self,
        )
        dialog.open()
        return dialog

    def open_change_times(self) -> TimesDialog | None:
        entry = self._single_selected()
        if entry is None:
            return None
        dialog = TimesDialog(
            entry, self.tz, lambda start, end: self.editor.change_times(entry, start, end), self
        )
        dialog.open()
        return dialog

    def open_split(self) -> SplitDialog | None:
        entry = self._single_selected()
        if entry is None:
            return None
        dialog = SplitDialog(entry, self.tz, lambda at: self.editor.split(entry, at), self)
        dialog.open()
        return dialog

    def delete_selected(self) -> None:
        selected = self.selected_entries()
        if not selected:
            self._show_error("Select the entries to delete first.")
            return
        self._edit(lambda: self.editor.delete(selected))

    # Showing a view ---------------------------------------------------------------------

    def _show_view(self, view: ViewData) -> None:
        if view.request.generation != self._generation:
            return  # an older request finished after a newer one was made
        selected = [e.id for e in self.selected_entries()] if self.view is not None else []
        self.view = view
        # One repaint for the whole view instead of one per widget as it is filled.
        self.setUpdatesEnabled(False)
        try:
            self._fill(view, selected)
        finally:
            self.setUpdatesEnabled(True)
        self.viewShown.emit()

    def _fill(self, view: ViewData, selected: Sequence[str]) -> None:
        data = view.data
        report = data.report
        self.domain_chart.set_rows(rows_from(report.domains))
        self._fill_focus_chart()
        lines = trend_lines(data, self.framework)
        weeks = [w.week_start for w in data.trend]
        self.trend_chart.set_data(weeks, lines)
        if weeks:
            self.trend_box.setTitle(
                f"Weekly trend: {len(weeks)} weeks, {weeks[0].day} {weeks[0]:%b} \u2013 "
                f"{(weeks[-1] + timedelta(days=6)).day} {weeks[-1] + timedelta(days=6):%b %Y}"
            )
        self._fill_summary(view)
        self._fill_insights(view)
        self._fill_confidence(view)
        self._fill_top(view)
        self._fill_breakdown(view)
        self.entries_model.set_entries(view.entries)
        self.entries_count.setText(f"{len(view.entries)} entries in {period_text(view.period)}")
        self.select_entries(selected)
        problems = [*view.problems, *self.profile_problems]
        if problems:
            self.statusBar().showMessage(" ".join(problems))

    def _fill_summary(self, view: ViewData) -> None:
        data = view.data
        report = data.report
        cov = data.coverage
        self.summary_label.setText(
            f"{duration(report.total_seconds)} tracked in {report.entry_count} entries, "
            f"profile {self.profile.label}."
        )
        self.coverage_bar.setValue(round(min(1.0, cov.share) * 1000))
        self.coverage_share.setText(f"{pct(cov.share)} of working hours have entries.")
        self.coverage_bar.setAccessibleDescription(self.coverage_share.text())
        lines = [
            f"{duration(cov.tracked_seconds)} of {duration(cov.working_seconds)} working time "
            "has entries."
        ]
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
        if not found:
            self.insights_label.setText("Nothing stands out in the weeks shown.")
            return
        self.insights_label.setText(
            "\n".join(f"{SEVERITY_MARKS[i.severity]} {i.text}" for i in found)
        )

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
            share.setAccessibleName(f"{label} estimate")
            verdict.setAccessibleName(f"{label} estimate verdict")
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
                (allocation.label, duration(allocation.seconds), pct(allocation.share))
                if allocation is not None
                else ("", "", "")
            )
            for cell, text in zip(cells, texts, strict=True):
                cell.setText(text)
                if cell.isVisibleTo(self) != (allocation is not None):
                    cell.setVisible(allocation is not None)
            if allocation is not None:
                cells[0].setToolTip(self.framework.path_label(allocation.id))

    def _show_error(self, message: str) -> None:
        self.entries_message.setText(message)
        self.entries_message.show()
        self.statusBar().showMessage(message, 10_000)

    def _show_failure(self, message: str) -> None:
        self.statusBar().showMessage(message)

    # Exports ----------------------------------------------------------------------------

    def _ask_path(self, suffix: str, handler: Callable[[Path], Path]) -> None:
        stem = f"sec-report-{self.period.first.isoformat()}-to-{self.period.last.isoformat()}"
        dialog = QFileDialog(self, f"Export {suffix.upper()}")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(suffix)
        dialog.setNameFilter(f"{suffix.upper()} files (*.{suffix})")
        dialog.selectFile(f"{stem}.{suffix}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen(name: str) -> None:
            try:
                written = handler(Path(name))
            except OSError as exc:
                self.statusBar().showMessage(f"Export failed: {exc}")
                return
            self.statusBar().showMessage(f"Exported {written}", 10_000)

        dialog.fileSelected.connect(chosen)
        dialog.open()

    def _current_view(self) -> ViewData:
        if self.view is None:
            raise RuntimeError("the dashboard has no view yet")
        return self.view

    def export_pdf(self, path: Path) -> Path:
        return export.write_pdf(path, self._current_view(), self.framework, self.now())

    def export_png(self, path: Path) -> Path:
        return export.write_charts_png(path, self._current_view(), self.framework)

    def export_csv(self, path: Path) -> Path:
        return export.write_csv(path, self._current_view(), self.framework)

    def export_json(self, path: Path) -> Path:
        return export.write_json(path, self._current_view(), self.framework, self.now())

    # Lifecycle --------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Wait for the worker thread; call before dropping the window for good."""
        self.loader.shutdown()
