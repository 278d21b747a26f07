"""Accounts: log-in with throttling and a second factor, log-out, password change.

A session (and a remember-me cookie) names the user *and* the user's current
session token (`User.get_id`); a new token ends every session at once. The
session also carries when it began and when it was last used, checked on every
request against SESSION_ABSOLUTE_SECONDS and SESSION_IDLE_SECONDS.
"""
from __future__ import annotations

import datetime as dt
import hmac
import time

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, user_loaded_from_cookie

from webapp.api import is_api_path
from webapp.auth import stepup
from webapp.extensions import db, login_manager
from webapp.models import User

# Why a user finds themselves on the log-in page again.
END_REASONS = {
    "idle": "一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。",
    "absolute": "ログインしてから長時間が経過したため、ログアウトしました。もう一度ログインしてください。",
    "revoked": ("ログアウト、パスワードの変更、またはアカウントの変更により、このセッションは終了しました。"
                "もう一度ログインしてください。"),
}
# What a user who must enrol a second factor may still open.
_ENROLMENT_ENDPOINTS = {"auth.two_factor", "auth.reauthenticate", "auth.logout", "auth.login",
                        "static", "bootstrap.static"}
_SEEN_GRANULARITY = 60  # seconds; so that not every request rewrites the cookie


def register(app: Flask) -> None:
    from webapp.auth.views import bp
    app.register_blueprint(bp)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "ログインしてください。"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.localize_callback = _login_message
    days = max(0, min(30, int(app.config.get("REMEMBER_DAYS", 30))))
    app.config["REMEMBER_COOKIE_DURATION"] = dt.timedelta(days=days)
    app.before_request(_enforce_session_limits)
    app.before_request(_second_factor_gate)


def requires_second_factor(user, config) -> bool:
    roles = config.get("REQUIRE_2FA_FOR") or ""
    if isinstance(roles, str):
        roles = roles.split(",")
    return user.role in {r.strip() for r in roles if r.strip()}


def start_session(user: User, remember: bool = False, proved_at: int | None = None) -> None:
    """Log `user` in on a fresh session (no key of a previous session survives).

    The session counts as a step-up from now (a log-in is one), or from
    `proved_at` when it only replaces a session after a change the user made.
    """
    from flask_login import login_user
    session.clear()
    login_user(user, remember=remember)
    session.permanent = True
    _stamp()
    stepup.mark(user, proved_at)


def _stamp() -> None:
    now = int(time.time())
    session["_auth_at"] = session["_seen_at"] = now


@user_loaded_from_cookie.connect
def _restored_from_cookie(app, user=None, **_):
    # Flask-Login restores the user but not the session's client identifier; with
    # "strong" protection the next request then found none, cleared the session and
    # deleted the remember-me cookie: a remembered log-in lasted one page.
    from flask_login.utils import _create_identifier
    session["_id"] = _create_identifier()
    session.permanent = True
    _stamp()


def _login_message(message: str) -> str:
    return END_REASONS.get(g.get("session_end_reason"), message)


def _enforce_session_limits():
    if is_api_path(request.path) or "_user_id" not in session:  # the API reads no session
        return None
    now = int(time.time())
    began, seen = session.get("_auth_at"), session.get("_seen_at")
    reason = None
    if not isinstance(began, int) or now - began > current_app.config["SESSION_ABSOLUTE_SECONDS"]:
        reason = "absolute"
    elif not isinstance(seen, int) or now - seen > current_app.config["SESSION_IDLE_SECONDS"]:
        reason = "idle"
    if reason:
        # Dropping the user from the session (not the whole session) lets a valid
        # remember-me cookie, which the user asked for, start a new one.
        for key in ("_user_id", "_fresh", "_id", "_auth_at", "_seen_at", stepup.SESSION_KEY):
            session.pop(key, None)
        g.session_end_reason = reason
    elif now - seen >= _SEEN_GRANULARITY:
        session["_seen_at"] = now
    return None


def _second_factor_gate():
    if is_api_path(request.path):  # tokens, not sessions (webapp/api)
        return None
    if request.endpoint in _ENROLMENT_ENDPOINTS or not current_user.is_authenticated:
        return None
    if requires_second_factor(current_user, current_app.config) and not current_user.has_second_factor:
        if request.method == "GET":
            flash("この役割では2段階認証が必要です。認証アプリを登録してください。", "warning")
        return redirect(url_for("auth.two_factor"))
    return None


@login_manager.user_loader
def _load_user(user_id: str):
    raw_id, _, token = user_id.partition(":")
    user = db.session.get(User, int(raw_id)) if raw_id.isdigit() and len(raw_id) < 12 else None
    if user is None or not user.is_active or not hmac.compare_digest(token, user.session_token):
        g.session_end_reason = "revoked"
        return None
    return user
