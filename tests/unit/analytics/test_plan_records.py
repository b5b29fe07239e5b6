"""Plans in the data folder as shared records: set and clear, two devices' edits merge target by
target, a concurrent edit of one target stays visible, bad files are named and kept."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from sec_desktop.analytics.plan_records import PlanStore, target_key
from sec_desktop.analytics.targets import PlanError, Quarter
from sec_desktop.framework import load_framework
from sec_desktop.store.hlc import HybridClock
from sec_desktop.store.shared_records import RecordsChanged, SharedRecordsError
from tests.helpers.clocks import FakeClock, ticking
from tests.helpers.ids import PERSONAL, SECURITY

FW = load_framework()
PROFILE = FW.profiles["default"]
Q4 = Quarter(2026, 4)
A, B = "laptop-aaaaaa", "desktop-bbbbbb"
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def device(folder: Path, device_id: str, clock: FakeClock | None = None) -> PlanStore:
    return PlanStore(folder, device_id, HybridClock(device_id, clock or ticking(T0)))


def sync(source: Path, target: Path) -> None:
    """What a sync engine does: copy the other device's files across."""
    for path in (source / "shared").rglob("*.json"):
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


def test_set_clear_and_read_back(tmp_path: Path) -> None:
    store = device(tmp_path, A)
    loaded, warnings = store.save_quarter(Q4, {"strategy": 0.30, SECURITY: 0.2}, FW, PROFILE)
    assert warnings == []
    assert loaded.plans.quarter(Q4).targets == {"strategy": 0.30, SECURITY: 0.2}
    assert store.load(FW).plans.quarter(Q4).targets == {"strategy": 0.30, SECURITY: 0.2}
    assert (tmp_path / "shared" / "plan" / f"{A}.json").is_file()
    store.save_quarter(Q4, {SECURITY: None}, FW, PROFILE)
    assert store.load(FW).plans.quarter(Q4).targets == {"strategy": 0.30}
    assert store.load(FW).plans.quarter(Q4.next()).targets == {}
    store.clear_quarter(Q4, FW)
    assert store.load(FW).plans.quarters() == []


def test_replace_clears_the_targets_not_given(tmp_path: Path) -> None:
    store = device(tmp_path, A)
    store.save_quarter(Q4, {"strategy": 0.30, SECURITY: 0.2}, FW, PROFILE)
    loaded, _ = store.save_quarter(Q4, {"culture": 0.2}, FW, PROFILE, replace=True)
    assert loaded.plans.quarter(Q4).targets == {"culture": 0.2}


def test_a_target_outside_its_band_is_saved_with_its_warning(tmp_path: Path) -> None:
    loaded, warnings = device(tmp_path, A).save_quarter(Q4, {"strategy": 0.45}, FW, PROFILE)
    assert loaded.plans.quarter(Q4).targets == {"strategy": 0.45}
    assert [w.text for w in warnings] == [
        "Strategy: the target 45% is above the Full range band of 20-35%"
    ]


def test_a_plan_over_100_percent_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    store = device(tmp_path, A)
    store.save_quarter(Q4, {"strategy": 0.5, "execution": 0.4}, FW, PROFILE)
    before = (tmp_path / "shared" / "plan" / f"{A}.json").read_bytes()
    with pytest.raises(PlanError, match="2026-Q4 plan is not saved: the domain targets add up"):
        store.save_quarter(Q4, {"culture": 0.2}, FW, PROFILE)
    assert (tmp_path / "shared" / "plan" / f"{A}.json").read_bytes() == before
    with pytest.raises(PlanError, match="is an activity"):
        store.save_quarter(Q4, {f"{SECURITY}.incident-response": 0.1}, FW, PROFILE)


def test_two_devices_edits_merge_target_by_target(tmp_path: Path) -> None:
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a, b = device(a_dir, A), device(b_dir, B, ticking(T0 + timedelta(minutes=1)))
    a.save_quarter(Q4, {"strategy": 0.30}, FW, PROFILE)
    b.save_quarter(Q4, {"culture": 0.20, PERSONAL: 0.1}, FW, PROFILE)
    sync(a_dir, b_dir)
    sync(b_dir, a_dir)
    expected = {"strategy": 0.30, "culture": 0.20, PERSONAL: 0.1}
    assert a.load(FW).plans.quarter(Q4).targets == expected
    assert b.load(FW).plans.quarter(Q4).targets == expected
    assert a.load(FW).conflicts == []
    # A clears Strategy after seeing B's edits; B's older copy can't bring it back.
    a.save_quarter(Q4, {"strategy": None}, FW, PROFILE)
    sync(a_dir, b_dir)
    assert "strategy" not in b.load(FW).plans.quarter(Q4).targets


