"""Mapping rules: order, fields, skip, formats, and errors that name the rule and line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sec_desktop.framework import Framework
from sec_desktop.interop import (
    FORMATS,
    ImportedRecord,
    RuleError,
    RuleSet,
    default_rules,
    load_rules,
)
from tests.helpers.ids import BOARD, CUSTOMER, INCIDENT, OKR, TALENT

PERFORMANCE = "culture.team-development.performance-management"


def record(**fields) -> ImportedRecord:
    base = {
        "tool": "toggl",
        "source_id": "x",
        "start": datetime(2026, 3, 2, 8, tzinfo=UTC),
        "end": datetime(2026, 3, 2, 9, tzinfo=UTC),
        "zone": "Europe/Berlin",
        "line": 2,
    }
    return ImportedRecord(**(base | fields))


@pytest.fixture
def defaults(framework: Framework) -> RuleSet:
    return RuleSet(default_rules(framework, FORMATS))


@pytest.mark.parametrize(
    ("fields", "activity"),
    [
        ({"title": "Board meeting Q1"}, BOARD),
        ({"project": "BOARD"}, BOARD),
        ({"tags": ("planning", "board")}, BOARD),
        ({"title": "1:1 with Jürgen"}, PERFORMANCE),
        ({"description": "pager went off: outage in eu-west"}, INCIDENT),
        ({"title": "Incident review"}, INCIDENT),
        ({"task": "Interview: backend candidate"}, TALENT),
        ({"title": "Draft OKRs"}, OKR),
    ],
)
def test_shipped_rules_map_the_issue_examples(defaults: RuleSet, fields, activity) -> None:
    rule = defaults.match(record(**fields))
    assert rule is not None
    assert rule.activity == activity


@pytest.mark.parametrize(
    "fields",
    [{"title": "Errands for the flat"}, {"project": "Dashboard"}, {"title": "Lunch"}, {}],
)
def test_shipped_rules_do_not_guess(defaults: RuleSet, fields) -> None:
    assert defaults.match(record(**fields)) is None


def test_tagtime_markers_are_skipped_only_for_tagtime(defaults: RuleSet) -> None:
    skipped = defaults.match(record(tool="tagtime", tags=("off",)))
    assert skipped is not None
    assert skipped.skip
    assert defaults.match(record(tool="toggl", tags=("off",))) is None


def test_the_first_matching_rule_wins_and_fields_limit_it(framework, tmp_path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        "[[rule]]\n"
        "pattern = 'acme'\n"
        'fields = ["project"]\n'
        'activity = "execution.business-operations.customer-success-metrics"\n'
        "\n[[rule]]\n"
        "pattern = 'acme|board'\n"
        'activity = "Board communications"\n',
        encoding="utf-8",
    )
    rules = RuleSet(load_rules(path, framework))
    project = rules.match(record(project="ACME GmbH"))
    title = rules.match(record(title="acme board prep"))
    assert project is not None
    assert project.activity == CUSTOMER
    assert title is not None
    assert title.activity == BOARD  # a label is resolved to its id
    assert title.origin == f"{path}, rule 2 (line 6)"


def test_json_rules_with_line_numbers(framework, tmp_path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(
        '{"rules": [\n  {"pattern": "x", "activity": "okr"},\n'
        '  {"pattern": "(", "activity": "okr"}\n]}\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match=r"rule 2 \(line 3\): pattern '\(' is not a regular"):
        load_rules(path, framework)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "[[rule]]\npattern = 'x'\nactivity = 'no such thing'\n",
            "rule 1 (line 1): activity 'no such thing'",
        ),
        (
            "[[rule]]\npattern = 'x'\nactivity = 'okr'\n\n[[rule]]\npattern = 'y'\n",
            "rule 2 (line 5): the rule needs an activity",
        ),
        ("[[rule]]\npattern = 'x'\nactivity = 'okr'\nskip = true\n", "either activity or skip"),
        ("[[rule]]\npatern = 'x'\nactivity = 'okr'\n", "unknown key 'patern'"),
        (
            "[[rule]]\npattern = 'x'\nactivity = 'okr'\nfields = ['summary']\n",
            "fields has 'summary'",
        ),
        (
            "[[rule]]\npattern = 'x'\nactivity = 'okr'\nformats = ['harvest']\n",
            "formats has 'harvest'",
        ),
        ("[[rule]]\npattern = ''\nactivity = 'okr'\n", "pattern must be a non-empty"),
        ("[[rule]\npattern = 'x'\n", "not valid TOML"),
        ("pattern = 'x'\n", "unknown top-level key 'pattern'"),
    ],
)
def test_rule_errors_name_the_rule(framework, tmp_path, body: str, message: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rules(path, framework, FORMATS)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_a_missing_rules_file(framework, tmp_path) -> None:
    with pytest.raises(RuleError, match="does not exist"):
        load_rules(tmp_path / "nope.toml", framework)
