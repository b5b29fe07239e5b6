"""`sec-desktop encryption status|on|off|unlock|passphrase|recovery-code`: note encryption from
the command line.

Secrets come from a file (`--passphrase-file`, `-` for stdin, for scripts and tests) or, at a
terminal, from a prompt that doesn't echo; never from an argument, which other users can see.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sec_desktop.cli.base import Context
    from sec_desktop.privacy.notes import PassResult

LISTED_IDS = 20


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "encryption",
        help="show, turn on or turn off encryption of notes at rest",
        description="Notes are encrypted with one key for all your devices. Each device keeps "
        "it in its OS keychain; the data folder holds it only wrapped by your passphrase (and "
        "a recovery code, if you print one). Turning encryption on or off rewrites this "
        "device's notes in one pass; `on` on a second device joins the key with the "
        "passphrase, and `unlock` gives this device the key.",
    )
    parser.add_argument(
        "action",
        choices=("status", "on", "off", "unlock", "passphrase", "recovery-code"),
        nargs="?",
        default="status",
    )
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help="read the passphrase from FILE (`-`: standard input) instead of asking; with "
        "`passphrase`, the new one",
    )
    parser.add_argument(
        "--recovery-code-file",
        metavar="FILE",
        help="with `unlock`: read the recovery code from FILE (`-`: standard input)",
    )
    parser.add_argument(
        "--new-key",
        action="store_true",
        help="with `on`: encrypt new notes with this keychain's key even though older notes "
        "use a key it doesn't have (those stay unreadable, never deleted)",
    )
    parser.add_argument(
        "--forget-key",
        action="store_true",
        help="with `off`: also delete the key from the keychain once no note needs it",
    )
    parser.set_defaults(handler=cmd_encryption)


def _secrets(ctx: Context) -> Any:
    from sec_desktop.privacy.keychain import SecretStore

    return SecretStore(lock_dir=ctx.config_dir)


def _left_lines(result: PassResult) -> list[str]:
    lines = []
    for reason, ids in result.notes_left.items():
        shown = ", ".join(ids[:LISTED_IDS])
        more = f" and {len(ids) - LISTED_IDS} more" if len(ids) > LISTED_IDS else ""
        lines.append(f"Left as stored ({reason}): {shown}{more}\n")
    for path, reason in result.files_skipped.items():
        lines.append(f"Skipped {path}: {reason}\n")
    return lines


def _read_secret(path: str, what: str) -> str:
    """A secret from a file, or standard input for `-`: its first line, newline removed."""
    from sec_desktop.cli.base import CliError

    try:
        if path == "-":
            text = sys.stdin.readline()
        else:
            with Path(path).open(encoding="utf-8") as handle:
                text = handle.readline()
    except OSError as exc:
        raise CliError(f"the {what} file {path} can't be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise CliError(f"the {what} file {path} is not UTF-8 text") from exc
    secret = text.rstrip("\r\n")
    if not secret:
        raise CliError(f"the {what} file {path} is empty")
    return secret


def _ask_secret(prompt: str, *, confirm: bool = False) -> str | None:
    """Ask at a terminal without echo; None when there is no terminal to ask at."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None
    import getpass

    from sec_desktop.cli.base import CliError

    first = getpass.getpass(prompt)
    if confirm and first and getpass.getpass("Type it again: ") != first:
        raise CliError("the two passphrases differ; nothing was changed")
    return first or None


def _passphrase(args: argparse.Namespace, prompt: str, *, confirm: bool = False) -> str | None:
    if args.passphrase_file:
        return _read_secret(args.passphrase_file, "passphrase")
    return _ask_secret(prompt, confirm=confirm)


