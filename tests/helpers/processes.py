"""Processes started together for race tests: each waits for "go" on its stdin, so they all
begin at once; every one is stopped by its PID, also when the test fails."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence


def run_together(
    commands: Sequence[Sequence[str]], timeout_s: float = 120
) -> tuple[list[int], list[str]]:
    """Start `commands`, release them at once, and return their exit codes and stdouts."""
    procs = [
        subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for command in commands
    ]
    try:
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=timeout_s)[0] for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return [proc.returncode for proc in procs], outputs
