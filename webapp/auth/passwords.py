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


def _common_passwords() -> frozenset[str]:
    # zxcvbn ships a frequency-ranked list of the 30,000 most used passwords
    # (from leaked password sets); loaded once, on first use.
    global _COMMON
    if _COMMON is None:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS
        _COMMON = frozenset(FREQUENCY_LISTS["passwords"])
    return _COMMON


_COMMON: frozenset[str] | None = None


def password_problems(password: str, email: str, min_length: int, display_name: str = "",
                      current_hash: str | None = None) -> list[str]:
    """What is wrong with `password` as a new password, in Japanese (empty when it is fine)."""
    password = password or ""
    if not password.strip():
        return ["空白だけのパスワードは使えません。" if password else "パスワードを入力してください。"]
    problems = []
    if len(password) < min_length:
        problems.append(f"パスワードは{min_length}文字以上にしてください。")
    lowered = password.lower()
    email = (email or "").strip().lower()
    local_part = email.split("@", 1)[0]
    if lowered.strip() == email:
        problems.append("メールアドレスと同じパスワードは使えません。")
    elif len(local_part) >= 3 and local_part in lowered:
        problems.append("メールアドレスの「@」より前の部分を含むパスワードは使えません。")
    name = "".join((display_name or "").lower().split())
    if len(name) >= 2 and name in "".join(lowered.split()):
        problems.append("表示名を含むパスワードは使えません。")
    if current_hash and verify_password(current_hash, password):
        problems.append("現在のパスワードと同じパスワードは使えません。")
    if lowered in _common_passwords() or "".join(lowered.split()) in _common_passwords():
        problems.append("よく使われているパスワードのため使えません。")
    elif len(password) >= min_length and _guessable(password, [local_part, name]):
        problems.append("推測されやすいパスワードです（同じ文字の繰り返し、連続した数字や"
                        "キーボードの並びなど）。別のパスワードにしてください。")
    return problems


def _guessable(password: str, user_inputs: list[str]) -> bool:
    from zxcvbn import zxcvbn
    # zxcvbn's scores run 0 (guessed at once) to 4; below 2 an online guesser succeeds.
    return zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])["score"] < 2


def random_password(length: int = 14) -> str:
    # No look-alike characters: demo passwords get read off a screen.
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0OoIl1")
    return "".join(secrets.choice(alphabet) for _ in range(length))