def _key_lines(ctx: Context, secrets: Any, marker_key: str | None) -> list[str]:
    """Where the folder's key stands and whether this device holds it, in plain words."""
    from sec_desktop.privacy.key_wrap import read_folder_key
    from sec_desktop.privacy.keychain import SecretsUnavailable

    folder = read_folder_key(ctx.data_dir)
    lines = [f"Problem: {problem}\n" for problem in folder.problems]
    wanted = folder.key_id or marker_key
    if folder.key_id:
        lines.append(
            f"Folder key: {folder.key_id}, protected by a passphrase"
            + (" and a recovery code" if folder.recovery is not None else " (no recovery code)")
            + "\n"
        )
    elif marker_key:
        lines.append(
            f"Folder key: {marker_key}, not shared: no passphrase is set, so your other devices "
            "can't read the notes (`sec-desktop encryption passphrase` on a device that holds "
            "it)\n"
        )
    try:
        held = secrets.get_notes_key()
    except SecretsUnavailable as exc:
        lines.append(f"This device: the keychain can't be asked ({exc})\n")
        return lines
    if held is None:
        here = "holds no notes key" + (
            "; run `sec-desktop encryption unlock` to read and write encrypted notes here"
            if wanted
            else ""
        )
    elif wanted is None or held.key_id == wanted:
        here = f"holds key {held.key_id}" + (", the folder's key" if wanted else "")
    else:
        here = (
            f"holds key {held.key_id}, not the folder's key {wanted}; run `sec-desktop "
            "encryption unlock` to get it"
        )
    lines.append(f"This device: {here}\n")
    return lines


def _cmd_key(ctx: Context, args: argparse.Namespace, secrets: Any) -> int:
    """unlock, passphrase and recovery-code."""
    from sec_desktop.cli.base import EXIT_OK, CliError
    from sec_desktop.privacy.key_wrap import PASSPHRASE, RECOVERY
    from sec_desktop.privacy.notes import (
        PrivacyError,
        make_recovery_code,
        set_passphrase,
        unlock_folder_key,
    )

    device = ctx.store.device_id
    try:
        if args.action == "unlock":
            if args.recovery_code_file:
                secret = _read_secret(args.recovery_code_file, "recovery code")
                kind = RECOVERY
            else:
                asked = _passphrase(args, "Passphrase of your notes key: ")
                if asked is None:
                    raise CliError(
                        "give the passphrase with --passphrase-file FILE (or `-` for standard "
                        "input), or --recovery-code-file; nothing was changed"
                    )
                secret, kind = asked, PASSPHRASE
            key = unlock_folder_key(ctx.data_dir, secrets, secret, kind=kind, device_id=device)
            ctx.out.write(
                f"Unlocked: this device now keeps notes key {key.key_id} in its keychain and "
                "reads and writes encrypted notes.\n"
            )
        elif args.action == "passphrase":
            new = _passphrase(args, "New passphrase for your notes key: ", confirm=True)
            if new is None:
                raise CliError(
                    "give the new passphrase with --passphrase-file FILE (or `-` for standard "
                    "input); nothing was changed"
                )
            key_id = set_passphrase(ctx.data_dir, device, secrets, new)
            ctx.out.write(
                f"The notes key {key_id} is protected by the new passphrase; your other "
                "devices use it to unlock the key (those already unlocked need nothing).\n"
            )
        else:
            code = make_recovery_code(ctx.data_dir, device, secrets)
            ctx.out.write(
                "Your recovery code (keep it somewhere safe, away from this computer; any "
                "earlier code no longer works):\n\n"
                f"    {code}\n\n"
                "It unlocks your notes on any device if you forget the passphrase: "
                "`sec-desktop encryption unlock --recovery-code-file FILE`.\n"
            )
    except PrivacyError as exc:
        raise CliError(str(exc), 1) from exc
    return EXIT_OK


def _join_needed(ctx: Context, secrets: Any, new_key: bool) -> bool:
    """Whether `encryption on` must have the passphrase: the folder shares a key this
    keychain lacks, or a new key must be shared."""
    from sec_desktop.privacy.key_wrap import read_folder_key
    from sec_desktop.privacy.keychain import SecretsUnavailable

    folder = read_folder_key(ctx.data_dir)
    if folder.key_id is None:
        return False
    if new_key:
        return True
    try:
        held = secrets.get_notes_key()
    except SecretsUnavailable:
        return False  # enable_encryption says why
    return held is None or held.key_id != folder.key_id


def _on_passphrase(ctx: Context, args: argparse.Namespace, secrets: Any) -> str | None:
    """The passphrase `encryption on` uses: the folder's, to join it, or a new one to share."""
    if _join_needed(ctx, secrets, args.new_key):
        return _passphrase(args, "Passphrase of your notes key: ")
    return _passphrase(
        args,
        "Choose a passphrase, so your other devices can read your notes (Enter: none for now): ",
        confirm=True,
    )


