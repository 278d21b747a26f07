"""Personal API tokens: create, revoke, list, authenticate, count against the rate limit.

A token is shown once, when it is made; only its SHA-256 is stored, so a copy of
the database hands nobody a token. Creating and revoking are operations like
every other write: they check, change, write one audit record and flush (the
caller commits). A token reads as its user: `webapp.permissions.can` decides
what it sees, and a deactivated user's tokens are refused.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import case, literal, select, update

from webapp import audit
from webapp.dbbase import UTCDateTime
from webapp.extensions import db
from webapp.models import ApiToken, User
from webapp.timeutil import utcnow

PREFIX = "kcr_"          # so that a leaked token is recognisable in logs and scanners
NAME_MAX = 100


class TokenError(Exception):
    """A refused token operation; the message is Japanese, shown as is."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _label(user: User) -> str:
    return f"{user.display_name}（{user.email}）"


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token of `user` named `name`; returns the row and the token, to show once."""
    name = (name or "").strip()
    if not name:
        raise TokenError("トークンの名前を入力してください（例：集計用スクリプト）。")
    if len(name) > NAME_MAX:
        raise TokenError(f"トークンの名前は{NAME_MAX}文字以内にしてください。")
    if not name.isprintable():
        raise TokenError("トークンの名前に制御文字は使えません。")
    if not user.is_active:
        raise TokenError("無効なアカウントにはトークンを発行できません。")
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_sha256=digest(plain), window_requests=0)
    db.session.add(token)
    db.session.flush()
    audit.record(user, "api_token_create", "user", user.id,
                 f"{_label(user)}がAPIトークン「{name}」を発行",
                 {"api_token": (None, f"{token.id}：{name}")})
    return token, plain


def revoke_token(actor: User, token: ApiToken) -> None:
    """The token stops working at once; it stays listed as 失効."""
    if token.user_id != actor.id:
        raise TokenError("このトークンを失効させる権限がありません。")
    if token.revoked_at is not None:
        raise TokenError("このトークンは既に失効しています。")
    token.revoked_at = utcnow()
    db.session.flush()
    audit.record(actor, "api_token_revoke", "user", actor.id,
                 f"{_label(actor)}がAPIトークン「{token.name}」を失効",
                 {"api_token": (f"{token.id}：{token.name}", None)})


def tokens_of(user: User) -> list[ApiToken]:
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all()


def owned_token(user: User, token_id: int) -> ApiToken | None:
    token = db.session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id else None


def authenticate(presented: str | None) -> ApiToken | None:
    """The live token `presented` is, of an active user; else None."""
    if not presented or len(presented) > 200 or not presented.startswith(PREFIX):
        return None
    wanted = digest(presented)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_sha256 == wanted))
    if token is None or not hmac.compare_digest(token.token_sha256, wanted):
        return None
    if token.revoked_at is not None or not token.user.is_active:
        return None
    return token


def count_request(token: ApiToken, limit: int, window_seconds: int) -> int | None:
    """Count one request of `token`: None when it may go ahead, else the seconds to wait.

    One UPDATE statement starts a new window or adds to the current one, only
    while under the limit, so simultaneous requests in any number of processes
    cannot all slip under it (the database serialises the row). It also records
    the token's last use. The caller commits.
    """
    now = utcnow()
    stamp = literal(now, UTCDateTime())
    window_start = now - dt.timedelta(seconds=window_seconds)
    expired = (ApiToken.window_started_at.is_(None)) | (ApiToken.window_started_at <= window_start)
    counted = db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id, expired | (ApiToken.window_requests < limit))
        .values(window_started_at=case((expired, stamp), else_=ApiToken.window_started_at),
                window_requests=case((expired, 1), else_=ApiToken.window_requests + 1),
                last_used_at=stamp)
        .execution_options(synchronize_session=False)).rowcount
    if counted:
        return None
    started = db.session.scalar(select(ApiToken.window_started_at).where(ApiToken.id == token.id))
    left = window_seconds - (now - started).total_seconds() if started else window_seconds
    return max(1, int(left + 0.999))
