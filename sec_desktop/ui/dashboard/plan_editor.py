"""The plan editor: a quarter's target shares per domain and focus area, beside each band and
the share so far, with warnings inline.

Keyboard first: Tab moves through the target boxes in framework order, typing a number sets a
target, Delete (or stepping below 0%) clears it, Escape closes (asking first when targets are
not saved). A target outside its band is allowed and its row says so; targets above 100% keep
Save disabled with the reason shown. Saving writes shared records (analytics/plan_records.py)
and refuses to save over a change that synced in while the dialog was open: it names the
targets that differ and keeps what was typed, so a second Save is a choice made knowingly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sec_desktop.analytics import Period, allocate
from sec_desktop.analytics.plan_records import LoadedPlans, PlanStore
from sec_desktop.analytics.targets import (
    PlanError,
    PlanIssue,
    Quarter,
    band_text,
    check_plan,
    prefill,
)
from sec_desktop.analytics.text import pct
from sec_desktop.framework import BenchmarkProfile, Framework, Level, Node
from sec_desktop.store import EntryStore
from sec_desktop.store.shared_records import RecordsChanged, SharedRecordsError
from sec_desktop.ui.dashboard.theme import ChartTheme
from sec_desktop.ui.widgets import fit_on_screen

# The spin box's lowest value stands for "no target" (shown as NO_TARGET_TEXT).
NO_TARGET = -0.5
NO_TARGET_TEXT = "no target"
QUARTERS_BEFORE = 4
QUARTERS_AFTER = 4
COLUMNS = ("Domain \u203a focus area", "Band", "Actual", "Target", "Check")
TARGET_COLUMN = COLUMNS.index("Target")
CHECK_COLUMN = COLUMNS.index("Check")

EDITOR_SIZE = (880, 600)

ActualFor = Callable[[Quarter], tuple[Mapping[str, float], str]]


def _whole_number_selected(spin: QDoubleSpinBox) -> bool:
    """The number is selected as a whole, as it is when the box is tabbed into."""
    line = spin.lineEdit()
    return line.hasSelectedText() and line.selectedText().strip() == spin.cleanText().strip()


class _ClearOnDelete(QObject):
    """Delete or Backspace on a target box whose whole number is selected (as it is after
    tabbing in) clears the target; inside a number they edit it as usual."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(watched, QDoubleSpinBox)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and (_whole_number_selected(watched) or watched.value() == NO_TARGET)
        ):
            watched.setValue(NO_TARGET)
            return True
        return False


