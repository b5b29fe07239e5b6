"""Entry point of `sec-desktop`, `python -m sec_desktop` and the frozen bundle."""

from __future__ import annotations

import atexit
import gc
import os
import sys
from pathlib import Path


def _ensure_streams() -> None:
    """A windowed build started without a console (Windows) has no stdout or stderr; Python
    sets them to None, and the first print or log line would fail."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, Path(os.devnull).open("w", encoding="utf-8"))  # noqa: SIM115


def _skip_final_collection() -> None:
    """A command-line command is done and only the interpreter's teardown is left, whose
    garbage collections go through every object loaded and made: about 10 ms of a 150 ms
    report. The process's memory goes back to the system at exit anyway; atexit handlers run
    and objects outside reference cycles are finalized as before."""
    gc.disable()
    gc.freeze()


# A command allocates a few hundred thousand objects as it loads its modules and reads, and
# hardly any form reference cycles: a young-generation collection every 700 allocations (the
# default) was about 5% of a report's time, for nothing to collect. Every 100,000 still
# bounds what cycles could hold; the tray keeps the default for its long life.
COMMAND_GC_THRESHOLD = 100_000


# privacy/helper.py's HELPER_ARG, spelled here so a normal start imports nothing for it.
PRIVACY_HELPER_ARG = "--privacy-check-helper"


def _cache_generated_code() -> None:
    """Compile the methods dataclasses generate once, not at every start (a third of a
    report's time); the cache lives in the config folder's cache, like the other caches."""
    from sec_desktop.codegen_cache import install
    from sec_desktop.store.paths import CACHE_DIR, resolve_config_dir

    folder = resolve_config_dir(os.environ) / CACHE_DIR
    cache = install(folder / f"generated-code-{sys.implementation.cache_tag}.marshal")
    atexit.register(cache.save)


def _hash_without_openssl() -> None:
    """The resident tray hashes a few folder names (its instance socket, its backup folder) with
    SHA-256; Python's own SHA-256 gives the same digests, so hashlib is kept from loading
    OpenSSL's libcrypto for them: 3.4 MB of the tray's resident memory. hashlib is made to
    work without it (builds without OpenSSL exist); note crypto has its own."""
    if "hashlib" not in sys.modules:
        sys.modules["_hashlib"] = None  # type: ignore[assignment]


def main() -> int:
    _ensure_streams()
    default_gc_threshold = gc.get_threshold()
    if not sys.argv[1:]:  # the tray's start, as the launcher and the autostart entry run it
        _hash_without_openssl()
    else:
        gc.set_threshold(COMMAND_GC_THRESHOLD)
    _cache_generated_code()
    if sys.argv[1:2] == [PRIVACY_HELPER_ARG]:  # the tray's keychain check, in its own process
        from sec_desktop.privacy.helper import helper_main

        return helper_main(sys.argv[2:])
    from sec_desktop.cli.main import MODULE_OF_COMMAND, command_word
    from sec_desktop.cli.main import main as cli_main

    # The tray app and its Qt windows (their words are not in the table) keep the default
    # collection, and their teardown is left exactly as Qt expects it.
    command_line_only = command_word(sys.argv[1:]) in MODULE_OF_COMMAND
    if not command_line_only:
        gc.set_threshold(*default_gc_threshold)
    code = cli_main(sys.argv[1:])
    if command_line_only:
        _skip_final_collection()
    return code


if __name__ == "__main__":
    sys.exit(main())
