"""User administration (admins only)."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from forms.admin import UserForm
from forms.auth import ConfirmForm
from webapp.accounts import AccountError, create_user
from webapp.auth import second_factor, start_session
from webapp.auth.passwords import hash_password, password_problems
from webapp.extensions import db
from webapp.models import Organisation, User
from webapp.permissions import require
from webapp.timeutil import utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")
security_log = logging.getLogger("webapp.security")


def _form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.id)).all()
    form.organisation_id.choices = [(0, "（なし）")] + [(o.id, o.name) for o in orgs]
    if user is not None and not form.is_submitted():
        form.organisation_id.data = user.organisation_id or 0
    return form


@bp.route("/users")
@login_required
def users():
    require(current_user, "manage_users")
    rows = db.session.scalars(select(User).where(User.system.is_(False))
                              .order_by(User.role, User.organisation_id, User.email)).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    require(current_user, "manage_users")
    form = _form()
    if form.validate_on_submit():
        org = db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
        try:
            user = create_user(form.email.data, form.display_name.data, form.role.data,
                               form.password.data or "", org)
            user.active = form.active.data
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash(f"{user.email} を作成しました。", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):
    require(current_user, "manage_users")
    user = db.session.get(User, user_id)
    if user is None or user.system:
        abort(404)
    form = _form(user)
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        errors = []
        clash = db.session.scalar(select(User).where(func.lower(User.email) == email, User.id != user.id))
        if clash:
            errors.append(f"{email} は既に登録されています。")
        if form.role.data == "coordinator" and not form.organisation_id.data:
            errors.append("幹事担当者には組織が必要です。")
        if user.id == current_user.id and (form.role.data != "admin" or not form.active.data):
            errors.append("自分自身の管理者権限や有効状態は変更できません。")
        if form.password.data:
            errors += password_problems(form.password.data, email, current_app.config["PASSWORD_MIN_LENGTH"],
                                        display_name=form.display_name.data.strip(),
                                        current_hash=user.password_hash)
        if not errors:
            user.email, user.display_name, user.role = email, form.display_name.data.strip(), form.role.data
            user.organisation_id = form.organisation_id.data or None
            deactivated = user.active and not form.active.data
            user.active = form.active.data
            if form.password.data:
                user.password_hash = hash_password(form.password.data)
                user.password_changed_at = utcnow()
            if form.password.data or deactivated:
                # A new token now, so that reactivating later brings no old session back.
                user.end_all_sessions()
            db.session.commit()
            if user.id == current_user.id and form.password.data:
                start_session(user)
            flash(f"{user.email} を更新しました。", "success")
            return redirect(url_for("admin.users"))
        for e in errors:
            flash(e, "danger")
    return render_template("admin/user_form.html", form=form, user=user)


def _managed_user(user_id: int) -> User:
    require(current_user, "manage_users")
    user = db.session.get(User, user_id)
    if user is None or user.system:
        abort(404)
    return user


@bp.route("/users/<int:user_id>/logout-all", methods=["POST"])
@login_required
def logout_user_everywhere(user_id: int):
    user = _managed_user(user_id)
    if ConfirmForm().validate_on_submit():
        user.end_all_sessions()
        db.session.commit()
        security_log.info("sessions of %s ended by %s", user.email, current_user.email)
        if user.id == current_user.id:
            return redirect(url_for("auth.login"))
        flash(f"{user.email} をすべての端末からログアウトさせました。", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reset-2fa", methods=["POST"])
@login_required
def reset_second_factor(user_id: int):
    user = _managed_user(user_id)
    if ConfirmForm().validate_on_submit():
        second_factor.disable(user)
        user.end_all_sessions()
        db.session.commit()
        # No audit table yet (issue 8 brings one): the application log keeps the record.
        security_log.warning("second factor of %s reset by %s", user.email, current_user.email)
        if user.id == current_user.id:
            return redirect(url_for("auth.login"))
        flash(f"{user.email} の2段階認証をリセットしました。次回ログイン時に登録し直します。", "success")
    return redirect(url_for("admin.users"))
