"""The vocabulary rule remembers what it found in each text; a record then maps as it maps
on a rule that has seen nothing yet, whatever came before it."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from sec_desktop.framework import load_framework
from sec_desktop.framework.vocabulary import Vocabulary
from sec_desktop.interop import ImportedRecord, PhraseRules

FRAMEWORK = load_framework()
# Words of the shipped phrases and labels, their forms, and others.
WORDS = ["board", "boards", "deck", "hiring", "hire", "interview", "incident", "incidents"]
WORDS += ["roadmap", "okr", "1:1", "customer", "success", "metrics", "security", "audit"]
WORDS += ["team", "scaling", "the", "with", "Acme", "CI/CD", "pipeline", "debt", "x"]
texts = st.lists(st.sampled_from(WORDS), max_size=5).map(" ".join)
records = st.builds(
    lambda project, tags, title: ImportedRecord(
        tool="toggl",
        source_id="x",
        start=datetime(2026, 3, 2, 8, tzinfo=UTC),
        end=datetime(2026, 3, 2, 9, tzinfo=UTC),
        zone="Europe/Berlin",
        line=2,
        project=project,
        tags=tuple(tags),
        title=title,
    ),
    texts,
    st.lists(texts, max_size=3),
    texts,
)


def _outcome(rules: PhraseRules, record: ImportedRecord) -> tuple[str | None, str] | None:
    rule = rules.match(record)
    return None if rule is None else (rule.activity, rule.origin)


@settings(max_examples=60, deadline=None)
@given(st.lists(records, min_size=1, max_size=12))
def test_a_record_maps_as_on_a_fresh_rule(batch: list[ImportedRecord]) -> None:
    shared = PhraseRules(FRAMEWORK, Vocabulary())
    for record in batch + batch[::-1]:
        assert _outcome(shared, record) == _outcome(PhraseRules(FRAMEWORK, Vocabulary()), record)
