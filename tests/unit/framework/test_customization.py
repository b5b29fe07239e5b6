"""The user's framework changes: applied to a new Framework, saved privately in the data
folder, a bad file reported by field and never lost, and every entry's minutes kept in the
report through renames, hides and moves."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest

from sec_desktop.analytics import Period, allocate
from sec_desktop.framework import Framework, Level, load_framework
from sec_desktop.framework.customization import (
    Customization,
    CustomizationConflict,
    CustomizationError,
    apply_customization,
    count_entries,
    customization_path,
    is_custom_activity,
    load_customization,
    load_user_framework,
    migrate_customization,
    move_entries,
    read_customization,
    save_customization,
)
from sec_desktop.store import EntryStore
from sec_desktop.store.shared_records import SharedRecords
from tests.helpers.entries import make_entry
from tests.helpers.ids import BOARD, HIPAA, INCIDENT, OKR, SECURITY, TECH_PLANNING

DEVICE = "laptop-aaaaaa"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 11, 20, 17, 0, tzinfo=UTC)


@pytest.fixture
def base() -> Framework:
    return load_framework()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_add_rename_hide_and_order_make_a_new_framework(base: Framework) -> None:
    custom, new_id = Customization().add_activity(base, SECURITY, "Vendor security reviews")
    custom = custom.rename(base, OKR, "OKRs and goals")
    custom = custom.set_hidden(base, BOARD, True)
    custom = custom.move(base, OKR, -2)
    framework = apply_customization(base, custom)

    assert new_id == f"{SECURITY}.custom-vendor-security-reviews"
    assert is_custom_activity(new_id) and not is_custom_activity(OKR)
    added = framework[new_id]
    assert (added.label, added.level, added.parent_id) == (
        "Vendor security reviews",
        Level.ACTIVITY,
        SECURITY,
    )
    assert [n.id for n in framework.children(SECURITY)][-1] == new_id
    assert framework[OKR].label == "OKRs and goals"
    assert framework[BOARD].hidden and not framework[OKR].hidden
    # Hidden activities stay in the tree for reports; the flag tells pickers to leave them out.
    assert BOARD in framework and framework[BOARD] in framework.of_level(Level.ACTIVITY)
    shipped_order = [n.id for n in base.children(TECH_PLANNING)]
    assert [n.id for n in framework.children(TECH_PLANNING)] == [
        OKR,
        *[i for i in shipped_order if i != OKR],
    ]
    # Domains and focus areas are untouched, and the shipped framework is unchanged.
    assert [n.id for n in framework.of_level(Level.DOMAIN)] == [
        n.id for n in base.of_level(Level.DOMAIN)
    ]
    assert [(n.id, n.label) for n in framework.of_level(Level.FOCUS_AREA)] == [
        (n.id, n.label) for n in base.of_level(Level.FOCUS_AREA)
    ]
    assert new_id not in base and base[OKR].label == "OKR management"
    assert len(framework.of_level(Level.ACTIVITY)) == len(base.of_level(Level.ACTIVITY)) + 1


def test_same_label_twice_gets_distinct_ids_only_in_different_focus_areas(base: Framework) -> None:
    custom, first = Customization().add_activity(base, SECURITY, "Audits")
    custom, second = custom.add_activity(base, TECH_PLANNING, "Audits")
    assert first != second and first.startswith(SECURITY) and second.startswith(TECH_PLANNING)
    with pytest.raises(CustomizationError, match="already has an activity called 'Audits'") as err:
        custom.add_activity(base, SECURITY, "  audits ")
    assert err.value.field == "label"


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (lambda c, b: c.rename(b, "strategy", "Vision"), "renamed", "domains and focus areas"),
        (lambda c, b: c.rename(b, TECH_PLANNING, "Plans"), "renamed", "domains and focus areas"),
        (lambda c, b: c.rename(b, OKR, "   "), f"renamed.{OKR}", "is empty"),
        (lambda c, b: c.rename(b, OKR, "x" * 81), f"renamed.{OKR}", "at most 80"),
        (lambda c, b: c.rename(b, OKR, "Incident response"), f"renamed.{OKR}", None),
        (
            lambda c, b: c.rename(b, OKR, "business-tech  alignment"),
            f"renamed.{OKR}",
            "already has",
        ),
        (lambda c, b: c.set_hidden(b, "nope", True), "hidden", "no activity 'nope'"),
        (lambda c, b: c.add_activity(b, "strategy", "X"), "focus_area", "not a focus area"),
        (lambda c, b: c.remove_activity(OKR), "added", "hide it instead"),
    ],
)
def test_edits_that_break_a_rule_name_the_field(base: Framework, edit, field, words) -> None:
    if words is None:  # a label used in another focus area is fine
        renamed = edit(Customization(), base)
        assert apply_customization(base, renamed)[OKR].label == "Incident response"
        return
    with pytest.raises(CustomizationError, match=words) as err:
        edit(Customization(), base)
    assert err.value.field == field


def test_saved_records_are_private_this_devices_and_read_back(
    base: Framework, data_dir: Path
) -> None:
    custom, new_id = Customization().add_activity(base, SECURITY, "Pen test follow-up")
    custom = custom.rename(base, OKR, "OKRs").set_hidden(base, BOARD, True).move(base, INCIDENT, 1)
    saved = save_customization(data_dir, custom, base, device_id=DEVICE)
    assert saved.customization == custom and saved.problems == []

    path = data_dir / "shared" / "customization" / f"{DEVICE}.json"
    assert list(path.parent.glob("*.json")) == [path]
    assert not customization_path(data_dir).exists()
    document = orjson.loads(path.read_bytes())
    assert document["format"] == "sec-desktop/shared-records"
    assert document["records"][f"added/{new_id}"]["value"] == {
        "focus_area": SECURITY,
        "label": "Pen test follow-up",
    }
    assert document["records"][f"rename/{OKR}"]["value"] == "OKRs"
    assert document["records"][f"hidden/{BOARD}"]["value"] is True
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.parent.stat().st_mode & 0o777 == 0o700
    loaded, problems = load_customization(data_dir, base)
    assert problems == []
    assert loaded == custom


def test_the_data_folder_carries_the_customization_to_another_copy(
    base: Framework, data_dir: Path, tmp_path: Path
) -> None:
    custom, new_id = Customization().add_activity(base, SECURITY, "Tabletop exercises")
    custom = custom.rename(base, OKR, "Goals").set_hidden(base, BOARD, True).move(base, new_id, -9)
    save_customization(data_dir, custom, base, device_id=DEVICE)
    here, here_problems = load_user_framework(data_dir)

    elsewhere = tmp_path / "synced" / "sec-desktop"
    shutil.copytree(data_dir, elsewhere)
    there, there_problems = load_user_framework(elsewhere)

    assert here_problems == there_problems == []
    assert list(here.nodes.values()) == list(there.nodes.values())
    assert next(n.id for n in there.children(SECURITY)) == new_id
    assert there[OKR].label == "Goals" and there[BOARD].hidden


BAD_FILES = [
    (b"{not json", "is not valid JSON"),
    (b"[]", "must hold a JSON object"),
    ({"format": "something-else", "version": 1}, "field format"),
    ({"version": 2}, "field version: a newer SEC Desktop wrote it"),
    ({"version": True}, "field version"),
    ({"added": [{"id": "x", "focus_area": "strategy", "label": "X"}]}, "field added[0].focus_area"),
    (
        {"added": [{"id": f"{SECURITY}.audits", "focus_area": SECURITY, "label": "A"}]},
        "field added[0].id",
    ),
    (
        {"added": [{"id": f"{SECURITY}.custom-a", "focus_area": SECURITY, "label": ""}]},
        "field added[0].label: is empty",
    ),
    (
        {"added": [{"id": f"{SECURITY}.custom-a", "focus_area": SECURITY}]},
        "field added[0].label: is missing",
    ),
    ({"renamed": {"strategy": "Vision"}}, "field renamed.strategy"),
    ({"renamed": {OKR: 42}}, f"field renamed.{OKR}: must be text"),
    ({"hidden": ["strategy.nothing-here"]}, "field hidden[0]: there is no activity"),
    ({"hidden": "all"}, "field hidden: must be a list"),
    ({"order": {TECH_PLANNING: [INCIDENT]}}, f"field order.{TECH_PLANNING}[0]"),
    (
        {"order": {TECH_PLANNING: [OKR, OKR]}},
        f"field order.{TECH_PLANNING}[1]: {OKR!r} is listed twice",
    ),
    ({"order": {"strategy": []}}, "field order.strategy"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_a_bad_file_is_reported_by_field_ignored_and_left_untouched(
    base: Framework, data_dir: Path, content: object, message: str
) -> None:
    path = customization_path(data_dir)
    path.parent.mkdir(parents=True)
    if isinstance(content, bytes):
        raw = content
    else:
        document = {"format": "sec-desktop/framework-customization", "version": 1}
        document.update(content)  # type: ignore[arg-type]
        raw = orjson.dumps(document)
    path.write_bytes(raw)

    custom, problems = load_customization(data_dir, base)
    assert custom == Customization()
    assert len(problems) == 1
    assert message in problems[0] and str(path) in problems[0]
    framework, user_problems = load_user_framework(data_dir)
    assert user_problems == problems
    assert list(framework.nodes.values()) == list(base.nodes.values())
    assert path.read_bytes() == raw
    assert list(path.parent.iterdir()) == [path]


def test_saving_over_a_bad_file_keeps_it_aside(base: Framework, data_dir: Path) -> None:
    path = customization_path(data_dir)
    path.parent.mkdir(parents=True)
    path.write_bytes(
        b'{"format": "sec-desktop/framework-customization", "version": 1, "hidden": 3}'
    )
    custom = Customization().set_hidden(base, BOARD, True)

    save_customization(data_dir, custom, base, device_id=DEVICE, now=NOW)

    kept = path.with_name("customization.json.bad-20251120T170000Z")
    assert not path.exists() and kept.read_bytes().endswith(b'"hidden": 3}')
    assert load_customization(data_dir, base) == (custom, [])
    # A second bad file at the same second gets its own name.
    path.write_bytes(b"oops")
    save_customization(data_dir, custom, base, device_id=DEVICE, now=NOW)
    second = path.with_name("customization.json.bad-20251120T170000Z-1")
    assert second.read_bytes() == b"oops" and kept.exists()


def test_a_customization_that_breaks_a_rule_writes_nothing(base: Framework, data_dir: Path) -> None:
    bad = Customization(renamed={"strategy": "Vision"})
    with pytest.raises(CustomizationError, match=r"renamed\.strategy"):
        save_customization(data_dir, bad, base, device_id=DEVICE)
    assert not customization_path(data_dir).exists()
    assert not (data_dir / "shared").exists()


def test_preset_changes_wait_while_their_preset_is_off(data_dir: Path) -> None:
    healthcare = load_framework(preset="healthcare")
    custom = Customization().rename(healthcare, HIPAA, "HIPAA practices")
    custom = custom.set_hidden(healthcare, HIPAA, True)
    save_customization(data_dir, custom, healthcare, device_id=DEVICE)

    plain, problems = load_user_framework(data_dir)
    assert problems == [] and HIPAA not in plain
    with_preset, problems = load_user_framework(data_dir, preset="healthcare")
    assert problems == []
    assert with_preset[HIPAA].label == "HIPAA practices" and with_preset[HIPAA].hidden


def test_an_unknown_preset_is_reported_and_the_framework_still_loads(data_dir: Path) -> None:
    framework, problems = load_user_framework(data_dir, preset="space-mining")
    assert len(problems) == 1 and "space-mining" in problems[0]
    assert framework.active_preset is None and len(framework.of_level(Level.ACTIVITY)) == 36


# Entries keep their minutes ---------------------------------------------------------------------


def november(day: int, hour: int) -> datetime:
    return datetime(2025, 11, day, hour, tzinfo=BERLIN)


def _minutes(report) -> dict[str, float]:  # type: ignore[no-untyped-def]
    rows = [*report.domains, *report.focus_areas, *report.activities]
    return {row.id: round(row.minutes, 6) for row in rows if row.seconds > 0}


def test_rename_hide_and_move_keep_every_entrys_minutes(base: Framework, data_dir: Path) -> None:
    custom, vendor = Customization().add_activity(base, SECURITY, "Vendor reviews")
    framework = apply_customization(base, custom)
    store = EntryStore(data_dir, "laptop", clock=lambda: NOW)
    other = EntryStore(data_dir, "desktop", clock=lambda: NOW)
    store.add_many(
        [
            make_entry(november(3, 9), 90, vendor),
            make_entry(november(4, 14), 45, vendor),
            make_entry(november(3, 11), 30, OKR),
            make_entry(november(5, 10), 60, BOARD),
            make_entry(november(6, 10), 20, SECURITY),  # tagged at the focus area
        ]
    )
    other.add(make_entry(november(7, 9), 15, vendor, device="desktop"))  # synced from elsewhere
    period = Period(date(2025, 11, 1), date(2025, 11, 30), BERLIN)
    profile = base.profiles["default"]

    def report(fw: Framework):  # type: ignore[no-untyped-def]
        return allocate(store.entries(period.start, period.end), fw, period, profile)

    before = report(framework)
    assert before.total_minutes == 260 and before.unknown == []

    custom = custom.rename(base, vendor, "Supplier security reviews").rename(base, OKR, "Goals")
    renamed = report(apply_customization(base, custom))
    assert _minutes(renamed) == _minutes(before)
    assert {a.id: a.label for a in renamed.activities}[vendor] == "Supplier security reviews"

    custom = custom.set_hidden(base, BOARD, True).set_hidden(base, vendor, True)
    hidden = report(apply_customization(base, custom))
    assert _minutes(hidden) == _minutes(before)
    assert BOARD in {a.id for a in hidden.activities}

    tagged = count_entries(store, vendor)
    assert (tagged.count, tagged.seconds) == (3, 150 * 60)
    assert tagged.describe() == "3 entries (2.5 h)"
    assert move_entries(store, vendor, INCIDENT, framework=apply_customization(base, custom)) == 3
    custom = custom.remove_activity(vendor)
    moved = report(apply_customization(base, custom))
    expected = _minutes(before)
    expected[INCIDENT] = expected.pop(vendor)
    assert _minutes(moved) == expected
    assert moved.total_minutes == before.total_minutes and moved.unknown == []
    assert count_entries(store, vendor).count == 0
    # The moved versions are this device's; every entry still exists exactly once.
    assert len(store.entries()) == 6
    assert all(e.device == "laptop" for e in store.entries() if e.activity == INCIDENT)


def test_move_entries_refuses_a_pointless_or_unknown_target(
    base: Framework, data_dir: Path
) -> None:
    store = EntryStore(data_dir, "laptop", clock=lambda: NOW)
    store.add(make_entry(november(3, 9), 30, OKR))
    with pytest.raises(CustomizationError, match="the activity they are on"):
        move_entries(store, OKR, OKR)
    with pytest.raises(CustomizationError, match="no activity 'nowhere'"):
        move_entries(store, OKR, "nowhere", framework=base)
    assert [e.activity for e in store.entries()] == [OKR]


# Shared across devices -------------------------------------------------------------------------

OTHER = "desktop-bbbbbb"


def sync_shared(source: Path, target: Path) -> None:
    """What a sync engine does with the shared records: each device's file, copied whole."""
    for path in (source / "shared").rglob("*.json"):
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


