"""flask open-cycle / close-cycle / reopen-cycle: the cycle operations from the command line."""
from __future__ import annotations

import datetime as dt
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from webapp.extensions import db


def _fail(message: str) -> None:
    click.echo(f"エラー: {message}", err=True)
    sys.exit(1)


def _actor(email: str | None):
    """The user named by --by, else the import/system account, for the audit trail."""
    from webapp.models import User
    from webapp.report_io.system_user import system_user
    if not email:
        return system_user()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        _fail(f"ユーザー {email} が見つかりません。")
    return user


@click.command("open-cycle")
@click.option("--year", type=int, required=True, help="報告年度（例: 2024）")
@click.option("--deadline", default=None, help="提出期限 YYYY-MM-DD")
@click.option("--title", default=None, help="報告書の表題（省略時は前年度の表題から作成）")
@click.option("--by", "by_email", default=None, help="操作者のメールアドレス（記録用）")
@with_appcontext
def open_cycle_cmd(year, deadline, title, by_email):
    """Open year Y: a draft per active project, carried forward from its last approved sheet."""
    from webapp.cycles import CycleError, open_cycle
    when = None
    if deadline:
        try:
            when = dt.date.fromisoformat(deadline)
        except ValueError:
            _fail(f"--deadline は YYYY-MM-DD の形式で指定してください（\"{deadline}\"）。")
    try:
        summary = open_cycle(year, when, _actor(by_email), report_title=title)
        db.session.commit()
    except CycleError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(summary.message)


def _switch(operation, year: int, by_email: str | None, done: str) -> None:
    """Run a cycle operation, commit, and say so; a refusal exits 1 with its message."""
    from webapp.cycles import CycleError
    try:
        operation(year, _actor(by_email))
        db.session.commit()
    except CycleError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(done)


@click.command("close-cycle")
@click.option("--year", type=int, required=True, help="報告年度")
@click.option("--by", "by_email", default=None, help="操作者のメールアドレス（記録用）")
@with_appcontext
def close_cycle_cmd(year, by_email):
    """Close year Y: coordinators can no longer edit or submit."""
    from webapp.cycles import close_cycle
    _switch(close_cycle, year, by_email, f"{year}年度の受付を締め切りました。")


@click.command("reopen-cycle")
@click.option("--year", type=int, required=True, help="報告年度")
@click.option("--by", "by_email", default=None, help="操作者のメールアドレス（記録用）")
@with_appcontext
def reopen_cycle_cmd(year, by_email):
    """Re-open a closed year."""
    from webapp.cycles import reopen_cycle
    _switch(reopen_cycle, year, by_email, f"{year}年度の受付を再開しました。")


COMMANDS = [open_cycle_cmd, close_cycle_cmd, reopen_cycle_cmd]
