"""Fixtures: a fresh database per test, users and projects from small factories."""
from __future__ import annotations

import os

import pytest
from flask import current_app, g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from tests import dbsetup, s3store
from tests.factories import Factory
from webapp import create_app
from webapp.auth import passwords
from webapp.extensions import db

passwords.use_fast_hashing()

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FY2023 = os.path.join(ROOT, "webapp", "demo_data", "fy2023_report.json")


def base_config(instance: str, url: str) -> dict:
    return {
        "TESTING": True,
        "JOBS_EAGER": True,
        "INSTANCE_PATH": instance,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "LOGIN_DELAY_SECONDS": 0.0,
        "SERVER_NAME": None,
        # Existing stories log in with a password alone; tests of the second factor turn it on.
        "REQUIRE_2FA_FOR": "",
    }


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    """Migrated templates: 'empty' and 'fy2023' (the FY2023 report imported)."""
    from webapp.report_io import import_report, load_report_file
    work = str(tmp_path_factory.mktemp("db"))
    if dbsetup.backend() == "postgres":
        dbs = dbsetup.PostgresDatabases()
        dbs.workdir = work
    else:
        dbs = dbsetup.SqliteDatabases(work)
        for name in ("empty", "fy2023"):
            app = create_app(base_config(os.path.join(work, "inst-" + name), dbs.template_url(name)))
            with app.app_context():
                upgrade(directory=os.path.join(ROOT, "migrations"))
                if name == "fy2023":
                    import_report(load_report_file(FY2023))
                    db.session.commit()
                db.engine.dispose()
        yield dbs
        return
    # PostgreSQL: migrate the schema once; per-test state comes from truncation.
    app = create_app(base_config(os.path.join(work, "inst-pg"), dbs.url))
    with app.app_context():
        upgrade(directory=os.path.join(ROOT, "migrations"))
        db.engine.dispose()
    try:
        yield dbs
    finally:
        dbs.close()


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as on a server.

    The fixtures keep one app context pushed for the whole test (so that the
    factories can use db.session), and Flask reuses it for each request, so
    without this `g` -- Flask-Login's current user, Flask-WTF's CSRF token --
    would carry over from one request, or one client, to the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context() and current_app._get_current_object() is self.application:
            for name in list(g):
                g.pop(name)
        return super().open(*args, **kwargs)


def _make_app(databases, tmp_path, template: str, **overrides):
    instance = str(tmp_path / "instance")
    os.makedirs(instance, exist_ok=True)
    if isinstance(databases, dbsetup.PostgresDatabases):
        url = databases.url
    else:
        url = databases.url_for_copy(template, instance)
    # Rendered sheets are cached by content, so tests may share them: a build in
    # one test then costs what an unchanged rebuild costs.
    shared = {"CACHE_FOLDER": os.path.join(databases.workdir, "print-cache")}
    app = create_app({**base_config(instance, url), **shared, **overrides})
    app.test_client_class = FreshRequestClient
    with app.app_context():
        if isinstance(databases, dbsetup.PostgresDatabases):
            databases.reset(db.engine)
            if template == "fy2023":
                from webapp.report_io import import_report, load_report_file
                import_report(load_report_file(FY2023))
                db.session.commit()
    return app


def _app_in_context(databases, tmp_path, template):
    app = _make_app(databases, tmp_path, template)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(databases, tmp_path):
    """An app on an empty, migrated database."""
    yield from _app_in_context(databases, tmp_path, "empty")


@pytest.fixture
def fy2023_app(databases, tmp_path):
    """An app whose database holds the imported FY2023 report."""
    yield from _app_in_context(databases, tmp_path, "fy2023")


@pytest.fixture
def make_app(databases, tmp_path):
    """For tests that need their own config, e.g. CSRF switched on."""
    made = []

    def factory(template="empty", **overrides):
        app = _make_app(databases, tmp_path, template, **overrides)
        made.append(app)
        return app
    yield factory


@pytest.fixture
def factory(app):
    return Factory()


@pytest.fixture
def fy(fy2023_app):
    """Factory bound to the FY2023 database."""
    return Factory()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def fy_client(fy2023_app):
    return fy2023_app.test_client()


@pytest.fixture(scope="session")
def s3_store():
    """The tests' S3 store (tests/s3store.py): skipped without one, failed under CI=true."""
    return s3store.require_store()


@pytest.fixture
def s3_buckets(s3_store):
    """Call it for a fresh, empty bucket; every bucket it made is removed after the test."""
    buckets = s3store.Buckets(s3_store)
    try:
        yield buckets
    finally:
        buckets.cleanup()


@pytest.fixture
def s3_bucket(s3_buckets):
    """The name of a fresh, empty bucket, removed (objects included) after the test."""
    return s3_buckets()
