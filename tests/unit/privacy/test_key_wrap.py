"""The notes key wrapped by a passphrase or a recovery code: opens with the right secret only,
names what is wrong with a damaged wrapping, and never holds the key in the clear."""

from __future__ import annotations

import base64

import pytest

from sec_desktop.privacy.key_wrap import (
    PASSPHRASE,
    RECOVERY,
    WrapError,
    WrongSecret,
    check_passphrase,
    new_recovery_code,
    unwrap_key,
    wrap_key,
)
from sec_desktop.privacy.keychain import key_id_for

KEY = bytes(range(32))
KEY_ID = key_id_for(KEY)
FAST_N = 2**10  # the format carries its cost; tests keep it low to stay quick


def test_the_passphrase_opens_it_and_nothing_else_does() -> None:
    doc = wrap_key(KEY, KEY_ID, "a long passphrase", PASSPHRASE, n=FAST_N)
    assert base64.b64encode(KEY).decode() not in str(doc)
    opened = unwrap_key(doc, "a long passphrase", PASSPHRASE)
    assert (opened.key, opened.key_id) == (KEY, KEY_ID)
    assert "key" not in repr(opened).replace("key_id", "")
    with pytest.raises(WrongSecret, match="passphrase does not open"):
        unwrap_key(doc, "a long passphrasE", PASSPHRASE)
    # A passphrase wrapping can't be opened as a recovery wrapping, nor moved to another key.
    with pytest.raises(WrongSecret):
        unwrap_key(doc, "a long passphrase", RECOVERY)
    with pytest.raises(WrongSecret):
        unwrap_key({**doc, "key_id": "0" * 16}, "a long passphrase", PASSPHRASE)


def test_a_recovery_code_opens_it_as_written_down() -> None:
    code = new_recovery_code()
    assert len(code.split("-")) == 8 and code != new_recovery_code()
    doc = wrap_key(KEY, KEY_ID, code, RECOVERY, n=FAST_N)
    assert unwrap_key(doc, code.lower().replace("-", " "), RECOVERY).key == KEY


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"format": "x"}, "not a wrapped SEC Desktop notes key"),
        ({"key_id": ""}, "names no key id"),
        ({"version": 9}, "newer SEC Desktop"),
        ({"kdf": {"name": "md5"}}, "not scrypt"),
        ({"kdf": {"name": "scrypt", "n": 3, "r": 8, "p": 1, "salt": "AA=="}}, "out of range"),
        ({"kdf": {"name": "scrypt", "n": True, "r": 8, "p": 1}}, "not whole numbers"),
        ({"nonce": "%%%"}, "nonce is missing or not base64"),
    ],
)
def test_a_damaged_wrapping_says_what_is_wrong(change: dict[str, object], words: str) -> None:
    doc = {**wrap_key(KEY, KEY_ID, "a long passphrase", PASSPHRASE, n=FAST_N), **change}
    with pytest.raises(WrapError, match=words):
        unwrap_key(doc, "a long passphrase", PASSPHRASE)


def test_a_short_passphrase_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 8 characters"):
        check_passphrase("short")
    # The same passphrase typed with another keyboard layout's full-width letters still fits.
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "fullwidth")
    assert check_passphrase(full_width + " pass") == "fullwidth pass"
