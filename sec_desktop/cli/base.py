"""What every command shares: the context resolved once from the global options, the one error
type with its exit code, and the argument helpers several commands use."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sec_desktop.analytics.periods import PERIOD_NAMES, Period, check_days_in_bounds, named_period
from sec_desktop.timefmt import parse_date, system_zone

# Only types: a command loads the framework, the search and the store when it uses them.
if TYPE_CHECKING:
    from sec_desktop.framework import Framework, Node
    from sec_desktop.framework.search import NoMatch
    from sec_desktop.framework.vocabulary import Vocabulary
    from sec_desktop.store import EntryStore
    from sec_desktop.store.notes_crypto import NoteCipher
    from sec_desktop.workspace import Workspace


EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
# A `log` answer that matched only some words needs this share of its words to be known.
MIN_KNOWN_WORD_SHARE = 1 / 3


class CliError(Exception):
    """Bad input or an impossible request: one sentence for stderr, exit code 2."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Context:
    """What every command needs, resolved once from the global options."""

    data_dir: Path
    config_dir: Path
    tz: ZoneInfo
    now: datetime
    preset: str | None
    out: TextIO
    err: TextIO
    # Before anything reads the store, undo an import killed part-way (see `store`).
    undo_unfinished_import: bool = True
    _workspace: Workspace | None = field(default=None, repr=False)
    _import_checked: bool = field(default=False, repr=False)

    @property
    def workspace(self) -> Workspace:
        """Settings, framework and store as the app wires them, built on first use."""
        if self._workspace is None:
            from sec_desktop.workspace import Workspace

            self._workspace = Workspace(
                self.data_dir,
                self.config_dir,
                preset=self.preset,
                clock=self.now_utc,
                # The keychain is asked only when a note must be encrypted or decrypted.
                cipher=self._notes_cipher,
            )
        return self._workspace

    def _notes_cipher(self) -> NoteCipher:
        """The notes key from the keychain. The keychain and the crypto modules load only
        here, so a command that meets no encrypted note never imports them."""
        from sec_desktop.privacy.keychain import SecretStore
        from sec_desktop.privacy.notes import keychain_cipher

        return keychain_cipher(self.data_dir, SecretStore(lock_dir=self.config_dir))()

    @property
    def framework(self) -> Framework:
        workspace = self.workspace
        if not workspace.framework_is_loaded:
            from sec_desktop.framework import FrameworkError, load_framework

            try:
                shipped = load_framework()
            except FrameworkError as exc:
                # main() ends the sentence; a FrameworkError already ends in a full stop.
                raise CliError(str(exc).rstrip(".")) from exc
            if self.preset is not None and self.preset not in shipped.presets:
                known = ", ".join(shipped.presets)
                raise CliError(f"--preset {self.preset!r} is not an industry preset ({known})")
            framework = workspace.framework
            self.write_problems()
            return framework
        return workspace.framework

    @property
    def store(self) -> EntryStore:
        store = self.workspace.store
        if self.undo_unfinished_import and not self._import_checked:
            self._import_checked = True
            if store.unfinished_import_journal.is_file():
                # Loaded only then: the command line starts without the importers.
                from sec_desktop.interop.plan import roll_back_unfinished_import

                removed = roll_back_unfinished_import(store)
                self.err.write(
                    f"An import stopped part-way was undone ({removed} entries removed); "
                    "import the file again.\n"
                )
        return store

    def write_problems(self) -> None:
        """Warn about what loading met (a faulty settings or customization file), once each."""
        for problem in self.workspace.problems:
            self.err.write(f"Warning: {problem}\n")
        self.workspace.problems.clear()

    def close(self) -> None:
        """Report what the store met on the way and close it, if a command opened it."""
        workspace = self._workspace
        if workspace is None:
            return
        self.write_problems()  # those met after the command's own call (the device id file)
        if workspace.store_is_open:
            for problem in workspace.store.problems:
                self.err.write(f"Warning: {problem.message()}\n")
            for sentence in workspace.store.hlc.problems:  # a damaged clock state file
                self.err.write(f"Warning: {sentence}\n")
        workspace.close()

    def now_utc(self) -> datetime:
        return self.now.astimezone(UTC)


def zone_named(name: str | None) -> ZoneInfo:
    """The --tz zone, or the system's when none is given."""
    if not name:
        return system_zone()
    try:
        return ZoneInfo(name)
    # OSError: a region such as "America" is a folder of the zone database, not a zone.
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise CliError(f"--tz {name!r} is not an IANA time zone such as Europe/Berlin") from exc


