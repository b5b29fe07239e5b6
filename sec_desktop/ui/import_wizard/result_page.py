"""The import wizard's last page: the daily backup, then the plan saved a month per
event-loop turn on the GUI thread (with the app's store), all or nothing, then what was done."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressBar, QVBoxLayout, QWizardPage

from sec_desktop.interop import ImportPlan, ImportWriteError, ImportWriter
from sec_desktop.settings import configured_backups_kept
from sec_desktop.store import StoreError
from sec_desktop.store.backup import Backup, BackupError, backup_dir_for, backup_if_due
from sec_desktop.timefmt import counted, format_duration
from sec_desktop.ui.import_wizard.widgets import text_label
from sec_desktop.ui.jobs import Job
from sec_desktop.ui.widgets import problem_label

if TYPE_CHECKING:
    from sec_desktop.ui.import_wizard.wizard import ImportWizard

log = logging.getLogger(__name__)


class ResultPage(QWizardPage):
    """Back up, save the plan a month at a time, then say what was done."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Import")
        self.setSubTitle("The previewed entries are saved, after the daily backup.")
        self.done = False
        self.saved = 0
        self.status = text_label("Import progress")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Entries saved")
        self.result = text_label("What was imported")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = problem_label("What went wrong", selectable=True)
        self.backup_note = text_label("Backup")
        self.backup_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        layout.addWidget(self.error)
        layout.addWidget(self.backup_note)
        layout.addStretch(1)
        self._writer: ImportWriter | None = None
        self._plan: ImportPlan | None = None

    def isComplete(self) -> bool:
        return self.done

    def initializePage(self) -> None:
        plan = self._wizard.preview_page.plan
        if plan is None:  # the commit button is off without a plan
            return
        self._plan = plan
        self.done = False
        self.saved = 0
        self._wizard.importing = True
        self._writer = ImportWriter(plan, self._wizard.store)
        self.progress.setRange(0, len(plan.new_entries))
        self.progress.setValue(0)
        self.status.setText("Making the daily backup of your data before importing…")
        data_dir = self._wizard.data_dir
        backup_dir = backup_dir_for(self._wizard.config_dir, data_dir)
        now, keep = self._wizard.now(), configured_backups_kept(self._wizard.config_dir)
        self._wizard.jobs.submit(
            lambda: backup_if_due(data_dir, backup_dir, now, keep), self._backup_done
        )

    def _backup_done(self, job: Job[Backup | None]) -> None:
        try:
            backup = job.result()
        except Exception as exc:
            if not isinstance(exc, (OSError, BackupError)):
                log.exception("the backup before an import failed")
            # As on the command line: a failed backup is reported, and the import goes on.
            self.backup_note.setText(
                f"The daily backup could not be made ({exc}); the entries were imported anyway."
            )
        else:
            self.backup_note.setText(
                f"A backup of your data was made first: {backup.path}"
                if backup is not None
                else "Today's backup of your data was already made, so none was needed."
            )
        self.status.setText("Saving the new entries…")
        QTimer.singleShot(0, self._save_next_month)

    def _save_next_month(self) -> None:
        plan, writer = self._plan, self._writer
        if plan is None or writer is None:
            return
        if writer.done:
            self._finish(plan)
            return
        try:
            writer.write_next()
        except ImportWriteError as exc:
            self.progress.setValue(writer.saved)  # what stays written: none once rolled back
            self._fail(str(exc))
            return
        except Exception as exc:
            if not isinstance(exc, (StoreError, ValueError)):
                log.exception("saving imported entries failed")
            self.progress.setValue(writer.saved)
            self._fail(
                f"saving stopped: {exc}; nothing was saved. Run the same import again once "
                "that is fixed"
            )
            return
        # Counted once the last month is written: before, the import is not in the record.
        self.saved = writer.saved if writer.done else 0
        self.progress.setValue(writer.saved)
        QTimer.singleShot(0, self._save_next_month)

    def _fail(self, text: str) -> None:
        self.error.setText(text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))
        self.error.show()
        self.status.setText("The import stopped.")
        self._end()

    def _finish(self, plan: ImportPlan) -> None:
        self.status.setText("Done.")
        self.result.setText(
            f"Imported {counted(self.saved, 'entry', 'entries')} "
            f"({format_duration(plan.new_seconds)}) from {plan.path.name}. They keep their "
            f"source as import:{plan.tool}, so importing the same file again adds nothing."
        )
        self._end()

    def _end(self) -> None:
        self.done = True
        self._wizard.importing = False
        self.completeChanged.emit()
        if self.saved:
            self._wizard.imported.emit(self.saved)
