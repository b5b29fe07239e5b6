"""The import wizard's first page: the file, its format (guessed) and an optional rules
file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWizardPage,
)

from sec_desktop.interop import FORMATS
from sec_desktop.interop.guess import guess_format
from sec_desktop.ui.import_wizard.widgets import buddy, path_edit, text_label, with_button
from sec_desktop.ui.widgets import problem_label

FORMAT_ORDER = ("toggl", "timewarrior", "watson", "tagtime", "ics", "sec-json")


class FilePage(QWizardPage):
    """Choose the file, its format and an optional rules file."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Choose a file to import")
        self.setSubTitle(
            "Time tracked in Toggl, Timewarrior, Watson, TagTime or a calendar. Nothing is "
            "written until you confirm after the preview."
        )
        self._format_set_by_user = False
        self.path_edit = path_edit("File to import", "Type a path or choose the file")
        self.format_box = QComboBox()
        self.format_box.setAccessibleName("Format of the file")
        self.format_box.addItem("Choose the format…", "")
        for name in FORMAT_ORDER:
            self.format_box.addItem(FORMATS[name].label.replace("`", ""), name)
        self.format_note = text_label("How the format was chosen")
        self.format_note.hide()
        self.rules_edit = path_edit(
            "Rules file, optional", "Optional: your mapping rules (TOML or JSON)"
        )
        self.error = problem_label("Problem with the file", selectable=True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(
            buddy("&File:", self.path_edit),
            with_button(
                self.path_edit, "&Choose file…", "Choose the file to import", self._browse_file
            ),
        )
        form.addRow(buddy("F&ormat:", self.format_box), self.format_box)
        form.addRow("", self.format_note)
        form.addRow(
            buddy("R&ules:", self.rules_edit),
            with_button(
                self.rules_edit, "Choose &rules…", "Choose a rules file", self._browse_rules
            ),
        )
        help_text = text_label(
            "About rules",
            "Rules map rows to SEC activities by project, client, task, tags or title. A rules "
            "file is tried before the rules shipped with SEC Desktop; rows that no rule maps "
            "are listed on the next page, where you choose their activity.",
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(8)
        layout.addWidget(help_text)
        layout.addWidget(self.error)
        layout.addStretch(1)

        self.path_edit.textChanged.connect(self._path_changed)
        self.format_box.activated.connect(self._format_picked)
        self.format_box.currentIndexChanged.connect(lambda _i: self.completeChanged.emit())
        self.setFocusProxy(self.path_edit)

    # state ----------------------------------------------------------------------------------

    def path(self) -> Path | None:
        text = self.path_edit.text().strip()
        return Path(text).expanduser() if text else None

    def rules_file(self) -> Path | None:
        text = self.rules_edit.text().strip()
        return Path(text).expanduser() if text else None

    def format_name(self) -> str:
        return str(self.format_box.currentData() or "")

    def set_format(self, name: str) -> None:
        index = self.format_box.findData(name)
        if index < 0:
            raise ValueError(f"{name!r} is not an import format")
        self.format_box.setCurrentIndex(index)
        self._format_set_by_user = True
        self._note_format("")

    def isComplete(self) -> bool:
        return self.path() is not None and bool(self.format_name())

    def validatePage(self) -> bool:
        path = self.path()
        if path is None or not path.is_file():
            where = str(path) if path is not None else "The file"
            reason = "is a folder, not a file" if path and path.is_dir() else "does not exist"
            self._show_error(f"{where} {reason}.")
            return False
        rules = self.rules_file()
        if rules is not None and not rules.is_file():
            self._show_error(f"The rules file {rules} does not exist.")
            return False
        self.error.hide()
        return True

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    # guessing and browsing ------------------------------------------------------------------

    def _path_changed(self, _text: str) -> None:
        self.error.hide()
        self.completeChanged.emit()
        path = self.path()
        if self._format_set_by_user or path is None or not path.is_file():
            return
        guessed = guess_format(path)
        if guessed is None:
            self.format_box.setCurrentIndex(0)
            self._note_format("The format could not be told from the file: choose it.")
            return
        self.format_box.setCurrentIndex(self.format_box.findData(guessed))
        self._note_format("Guessed from the file's name and content; change it if wrong.")

    def _note_format(self, text: str) -> None:
        self.format_note.setText(text)
        self.format_note.setVisible(bool(text))

    def _format_picked(self, _index: int) -> None:
        self._format_set_by_user = bool(self.format_name())
        if self._format_set_by_user:
            self._note_format("")

    def _browse_file(self) -> None:
        self._open_dialog(
            "Choose the file to import",
            "Time tracking exports (*.csv *.json *.ics *.log *.txt);;All files (*)",
            self.path_edit,
        )

    def _browse_rules(self) -> None:
        self._open_dialog(
            "Choose a rules file", "Rules (*.toml *.json);;All files (*)", self.rules_edit
        )

    def _open_dialog(self, title: str, filters: str, target: QLineEdit) -> None:
        current = Path(target.text().strip() or str(Path.home())).expanduser()
        dialog = QFileDialog(self, title, str(current.parent if current.is_file() else current))
        dialog.setNameFilter(filters)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(target.setText)
        dialog.open()
