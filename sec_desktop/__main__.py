"""Entry point of `sec-desktop`, `python -m sec_desktop` and the frozen bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _ensure_streams() -> None:
    """A windowed build started without a console (Windows) has no stdout or stderr; Python
    sets them to None, and the first print or log line would fail."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, Path(os.devnull).open("w", encoding="utf-8"))  # noqa: SIM115


def main() -> int:
    _ensure_streams()
    from sec_desktop.cli.main import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
