"""User administration (admins only)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from forms.admin import UserForm
from forms.auth import ConfirmForm
from webapp.accounts import (AccountError, create_user, disable_second_factor, end_sessions,
                             update_user)
from webapp.auth import start_session, stepup
from webapp.extensions import db
from webapp.models import Organisation, User
from webapp.permissions import require

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
        if form.role.data == "admin":
            # A new admin account is a new way in: only after a step-up.
            refused = stepup.demand(url_for("admin.new_user"))
            if refused is not None:
                return refused
        org = db.session.get(Organisation, form.organisation_id.data) if form.organisation_id.data else None
        try:
            user = create_user(current_user, form.email.data, form.display_name.data,
                               form.role.data, form.password.data or "", org,
                               active=form.active.data)
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
        if user.role == "admin" or form.role.data == "admin":
            # Any change of an admin account (its password, e-mail, role, active flag),
            # or making someone an admin, only after a step-up.
            refused = stepup.demand(url_for("admin.edit_user", user_id=user.id))
            if refused is not None:
                return refused
        proved_at = stepup.proved_at(current_user)
        try:
            update_user(current_user, user, email=form.email.data,
                        display_name=form.display_name.data, role=form.role.data,
                        organisation_id=form.organisation_id.data or None,
                        active=form.active.data, password=form.password.data or "")
            db.session.commit()
        except AccountError as exc:
            db.session.rollback()
            for problem in exc.problems:
                flash(problem, "danger")
        else:
            if user.id == current_user.id and form.password.data:
                start_session(user, proved_at=proved_at)
            flash(f"{user.email} を更新しました。", "success")
            return redirect(url_for("admin.users"))
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
        end_sessions(current_user, user)
        db.session.commit()
        if user.id == current_user.id:
            return redirect(url_for("auth.login"))
        flash(f"{user.email} をすべての端末からログアウトさせました。", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reset-2fa", methods=["POST"])
@login_required
def reset_second_factor(user_id: int):
    user = _managed_user(user_id)
    if user.role == "admin":
        refused = stepup.demand(url_for("admin.edit_user", user_id=user.id))
        if refused is not None:
            return refused
    if ConfirmForm().validate_on_submit():
        disable_second_factor(current_user, user)
        db.session.commit()
        if user.id == current_user.id:
            return redirect(url_for("auth.login"))
        flash(f"{user.email} の2段階認証をリセットしました。次回ログイン時に登録し直します。", "success")
    return redirect(url_for("admin.users"))
