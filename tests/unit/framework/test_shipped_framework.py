"""The shipped SEC v2 framework against the framework document it is taken from."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from sec_desktop.framework import Framework, Level, load_framework
from tests.helpers.ids import CI_CD, INCIDENT, OKR, TECH_PLANNING

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def slugify(label: str) -> str:
    """The id segment a label gets: lower case, & spelt out, every other run of symbols a dash."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower().replace("&", " and ")).strip("-")


@pytest.fixture(scope="module")
def fw() -> Framework:
    return load_framework()


def test_level_counts(fw: Framework) -> None:
    assert [d.label for d in fw.domains] == ["Strategy", "Execution", "Culture"]
    assert len(fw.of_level(Level.DOMAIN)) == 3
    assert len(fw.of_level(Level.FOCUS_AREA)) == 10
    assert len(fw.of_level(Level.ACTIVITY)) == 36
    per_domain = Counter(fw.at_level(n.id, Level.DOMAIN).id for n in fw.of_level(Level.ACTIVITY))
    assert per_domain == {"strategy": 12, "execution": 16, "culture": 8}
    assert fw.active_preset is None
    assert not any(n.preset for n in fw.nodes.values())


def test_domains_match_level_1_of_the_document(fw: Framework, document) -> None:
    assert {d.label: d.description for d in fw.domains} == document.domains


def test_focus_areas_match_level_2_of_the_document(fw: Framework, document) -> None:
    shipped = {d.label: {fa.label: fa.description for fa in fw.children(d.id)} for d in fw.domains}
    assert shipped == document.focus_areas
    assert sum(len(v) for v in document.focus_areas.values()) == 10


def test_activities_match_level_3_lists_of_the_document(fw: Framework, document) -> None:
    shipped = {
        (d.label, fa.label): {a.label for a in fw.children(fa.id)}
        for d in fw.domains
        for fa in fw.children(d.id)
    }
    expected = {key: set(labels) for key, labels in document.activities.items()}
    # Compare focus area by focus area first, so a failure names the one that differs.
    assert set(shipped) == set(expected)
    for key, labels in expected.items():
        assert shipped[key] == labels, f"activities of {'.'.join(key)} differ"
    # The lists have no duplicates, and the shipped order is the document's order.
    for d in fw.domains:
        for fa in fw.children(d.id):
            labels = document.activities[(d.label, fa.label)]
            assert len(labels) == len(set(labels))
            assert [a.label for a in fw.children(fa.id)] == labels


def test_enumerated_counts_per_domain_match_the_document(fw: Framework, document) -> None:
    enumerated = Counter()
    for (domain, _), labels in document.activities.items():
        enumerated[domain] += len(labels)
    assert enumerated == {"Strategy": 12, "Execution": 16, "Culture": 8}
    assert fw.counts is not None
    by_id = {d.label: d.id for d in fw.domains}
    assert {by_id[k]: v for k, v in enumerated.items()} == {
        k: v for k, v in fw.counts.enumerated.items() if k != "total"
    }
    assert fw.counts.enumerated["total"] == sum(enumerated.values()) == 36


def test_stated_counts_are_the_documents_headline(fw: Framework, document) -> None:
    assert fw.counts is not None
    assert document.stated == {"Strategy": 16, "Execution": 18, "Culture": 8}
    assert document.stated_total == (10, 42)
    by_id = {d.label: d.id for d in fw.domains}
    assert dict(fw.counts.stated) == {
        **{by_id[k]: v for k, v in document.stated.items()},
        "total": document.stated_total[1],
    }
    assert dict(fw.counts.stated) == {"strategy": 16, "execution": 18, "culture": 8, "total": 42}
    # The note explains the gap between the two.
    assert "42" in fw.counts.note
    assert "36" in fw.counts.note


def test_ids_are_unique(fw: Framework) -> None:
    ids = [n.id for n in fw.walk()]
    assert len(ids) == len(set(ids)) == 49
    assert ids == list(fw.nodes)


def test_ids_are_slug_paths_with_their_parents_id_as_prefix(fw: Framework) -> None:
    for node in fw.walk():
        segments = node.id.split(".")
        assert len(segments) == node.level.value, node.id
        assert all(SLUG.match(s) for s in segments), node.id
        if node.parent_id is None:
            assert node.level is Level.DOMAIN
        else:
            assert node.id.startswith(node.parent_id + "."), node.id
            assert fw[node.parent_id].level.value == node.level.value - 1


def test_ids_are_the_slugs_of_the_documents_labels(fw: Framework, document) -> None:
    """Ids are stable: derived from the document's labels, so they change only if it does."""
    expected = set()
    for (domain, focus), labels in document.activities.items():
        d_id = slugify(domain)
        f_id = f"{d_id}.{slugify(focus)}"
        expected |= {d_id, f_id} | {f"{f_id}.{slugify(label)}" for label in labels}
    assert set(fw.nodes) == expected
    # Spot checks of ids that stored entries depend on.
    assert OKR in fw
    assert INCIDENT in fw
    assert CI_CD in fw
    assert "culture.personal-development.cto-peer-engagement" in fw


def test_labels_are_distinct_from_ids(fw: Framework) -> None:
    for node in fw.walk():
        assert node.label.strip() == node.label
        assert node.label != node.id
        # Below the domains an id is a path, never the label itself in any spelling.
        if node.level is not Level.DOMAIN:
            assert node.label.casefold() not in node.id.casefold()


def test_labels_are_unique_among_siblings(fw: Framework) -> None:
    for parent in [None, *(n.id for n in fw.walk())]:
        labels = [c.label.casefold() for c in fw.children(parent)]
        assert len(labels) == len(set(labels)), parent


def test_navigation(fw: Framework) -> None:
    assert [n.id for n in fw.ancestors(OKR)] == [
        OKR,
        TECH_PLANNING,
        "strategy",
    ]
    assert fw.at_level(OKR, Level.FOCUS_AREA).id == TECH_PLANNING
    assert fw.at_level("strategy", Level.ACTIVITY) is None
    assert fw.path_label(OKR) == "Strategy > Technology Planning > OKR management"
    assert [n.label for n in fw.children("culture")] == [
        "Team Development",
        "Personal Development",
    ]


def test_the_shipped_file_passes_its_schema() -> None:
    # At start the app skips the schema for the shipped file; this is where it is checked.
    import json

    from sec_desktop.framework.loader import DEFAULT_FRAMEWORK, _check_schema, _resource_text

    _check_schema(json.loads(_resource_text(DEFAULT_FRAMEWORK)), "shipped")
