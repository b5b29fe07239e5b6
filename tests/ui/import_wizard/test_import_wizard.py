"""The import wizard previews a file off the GUI thread, lets unmapped rows be mapped, and
imports exactly what the core's plan says; a bad file writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu, QWizard

from sec_desktop.framework import Framework, load_framework
from sec_desktop.framework.vocabulary import Vocabulary
from sec_desktop.interop import ImportPlan, plan_import
from sec_desktop.interop.guess import guess_format
from sec_desktop.store import Entry, EntryStore
from sec_desktop.store.backup import backup_dir_for, list_backups
from sec_desktop.ui.import_wizard.wizard import ImportWizard
from sec_desktop.ui.tray import TrayController, TrayState
from tests.helpers.entries import make_entry
from tests.helpers.ids import BOARD, CUSTOMER, STANDUP

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "import"
TOGGL_MAPPED = FIXTURES / "toggl-duration-only.csv"  # every row mapped by the shipped rules
TOGGL_ACME = FIXTURES / "toggl-detailed.csv"  # project 'Acme' is mapped by no rule
TIMEOUT_MS = 20_000

MakeWizard = Callable[[], ImportWizard]


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


@pytest.fixture
def store(isolated_dirs: dict[str, Path]) -> Iterator[EntryStore]:
    entry_store = EntryStore(isolated_dirs["data"], "test-device", clock=lambda: NOW)
    yield entry_store
    entry_store.close()


@pytest.fixture
def make_wizard(
    qtbot, framework: Framework, store: EntryStore, isolated_dirs: dict[str, Path]
) -> Iterator[MakeWizard]:
    made: list[ImportWizard] = []

    def make() -> ImportWizard:
        wizard = ImportWizard(
            framework, store, isolated_dirs["data"], isolated_dirs["config"], BERLIN, lambda: NOW
        )
        made.append(wizard)
        wizard.show()
        qtbot.waitExposed(wizard)
        return wizard

    yield make
    for wizard in made:
        jobs = wizard.jobs
        if shiboken6.isValid(wizard):
            wizard.importing = False
            wizard.close()
        jobs.wait()  # no worker thread outlives the test


def core_plan(path: Path, store: EntryStore, framework: Framework, **options: object) -> ImportPlan:
    return plan_import(
        path, "toggl", store=store, framework=framework, zone=BERLIN, now=NOW, **options
    )  # type: ignore[arg-type]


def essentials(entries: list[Entry]) -> list[tuple[object, ...]]:
    return sorted(
        (e.id, e.start, e.end, e.activity, e.source, e.note, e.labels, e.device) for e in entries
    )


def shoot(widget, artifacts_dir: Path, name: str) -> None:
    path = artifacts_dir / f"import-wizard-{name}.png"
    assert widget.grab().save(str(path))


def commit_button(wizard: ImportWizard):
    return wizard.button(QWizard.WizardButton.CommitButton)


def to_preview(qtbot, wizard: ImportWizard, path: Path, format_name: str | None = None) -> None:
    wizard.set_file(path, format_name)
    with qtbot.waitSignal(wizard.preview_page.previewed, timeout=TIMEOUT_MS):
        wizard.next()
    assert wizard.currentPage() is wizard.preview_page


def preview_again(qtbot, wizard: ImportWizard) -> None:
    page = wizard.preview_page
    assert page.preview_button.isEnabled()
    with qtbot.waitSignal(page.previewed, timeout=TIMEOUT_MS):
        qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)


def import_now(qtbot, wizard: ImportWizard) -> int:
    assert commit_button(wizard).isEnabled()
    with qtbot.waitSignal(wizard.imported, timeout=TIMEOUT_MS) as blocker:
        wizard.next()
    qtbot.waitUntil(lambda: wizard.result_page.done, timeout=TIMEOUT_MS)
    return int(blocker.args[0])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("toggl-detailed.csv", "toggl"),
        ("toggl-duration-only.csv", "toggl"),
        ("timewarrior-export.json", "timewarrior"),
        ("watson-frames.json", "watson"),
        ("watson-log.json", "watson"),
        ("tagtime.log", "tagtime"),
        ("calendar.ics", "ics"),
    ],
)
def test_the_format_is_guessed_from_the_file(name: str, expected: str) -> None:
    assert guess_format(FIXTURES / name) == expected


def test_a_toggl_file_is_previewed_then_imported_as_the_core_plans_it(
    qtbot,
    *,
    make_wizard: MakeWizard,
    store: EntryStore,
    framework: Framework,
    isolated_dirs: dict[str, Path],
    artifacts_dir: Path,
) -> None:
    expected = core_plan(TOGGL_MAPPED, store, framework)
    assert len(expected.new_entries) == 3
    assert not expected.blocked
    wizard = make_wizard()
    wizard.set_file(TOGGL_MAPPED)
    assert wizard.file_page.format_name() == "toggl"  # guessed from the file
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    shoot(wizard, artifacts_dir, "1-file")
    to_preview(qtbot, wizard, TOGGL_MAPPED)
    page = wizard.preview_page
    assert page.plan is not None
    summary = page.summary.text()
    assert "Would add 3 entries, 2 h 05 min" in summary
    assert "Already imported: 0" in summary
    assert "Talent acquisition: 2 entries, 1 h 15 min" in summary
    assert not page.groups_frame.isVisible()
    assert commit_button(wizard).isEnabled()
    assert commit_button(wizard).text().replace("&", "") == "Import 3 entries"
    assert store.entries() == []  # the preview wrote nothing
    shoot(wizard, artifacts_dir, "2-preview")

    assert import_now(qtbot, wizard) == 3
    saved = store.entries()
    assert essentials(saved) == essentials(expected.new_entries)
    assert {e.source for e in saved} == {"import:toggl"}
    assert "Imported 3 entries (2 h 05 min)" in wizard.result_page.result.text()
    backups = list_backups(backup_dir_for(isolated_dirs["config"], isolated_dirs["data"]))
    assert len(backups) == 1  # the daily backup came before the write
    assert str(backups[0].path) in wizard.result_page.backup_note.text()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    shoot(wizard, artifacts_dir, "3-done")


def test_an_unmapped_group_is_mapped_in_the_preview_then_imported(
    qtbot, make_wizard: MakeWizard, store: EntryStore, framework: Framework, artifacts_dir: Path
) -> None:
    wizard = make_wizard()
    to_preview(qtbot, wizard, TOGGL_ACME, "toggl")
    page = wizard.preview_page
    assert page.plan is not None and page.plan.blocked
    assert page.group_keys() == [("project", "Acme")]
    assert page.groups_frame.isVisible()
    # Line 6 ("Offsite") is mapped by the vocabulary; lines 4 and 5 are not.
    assert "2 rows no rule maps" in page.status.text()
    assert not commit_button(wizard).isEnabled()  # nothing is imported while rows are unmapped
    box = page.group_box("project", "Acme")
    assert box.accessibleName() == "Map project 'Acme' (2 rows, 4 h 15 min) to"
    shoot(wizard, artifacts_dir, "2-unmapped")

    # Search the box from the keyboard, as a user would.
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "customer succ")
    popup = box.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert box.activity() == CUSTOMER
    assert page.stale
    assert not commit_button(wizard).isEnabled()  # the shown preview no longer holds
    shoot(wizard, artifacts_dir, "2-mapping")

    preview_again(qtbot, wizard)
    assert page.plan is not None and not page.plan.blocked
    assert page.group_keys() == [("project", "Acme")]  # still listed, to change the choice
    assert page.group_box("project", "Acme").activity() == CUSTOMER
    expected = core_plan(TOGGL_ACME, store, framework, default_activity=CUSTOMER)
    assert len(page.plan.new_entries) == len(expected.new_entries) > 5
    shoot(wizard, artifacts_dir, "2-mapped")

    assert import_now(qtbot, wizard) == len(expected.new_entries)
    saved = store.entries()
    assert essentials(saved) == essentials(expected.new_entries)
    acme = [e for e in saved if e.extra["import"].get("project") == "Acme"]
    assert acme and {e.activity for e in acme} == {CUSTOMER, STANDUP}
    board = [e for e in saved if e.extra["import"].get("project") == "Board"]
    assert board and {e.activity for e in board} == {BOARD}  # the vocabulary still decides


def test_the_users_aliases_map_rows_as_they_do_in_the_picker(
    qtbot, make_wizard: MakeWizard, store: EntryStore
) -> None:
    Vocabulary.for_data_dir(store.data_dir).add_alias("customer migration", CUSTOMER)
    wizard = make_wizard()
    to_preview(qtbot, wizard, TOGGL_ACME, "toggl")
    page = wizard.preview_page
    # Line 4 ("Customer migration") is the user's alias now; only line 5 is left.
    assert page.plan is not None
    assert "1 row no rule maps" in page.status.text()


def test_map_the_rest_to_maps_every_unmapped_group(
    qtbot, make_wizard: MakeWizard, store: EntryStore, framework: Framework
) -> None:
    wizard = make_wizard()
    to_preview(qtbot, wizard, TOGGL_ACME, "toggl")
    page = wizard.preview_page
    page.default_box.choose(CUSTOMER)
    preview_again(qtbot, wizard)
    assert page.plan is not None and not page.plan.blocked
    assert "Mapped by \u201cmap the rest to\u201d: 2" in page.summary.text()
    expected = core_plan(TOGGL_ACME, store, framework, default_activity=CUSTOMER)
    assert essentials(page.plan.new_entries) == essentials(expected.new_entries)


def test_a_rules_file_maps_rows_and_a_bad_one_is_named(
    qtbot, make_wizard: MakeWizard, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        f'[[rule]]\npattern = "^acme$"\nfields = ["project"]\nactivity = "{CUSTOMER}"\n',
        encoding="utf-8",
    )
    wizard = make_wizard()
    wizard.file_page.rules_edit.setText(str(rules))
    to_preview(qtbot, wizard, TOGGL_ACME, "toggl")
    page = wizard.preview_page
    assert page.plan is not None and not page.plan.unmapped
    assert commit_button(wizard).isEnabled()

    rules.write_text('[[rule]]\npattern = "acme"\nactivity = "no such thing"\n', "utf-8")
    wizard.back()
    with qtbot.waitSignal(page.previewed, timeout=TIMEOUT_MS):
        wizard.next()
    assert page.plan is None
    assert page.error.isVisible()
    assert f"The rules can't be used: {rules}, rule 1 (line 1)" in page.error.text()
    assert not commit_button(wizard).isEnabled()


def test_a_malformed_file_shows_its_line_and_writes_nothing(
    qtbot,
    *,
    make_wizard: MakeWizard,
    store: EntryStore,
    isolated_dirs: dict[str, Path],
    tmp_path: Path,
    artifacts_dir: Path,
) -> None:
    bad = tmp_path / "toggl-bad.csv"
    lines = TOGGL_MAPPED.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("2026-03-10", "2026-02-30")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    wizard = make_wizard()
    to_preview(qtbot, wizard, bad)
    page = wizard.preview_page
    assert page.plan is None
    assert page.error.isVisible()
    message = page.error.text()
    assert message.startswith(f"Nothing can be imported: {bad}, line 3:")
    assert page.summary.text() == "Nothing was written."
    assert not commit_button(wizard).isEnabled()
    assert store.entries() == []
    assert not (isolated_dirs["data"] / "entries").exists()
    shoot(wizard, artifacts_dir, "2-malformed")


def test_a_missing_file_is_refused_on_the_first_page(
    make_wizard: MakeWizard, tmp_path: Path, artifacts_dir: Path
) -> None:
    wizard = make_wizard()
    wizard.set_file(tmp_path / "nowhere.csv", "toggl")
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert wizard.file_page.error.isVisible()
    assert "does not exist" in wizard.file_page.error.text()
    shoot(wizard, artifacts_dir, "1-missing")


def test_importing_the_same_file_again_adds_nothing(
    qtbot, make_wizard: MakeWizard, store: EntryStore
) -> None:
    first = make_wizard()
    to_preview(qtbot, first, TOGGL_MAPPED)
    assert import_now(qtbot, first) == 3
    before = essentials(store.entries())

    again = make_wizard()
    to_preview(qtbot, again, TOGGL_MAPPED)
    page = again.preview_page
    assert page.plan is not None and page.plan.already_imported == 3
    assert "Would add nothing new." in page.summary.text()
    assert "Already imported: 3" in page.summary.text()
    assert "Nothing new to import" in page.status.text()
    assert not commit_button(again).isEnabled()
    assert essentials(store.entries()) == before


def test_overlapping_rows_can_be_left_out(
    qtbot, make_wizard: MakeWizard, store: EntryStore, artifacts_dir: Path
) -> None:
    start = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # 15:30-16:30 in Berlin
    mine = make_entry(start, 60, CUSTOMER, device="test-device", now=NOW)
    store.add(mine)
    wizard = make_wizard()
    to_preview(qtbot, wizard, TOGGL_MAPPED)
    page = wizard.preview_page
    assert page.plan is not None and len(page.plan.overlaps) == 2
    assert page.overlap_frame.isVisible()
    assert "line 2:" in page.overlap_list.text()
    assert not commit_button(wizard).isEnabled()
    shoot(wizard, artifacts_dir, "2-overlaps")
    page.overlap_box.setCurrentIndex(page.overlap_box.findData("skip"))
    preview_again(qtbot, wizard)
    assert page.plan is not None and len(page.plan.new_entries) == 1
    assert "Left out: 2 overlapping entries already stored." in page.summary.text()
    assert import_now(qtbot, wizard) == 1
    assert len(store.entries()) == 2
    assert store.get(mine.id) == mine  # the stored entry is untouched


def test_a_write_failing_part_way_is_rolled_back_and_says_so(
    qtbot,
    *,
    make_wizard: MakeWizard,
    store: EntryStore,
    monkeypatch: pytest.MonkeyPatch,
    artifacts_dir: Path,
) -> None:
    wizard = make_wizard()
    to_preview(qtbot, wizard, TOGGL_ACME, "toggl")
    wizard.preview_page.default_box.choose(CUSTOMER)
    preview_again(qtbot, wizard)
    plan = wizard.preview_page.plan
    assert plan is not None
    march = [e for e in plan.new_entries if e.start.month == 3]
    assert 0 < len(march) < len(plan.new_entries)  # two months: March is saved first
    real_add_many = store.add_many

    def add_many(entries):
        batch = list(entries)
        if batch[0].start.month != 3:
            raise OSError(28, "No space left on device")
        return real_add_many(batch)

    monkeypatch.setattr(store, "add_many", add_many)
    announced: list[int] = []
    wizard.imported.connect(announced.append)
    assert commit_button(wizard).isEnabled()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.result_page.done, timeout=TIMEOUT_MS)
    assert announced == []  # nothing was imported
    page = wizard.result_page
    assert page.error.isVisible()
    assert "nothing was saved" in page.error.text()
    assert "run the same import again" in page.error.text()
    assert not wizard.importing
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    # March was written first, then removed again: an import is all or nothing.
    assert store.entries(include_deleted=True) == []
    shoot(wizard, artifacts_dir, "3-write-failed")


def test_the_wizard_can_be_closed_while_a_preview_runs(
    qtbot, make_wizard: MakeWizard, store: EntryStore
) -> None:
    wizard = make_wizard()
    wizard.set_file(TOGGL_MAPPED)
    wizard.next()
    jobs = wizard.jobs
    assert wizard.preview_page.busy
    wizard.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(wizard), timeout=TIMEOUT_MS)
    jobs.wait()
    assert store.entries() == []


def test_every_control_has_an_accessible_name(qtbot, make_wizard: MakeWizard) -> None:
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit

    wizard = make_wizard()
    to_preview(qtbot, wizard, TOGGL_ACME, "toggl")
    controls = [
        w
        for kind in (QAbstractButton, QComboBox, QLineEdit)
        for w in wizard.findChildren(kind)
        if w.isVisibleTo(wizard) and w.focusPolicy() != Qt.FocusPolicy.NoFocus
    ]
    assert len(controls) >= 6
    unnamed = [f"{type(w).__name__} {w.objectName()}" for w in controls if not w.accessibleName()]
    assert unnamed == []


# Tray and app wiring --------------------------------------------------------------------------


def test_the_tray_menu_offers_import_after_the_dashboard_and_review(qtbot) -> None:
    tray = TrayController(TrayState, BERLIN, lambda: NOW)
    tray.menu.aboutToShow.emit()
    texts = [a.text().replace("&", "") for a in tray.menu.actions() if not a.isSeparator()]
    after = texts.index("Dashboard") + 1
    assert texts[after : after + 2] == ["Weekly review...", "Import..."]
    action = next(a for a in tray.menu.actions() if a.text().replace("&", "") == "Import...")
    with qtbot.waitSignal(tray.importRequested, timeout=1000):
        action.trigger()
    assert isinstance(tray.menu, QMenu)


def open_wizards() -> list[ImportWizard]:
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, ImportWizard) and shiboken6.isValid(w) and w.isVisible()
    ]


def test_the_app_opens_one_wizard_and_refreshes_after_an_import(
    qtbot, isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sec_desktop.settings import load_settings, save_settings
    from sec_desktop.ui.app import AppOptions, SecDesktopApp
    from sec_desktop.ui.dashboard import DashboardWindow

    config = isolated_dirs["config"]
    save_settings(config, load_settings(config).settings.replace(first_run_done=True))
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    options = AppOptions(
        data_dir=isolated_dirs["data"], config_dir=config, tz=BERLIN, tray_wait_s=0.2
    )
    app = SecDesktopApp(qapp, options, clock=lambda: NOW)
    try:
        app.start()
        app.open_import()
        [wizard] = open_wizards()
        assert wizard.isVisible()
        app.open_import()
        assert open_wizards() == [wizard]  # raised, not opened twice
        app.open_dashboard()
        refreshed: list[str] = []
        monkeypatch.setattr(DashboardWindow, "refresh", lambda self: refreshed.append("dash"))
        monkeypatch.setattr(app.tray, "refresh", lambda: refreshed.append("tray"))
        wizard.imported.emit(4)
        assert refreshed == ["tray", "dash"]
        jobs = wizard.jobs
        wizard.close()
        qtbot.waitUntil(lambda: not shiboken6.isValid(wizard), timeout=TIMEOUT_MS)
        jobs.wait()
        app.open_import()  # a closed wizard is forgotten: the next one is new
        [again] = open_wizards()
        assert again is not wizard
        again_jobs = again.jobs
        again.close()
        qtbot.waitUntil(lambda: not shiboken6.isValid(again), timeout=TIMEOUT_MS)
        again_jobs.wait()
    finally:
        app.shutdown()