def test_a_rename_on_one_device_and_a_hide_on_another_both_survive(
    base: Framework, tmp_path: Path
) -> None:
    on_a, on_b = tmp_path / "a", tmp_path / "b"
    save_customization(on_a, Customization().rename(base, OKR, "Goals"), base, device_id=DEVICE)
    save_customization(on_b, Customization().set_hidden(base, OKR, True), base, device_id=OTHER)
    sync_shared(on_a, on_b)
    sync_shared(on_b, on_a)
    for folder in (on_a, on_b):
        framework, problems = load_user_framework(folder)
        assert problems == []
        assert framework[OKR].label == "Goals" and framework[OKR].hidden


def test_a_save_from_an_old_view_keeps_what_synced_in_meanwhile(
    base: Framework, data_dir: Path
) -> None:
    opened = read_customization(data_dir, base)  # a window opens on this device
    # Another device renames OKR and hides BOARD while the window is open.
    elsewhere = Customization().rename(base, OKR, "Goals").set_hidden(base, BOARD, True)
    save_customization(data_dir, elsewhere, base, device_id=OTHER)
    # The window's own edit of another item is saved beside them.
    moved = opened.customization.rename(base, INCIDENT, "Incidents")
    after = save_customization(data_dir, moved, base, device_id=DEVICE, based_on=opened)
    framework = apply_customization(base, after.customization)
    assert (framework[OKR].label, framework[INCIDENT].label) == ("Goals", "Incidents")
    assert framework[BOARD].hidden
    # Its rename of the item that changed meanwhile is refused and says why.
    clash = opened.customization.rename(base, OKR, "Objectives")
    with pytest.raises(CustomizationConflict, match="changed on another device") as caught:
        save_customization(data_dir, clash, base, device_id=DEVICE, based_on=opened)
    assert caught.value.keys == [f"rename/{OKR}"]
    assert apply_customization(base, load_customization(data_dir, base)[0])[OKR].label == "Goals"


