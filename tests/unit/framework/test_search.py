"""Fuzzy search over the SEC hierarchy: what the picker's search box finds, and in what order."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sec_desktop.framework import Framework, Level, load_framework
from sec_desktop.framework.search import (
    TIER_ALL_WORDS,
    TIER_BASE,
    ActivitySearch,
    near_prefix,
    tokens,
)
from sec_desktop.framework.vocabulary import Vocabulary
from tests.helpers.ids import (
    CI_CD,
    DEBT,
    INCIDENT,
    OKR,
    REGULATORY,
    REGULATORY_CHANGES,
    SECURITY,
    SECURITY_TOOLING,
    STANDUP,
    TALENT,
    TEAM_SCALING,
    TECH_PLANNING,
    TRAINING,
)

PERFORMANCE = "culture.team-development.performance-management"


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


@pytest.fixture(scope="module")
def search(framework: Framework) -> ActivitySearch:
    return ActivitySearch(framework)


def first(search: ActivitySearch, query: str) -> str:
    hits = search.search(query)
    assert hits, f"{query!r} found nothing"
    return hits[0].node.id


def test_okr_finds_okr_management_first(search: ActivitySearch, framework: Framework) -> None:
    assert first(search, "okr") == OKR
    assert framework.path_label(OKR) == "Strategy > Technology Planning > OKR management"


def test_words_match_across_the_path(search: ActivitySearch) -> None:
    # "sec" is the focus area, "inc" the activity: only Incident response has both.
    hits = search.search("sec inc")
    assert hits[0].node.id == INCIDENT
    # The rest match only some of the words: a tier below.
    assert all(h.score < TIER_BASE[TIER_ALL_WORDS] for h in hits[1:])


def test_case_and_spacing_do_not_matter(search: ActivitySearch) -> None:
    assert first(search, "  OKR  ") == OKR
    assert first(search, "Sec   INC") == INCIDENT


@pytest.mark.parametrize("query", ["", "   ", "\t", "-/-"])
def test_an_empty_query_matches_nothing(search: ActivitySearch, query: str) -> None:
    assert search.search(query) == []


@pytest.mark.parametrize("query", ["xyzzy", "qqqq", "zebra xyzzy"])
def test_words_nothing_speaks_for_match_nothing(search: ActivitySearch, query: str) -> None:
    assert search.search(query) == []


@pytest.mark.parametrize(("query", "expected"), [("okr xyzzy", OKR), ("zebra incident", INCIDENT)])
def test_a_word_nothing_speaks_for_ranks_the_rest_as_a_partial_match(
    search: ActivitySearch, query: str, expected: str
) -> None:
    hits = search.search(query)
    assert hits[0].node.id == expected
    assert hits[0].score < TIER_BASE[TIER_ALL_WORDS]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("incidnet", INCIDENT),  # two letters swapped
        ("incdent", INCIDENT),  # a letter missing
        ("peformance managment", PERFORMANCE),
        ("talent aquisition", TALENT),
        ("stratgey", "strategy"),
    ],
)
def test_misspellings_still_find_the_activity(
    search: ActivitySearch, query: str, expected: str
) -> None:
    assert first(search, query) == expected


def test_a_misspelling_scores_below_a_correct_prefix(search: ActivitySearch) -> None:
    right = search.search("incident")[0]
    wrong = search.search("incidnet")[0]
    assert right.node.id == wrong.node.id == INCIDENT
    assert wrong.score < right.score


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tdr", DEBT),
        ("cicd", CI_CD),
        ("ci/cd", CI_CD),
        ("okrman", OKR),
        ("mgmt okr", OKR),
    ],
)
def test_acronyms_run_together_words_and_letters_in_order(
    search: ActivitySearch, query: str, expected: str
) -> None:
    assert first(search, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hiring", TALENT),
        ("standup", STANDUP),
        ("1on1", PERFORMANCE),
        ("postmortem", INCIDENT),
        ("soc2", REGULATORY),
        ("tech debt", DEBT),
    ],
)
def test_synonyms_a_cto_types(search: ActivitySearch, query: str, expected: str) -> None:
    assert first(search, query) == expected


def test_phrases_for_ids_the_framework_lacks_are_ignored(framework: Framework) -> None:
    vocabulary = Vocabulary(shipped={"no.such.activity": ("zebra",), OKR: ("goals",)})
    search = ActivitySearch(framework, vocabulary)
    assert search.search("zebra") == []
    assert first(search, "goals") == OKR


@pytest.mark.parametrize(
    ("query", "expected", "level"),
    [
        ("culture", "culture", Level.DOMAIN),
        ("security compliance", SECURITY, Level.FOCUS_AREA),
        ("technology planning", TECH_PLANNING, Level.FOCUS_AREA),
    ],
)
def test_domains_and_focus_areas_are_pickable(
    search: ActivitySearch, framework: Framework, query: str, expected: str, level: Level
) -> None:
    assert first(search, query) == expected
    assert framework[expected].level is level


def test_an_exact_id_comes_first(search: ActivitySearch) -> None:
    assert first(search, INCIDENT) == INCIDENT


def test_every_node_is_found_first_by_its_own_label(
    search: ActivitySearch, framework: Framework
) -> None:
    missed = [n.label for n in framework.walk() if first(search, n.label) != n.id]
    assert missed == []


def test_preset_activities_are_searchable(framework: Framework) -> None:
    with_preset = framework.with_preset("fintech")
    search = ActivitySearch(with_preset)
    assert first(search, "navigate regulatory") == REGULATORY_CHANGES


def test_usage_breaks_ties_in_match_quality(search: ActivitySearch, framework: Framework) -> None:
    plain = [h.node.id for h in search.search("team")]
    # Without usage, equal matches keep document order: Team scaling (under Execution) comes
    # before Team Development and its activities (under Culture).
    assert plain[0] == TEAM_SCALING
    used = {TRAINING: 0.9}
    ranked = [h.node.id for h in search.search("team", usage=lambda i: used.get(i, 0.0))]
    assert ranked[0] == TRAINING
    assert sorted(ranked) == sorted(plain)


def test_usage_never_beats_a_better_match(search: ActivitySearch) -> None:
    # Security tooling is used a lot, but "incident" matches Incident response's own label.
    usage = {SECURITY_TOOLING: 100.0}
    hits = search.search("incident", usage=lambda i: usage.get(i, 0.0))
    assert hits[0].node.id == INCIDENT


def test_limit_cuts_the_list(search: ActivitySearch) -> None:
    assert len(search.search("s", limit=9)) == 9
    assert len(search.search("s")) > 9


def test_tokens_split_on_punctuation() -> None:
    assert tokens("CI/CD management") == ("ci", "cd", "management")
    assert tokens("Business-tech alignment") == ("business", "tech", "alignment")
    assert tokens("Security & Compliance") == ("security", "compliance")


@pytest.mark.parametrize(
    ("word", "token", "limit", "expected"),
    [
        ("incidnet", "incident", 1, True),  # a swap is one edit
        ("incdent", "incident", 1, True),
        ("inxxdent", "incident", 1, False),
        ("inxxdent", "incident", 2, True),
        ("mangem", "management", 1, True),  # a beginning of the word, one letter swapped
        ("incident", "incident", 0, False),  # no typos allowed: not a near miss
        ("abcd", "xyz", 1, False),
    ],
)
def test_near_prefix(word: str, token: str, limit: int, expected: bool) -> None:
    assert near_prefix(word, token, limit) is expected


@functools.cache
def shared_search() -> ActivitySearch:
    return ActivitySearch(load_framework())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdefghiklmnoprstuy &/-1", max_size=24))
def test_any_query_gives_a_well_formed_ranking(query: str) -> None:
    hits = shared_search().search(query)
    scores = [h.score for h in hits]
    assert all(s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert len({h.node.id for h in hits}) == len(hits)


def test_a_lone_letter_beside_nonsense_matches_nothing() -> None:
    """Found by the audit: any word plus "c" booked Investor relations from the CLI."""
    search = ActivitySearch(load_framework())
    assert search.search("zzqx c") == []
    assert search.search("qq c") == []
    assert search.search("c")  # alone, a letter still lists what it begins
