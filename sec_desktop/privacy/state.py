"""What the user is told about notes at rest, and what the app does about it at start: how this
device's notes stand (encrypted, plain, unreadable with the key at hand), the one sentence and
the offer the tray shows for each state, and encryption turned on by default where a keychain
exists. No Qt; the app runs `assess` off the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path

from sec_desktop.privacy.key_wrap import read_folder_key
from sec_desktop.privacy.keychain import (
    KeyringState,
    KeyringStatus,
    NotesKey,
    SecretStore,
    SecretsUnavailable,
)
from sec_desktop.privacy.notes import (
    EncryptionMode,
    NotesStatus,
    cipher_from,
    decrypt_notes,
    encrypt_notes,
    keyring_reason,
    notes_status,
)
from sec_desktop.store.notes_crypto import (
    EncryptionMarker,
    MarkerError,
    NoteCipher,
    NoteKeySource,
    NoteKeyUnavailable,
    plain_agreed,
    read_marker,
)
from sec_desktop.timefmt import counted


class Offer(Enum):
    """An action the app can offer beside the message."""

    ENABLE_ENCRYPTION = "Encrypt notes"  # privacy.enable_encryption(...)
    NEW_KEY = "Encrypt new notes with a new key"  # enable_encryption(..., new_key=True)
    UNLOCK = "Unlock notes with your passphrase"  # privacy.notes.unlock_folder_key(...)
    ACCEPT_OFF = "Store notes unencrypted, as another device chose"  # disable_encryption(...)
    RETRY = "Try the keychain again"  # privacy.assess(...) again


@dataclass(frozen=True)
class PrivacyState:
    """Everything the app needs about notes and the keychain, with the sentence to show.

    Give `key_source` to `EntryStore.set_note_cipher`; show `message` (as a warning when
    `warning`); offer `offer` when set.
    """

    keyring: KeyringStatus
    mode: EncryptionMode
    cipher: NoteCipher | None
    notes: NotesStatus
    message: str
    warning: bool
    offer: Offer | None
    done: tuple[str, ...] = ()
    # The key itself where the check ran in another process (privacy/helper.py): the cipher
    # is then made from it at the first note sealed or opened, and cryptography loaded then.
    notes_key: NotesKey | None = None
    _made: list[NoteCipher] = field(default_factory=list, init=False, compare=False, repr=False)

    def note_cipher(self) -> NoteCipher | None:
        """The cipher for this device's notes key (made now if only the key came back)."""
        if self.cipher is not None:
            return self.cipher
        if self.notes_key is None:
            return None
        if not self._made:
            self._made.append(cipher_from(self.notes_key))
        return self._made[0]

    @property
    def key_source(self) -> NoteKeySource:
        """The cipher, or a source that fails at once with the reason, so the store reports
        the notes it can't open without ever asking the keychain on the caller's thread."""
        if self.cipher is not None:
            return self.cipher
        if self.notes_key is not None:
            return self._opened_cipher
        reason = keyring_reason(self.keyring)
        if self.keyring.available:
            reason = "the keychain holds no notes key"

        def unavailable() -> NoteCipher:
            raise NoteKeyUnavailable(reason)

        return unavailable

    def _opened_cipher(self) -> NoteCipher:
        cipher = self.note_cipher()
        if cipher is None:  # only handed out while notes_key is set; never here
            raise NoteKeyUnavailable("the notes key is missing")
        return cipher


def _message(  # noqa: PLR0911 - one sentence per state, read top to bottom
    keyring: KeyringStatus, notes: NotesStatus, cipher: NoteCipher | None, shared: bool = False
) -> tuple[str, bool, Offer | None]:
    """(message, warning, offer). Short: it goes in a tray menu line."""
    state = keyring.state
    unreadable = counted(notes.unreadable_count, "note")
    if notes.marker_problem:
        return f"Notes can't be saved: {notes.marker_problem}.", True, None
    if notes.mode is EncryptionMode.ON:
        marker_key = notes.marker.key_id if notes.marker else None
        if state is KeyringState.AVAILABLE and cipher is not None and marker_key == cipher.key_id:
            if notes.unreadable_count:
                return (
                    f"Notes are encrypted; {unreadable} can't be read with this device's key "
                    "(kept as they are).",
                    True,
                    None,
                )
            return f"Notes are encrypted; the key is in {keyring.backend_name}.", False, None
        if state is KeyringState.AVAILABLE and shared:
            return (
                "Notes are encrypted with your key from another device; unlock it here with "
                "your passphrase to read and write notes.",
                True,
                Offer.UNLOCK,
            )
        if state is KeyringState.AVAILABLE:
            return (
                f"The notes key is missing from {keyring.backend_name}: {unreadable} can't be "
                "read (kept as they are).",
                True,
                Offer.NEW_KEY,
            )
        blocked = {
            KeyringState.NO_BACKEND: "Notes are encrypted but no keychain is available",
            KeyringState.LOCKED: "The keychain is locked",
            KeyringState.TIMED_OUT: "The keychain is not answering",
            KeyringState.ERROR: "The keychain reported an error",
        }[state]
        offer = None if state is KeyringState.NO_BACKEND else Offer.RETRY
        return f"{blocked}: encrypted notes can't be read or saved.", True, offer
    left = f" {unreadable} can't be read (another key)." if notes.unreadable_count else ""
    if notes.mode is EncryptionMode.OFF:
        return "Notes are stored unencrypted (encryption is off)." + left, bool(left), None
    if state is KeyringState.AVAILABLE:
        return (
            f"Notes are stored unencrypted; {keyring.backend_name} can keep a key to encrypt "
            "them." + left,
            True,
            Offer.ENABLE_ENCRYPTION,
        )
    if state is KeyringState.NO_BACKEND:
        return "No keychain is available, so notes are stored unencrypted." + left, True, None
    why = {
        KeyringState.LOCKED: "The keychain is locked",
        KeyringState.TIMED_OUT: "The keychain is not answering",
        KeyringState.ERROR: "The keychain reported an error",
    }[state]
    return f"{why}, so notes are stored unencrypted for now." + left, True, Offer.RETRY


