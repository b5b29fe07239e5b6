"""The notes key wrapped for the data folder, so every device of the user can unlock it.

The key itself lives only in each device's keychain. The data folder holds it wrapped
(AES-256-GCM) by a key derived from the user's passphrase with scrypt, a memory-hard KDF
(`cryptography`'s), and optionally a second wrapping by a recovery code. Both are shared
records (kind "encryption", keys `wrapped/passphrase` and `wrapped/recovery`), so a device
that changes the passphrase writes only its own file. No Qt here.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sec_desktop.store.notes_crypto import ENCRYPTION_KIND
from sec_desktop.store.shared_records import read_records

WRAP_FORMAT = "sec-desktop/wrapped-notes-key"
WRAP_VERSION = 1
PASSPHRASE, RECOVERY = "passphrase", "recovery"
WRAPPED_PREFIX = "wrapped/"
# scrypt at N=2^15, r=8: 32 MiB and ~0.1 s per try on a laptop; guessing stays expensive.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
MAX_SCRYPT_N = 2**20
SALT_BYTES = 16
NONCE_BYTES = 12
MIN_PASSPHRASE_CHARS = 8
RECOVERY_BYTES = 20  # 160 bits, 32 base32 characters
RECOVERY_GROUP = 4


class WrapError(Exception):
    """A wrapped key that can't be opened; the message says why, for the user."""


class WrongSecret(WrapError):
    """The passphrase or recovery code does not open the wrapped key."""


@dataclass(frozen=True, repr=False)
class Unwrapped:
    """A notes key opened from the data folder, with its public id."""

    key: bytes
    key_id: str

    def __repr__(self) -> str:  # never print the key
        return f"Unwrapped(key_id={self.key_id!r})"


def wrapped_record_key(kind: str) -> str:
    return WRAPPED_PREFIX + kind


def check_passphrase(passphrase: str) -> str:
    """The passphrase as it is used (Unicode-normalised); ValueError names what is wrong."""
    clean = unicodedata.normalize("NFKC", passphrase)
    if len(clean.strip()) < MIN_PASSPHRASE_CHARS:
        raise ValueError(f"a passphrase needs at least {MIN_PASSPHRASE_CHARS} characters")
    return clean


def new_recovery_code() -> str:
    """A random recovery code, grouped for writing down: `ABCD-EFGH-...` (8 groups)."""
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_BYTES)).decode("ascii").rstrip("=")
    return "-".join(raw[i : i + RECOVERY_GROUP] for i in range(0, len(raw), RECOVERY_GROUP))


def normalize_recovery_code(code: str) -> str:
    """The code as typed, without spaces, dashes or case: what the wrapping was made with."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _secret_bytes(secret: str, kind: str) -> bytes:
    if kind == RECOVERY:
        return normalize_recovery_code(secret).encode("ascii", "ignore")
    return unicodedata.normalize("NFKC", secret).encode("utf-8")


def _derive(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(secret)


def _associated(key_id: str, kind: str) -> bytes:
    return f"{WRAP_FORMAT}/v{WRAP_VERSION}\0{kind}\0{key_id}".encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def wrap_key(
    key: bytes, key_id: str, secret: str, kind: str, *, n: int = SCRYPT_N
) -> dict[str, Any]:
    """The record value that holds `key` sealed by `secret` (a passphrase or recovery code)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    wrapping = _derive(_secret_bytes(secret, kind), salt, n, SCRYPT_R, SCRYPT_P)
    sealed = AESGCM(wrapping).encrypt(nonce, key, _associated(key_id, kind))
    return {
        "format": WRAP_FORMAT,
        "version": WRAP_VERSION,
        "kind": kind,
        "key_id": key_id,
        "kdf": {"name": "scrypt", "n": n, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt)},
        "nonce": _b64(nonce),
        "ct": _b64(sealed),
    }


def _field_bytes(doc: Mapping[str, Any], name: str) -> bytes:
    try:
        return base64.b64decode(str(doc[name]), validate=True)
    except (KeyError, binascii.Error, ValueError) as exc:
        raise WrapError(f"its {name} is missing or not base64") from exc


