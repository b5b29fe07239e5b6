"""The Export button: its menu of formats and the save dialog that asks where to write one.

The writing itself is the window's (`export_pdf` and the like); this module only asks for a
path, calls the writer and says how it went.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QToolButton, QWidget

from sec_desktop.analytics import Period

ExportWriter = Callable[[Path], Path]
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
    ) -> None:
        super().__init__(parent)
        self._period = period
        self.setText("E&xport")
        self.setAccessibleName("Export")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        for suffix, text in EXPORT_TEXTS.items():
            action = QAction(text, menu)
            action.triggered.connect(
                lambda _checked=False, s=suffix, w=writers[suffix]: self.ask_path(s, w)
            )
            menu.addAction(action)
        self.setMenu(menu)

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
        dialog.open()
