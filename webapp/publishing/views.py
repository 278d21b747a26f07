"""The reports page's 「Web版（ZIP）」: the year's web edition and open data, downloaded."""
from __future__ import annotations

import io
import tempfile

from flask import abort, send_file
from flask_login import current_user, login_required

from webapp import expensive
from webapp.cycles import get_cycle
from webapp.extensions import db
from webapp.errors import error_page
from webapp.permissions import require
from webapp.publishing import bp
from webapp.publishing.site import PublishError, publish_site, zip_folder


@bp.route("/reports/<int:year>/web-edition.zip")
@login_required
def web_edition(year: int):
    require(current_user, "view_builds")   # as for the report's downloads
    if get_cycle(year) is None:
        abort(404)
    # Under a second of CPU for 21 sheets, counted like a report build all the same
    # (webapp/expensive.py), so that nobody can keep a worker busy with it.
    subject = f"web-{year}"
    try:
        expensive.take(current_user, expensive.BUILD, subject)
        db.session.commit()
    except expensive.TooBusy as exc:
        db.session.rollback()
        return expensive.refused(exc)
    try:
        with tempfile.TemporaryDirectory(prefix="web-edition-") as folder:
            try:
                publish_site(year, folder)
            except PublishError as exc:
                return error_page(409, str(exc))
            data = io.BytesIO()
            zip_folder(folder, data)
    finally:
        expensive.finish(expensive.BUILD, subject, current_user.id)
        db.session.commit()
    data.seek(0)
    return send_file(data, mimetype="application/zip", as_attachment=True,
                     download_name=f"web-edition-{year}.zip")
