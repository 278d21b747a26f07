from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user, login_required, logout_user
from markupsafe import Markup
from sqlalchemy import func, select

from forms.auth import (ApiTokenForm, ChangePasswordForm, ConfirmForm, DisableSecondFactorForm, EnrolForm,
                        LoginForm, ReauthForm, SecondFactorForm)
from webapp import accounts
from webapp.auth import (passwords, requires_second_factor, second_factor, start_session, stepup,
                         throttle)
from webapp.auth.stepup import require_recent_auth
from webapp.extensions import db
from webapp.models import User


bp = Blueprint("auth", __name__)

FAILED = "メールアドレスまたはパスワードが正しくありません。"
CODE_FAILED = "確認コードが正しくありません。"
REAUTH_FAILED = "パスワードまたは確認コードが正しくありません。"


def _locked(what: str) -> str:
    """How long to wait comes from the throttle's window (LOGIN_WINDOW_SECONDS)."""
    minutes = current_app.config["LOGIN_WINDOW_SECONDS"] // 60
    return f"{what}{minutes}分ほど待ってからもう一度お試しください。"


def locked_message() -> str:
    return _locked("ログインの失敗が続いたため、しばらくログインできません。")


def password_locked_message() -> str:
    return _locked("パスワードの入力誤りが続いたため、しばらく変更できません。")


def reauth_locked_message() -> str:
    return _locked("本人確認の失敗が続いたため、しばらく確認できません。")
# The password step is good for this long before the code must follow.
PENDING_SECONDS = 300


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the log-in page cannot redirect elsewhere."""
    if target:
        parts = urlsplit(target)
        # Control characters (CR/LF) could split the Location header: such a next is ignored.
        if (not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
                and target.isprintable()):
            return target
    return url_for("main.home")


def _client_address() -> str:
    return request.remote_addr or "-"


def _wait_or_refuse(email: str):
    """None when the attempt may go ahead (after any delay), else the throttle's verdict."""
    verdict = throttle.check(email, _client_address(), current_app.config)
    if verdict.locked:
        return verdict
    if verdict.delay:
        time.sleep(verdict.delay)
    return None


