from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from forms.auth import ChangePasswordForm, LoginForm
from webapp.auth import passwords, throttle
from webapp.extensions import db
from webapp.models import User
from webapp.timeutil import utcnow

bp = Blueprint("auth", __name__)

FAILED = "メールアドレスまたはパスワードが正しくありません。"
LOCKED = ("ログインの失敗が続いたため、しばらくログインできません。"
          "15分ほど待ってからもう一度お試しください。")


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the log-in page cannot redirect elsewhere."""
    if target:
        parts = urlsplit(target)
        # Control characters (CR/LF) could split the Location header: such a next is ignored.
        if (not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
                and target.isprintable()):
            return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        ip = request.remote_addr or "-"
        verdict = throttle.check(email, ip, current_app.config)
        if verdict.locked:
            flash(LOCKED, "danger")
            return render_template("auth/login.html", form=form), 429
        if verdict.delay:
            time.sleep(verdict.delay)
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        ok = passwords.verify_password(user.password_hash if user else None, form.password.data)
        if ok and user.is_active:
            throttle.clear(email)
            session.clear()
            login_user(user, remember=form.remember.data)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        throttle.record_failure(email, ip)
        flash(FAILED, "danger")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash("ログアウトしました。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not passwords.verify_password(current_user.password_hash, form.old_password.data):
            form.old_password.errors.append("現在のパスワードが正しくありません。")
        else:
            problems = passwords.password_problems(
                form.new_password.data, current_user.email, current_app.config["PASSWORD_MIN_LENGTH"])
            if problems:
                form.new_password.errors.extend(problems)
            else:
                current_user.password_hash = passwords.hash_password(form.new_password.data)
                current_user.password_changed_at = utcnow()
                db.session.commit()
                flash("パスワードを変更しました。", "success")
                return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)