def test_concurrent_renames_of_one_activity_keep_the_other_visible(
    base: Framework, tmp_path: Path
) -> None:
    on_a, on_b = tmp_path / "a", tmp_path / "b"
    save_customization(on_a, Customization().rename(base, OKR, "From A"), base, device_id=DEVICE)
    save_customization(on_b, Customization().rename(base, OKR, "From B"), base, device_id=OTHER)
    sync_shared(on_a, on_b)
    sync_shared(on_b, on_a)
    seen = [read_customization(folder, base) for folder in (on_a, on_b)]
    assert seen[0].customization == seen[1].customization
    ((key, merged),) = seen[0].conflicts.items()
    assert key == f"rename/{OKR}"
    assert {merged.winner.value, *(c.value for c in merged.conflicts)} == {"From A", "From B"}


def test_the_old_single_file_is_migrated_once_and_kept_aside(
    base: Framework, data_dir: Path
) -> None:
    custom = Customization().rename(base, OKR, "Goals").set_hidden(base, BOARD, True)
    path = customization_path(data_dir)
    path.parent.mkdir(parents=True)
    path.write_bytes(orjson.dumps(custom.to_document()))
    assert load_customization(data_dir, base) == (custom, [])  # read before migrating

    message = migrate_customization(data_dir, DEVICE, base, now=NOW)

    assert message is not None and "customization.json.migrated-20251120T170000Z" in message
    assert not path.exists()
    assert path.with_name("customization.json.migrated-20251120T170000Z").exists()
    assert load_customization(data_dir, base) == (custom, [])
    assert migrate_customization(data_dir, DEVICE, base, now=NOW) is None


