"""Flask extension singletons, bound to the app in create_app()."""
import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from webapp.dbbase import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()


class LazyMigrate:
    """Flask-Migrate, loaded when a `flask db` command or a migration runs.

    Alembic takes a good part of a second to import, and every web worker, job
    worker and cron command would pay it at start for nothing.
    """

    def init_app(self, app: Flask, db, **options) -> None:
        app.extensions["migrate"] = _PendingMigrate(app, db, options)
        app.cli.add_command(_db_group)

    @staticmethod
    def load(app: Flask):
        pending = app.extensions.get("migrate")
        if isinstance(pending, _PendingMigrate):
            from flask_migrate import Migrate
            Migrate().init_app(app, pending.db, **pending.options)  # replaces the entry
        return app.extensions["migrate"]


class _PendingMigrate:
    def __init__(self, app: Flask, db, options: dict):
        self.app, self.db, self.options = app, db, options

    def __getattr__(self, name):  # flask_migrate.upgrade() and friends ask for attributes
        return getattr(LazyMigrate.load(self.app), name)


class _LazyDbGroup(click.Group):
    def _real(self) -> click.Group:
        LazyMigrate.load(current_app._get_current_object())
        from flask_migrate.cli import db as db_group
        return db_group

    def list_commands(self, ctx):
        return self._real().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._real().get_command(ctx, name)


@click.group("db", cls=_LazyDbGroup)
@click.option("-d", "--directory", default=None, help='Migration script directory (default is "migrations")')
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
@with_appcontext
def _db_group(directory, x_arg):
    """Perform database migrations."""
    g.directory = directory  # read by Flask-Migrate's commands, as its own group does
    g.x_arg = x_arg


migrate = LazyMigrate()
