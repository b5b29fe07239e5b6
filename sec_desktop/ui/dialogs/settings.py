"""The settings dialog, built from the setting specs: one section per group, one editor per
kind, inline messages that name the field, OK only while everything is valid.

It is shown non-blocking and deletes itself on close. OK turns start at login on or off,
saves the settings file, emits `settingsSaved(Settings)` and closes; a failure keeps the
dialog open with the reason shown, and nothing half-applied.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from datetime import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from PySide6.QtCore import QSize, Qt, QTime, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from sec_desktop import APP_NAME
from sec_desktop.platform import autostart
from sec_desktop.settings import (
    GROUP_ORDER,
    SPECS,
    WEEKDAY_NAMES,
    Choice,
    Flag,
    IntChoices,
    IntRange,
    OptionalFolder,
    Settings,
    SettingsError,
    SettingSpec,
    Text,
    TimeOfDay,
    Weekdays,
    cross_field_problems,
    save_settings,
)
from sec_desktop.store.paths import resolve_data_dir
from sec_desktop.ui.widgets import fit_on_screen

WEEKDAY_FULL_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ERROR_COLOUR_LIGHT = QColor("#b3261e")  # 6.5:1 on white
ERROR_COLOUR_DARK = QColor("#ffb4ab")  # 9:1 on the usual dark window colour
HINT_TEXT_SHARE = 0.68


class FieldEditor:
    """One setting's editor: the widget in the form, how to read and set its value, and
    where its message goes."""

    def __init__(
        self,
        spec: SettingSpec,
        widget: QWidget,
        read: Callable[[], Any],
        write: Callable[[Any], None],
        focus: QWidget,
    ) -> None:
        self.spec = spec
        self.widget = widget
        self.read = read
        self.write = write
        self.focus = focus  # the control a message points the user to
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.error.setObjectName(f"error_{spec.key}")
        self.error.setAccessibleName(f"{spec.label} problem")


class FullScroll(QScrollArea):
    """A scroll area that asks for its whole content's size (QScrollArea caps its hint), so
    the dialog opens without scroll bars wherever the screen has room."""

    def __init__(self, content: QWidget) -> None:
        super().__init__()
        self._content = content
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Settings")

    def sizeHint(self) -> QSize:
        content = self._content.sizeHint()
        return QSize(
            content.width() + self.verticalScrollBar().sizeHint().width(), content.height()
        )

    def minimumSizeHint(self) -> QSize:
        content = self._content.minimumSizeHint()
        width = content.width() + self.verticalScrollBar().sizeHint().width()
        return QSize(width, min(content.height(), 8 * self.fontMetrics().height()))


class SettingsDialog(QDialog):
    """Edit every shown setting; emits `settingsSaved(Settings)` after a successful save."""

    settingsSaved = Signal(object)

    def __init__(
        self,
        settings: Settings,
        config_dir: Path,
        *,
        default_data_dir: Path | None = None,
        launch_command: Sequence[str] | None = None,
        idle_note: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        # Which idle source is live, said under "Idle after" (the app knows; None: not said).
        self._idle_note = idle_note
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"{APP_NAME} settings")
        self.setObjectName("SettingsDialog")
        self._settings = settings
        self._config_dir = config_dir
        # What an empty data folder means: the folder the app would pick without one.
        self._default_data_dir = default_data_dir or resolve_data_dir(None, os.environ)
        self._launch_command = list(launch_command) if launch_command else None
        self._editors: dict[str, FieldEditor] = {}
        # Every field column is this wide: room for the data folder and the seven days.
        day_width = max(QCheckBox(day).sizeHint().width() for day in WEEKDAY_NAMES)
        self._field_width = max(self.fontMetrics().averageCharWidth() * 56, day_width * 7 + 6 * 8)
        # Labels share one width so the fields line up from section to section.
        self._label_width = max(
            QLabel(f"{spec.label}:").sizeHint().width() for spec in SPECS if spec.shown
        )
        self._autostart_was = self._read_autostart(settings.start_at_login)

        layout = QVBoxLayout(self)
        sections = QWidget()
        column = QVBoxLayout(sections)
        column.setContentsMargins(0, 0, 0, 0)
        for group in GROUP_ORDER:
            specs = [s for s in SPECS if s.group == group and s.shown]
            if specs:
                column.addWidget(self._section(group, specs))
        # Scrolls where the screen is lower than the sections (at 200% scale on a laptop).
        layout.addWidget(FullScroll(sections), 1)
        self._save_error = QLabel()
        self._save_error.setWordWrap(True)
        self._save_error.setMinimumWidth(self._field_width)
        self._save_error.setVisible(False)
        self._save_error.setObjectName("error_save")
        self._style_error(self._save_error)
        layout.addWidget(self._save_error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Save")
        self.ok_button.setAccessibleName("Save settings")
        defaults_button = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        defaults_button.setAccessibleName("Restore default settings")
        defaults_button.clicked.connect(self.restore_defaults)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self._load(settings, autostart_on=self._autostart_was)
        self.validate()
        hint = self.sizeHint()
        fit_on_screen(self, hint.width(), hint.height())

    # Building ----------------------------------------------------------------------------------

    def _section(self, group: str, specs: list[SettingSpec]) -> QGroupBox:
        box = QGroupBox(group)
        box.setAccessibleName(group)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setVerticalSpacing(form.verticalSpacing() + 6)
        for spec in specs:
            editor = self._editor(spec)
            self._editors[spec.key] = editor
            self._style_error(editor.error)
            column = QWidget()
            column.setFixedWidth(self._field_width)
            column_layout = QVBoxLayout(column)
            column_layout.setContentsMargins(0, 0, 0, 0)
            column_layout.setSpacing(2)
            column_layout.addWidget(editor.widget)
            if not isinstance(spec.kind, Flag):  # a check box carries its help as its text
                hint = QLabel(self._help_text(spec))
                hint.setObjectName(f"help_{spec.key}")
                self._style_hint(hint)
                small = hint.font()
                small.setPointSizeF(small.pointSizeF() * 0.9)
                hint.setFont(small)
                self._fit_label(hint)
                column_layout.addWidget(hint)
            column_layout.addWidget(editor.error)
            label = QLabel(f"{spec.label}:")
            label.setMinimumWidth(self._label_width)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            label.setBuddy(editor.focus)
            # Line the label up with the editor's text rather than with the column's top.
            lift = max(0, (editor.widget.sizeHint().height() - label.sizeHint().height()) // 2)
            label.setContentsMargins(0, lift, 0, 0)
            form.addRow(label, column)
        return box

    def _help_text(self, spec: SettingSpec) -> str:
        if spec.key == "idle_minutes" and self._idle_note:
            return f"{spec.help} {self._idle_note}"
        if isinstance(spec.kind, OptionalFolder) and self._default_data_dir is not None:
            return f"{spec.help} The default folder is {self._default_data_dir}."
        return spec.help

    def _fit_label(self, label: QLabel) -> None:
        """Wrap `label` to the field width and reserve its full height, so no layout can
        squeeze it (word-wrapped labels report a guessed height otherwise)."""
        label.setWordWrap(True)
        label.setFixedWidth(self._field_width)
        label.setMinimumHeight(label.heightForWidth(self._field_width) if label.text() else 0)

    def _editor(self, spec: SettingSpec) -> FieldEditor:
        builders: dict[type, Callable[[SettingSpec], FieldEditor]] = {
            Choice: self._choice_editor,
            IntRange: self._int_editor,
            Flag: self._flag_editor,
            Weekdays: self._weekday_editor,
            TimeOfDay: self._time_editor,
            IntChoices: self._numbers_editor,
            OptionalFolder: self._folder_editor,
            Text: self._text_editor,
        }
        builder = builders.get(type(spec.kind))
        if builder is None:
            raise TypeError(f"no editor for setting {spec.key} of kind {type(spec.kind).__name__}")
        return builder(spec)

    def _flag_editor(self, spec: SettingSpec) -> FieldEditor:
        box = QCheckBox(spec.help)
        self._describe(box, spec)
        box.toggled.connect(self.validate)
        return FieldEditor(spec, box, box.isChecked, box.setChecked, box)

    def _time_editor(self, spec: SettingSpec) -> FieldEditor:
        edit = QTimeEdit()
        edit.setDisplayFormat("HH:mm")
        edit.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("00:00") + 48)
        self._describe(edit, spec)
        edit.timeChanged.connect(self.validate)

        def read() -> time:
            value = edit.time()
            return time(value.hour(), value.minute())

        def write(value: time) -> None:
            edit.setTime(QTime(value.hour, value.minute))

        return FieldEditor(spec, edit, read, write, edit)

    def _describe(self, widget: QWidget, spec: SettingSpec, name: str | None = None) -> None:
        widget.setAccessibleName(name or spec.label)
        widget.setAccessibleDescription(spec.help)
        widget.setToolTip(spec.help)
        widget.setObjectName(f"edit_{spec.key}")

    def _choice_editor(self, spec: SettingSpec) -> FieldEditor:
        kind = cast(Choice, spec.kind)
        combo = QComboBox()
        for value, label in kind.options:
            combo.addItem(label, value)
        self._describe(combo, spec)
        combo.currentIndexChanged.connect(self.validate)

        def write(value: str) -> None:
            combo.setCurrentIndex(max(0, combo.findData(value)))

        return FieldEditor(spec, combo, combo.currentData, write, combo)

    def _int_editor(self, spec: SettingSpec) -> FieldEditor:
        kind = cast(IntRange, spec.kind)
        spin = QSpinBox()
        spin.setRange(kind.minimum, kind.maximum)
        if kind.unit:
            spin.setSuffix(f" {kind.unit}")
        spin.setMinimumWidth(spin.fontMetrics().horizontalAdvance(f"{kind.maximum} minutes") + 48)
        spin.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self._describe(spin, spec)
        spin.valueChanged.connect(self.validate)
        return FieldEditor(spec, spin, spin.value, spin.setValue, spin)

    def _weekday_editor(self, spec: SettingSpec) -> FieldEditor:
        row = QWidget()
        row.setObjectName(f"edit_{spec.key}")
        row.setAccessibleName(spec.label)
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.setSpacing(8)
        boxes = []
        for short, full in zip(WEEKDAY_NAMES, WEEKDAY_FULL_NAMES, strict=True):
            box = QCheckBox(short)
            box.setAccessibleName(f"{spec.label}: {full}")
            box.setAccessibleDescription(spec.help)
            box.setToolTip(full)
            box.toggled.connect(self.validate)
            row_layout.addWidget(box)
            boxes.append(box)
        row_layout.addStretch(1)

        def read() -> frozenset[int]:
            return frozenset(i for i, box in enumerate(boxes) if box.isChecked())

        def write(days: frozenset[int]) -> None:
            for i, box in enumerate(boxes):
                box.setChecked(i in days)

        self.weekday_boxes = boxes
        return FieldEditor(spec, row, read, write, boxes[0])

    def _numbers_editor(self, spec: SettingSpec) -> FieldEditor:
        edit = QLineEdit()
        edit.setPlaceholderText("5, 15, 60")
        self._describe(edit, spec)
        edit.textChanged.connect(self.validate)

        def read() -> tuple[int, ...]:
            parts = [p.strip() for p in edit.text().replace(";", ",").split(",")]
            numbers = []
            for part in parts:
                if not part:
                    continue
                if not part.isdigit():
                    raise SettingsError(spec.key, f"{spec.label}: {part!r} is not a number.")
                numbers.append(int(part))
            return tuple(numbers)

        def write(value: tuple[int, ...]) -> None:
            edit.setText(", ".join(str(n) for n in value))

        return FieldEditor(spec, edit, read, write, edit)

    def _folder_editor(self, spec: SettingSpec) -> FieldEditor:
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        edit = QLineEdit()
        default = self._default_data_dir
        edit.setPlaceholderText("The default folder")
        self._describe(edit, spec)
        if default is not None:
            edit.setToolTip(f"{spec.help} Default: {default}")
        edit.textChanged.connect(self.validate)
        choose = QPushButton("Choose…")
        choose.setObjectName(f"choose_{spec.key}")
        choose.setAccessibleName(f"Choose {spec.label.lower()}")
        choose.clicked.connect(lambda: self._choose_folder(edit))
        row_layout.addWidget(edit, 1)
        row_layout.addWidget(choose)

        def read() -> Path | None:
            text = edit.text().strip()
            return Path(text).expanduser() if text else None

        def write(value: Path | None) -> None:
            edit.setText("" if value is None else str(value))

        return FieldEditor(spec, row, read, write, edit)

    def _text_editor(self, spec: SettingSpec) -> FieldEditor:
        edit = QLineEdit()
        self._describe(edit, spec)
        edit.textChanged.connect(self.validate)
        return FieldEditor(spec, edit, edit.text, edit.setText, edit)

    def _choose_folder(self, edit: QLineEdit) -> None:
        start = edit.text().strip() or str(self._default_data_dir or Path.home())
        chooser = QFileDialog(self, "Choose the data folder", start)
        chooser.setFileMode(QFileDialog.FileMode.Directory)
        chooser.setOption(QFileDialog.Option.ShowDirsOnly, True)
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.fileSelected.connect(edit.setText)
        self.folder_chooser = chooser
        chooser.open()

    def _style_hint(self, label: QLabel) -> None:
        """Secondary text: two thirds of the way from the window colour to the text colour,
        which keeps it well above 4.5:1 on light and dark palettes alike."""
        palette = label.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        window = palette.color(QPalette.ColorRole.Window)
        mixed = QColor(
            round(text.red() * HINT_TEXT_SHARE + window.red() * (1 - HINT_TEXT_SHARE)),
            round(text.green() * HINT_TEXT_SHARE + window.green() * (1 - HINT_TEXT_SHARE)),
            round(text.blue() * HINT_TEXT_SHARE + window.blue() * (1 - HINT_TEXT_SHARE)),
        )
        palette.setColor(QPalette.ColorRole.WindowText, mixed)
        label.setPalette(palette)

    def _style_error(self, label: QLabel) -> None:
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        palette = label.palette()
        colour = ERROR_COLOUR_DARK if dark else ERROR_COLOUR_LIGHT
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        label.setPalette(palette)

    # Values ------------------------------------------------------------------------------------

    def editor(self, key: str) -> FieldEditor:
        return self._editors[key]

    def _load(self, settings: Settings, *, autostart_on: bool) -> None:
        for key, editor in self._editors.items():
            editor.write(autostart_on if key == "start_at_login" else getattr(settings, key))

    def restore_defaults(self) -> None:
        self._load(Settings(), autostart_on=Settings().start_at_login)
        self.validate()

    def _values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The editors' values by key, and a message for each one that is not valid."""
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for key, editor in self._editors.items():
            try:
                values[key] = editor.spec.validate(editor.read())
            except SettingsError as exc:
                problems[key] = str(exc)
        current = {**{s.key: getattr(self._settings, s.key) for s in SPECS}, **values}
        checkable = {"work_start", "work_end"}.isdisjoint(problems)
        if checkable:
            for key, message in cross_field_problems(SimpleNamespace(**current)):
                problems.setdefault(key, message)
        return values, problems

    def validate(self) -> bool:
        """Show a message under each invalid field; OK only when there are none."""
        values, problems = self._values()
        for key, editor in self._editors.items():
            message = problems.get(key)
            editor.error.setText(message or "")
            self._fit_label(editor.error)
            editor.error.setVisible(message is not None)
            focus = editor.focus
            description = editor.spec.help if message is None else f"{message} {editor.spec.help}"
            focus.setAccessibleDescription(description)
            applies = editor.spec.applies_when
            if applies is not None:
                other, allowed = applies
                editor.widget.setEnabled(values.get(other) in allowed)
        self.ok_button.setEnabled(not problems)
        self._save_error.setVisible(False)
        return not problems

    @property
    def problems(self) -> dict[str, str]:
        return self._values()[1]

    # Saving ------------------------------------------------------------------------------------

    def _read_autostart(self, fallback: bool) -> bool:
        with contextlib.suppress(autostart.AutostartError):
            return autostart.is_enabled()
        return fallback

    def save(self) -> None:
        """Apply start at login, save the file, emit `settingsSaved`, close; or say why not."""
        values, problems = self._values()
        if problems:
            self.validate()
            self.editor(next(iter(problems))).focus.setFocus()
            return
        try:
            settings = self._settings.replace(**values)
        except SettingsError as exc:
            self._fail(str(exc))
            return
        wants_autostart = settings.start_at_login
        if wants_autostart != self._autostart_was:
            try:
                autostart.set_enabled(wants_autostart, self._launch_command)
            except autostart.AutostartError as exc:
                editor = self.editor("start_at_login")
                editor.error.setText(f"Start at login: {exc}.")
                self._fit_label(editor.error)
                editor.error.setVisible(True)
                return
            self._autostart_was = wants_autostart
        try:
            save_settings(self._config_dir, settings)
        except OSError as exc:
            self._fail(f"The settings could not be saved in {self._config_dir}: {exc}.")
            return
        self._settings = settings
        self.settingsSaved.emit(settings)
        self.accept()

    def _fail(self, message: str) -> None:
        self._save_error.setText(message)
        self._save_error.setVisible(True)