def utf8_text(
    value: str, what: str, fix: str = "set the terminal to UTF-8 and type it again"
) -> str:
    """`value` if it can be stored. Python keeps argv bytes that are not UTF-8 as lone
    surrogates (PEP 383), which no file of ours can hold: refuse them up front."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        char = ord(value[exc.start])
        # U+DC80..U+DCFF stand for the undecodable bytes 0x80..0xff.
        raw = f"the byte 0x{char - 0xDC00:02x}" if 0xDC80 <= char <= 0xDCFF else "a lone surrogate"
        raise CliError(
            f"{what} is not UTF-8 text (character {exc.start + 1} is {raw}); {fix}"
        ) from None
    return value


class NoActivityMatch(CliError):
    """Nothing matches a typed activity; `suggestions` are what to offer instead."""

    def __init__(self, message: str, suggestions: NoMatch) -> None:
        super().__init__(message)
        self.suggestions = suggestions


def resolve_activity(fw: Framework, query: str, vocabulary: Vocabulary | None = None) -> Node:
    """The one node `query` names, ranked as the picker ranks it (learnt searches, aliases,
    the vocabulary's phrases, words, typos): the best match when it is ahead of the rest; a
    tie is ambiguous. Raises NoActivityMatch (with the closest activities) when nothing
    matches."""
    from sec_desktop.framework.search import ALL_WORDS_SCORE, ActivitySearch

    search = ActivitySearch(fw, vocabulary)
    hits = search.search(query)
    if not hits:
        raise NoActivityMatch(
            f"no activity matches {query!r} (`sec-desktop framework` lists them all)",
            search.no_match(query),
        )
    # Only some words matched: book it only when enough of the line means something, so a
    # stray "qb" in noise does not log time to QBRs.
    if hits[0].score < ALL_WORDS_SCORE and search.known_word_share(query) < MIN_KNOWN_WORD_SHARE:
        raise NoActivityMatch(
            f"no activity matches {query!r}: too few of its words name anything here "
            "(`sec-desktop framework` lists the activities)",
            search.no_match(query),
        )
    tied = [h.node for h in hits if h.score == hits[0].score]
    if len(tied) > 1:
        listed = "; ".join(f"{fw.path_label(n.id)} [{n.id}]" for n in tied[:10])
        more = f" and {len(tied) - 10} more" if len(tied) > 10 else ""
        raise CliError(f"activity {query!r} is ambiguous; it matches: {listed}{more}")
    return hits[0].node


def add_range(p: argparse.ArgumentParser, with_period: bool) -> None:
    """The --period/--from/--to options shared by commands that read a span of days."""
    if with_period:
        p.add_argument("--period", choices=PERIOD_NAMES, help="default: week")
    p.add_argument("--from", dest="from_date", metavar="DATE")
    p.add_argument("--to", dest="to_date", metavar="DATE")


def period_from_args(ctx: Context, args: argparse.Namespace) -> Period:
    """The days --period or --from/--to name (default: this week)."""
    today = ctx.now.astimezone(ctx.tz).date()
    if args.from_date or args.to_date:
        if args.period:
            raise CliError("give either --period or --from/--to, not both")
        if not args.from_date:
            raise CliError("--to needs --from")
        first = parse_date(args.from_date, "--from")
        last = parse_date(args.to_date, "--to") if args.to_date else today
        if last < first:
            raise CliError(
                f"--to {last.isoformat()} is before --from {first.isoformat()}; the range is empty"
            )
        check_days_in_bounds(first, last)
        return Period(first, last, ctx.tz)
    return named_period(args.period or "week", today, ctx.tz)


def confirm(ctx: Context, question: str, assume_yes: bool) -> bool:
    """Ask a yes/no question on the terminal; no is the default."""
    if assume_yes:
        return True
    ctx.out.write(f"{question} [y/N] ")
    ctx.out.flush()
    answer = sys.stdin.readline()
    if not sys.stdin.isatty():
        ctx.out.write(answer if answer.endswith("\n") else answer + "\n")  # echo a piped answer
    return answer.strip().lower() in ("y", "yes")


def backup_dir_of(ctx: Context) -> Path:
    """Where this data folder's backups go (the config folder, not the synced data)."""
    from sec_desktop.store.backup import backup_dir_for

    return backup_dir_for(ctx.config_dir, ctx.data_dir)
