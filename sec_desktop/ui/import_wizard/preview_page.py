"""The import wizard: choose a file from another time tracker, preview what it would add,
map the rows no rule maps, then import.

The same core as `sec-desktop import` (`sec_desktop.interop`): `plan_import` reads and maps
the whole file without writing, and `apply_plan` writes a plan that accounts for every row.
Planning takes seconds for a large file, so it runs on a worker thread that reads the data
folder through its own read-only `EntryStore` (a store object is not shared between
threads); the plan comes back to the GUI thread by signal. Saving uses the application's
store on the GUI thread, one month per event-loop turn, so the window stays responsive.

The user's choices for unmapped groups become extra rules placed after the rules file and
the shipped rules: each matches exactly the rows of its group, so it only takes rows that
nothing else maps.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
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
    ImportWriteError,
    Rule,
    RuleError,
    RuleSet,
    UnmappedGroup,
    apply_plan,
    plan_import,
    rule_set,
)

# The plan's own grouping, so a choice maps exactly the rows the preview listed together.
from sec_desktop.interop.plan import _group_key
from sec_desktop.interop.records import ImportedRecord
from sec_desktop.settings import configured_backups_kept
from sec_desktop.store import Entry, EntryStore, StoreError
from sec_desktop.store.backup import Backup, BackupError, backup_dir_for, backup_if_due
from sec_desktop.store.store import shard_month
from sec_desktop.timefmt import counted, format_duration, format_local
from sec_desktop.ui.jobs import Job, Jobs
from sec_desktop.ui.widgets import problem_label

log = logging.getLogger(__name__)

FORMAT_ORDER = ("toggl", "timewarrior", "watson", "tagtime", "ics", "sec-json")
# Enough of the file to tell the JSON formats apart.
SNIFF_BYTES = 4096
# Each group gets a row with its own activity box; past this many, "map the rest" does it.
GROUPS_SHOWN = 100
OVERLAPS_SHOWN = 5
ACTIVITIES_SHOWN = 8
WIZARD_SIZE = (860, 660)
ACTIVITY_BOX_CHARS = 50
ACTIVITY_POPUP_WIDTH_PX = 480

OVERLAP_CHOICES = (
    ("refuse", "Import nothing until they are resolved"),
    ("skip", "Leave those rows out"),
    ("keep", "Import them as well"),
)

# The core names the command-line option behind a reason ("(--overlap skip)"); here the
# choice is on the page itself.
_CLI_OPTION = re.compile(r" \(--[a-z-]+(?: [a-z-]+)?\)")
_TIMEW_STAMP = re.compile(r'"start"\s*:\s*"\d{8}T\d{6}Z"')
_TAGTIME_LINE = re.compile(r"^\d{9,11}(\s|$)")


def guess_format(path: Path) -> str | None:  # noqa: PLR0911 - one return per telltale
    """The import format a file most likely is, from its name and first bytes; None if unsure.

    Only a first choice for the format box: the user can change it, and a wrong format shows
    the importer's message naming the line.
    """
    suffix = path.suffix.lower()
    if suffix in (".ics", ".ical", ".ifb"):
        return "ics"
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES).decode("utf-8-sig", errors="replace")
    except OSError:
        return None
    text = head.lstrip()
    if text.startswith("BEGIN:VCALENDAR"):
        return "ics"
    if text.startswith("{"):
        return "sec-json"
    if text.startswith("["):
        rest = text[1:].lstrip()
        if rest.startswith("["):
            return "watson"  # the frames file: a list of lists
        if _TIMEW_STAMP.search(text):
            return "timewarrior"
        if '"stop"' in text or '"project"' in text:
            return "watson"  # `watson log --json`
        return None
    first_line = text.splitlines()[0] if text else ""
    if _TAGTIME_LINE.match(first_line):
        return "tagtime"
    if suffix in (".csv", ".tsv") or "start date" in first_line.lower():
        return "toggl"
    return None


@dataclass(frozen=True)
class GroupRule(Rule):
    """The user's mapping of one unmapped group: matches exactly the rows of that group."""

    group: tuple[str, str] = ("", "")

    def matches(self, record: ImportedRecord) -> bool:
        return _group_key(record) == self.group


