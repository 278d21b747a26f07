"""Migration 0005 (archival copy, drafts) on a database holding builds made before it."""
from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.factories import Factory
from tests.test_migrations import MIGRATIONS, scratch_app  # noqa: F401 (fixture)
from webapp.extensions import db


def test_old_builds_are_kept_as_final_builds_both_ways(scratch_app):  # noqa: F811
    upgrade(directory=MIGRATIONS)
    cycle_id = Factory().cycle(2023).id
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision="0008")
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO report_builds (cycle_id, created_at, status, progress_done, progress_total,"
            " progress_label, content_key, sheet_versions, file_name, error)"
            " VALUES (:c, CURRENT_TIMESTAMP, 'done', 21, 21, '', 'k1', '[]', 'report-2023-1.pdf', '')"),
            {"c": cycle_id})

    upgrade(directory=MIGRATIONS, revision="0005")
    with db.engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT file_name, draft, archive_file_name FROM report_builds")).one()
        assert (row[0], bool(row[1]), row[2]) == ("report-2023-1.pdf", False, None)

    downgrade(directory=MIGRATIONS, revision="0008")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT file_name FROM report_builds")).scalar() == \
            "report-2023-1.pdf"
