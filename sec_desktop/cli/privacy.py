"""`sec-desktop encryption status|on|off`: note encryption from the command line."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sec_desktop.cli.base import Context
    from sec_desktop.privacy.notes import PassResult

LISTED_IDS = 20


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "encryption",
        help="show, turn on or turn off encryption of notes at rest",
        description="Notes are encrypted with a key kept in the OS keychain, never in the data "
        "folder. Turning encryption on or off rewrites this device's notes in one pass.",
    )
    parser.add_argument("action", choices=("status", "on", "off"), nargs="?", default="status")
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

    if args.new_key and args.action != "on":
        raise CliError("--new-key goes with `encryption on`")
    if args.forget_key and args.action != "off":
        raise CliError("--forget-key goes with `encryption off`")
    secrets = _secrets(ctx)
    device = ctx.store.device_id
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
            f"{state.message}\n"
        )
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
            result = enable_encryption(
                ctx.data_dir, device, secrets, new_key=args.new_key, backup_dir=backup_dir_of(ctx)
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
