"""`sec-desktop framework`: the tree with ids, as text and as JSON."""

from __future__ import annotations

import json

from sec_desktop.framework import Level, load_framework
from tests.helpers.ids import OKR, REGULATORY_CHANGES


def test_text_lists_every_id_and_label(cli) -> None:
    result = cli("framework")
    assert result.code == 0
    assert result.err == ""
    fw = load_framework()
    lines = result.out.splitlines()
    assert lines[0] == "SEC Framework 2.0: 3 domains, 10 focus areas, 36 activities"
    for node in fw.walk():
        indent = "  " * (node.level.value - 1)
        assert f"{indent}{node.label}  [{node.id}]" in lines, node.id
    # The headline/list gap is explained, and the profiles are listed with their bands.
    assert any(line.startswith("Note: ") and "42" in line and "36" in line for line in lines)
    assert "  default: Full range. Strategy 20-35%, Execution 40-60%, Culture 15-25%, " in (
        result.out
    )
    assert "Security & Compliance 15-25%, Personal Development 7-12%" in result.out
    assert "  early-stage: Early stage. Strategy 20-27.5%, Execution 50-60%" in result.out


def test_json_parses_with_three_domains_and_the_counts_note(cli) -> None:
    result = cli("framework", "--format", "json")
    assert result.code == 0
    doc = json.loads(result.out)
    assert doc["id"] == "sec-v2"
    assert doc["preset"] is None
    assert [d["id"] for d in doc["domains"]] == ["strategy", "execution", "culture"]
    assert [len(d["focus_areas"]) for d in doc["domains"]] == [4, 4, 2]
    assert [sum(len(fa["activities"]) for fa in d["focus_areas"]) for d in doc["domains"]] == [
        12,
        16,
        8,
    ]
    assert doc["counts"]["stated"]["total"] == 42
    assert doc["counts"]["enumerated"]["total"] == 36
    assert "42" in doc["counts"]["note"]
    assert "36" in doc["counts"]["note"]
    ids = {
        node["id"]
        for d in doc["domains"]
        for node in [
            d,
            *d["focus_areas"],
            *(a for fa in d["focus_areas"] for a in fa["activities"]),
        ]
    }
    assert ids == set(load_framework().nodes)
    okr = doc["domains"][0]["focus_areas"][0]["activities"][2]
    assert okr == {
        "id": OKR,
        "label": "OKR management",
        "level": "activity",
    }
    assert [p["id"] for p in doc["profiles"]] == ["default", "early-stage", "mature"]
    assert doc["profiles"][0]["bands"]["execution"]["low"] == 0.4
    assert {p["id"] for p in doc["presets"]} == {"healthcare", "fintech", "saas"}


def test_preset_adds_its_activity(cli) -> None:
    result = cli("--preset", "fintech", "framework", "--format", "json")
    assert result.code == 0
    doc = json.loads(result.out)
    assert doc["preset"] == "fintech"
    market = doc["domains"][0]["focus_areas"][1]
    assert market["activities"][-1] == {
        "id": REGULATORY_CHANGES,
        "label": "Navigate regulatory framework changes",
        "level": "activity",
        "preset": "fintech",
    }
    text = cli("--preset", "fintech", "framework").out
    assert "37 activities (industry preset: FinTech)" in text.splitlines()[0]


def test_unknown_preset_exits_2(cli) -> None:
    result = cli("--preset", "retail", "framework")
    assert result.code == 2
    assert result.out == ""
    assert len(result.err_lines) == 1
    assert "--preset 'retail' is not an industry preset" in result.err
    assert "healthcare, fintech, saas" in result.err
    # One sentence, one full stop.
    assert not result.err.rstrip().endswith("..")


def test_unknown_time_zone_exits_2(cli) -> None:
    result = cli("framework", tz="Mars/Olympus_Mons")
    assert result.code == 2
    assert result.err_lines == [
        "sec-desktop: --tz 'Mars/Olympus_Mons' is not an IANA time zone such as Europe/Berlin."
    ]


def test_help_lists_the_commands() -> None:
    from sec_desktop.cli.main import build_parser

    text = build_parser().format_help()
    assert "usage: sec-desktop" in text
    for command in ("framework", "log", "report", "export", "tray", "prompt", "dashboard"):
        assert command in text


def test_no_command_starts_the_tray_app(cli, monkeypatch) -> None:
    from sec_desktop.cli import gui as cli_app

    seen: list[str] = []

    def fake_app(ctx, args) -> int:
        seen.append(args.command)
        return 0

    monkeypatch.setattr(cli_app, "cmd_app", fake_app)
    assert cli().code == 0
    assert seen == ["tray"]


def test_level_names_in_json(cli) -> None:
    doc = json.loads(cli("framework", "--format", "json").out)
    assert {d["level"] for d in doc["domains"]} == {Level.DOMAIN.name.lower()}
    assert {fa["level"] for d in doc["domains"] for fa in d["focus_areas"]} == {"focus_area"}
