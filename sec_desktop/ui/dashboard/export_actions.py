"""The Export button: its menu of formats and the save dialog that asks where to write one.

The writing itself is the window's (`export_pdf` and the like); this module only asks for a
path, calls the writer and says how it went. Before a CSV or JSON of entries with notes it
asks whether to include the notes (off unless chosen, as `sec-desktop export` leaves them out
without --include-notes): the file is plain text, and notes may be encrypted in the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QToolButton, QWidget

from sec_desktop.analytics import Period

# Writes the file and returns where; the entry formats also take `include_notes=`.
ExportWriter = Callable[..., Path]
# The formats that hold entries, and with them their notes when asked.
NOTE_FORMATS = ("csv", "json")
# The menu's entries by file suffix, in the menu's order.
EXPORT_TEXTS = {
    "pdf": "PDF report\u2026",
    "png": "PNG of the charts\u2026",
    "csv": "CSV of the entries\u2026",
    "json": "JSON of the numbers and entries\u2026",
}
# How long a success stays in the status bar; a failure stays until the next message.
DONE_MESSAGE_MS = 10_000


class ExportButton(QToolButton):
    """The "Export" button with a menu of formats; each asks for a file name, then writes it.

    `statusMessage(text, timeout_ms)` reports what was written or why not.
    """

    statusMessage = Signal(str, int)

    def __init__(
        self,
        writers: Mapping[str, ExportWriter],
        period: Callable[[], Period],
        parent: QWidget | None = None,
        *,
        notes_count: Callable[[], int] = lambda: 0,
    ) -> None:
        super().__init__(parent)
        self._period = period
        self._notes_count = notes_count
        # The dialogs last opened, for tests and for screen readers to find.
        self.notes_question: QMessageBox | None = None
        self.file_dialog: QFileDialog | None = None
        self.setText("E&xport")
        self.setAccessibleName("Export")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        for suffix, text in EXPORT_TEXTS.items():
            action = QAction(text, menu)
            action.triggered.connect(
                lambda _checked=False, s=suffix, w=writers[suffix]: self.ask(s, w)
            )
            menu.addAction(action)
        self.setMenu(menu)

    def ask(self, suffix: str, writer: ExportWriter) -> None:
        """Ask about notes when the entries have any, then for the file name."""
        count = self._notes_count() if suffix in NOTE_FORMATS else 0
        if count == 0:
            self.ask_path(
                suffix, partial(writer, include_notes=False) if suffix in NOTE_FORMATS else writer
            )
            return
        box = QMessageBox(self.window())
        box.setWindowTitle(f"Export {suffix.upper()}")
        box.setIcon(QMessageBox.Icon.Question)
        noun = "entry has a note" if count == 1 else "entries have notes"
        box.setText(f"{count} {noun}. Include the notes in the file?")
        box.setInformativeText(
            "The file is plain text: anyone who can read it reads the notes. Without them, "
            "the entries are exported as `sec-desktop export` writes them by default."
        )
        without = box.addButton("Without notes", QMessageBox.ButtonRole.AcceptRole)
        with_notes = box.addButton("Include notes", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(without)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        without.clicked.connect(lambda: self.ask_path(suffix, partial(writer, include_notes=False)))
        with_notes.clicked.connect(
            lambda: self.ask_path(suffix, partial(writer, include_notes=True))
        )
        self.notes_question = box
        box.open()

    def ask_path(self, suffix: str, writer: ExportWriter) -> None:
        """Offer a file name for the shown period; write there once one is chosen."""
        period = self._period()
        stem = f"sec-report-{period.first.isoformat()}-to-{period.last.isoformat()}"
        dialog = QFileDialog(self.window(), f"Export {suffix.upper()}")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(suffix)
        dialog.setNameFilter(f"{suffix.upper()} files (*.{suffix})")
        dialog.selectFile(f"{stem}.{suffix}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def chosen(name: str) -> None:
            try:
                written = writer(Path(name))
            except OSError as exc:
                self.statusMessage.emit(f"Export failed: {exc}", 0)
                return
            self.statusMessage.emit(f"Exported {written}", DONE_MESSAGE_MS)

        dialog.fileSelected.connect(chosen)
        self.file_dialog = dialog
        dialog.open()