class PlanEditorDialog(QDialog):
    """Edit one quarter's targets; `saved` is emitted after each successful save."""

    saved = Signal()

    def __init__(
        self,
        framework: Framework,
        store: PlanStore,
        profile: BenchmarkProfile,
        quarter: Quarter,
        *,
        actual_for: ActualFor,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Plan: target shares per quarter")
        self.setAccessibleName("Plan editor")
        self.framework = framework
        self.store = store
        self.profile = profile
        self.actual_for = actual_for
        self.nodes: list[Node] = [n for n in framework.walk() if n.level is not Level.ACTIVITY]
        self.spins: dict[str, QDoubleSpinBox] = {}
        self.actual_items: list[QTableWidgetItem] = []
        self.check_items: list[QTableWidgetItem] = []
        self.loaded: LoadedPlans = store.load(framework)
        self._filling = False
        # Shown targets differ from the saved ones (Save is on); the user changed some (Close
        # and another quarter ask first); a Close with typed targets was pressed once.
        self._dirty = False
        self._typed = False
        self._close_armed = False
        self._clear_filter = _ClearOnDelete(self)

        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Target shares of tracked time, checked against the {profile.label} bands. A "
            "target outside its band is allowed. Type a percentage; Delete clears a target."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(self._build_top(quarter))
        self.table = self._build_table()
        layout.addWidget(self.table, 1)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.totals.setAccessibleName("Plan check")
        layout.addWidget(self.totals)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        self.message.hide()
        layout.addWidget(self.message)
        layout.addWidget(self._build_buttons())
        self._load_quarter()
        fit_on_screen(self, *EDITOR_SIZE)  # the table scrolls inside

    # Building -----------------------------------------------------------------------------

    def _build_top(self, quarter: Quarter) -> QHBoxLayout:
        top = QHBoxLayout()
        quarter_label = QLabel("&Quarter:")
        self.quarter_box = QComboBox()
        self.quarter_box.setAccessibleName("Quarter")
        quarter_label.setBuddy(self.quarter_box)
        self._fill_quarters(quarter)
        self.quarter_box.currentIndexChanged.connect(lambda _i: self._load_quarter())
        top.addWidget(quarter_label)
        top.addWidget(self.quarter_box)
        top.addStretch(1)
        self.fill_button = QPushButton("&Fill from profile")
        self.fill_button.setAccessibleName("Fill targets from the profile")
        self.fill_button.setToolTip(
            "The profile's own targets where it names them, else the middle of each band"
        )
        self.fill_button.clicked.connect(self.fill_from_profile)
        self.clear_button = QPushButton("C&lear all")
        self.clear_button.setAccessibleName("Clear all targets")
        self.clear_button.clicked.connect(self.clear_all)
        top.addWidget(self.fill_button)
        top.addWidget(self.clear_button)
        return top

    def _build_buttons(self) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Reset
            | QDialogButtonBox.StandardButton.Close
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.revert_button = self.buttons.button(QDialogButtonBox.StandardButton.Reset)
        self.revert_button.setText("&Revert")
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self._load_quarter)
        self.buttons.rejected.connect(self.reject)
        return self.buttons

    def _fill_quarters(self, current: Quarter) -> None:
        shown = {current}
        before, after = current, current
        for _ in range(QUARTERS_BEFORE):
            before = before.previous()
            shown.add(before)
        for _ in range(QUARTERS_AFTER):
            after = after.next()
            shown.add(after)
        shown.update(self.loaded.plans.quarters())
        for quarter in sorted(shown):
            planned = quarter in self.loaded.plans.quarters()
            self.quarter_box.addItem(f"{quarter}{'  (planned)' if planned else ''}", str(quarter))
        self.quarter_box.setCurrentIndex(self.quarter_box.findData(str(current)))

    def _build_table(self) -> QTableWidget:
        table = QTableWidget(len(self.nodes), len(COLUMNS))
        table.setAccessibleName("Targets per domain and focus area")
        table.setHorizontalHeaderLabels(list(COLUMNS))
        table.verticalHeader().hide()
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Tab goes from target box to target box, not through the read-only cells.
        table.setTabKeyNavigation(False)
        header = table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        previous: QWidget | None = None
        for row, node in enumerate(self.nodes):
            indent = "" if node.level is Level.DOMAIN else "    "
            name = QTableWidgetItem(indent + node.label)
            if node.level is Level.DOMAIN:
                font = name.font()
                font.setBold(True)
                name.setFont(font)
            name.setToolTip(node.id)
            table.setItem(row, 0, name)
            band = self.profile.bands.get(node.id)
            band_item = QTableWidgetItem(band_text(band) if band else "")
            actual_item = QTableWidgetItem("")
            for column, item in ((1, band_item), (2, actual_item)):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, column, item)
            self.actual_items.append(actual_item)
            spin = QDoubleSpinBox()
            spin.setRange(NO_TARGET, 100.0)
            spin.setDecimals(1)
            spin.setSingleStep(0.5)
            spin.setSuffix(" %")
            spin.setSpecialValueText(NO_TARGET_TEXT)
            spin.setAccessibleName(f"Target for {node.label}")
            spin.setKeyboardTracking(True)
            spin.installEventFilter(self._clear_filter)
            spin.valueChanged.connect(self._edited)
            table.setCellWidget(row, TARGET_COLUMN, spin)
            check_item = QTableWidgetItem("")
            table.setItem(row, CHECK_COLUMN, check_item)
            self.check_items.append(check_item)
            self.spins[node.id] = spin
            if previous is not None:
                QWidget.setTabOrder(previous, spin)
            previous = spin
        return table

    # State --------------------------------------------------------------------------------

    @property
    def quarter(self) -> Quarter:
        return Quarter.parse(str(self.quarter_box.currentData()))

    def targets(self) -> dict[str, float]:
        """The targets as the boxes show them, as fractions."""
        return {
            node_id: round(spin.value(), 1) / 100.0
            for node_id, spin in self.spins.items()
            if spin.value() > NO_TARGET
        }

    def set_target(self, node_id: str, percent: float | None) -> None:
        """Set one box as a user would (None clears it)."""
        self.spins[node_id].setValue(NO_TARGET if percent is None else percent)

    def _set_all(self, targets: Mapping[str, float]) -> None:
        self._filling = True
        try:
            for node_id, spin in self.spins.items():
                share = targets.get(node_id)
                spin.setValue(NO_TARGET if share is None else round(share * 100, 1))
        finally:
            self._filling = False

    def _load_quarter(self) -> None:
        """Show the saved targets of the chosen quarter and its actual shares so far; a quarter
        without a plan is pre-filled from the profile, unsaved until Save."""
        quarter = self.quarter
        saved = self.loaded.plans.quarter(quarter).targets
        self._set_all(saved or prefill(self.framework, self.profile))
        actual, label = self.actual_for(quarter)
        self.table.setHorizontalHeaderItem(2, QTableWidgetItem(f"Actual ({label})"))
        for node, item in zip(self.nodes, self.actual_items, strict=True):
            share = actual.get(node.id)
            item.setText(pct(share) if share is not None else "")
        self._dirty = not saved
        self._typed = False
        self._close_armed = False
        self._check()
        conflicts = [c for c in self.loaded.conflicts if c.quarter == quarter]
        if conflicts:
            lines = []
            for c in conflicts:
                label_text = self.framework[c.node_id].label if c.node_id in self.framework else ""
                others = ", ".join(
                    f"{pct(s) if s is not None else 'cleared'} on {d}" for d, s in c.others
                )
                lines.append(f"{label_text or c.node_id} was also set to {others}")
            self._say(
                "Set on two devices at once (the later edit is shown; save to keep it): "
                + "; ".join(lines)
                + ".",
                warning=True,
            )
        elif self.loaded.problems:
            self._say(" ".join(f"{p[0].upper()}{p[1:]}." for p in self.loaded.problems), True)
        elif not saved:
            self._say(
                f"No plan for {quarter} yet: these targets come from the {self.profile.label} "
                "profile (its own targets, else the middle of each band). Save to keep them."
            )
        else:
            self.message.hide()

    def _edited(self) -> None:
        if self._filling:
            return
        self._dirty = True
        self._typed = True
        self._close_armed = False
        self._check()

    def _check(self) -> list[PlanIssue]:
        issues = check_plan(self.targets(), self.framework, self.profile)
        theme = ChartTheme.from_palette(self.palette())
        by_node: dict[str, list[PlanIssue]] = {}
        for issue in issues:
            if issue.node_id is not None:
                by_node.setdefault(issue.node_id, []).append(issue)
        for node, item in zip(self.nodes, self.check_items, strict=True):
            found = by_node.get(node.id, [])
            text = "; ".join(_row_text(node, i) for i in found)
            item.setText(("\u26a0 " + text) if text else "")
            item.setToolTip("; ".join(i.text for i in found))
            severe = any(i.severity == "error" for i in found)
            item.setForeground(
                theme.verdict_colour("below" if severe else "above" if found else None)
            )
        errors = [i for i in issues if i.severity == "error"]
        totals = [i for i in issues if i.node_id is None]
        domain_sum = sum(self.targets().get(d.id, 0.0) for d in self.framework.domains)
        summary = f"Domain targets add up to {pct(domain_sum)}."
        if totals:
            summary = (
                "\u26a0 " + "; ".join(f"{i.text[0].upper()}{i.text[1:]}" for i in totals) + "."
            )
        if errors:
            summary += " Save is off until this is fixed."
        self.totals.setText(summary)
        palette = self.totals.palette()
        colour = theme.verdict_colour("below") if errors else self.palette().windowText().color()
        palette.setColor(self.totals.foregroundRole(), colour)
        self.totals.setPalette(palette)
        self.save_button.setEnabled(not errors and self._dirty)
        self.revert_button.setEnabled(self._typed)
        # Unsaved targets stay with their quarter: save or revert before choosing another.
        self.quarter_box.setEnabled(not self._typed)
        self.quarter_box.setToolTip("Save or revert first" if self._typed else "")
        return issues

    def _say(self, text: str, warning: bool = False) -> None:
        theme = ChartTheme.from_palette(self.palette())
        palette = self.message.palette()
        colour = theme.verdict_colour("above") if warning else theme.text
        palette.setColor(self.message.foregroundRole(), colour)
        self.message.setPalette(palette)
        self.message.setText(text)
        self.message.show()

    # Actions ------------------------------------------------------------------------------

    def fill_from_profile(self) -> None:
        self._set_all(prefill(self.framework, self.profile))
        self._dirty = self._typed = True
        self._check()

    def clear_all(self) -> None:
        self._set_all({})
        self._dirty = self._typed = True
        self._check()

    def reject(self) -> None:
        """Close; with unsaved targets the first Close (or Escape) only says so, and a second
        one discards them, so a stray key never loses typed targets."""
        if self._typed and not self._close_armed:
            self._close_armed = True
            self._say(
                f"The {self.quarter} targets are not saved. Save them, or Close again to "
                "discard them.",
                warning=True,
            )
            return
        super().reject()

    def save(self) -> bool:
        """Save the quarter shown; on a refusal the reason is shown and nothing is lost."""
        quarter = self.quarter
        try:
            self.loaded, warnings = self.store.save_quarter(
                quarter,
                dict(self.targets()),
                self.framework,
                self.profile,
                replace=True,
                expect=self.loaded.stamps,
            )
        except RecordsChanged:
            # Keep what the user typed on screen; load the new stamps so a second Save, made
            # knowingly, goes through.
            typed = self.targets()
            self.loaded = self.store.load(self.framework)
            theirs = self.loaded.plans.quarter(quarter).targets
            changed = sorted(
                self.framework[n].label if n in self.framework else n
                for n in set(theirs) | set(typed)
                if theirs.get(n) != typed.get(n)
            )
            self._say(
                f"The {quarter} plan changed on this or another device while this was open "
                f"({', '.join(changed) or 'no target differs'}). Your values are still shown; "
                "Save again to keep them, or Revert to see the new ones.",
                warning=True,
            )
            return False
        except (PlanError, SharedRecordsError) as exc:
            self._say(f"{str(exc)[0].upper()}{str(exc)[1:]}.", warning=True)
            return False
        self._dirty = self._typed = False
        index = self.quarter_box.currentIndex()
        self.quarter_box.setItemText(
            index, f"{quarter}  (planned)" if self.targets() else str(quarter)
        )
        self._check()
        done = f"Saved the {quarter} plan."
        if warnings:
            done += f" {len(warnings)} warning{'s' if len(warnings) != 1 else ''} shown above."
        self._say(done)
        self.saved.emit()
        return True