def test_the_same_target_set_on_both_keeps_one_and_shows_the_other(tmp_path: Path) -> None:
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    # B's wall clock runs behind, yet both edits are concurrent: neither saw the other.
    a = device(a_dir, A, ticking(T0 + timedelta(minutes=5)))
    b = device(b_dir, B, ticking(T0))
    a.save_quarter(Q4, {"strategy": 0.30}, FW, PROFILE)
    b.save_quarter(Q4, {"strategy": 0.25}, FW, PROFILE)
    sync(a_dir, b_dir)
    sync(b_dir, a_dir)
    on_a, on_b = a.load(FW), b.load(FW)
    assert on_a.plans.quarter(Q4).targets == on_b.plans.quarter(Q4).targets == {"strategy": 0.30}
    assert len(on_a.conflicts) == 1
    conflict = on_a.conflicts[0]
    assert (conflict.quarter, conflict.node_id, conflict.kept) == (Q4, "strategy", 0.30)
    assert conflict.others == ((B, 0.25),)
    # B, having seen A's value, sets its own again: a later edit that saw the other wins.
    b.save_quarter(Q4, {"strategy": 0.25}, FW, PROFILE)
    sync(b_dir, a_dir)
    assert a.load(FW).plans.quarter(Q4).targets == {"strategy": 0.25}
    assert a.load(FW).conflicts == []


def test_a_view_saved_after_a_change_synced_in_is_refused(tmp_path: Path) -> None:
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a, b = device(a_dir, A), device(b_dir, B)
    view = a.load(FW)  # an editor opens on A
    b.save_quarter(Q4, {"strategy": 0.25}, FW, PROFILE)
    sync(b_dir, a_dir)
    with pytest.raises(RecordsChanged, match=target_key(Q4, "strategy")):
        a.save_quarter(Q4, {"strategy": 0.30}, FW, PROFILE, expect=view.stamps)
    assert a.load(FW).plans.quarter(Q4).targets == {"strategy": 0.25}


def test_a_bad_file_is_named_and_kept_and_the_rest_is_used(tmp_path: Path) -> None:
    a_dir = tmp_path
    device(a_dir, A).save_quarter(Q4, {"strategy": 0.30}, FW, PROFILE)
    broken = a_dir / "shared" / "plan" / f"{B}.json"
    broken.write_text("{not json", "utf-8")
    loaded = device(a_dir, A).load(FW)
    assert loaded.plans.quarter(Q4).targets == {"strategy": 0.30}
    assert len(loaded.problems) == 1
    assert str(broken) in loaded.problems[0] and "not valid JSON" in loaded.problems[0]
    assert broken.read_text("utf-8") == "{not json"
    # This device's own file broken: saving is refused with the file named, nothing lost.
    own = a_dir / "shared" / "plan" / f"{A}.json"
    own.write_text("[]", "utf-8")
    with pytest.raises(SharedRecordsError, match=f"this device's file {own} can't be read"):
        device(a_dir, A).save_quarter(Q4, {"culture": 0.2}, FW, PROFILE)
    assert own.read_text("utf-8") == "[]"


def test_records_that_are_not_targets_are_named_and_skipped(tmp_path: Path) -> None:
    store = device(tmp_path, A)
    store.records.write(
        {
            "target/2026-Q4/strategy": {"share": 1.5},
            "target/2026-Q9/culture": {"share": 0.2},
            "target/2026-Q4/nowhere": {"share": 0.1},
            "target/2026-Q4/execution": {"share": 0.5},
        }
    )
    loaded = store.load(FW)
    assert loaded.plans.quarter(Q4).targets == {"execution": 0.5, "nowhere": 0.1}
    text = "\n".join(loaded.problems)
    assert "'target/2026-Q4/strategy' is skipped: its share 1.5 is not between 0 and 1" in text
    assert "'target/2026-Q9/culture' is skipped" in text
    assert "'nowhere' is for a domain or focus area this framework doesn't have" in text
    raw = orjson.loads((tmp_path / "shared" / "plan" / f"{A}.json").read_bytes())
    assert set(raw["records"]) >= {"target/2026-Q4/strategy", "target/2026-Q9/culture"}
