"""The account page's API tokens: issue (after a step-up, shown once) and revoke."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required

from forms.auth import ApiTokenForm, ConfirmForm
from webapp.api import PREFIX, tokens, tokens_bp
from webapp.auth.stepup import require_recent_auth
from webapp.extensions import db


@tokens_bp.route("/account/api-tokens", methods=["POST"])
@login_required
@require_recent_auth(back="auth.account")
def create():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return redirect(url_for("auth.account"))
    user = current_user._get_current_object()
    try:
        token, plain = tokens.create_token(user, form.name.data)
    except tokens.TokenError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("auth.account"))
    db.session.commit()
    response = make_response(render_template("auth/api_token_created.html", token=token,
                                             plain=plain, api=PREFIX))
    response.headers["Cache-Control"] = "no-store"  # the token is shown once, and not kept
    return response


@tokens_bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    user = current_user._get_current_object()
    token = tokens.owned_token(user, token_id)
    if token is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    try:
        tokens.revoke_token(user, token)
    except tokens.TokenError as exc:
        db.session.rollback()
        flash(str(exc), "info")
        return redirect(url_for("auth.account"))
    db.session.commit()
    flash(f"APIトークン「{token.name}」を失効させました。", "success")
    return redirect(url_for("auth.account"))
