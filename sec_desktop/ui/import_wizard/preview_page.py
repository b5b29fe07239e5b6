"""The import wizard's second page: what the import would add, planned on a worker thread
(`ImportPlanner`), and a row per group of rows no rule maps, to choose its activity."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from sec_desktop.framework import Framework
from sec_desktop.interop import (
    FORMATS,
    OVERLAP_POLICIES,
    ImportFileError,
    ImportPlan,
    RuleError,
    UnmappedGroup,
)
from sec_desktop.interop.planner import PreviewRequest
from sec_desktop.timefmt import counted, format_duration, format_local
from sec_desktop.ui.import_wizard.widgets import ActivityBox, buddy, text_label
from sec_desktop.ui.jobs import Job
from sec_desktop.ui.widgets import literal, problem_label

if TYPE_CHECKING:
    from sec_desktop.ui.import_wizard.wizard import ImportWizard

log = logging.getLogger(__name__)

# Each group gets a row with its own activity box; past this many, "map the rest" does it.
GROUPS_SHOWN = 100
OVERLAPS_SHOWN = 5
ACTIVITIES_SHOWN = 8

OVERLAP_CHOICES = (
    ("refuse", "Import nothing until they are resolved"),
    ("skip", "Leave those rows out"),
    ("keep", "Import them as well"),
)

# The core names the command-line option behind a reason ("(--overlap skip)"); here the
# choice is on the page itself.
_CLI_OPTION = re.compile(r" \(--[a-z-]+(?: [a-z-]+)?\)")


@dataclass
class _GroupRow:
    group: UnmappedGroup
    box: ActivityBox


class PreviewPage(QWizardPage):
    """What the import would do, computed off the GUI thread; map unmapped rows here."""

    previewed = Signal()

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Preview")
        self.setSubTitle("What the import would add. Nothing has been written yet.")
        self.setCommitPage(True)
        self.plan: ImportPlan | None = None
        self.stale = False
        self._generation = 0
        self._done_generation = 0
        self._stretch_row = 0
        self._inputs: tuple[object, ...] | None = None
        self._rows: dict[tuple[str, str], _GroupRow] = {}
        self._hidden_groups = 0

        self.status = text_label("Preview status")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Reading the file")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        self.error = problem_label("Why nothing can be imported", selectable=True)
        self.summary = text_label("What the import would do")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.overlap_frame = self._build_overlaps()
        self.groups_frame = self._build_groups(wizard.framework)
        self.preview_button = QPushButton("&Preview again")
        self.preview_button.setAccessibleName("Preview again with these choices")
        self.preview_button.clicked.connect(self.start_preview)

        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.preview_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.error)
        layout.addWidget(self.summary)
        layout.addWidget(self.overlap_frame)
        layout.addWidget(self.groups_frame, 1)
        layout.addStretch(0)
        layout.addLayout(bottom)

        self.overlap_box.currentIndexChanged.connect(self._choices_changed)
        self.default_box.currentIndexChanged.connect(self._choices_changed)

    def _build_overlaps(self) -> QFrame:
        self.overlap_box = QComboBox()
        self.overlap_box.setAccessibleName("Rows overlapping stored entries")
        for policy, text in OVERLAP_CHOICES:
            self.overlap_box.addItem(text, policy)
        self.overlap_list = text_label("Overlapping rows")
        frame = QFrame()
        column = QVBoxLayout(frame)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.overlap_list)
        row = QHBoxLayout()
        row.addWidget(buddy("Rows &overlapping stored entries:", self.overlap_box))
        row.addWidget(self.overlap_box, 1)
        column.addLayout(row)
        frame.hide()
        return frame

    def _build_groups(self, framework: Framework) -> QFrame:
        self.groups_title = text_label("Rows no rule maps")
        font = self.groups_title.font()
        font.setBold(True)
        self.groups_title.setFont(font)
        self.groups_widget = QWidget()
        self.groups_grid = QGridLayout(self.groups_widget)
        self.groups_grid.setColumnStretch(0, 1)
        self.groups_grid.setHorizontalSpacing(12)
        self.groups_area = QScrollArea()
        self.groups_area.setAccessibleName("Groups of rows to map")
        self.groups_area.setWidgetResizable(True)
        self.groups_area.setWidget(self.groups_widget)
        self.groups_area.setFrameShape(QFrame.Shape.NoFrame)
        self.groups_area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.default_box = ActivityBox(
            framework, "Nothing: leave them for me to map", "Map the rest to"
        )
        frame = QFrame()
        column = QVBoxLayout(frame)
        column.setContentsMargins(0, 8, 0, 0)
        column.addWidget(self.groups_title)
        column.addWidget(self.groups_area, 1)
        row = QHBoxLayout()
        row.addWidget(buddy("Map the &rest to:", self.default_box))
        row.addWidget(self.default_box, 1)
        column.addLayout(row)
        frame.hide()
        return frame

    # running the preview --------------------------------------------------------------------

    def initializePage(self) -> None:
        page = self._wizard.file_page
        inputs = (page.path(), page.format_name(), page.rules_file())
        if inputs != self._inputs:
            # Another file: the groups and choices of the previous one don't apply.
            self._inputs = inputs
            self._clear_groups()
            self.default_box.choose(None)
            self.overlap_box.setCurrentIndex(0)
        self.start_preview()

    @property
    def busy(self) -> bool:
        """True while a preview is being computed."""
        return self._generation != self._done_generation

    def start_preview(self) -> None:
        """Plan again with the current choices (on the worker thread)."""
        page = self._wizard.file_page
        path = page.path()
        if path is None:
            return
        self._generation += 1
        request = PreviewRequest(
            generation=self._generation,
            path=path,
            format_name=page.format_name(),
            rules_file=page.rules_file(),
            choices=tuple(
                (row.group, activity)
                for row in self._rows.values()
                if (activity := row.box.activity()) is not None
            ),
            default_activity=self.default_box.activity(),
            overlap_policy=str(self.overlap_box.currentData() or OVERLAP_POLICIES[0]),
            now=self._wizard.now(),
        )
        self.plan = None
        self.stale = False
        self.error.hide()
        self.progress.show()
        self.preview_button.setEnabled(False)
        self.status.setText(f"Reading {path.name}…")
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        self.completeChanged.emit()
        planner = self._wizard.planner
        self._wizard.jobs.submit(
            lambda: planner.plan(request), lambda job: self._preview_done(request, job)
        )

    def _preview_done(self, request: PreviewRequest, job: Job[ImportPlan]) -> None:
        if request.generation != self._generation:
            return  # a newer preview is on its way
        self._done_generation = request.generation
        self.progress.hide()
        self.preview_button.setEnabled(True)
        try:
            plan = job.result()
        except RuleError as exc:
            self._show_failure(f"The rules can't be used: {exc}")
            return
        except ImportFileError as exc:
            self._show_failure(f"Nothing can be imported: {exc}")
            return
        except Exception as exc:
            log.exception("the import preview failed")
            self._show_failure(f"The preview failed: {exc}")
            return
        self.plan = plan
        self._show_plan(plan)
        if self.stale:  # changed while this preview ran
            self._say_changed()
        self.completeChanged.emit()
        self.previewed.emit()

    def _show_failure(self, text: str) -> None:
        self.plan = None
        self.error.setText(text + ("" if text.endswith(".") else "."))
        self.error.show()
        self.summary.setText("Nothing was written.")
        self.overlap_frame.hide()
        self.groups_frame.hide()  # shown again, with the choices kept, once a preview works
        self.status.setText(
            "Fix the file or choose another format or rules file, then preview again."
        )
        self.completeChanged.emit()
        self.previewed.emit()

    # showing the plan -----------------------------------------------------------------------

    def _label(self, activity: str) -> str:
        framework = self._wizard.framework
        return framework[activity].label if activity in framework else activity

    def _summary_lines(self, plan: ImportPlan) -> list[str]:
        tz = self._wizard.tz
        lines = [
            f"{plan.path.name} ({FORMATS[plan.tool].label.replace('`', '')}): "
            f"{counted(plan.rows, 'row')} read."
        ]
        if plan.span is not None:
            first, last = (format_local(moment, tz) for moment in plan.span)
            lines.append(f"Events read from {first} to {last}.")
        if plan.new_entries:
            first_day = format_local(plan.new_entries[0].start, tz)[:10]
            last_day = format_local(plan.new_entries[-1].start, tz)[:10]
            lines.append(
                f"Would add {counted(len(plan.new_entries), 'entry', 'entries')}, "
                f"{format_duration(plan.new_seconds)}, {first_day} to {last_day}."
            )
        else:
            lines.append("Would add nothing new.")
        deleted = f", {plan.already_deleted:,} deleted since" if plan.already_deleted else ""
        lines.append(f"Already imported: {plan.already_imported:,}{deleted} (skipped).")
        lines.append(f"Overlapping stored entries: {len(plan.overlaps):,}.")
        if plan.defaulted:
            lines.append(f"Mapped by \u201cmap the rest to\u201d: {plan.defaulted:,}.")
        for origin, count in sorted(plan.skipped_by_rule.items()):
            lines.append(f"Skipped by a rule: {count:,} ({origin}).")
        for reason, count in sorted(plan.left_out.items()):
            lines.append(f"Left out: {count:,} {_CLI_OPTION.sub('', reason)}.")
        if plan.new_entries:
            seconds: Counter[str] = Counter()
            counts: Counter[str] = Counter()
            for entry in plan.new_entries:
                seconds[entry.activity] += int(entry.duration.total_seconds())
                counts[entry.activity] += 1
            lines.append("By activity:")
            ranked = seconds.most_common()
            for activity, secs in ranked[:ACTIVITIES_SHOWN]:
                entries = counted(counts[activity], "entry", "entries")
                lines.append(f"    {self._label(activity)}: {entries}, {format_duration(secs)}")
            if len(ranked) > ACTIVITIES_SHOWN:
                lines.append(f"    and {len(ranked) - ACTIVITIES_SHOWN} more activities")
        return lines

    def _show_plan(self, plan: ImportPlan) -> None:
        self.error.hide()
        self.summary.setText("\n".join(self._summary_lines(plan)))
        self._show_overlaps(plan)
        self._merge_groups(plan.unmapped)
        if plan.unmapped:
            self.status.setText(
                f"{counted(plan.unmapped_rows, 'row')} no rule maps: choose an activity for "
                "each group (or map the rest), then preview again."
            )
        elif plan.overlaps and plan.overlap_policy == "refuse":
            self.status.setText(
                "Some rows overlap entries you already have: choose what to do with them, then "
                "preview again."
            )
        elif not plan.new_entries:
            self.status.setText("Nothing new to import: every row is already imported or left out.")
        else:
            self.status.setText(
                f"Ready: Import adds {counted(len(plan.new_entries), 'entry', 'entries')}."
            )
        count = len(plan.new_entries) if not plan.blocked else 0
        self.setButtonText(
            QWizard.WizardButton.CommitButton,
            f"&Import {counted(count, 'entry', 'entries')}" if count else "&Import",
        )

    def _show_overlaps(self, plan: ImportPlan) -> None:
        if not plan.overlaps:
            self.overlap_frame.setVisible(self.overlap_box.currentIndex() != 0)
            self.overlap_list.setText("No row overlaps a stored entry.")
            return
        tz = self._wizard.tz
        lines = [f"{counted(len(plan.overlaps), 'new entry', 'new entries')} overlap stored ones:"]
        for overlap in plan.overlaps[:OVERLAPS_SHOWN]:
            lines.append(f"    {overlap.describe(tz, self._label)}")
        if len(plan.overlaps) > OVERLAPS_SHOWN:
            lines.append(f"    and {len(plan.overlaps) - OVERLAPS_SHOWN:,} more")
        self.overlap_list.setText("\n".join(lines))
        self.overlap_frame.show()

    def _clear_groups(self) -> None:
        for row in self._rows.values():
            row.box.deleteLater()
        self._rows.clear()
        self._hidden_groups = 0
        while self.groups_grid.count():
            item = self.groups_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.groups_frame.hide()

    def _merge_groups(self, groups: Sequence[UnmappedGroup]) -> None:
        """Add rows for groups not listed yet; groups already mapped keep their row and choice."""
        new = [g for g in groups if (g.field, g.value) not in self._rows]
        room = max(0, GROUPS_SHOWN - len(self._rows))
        self._hidden_groups = max(0, len(new) - room)
        if not self._rows and new:
            for column, text in enumerate(("What the rows share", "Rows", "Time", "Map to")):
                header = QLabel(f"<b>{text}</b>")
                self.groups_grid.addWidget(header, 0, column)
        first_box: ActivityBox | None = None
        for group in new[:room]:
            row = len(self._rows) + 1
            described = group.describe()
            lines = ", ".join(str(n) for n in group.lines)
            more = ", …" if group.rows > len(group.lines) else ""
            # The label is the box's buddy: an "&" in the value would become a shortcut.
            name = QLabel(literal(described[:1].upper() + described[1:]))
            name.setTextFormat(Qt.TextFormat.PlainText)
            name.setWordWrap(True)
            name.setToolTip(f"Lines {lines}{more}")
            rows = QLabel(counted(group.rows, "row"))
            time = QLabel(format_duration(group.seconds))
            box = ActivityBox(
                self._wizard.framework,
                "Leave unmapped",
                f"Map {described} ({counted(group.rows, 'row')}, "
                f"{format_duration(group.seconds)}) to",
            )
            box.setAccessibleDescription(f"Lines {lines}{more} of the file")
            name.setBuddy(box)
            box.currentIndexChanged.connect(self._choices_changed)
            for column, widget in enumerate((name, rows, time, box)):
                self.groups_grid.addWidget(widget, row, column, Qt.AlignmentFlag.AlignVCenter)
            self._rows[(group.field, group.value)] = _GroupRow(group, box)
            first_box = first_box or box
        self.groups_grid.setRowStretch(self._stretch_row, 0)
        self._stretch_row = len(self._rows) + 1
        self.groups_grid.setRowStretch(self._stretch_row, 1)
        title = "Rows the rules don't map: choose an activity for each group"
        if self._hidden_groups:
            title += (
                f" ({self._hidden_groups:,} more groups are not listed: map them with "
                "\u201cmap the rest to\u201d or a rules file)"
            )
        self.groups_title.setText(title)
        self.groups_frame.setVisible(bool(self._rows) or bool(groups))
        if first_box is not None:
            first_box.setFocus()

    # choices --------------------------------------------------------------------------------

    def _choices_changed(self, _index: int = 0) -> None:
        self.stale = True
        self._say_changed()
        self.completeChanged.emit()

    def _say_changed(self) -> None:
        self.status.setText("You changed the choices: preview again to see what would be added.")

    def group_box(self, field: str, value: str) -> ActivityBox:
        """The activity box of an unmapped group (what a user maps it with)."""
        return self._rows[(field, value)].box

    def group_keys(self) -> list[tuple[str, str]]:
        return list(self._rows)

    def isComplete(self) -> bool:
        plan = self.plan
        return (
            plan is not None
            and not self.stale
            and not self.busy
            and not plan.blocked
            and bool(plan.new_entries)
        )