def _check_options(args: argparse.Namespace) -> None:
    from sec_desktop.cli.base import CliError

    if args.new_key and args.action != "on":
        raise CliError("--new-key goes with `encryption on`")
    if args.forget_key and args.action != "off":
        raise CliError("--forget-key goes with `encryption off`")
    if args.recovery_code_file and args.action != "unlock":
        raise CliError("--recovery-code-file goes with `encryption unlock`")
    if args.passphrase_file and args.action not in ("on", "unlock", "passphrase"):
        raise CliError("--passphrase-file goes with `encryption on`, `unlock` or `passphrase`")


def cmd_encryption(ctx: Context, args: argparse.Namespace) -> int:
    from sec_desktop.cli.base import EXIT_OK, CliError, backup_dir_of
    from sec_desktop.privacy.keychain import known_backends
    from sec_desktop.privacy.notes import (
        PrivacyError,
        backups_with_plain_notes,
        disable_encryption,
        enable_encryption,
    )
    from sec_desktop.privacy.state import assess
    from sec_desktop.timefmt import counted

    _check_options(args)
    secrets = _secrets(ctx)
    device = ctx.store.device_id
    if args.action in ("unlock", "passphrase", "recovery-code"):
        return _cmd_key(ctx, args, secrets)
    if args.action == "status":
        state = assess(ctx.data_dir, device, secrets, apply_default=False, resume=False)
        notes = state.notes
        marker = notes.marker
        key = f" (key {marker.key_id})" if marker and marker.key_id else ""
        ctx.out.write(
            f"Encryption of notes: {state.mode.value}{key}\n"
            f"Keychain: {state.keyring.backend_name}, {state.keyring.state.value}"
            + (f" ({state.keyring.detail})" if state.keyring.detail else "")
            + "\n"
            f"Keychain backends in this build: {', '.join(known_backends()) or 'none'}\n"
            f"Notes: {notes.encrypted} encrypted, {notes.plaintext} unencrypted, "
            f"{notes.unreadable_count} unreadable\n"
        )
        for line in _key_lines(ctx, secrets, marker.key_id if marker and marker.enabled else None):
            ctx.out.write(line)
        ctx.out.write(f"{state.message}\n")
        for reason, ids in notes.unreadable.items():
            shown = ", ".join(ids[:LISTED_IDS])
            more = f" and {len(ids) - LISTED_IDS} more" if len(ids) > LISTED_IDS else ""
            ctx.out.write(f"Unreadable ({reason}): {shown}{more}\n")
        plain_backups = backups_with_plain_notes(backup_dir_of(ctx))
        if plain_backups and state.mode.value == "on":
            ctx.out.write(
                f"{counted(len(plain_backups), 'backup')} in {backup_dir_of(ctx)} still hold "
                f"{counted(sum(plain_backups.values()), 'note')} in plain text (from before "
                "encryption); `sec-desktop encryption on` encrypts them.\n"
            )
        if notes.quarantined_files and state.mode.value == "on":
            ctx.out.write(
                f"{notes.quarantined_files} file(s) in quarantine/ were set aside unread and "
                "may hold notes from before encryption.\n"
            )
        return EXIT_OK
    try:
        if args.action == "on":
            passphrase = _on_passphrase(ctx, args, secrets)
            result = enable_encryption(
                ctx.data_dir,
                device,
                secrets,
                new_key=args.new_key,
                passphrase=passphrase,
                backup_dir=backup_dir_of(ctx),
            )
            ctx.out.write(
                f"Notes are encrypted: {result.notes_changed} note(s) encrypted in "
                f"{result.shards_rewritten} file(s); the key is in the keychain.\n"
            )
            if result.backup_notes_sealed:
                ctx.out.write(
                    f"Encrypted {counted(result.backup_notes_sealed, 'note')} left in plain "
                    f"text in {counted(result.backups_rewritten, 'backup')}.\n"
                )
        else:
            result = disable_encryption(ctx.data_dir, device, secrets, forget_key=args.forget_key)
            ctx.out.write(
                f"Encryption is off: {result.notes_changed} note(s) decrypted in "
                f"{result.shards_rewritten} file(s).\n"
            )
            if args.forget_key:
                ctx.out.write(
                    "The key was deleted from the keychain.\n"
                    if result.key_deleted
                    else "The key was not deleted: notes still need it, or the keychain has none.\n"
                )
    except PrivacyError as exc:
        raise CliError(str(exc), 1) from exc
    for line in _left_lines(result):
        ctx.err.write(line)
    return EXIT_OK
