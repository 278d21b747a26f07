"""flask create-token --as EMAIL [--name NAME]: a personal API token, printed once."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from webapp.cli import _fail
from webapp.extensions import db


@click.command("create-token")
@click.option("--as", "email", required=True, help="トークンの利用者のメールアドレス")
@click.option("--name", default="コマンドラインで発行", help="トークンの名前（用途）")
@with_appcontext
def create_token_cmd(email, name):
    """Create a personal API token for EMAIL and print it (it is shown only this once)."""
    from webapp.api.tokens import TokenError, create_token
    from webapp.models import User
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.is_active:
        _fail(f"{email} は有効な利用者ではありません。")
    try:
        _, plain = create_token(user, name)
        db.session.commit()
    except TokenError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(f"{user.email} のAPIトークン「{name.strip()}」を発行しました（この表示は一度だけです）:", err=True)
    click.echo(plain)
