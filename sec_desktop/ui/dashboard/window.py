"""The dashboard window: where the time went in a period, against the benchmark bands.

The window wires its panels (period and profile pickers, the overview's charts and text, the
breakdown, the entries table, the export button) to the view they show, the undo stack and
the status bar. The first view is computed before the window is first painted. Later period,
profile and data changes are computed in the GUI thread when the period is a quarter or less
(fast enough not to be seen) and on a worker thread when it is longer; only the newest result
is shown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from sec_desktop import APP_NAME
from sec_desktop.analytics import Period
from sec_desktop.analytics.coverage import default_working_intervals
from sec_desktop.analytics.insights import Insight
from sec_desktop.framework import BenchmarkProfile, Framework
from sec_desktop.reminders.questions import load_questions, questions_path, unanswered_away_spans
from sec_desktop.settings import configured_value
from sec_desktop.store import Entry, EntryStore, utc_now
from sec_desktop.store.paths import month_summaries_dir
from sec_desktop.ui.accessibility import announce_messages
from sec_desktop.ui.dashboard import export
from sec_desktop.ui.dashboard.allocation import AllocationCharts
from sec_desktop.ui.dashboard.breakdown import BreakdownTree
from sec_desktop.ui.dashboard.dialogs import (
    BandEditorDialog,
    RetagDialog,
    SplitDialog,
    TimesDialog,
)
from sec_desktop.ui.dashboard.entries import EntryEditor
from sec_desktop.ui.dashboard.entries_tab import EntriesTab
from sec_desktop.ui.dashboard.entry_filter import EntryFilter
from sec_desktop.ui.dashboard.export_actions import ExportButton
from sec_desktop.ui.dashboard.period_bar import PeriodBar
from sec_desktop.ui.dashboard.plan_editor import PlanEditorDialog, plan_editor_for
from sec_desktop.ui.dashboard.profile_picker import ProfilePicker
from sec_desktop.ui.dashboard.summary import SummaryColumn
from sec_desktop.ui.dashboard.timeline import TimelineTab
from sec_desktop.ui.dashboard.view import ViewData, ViewLoader, ViewRequest
from sec_desktop.ui.widgets import fit_on_screen

WorkingIntervalsFor = Callable[[Period], list[tuple[datetime, datetime]]]
UnansweredAway = Callable[[], Sequence[tuple[datetime, datetime]]]
DEFAULT_SIZE = (1280, 800)
# Views of up to a quarter are computed in the GUI thread: scripts/bench_dashboard.py measures
# the core at about 10-30 ms for them, less than a thread hand-off costs. Longer ones (a year
# takes 60-150 ms) go to the worker thread so the window keeps responding.
INLINE_MAX_DAYS = 92


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
        unanswered_away: UnansweredAway | None = None,
        profile_id: str | None = None,
        period_kind: str | None = None,
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
        # The tray app passes its live questions; alone, the dashboard reads what it saved.
        self.unanswered_away = unanswered_away or self._saved_unanswered_away
        self.store_lock = threading.RLock()
        self.loader = ViewLoader(
            store,
            framework,
            self.store_lock,
            self,
            summaries_dir=month_summaries_dir(config_dir, store.data_dir),
        )
        self.loader.loaded.connect(self._show_view)
        self.loader.failed.connect(self._show_failure)
        self.editor = EntryEditor(store, framework, now, self.store_lock, self)
        self.editor.changed.connect(self.refresh)
        self.view: ViewData | None = None
        self._generation = 0
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._recompute)
        self.undo_action, self.redo_action = self._undo_actions()

        self.period_bar = self._build_period_bar(period_kind)
        self.profile_picker = ProfilePicker(
            framework, data_dir, profile_id=profile_id, device_id=store.device_id
        )
        self.export_button = self._build_export_button()
        self.allocation = AllocationCharts(framework)
        self.summary = SummaryColumn(framework)
        self.breakdown = BreakdownTree(framework)
        undo_buttons = ((self.undo_action, "Undo"), (self.redo_action, "Redo"))
        self.entries = EntriesTab(framework, tz, self.editor, undo_buttons)
        self.timeline = TimelineTab(
            framework,
            tz,
            self.editor,
            undo_buttons,
            now=now,
            working_intervals_for=self.working_intervals_for,
            unanswered_away=self.unanswered_away,
        )

        self.setWindowTitle(f"{APP_NAME} \u2014 Dashboard")
        self.setAccessibleName("Dashboard")
        fit_on_screen(self, *DEFAULT_SIZE)
        self.setCentralWidget(self._build_central())
        status = self.statusBar()
        status.setAccessibleName("Status")
        announce_messages(status)

        self.period_bar.periodChanged.connect(self.refresh)
        self.profile_picker.profileChanged.connect(self.refresh)
        self.editor.failed.connect(self.entries.show_error)
        self.entries.statusMessage.connect(status.showMessage)
        self.timeline.statusMessage.connect(status.showMessage)
        self.viewShown.connect(self.timeline.mark_stale)
        self._link_numbers_to_entries()
        self.export_button.statusMessage.connect(status.showMessage)
        application = QCoreApplication.instance()
        if application is not None:
            # A computation still running at quit must finish before its thread is destroyed.
            application.aboutToQuit.connect(self.shutdown)
        self._show_view(self.loader.compute_now(self._request()))

    def _build_period_bar(self, period_kind: str | None) -> PeriodBar:
        bar = PeriodBar(self.today, self.tz)
        if period_kind is not None:  # the saved one; set before the first view is computed
            bar.set_period_kind(period_kind)
        return bar

    def _build_export_button(self) -> ExportButton:
        writers = {
            "pdf": self.export_pdf,
            "png": self.export_png,
            "csv": self.export_csv,
            "json": self.export_json,
        }
        return ExportButton(writers, lambda: self.period, notes_count=self._notes_in_period)

    def _undo_actions(self) -> tuple[QAction, QAction]:
        """Undo and redo belong to the window, so their shortcuts work on every tab."""
        undo = self.editor.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.editor.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        self.addAction(undo)
        self.addAction(redo)
        return undo, redo

    def _build_central(self) -> QWidget:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.addWidget(self._build_top_bar())
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Dashboard sections")
        self.tabs.addTab(self._build_overview(), "&Overview")
        self.tabs.addTab(self.breakdown, "&Breakdown")
        self.tabs.addTab(self.entries, "&Entries")
        self.tabs.addTab(self.timeline, "T&imeline")
        layout.addWidget(self.tabs, 1)
        return central

    def _build_top_bar(self) -> QWidget:
        bar = QFrame()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.period_bar)
        row.addStretch(1)
        row.addWidget(self.profile_picker)
        self.plan_button = QPushButton("P&lan\u2026")
        self.plan_button.setAccessibleName("Edit the plan")
        self.plan_button.setToolTip("Target shares per quarter, beside band and actual")
        self.plan_button.clicked.connect(self.open_plan_editor)
        row.addWidget(self.plan_button)
        row.addWidget(self.export_button)
        return bar

    def _build_overview(self) -> QWidget:
        page = QWidget()
        columns = QHBoxLayout(page)
        columns.setContentsMargins(4, 6, 4, 4)
        columns.setSpacing(10)
        columns.addWidget(self.allocation, 4)
        columns.addWidget(self.summary, 3)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setAccessibleName("Overview")
        scroll.setWidget(page)
        self.overview_page = page
        self.overview_scroll = scroll
        return scroll

    # Time, period and profile -------------------------------------------------------------

    def today(self) -> date:
        return self.now().astimezone(self.tz).date()

    @property
    def kind(self) -> str:
        return self.period_bar.kind

    @property
    def period(self) -> Period:
        return self.period_bar.period

    @property
    def profile_id(self) -> str:
        return self.profile_picker.profile_id

    @property
    def profile(self) -> BenchmarkProfile:
        return self.profile_picker.profile

    def set_period_kind(self, kind: str) -> None:
        self.period_bar.set_period_kind(kind)

    def shift_period(self, steps: int) -> None:
        self.period_bar.shift_period(steps)

    def set_custom_range(self, first: date, last: date) -> None:
        self.period_bar.set_custom_range(first, last)

    def set_profile(self, profile_id: str) -> None:
        self.profile_picker.set_profile(profile_id)

    def open_band_editor(self) -> BandEditorDialog:
        return self.profile_picker.open_band_editor()

    def open_plan_editor(self) -> PlanEditorDialog:
        """The plan editor on the quarter of the period shown; a save refreshes the view."""
        dialog = plan_editor_for(
            framework=self.framework,
            store=self.store,
            profile=self.profile,
            day=self.period.last,
            store_lock=self.store_lock,
            tz=self.tz,
            today=self.today(),
            parent=self,
        )
        dialog.saved.connect(self.refresh)
        dialog.open()
        return dialog

    # Computing and showing a view ---------------------------------------------------------

    def _saved_unanswered_away(self) -> list[tuple[datetime, datetime]]:
        loaded = load_questions(questions_path(self.config_dir), now=self.now())
        return unanswered_away_spans(loaded.slots)

    def _request(self) -> ViewRequest:
        self._generation += 1
        return ViewRequest(
            self._generation,
            self.period,
            self.profile,
            list(self.working_intervals_for(self.period)),
            now=self.now(),
            unanswered_away=tuple(self.unanswered_away()),
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

    def _show_view(self, view: ViewData) -> None:
        if view.request.generation != self._generation:
            return  # an older request finished after a newer one was made
        selected = [e.id for e in self.entries.selected_entries()] if self.view is not None else []
        self.view = view
        # One repaint for the whole view instead of one per widget as it is filled.
        self.setUpdatesEnabled(False)
        try:
            self._fill(view, selected)
        finally:
            self.setUpdatesEnabled(True)
        self.viewShown.emit()

    def _fill(self, view: ViewData, selected: Sequence[str]) -> None:
        self.allocation.show_view(view)
        self.summary.show_view(view, self.profile.label)
        self.breakdown.show_view(view)
        self.entries.show_view(view, selected)
        problems = [*view.problems, *self.profile_picker.problems]
        if problems:
            self.statusBar().showMessage(" ".join(problems))

    def _show_failure(self, message: str) -> None:
        self.statusBar().showMessage(message)

    # Entries ------------------------------------------------------------------------------

    def selected_entries(self) -> list[Entry]:
        return self.entries.selected_entries()

    def select_entries(self, entry_ids: Sequence[str]) -> None:
        self.entries.select_entries(entry_ids)

    def open_retag(self) -> RetagDialog | None:
        return self.entries.open_retag()

    def _link_numbers_to_entries(self) -> None:
        self.allocation.entriesRequested.connect(self.show_entries_of)
        self.breakdown.entriesRequested.connect(self.show_entries_of)
        self.summary.insightActivated.connect(self.show_insight_entries)
        self.summary.activityActivated.connect(self.show_entries_of)

    def show_entries_of(self, node_id: str | None) -> None:
        """The Entries tab with only the period's entries behind this node's number (the line
        above the table names the node and the period)."""
        if node_id is None:
            label = "All activities"
        else:
            label = self.framework[node_id].label if node_id in self.framework else node_id
        self.entries.show_filter(EntryFilter(node_id=node_id, title=label))
        self.tabs.setCurrentWidget(self.entries)

    def show_entries_in(self, node_id: str | None, period: Period) -> None:
        """Show `period` (another window's) and the entries behind the node's number in it."""
        if period != self.period:
            self.set_custom_range(period.first, period.last)
        self.show_entries_of(node_id)

    def show_insight_entries(self, insight: Insight) -> None:
        """The Entries tab with the entries an insight is about, in the weeks it reads."""
        title = f"Insight \u201c{insight.text}\u201d"
        self.entries.show_filter(
            EntryFilter(node_id=insight.node_id, spans=insight.spans, title=title)
        )
        self.tabs.setCurrentWidget(self.entries)

    def open_change_times(self) -> TimesDialog | None:
        return self.entries.open_change_times()

    def open_split(self) -> SplitDialog | None:
        return self.entries.open_split()

    # Exports ------------------------------------------------------------------------------

    def _current_view(self) -> ViewData:
        if self.view is None:
            raise RuntimeError("the dashboard has no view yet")
        return self.view

    def export_pdf(self, path: Path) -> Path:
        # Name and company are read at export time (without side effects), so a change in
        # Settings shows at once; an unset or unreadable one is left out.
        return export.write_pdf(
            path,
            self._current_view(),
            self.framework,
            self.now(),
            name=configured_value(self.config_dir, "user_name") or "",
            company=configured_value(self.config_dir, "company") or "",
        )

    def export_png(self, path: Path) -> Path:
        return export.write_charts_png(path, self._current_view(), self.framework)

    def export_csv(self, path: Path, *, include_notes: bool = False) -> Path:
        view = self._current_view()
        return export.write_csv(path, view, self.framework, include_notes=include_notes)

    def export_json(self, path: Path, *, include_notes: bool = False) -> Path:
        view, now = self._current_view(), self.now()
        return export.write_json(path, view, self.framework, now, include_notes=include_notes)

    def _notes_in_period(self) -> int:
        return sum(1 for e in self.view.entries if e.note) if self.view is not None else 0

    # Lifecycle ----------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Wait for the worker thread; call before dropping the window for good."""
        self.loader.shutdown()
