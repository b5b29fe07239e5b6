"""An activity the user hides keeps its history but is never offered by the picker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sec_desktop.framework import load_framework
from sec_desktop.framework.customization import Customization, apply_customization
from sec_desktop.framework.search import ActivitySearch
from sec_desktop.reminders.ranking import UsageRanking
from tests.helpers.entries import make_entry
from tests.helpers.ids import OKR

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def hidden_okr():
    base = load_framework()
    return apply_customization(base, Customization().set_hidden(base, OKR, True))


def test_search_leaves_hidden_activities_out() -> None:
    framework = hidden_okr()
    assert framework[OKR].hidden
    hits = [hit.node.id for hit in ActivitySearch(framework).search("okr")]
    assert OKR not in hits
    shown = [hit.node.id for hit in ActivitySearch(load_framework()).search("okr")]
    assert shown[0] == OKR  # the same query finds it while it is visible


def test_ranking_never_offers_a_hidden_activity_even_if_used() -> None:
    framework = hidden_okr()
    used = [
        make_entry(end=NOW - timedelta(hours=h), minutes=60, tz="UTC", source="prompt", now=NOW)
        for h in range(5)
    ]
    ranking = UsageRanking(framework, used, now=NOW)
    assert OKR not in ranking.top(9)
    assert OKR not in UsageRanking(framework, now=NOW).top(40)
