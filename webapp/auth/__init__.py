"""Accounts: log-in with throttling, log-out, password change."""
from flask import Flask

from webapp.extensions import db, login_manager
from webapp.models import User


def register(app: Flask) -> None:
    from webapp.auth.views import bp
    app.register_blueprint(bp)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "ログインしてください。"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"


@login_manager.user_loader
def _load_user(user_id: str):
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.is_active else None
