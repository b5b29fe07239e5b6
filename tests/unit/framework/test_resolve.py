"""Framework.resolve(): from what a user types to one node, or a clear refusal."""

from __future__ import annotations

import pytest

from sec_desktop.framework import AmbiguousActivity, Framework, UnknownActivity, load_framework
from tests.helpers.ids import (
    CI_CD,
    INCIDENT,
    INVESTORS,
    OKR,
    REGULATORY_CHANGES,
    SECURITY,
    SECURITY_TOOLING,
    TEAM_DEVELOPMENT,
    TEAM_SCALING,
)


@pytest.fixture(scope="module")
def fw() -> Framework:
    return load_framework()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("okr", OKR),
        ("OKR", OKR),
        ("  okr  ", OKR),
        ("sec inc", INCIDENT),
        ("SEC  INC", INCIDENT),
        (INCIDENT, INCIDENT),
        ("strategy", "strategy"),
        (SECURITY, SECURITY),
        ("Incident response", INCIDENT),
        ("incident RESPONSE", INCIDENT),
        ("OKR management", OKR),
        # An exact label wins over fragments that would also match others.
        ("Security & Compliance", SECURITY),
        ("security & compliance", SECURITY),
        ("CI/CD", CI_CD),
        ("Team scaling", TEAM_SCALING),
    ],
)
def test_resolves_to_one_node(fw: Framework, query: str, expected: str) -> None:
    assert fw.resolve(query).id == expected


def test_exact_id_is_case_insensitive(fw: Framework) -> None:
    assert fw.resolve(INCIDENT.upper()).id == INCIDENT


def test_ambiguous_fragment_lists_every_candidate(fw: Framework) -> None:
    with pytest.raises(AmbiguousActivity) as info:
        fw.resolve("security")
    assert info.value.query == "security"
    assert {n.id for n in info.value.candidates} == {
        SECURITY,
        SECURITY_TOOLING,
    }


def test_ambiguous_across_domains(fw: Framework) -> None:
    with pytest.raises(AmbiguousActivity) as info:
        fw.resolve("team")
    ids = {n.id for n in info.value.candidates}
    assert TEAM_DEVELOPMENT in ids
    assert TEAM_SCALING in ids
    assert all("team" in fw[i].label.casefold() for i in ids)


@pytest.mark.parametrize("query", ["qwxzzy", "xkcd plover", "", "   "])
def test_gibberish_is_unknown(fw: Framework, query: str) -> None:
    with pytest.raises(UnknownActivity) as info:
        fw.resolve(query)
    assert info.value.query == query
    assert info.value.suggestions == []


def test_typo_gets_a_suggestion(fw: Framework) -> None:
    with pytest.raises(UnknownActivity) as info:
        fw.resolve("incidnet response")
    assert info.value.suggestions, "a near miss should be suggested"
    assert info.value.suggestions[0].id == INCIDENT


def test_typo_in_a_short_label(fw: Framework) -> None:
    with pytest.raises(UnknownActivity) as info:
        fw.resolve("investor relatoins")
    assert info.value.suggestions[0].id == INVESTORS


def test_errors_are_lookup_errors(fw: Framework) -> None:
    """Callers may catch LookupError for both; neither is a KeyError that hides a bug."""
    assert issubclass(AmbiguousActivity, LookupError)
    assert issubclass(UnknownActivity, LookupError)
    assert not issubclass(AmbiguousActivity, KeyError)
    assert not issubclass(UnknownActivity, KeyError)


def test_preset_activity_resolves_only_with_the_preset(fw: Framework) -> None:
    with pytest.raises(UnknownActivity):
        fw.resolve("Navigate regulatory framework changes")
    fintech = fw.with_preset("fintech")
    node = fintech.resolve("regulatory framework")
    assert node.id == REGULATORY_CHANGES
