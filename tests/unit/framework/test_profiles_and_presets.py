"""Benchmark profiles and industry presets, checked against the framework document."""

from __future__ import annotations

import re

import pytest

from sec_desktop.framework import Framework, FrameworkError, Level, load_framework
from tests.helpers.ids import PERSONAL, SECURITY

PROFILES = ("default", "early-stage", "mature")


@pytest.fixture(scope="module")
def fw() -> Framework:
    return load_framework()


def _bands(fw: Framework, profile: str) -> dict[str, tuple[float, float]]:
    return {k: (b.low, b.high) for k, b in fw.profiles[profile].bands.items()}


def test_profiles_are_the_three_expected(fw: Framework) -> None:
    assert tuple(fw.profiles) == PROFILES


def test_default_profile_bands_as_fractions(fw: Framework) -> None:
    assert _bands(fw, "default") == {
        "strategy": pytest.approx((0.20, 0.35)),
        "execution": pytest.approx((0.40, 0.60)),
        "culture": pytest.approx((0.15, 0.25)),
        SECURITY: pytest.approx((0.15, 0.25)),
        PERSONAL: pytest.approx((0.07, 0.12)),
    }


@pytest.mark.parametrize("profile", PROFILES)
def test_focus_area_bands_are_in_every_profile(fw: Framework, profile: str) -> None:
    bands = _bands(fw, profile)
    assert bands[SECURITY] == pytest.approx((0.15, 0.25))
    assert bands[PERSONAL] == pytest.approx((0.07, 0.12))
    # Bands sit on domains and focus areas only, and only on those with a stated range.
    assert set(bands) == {"strategy", "execution", "culture", SECURITY, PERSONAL}
    for node_id, (low, high) in bands.items():
        assert fw[node_id].level in (Level.DOMAIN, Level.FOCUS_AREA)
        assert 0 <= low <= high <= 1


def test_stage_profiles_split_each_domain_span_at_its_midpoint(fw: Framework) -> None:
    early, mature = _bands(fw, "early-stage"), _bands(fw, "mature")
    # Strategy grows 20% -> 35%: early stage is the low half.
    assert early["strategy"] == pytest.approx((0.20, 0.275))
    assert mature["strategy"] == pytest.approx((0.275, 0.35))
    # Execution shrinks 60% -> 40%: early stage is the 60% end.
    assert early["execution"] == pytest.approx((0.50, 0.60))
    assert mature["execution"] == pytest.approx((0.40, 0.50))
    # Culture grows 15% -> 25%.
    assert early["culture"] == pytest.approx((0.15, 0.20))
    assert mature["culture"] == pytest.approx((0.20, 0.25))


def test_domain_bands_follow_the_documents_role_evolution(fw: Framework, document) -> None:
    """Each profile's domain band, recomputed from the document's "(A% → B%)" bullets."""
    assert set(document.role_evolution) == {"Strategy", "Execution", "Culture"}
    for domain in fw.domains:
        start, end = (v / 100 for v in document.role_evolution[domain.label])
        mid = (start + end) / 2
        expected = {
            "default": (min(start, end), max(start, end)),
            "early-stage": (min(start, mid), max(start, mid)),
            "mature": (min(mid, end), max(mid, end)),
        }
        for profile, band in expected.items():
            got = fw.profiles[profile].bands[domain.id]
            assert (got.low, got.high) == pytest.approx(band), (profile, domain.id)


def test_focus_area_bands_follow_the_documents_percentages(fw: Framework, document) -> None:
    for node_id in (SECURITY, PERSONAL):
        band = fw.profiles["default"].bands[node_id]
        # The section the band cites is about this focus area, and states the range.
        assert band.section.startswith(fw[node_id].label)
        found = re.search(r"(\d+)-(\d+)% of time", document.section(band.section))
        assert found, band.section
        low, high = int(found.group(1)) / 100, int(found.group(2)) / 100
        for profile in PROFILES:
            got = fw.profiles[profile].bands[node_id]
            assert (got.low, got.high) == pytest.approx((low, high))