def group_rule(group: UnmappedGroup, activity: str) -> GroupRule:
    """The extra rule for a choice made in the preview."""
    pattern = re.compile("^" + re.escape(group.value) + "$", re.IGNORECASE)
    fields = (group.field,) if group.field else ()
    origin = f"your choice for {group.describe()}"
    return GroupRule(pattern, fields, activity, origin, group=(group.field, group.value))


@dataclass(frozen=True)
class PreviewRequest:
    """Everything one preview needs, captured on the GUI thread."""

    generation: int
    path: Path
    format_name: str
    rules_file: Path | None
    choices: tuple[tuple[UnmappedGroup, str], ...]
    default_activity: str | None
    overlap_policy: str
    now: datetime


def compute_plan(
    request: PreviewRequest, *, store: EntryStore, framework: Framework, zone: ZoneInfo
) -> ImportPlan:
    """The plan for a request: the rules file, then the shipped rules, then the user's choices.

    Runs on the worker thread; raises RuleError or ImportFileError as `plan_import` does.
    """
    files = [request.rules_file] if request.rules_file is not None else []
    base = rule_set(framework, files)
    extra = [group_rule(group, activity) for group, activity in request.choices]
    return plan_import(
        request.path,
        request.format_name,
        store=store,
        framework=framework,
        zone=zone,
        now=request.now,
        rules=RuleSet([*base.rules, *extra]),
        default_activity=request.default_activity,
        overlap_policy=request.overlap_policy,
    )


class Planner:
    """Plans on the worker thread with a store object of its own, used by that thread only.

    It reads the same data folder as the app's store (whose caches the GUI thread uses) and
    gives new entries the same device id. Holds no Qt object, so a closed wizard can't pull
    the ground from under a running plan.
    """

    def __init__(self, store: EntryStore, framework: Framework, zone: ZoneInfo) -> None:
        self._data_dir = store.data_dir
        self._device_id = store.device_id
        self._clock = store.clock
        self._framework = framework
        self._zone = zone
        self._reader: EntryStore | None = None

    def plan(self, request: PreviewRequest) -> ImportPlan:
        if self._reader is None:
            self._reader = EntryStore(self._data_dir, self._device_id, clock=self._clock)
        return compute_plan(request, store=self._reader, framework=self._framework, zone=self._zone)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None


