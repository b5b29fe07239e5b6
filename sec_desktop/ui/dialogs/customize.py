"""The framework editor: the user's own Level-3 activities, the industry preset and personal
targets.

Domains and focus areas are the framework's and stay fixed; activities can be added, renamed
(in place: the id stays, so history follows), hidden (their time still counts in reports),
moved up and down, and, for the ones the user added, deleted: when entries carry one, the
user chooses where they move, sees how many move, and they are moved before the activity
goes. Every change is saved at once (`sec_desktop.framework.customization`), so a change
that moved entries can't be lost to a Cancel. Personal targets are the custom benchmark
profile of `sec_desktop.framework.custom_profile`, set beside the framework's bands.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sec_desktop import APP_NAME
from sec_desktop.framework import (
    BenchmarkProfile,
    Framework,
    FrameworkError,
    Level,
    load_framework,
)
from sec_desktop.framework.custom_profile import (
    CustomProfileConflict,
    CustomProfileError,
    ProfileSnapshot,
    make_custom_profile,
    read_custom_profile,
    save_custom_profile,
)
from sec_desktop.framework.customization import (
    CUSTOMIZATION_KIND,
    Customization,
    CustomizationConflict,
    CustomizationError,
    apply_customization,
    count_entries,
    is_custom_activity,
    move_entries,
    read_customization,
    save_customization,
)
from sec_desktop.settings import Settings, SettingsError, save_settings
from sec_desktop.store import EntryStore, StoreError
from sec_desktop.store.atomic import ensure_private_dir
from sec_desktop.store.shared_records import SHARED_DIR, shared_dir
from sec_desktop.ui.widgets import literal, problem_label

ROLE_ID = Qt.ItemDataRole.UserRole
NO_PRESET = ""


MOVE_DIALOG_WIDTH_PX = 440


class MoveEntriesDialog(QDialog):
    """Where the entries of an activity being deleted go: the count and hours, and a choice."""

    def __init__(
        self,
        framework: Framework,
        activity_id: str,
        summary: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        label = framework[activity_id].label
        self.setWindowTitle(f"Delete {label}")
        self.setAccessibleName("Move entries before deleting")
        self.setMinimumWidth(MOVE_DIALOG_WIDTH_PX)
        self.activity_id = activity_id
        column = QVBoxLayout(self)
        self.message = QLabel(
            f"{summary} carry \u201c{label}\u201d. Choose where they move; then the activity "
            "is deleted. Their times and notes stay as they are."
        )
        self.message.setWordWrap(True)
        self.message.setAccessibleName("What will move")
        column.addWidget(self.message)
        self.target_box = QComboBox()
        self.target_box.setAccessibleName("Move the entries to")
        self.target_box.addItem("Choose an activity\u2026", "")
        for node in framework.walk():
            if node.id == activity_id or node.hidden:
                continue
            indent = "    " * (node.level.value - 1)
            self.target_box.addItem(f"{indent}{node.label}", node.id)
        column.addWidget(self.target_box)
        self.buttons = QDialogButtonBox()
        self.move_button = self.buttons.addButton(
            f"Move {summary.split(' ', 1)[0]} and delete", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.move_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.target_box.currentIndexChanged.connect(
            lambda _i: self.move_button.setEnabled(bool(self.target()))
        )
        column.addWidget(self.buttons)

    def target(self) -> str:
        return str(self.target_box.currentData() or "")

    def choose(self, target_id: str) -> None:
        index = self.target_box.findData(target_id)
        if index < 0:
            raise ValueError(f"{target_id!r} is not offered as a target")
        self.target_box.setCurrentIndex(index)


class TargetsEditor(QWidget):
    """Personal targets per domain and focus area, beside the framework's band."""

    def __init__(
        self,
        framework: Framework,
        reference: BenchmarkProfile,
        current: BenchmarkProfile | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.framework = framework
        self.reference = reference
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(10)
        for column, text in enumerate(
            ("", f"{reference.label} band", "Your target", "Low", "High")
        ):
            header = QLabel(f"<b>{text}</b>")
            grid.addWidget(header, 0, column)
        self.rows: dict[str, tuple[QCheckBox, QDoubleSpinBox, QDoubleSpinBox]] = {}
        row = 1
        for node in framework.walk():
            if node.level is Level.ACTIVITY:
                continue
            name = QLabel(("    " if node.level is Level.FOCUS_AREA else "") + node.label)
            if node.level is Level.DOMAIN:
                name.setText(f"<b>{node.label}</b>")
            band = reference.bands.get(node.id)
            shipped = QLabel(f"{band.low * 100:g}\u2013{band.high * 100:g}%" if band else "\u2013")
            shipped.setAccessibleName(f"Framework band of {node.label}")
            own = current.bands.get(node.id) if current else None
            use = QCheckBox()
            use.setAccessibleName(f"Own target for {node.label}")
            use.setChecked(own is not None)
            low = self._spin(f"{node.label} low", own.low if own else (band.low if band else 0.1))
            high = self._spin(
                f"{node.label} high", own.high if own else (band.high if band else 0.2)
            )
            # The range shows only where a target is set, so no made-up numbers sit there.
            for spin in (low, high):
                use.toggled.connect(spin.setVisible)
                spin.setVisible(use.isChecked())
            for column, widget in enumerate((name, shipped, use, low, high)):
                grid.addWidget(widget, row, column, Qt.AlignmentFlag.AlignVCenter)
            # Rows keep their height whether or not the range boxes are shown.
            grid.setRowMinimumHeight(row, low.sizeHint().height())
            self.rows[node.id] = (use, low, high)
            row += 1
        grid.setRowStretch(row, 1)
        grid.setColumnStretch(0, 1)

    @staticmethod
    def _spin(name: str, fraction: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(0.0, 100.0)
        spin.setDecimals(1)
        spin.setSingleStep(1.0)
        spin.setSuffix(" %")
        spin.setValue(round(fraction * 100, 1))
        spin.setAccessibleName(name)
        return spin

    def set_target(self, node_id: str, low_pct: float | None, high_pct: float | None) -> None:
        use, low, high = self.rows[node_id]
        use.setChecked(low_pct is not None)
        if low_pct is not None and high_pct is not None:
            low.setValue(low_pct)
            high.setValue(high_pct)

    def percent_bands(self) -> dict[str, tuple[float, float]]:
        return {
            node_id: (low.value(), high.value())
            for node_id, (use, low, high) in self.rows.items()
            if use.isChecked()
        }


class CustomizeDialog(QDialog):
    """Activities, industry preset and personal targets; changes are saved as they are made.

    `frameworkChanged` carries the framework with the preset and customizations applied after
    every saved change; `settingsChanged` the settings after a preset switch.
    """

    frameworkChanged = Signal(object)
    settingsChanged = Signal(object)
    targetsSaved = Signal(object)

    def __init__(
        self,
        data_dir: Path,
        store: EntryStore,
        settings: Settings,
        config_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.store = store
        self.settings = settings
        self.config_dir = config_dir
        self.setWindowTitle(f"{APP_NAME} \u2014 Framework")
        self.setAccessibleName("Customize the framework")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(760, 640)
        self._move_dialog: MoveEntriesDialog | None = None
        self._filling = False

        self.base = self._load_base(settings.industry_preset)
        # What the dialog shows and what its saves are based on: a save refuses to write over
        # an item that another device changed since (see `_apply`).
        self.snapshot = read_customization(data_dir, self.base)
        self.customization = self.snapshot.customization
        problems = list(self.snapshot.problems)

        layout = QVBoxLayout(self)
        self.load_problem = problem_label("Problem with the saved changes")
        if problems:
            self.load_problem.setText(" ".join(problems))
            self.load_problem.show()
        layout.addWidget(self.load_problem)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._activities_tab(), "&Activities")
        self.tabs.addTab(self._targets_tab(), "Personal &targets")
        layout.addWidget(self.tabs, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout.addWidget(close)
        self._fill_tree()
        self._watch_shared_changes()

    # Changes from other devices ----------------------------------------------------------------

    def _watch_shared_changes(self) -> None:
        """Pick up framework changes a sync brings in while the dialog is open."""
        folder = shared_dir(self.data_dir, CUSTOMIZATION_KIND)
        try:
            ensure_private_dir(self.data_dir / SHARED_DIR)
            ensure_private_dir(folder)
        except OSError:
            return  # no watching; a save still refuses to write over a change it didn't see
        self.watcher = QFileSystemWatcher([str(folder)], self)
        self.watcher.directoryChanged.connect(lambda _path: self.reload_shared_changes())

    def reload_shared_changes(self) -> bool:
        """Show what is saved now, when it differs from what the dialog shows (a change from
        another device synced in); True when it did. Waits while an activity is being renamed,
        so the user's typing is not thrown away."""
        if self.tree.state() is QAbstractItemView.State.EditingState:
            return False
        snapshot = read_customization(self.data_dir, self.base)
        if snapshot.customization == self.customization:
            self.snapshot = snapshot
            return False
        self.snapshot = snapshot
        self.customization = snapshot.customization
        self._fill_tree(self.current_id())
        self.status.setText("Changes made on another device were picked up.")
        self.frameworkChanged.emit(self.framework)
        return True

    # The framework ----------------------------------------------------------------------------

    def _load_base(self, preset: str | None) -> Framework:
        try:
            return load_framework(preset=preset)
        except FrameworkError:  # an unknown preset: show the framework without it
            return load_framework()

    @property
    def framework(self) -> Framework:
        """The framework as the user now has it."""
        return apply_customization(self.base, self.customization)

    # Activities tab ---------------------------------------------------------------------------

    def _activities_tab(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        preset_row = QHBoxLayout()
        preset_label = QLabel("Industry &preset:")
        self.preset_box = QComboBox()
        self.preset_box.setAccessibleName("Industry preset")
        self.preset_box.addItem("None", NO_PRESET)
        for preset in self.base.presets.values():
            self.preset_box.addItem(preset.label, preset.id)
        self.preset_box.setCurrentIndex(
            max(0, self.preset_box.findData(self.settings.industry_preset or NO_PRESET))
        )
        preset_label.setBuddy(self.preset_box)
        self.preset_box.activated.connect(
            lambda index: self.switch_preset(str(self.preset_box.itemData(index)) or None)
        )
        preset_row.addWidget(preset_label)
        preset_row.addWidget(self.preset_box)
        preset_row.addStretch(1)
        column.addLayout(preset_row)
        column.addWidget(
            QLabel(
                "Domains and focus areas are the framework's. Double-click an activity to "
                "rename it; its history follows the new name."
            )
        )
        body = QHBoxLayout()
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Framework activities")
        self.tree.setHeaderLabels(["Activity", "Note"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.tree.itemChanged.connect(self._item_renamed)
        self.tree.currentItemChanged.connect(lambda *_: self._sync_buttons())
        body.addWidget(self.tree, 1)
        buttons = QVBoxLayout()

        def button(text: str, name: str, handler: Callable[[], None]) -> QPushButton:
            widget = QPushButton(text)
            widget.setAccessibleName(name)
            widget.clicked.connect(handler)
            buttons.addWidget(widget)
            return widget

        self.add_button = button("A&dd\u2026", "Add an activity", self.ask_add)
        self.rename_button = button("&Rename", "Rename the activity", self._start_rename)
        self.hide_button = button("&Hide", "Hide or show the activity", self.toggle_hidden)
        self.up_button = button("Move &up", "Move the activity up", lambda: self.move_current(-1))
        self.down_button = button(
            "Move do&wn", "Move the activity down", lambda: self.move_current(1)
        )
        self.delete_button = button("De&lete\u2026", "Delete the activity", self._delete_clicked)
        self.take_other_button = button(
            "Take the &other", "Take the other device's change back", self._take_other_clicked
        )
        self.take_other_button.setToolTip(
            "This activity was changed on two devices at the same time: use the change that "
            "lost instead."
        )
        buttons.addStretch(1)
        body.addLayout(buttons)
        column.addLayout(body, 1)
        self.problem = problem_label("Problem")
        column.addWidget(self.problem)
        self.status = QLabel()
        self.status.setAccessibleName("Last change")
        self.status.setWordWrap(True)
        column.addWidget(self.status)
        return page

    def _fill_tree(self, select: str | None = None) -> None:
        self._filling = True
        self.tree.clear()
        framework = self.framework
        items: dict[str, QTreeWidgetItem] = {}
        for node in framework.walk():
            parent = items.get(node.parent_id or "")
            item = QTreeWidgetItem([node.label, self._kind(node.id, node.level, node.hidden)])
            item.setData(0, ROLE_ID, node.id)
            concurrent = self._concurrent_edits(node.id)
            if concurrent:
                item.setText(1, "; ".join(filter(None, [item.text(1), *concurrent])))
                item.setToolTip(
                    1,
                    "Changed on two devices at the same time; the later change is shown. "
                    "Make the other change again to take it back.",
                )
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if node.level is Level.ACTIVITY:
                flags |= Qt.ItemFlag.ItemIsEditable
            else:
                font = item.font(0)
                font.setBold(True)
                item.setFont(0, font)
            item.setFlags(flags)
            if node.hidden:
                font = item.font(0)
                font.setItalic(True)
                item.setFont(0, font)
                item.setForeground(0, self.palette().placeholderText())
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            items[node.id] = item
        self.tree.expandAll()
        self._items = items
        if select and select in items:
            self.tree.setCurrentItem(items[select])
        self._filling = False
        self._sync_buttons()

    def _kind(self, node_id: str, level: Level, hidden: bool) -> str:
        """Where an activity comes from, when not from the framework itself, and hidden."""
        if level is not Level.ACTIVITY:
            return ""
        words = []
        node = self.base.nodes.get(node_id)
        if is_custom_activity(node_id):
            words.append("Yours")
        elif node is not None and node.preset:
            words.append(f"{self.base.presets[node.preset].label} preset")
        if hidden:
            words.append("hidden" if words else "Hidden")
        return ", ".join(words)

    def _concurrent_edits(self, node_id: str) -> list[str]:
        """What other devices did to this activity at the same time, which lost: kept in the
        records, and said here so the user can take it back."""
        words = []
        for key in (f"rename/{node_id}", f"hidden/{node_id}", f"added/{node_id}"):
            merged = self.snapshot.conflicts.get(key)
            for loser in merged.conflicts if merged else ():
                if loser.deleted:
                    verb = {"rename/": "the original name", "hidden/": "shown"}.get(
                        key[: key.index("/") + 1], "deleted"
                    )
                    words.append(f"{verb} on {loser.device}")
                elif key.startswith("rename/"):
                    words.append(f"also named \u201c{loser.value}\u201d on {loser.device}")
                elif key.startswith("hidden/"):
                    words.append(f"hidden on {loser.device}")
                elif isinstance(loser.value, dict):
                    words.append(f"\u201c{loser.value.get('label')}\u201d on {loser.device}")
        return words

    def _other_change(self, node_id: str) -> tuple[str, object] | None:
        """The newest change another device made at the same time to this activity's name or
        visibility that lost: ("rename", label) or ("hidden", bool); None when there is none."""
        for key, what in ((f"rename/{node_id}", "rename"), (f"hidden/{node_id}", "hidden")):
            merged = self.snapshot.conflicts.get(key)
            if merged and merged.conflicts:
                loser = merged.conflicts[-1]
                if what == "hidden":
                    return what, not loser.deleted
                original = self.base.nodes.get(node_id)
                label = loser.value if not loser.deleted else (original.label if original else None)
                return (what, label) if isinstance(label, str) else None
        return None

    def _take_other_clicked(self) -> None:
        self.take_other()

    def take_other(self) -> bool:
        """Use the change that lost to another device's at the same time, for the chosen one."""
        node_id = self.current_id()
        other = self._other_change(node_id) if node_id else None
        if node_id is None or other is None:
            return False
        what, value = other
        if what == "rename":
            return self.rename(node_id, str(value))
        return self.set_hidden(node_id, bool(value))

    def current_id(self) -> str | None:
        item = self.tree.currentItem()
        return None if item is None else str(item.data(0, ROLE_ID))

    def select(self, node_id: str) -> None:
        self.tree.setCurrentItem(self._items[node_id])

    def item_of(self, node_id: str) -> QTreeWidgetItem:
        return self._items[node_id]

    def _sync_buttons(self) -> None:
        node_id = self.current_id()
        node = self.framework.nodes.get(node_id) if node_id else None
        activity = node is not None and node.level is Level.ACTIVITY
        self.take_other_button.setEnabled(
            node_id is not None and self._other_change(node_id) is not None
        )
        self.add_button.setEnabled(node is not None)
        for widget in (self.rename_button, self.hide_button, self.up_button, self.down_button):
            widget.setEnabled(activity)
        self.hide_button.setText("S&how" if node is not None and node.hidden else "&Hide")
        custom = activity and node_id is not None and is_custom_activity(node_id)
        self.delete_button.setEnabled(custom)
        self.delete_button.setToolTip(
            ""
            if custom
            else "Activities of the framework can be hidden; only your own are deleted."
        )

    # Edits -----------------------------------------------------------------------------------

    def _apply(self, changed: Customization, message: str, select: str | None = None) -> bool:
        """Save a changed customization; on success show it, else say what is wrong.

        Only the items this change touches are written; if another device changed one of them
        since the dialog read it, nothing is saved and the dialog shows that change instead.
        """
        try:
            self.snapshot = save_customization(
                self.data_dir,
                changed,
                self.base,
                device_id=self.store.device_id,
                based_on=self.snapshot,
            )
        except CustomizationConflict as exc:
            self.snapshot = exc.current
            self.customization = exc.current.customization
            self._fill_tree(select)
            self.status.clear()
            self.show_problem(f"{exc}.")
            self.frameworkChanged.emit(self.framework)
            return False
        except CustomizationError as exc:
            self.show_problem(str(exc))
            return False
        except OSError as exc:
            self.show_problem(f"The change could not be saved: {exc.strerror or exc}.")
            return False
        self.customization = self.snapshot.customization
        self.problem.hide()
        self.load_problem.hide()
        self.status.setText(message)
        self._fill_tree(select)
        self.frameworkChanged.emit(self.framework)
        return True

    def show_problem(self, message: str) -> None:
        self.problem.setText(message)
        self.problem.show()

    def _focus_area_of_current(self) -> str | None:
        node_id = self.current_id()
        if node_id is None:
            return None
        node = self.framework[node_id]
        if node.level is Level.ACTIVITY:
            return node.parent_id
        if node.level is Level.FOCUS_AREA:
            return node.id
        return None

    def add_activity(self, focus_area_id: str, label: str) -> str | None:
        """Add an activity under a focus area; its new id, or None when refused."""
        try:
            changed, new_id = self.customization.add_activity(self.base, focus_area_id, label)
        except CustomizationError as exc:
            self.show_problem(str(exc))
            return None
        focus = self.base[focus_area_id].label
        if self._apply(changed, f"Added \u201c{label.strip()}\u201d to {focus}.", new_id):
            return new_id
        return None

    def ask_add(self) -> None:
        focus_area = self._focus_area_of_current()
        if focus_area is None:
            self.show_problem("Choose a focus area (or one of its activities) to add to.")
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Add an activity")
        # The label is the field's buddy: an "&" in a name would turn into a shortcut.
        dialog.setLabelText(f"New activity in {literal(self.base[focus_area].label)}:")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.textValueSelected.connect(lambda text: self.add_activity(focus_area, text))
        dialog.show()

    def _start_rename(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self.tree.editItem(item, 0)

    def _item_renamed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._filling or column != 0:
            return
        self.rename(str(item.data(0, ROLE_ID)), item.text(0))

    def rename(self, activity_id: str, label: str) -> bool:
        old = self.framework[activity_id].label
        try:
            changed = self.customization.rename(self.base, activity_id, label)
        except CustomizationError as exc:
            self.show_problem(str(exc))
            self._fill_tree(activity_id)  # put the old name back in the tree
            return False
        new = apply_customization(self.base, changed)[activity_id].label
        return self._apply(
            changed,
            f"Renamed \u201c{old}\u201d to \u201c{new}\u201d; its entries follow.",
            activity_id,
        )

    def toggle_hidden(self) -> None:
        node_id = self.current_id()
        if node_id is not None:
            self.set_hidden(node_id, not self.framework[node_id].hidden)

    def set_hidden(self, activity_id: str, hidden: bool) -> bool:
        try:
            changed = self.customization.set_hidden(self.base, activity_id, hidden)
        except CustomizationError as exc:
            self.show_problem(str(exc))
            return False
        label = self.framework[activity_id].label
        message = (
            f"\u201c{label}\u201d is hidden from the picker; its time still counts in reports."
            if hidden
            else f"\u201c{label}\u201d is back in the picker."
        )
        return self._apply(changed, message, activity_id)

    def move_current(self, steps: int) -> None:
        node_id = self.current_id()
        if node_id is not None:
            self.move_activity(node_id, steps)

    def move_activity(self, activity_id: str, steps: int) -> bool:
        try:
            changed = self.customization.move(self.base, activity_id, steps)
        except CustomizationError as exc:
            self.show_problem(str(exc))
            return False
        label = self.framework[activity_id].label
        return self._apply(changed, f"Moved \u201c{label}\u201d.", activity_id)

    def _delete_clicked(self) -> None:
        self.ask_delete()

    def ask_delete(self) -> MoveEntriesDialog | None:
        """Delete the chosen activity of the user's; with entries, ask where they move first.

        Returns the (non-blocking) dialog that asks, when one is needed.
        """
        node_id = self.current_id()
        if node_id is None or not is_custom_activity(node_id):
            return None
        tagged = count_entries(self.store, node_id)
        if tagged.count == 0:
            self.delete(node_id, None)
            return None
        dialog = MoveEntriesDialog(self.framework, node_id, tagged.describe(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.delete(node_id, dialog.target()))
        self._move_dialog = dialog
        dialog.show()
        return dialog

    def delete(self, activity_id: str, move_to: str | None) -> bool:
        """Move the activity's entries to `move_to` (when it has any), then delete it."""
        label = self.framework[activity_id].label
        moved = 0
        tagged = count_entries(self.store, activity_id)
        if tagged.count:
            if not move_to:
                self.show_problem(
                    f"{tagged.describe()} carry \u201c{label}\u201d; choose where they move."
                )
                return False
            # Each entry is saved on its own (about 7 ms each on a year of data): say we're busy.
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                moved = move_entries(self.store, activity_id, move_to, framework=self.framework)
            except (CustomizationError, StoreError) as exc:
                self.show_problem(f"\u201c{label}\u201d was not deleted: {exc}")
                return False
            finally:
                QApplication.restoreOverrideCursor()
        try:
            changed = self.customization.remove_activity(activity_id)
        except CustomizationError as exc:
            self.show_problem(str(exc))
            return False
        message = f"Deleted \u201c{label}\u201d."
        if moved:
            target = self.framework[move_to].label if move_to else ""
            noun = "entry" if moved == 1 else "entries"
            message = (
                f"Moved {moved} {noun} to \u201c{target}\u201d and deleted \u201c{label}\u201d."
            )
        return self._apply(changed, message)

    # Preset ------------------------------------------------------------------------------------

    def switch_preset(self, preset: str | None) -> bool:
        """Use another industry preset; saved in the settings when a config folder is known.

        Entries on the old preset's activities stay as they are; the message says how many
        will show as outside the framework until the preset comes back.
        """
        old = self.base
        try:
            settings = self.settings.replace(industry_preset=preset)
        except SettingsError as exc:
            self.show_problem(str(exc))
            return False
        if self.config_dir is not None:
            try:
                save_settings(self.config_dir, settings)
            except OSError as exc:
                self.show_problem(f"The preset could not be saved: {exc.strerror or exc}.")
                return False
        self.settings = settings
        self.base = self._load_base(preset)
        self.snapshot = read_customization(self.data_dir, self.base)
        self.customization = self.snapshot.customization
        left_out = [
            node.id
            for node in old.nodes.values()
            if node.preset is not None and node.id not in self.base.nodes
        ]
        stranded = [count_entries(self.store, node_id) for node_id in left_out]
        count = sum(t.count for t in stranded)
        chosen = self.base.presets.get(preset or "")
        name = chosen.label if chosen is not None else "none"
        message = f"Industry preset: {name}."
        if count:
            hours = sum(t.seconds for t in stranded) / 3600
            noun, verb = ("entry", "is") if count == 1 else ("entries", "are")
            message += (
                f" {count} {noun} ({hours:.1f} h) {verb} tagged with the old preset's "
                "activities; they are kept, shown as outside the framework, and count again "
                "when you switch back."
            )
        self.status.setText(message)
        self.preset_box.setCurrentIndex(max(0, self.preset_box.findData(preset or NO_PRESET)))
        self._fill_tree()
        self.settingsChanged.emit(settings)
        self.frameworkChanged.emit(self.framework)
        return True

    # Targets tab -------------------------------------------------------------------------------

    def _targets_tab(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.addWidget(
            QLabel(
                "Your own ranges for domains and focus areas, as a share of tracked time. "
                "They form the \u201cCustom\u201d benchmark profile, beside the framework's."
            )
        )
        reference_id = (
            self.settings.benchmark_profile
            if self.settings.benchmark_profile in self.base.profiles
            else "default"
        )
        self.targets_problem = problem_label("Problem with the targets")
        current: BenchmarkProfile | None = None
        # What the targets were read from: a save refuses to write over a band another
        # device changed since.
        self.profile_snapshot: ProfileSnapshot | None = None
        try:
            self.profile_snapshot = read_custom_profile(self.data_dir, self.base)
            current = self.profile_snapshot.profile
        except CustomProfileError as exc:
            self.targets_problem.setText(
                f"Your saved targets can't be used ({exc}); saving new ones keeps that file aside."
            )
            self.targets_problem.show()
        self.targets = TargetsEditor(self.base, self.base.profiles[reference_id], current)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.targets)
        column.addWidget(scroll, 1)
        column.addWidget(self.targets_problem)
        row = QHBoxLayout()
        self.targets_status = QLabel()
        self.targets_status.setAccessibleName("Targets saved")
        row.addWidget(self.targets_status, 1)
        save = QPushButton("&Save targets")
        save.setAccessibleName("Save targets")
        save.clicked.connect(self.save_targets)
        row.addWidget(save)
        column.addLayout(row)
        return page

    def save_targets(self) -> BenchmarkProfile | None:
        """Check and save the personal targets; a refused one names the field at fault."""
        try:
            profile = make_custom_profile(self.base, self.targets.percent_bands())
            self.profile_snapshot = save_custom_profile(
                self.data_dir,
                profile,
                self.base,
                device_id=self.store.device_id,
                based_on=self.profile_snapshot,
            )
        except CustomProfileConflict as exc:
            self.profile_snapshot = exc.current
            self._show_targets(exc.current.profile)
            self.targets_problem.setText(f"Not saved: {exc}. The targets now show it.")
            self.targets_problem.show()
            return None
        except CustomProfileError as exc:
            self.targets_problem.setText(f"Not saved: {exc}.")
            self.targets_problem.show()
            return None
        except OSError as exc:
            self.targets_problem.setText(f"Not saved: {exc.strerror or exc}.")
            self.targets_problem.show()
            return None
        self.targets_problem.hide()
        count = len(profile.bands)
        self.targets_status.setText(
            f"Saved {count} target{'s' if count != 1 else ''} as the Custom profile."
        )
        self.targetsSaved.emit(profile)
        return profile

    def _show_targets(self, profile: BenchmarkProfile | None) -> None:
        """Put the saved targets in the editor (after a save found newer ones)."""
        bands = profile.bands if profile is not None else {}
        for node_id in self.targets.rows:
            band = bands.get(node_id)
            if band is None:
                self.targets.set_target(node_id, None, None)
            else:
                self.targets.set_target(node_id, band.low * 100, band.high * 100)


__all__ = ["CustomizeDialog", "MoveEntriesDialog", "TargetsEditor"]
