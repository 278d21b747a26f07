"""Step-up (本人確認): the password, and the code for users with a second factor,
confirmed within the last REAUTH_MINUTES before credentials change.

A session cookie proves that someone logged in once; it may have been copied
since. Changing a password, a second factor or recovery codes, and an admin
changing an admin account, therefore need a recent proof from the person
(ASVS 2.x / 3.x "re-authentication before sensitive changes"). The time of that
proof lives in the signed session, bound to the user's session token, so it
ends with the session and cannot be carried to another user's session.

A log-in is such a proof (the first-time second-factor enrolment right after
it needs nothing more); a session restored from a remember-me cookie is not.
"""
from __future__ import annotations

import functools
import hmac
import logging
import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user

SESSION_KEY = "reauth_at"
# The application's security log (also the admin's second-factor resets).
log = logging.getLogger("webapp.security")
NEEDED = "この操作の前に、本人確認のためパスワードをもう一度入力してください。"


def mark(user, at: int | None = None) -> None:
    """Record a proof by `user` at `at` (now) for this session."""
    session[SESSION_KEY] = {"at": int(time.time()) if at is None else int(at),
                            "token": user.session_token}


def proved_at(user) -> int | None:
    """When `user` last proved who they are in this session (None: not in it)."""
    value = session.get(SESSION_KEY)
    if not isinstance(value, dict) or not isinstance(value.get("at"), int):
        return None
    token = value.get("token")
    if not isinstance(token, str) or not hmac.compare_digest(token, user.session_token):
        return None
    return value["at"]


def is_recent(user) -> bool:
    at = proved_at(user)
    window = current_app.config["REAUTH_MINUTES"] * 60
    return at is not None and 0 <= int(time.time()) - at <= window


def demand(back: str):
    """None when the current user proved themselves recently; else a redirect to
    the step-up page, which sends them to `back` (a page to GET) afterwards."""
    if is_recent(current_user):
        return None
    flash(NEEDED, "warning")
    return redirect(url_for("auth.reauthenticate", next=back))


def require_recent_auth(view=None, *, back: str | None = None):
    """Decorator: the view runs only after a recent step-up.

    A GET goes to the step-up page and comes back to itself; a POST is refused
    before it changes anything and comes back to `back` (an endpoint), or the
    same URL read with GET, where the form can be sent again.
    """
    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if request.method == "GET":
                target = request.full_path.rstrip("?")
            elif back is not None:
                target = url_for(back)
            else:
                target = request.path
            return demand(target) or func(*args, **kwargs)
        return wrapper
    return decorate(view) if view is not None else decorate