@pytest.mark.parametrize("profile", PROFILES)
def test_band_sources_are_sentences_of_the_document(fw: Framework, document, profile: str) -> None:
    for node_id, band in fw.profiles[profile].bands.items():
        assert band.source, node_id
        # The sentence sits in the section the band names, word for word.
        assert band.section, node_id
        assert band.source in document.section(band.section), (profile, node_id)
        # Its numbers are the ones the band spans (the stage profiles use half the span).
        numbers = {
            float(n) for pair in re.findall(r"(\d+)(?:-(\d+))?%", band.source) for n in pair if n
        }
        assert len(numbers) == 2, band.source
        span = (min(numbers) / 100, max(numbers) / 100)
        assert span[0] - 1e-9 <= band.low <= band.high <= span[1] + 1e-9, (profile, node_id)
        if profile == "default":
            assert (band.low, band.high) == pytest.approx(span), node_id


def test_band_sources_key_phrases(document) -> None:
    """The phrases the bands rest on, literally in the document."""
    for phrase in (
        "(20% → 35%)",
        "(60% → 40%)",
        "(15% → 25%)",
        "security should be 15-25% of time allocation",
        "invest 7-12% of time in their own growth",
    ):
        assert phrase in document.plain, phrase


def test_presets_are_the_documents_three_examples(fw: Framework, document) -> None:
    assert set(fw.presets) == {"healthcare", "fintech", "saas"}
    assert {name.casefold() for name in document.presets} == set(fw.presets)


@pytest.mark.parametrize("preset", ["healthcare", "fintech", "saas"])
def test_with_preset_adds_the_documents_example_activity(
    fw: Framework, document, preset: str
) -> None:
    (name,) = [n for n in document.presets if n.casefold() == preset]
    domain_label, focus_label, activity_label = document.presets[name]
    (domain,) = [d for d in fw.domains if d.label == domain_label]
    (focus,) = [f for f in fw.children(domain.id) if f.label == focus_label]

    with_it = fw.with_preset(preset)

    assert with_it.active_preset == preset
    added = [n for n in with_it.nodes.values() if n.id not in fw.nodes]
    assert len(added) == 1
    (node,) = added
    assert node.label == activity_label
    assert node.parent_id == focus.id
    assert node.level is Level.ACTIVITY
    assert node.preset == preset
    assert node.id.startswith(focus.id + ".")
    # Nothing else changed, and the new activity comes last among its siblings.
    assert all(with_it.nodes[k] == v for k, v in fw.nodes.items())
    assert [c.id for c in with_it.children(focus.id)] == [
        *(c.id for c in fw.children(focus.id)),
        node.id,
    ]
    assert [n.id for n in with_it.walk()].index(node.id) == [n.id for n in with_it.walk()].index(
        fw.children(focus.id)[-1].id
    ) + 1
    # It resolves by its label like any other activity.
    assert with_it.resolve(activity_label) == node
    # The preset's stated source quotes the document.
    assert f'"{activity_label}"' in fw.presets[preset].source
    assert fw.presets[preset].source in document.plain


def test_switching_presets_replaces_the_previous_ones_activities(fw: Framework) -> None:
    both = fw.with_preset("healthcare").with_preset("fintech")
    extra = [n for n in both.nodes.values() if n.preset]
    assert [n.preset for n in extra] == ["fintech"]
    assert len(both.of_level(Level.ACTIVITY)) == 37


def test_with_preset_none_is_the_framework_itself(fw: Framework) -> None:
    assert fw.with_preset(None) is fw


def test_unknown_preset_raises(fw: Framework) -> None:
    with pytest.raises(KeyError, match="unknown industry preset 'retail'"):
        fw.with_preset("retail")
    with pytest.raises(FrameworkError, match="retail"):
        load_framework(preset="retail")


def test_load_framework_with_a_preset(fw: Framework) -> None:
    loaded = load_framework(preset="saas")
    assert loaded.active_preset == "saas"
    assert "execution.data-and-infrastructure.optimize-cloud-infrastructure-resilience" in loaded
    assert len(loaded.of_level(Level.ACTIVITY)) == 37
