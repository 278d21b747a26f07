"""Password hashing (Argon2id) and the rules a new password must meet."""
from __future__ import annotations

import re
import secrets
import string
import unicodedata

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


def normalise(password: str) -> str:
    """NFKC: 「ｐａｓｓｗｏｒｄ１２３４」 is password1234, whichever way the keyboard was set.

    Every check and every hash sees this form, so a password typed in full-width
    at set-up logs in typed in half-width too (and is judged as what it is).
    """
    return unicodedata.normalize("NFKC", password or "")


def hash_password(password: str) -> str:
    return _hasher.hash(normalise(password))


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_password(stored_hash: str | None, password: str) -> bool:
    password = password or ""
    if stored_hash is None:
        _verify(_dummy_hash(), password)
        return False
    if _verify(stored_hash, normalise(password)):
        return True
    # Hashes made before passwords were normalised hold the form as typed: a
    # full-width password set then still matches only raw. Tried second, and
    # only when NFKC changed something, so most log-ins pay for one hash.
    return normalise(password) != password and _verify(stored_hash, password)


def _common_passwords() -> frozenset[str]:
    # zxcvbn ships a frequency-ranked list of the 30,000 most used passwords
    # (from leaked password sets); loaded once, on first use.
    global _COMMON
    if _COMMON is None:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS
        _COMMON = frozenset(FREQUENCY_LISTS["passwords"])
    return _COMMON


_COMMON: frozenset[str] | None = None
# zxcvbn's score (0-4) a new password needs, and the longest run of common words refused.
MIN_SCORE = 3
MAX_COMMON_WORDS = 4


def password_problems(password: str, email: str, min_length: int, display_name: str = "",
                      current_hash: str | None = None) -> list[str]:
    """What is wrong with `password` as a new password, in Japanese (empty when it is fine)."""
    typed, password = password or "", normalise(password)
    display_name = normalise(display_name)
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
    if current_hash and verify_password(current_hash, typed):
        problems.append("現在のパスワードと同じパスワードは使えません。")
    if lowered in _common_passwords() or "".join(lowered.split()) in _common_passwords():
        problems.append("よく使われているパスワードのため使えません。")
    elif len(password) >= min_length and _guessable(password, [local_part, name]):
        problems.append(GUESSABLE)
    elif len(password) >= min_length and few_common_words(password):
        problems.append(FEW_WORDS)
    return problems


GUESSABLE = ("推測されやすいパスワードです（同じ文字の繰り返し、連続した数字やキーボードの並び、"
             "よく使われる単語の記号への置き換えなど）。別のパスワードにしてください。")
FEW_WORDS = (f"よく知られた単語を{MAX_COMMON_WORDS}語以下つなげただけのパスワードです。"
             "単語を増やすか、辞書にない言葉を混ぜてください。")


def _guessable(password: str, user_inputs: list[str]) -> bool:
    from zxcvbn import zxcvbn
    # zxcvbn's scores run 0 (guessed at once) to 4. Score 2 falls to an offline
    # attack on a leaked hash table within days; 3 and up is what we ask for
    # (it refuses 「P@ssw0rd2024!」: a common word, its usual substitutions and a year).
    return zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])["score"] < MIN_SCORE


def _words() -> frozenset[str]:
    # zxcvbn's word lists (English words, TV and film, names, passwords), each
    # word kept in one list only, so the union is taken; one- and two-letter
    # entries would let almost any text split into "words".
    global _WORDS
    if _WORDS is None:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS
        _WORDS = frozenset(w for words in FREQUENCY_LISTS.values() for w in words
                           if len(w) >= 3 and w.isalpha())
    return _WORDS


_WORDS: frozenset[str] | None = None
# Characters people put in place of letters (p@ssw0rd); "1" is tried as both i and l.
_UNLEET = str.maketrans({"@": "a", "4": "a", "3": "e", "0": "o", "$": "s", "5": "s",
                         "7": "t", "+": "t", "!": "i", "|": "l"})


def few_common_words(password: str) -> bool:
    """True when the password is at most MAX_COMMON_WORDS dictionary words run together.

    zxcvbn rates a passphrase by how rare each word is, and scores
    「correcthorsebatterystaple」 4 (very strong). But it is four common words,
    printed as the example of a strong password (xkcd 936) and in every cracking
    list since; and combinator attacks try common words joined two to four at a
    time. So: after lower case, undoing the usual substitutions and dropping
    spaces, separators and digits or symbols at either end, letters that split
    into four or fewer words of zxcvbn's lists are refused. Five words, or a
    word no list holds (「かぼす」 in romaji, a place name), pass.
    """
    text = password.lower()
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text)
    for variant in {core.replace("1", "i"), core.replace("1", "l")}:
        letters = re.sub(r"[\s\-_.,・/]+", "", variant.translate(_UNLEET))
        if letters.isascii() and letters.isalpha() and _min_words(letters) <= MAX_COMMON_WORDS:
            return True
    return False


def _min_words(text: str) -> int:
    """The fewest dictionary words that spell `text` exactly (a large number if none do)."""
    words, longest = _words(), 20
    best = [0] + [len(text) + 1] * len(text)
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - longest), end):
            if best[start] + 1 < best[end] and text[start:end] in words:
                best[end] = best[start] + 1
    return best[-1]


def random_password(length: int = 14) -> str:
    # No look-alike characters: demo passwords get read off a screen.
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0OoIl1")
    return "".join(secrets.choice(alphabet) for _ in range(length))
