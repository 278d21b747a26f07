"""Password hashing (Argon2id) and the rules a new password must meet."""
from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified when the account does not exist, so that timing reveals nothing. Made on
# first use: a hash costs about 0.3 s of CPU, which every process paid at start.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("not a password of anybody")
    return _DUMMY_HASH


def use_fast_hashing() -> None:
    """Cheap Argon2 parameters for the test suite only (hashes stay verifiable)."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _DUMMY_HASH = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str, email: str, min_length: int) -> list[str]:
    problems = []
    if len(password) < min_length:
        problems.append(f"パスワードは{min_length}文字以上にしてください。")
    if password.strip().lower() == (email or "").strip().lower():
        problems.append("メールアドレスと同じパスワードは使えません。")
    return problems


def random_password(length: int = 14) -> str:
    # No look-alike characters: demo passwords get read off a screen.
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0OoIl1")
    return "".join(secrets.choice(alphabet) for _ in range(length))
