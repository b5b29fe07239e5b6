"""The framework editor: add, rename, hide, reorder and delete activities (moving their
entries first), switch the preset, and set personal targets; every change saved at once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from sec_desktop.analytics import Period, allocate
from sec_desktop.framework import load_framework
from sec_desktop.framework.custom_profile import (
    load_custom_profile,
    make_custom_profile,
    save_custom_profile,
)
from sec_desktop.framework.customization import (
    Customization,
    customization_path,
    load_customization,
    load_user_framework,
    save_customization,
)
from sec_desktop.settings import defaults, load_settings
from sec_desktop.store import EntryStore
from sec_desktop.ui.dialogs.customize import CustomizeDialog, MoveEntriesDialog
from tests.helpers.entries import make_entry
from tests.helpers.ids import BOARD, HIPAA, INCIDENT, OKR, PERSONAL, RISK, SECURITY

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 11, 20, 16, 0, tzinfo=UTC)


@pytest.fixture
def store(isolated_dirs: dict[str, Path]) -> EntryStore:
    return EntryStore(isolated_dirs["data"], "laptop", clock=lambda: NOW)


@pytest.fixture
def open_dialog(qtbot, store: EntryStore, isolated_dirs):  # type: ignore[no-untyped-def]
    opened: list[CustomizeDialog] = []

    def make(settings=None) -> CustomizeDialog:  # type: ignore[no-untyped-def]
        dialog = CustomizeDialog(
            isolated_dirs["data"], store, settings or defaults(), isolated_dirs["config"]
        )
        dialog.show()
        qtbot.waitExposed(dialog)
        opened.append(dialog)
        return dialog

    yield make
    # The dialog deletes itself when closed (WA_DeleteOnClose), so qtbot can't own it.
    for dialog in opened:
        if shiboken6.isValid(dialog):
            dialog.close()


def _click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_add_rename_hide_and_move_are_saved_at_once(qtbot, open_dialog, isolated_dirs) -> None:
    dialog = open_dialog()
    data_dir = isolated_dirs["data"]
    assert not customization_path(data_dir).exists()

    # Add through the button and its input dialog, under the chosen focus area.
    dialog.select(SECURITY)
    _click(qtbot, dialog.add_button)
    asked = dialog.findChildren(QInputDialog)
    assert len(asked) == 1
    with qtbot.waitSignal(dialog.frameworkChanged) as changed:
        asked[0].setTextValue("Vendor reviews")
        asked[0].accept()
    vendor = f"{SECURITY}.custom-vendor-reviews"
    assert vendor in changed.args[0]
    assert dialog.item_of(vendor).text(1) == "Yours"
    assert dialog.status.text() == "Added \u201cVendor reviews\u201d to Security & Compliance."

    # Rename in place: the id stays.
    with qtbot.waitSignal(dialog.frameworkChanged):
        dialog.item_of(OKR).setText(0, "Goals and OKRs")
    assert dialog.framework[OKR].label == "Goals and OKRs"
    assert dialog.current_id() == OKR

    # A name the focus area already has is refused, named, and the old name comes back.
    with qtbot.assertNotEmitted(dialog.frameworkChanged):
        dialog.item_of(OKR).setText(0, "Business-tech alignment")
    assert dialog.problem.isVisible()
    assert "already has an activity called 'Business-tech alignment'" in dialog.problem.text()
    assert dialog.item_of(OKR).text(0) == "Goals and OKRs"

    dialog.select(BOARD)
    assert dialog.hide_button.text() == "&Hide"
    _click(qtbot, dialog.hide_button)
    assert dialog.item_of(BOARD).text(1) == "Hidden"
    assert dialog.item_of(OKR).text(1) == ""
    assert not dialog.take_other_button.isEnabled()
    assert dialog.hide_button.text() == "S&how"
    assert not dialog.problem.isVisible()

    dialog.select(INCIDENT)
    _click(qtbot, dialog.up_button)
    _click(qtbot, dialog.up_button)
    assert next(n.id for n in dialog.framework.children(SECURITY)) == INCIDENT

    saved, problems = load_user_framework(data_dir)
    assert problems == []
    assert saved[OKR].label == "Goals and OKRs" and saved[BOARD].hidden
    assert saved[vendor].label == "Vendor reviews"
    assert next(n.id for n in saved.children(SECURITY)) == INCIDENT
    assert not dialog.delete_button.isEnabled()  # Incident response is the framework's


def test_deleting_an_activity_with_entries_moves_them_first(
    qtbot, open_dialog, store, isolated_dirs, artifacts_dir
) -> None:
    data_dir = isolated_dirs["data"]
    base = load_framework()
    custom, vendor = Customization().add_activity(base, SECURITY, "Vendor reviews")
    save_customization(data_dir, custom, base, device_id="laptop")
    store.add_many(
        [
            make_entry(datetime(2025, 11, 3, 10, tzinfo=BERLIN), 60, vendor),
            make_entry(datetime(2025, 11, 4, 10, tzinfo=BERLIN), 30, vendor),
            make_entry(datetime(2025, 11, 5, 10, tzinfo=BERLIN), 45, RISK),
        ]
    )
    period = Period(date(2025, 11, 1), date(2025, 11, 30), BERLIN)

    def minutes(framework) -> dict[str, float]:  # type: ignore[no-untyped-def]
        report = allocate(store.entries(), framework, period, base.profiles["default"])
        return {r.id: r.minutes for r in (*report.domains, *report.focus_areas) if r.seconds}

    before = minutes(load_user_framework(data_dir)[0])
    dialog = open_dialog()
    dialog.select(vendor)
    assert dialog.delete_button.isEnabled()

    # Cancel first: nothing moves, nothing is deleted.
    _click(qtbot, dialog.delete_button)
    asking = dialog.findChildren(MoveEntriesDialog)[-1]
    assert "2 entries (1.5 h) carry \u201cVendor reviews\u201d" in asking.message.text()
    asking.reject()
    assert {e.activity for e in store.entries()} == {vendor, RISK}
    assert vendor in load_user_framework(data_dir)[0]

    dialog.select(vendor)
    _click(qtbot, dialog.delete_button)
    asking = dialog.findChildren(MoveEntriesDialog)[-1]
    assert not asking.move_button.isEnabled()
    asking.choose(INCIDENT)
    assert asking.move_button.isEnabled() and asking.move_button.text() == "Move 2 and delete"
    asking.grab().save(str(artifacts_dir / "customize-move-entries.png"))
    with qtbot.waitSignal(dialog.frameworkChanged):
        _click(qtbot, asking.move_button)

    assert sorted(e.activity for e in store.entries()) == [INCIDENT, INCIDENT, RISK]
    after_framework, problems = load_user_framework(data_dir)
    assert problems == [] and vendor not in after_framework
    assert minutes(after_framework) == before
    assert dialog.status.text() == (
        "Moved 2 entries to \u201cIncident response\u201d and deleted \u201cVendor reviews\u201d."
    )


def test_an_activity_without_entries_is_deleted_at_once(qtbot, open_dialog, isolated_dirs) -> None:
    dialog = open_dialog()
    new_id = dialog.add_activity(SECURITY, "Tabletop exercises")
    assert new_id is not None
    dialog.select(new_id)
    with qtbot.waitSignal(dialog.frameworkChanged):
        _click(qtbot, dialog.delete_button)
    assert dialog.findChildren(MoveEntriesDialog) == []
    assert load_customization(isolated_dirs["data"], load_framework()) == (Customization(), [])


def test_switching_the_preset_saves_it_and_keeps_its_entries(
    qtbot, open_dialog, store, isolated_dirs
) -> None:
    store.add(make_entry(datetime(2025, 11, 6, 10, tzinfo=BERLIN), 30, HIPAA))
    dialog = open_dialog(defaults().replace(industry_preset="healthcare"))
    assert dialog.preset_box.currentData() == "healthcare"
    assert dialog.item_of(HIPAA).text(1) == "Healthcare preset"

    index = dialog.preset_box.findData("")
    dialog.preset_box.setCurrentIndex(index)
    with qtbot.waitSignal(dialog.settingsChanged) as changed:
        dialog.preset_box.activated.emit(index)
    assert changed.args[0].industry_preset is None
    assert load_settings(isolated_dirs["config"]).settings.industry_preset is None
    assert HIPAA not in dialog.framework
    assert "1 entry (0.5 h) is tagged with the old preset's activities" in dialog.status.text()
    assert [e.activity for e in store.entries()] == [HIPAA]

    dialog.switch_preset("saas")
    assert load_settings(isolated_dirs["config"]).settings.industry_preset == "saas"
    assert dialog.status.text().startswith("Industry preset: SaaS.")


def test_personal_targets_are_checked_and_saved_as_the_custom_profile(
    qtbot, open_dialog, isolated_dirs, artifacts_dir
) -> None:
    dialog = open_dialog()
    dialog.tabs.setCurrentIndex(1)
    rows = dialog.targets.rows
    assert len(rows) == 13  # 3 domains and 10 focus areas
    dialog.targets.set_target("strategy", 40.0, 30.0)
    assert dialog.save_targets() is None
    assert dialog.targets_problem.isVisible()
    assert (
        dialog.targets_problem.text()
        == "Not saved: bands.strategy: low (40%) is above high (30%) for Strategy."
    )
    assert load_custom_profile(isolated_dirs["data"], load_framework()) is None
    dialog.grab().save(str(artifacts_dir / "customize-targets-problem.png"))

    dialog.targets.set_target("strategy", 25.0, 30.0)
    dialog.targets.set_target(PERSONAL, 10.0, 12.5)
    dialog.grab().save(str(artifacts_dir / "customize-targets.png"))
    with qtbot.waitSignal(dialog.targetsSaved):
        dialog.save_targets()
    saved = load_custom_profile(isolated_dirs["data"], load_framework())
    assert saved is not None
    assert {k: (round(b.low, 4), round(b.high, 4)) for k, b in saved.bands.items()} == {
        "strategy": (0.25, 0.30),
        PERSONAL: (0.10, 0.125),
    }
    assert dialog.targets_status.text() == "Saved 2 targets as the Custom profile."
    assert not dialog.targets_problem.isVisible()


def test_a_bad_file_is_reported_and_kept_aside_when_a_change_is_saved(
    qtbot, open_dialog, isolated_dirs, artifacts_dir
) -> None:
    path = customization_path(isolated_dirs["data"])
    path.parent.mkdir(parents=True)
    path.write_bytes(
        b'{"format": "sec-desktop/framework-customization", "version": 1, "hidden": ["x"]}'
    )
    dialog = open_dialog()
    assert dialog.load_problem.isVisible()
    assert "field hidden[0]: there is no activity 'x'" in dialog.load_problem.text()
    assert dialog.item_of(OKR).text(0) == "OKR management"

    new_id = dialog.add_activity(SECURITY, "Vendor reviews")
    dialog.set_hidden(BOARD, True)
    dialog.select(new_id or "")
    assert not dialog.load_problem.isVisible()
    qtbot.waitUntil(lambda: dialog.tabs.y() < dialog.load_problem.sizeHint().height())
    dialog.grab().save(str(artifacts_dir / "customize-activities.png"))
    kept = [p for p in path.parent.iterdir() if p.name.startswith("customization.json.bad-")]
    assert len(kept) == 1 and kept[0].read_bytes().endswith(b'["x"]}')
    assert not dialog.load_problem.isVisible()
    assert load_user_framework(isolated_dirs["data"])[1] == []


def test_a_rename_that_syncs_in_while_open_is_shown_and_never_saved_over(
    qtbot, open_dialog, isolated_dirs, artifacts_dir
) -> None:
    data_dir = isolated_dirs["data"]
    base = load_framework()
    dialog = open_dialog()
    # Another device renames OKR; its records file arrives while the dialog is open.
    save_customization(
        data_dir, Customization().rename(base, OKR, "Goals"), base, device_id="desktop-b"
    )
    qtbot.waitUntil(lambda: dialog.item_of(OKR).text(0) == "Goals", timeout=5000)
    assert dialog.status.text() == "Changes made on another device were picked up."

    # A rename arriving between the dialog's read and its save is refused, named, and shown.
    save_customization(
        data_dir, Customization().rename(base, OKR, "Objectives"), base, device_id="tablet-c"
    )
    dialog.watcher.blockSignals(True)  # as if the sync landed after the watcher last looked
    assert not dialog.rename(OKR, "OKRs and goals")
    dialog.watcher.blockSignals(False)
    assert "changed on another device while this window was open" in dialog.problem.text()
    assert dialog.item_of(OKR).text(0) == "Objectives"
    saved, _ = load_user_framework(data_dir)
    assert saved[OKR].label == "Objectives"
    dialog.grab().save(str(artifacts_dir / "customize-conflict.png"))

    # Tried again on what it now shows, the rename is saved.
    assert dialog.rename(OKR, "OKRs and goals")
    assert load_user_framework(data_dir)[0][OKR].label == "OKRs and goals"


def test_targets_changed_on_another_device_while_open_are_not_saved_over(
    qtbot, open_dialog, isolated_dirs
) -> None:
    data_dir = isolated_dirs["data"]
    base = load_framework()
    dialog = open_dialog()
    dialog.targets.set_target("strategy", 20.0, 30.0)
    # Another device saves its own strategy target while the tab is open.
    save_custom_profile(
        data_dir, make_custom_profile(base, {"strategy": (40.0, 50.0)}), base, device_id="desk-b"
    )
    assert dialog.save_targets() is None
    assert "Strategy changed on another device" in dialog.targets_problem.text()
    saved = load_custom_profile(data_dir, base)
    assert saved is not None and saved.bands["strategy"].low == pytest.approx(0.40)
    # The editor now shows the other device's target; saving again is the user's choice.
    _use, low, high = dialog.targets.rows["strategy"]
    assert (low.value(), high.value()) == (40.0, 50.0)
    dialog.targets.set_target("strategy", 20.0, 30.0)
    assert dialog.save_targets() is not None
    saved = load_custom_profile(data_dir, base)
    assert saved is not None and saved.bands["strategy"].low == pytest.approx(0.20)


def test_a_rename_that_lost_to_another_devices_at_the_same_time_is_shown(
    open_dialog, isolated_dirs, artifacts_dir
) -> None:
    from sec_desktop.store.shared_records import SharedRecords

    data_dir = isolated_dirs["data"]
    # Two devices renamed OKR without seeing each other's rename (stamps one second apart).
    SharedRecords(data_dir, "customization", "desk-b").write({f"rename/{OKR}": "From the desk"})
    SharedRecords(data_dir, "customization", "laptop").write({f"rename/{OKR}": "From the laptop"})
    # Written in separate folders in reality: here the second write saw the first, so unsee it.
    own = data_dir / "shared" / "customization" / "laptop.json"
    doc = orjson.loads(own.read_bytes())
    doc["records"][f"rename/{OKR}"].pop("seen")
    own.write_bytes(orjson.dumps(doc))
    dialog = open_dialog()
    item = dialog.item_of(OKR)
    assert item.text(0) == "From the laptop"
    assert "also named \u201cFrom the desk\u201d on desk-b" in item.text(1)
    assert "Changed on two devices" in item.toolTip(1)
    dialog.select(OKR)
    dialog.grab().save(str(artifacts_dir / "customize-concurrent-rename.png"))
    # Taking the other name back settles it: the note goes, on every device that reads it.
    assert dialog.take_other_button.isEnabled()
    dialog.take_other_button.click()
    assert dialog.item_of(OKR).text(0) == "From the desk"
    assert dialog.item_of(OKR).text(1) == ""
    assert not dialog.take_other_button.isEnabled()


def test_a_hide_that_lost_to_a_show_elsewhere_can_be_taken_back(open_dialog, isolated_dirs) -> None:
    from sec_desktop.store.shared_records import DELETE, SharedRecords

    data_dir = isolated_dirs["data"]
    desk = SharedRecords(data_dir, "customization", "desk-b")
    desk.write({f"hidden/{BOARD}": True})
    desk.write({f"hidden/{BOARD}": DELETE})  # shown again on the desk...
    SharedRecords(data_dir, "customization", "laptop").write({f"hidden/{BOARD}": True})
    # ...while the laptop, not having seen that, hid it: unsee the desk's show.
    own = data_dir / "shared" / "customization" / "laptop.json"
    doc = orjson.loads(own.read_bytes())
    doc["records"][f"hidden/{BOARD}"]["seen"] = [
        s for s in doc["records"][f"hidden/{BOARD}"]["seen"] if not s.endswith("desk-b")
    ]
    own.write_bytes(orjson.dumps(doc))
    dialog = open_dialog()
    assert dialog.framework[BOARD].hidden
    assert "shown on desk-b" in dialog.item_of(BOARD).text(1)
    dialog.select(BOARD)
    assert dialog.take_other()
    assert not dialog.framework[BOARD].hidden
    assert not load_user_framework(data_dir)[0][BOARD].hidden
