"""Publishing beyond the PDF: the static web edition (site.py) and open data (opendata.py).

`flask publish-site --year Y --out DIR` writes it; the reports page downloads it as a zip.
"""
from flask import Blueprint

bp = Blueprint("publishing", __name__)

from webapp.publishing import views  # noqa: E402,F401  (routes register on bp)
from webapp.publishing.cli import publish_site_cmd  # noqa: E402

commands: list = [publish_site_cmd]
