"""`sec-desktop alias` and `log` with everyday words: aliases travel with the data folder,
a logged search is learnt, and a word nothing matches is never a dead end."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sec_desktop.cli import log as log_command
from sec_desktop.framework.vocabulary import ALIASES_FILE
from tests.helpers.ids import BOARD, INCIDENT, INVESTORS, STANDUP, TALENT

PERFORMANCE = "culture.team-development.performance-management"
QA = "execution.product-and-engineering-delivery.quality-assurance"
RISK = "execution.security-and-compliance.risk-assessment"


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("code review", QA),
        ("1:1", PERFORMANCE),
        ("hiring", TALENT),
        ("pentest", RISK),
        ("board deck", BOARD),
        ("postmortem", INCIDENT),
        ("standup", STANDUP),
        ("investor update", INVESTORS),
        ("interviewing a candidate", TALENT),
        ("writing the postmortem doc", INCIDENT),
    ],
)
def test_log_understands_everyday_words(cli, stored, phrase: str, expected: str) -> None:
    result = cli("log", phrase, "--minutes", "30")
    assert result.code == 0, result.err
    assert [e.activity for e in stored()] == [expected]


def test_alias_add_list_remove(cli, stored, isolated_dirs: dict[str, Path]) -> None:
    added = cli("alias", "add", "quarterly numbers", "board comm")
    assert added.code == 0, added.err
    assert added.out == (
        "'quarterly numbers' now means Strategy > Stakeholder Management > Board "
        f"communications [{BOARD}].\n"
    )
    assert (isolated_dirs["data"] / ALIASES_FILE).is_file()
    listed = cli("alias", "list", "--format", "json")
    assert json.loads(listed.out) == [
        {"phrase": "quarterly numbers", "activity": BOARD, "in_framework": True}
    ]
    assert cli("log", "quarterly numbers", "--minutes", "30").code == 0
    assert [e.activity for e in stored()] == [BOARD]
    removed = cli("alias", "remove", "Quarterly Numbers")
    assert removed.code == 0
    assert cli("alias", "list").out.startswith("No aliases yet")
    assert cli("alias", "remove", "quarterly numbers").code == 2


def test_an_alias_overrides_the_shipped_words(cli) -> None:
    result = cli("alias", "add", "board deck", INVESTORS)
    assert result.code == 0
    assert "instead of Board communications" in result.out


def test_a_malformed_aliases_file_names_file_and_line(cli, isolated_dirs) -> None:
    path = isolated_dirs["data"] / ALIASES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{\n  "aliases": {"x": "y",}\n}\n', encoding="utf-8")
    result = cli("alias", "add", "deck", BOARD)
    assert result.code == 2
    assert str(path) in result.err
    assert "line 2" in result.err
    assert path.read_text("utf-8") == '{\n  "aliases": {"x": "y",}\n}\n'
    # log still works on the shipped words, warns, and writes nothing over the file.
    logged = cli("log", "board deck", "--minutes", "30")
    assert logged.code == 0
    assert "Warning: Your aliases are not used" in logged.err
    assert path.read_text("utf-8") == '{\n  "aliases": {"x": "y",}\n}\n'


def test_log_learns_the_words_and_uses_what_was_learnt(cli, stored, isolated_dirs) -> None:
    assert cli("log", "review", "--minutes", "30").code == 2  # ambiguous as such
    assert cli("log", "Hiring  sync", "--minutes", "30").code == 0
    doc = json.loads((isolated_dirs["data"] / ALIASES_FILE).read_text("utf-8"))
    assert doc["learned"] == {"hiring sync": TALENT}
    # What the picker learnt (the same file) settles the ambiguity next time.
    doc["learned"]["review"] = PERFORMANCE
    (isolated_dirs["data"] / ALIASES_FILE).write_text(json.dumps(doc), encoding="utf-8")
    result = cli("log", "Review", "--start", "2026-11-23T09:00", "--minutes", "10")
    assert result.code == 0, result.err
    assert sorted(e.activity for e in stored()) == [PERFORMANCE, TALENT]


def test_no_match_at_a_terminal_logs_the_choice_and_keeps_the_alias(
    cli, stored, monkeypatch
) -> None:
    monkeypatch.setattr(log_command, "interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("1\ny\n"))
    result = cli("log", "zandup", "--minutes", "30")
    assert result.code == 0, result.err
    assert "No activity matches 'zandup'." in result.out
    assert "'zandup' now means Team rituals and practices" in result.out
    assert [e.activity for e in stored()] == [STANDUP]
    assert json.loads(cli("alias", "list", "--format", "json").out)[0]["activity"] == STANDUP


def test_no_match_at_a_terminal_enter_logs_nothing(cli, shard_files, monkeypatch) -> None:
    monkeypatch.setattr(log_command, "interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    result = cli("log", "zandup", "--minutes", "30")
    assert result.code == 2
    assert shard_files() == []
    assert cli("alias", "list").out.startswith("No aliases yet")


@pytest.mark.parametrize(
    "noise",
    [
        'zzqx ßQzÄ ?字-漢!*Qb漢 \u216f"/-\u216b:_":Ä.字c\u216b\t\u216f_',  # "qb" begins "QBR"
        "zzqx ssqz qb c",
        "xkcd plorp zzqx frobnicate sec",
    ],
)
def test_log_books_nothing_for_noise_with_one_lucky_word(cli, shard_files, noise: str) -> None:
    result = cli("log", noise, "--minutes", "5")
    assert result.code == 2, result.out
    assert "no activity matches" in result.err
    assert shard_files() == []