def _row_text(node: Node, issue: PlanIssue) -> str:
    """An issue as its row shows it: without the node's own name in front."""
    prefix = f"{node.label}: "
    text = issue.text[len(prefix) :] if issue.text.startswith(prefix) else issue.text
    return text[0].upper() + text[1:]


def shares_so_far(
    *,
    store: EntryStore,
    framework: Framework,
    profile: BenchmarkProfile,
    store_lock: AbstractContextManager[Any],
    tz: ZoneInfo,
    today: date,
) -> ActualFor:
    """The actual share of each domain and focus area in a quarter, up to `today`."""

    def actual(quarter: Quarter) -> tuple[Mapping[str, float], str]:
        if quarter.first > today:
            return {}, "not started"
        last = min(quarter.last, today)
        period = Period(quarter.first, last, tz)
        with store_lock:
            entries = store.entries(period.start, period.end)
        report = allocate(entries, framework, period, profile)
        if report.total_seconds <= 0:
            return {}, "nothing tracked"
        label = "so far" if last < quarter.last else str(quarter)
        return {a.id: a.share for a in (*report.domains, *report.focus_areas)}, label

    return actual


def plan_editor_for(
    *,
    framework: Framework,
    store: EntryStore,
    profile: BenchmarkProfile,
    day: date,
    store_lock: AbstractContextManager[Any],
    tz: ZoneInfo,
    today: date,
    parent: QWidget | None = None,
) -> PlanEditorDialog:
    """The editor for the dashboard's data folder, device and profile, on the quarter that
    holds `day`."""
    dialog = PlanEditorDialog(
        framework,
        PlanStore(store.data_dir, store.device_id),
        profile,
        Quarter.of(day),
        actual_for=shares_so_far(
            store=store,
            framework=framework,
            profile=profile,
            store_lock=store_lock,
            tz=tz,
            today=today,
        ),
        parent=parent,
    )
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return dialog
