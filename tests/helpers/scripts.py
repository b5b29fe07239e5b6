"""Load a script or build file that is not part of a package (scripts/, packaging/) by path;
run a Qt script offscreen in a process of its own and read its report."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def load_module(relative_path: str, name: str) -> ModuleType:
    """The module at ROOT/relative_path, registered as `name` (dataclasses look their module
    up in sys.modules while it runs); sys.path is restored if the module changed it."""
    spec = importlib.util.spec_from_file_location(name, ROOT / relative_path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    saved_path = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved_path
    return module


# A 1080p laptop screen for the offscreen platform's screen configuration.
LAPTOP_SCREEN = {"name": "laptop", "x": 0, "y": 0, "width": 1920, "height": 1080}


def offscreen_report(
    script: str,
    args: Sequence[str],
    *,
    scale: int,
    screen_config: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run a Qt `script` (python -c) in a process of its own on the offscreen platform at
    `scale`, optionally on the one screen `screen_config` describes and with `extra_env`
    added to the environment, and return the JSON object its last line prints."""
    platform = f"offscreen:configfile={screen_config}" if screen_config else "offscreen"
    env = {
        **os.environ,
        **(extra_env or {}),
        "QT_QPA_PLATFORM": platform,
        "QT_SCALE_FACTOR": str(scale),
    }
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def laptop_screen_config(folder: Path) -> Path:
    """A screen configuration file with `LAPTOP_SCREEN` alone, at 96 dpi."""
    config = folder / "screen.json"
    screen = {**LAPTOP_SCREEN, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [screen]}), encoding="utf-8")
    return config
