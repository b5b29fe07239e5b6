"""scripts/audit.py, the adversarial re-run: its checks flag what they must, and a tiny run
of one category goes end to end, so the harness doesn't rot between audits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers.scripts import ROOT, load_module

audit = load_module("scripts/audit.py", "sec_audit_script")


def call(rc: int, out: bytes = b"", err: bytes = b"", timed_out: bool = False) -> object:
    return audit.Call(["sec-desktop", "log"], rc, out, err, 0.1, 50.0, timed_out)


def test_a_refusal_with_exit_2_and_a_sentence_passes() -> None:
    refused = call(2, err=b"sec-desktop: --minutes must be more than 0 (got -5).\n")
    assert audit.refusal_problems(refused) == []


def test_accepted_bad_input_a_traceback_and_a_hang_are_each_flagged() -> None:
    assert any("accepted" in p for p in audit.refusal_problems(call(0, out=b"Logged")))
    crash = call(1, err=b"Traceback (most recent call last):\n  ...\nKeyError: 'x'\n")
    assert any("Traceback" in p for p in audit.refusal_problems(crash, (1, 2)))
    assert any("did not finish" in p for p in audit.common_problems(call(-9, timed_out=True)))
    assert any("exit 1, expected 2" in p for p in audit.refusal_problems(call(1, err=b"x")))
    assert any("without a message" in p for p in audit.refusal_problems(call(2)))


def test_the_data_digest_sees_a_changed_byte_and_a_changed_mode(tmp_path: Path) -> None:
    (tmp_path / "entries").mkdir()
    shard = tmp_path / "entries" / "2026-01.json"
    shard.write_bytes(b"{}")
    shard.chmod(0o600)
    first = audit.tree_digest(tmp_path)
    shard.write_bytes(b"[]")
    second = audit.tree_digest(tmp_path)
    shard.chmod(0o644)
    assert len({first, second, audit.tree_digest(tmp_path)}) == 3


def test_dst_transitions_are_found_where_the_zone_database_puts_them() -> None:
    from zoneinfo import ZoneInfo

    changes = audit.transitions(ZoneInfo("Europe/Berlin"), 2025)
    assert [c.isoformat() for c in changes] == [
        "2025-03-30T01:00:00+00:00",
        "2025-10-26T01:00:00+00:00",
    ]


def test_a_tiny_cli_run_tries_its_inputs_and_reports_them(tmp_path: Path) -> None:
    report = tmp_path / "audit.json"
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "audit.py"),
            *("--quick", "--only", "cli", "--limit", "4", "--json", str(report)),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    (result,) = json.loads(report.read_text("utf-8"))
    assert result["category"] == "cli"
    assert result["tried"] == 4
    assert result["failures"] == [], result["failures"]
    assert "inputs tried" in done.stdout
    assert not list(tmp_path.glob("sec-audit-*")), "the temporary folder was left behind"
