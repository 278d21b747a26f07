"""User administration (admins only)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from forms.admin import UserForm
from webapp.accounts import AccountError, create_user
from webapp.auth.passwords import hash_password, password_problems
from webapp.extensions import db
from webapp.models import Organisation, User
from webapp.permissions import require
from webapp.timeutil import utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")


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
            errors += password_problems(form.password.data, email, current_app.config["PASSWORD_MIN_LENGTH"])
        if not errors:
            user.email, user.display_name, user.role = email, form.display_name.data.strip(), form.role.data
            user.organisation_id = form.organisation_id.data or None
            user.active = form.active.data
            if form.password.data:
                user.password_hash = hash_password(form.password.data)
                user.password_changed_at = utcnow()
            db.session.commit()
            flash(f"{user.email} を更新しました。", "success")
            return redirect(url_for("admin.users"))
        for e in errors:
            flash(e, "danger")
    return render_template("admin/user_form.html", form=form, user=user)
