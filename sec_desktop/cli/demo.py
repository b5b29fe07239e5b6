"""`sec-desktop demo`: a realistic year of a CTO's entries in a throwaway folder, then the
dashboard on it.

Demo data never mixes with real data: it goes into a new temporary folder, an empty one, or one
an earlier demo made (it carries a marker file and only the demo's own device folder).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from sec_desktop.cli.base import Context

DEMO_MARKER = "sec-desktop-demo.json"
DEMO_FORMAT = "sec-desktop/demo"
DEMO_VERSION = 1
CONFIG_SUBDIR = "demo-config"
DEFAULT_SEED = 2026
MAX_YEARS = 20
# What a refill clears; anything else in the folder is left alone.
DEMO_CONTENT = ("entries", "profiles", "shared", "quarantine")
DEMO_PROFILE_BANDS = {
    "strategy": (25.0, 35.0),
    "execution": (40.0, 55.0),
    "culture": (18.0, 25.0),
    "execution.security-and-compliance": (15.0, 20.0),
    "culture.personal-development": (8.0, 12.0),
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="fill a throwaway folder with a realistic year of data and open the dashboard",
        description="Generates a CTO's year (meetings, incidents, hiring pushes, board prep, "
        "vacations; entries from the calendar, timers, prompts and random pings) in a new "
        "temporary folder, or in DIR if it is empty or an earlier demo folder, and opens the "
        "dashboard on it. Your own data folder is never touched.",
    )
    parser.add_argument(
        "--dir", metavar="DIR", help="folder to fill (default: a new temporary folder)"
    )
    parser.add_argument("--years", type=int, default=1, metavar="N", help="default: 1")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, metavar="S", help="same seed, same data"
    )
    parser.add_argument(
        "--no-open", action="store_true", help="only fill the folder; don't open the dashboard"
    )
    parser.set_defaults(handler=cmd_demo)


def _marker(path: Path) -> dict[str, Any] | None:
    """The demo marker of `path`, or None when the folder isn't a demo folder."""
    try:
        doc = orjson.loads((path / DEMO_MARKER).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return doc if isinstance(doc, dict) and doc.get("format") == DEMO_FORMAT else None


def prepare_folder(ctx: Context, raw: str | None) -> Path:
    """A folder that may take demo data: new, empty, or an earlier demo's (then cleared)."""
    from sec_desktop.cli.base import CliError

    if raw is None:
        return Path(tempfile.mkdtemp(prefix="sec-desktop-demo-"))
    folder = Path(raw).expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise CliError(f"--dir {folder} is a file; give a folder")
    if ctx.data_dir.exists() and folder.exists() and folder.samefile(ctx.data_dir):
        raise CliError(f"--dir {folder} is your data folder; demo data goes elsewhere")
    if not folder.exists() or not any(folder.iterdir()):
        return folder
    marker = _marker(folder)
    if marker is None:
        raise CliError(
            f"--dir {folder} is not empty and is not a demo folder; give an empty or new "
            "folder, so demo entries never mix with real ones"
        )
    entries_dir = folder / "entries"
    devices = sorted(p.name for p in entries_dir.iterdir()) if entries_dir.is_dir() else []
    foreign = [d for d in devices if d != marker.get("device")]
    if foreign:
        raise CliError(
            f"--dir {folder} holds entries of other devices ({', '.join(foreign)}) besides the "
            "demo's; it was left as it is"
        )
    for name in DEMO_CONTENT:
        target = folder / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
    return folder


def cmd_demo(ctx: Context, args: argparse.Namespace) -> int:
    from sec_desktop.cli.base import EXIT_OK, CliError
    from sec_desktop.demo import generate_demo_year
    from sec_desktop.framework.custom_profile import make_custom_profile, save_custom_profile
    from sec_desktop.store import EntryStore, device_id, format_utc
    from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir

    if not 1 <= args.years <= MAX_YEARS:
        raise CliError(f"--years must be 1 to {MAX_YEARS} (got {args.years})")
    if args.seed < 0:
        raise CliError(f"--seed must be 0 or more (got {args.seed})")
    folder = prepare_folder(ctx, args.dir)
    ensure_private_dir(folder)
    config_dir = folder / CONFIG_SUBDIR
    device = device_id(config_dir)
    today = ctx.now.astimezone(ctx.tz).date()
    # The marker goes first: a fill cut short still leaves a folder the next demo may refill.
    marker = {
        "format": DEMO_FORMAT,
        "version": DEMO_VERSION,
        "created": format_utc(ctx.now_utc()),
        "device": device,
        "seed": args.seed,
        "years": args.years,
        "last_day": today.isoformat(),
        "time_zone": ctx.tz.key,
    }
    atomic_write_bytes(folder / DEMO_MARKER, orjson.dumps(marker, option=orjson.OPT_INDENT_2))

    def progress(year: int) -> None:
        if args.years > 1:
            ctx.err.write(f"Generated year {year} of {args.years}\n")

    framework = ctx.framework
    now = ctx.now_utc()
    entries = [
        e
        for e in generate_demo_year(
            framework, today, ctx.tz, args.seed, years=args.years, device=device, progress=progress
        )
        if e.end <= now  # only time already spent, as the app itself would record
    ]
    store = EntryStore(folder, device, clock=ctx.now_utc)
    try:
        store.add_many(entries)
    finally:
        store.close()
    profile = make_custom_profile(
        framework,
        DEMO_PROFILE_BANDS,
        label="My targets",
        description="A growth-stage CTO's own targets (an example of a custom profile).",
    )
    save_custom_profile(folder, profile, framework, device_id=device)
    first = entries[0].start.astimezone(ctx.tz).date() if entries else today
    ctx.out.write(
        f"Demo data: {len(entries):,} entries from {first.isoformat()} to {today.isoformat()} "
        f"in {folder}\n"
        f"Try: sec-desktop --data-dir {folder} --tz {ctx.tz.key} report --period quarter\n"
    )
    if args.no_open:
        return EXIT_OK
    try:
        from sec_desktop.ui.dashboard import run_dashboard_app
    except ImportError as exc:
        raise CliError(f"the dashboard can't be opened here ({exc}); the data is ready") from exc
    ctx.out.flush()
    return run_dashboard_app(data_dir=folder, config_dir=config_dir, tz=ctx.tz, framework=framework)