def _remember_allowed() -> bool:
    return current_app.config["REMEMBER_COOKIE_DURATION"].total_seconds() > 0


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if _wait_or_refuse(email):
            flash(locked_message(), "danger")
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        ok = passwords.verify_password(user.password_hash if user else None, form.password.data)
        if ok and user.is_active:
            remember = bool(form.remember.data) and _remember_allowed()
            target = _safe_next(request.args.get("next"))
            if user.has_second_factor:
                session.clear()
                session["_pending_2fa"] = {"user": user.id, "token": user.session_token,
                                           "remember": remember, "next": target,
                                           "at": int(time.time())}
                return redirect(url_for("auth.login_code"))
            throttle.clear(email)
            start_session(user, remember=remember)
            return redirect(target)
        throttle.record_failure(email, _client_address())
        flash(FAILED, "danger")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get("_pending_2fa")
    if not isinstance(pending, dict) or int(time.time()) - pending.get("at", 0) > PENDING_SECONDS:
        return None, {}
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.is_active or user.session_token != pending.get("token"):
        return None, {}
    return user, pending


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of logging in: a TOTP code or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    user, pending = _pending_user()
    if user is None:
        session.pop("_pending_2fa", None)
        flash("もう一度メールアドレスとパスワードを入力してください。", "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if _wait_or_refuse(user.email):
            flash(locked_message(), "danger")
            return render_template("auth/login_code.html", form=form), 429
        # The code is marked used in this transaction (compare-and-set), committed
        # before the session is issued: a code posted by several log-ins at once logs in one.
        accepted = second_factor.verify_login_code(user, form.code.data)
        if accepted:
            db.session.commit()
            throttle.clear(user.email)
            start_session(user, remember=pending["remember"])
            _recovery_codes_notice(user, used_one=accepted == second_factor.RECOVERY)
            return redirect(_safe_next(pending["next"]))
        db.session.rollback()
        throttle.record_failure(user.email, _client_address())
        form.code.errors.append(CODE_FAILED)
        return render_template("auth/login_code.html", form=form), 401
    return render_template("auth/login_code.html", form=form)


# At or below this many unused recovery codes, a log-in asks for new ones.
FEW_RECOVERY_CODES = 3


def _recovery_codes_notice(user: User, used_one: bool) -> None:
    """After a log-in: how many recovery codes are left when one was used, and a way to
    new ones when few are."""
    left = second_factor.remaining_recovery_codes(user)
    said = (f"回復コードでログインしました。残りは{left}個です。" if used_one
            else f"未使用の回復コードは残り{left}個です。")
    if left > FEW_RECOVERY_CODES:
        if used_one:
            flash(said, "info")
        return
    flash(Markup("{}残りが少ないため、<a href=\"{}\">2段階認証の設定</a>で新しい回復コードを発行してください。")
          .format(said, url_for("auth.two_factor")), "warning")


@bp.route("/logout", methods=["POST"])
def logout():
    # Ends this user's sessions everywhere: a copied cookie must not outlive log-out.
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        accounts.end_sessions(user, user, logging_out=True)
        db.session.commit()
    logout_user()
    session.clear()
    flash("ログアウトしました。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@login_required
def account():
    from webapp.api import tokens
    return render_template("auth/account.html",
                           requires_2fa=requires_second_factor(current_user, current_app.config),
                           recovery_left=second_factor.remaining_recovery_codes(current_user),
                           api_tokens=tokens.tokens_of(current_user), token_form=ApiTokenForm(),
                           revoke_form=ConfirmForm())


@bp.route("/account/logout-all", methods=["POST"])
@login_required
def logout_all():
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.account"))
    user = current_user._get_current_object()
    accounts.end_sessions(user, user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("すべての端末からログアウトしました。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/confirm", methods=["GET", "POST"])
@login_required
def reauthenticate():
    """本人確認: the step-up before a credential change (webapp/auth/stepup.py)."""
    user = current_user._get_current_object()
    form = ReauthForm()
    target = _safe_next(request.args.get("next"))
    status = 200
    if form.validate_on_submit():
        code = (form.code.data or "").strip()
        if user.has_second_factor and not code:
            form.code.errors.append("確認コードを入力してください。")
        elif _wait_or_refuse(user.email):
            flash(reauth_locked_message(), "danger")
            status = 429
        elif (passwords.verify_password(user.password_hash, form.password.data)
              and (not user.has_second_factor or second_factor.verify_login_code(user, code))):
            accounts.record_step_up(user)
            db.session.commit()
            throttle.clear(user.email)
            stepup.mark(user)
            return redirect(target)
        else:
            # A used TOTP step or recovery code is kept only when the whole step-up succeeds.
            db.session.rollback()
            throttle.record_failure(user.email, _client_address())
            stepup.log.warning("step-up failed for user %s from %s", user.id, _client_address())
            form.password.errors.append(REAUTH_FAILED)
            status = 401
    return render_template("auth/reauthenticate.html", form=form,
                           needs_code=user.has_second_factor), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@require_recent_auth
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if _wait_or_refuse(current_user.email):
            flash(password_locked_message(), "danger")
            return render_template("auth/change_password.html", form=form), 429
        if not passwords.verify_password(current_user.password_hash, form.old_password.data):
            throttle.record_failure(current_user.email, _client_address())
            form.old_password.errors.append("現在のパスワードが正しくありません。")
        else:
            user = current_user._get_current_object()
            proved_at = stepup.proved_at(user)
            try:
                accounts.change_password(user, form.new_password.data)
            except accounts.AccountError as exc:
                form.new_password.errors.extend(exc.problems)
            else:
                db.session.commit()
                throttle.clear(user.email)
                # Every other session ends; this one goes on under the new token.
                start_session(user, proved_at=proved_at)
                flash("パスワードを変更しました。ほかの端末ではログアウトされました。", "success")
                return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Enrolment: scan the QR code (or type the secret), then confirm with a code."""
    user = current_user._get_current_object()
    if user.has_second_factor:
        return render_template("auth/two_factor.html", enrolled=True,
                               disable_form=DisableSecondFactorForm(), renew_form=ConfirmForm(),
                               recovery_code_count=second_factor.RECOVERY_CODE_COUNT,
                               required=requires_second_factor(user, current_app.config),
                               recovery_left=second_factor.remaining_recovery_codes(user))
    # Enrolling replaces whatever second factor the account had: a step-up first
    # (right after log-in, the log-in itself is one).
    refused = stepup.demand(url_for("auth.two_factor"))
    if refused is not None:
        return refused
    secret = session.get("_totp_pending")
    if not isinstance(secret, str):
        secret = session["_totp_pending"] = second_factor.new_secret()
    form = EnrolForm()
    if form.validate_on_submit():
        if _wait_or_refuse(user.email):
            flash(locked_message(), "danger")
        else:
            step = second_factor.matching_step(secret, form.code.data)
            if step is not None:
                proved_at = stepup.proved_at(user)
                codes = accounts.enable_second_factor(user, secret, step)
                db.session.commit()  # other sessions have ended; this one goes on
                throttle.clear(user.email)
                start_session(user, proved_at=proved_at)
                return render_template("auth/recovery_codes.html", codes=codes)
            throttle.record_failure(user.email, _client_address())
            form.code.errors.append(CODE_FAILED + "認証アプリの時刻が合っているかも確認してください。")
    uri = second_factor.provisioning_uri(secret, user.email)
    return render_template("auth/two_factor.html", enrolled=False, form=form, secret=secret,
                           qr=second_factor.qr_svg_data_uri(uri),
                           required=requires_second_factor(user, current_app.config))


@bp.route("/account/two-factor/disable", methods=["POST"])
@login_required
@require_recent_auth(back="auth.two_factor")
def disable_two_factor():
    user = current_user._get_current_object()
    form = DisableSecondFactorForm()
    if requires_second_factor(user, current_app.config):
        flash("この役割では2段階認証を解除できません。", "danger")
        return redirect(url_for("auth.two_factor"))
    if form.validate_on_submit():
        if _wait_or_refuse(user.email):
            flash(password_locked_message(), "danger")
        elif passwords.verify_password(user.password_hash, form.password.data):
            accounts.disable_second_factor(user, user)
            db.session.commit()
            flash("2段階認証を解除しました。", "info")
            return redirect(url_for("auth.account"))
        else:
            throttle.record_failure(user.email, _client_address())
            flash("現在のパスワードが正しくありません。", "danger")
    return redirect(url_for("auth.two_factor"))


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
@require_recent_auth(back="auth.two_factor")
def renew_recovery_codes():
    """New recovery codes for old ones (used up, or lost), shown once; all the old ones stop working."""
    user = current_user._get_current_object()
    if not user.has_second_factor or not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.two_factor"))
    codes = accounts.renew_recovery_codes(user)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, renewed=True)
