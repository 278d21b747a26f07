"""The second factor: TOTP (RFC 6238) through pyotp, and one-time recovery codes."""
from __future__ import annotations

import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

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


# How a log-in code was accepted (verify_login_code's answer).
TOTP, RECOVERY = "totp", "recovery"


def use_recovery_code(user: User, code: str) -> bool:
    """Mark the matching unused code used; False when none matches or another log-in took it.

    The mark is a compare-and-set (`... WHERE used_at IS NULL`) in the caller's
    transaction: of several log-ins posting one code at once, one gets the row;
    on PostgreSQL the others wait for its commit and then find it used.
    """
    code = _normalise(code)
    if len(code) != 10:
        return False
    unused = db.session.scalars(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all()
    for row in unused:
        if verify_password(row.code_hash, code):
            taken = db.session.execute(
                update(RecoveryCode).where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow()).execution_options(synchronize_session=False))
            return taken.rowcount == 1
    return False


def accept_totp_step(user: User, step: int) -> bool:
    """Record `step` as the user's last accepted TOTP step unless it (or a later one) already is.

    A compare-and-set in the caller's transaction, so one code logs in once
    even when several log-ins post it at the same moment.
    """
    taken = db.session.execute(
        update(User).where(User.id == user.id,
                           or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def verify_login_code(user: User, code: str) -> str | None:
    """TOTP or RECOVERY when `code` is accepted (a current TOTP code not used before, or an
    unused recovery code, now marked used), else None. The caller commits before the session
    is issued."""
    step = matching_step(user.totp_secret, code, after=user.totp_last_step)
    if step is not None:
        return TOTP if accept_totp_step(user, step) else None
    return RECOVERY if use_recovery_code(user, code) else None


def enable(user: User, secret: str, step: int) -> list[str]:
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, utcnow(), step
    return new_recovery_codes(user)


def disable(user: User) -> None:
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def remaining_recovery_codes(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())
