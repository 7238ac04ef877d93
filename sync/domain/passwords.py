"""Password policy and argon2id hashing.

A password is accepted when it is long enough, mixes letters and digits, is not on the
common-password list, and the zxcvbn estimator (Dropbox's, ported to Python) rates it at
least "safely unguessable" for an online attack (score 3 of 4). zxcvbn sees through the
tricks the letter-and-digit rule lets pass: ``password123`` is on its list, and
``aaaaaaaaa1`` or ``          1a`` are repeats. The demo's ``Workroom2026`` scores 3.
"""

from __future__ import annotations

from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.matching import RANKED_DICTIONARIES

from sync.errors import DomainError
from sync.i18n import t

MIN_LENGTH = 10
MAX_LENGTH = 256
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching grows quickly with length); what follows the
# first 72 characters only makes a password stronger.
_ESTIMATED_LENGTH = 72
_COMMON = RANKED_DICTIONARIES["passwords"]

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this when the username is unknown keeps the timing the same, so a
# login's duration does not reveal which usernames exist. Same hasher, same parameters.
_DUMMY_HASH = _hasher.hash("dummy-password-0")


def refusal(password: str, *, user_inputs: Sequence[str] = ()) -> str | None:
    """Why ``password`` is refused (a zh-CN sentence), or None when it is acceptable.

    ``user_inputs`` are the account's own words (username, name): a password built from
    them is easy to guess for anyone who knows whose account it is.
    """
    if len(password) < MIN_LENGTH:
        return t("password.too_short", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return t("password.too_long", max=MAX_LENGTH)
    if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
        return t("password.letters_and_digits")
    if password.lower() in _COMMON or password.strip().lower() in _COMMON:
        return t("password.common")
    estimate = zxcvbn(password[:_ESTIMATED_LENGTH],
                      user_inputs=[word for word in user_inputs if word])
    if estimate["score"] < MIN_SCORE:
        return t("password.guessable")
    return None


def check_policy(password: str, *, user_inputs: Sequence[str] = ()) -> None:
    reason = refusal(password, user_inputs=user_inputs)
    if reason is not None:
        raise DomainError("invalid_password", field="password", message=reason)


def hash_password(password: str, *, user_inputs: Sequence[str] = ()) -> str:
    check_policy(password, user_inputs=user_inputs)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; always one argon2 verification, even without a hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
