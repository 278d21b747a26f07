"""The second factor: TOTP (RFC 6238) through pyotp, and one-time recovery codes."""
from __future__ import annotations

import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, select

from webapp.auth.passwords import hash_password, verify_password
from webapp.extensions import db
from webapp.models import RecoveryCode, User
from webapp.timeutil import utcnow

ISSUER = "九州地域戦略会議 個票システム"
RECOVERY_CODE_COUNT = 10
# No look-alike characters: the codes are read off paper.
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The QR code as an SVG data: URI (drawn here; the secret never leaves the server)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def matching_step(secret: str, code: str, after: int | None = None) -> int | None:
    """The time step that `code` belongs to (this one or a neighbour), if any and not used yet."""
    code = "".join(ch for ch in (code or "") if not ch.isspace())
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time())
    for offset in (0, -1, 1):
        at = now + offset * totp.interval
        step = totp.timecode(at)
        if (after is None or step > after) and secrets.compare_digest(totp.at(at), code):
            return step
    return None


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned once, to be shown."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_password(raw)))
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    code = _normalise(code)
    if len(code) != 10:
        return False
    unused = db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all()
    for row in unused:
        if verify_password(row.code_hash, code):
            row.used_at = utcnow()
            return True
    return False


def verify_login_code(user: User, code: str) -> bool:
    """A current TOTP code (each accepted once) or an unused recovery code."""
    step = matching_step(user.totp_secret, code, after=user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return True
    return use_recovery_code(user, code)


def enable(user: User, secret: str, step: int) -> list[str]:
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, utcnow(), step
    return new_recovery_codes(user)


def disable(user: User) -> None:
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def remaining_recovery_codes(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())
