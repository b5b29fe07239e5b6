"""The hybrid logical clock: total order, never backwards, survives restarts and slow clocks."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sec_desktop.store.hlc import MAX_COUNTER, HybridClock, Stamp, StampError, wall_ms
from tests.helpers.clocks import FakeClock

T0 = datetime(2026, 10, 6, 9, 0, tzinfo=UTC)

devices = st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True)
stamps = st.builds(
    Stamp,
    wall_ms=st.integers(0, 10**15 - 1),
    counter=st.integers(0, MAX_COUNTER),
    device=devices,
)


def test_text_form_round_trips_and_is_fixed_width() -> None:
    stamp = Stamp(1_791_277_200_000, 3, "laptop-a1b2c3")
    assert stamp.text() == "001791277200000.000003.laptop-a1b2c3"
    assert Stamp.parse(stamp.text()) == stamp
    assert str(stamp) == stamp.text()


@pytest.mark.parametrize(
    "text",
    ["", "1.2.dev", "001791277200000.000003.", "001791277200000.000003.Laptop", None, 12],
)
def test_bad_text_is_refused_with_what_it_was(text: object) -> None:
    with pytest.raises(StampError, match="entry e1's note"):
        Stamp.parse(text, "entry e1's note")


def test_bad_parts_are_refused() -> None:
    with pytest.raises(StampError, match="counter"):
        Stamp(0, MAX_COUNTER + 1, "a")
    with pytest.raises(StampError, match="device"):
        Stamp(0, 0, "Not A Slug")
    with pytest.raises(StampError, match="device"):
        HybridClock("", FakeClock(T0))


@given(stamps, stamps)
def test_text_sorts_as_the_stamps_do(a: Stamp, b: Stamp) -> None:
    assert (a < b) == (a.text() < b.text())
    assert (a == b) == (a.text() == b.text())


@given(stamps)
def test_parse_inverts_text(stamp: Stamp) -> None:
    assert Stamp.parse(stamp.text()) == stamp


def test_stamps_follow_the_wall_clock_and_count_within_a_millisecond() -> None:
    clock = HybridClock("a", FakeClock(T0))
    first, second = clock.now(), clock.now()
    assert first.wall == T0 and first.counter == 0
    assert second == Stamp(first.wall_ms, 1, "a")


def test_a_clock_set_back_never_goes_backwards() -> None:
    wall = FakeClock(T0)
    clock = HybridClock("a", wall)
    before = clock.now()
    wall.now = T0 - timedelta(hours=1)
    after = clock.now()
    assert after > before
    assert after.wall_ms == before.wall_ms


def test_observing_a_remote_stamp_puts_later_stamps_after_it() -> None:
    fast = HybridClock("a", FakeClock(T0))
    slow = HybridClock("z", FakeClock(T0 - timedelta(minutes=10)))
    remote = fast.now()
    assert slow.now() < remote  # without observing, the slow device's wall time loses
    slow.observe(remote)
    edit = slow.now()
    assert edit > remote
    # ... by as little as possible: the next counter value of the remote's millisecond.
    assert (edit.wall_ms, edit.counter) == (remote.wall_ms, remote.counter + 1)


def test_a_full_counter_borrows_the_next_millisecond() -> None:
    clock = HybridClock("a", FakeClock(T0))
    clock.observe(Stamp(10**14, MAX_COUNTER, "b"))
    assert clock.now() == Stamp(10**14 + 1, 0, "a")


def test_the_last_stamp_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "device" / "clock.json"
    before = HybridClock("a", FakeClock(T0), state).now()
    # The machine restarts with its clock an hour behind.
    restarted = HybridClock("a", FakeClock(T0 - timedelta(hours=1)), state)
    assert restarted.now() > before


def test_an_unreadable_state_file_is_reported_and_replaced(tmp_path: Path) -> None:
    state = tmp_path / "clock.json"
    state.write_text("{not json")
    clock = HybridClock("a", FakeClock(T0), state)
    stamp = clock.now()
    assert stamp.wall == T0
    assert len(clock.problems) == 1 and str(state) in clock.problems[0]
    assert Stamp.parse(HybridClock("a", FakeClock(T0), state).now().text()) > stamp


def test_processes_sharing_a_state_file_never_repeat_a_stamp(tmp_path: Path) -> None:
    """Two processes of one device (tray app and command line) stamping at the same time,
    with a wall clock that stands still: every stamp is distinct."""
    state = tmp_path / "clock.json"
    script = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from pathlib import Path\n"
        "from sec_desktop.store.hlc import HybridClock\n"
        "clock = HybridClock('a', lambda: datetime(2026, 1, 1, tzinfo=UTC), Path(sys.argv[1]))\n"
        "print('\\n'.join(clock.now().text() for _ in range(40)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(state)], stdout=subprocess.PIPE, text=True, env=env
        )
        for _ in range(2)
    ]
    outputs = []
    try:
        for proc in procs:
            out, _ = proc.communicate(timeout=60)
            assert proc.returncode == 0
            outputs.extend(out.split())
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert len(outputs) == 80
    assert len(set(outputs)) == 80


def test_stamp_at_keeps_the_order_of_microsecond_times() -> None:
    earlier = Stamp.at(T0, "z")
    later = Stamp.at(T0 + timedelta(microseconds=1), "a")
    assert later > earlier
    assert earlier.wall == T0


@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("now"), st.integers(-(10**6), 10**6)),
            st.tuples(st.just("observe"), stamps),
        ),
        max_size=40,
    )
)
def test_every_stamp_is_after_everything_made_or_observed_before(
    steps: list[tuple[str, object]],
) -> None:
    """Whatever the wall clock does and whatever is observed, `now()` strictly increases and
    lies after every observed stamp, and never behind the wall clock."""
    wall = FakeClock(T0)
    clock = HybridClock("me", wall)
    high: tuple[int, int] = (0, -1)
    for kind, value in steps:
        if kind == "observe":
            assert isinstance(value, Stamp)
            if value.wall_ms >= 10**15 - 2:
                continue  # no room left after it
            clock.observe(value)
            high = max(high, (value.wall_ms, value.counter))
        else:
            assert isinstance(value, int)
            wall.now = T0 + timedelta(milliseconds=value)
            stamp = clock.now()
            assert (stamp.wall_ms, stamp.counter) > high
            assert stamp.wall_ms >= wall_ms(wall.now)  # never behind the wall clock
            high = (stamp.wall_ms, stamp.counter)


@given(st.lists(stamps, min_size=1, max_size=20), st.randoms())
def test_the_order_is_total_and_independent_of_arrival(batch: list[Stamp], rng: object) -> None:
    shuffled = list(batch)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert max(shuffled) == max(batch)
    assert sorted(shuffled) == sorted(batch)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_the_state_file_and_its_lock_are_private(tmp_path: Path) -> None:
    state = tmp_path / "clock.json"
    HybridClock("a", FakeClock(T0), state).now()
    for path in (state, tmp_path / "clock.json.lock"):
        assert path.stat().st_mode & 0o777 == 0o600, path
