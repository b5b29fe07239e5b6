"""The mindmap's window: the view with its period picker, profile and overlay switches, zoom
and export buttons, and a panel listing the entries of the node the user picked."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sec_desktop import APP_NAME
from sec_desktop.analytics import AllocationReport, Period, allocate, named_period
from sec_desktop.analytics.allocation import clipped_seconds
from sec_desktop.analytics.periods import shifted_period
from sec_desktop.analytics.plan_records import LoadedPlans, load_plans
from sec_desktop.analytics.targets import Plans
from sec_desktop.analytics.text import duration, period_text
from sec_desktop.framework import BenchmarkProfile, Framework, Level
from sec_desktop.store import Entry, EntryStore, utc_now
from sec_desktop.ui.mindmap.export import export_file
from sec_desktop.ui.mindmap.model import ROLE_ID, MindmapModel, build_model, entries_of
from sec_desktop.ui.mindmap.view import ZOOM_STEP, MindmapView
from sec_desktop.ui.widgets import fit_on_screen

PANEL_MIN_WIDTH_PX = 340
PERIOD_KINDS = (("week", "Week"), ("month", "Month"), ("quarter", "Quarter"), ("year", "Year"))


class MindmapWidget(QWidget):
    """The mindmap with its period picker, overlay switch, exports and an entries panel.

    A window of its own (`MindmapWindow`) or a tab of the dashboard. `logTimeRequested` carries
    the id of the node the user wants to log time to; the app opens the picker for it.
    """

    logTimeRequested = Signal(str)
    nodeShown = Signal(str)  # the entries panel now lists this node's entries
    # A node's entries in the dashboard's Entries tab: the node id and the period shown.
    entriesRequested = Signal(str, object)
    # The user picked another period kind or profile (the app keeps them as settings).
    periodKindChanged = Signal(str)
    profileChanged = Signal(str)

    def __init__(
        self,
        framework: Framework,
        store: EntryStore,
        tz: ZoneInfo,
        *,
        profiles: Mapping[str, BenchmarkProfile] | None = None,
        profile_id: str = "default",
        now: Callable[[], datetime] = utc_now,
        period_kind: str = "month",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.framework = framework
        self.store = store
        self.tz = tz
        self.now = now
        self.profiles = dict(profiles or framework.profiles)
        self.profile_id = profile_id if profile_id in self.profiles else next(iter(self.profiles))
        self.kind = period_kind
        self.period = named_period(period_kind, self.today(), tz)
        self.entries: list[Entry] = []
        self.report: AllocationReport | None = None
        self.plan = LoadedPlans(Plans())
        self.shown_node: str | None = None

        self.view = MindmapView()
        self.view.nodeClicked.connect(self.show_entries)
        self.view.logTimeRequested.connect(self.logTimeRequested)
        self.view.entriesRequested.connect(
            lambda node: self.entriesRequested.emit(node, self.period)
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 4)
        layout.addWidget(self._build_bar())
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self._build_panel())
        self.splitter.setStretchFactor(0, 1)
        self.panel.hide()
        layout.addWidget(self.splitter, 1)
        self.summary = QLabel()
        self.summary.setAccessibleName("Mindmap summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.refresh()

    def today(self) -> date:
        return self.now().astimezone(self.tz).date()

    # Controls ------------------------------------------------------------------------------

    def _build_bar(self) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in self._period_controls():
            row.addWidget(widget)
        row.addStretch(1)
        for widget in self._profile_controls():
            row.addWidget(widget)
        row.addSpacing(6)
        for widget in (*self._zoom_buttons(), self._export_button()):
            row.addWidget(widget)
        return bar

    @staticmethod
    def _tool_button(text: str, name: str, tip: str, handler: Callable[[], None]) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.clicked.connect(handler)
        return button

    def _period_controls(self) -> list[QWidget]:
        period_label = QLabel("&Period:")
        self.kind_box = QComboBox()
        self.kind_box.setAccessibleName("Period")
        for kind, text in PERIOD_KINDS:
            self.kind_box.addItem(text, kind)
        self.kind_box.setCurrentIndex(max(0, self.kind_box.findData(self.kind)))
        period_label.setBuddy(self.kind_box)
        self.kind_box.activated.connect(
            lambda index: self.set_period_kind(str(self.kind_box.itemData(index)))
        )
        self.prev_button = self._tool_button(
            "\u25c0", "Previous period", "Previous period (Alt+Left)", lambda: self.shift(-1)
        )
        self.prev_button.setShortcut(QKeySequence("Alt+Left"))
        self.next_button = self._tool_button(
            "\u25b6", "Next period", "Next period (Alt+Right)", lambda: self.shift(1)
        )
        self.next_button.setShortcut(QKeySequence("Alt+Right"))
        self.period_label = QLabel()
        self.period_label.setAccessibleName("Shown period")
        self.period_label.setContentsMargins(8, 0, 0, 0)
        bold = self.period_label.font()
        bold.setBold(True)
        self.period_label.setFont(bold)
        return [period_label, self.kind_box, self.prev_button, self.next_button, self.period_label]

    def _profile_controls(self) -> list[QWidget]:
        profile_label = QLabel("Pro&file:")
        self.profile_box = QComboBox()
        self.profile_box.setAccessibleName("Benchmark profile")
        for profile_id, profile in self.profiles.items():
            self.profile_box.addItem(profile.label, profile_id)
        self.profile_box.setCurrentIndex(max(0, self.profile_box.findData(self.profile_id)))
        profile_label.setBuddy(self.profile_box)
        self.profile_box.activated.connect(
            lambda index: self.set_profile(str(self.profile_box.itemData(index)))
        )
        self.overlay_box = QCheckBox("&Time overlay")
        self.overlay_box.setAccessibleName("Show time overlay")
        self.overlay_box.setChecked(True)
        self.overlay_box.toggled.connect(lambda _on: self._show_model())
        return [profile_label, self.profile_box, self.overlay_box]

    def _zoom_buttons(self) -> list[QWidget]:
        return [
            self._tool_button(
                "\u2212", "Zoom out", "Zoom out (Ctrl+-)", lambda: self.view.zoom_by(1 / ZOOM_STEP)
            ),
            self._tool_button(
                "+", "Zoom in", "Zoom in (Ctrl++)", lambda: self.view.zoom_by(ZOOM_STEP)
            ),
            self._tool_button("Fit", "Fit to window", "Show the whole map (Ctrl+0)", self.view.fit),
        ]

    def _export_button(self) -> QToolButton:
        self.export_button = QToolButton()
        self.export_button.setText("E&xport")
        self.export_button.setAccessibleName("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for text, suffix, overlay in (
            ("PNG image\u2026", "png", None),
            ("SVG drawing\u2026", "svg", None),
            ("PDF job description with time\u2026", "pdf", True),
            ("PDF job description, structure only\u2026", "pdf", False),
        ):
            action = QAction(text, menu)
            action.triggered.connect(
                lambda _checked=False, s=suffix, o=overlay: self._ask_export(s, o)
            )
            menu.addAction(action)
        self.export_button.setMenu(menu)
        return self.export_button

    def _build_panel(self) -> QWidget:
        self.panel = QWidget()
        self.panel.setAccessibleName("Entries of the chosen node")
        column = QVBoxLayout(self.panel)
        column.setContentsMargins(6, 0, 0, 0)
        head = QHBoxLayout()
        self.panel_title = QLabel()
        self.panel_title.setWordWrap(True)
        self.panel_title.setAccessibleName("Entries title")
        close = QPushButton("Close")
        close.setAccessibleName("Close entries")
        close.clicked.connect(self.hide_entries)
        head.addWidget(self.panel_title, 1)
        head.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(head)
        self.entry_list = QTreeWidget()
        self.entry_list.setAccessibleName("Entries")
        self.entry_list.setRootIsDecorated(False)
        self.entry_list.setHeaderLabels(["When", "Time", "Activity and note"])
        header = self.entry_list.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.entry_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        column.addWidget(self.entry_list, 1)
        log_button = QPushButton("&Log time to it\u2026")
        log_button.setAccessibleName("Log time to the chosen node")
        log_button.clicked.connect(self._log_shown_node)
        self.panel_log_button = log_button
        table_button = QPushButton("Open in the &Entries table")
        table_button.setAccessibleName("Open the chosen node's entries in the dashboard")
        table_button.clicked.connect(self._table_for_shown_node)
        self.panel_table_button = table_button
        buttons = QHBoxLayout()
        buttons.addWidget(log_button)
        buttons.addWidget(table_button)
        column.addLayout(buttons)
        self.panel.setMinimumWidth(PANEL_MIN_WIDTH_PX)
        return self.panel

    # State -----------------------------------------------------------------------------------

    @property
    def profile(self) -> BenchmarkProfile:
        return self.profiles[self.profile_id]

    def set_period_kind(self, kind: str) -> None:
        if kind not in dict(PERIOD_KINDS):
            raise ValueError(f"unknown period kind {kind!r}")
        self.kind = kind
        self.kind_box.setCurrentIndex(self.kind_box.findData(kind))
        self.set_period(named_period(kind, self.today(), self.tz))
        self.periodKindChanged.emit(kind)

    def shift(self, steps: int) -> None:
        self.set_period(shifted_period(self.kind, self.period, steps))

    def set_period(self, period: Period) -> None:
        self.period = period
        self.refresh()

    def set_profile(self, profile_id: str) -> None:
        if profile_id not in self.profiles:
            raise ValueError(f"unknown benchmark profile {profile_id!r}")
        self.profile_id = profile_id
        self.profile_box.setCurrentIndex(self.profile_box.findData(profile_id))
        self.refresh()
        self.profileChanged.emit(profile_id)

    def set_overlay(self, on: bool) -> None:
        self.overlay_box.setChecked(on)

    def set_framework(self, framework: Framework) -> None:
        """Show another framework (a preset switch or new customizations)."""
        self.framework = framework
        self.refresh()

    def refresh(self) -> None:
        """Read the period's entries and redraw (after new entries or another period)."""
        self.entries = self.store.entries(self.period.start, self.period.end)
        self.report = allocate(self.entries, self.framework, self.period, self.profile)
        self.plan = load_plans(self.store.data_dir, self.store.device_id, self.framework)
        self.period_label.setText(period_text(self.period))
        self.period_label.setToolTip(
            f"{self.period.first.isoformat()} to {self.period.last.isoformat()} ({self.tz.key})"
        )
        self._show_model()
        if self.shown_node is not None:
            if self.shown_node in self.view.node_ids():
                self.show_entries(self.shown_node)
            else:
                self.hide_entries()

    def model(self) -> MindmapModel:
        report = self.report if self.overlay_box.isChecked() else None
        return build_model(self.framework, report, self.plan.plans.plan_for(self.period))

    def _show_model(self) -> None:
        model = self.model()
        self.view.set_model(model)
        self.summary.setText(self._summary_text(model))

    def _summary_text(self, model: MindmapModel) -> str:
        activities = [n for n in model.nodes if n.level == Level.ACTIVITY]
        if not model.overlay:
            return (
                f"{len(activities)} activities in {len(model.children(ROLE_ID))} domains. "
                "Switch the time overlay on to see where your time went."
            )
        if model.total_seconds <= 0:
            return f"No time tracked in {period_text(self.period)}."
        quiet = model.untouched_activities()
        text = (
            f"{duration(model.total_seconds)} tracked in {period_text(self.period)}. "
            f"{len(quiet)} of {len(activities)} activities got no time"
        )
        if quiet:
            names = ", ".join(n.label for n in quiet[:6])
            more = f" and {len(quiet) - 6} more" if len(quiet) > 6 else ""
            text += f": {names}{more}."
        else:
            text += "."
        return text

    # Entries panel ---------------------------------------------------------------------------

    def show_entries(self, node_id: str) -> None:
        """List the period's entries that count toward a node, with their time in the period."""
        model = self.view.model
        if model is None:
            return
        node = model.node(node_id)
        shown = entries_of(node_id, self.entries)
        self.entry_list.clear()
        total = 0.0
        for entry in shown:
            seconds = clipped_seconds(entry, self.period.start, self.period.end)
            total += seconds
            start = entry.start.astimezone(self.tz)
            end = entry.end.astimezone(self.tz)
            when = f"{start:%d %b} {start:%H:%M}\u2013{end:%H:%M}"
            label = (
                self.framework[entry.activity].label
                if entry.activity in self.framework
                else entry.activity
            )
            text = f"{label} \u2014 {entry.note}" if entry.note else label
            row = QTreeWidgetItem([when, duration(seconds), text])
            row.setData(0, Qt.ItemDataRole.UserRole, entry.id)
            row.setToolTip(2, text)
            self.entry_list.addTopLevelItem(row)
        noun = "entry" if len(shown) == 1 else "entries"
        self.panel_title.setText(
            f"<b>{node.label}</b><br>{len(shown)} {noun}, {duration(total)} in "
            f"{period_text(self.period)}"
        )
        self.panel_log_button.setEnabled(node_id != ROLE_ID)
        self.shown_node = node_id
        self.panel.show()
        self.nodeShown.emit(node_id)

    def _log_shown_node(self) -> None:
        if self.shown_node is not None and self.shown_node != ROLE_ID:
            self.logTimeRequested.emit(self.shown_node)

    def _table_for_shown_node(self) -> None:
        if self.shown_node is not None:
            self.entriesRequested.emit(self.shown_node, self.period)

    def shown_entry_ids(self) -> list[str]:
        rows = (self.entry_list.topLevelItem(i) for i in range(self.entry_list.topLevelItemCount()))
        return [str(row.data(0, Qt.ItemDataRole.UserRole)) for row in rows if row is not None]

    def hide_entries(self) -> None:
        self.shown_node = None
        self.panel.hide()

    # Exports ---------------------------------------------------------------------------------

    def export(self, path: Path, *, overlay: bool | None = None) -> None:
        """Write the map to `path` (.png, .svg or .pdf); `overlay` None follows the switch."""
        use_overlay = self.overlay_box.isChecked() if overlay is None else overlay
        plan = self.plan.plans.plan_for(self.period)
        model = build_model(self.framework, self.report if use_overlay else None, plan)
        export_file(model, path, self.view.font())

    def _ask_export(self, suffix: str, overlay: bool | None) -> None:
        name = "sec-mindmap" if overlay is not False else "sec-job-description"
        default = str(Path.home() / f"{name}-{self.period.first.isoformat()}.{suffix}")
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Export the mindmap", default, f"{suffix.upper()} (*.{suffix})"
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != f".{suffix}":
            path = path.with_name(f"{path.name}.{suffix}")
        try:
            self.export(path, overlay=overlay)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "Export failed", f"{path} could not be written: {exc}")


class MindmapWindow(QMainWindow):
    """The mindmap in a window of its own, 1280 x 800 by default."""

    logTimeRequested = Signal(str)
    entriesRequested = Signal(str, object)

    def __init__(
        self,
        framework: Framework,
        store: EntryStore,
        tz: ZoneInfo,
        *,
        profiles: Mapping[str, BenchmarkProfile] | None = None,
        profile_id: str = "default",
        now: Callable[[], datetime] = utc_now,
        period_kind: str = "month",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME} \u2014 SEC mindmap")
        self.setAccessibleName("SEC mindmap")
        self.widget = MindmapWidget(
            framework,
            store,
            tz,
            profiles=profiles,
            profile_id=profile_id,
            now=now,
            period_kind=period_kind,
        )
        self.widget.logTimeRequested.connect(self.logTimeRequested)
        self.widget.entriesRequested.connect(self.entriesRequested)
        self.setCentralWidget(self.widget)
        fit_on_screen(self, 1280, 800)