def test_a_record_this_device_cant_use_is_named_and_the_rest_apply(
    base: Framework, data_dir: Path
) -> None:
    save_customization(data_dir, Customization().rename(base, OKR, "Goals"), base, device_id=DEVICE)
    records = SharedRecords(data_dir, "customization", OTHER)
    records.write({"rename/strategy.nothing-here": "Ghost", "hidden/" + BOARD: True})
    custom, problems = load_customization(data_dir, base)
    assert custom.renamed == {OKR: "Goals"} and custom.hidden == {BOARD}
    assert len(problems) == 1 and "rename/strategy.nothing-here" in problems[0]


def test_an_activity_renamed_on_one_device_while_deleted_on_another_stays_with_both_shown(
    base: Framework, tmp_path: Path
) -> None:
    on_a, on_b = tmp_path / "a", tmp_path / "b"
    custom, new_id = Customization().add_activity(base, SECURITY, "Audits")
    save_customization(on_a, custom, base, device_id=DEVICE)
    sync_shared(on_a, on_b)
    opened_b = read_customization(on_b, base)
    save_customization(on_a, custom.remove_activity(new_id), base, device_id=DEVICE)
    renamed = opened_b.customization.rename(base, new_id, "Security audits")
    save_customization(on_b, renamed, base, device_id=OTHER, based_on=opened_b)
    sync_shared(on_a, on_b)
    sync_shared(on_b, on_a)
    # The later edit (the rename, made without seeing the delete) wins on both devices; the
    # delete is not lost silently: it is kept as the conflict the rename beat.
    for folder in (on_a, on_b):
        seen = read_customization(folder, base)
        assert seen.problems == []
        assert apply_customization(base, seen.customization)[new_id].label == "Security audits"
        (loser,) = seen.conflicts[f"added/{new_id}"].conflicts
        assert loser.deleted and loser.device == DEVICE


def test_a_move_of_an_activity_deleted_elsewhere_is_dropped_quietly(
    base: Framework, tmp_path: Path
) -> None:
    on_a, on_b = tmp_path / "a", tmp_path / "b"
    custom, new_id = Customization().add_activity(base, SECURITY, "Audits")
    save_customization(on_a, custom, base, device_id=DEVICE)
    sync_shared(on_a, on_b)
    opened_b = read_customization(on_b, base)
    save_customization(on_a, custom.remove_activity(new_id), base, device_id=DEVICE)
    moved = opened_b.customization.move(base, new_id, -1)
    save_customization(on_b, moved, base, device_id=OTHER, based_on=opened_b)
    sync_shared(on_a, on_b)
    custom_b, problems = load_customization(on_b, base)
    assert problems == [] and new_id not in custom_b.added_ids()
    assert all(new_id not in ids for ids in custom_b.order.values())