def _text_label(name: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setAccessibleName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def _path_edit(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit


def _with_button(edit: QLineEdit, text: str, name: str, clicked: Callable[[], None]) -> QHBoxLayout:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.clicked.connect(clicked)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row


def activity_text(framework: Framework, node_id: str) -> str:
    """An activity's name first, then where it sits: "OKR management (Strategy > ...)"."""
    node = framework[node_id]
    if node.parent_id is None:
        return node.label
    return f"{node.label} ({framework.path_label(node.parent_id)})"


class ActivityBox(QComboBox):
    """A searchable choice of activity: type part of any level's name ("okr", "incident")."""

    def __init__(self, framework: Framework, empty_text: str, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        line = QLineEdit()
        self.setLineEdit(line)  # makes the box editable
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(ACTIVITY_BOX_CHARS)
        self.addItem(empty_text, "")
        for node in framework.walk():
            if not node.hidden:
                self.addItem(activity_text(framework, node.id), node.id)
                self.setItemData(
                    self.count() - 1, framework.path_label(node.id), Qt.ItemDataRole.ToolTipRole
                )
        self.view().setMinimumWidth(ACTIVITY_POPUP_WIDTH_PX)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        line.setPlaceholderText("Type to search, e.g. okr")
        line.setAccessibleName(name)
        line.editingFinished.connect(self._settle)
        # Show a long choice from its start: the activity's own name comes first.
        self.currentIndexChanged.connect(lambda _i: line.setCursorPosition(0))

    def activity(self) -> str | None:
        value = self.currentData()
        return str(value) if value else None

    def choose(self, activity_id: str | None) -> None:
        index = self.findData(activity_id or "")
        if index < 0:
            raise ValueError(f"{activity_id!r} is not offered")
        self.setCurrentIndex(index)

    def _settle(self) -> None:
        # Typed text that names an entry selects it; anything else goes back to the choice.
        index = self.findText(self.currentText().strip(), Qt.MatchFlag.MatchFixedString)
        if index >= 0 and index != self.currentIndex():
            self.setCurrentIndex(index)
        elif self.currentText() != self.itemText(self.currentIndex()):
            self.setEditText(self.itemText(self.currentIndex()))


# Page 1 --------------------------------------------------------------------------------------


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
        self.path_edit = _path_edit("File to import", "Type a path or choose the file")
        self.format_box = QComboBox()
        self.format_box.setAccessibleName("Format of the file")
        self.format_box.addItem("Choose the format…", "")
        for name in FORMAT_ORDER:
            self.format_box.addItem(FORMATS[name].label.replace("`", ""), name)
        self.format_note = _text_label("How the format was chosen")
        self.format_note.hide()
        self.rules_edit = _path_edit(
            "Rules file, optional", "Optional: your mapping rules (TOML or JSON)"
        )
        self.error = problem_label("Problem with the file", selectable=True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(
            _buddy("&File:", self.path_edit),
            _with_button(
                self.path_edit, "&Choose file…", "Choose the file to import", self._browse_file
            ),
        )
        form.addRow(_buddy("F&ormat:", self.format_box), self.format_box)
        form.addRow("", self.format_note)
        form.addRow(
            _buddy("R&ules:", self.rules_edit),
            _with_button(
                self.rules_edit, "Choose &rules…", "Choose a rules file", self._browse_rules
            ),
        )
        help_text = _text_label(
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


# Page 2 --------------------------------------------------------------------------------------


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

        self.status = _text_label("Preview status")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Reading the file")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        self.error = problem_label("Why nothing can be imported", selectable=True)
        self.summary = _text_label("What the import would do")
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
        self.overlap_list = _text_label("Overlapping rows")
        frame = QFrame()
        column = QVBoxLayout(frame)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.overlap_list)
        row = QHBoxLayout()
        row.addWidget(_buddy("Rows &overlapping stored entries:", self.overlap_box))
        row.addWidget(self.overlap_box, 1)
        column.addLayout(row)
        frame.hide()
        return frame

    def _build_groups(self, framework: Framework) -> QFrame:
        self.groups_title = _text_label("Rows no rule maps")
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
        row.addWidget(_buddy("Map the &rest to:", self.default_box))
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
            name = QLabel(described[:1].upper() + described[1:])
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


# Page 3 --------------------------------------------------------------------------------------


class ResultPage(QWizardPage):
    """Back up, save the plan a month at a time, then say what was done."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Import")
        self.setSubTitle("The previewed entries are saved, after the daily backup.")
        self.done = False
        self.saved = 0
        self.status = _text_label("Import progress")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Entries saved")
        self.result = _text_label("What was imported")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = problem_label("What went wrong", selectable=True)
        self.backup_note = _text_label("Backup")
        self.backup_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        layout.addWidget(self.error)
        layout.addWidget(self.backup_note)
        layout.addStretch(1)
        self._months: list[list[Entry]] = []
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
        by_month: dict[str, list[Entry]] = {}
        for entry in plan.new_entries:
            by_month.setdefault(shard_month(entry.start), []).append(entry)
        self._months = [by_month[m] for m in sorted(by_month)]
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
        plan = self._plan
        if plan is None:
            return
        if not self._months:
            self._finish(plan)
            return
        batch = self._months.pop(0)
        try:
            self.saved += apply_plan(replace(plan, new_entries=batch), self._wizard.store)
        except ImportWriteError as exc:
            total = ImportWriteError(self.saved + exc.saved, len(plan.new_entries), exc.cause)
            self._fail(str(total))
            return
        except Exception as exc:
            if not isinstance(exc, (StoreError, ValueError)):
                log.exception("saving imported entries failed")
            self._fail(
                f"saving stopped: {exc}; {self.saved:,} of {len(plan.new_entries):,} new "
                "entries were saved. Run the same import again: it adds only the entries "
                "still missing"
            )
            return
        self.progress.setValue(self.saved)
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


# The wizard ----------------------------------------------------------------------------------


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
        self.planner = Planner(store, framework, tz)
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
        self.resize(*WIZARD_SIZE)
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
