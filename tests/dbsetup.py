"""Test databases: a migrated template per run, a fresh copy (or a truncated schema) per test.

TEST_DATABASE=sqlite (default) or postgres. PostgreSQL runs in a schema of
its own in TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test),
dropped at the end of the run.
"""
from __future__ import annotations

import os
import shutil
import uuid

import sqlalchemy as sa

PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def backend() -> str:
    return os.environ.get("TEST_DATABASE", "sqlite")


def pg_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", PG_DEFAULT)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class SqliteDatabases:
    def __init__(self, workdir: str):
        self.workdir = workdir
        self.templates: dict[str, str] = {}

    def template_path(self, name: str) -> str:
        return os.path.join(self.workdir, f"template-{name}.db")

    def url_for_copy(self, name: str, dest_dir: str) -> str:
        dest = os.path.join(dest_dir, "app.db")
        shutil.copyfile(self.template_path(name), dest)
        return "sqlite:///" + dest

    def template_url(self, name: str) -> str:
        return "sqlite:///" + self.template_path(name)

    def reset(self, engine) -> None:  # each test has its own file
        pass

    def close(self) -> None:
        pass


class PostgresDatabases:
    """One schema for the run; tests get it truncated back to the template's rows."""

    def __init__(self):
        self.schema = "t_" + uuid.uuid4().hex[:10]
        self.base = pg_url()
        admin = sa.create_engine(self.base)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
        admin.dispose()
        sep = "&" if "?" in self.base else "?"
        self.url = f"{self.base}{sep}options=-csearch_path%3D{self.schema}"

    def check(self) -> None:
        sa.create_engine(self.base).connect().close()

    def reset(self, engine) -> None:
        # A background job of the test before (an in-process fit check finishing, its
        # expensive-job row given back) may still hold row locks while TRUNCATE takes
        # its table locks one by one: PostgreSQL then ends one side as a deadlock.
        # When that side is ours, the job has gone on and a second TRUNCATE succeeds.
        for attempt in range(5):
            try:
                self._truncate(engine)
                return
            except sa.exc.OperationalError as exc:
                if getattr(exc.orig, "sqlstate", None) != "40P01" or attempt == 4:
                    raise

    def _truncate(self, engine) -> None:
        with engine.begin() as conn:
            tables = [r[0] for r in conn.execute(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :s AND tablename <> 'alembic_version'"),
                {"s": self.schema})]
            if tables:
                conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                     + " RESTART IDENTITY CASCADE"))

    def close(self) -> None:
        admin = sa.create_engine(self.base)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        admin.dispose()
