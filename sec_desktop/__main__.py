"""Entry point of `sec-desktop` and `python -m sec_desktop`."""

from __future__ import annotations

import sys


def main() -> int:
    from sec_desktop.cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
