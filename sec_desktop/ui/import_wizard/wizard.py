"""The import wizard: choose a file from another time tracker, preview what it would add,
map the rows no rule maps, then import.

The same core as `sec-desktop import` (`sec_desktop.interop`): `plan_import` reads and maps
the whole file without writing, and `apply_plan` writes a plan that accounts for every row.
Planning takes seconds for a large file, so it runs on a worker thread that reads the data
folder through its own read-only `EntryStore` (a store object is not shared between
threads); the plan comes back to the GUI thread by signal. Saving uses the application's
store on the GUI thread, one month per event-loop turn, so the window stays responsive.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QWidget, QWizard

from sec_desktop.framework import Framework
from sec_desktop.interop.planner import ImportPlanner
from sec_desktop.store import EntryStore
from sec_desktop.ui.import_wizard.file_page import FilePage
from sec_desktop.ui.import_wizard.preview_page import PreviewPage
from sec_desktop.ui.import_wizard.result_page import ResultPage
from sec_desktop.ui.jobs import Jobs
from sec_desktop.ui.widgets import fit_on_screen

WIZARD_SIZE = (860, 660)


class ImportWizard(QWizard):
    """Import a file from another time tracker: choose, preview and map, import.

    Shown without blocking (`show()`); it deletes itself when closed. `imported` carries the
    number of entries added.
    """

    imported = Signal(int)

    def __init__(  # noqa: PLR0917 - the order the issue gives: framework ... now, parent
        self,
        framework: Framework,
        store: EntryStore,
        data_dir: Path,
        config_dir: Path,
        tz: ZoneInfo,
        now: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.framework = framework
        self.store = store
        self.data_dir = data_dir
        self.config_dir = config_dir
        self.tz = tz
        self.now = now
        self.importing = False
        self.jobs = Jobs("sec-import", self)
        self.planner = ImportPlanner(store, framework, tz)
        self.setWindowTitle("Import time from another tool")
        self.setAccessibleName("Import wizard")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.file_page = FilePage()
        self.preview_page = PreviewPage(self)
        self.result_page = ResultPage(self)
        for page in (self.file_page, self.preview_page, self.result_page):
            self.addPage(page)
        for which, name in (
            (QWizard.WizardButton.BackButton, "Back"),
            (QWizard.WizardButton.NextButton, "Next: preview"),
            (QWizard.WizardButton.CommitButton, "Import the previewed entries"),
            (QWizard.WizardButton.FinishButton, "Close the wizard"),
            (QWizard.WizardButton.CancelButton, "Cancel the import"),
        ):
            button = self.button(which)
            if button is not None:
                button.setAccessibleName(name)
        self.setButtonText(QWizard.WizardButton.NextButton, "&Preview >")
        fit_on_screen(self, *WIZARD_SIZE)
        self.finished.connect(self._stop_jobs)

    def set_file(self, path: Path, format_name: str | None = None) -> None:
        """Fill the first page as a user would (the format is guessed unless given)."""
        self.file_page.path_edit.setText(str(path))
        if format_name is not None:
            self.file_page.set_format(format_name)

    def _stop_jobs(self, _result: int = 0) -> None:
        self.jobs.shutdown(self.planner.close, wait=False)

    def reject(self) -> None:
        # Entries are being saved: closing now would leave the user unsure what was saved.
        if self.importing:
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.importing:
            event.ignore()
            return
        super().closeEvent(event)