def _turned_off_elsewhere(
    data_dir: Path, device_id: str, marker: EncryptionMarker | None, cipher: NoteCipher | None
) -> str | None:
    """The sentence for a folder another device switched to plain notes while this device,
    which holds the key, has not agreed (its notes are refused until it does)."""
    if marker is None or marker.enabled or marker.changed_by in (None, device_id):
        return None
    if cipher is None or cipher.key_id != marker.key_id:
        return None
    if plain_agreed(data_dir, device_id, marker):
        return None
    return (
        f"Encryption of notes was turned off on {marker.changed_by}; notes are not saved here "
        "until you agree to store them unencrypted (or turn encryption back on)."
    )


def assess(
    data_dir: Path,
    device_id: str,
    secrets: SecretStore,
    *,
    apply_default: bool = True,
    resume: bool = True,
    now: datetime | None = None,
) -> PrivacyState:
    """Check the keychain and the notes, apply the default, finish an interrupted pass.

    The default: a folder where nobody has chosen yet, with a usable keychain and no notes
    stored, gets encryption on; one that already holds plain notes gets an offer instead,
    since turning it on rewrites them. Blocks for keychain timeouts and file reads: the app
    calls it off the GUI thread. With both flags off it only reads (`sec-desktop encryption
    status`).
    """
    done: list[str] = []
    keyring = secrets.status()
    cipher: NoteCipher | None = None
    notes_key: NotesKey | None = None
    if keyring.available:
        try:
            notes_key = secrets.get_notes_key()
        except SecretsUnavailable as exc:
            keyring = exc.status
        else:
            cipher = cipher_from(notes_key) if notes_key is not None else None
    status = notes_status(data_dir, cipher, device_id=device_id)
    if (
        apply_default
        and status.mode is EncryptionMode.UNDECIDED
        and status.marker_problem is None
        and keyring.available
        and status.plaintext == 0
    ):
        try:
            notes_key = secrets.get_or_create_notes_key()
        except SecretsUnavailable as exc:
            keyring = exc.status
        else:
            cipher = cipher_from(notes_key)
            encrypt_notes(data_dir, device_id, cipher, now=now)
            done.append("Encryption of notes was turned on.")
            status = notes_status(data_dir, cipher, device_id=device_id)
    marker = status.marker
    matching = cipher is not None and marker is not None and marker.key_id == cipher.key_id
    if not resume:
        pass
    elif status.mode is EncryptionMode.ON and matching and status.plaintext_own and cipher:
        result = encrypt_notes(data_dir, device_id, cipher, now=now)
        done.append(f"Finished encrypting {counted(result.notes_changed, 'note')}.")
        status = notes_status(data_dir, cipher, device_id=device_id)
    elif status.mode is EncryptionMode.OFF and status.encrypted_own and cipher:
        result = decrypt_notes(data_dir, device_id, cipher, now=now)
        done.append(f"Finished decrypting {counted(result.notes_changed, 'note')}.")
        status = notes_status(data_dir, cipher, device_id=device_id)
    shared = read_folder_key(data_dir).key_id is not None
    message, warning, offer = _message(keyring, status, cipher, shared)
    off_elsewhere = _turned_off_elsewhere(data_dir, device_id, marker, cipher)
    if off_elsewhere is not None:
        message, warning, offer = off_elsewhere, True, Offer.ACCEPT_OFF
    return PrivacyState(
        keyring,
        status.mode,
        cipher,
        status,
        message,
        warning,
        offer,
        tuple(done),
        notes_key if cipher is not None else None,
    )


def turn_on_by_default(
    data_dir: Path, device_id: str, secrets: SecretStore, *, now: datetime | None = None
) -> bool:
    """Apply the default where nobody has chosen yet: encryption on when the keychain is usable
    and no plain notes are stored (those wait for the user's yes). True when it turned it on.
    """
    try:
        if read_marker(data_dir) is not None:
            return False
    except MarkerError:
        return False
    if not secrets.status().available:
        return False
    if notes_status(data_dir, None).plaintext:
        return False
    try:
        key = secrets.get_or_create_notes_key()
    except SecretsUnavailable:
        return False
    encrypt_notes(data_dir, device_id, cipher_from(key), now=now)
    return True
