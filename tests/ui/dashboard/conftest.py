"""A store of generated working weeks and a dashboard window over it, with a fixed clock.

The generator is seeded: weekdays 09:00 to about 17:30 in Europe/Berlin, back to back entries
whose domain mix drifts week by week, some tagged only at focus-area or domain level, some
answers to random pings, so every part of the dashboard has something to show.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sec_desktop.analytics import Period
from sec_desktop.analytics.coverage import default_working_intervals
from sec_desktop.analytics.dashboard import DashboardData, dashboard_data, dashboard_span
from sec_desktop.framework import Framework, load_framework
from sec_desktop.store import Entry, EntryStore

TZ = ZoneInfo("Europe/Berlin")
# Thursday 19 March 2026, 16:00 in Berlin.
NOW = datetime(2026, 3, 19, 15, 0, tzinfo=UTC)
DEVICE = "test-laptop"
SEED = 4242
WEEKS = 20
DURATIONS_MIN = (15, 30, 30, 45, 60, 60, 90)
SOURCES = ("calendar", "timer", "manual", "prompt", "ping")
SOURCE_WEIGHTS = (4, 2, 1, 2, 2)


def _pick_activity(framework: Framework, rng: random.Random, week: int) -> str:
    # Strategy fades and Execution grows over the weeks, so the trend has a shape.
    drift = week / max(1, WEEKS - 1)
    domain_weights = {"strategy": 0.30 - 0.12 * drift, "execution": 0.50 + 0.12 * drift}
    domain_weights["culture"] = 1.0 - sum(domain_weights.values())
    domain_id = rng.choices(list(domain_weights), list(domain_weights.values()))[0]
    focus_areas = framework.children(domain_id)
    weights = [2.5 if "security" in f.id else 1.0 for f in focus_areas]
    focus = rng.choices(focus_areas, weights)[0]
    roll = rng.random()
    if roll < 0.03:
        return domain_id
    if roll < 0.12:
        return focus.id
    return rng.choice(framework.children(focus.id)).id


def generate_entries(
    framework: Framework,
    last_day: date,
    *,
    weeks: int = WEEKS,
    seed: int = SEED,
    device: str = DEVICE,
) -> list[Entry]:
    """Back-to-back entries on the weekdays of `weeks` weeks up to `last_day`."""
    rng = random.Random(seed)
    first_day = last_day - timedelta(weeks=weeks) + timedelta(days=1)
    entries: list[Entry] = []
    day = first_day
    while day <= last_day:
        week = (day - first_day).days // 7
        if day.weekday() < 5:
            clock = datetime.combine(day, time(9, 0), tzinfo=TZ)
            end_of_day = datetime.combine(day, time(17, 30), tzinfo=TZ)
            while clock < end_of_day:
                minutes = rng.choice(DURATIONS_MIN)
                end = min(clock + timedelta(minutes=minutes), end_of_day)
                stamp = end.astimezone(UTC)
                entries.append(
                    Entry(
                        id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        start=clock.astimezone(UTC),
                        end=stamp,
                        tz=TZ.key,
                        activity=_pick_activity(framework, rng, week),
                        source=rng.choices(SOURCES, SOURCE_WEIGHTS)[0],
                        device=device,
                        created=stamp,
                        updated=stamp,
                        note="Weekly sync" if rng.random() < 0.05 else None,
                    )
                )
                clock = end
        day += timedelta(days=1)
    return entries


@pytest.fixture(scope="session")
def framework() -> Framework:
    return load_framework()


@pytest.fixture
def now() -> Callable[[], datetime]:
    return lambda: NOW


@pytest.fixture
def filled_store(isolated_dirs: dict[str, Path], framework: Framework) -> Iterator[EntryStore]:
    store = EntryStore(isolated_dirs["data"], DEVICE, clock=lambda: NOW)
    store.add_many(generate_entries(framework, NOW.astimezone(TZ).date() - timedelta(days=1)))
    yield store
    store.close()


@pytest.fixture
def make_window(
    qtbot: Any,
    isolated_dirs: dict[str, Path],
    framework: Framework,
    filled_store: EntryStore,
) -> Iterator[Callable[..., Any]]:
    """Build a DashboardWindow over the filled store; it is shut down after the test."""
    from sec_desktop.ui.dashboard.window import DashboardWindow

    made: list[DashboardWindow] = []

    def make(**kwargs: Any) -> DashboardWindow:
        window = DashboardWindow(
            framework,
            filled_store,
            isolated_dirs["data"],
            isolated_dirs["config"],
            TZ,
            now=lambda: NOW,
            **kwargs,
        )
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.shutdown()


VIEW_TIMEOUT_MS = 20_000


@pytest.fixture
def shown(qtbot: Any) -> Callable[[Any, Callable[[], object]], None]:
    """`shown(window, action)`: run a period, profile or data change, wait for its view."""

    def run(window: Any, action: Callable[[], object]) -> None:
        with qtbot.waitSignal(window.viewShown, timeout=VIEW_TIMEOUT_MS):
            action()

    return run


@pytest.fixture
def expected(filled_store: EntryStore, framework: Framework) -> Callable[..., DashboardData]:
    """`expected(period, profile_id)`: what the core computes, independently of the window."""

    def compute(period: Period, profile_id: str = "default") -> DashboardData:
        entries = filled_store.entries(*dashboard_span(period))
        return dashboard_data(
            entries,
            framework,
            period,
            framework.profiles[profile_id],
            default_working_intervals(period),
            now=NOW,  # the window's clock: working hours after it don't count yet
        )

    return compute