def _whole(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise WrapError("its scrypt parameters are not whole numbers")
    return value


def wrapped_key_id(doc: object) -> str:
    """The key id a wrapped key names; WrapError when it is no wrapped key."""
    if not isinstance(doc, Mapping) or doc.get("format") != WRAP_FORMAT:
        raise WrapError("it is not a wrapped SEC Desktop notes key")
    key_id = doc.get("key_id")
    if not isinstance(key_id, str) or not key_id:
        raise WrapError("it names no key id")
    return key_id


def unwrap_key(doc: object, secret: str, kind: str) -> Unwrapped:
    """Open a wrapped key; WrongSecret when the secret doesn't fit, WrapError when damaged."""
    key_id = wrapped_key_id(doc)
    if not isinstance(doc, Mapping):  # pragma: no cover - wrapped_key_id checked it
        raise WrapError("it is not a wrapped SEC Desktop notes key")
    version = doc.get("version")
    if not isinstance(version, int) or version > WRAP_VERSION:
        raise WrapError(f"a newer SEC Desktop wrote it (version {version!r})")
    kdf = doc.get("kdf")
    if not isinstance(kdf, Mapping) or kdf.get("name") != "scrypt":
        raise WrapError("its key derivation is not scrypt")
    n, r, p = (_whole(kdf.get(name)) for name in ("n", "r", "p"))
    if n > MAX_SCRYPT_N or n & (n - 1) or r > 64 or p > 16:
        raise WrapError("its scrypt parameters are out of range")
    salt = _field_bytes(kdf, "salt")
    nonce, sealed = _field_bytes(doc, "nonce"), _field_bytes(doc, "ct")
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    wrapping = _derive(_secret_bytes(secret, kind), salt, n, r, p)
    try:
        key = AESGCM(wrapping).decrypt(nonce, sealed, _associated(key_id, kind))
    except InvalidTag as exc:
        what = "recovery code" if kind == RECOVERY else "passphrase"
        raise WrongSecret(f"the {what} does not open the notes key {key_id}") from exc
    except ValueError as exc:
        raise WrapError(f"its nonce is not usable ({exc})") from exc
    return Unwrapped(key, key_id)


@dataclass(frozen=True)
class FolderKey:
    """The notes key the data folder offers to every device: its id and its wrappings (the
    record values), with what could not be read."""

    key_id: str | None = None
    passphrase: Mapping[str, Any] | None = None
    recovery: Mapping[str, Any] | None = None
    problems: tuple[str, ...] = ()


def read_folder_key(data_dir: Path) -> FolderKey:
    """The wrapped notes key in the data folder, merged over every device's records.

    The passphrase wrapping names the folder's key; a recovery wrapping of another key (made
    before the key changed) is not offered.
    """
    records = read_records(data_dir, ENCRYPTION_KIND)
    problems = [f"{path} can't be read ({reason})" for path, reason in records.problems.items()]
    found: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for kind in (PASSPHRASE, RECOVERY):
        doc = records.get(wrapped_record_key(kind))
        if doc is None:
            continue
        try:
            found[kind] = (wrapped_key_id(doc), doc)
        except WrapError as exc:
            problems.append(f"the folder's {kind} wrapping of the notes key is not usable: {exc}")
    passphrase = found.get(PASSPHRASE)
    recovery = found.get(RECOVERY)
    key_id = passphrase[0] if passphrase else (recovery[0] if recovery else None)
    if recovery and recovery[0] != key_id:
        recovery = None
    return FolderKey(
        key_id,
        passphrase[1] if passphrase else None,
        recovery[1] if recovery else None,
        tuple(problems),
    )


__all__ = [
    "PASSPHRASE",
    "RECOVERY",
    "FolderKey",
    "Unwrapped",
    "WrapError",
    "WrongSecret",
    "check_passphrase",
    "new_recovery_code",
    "normalize_recovery_code",
    "read_folder_key",
    "unwrap_key",
    "wrap_key",
    "wrapped_key_id",
    "wrapped_record_key",
]
