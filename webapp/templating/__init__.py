"""「個票の様式」: the secretariat edits a year's sheet template in the app.

The template itself and its one writer live in webapp.sheet_templates and
webapp.template_json; these screens read what a person typed, change the
year's template JSON accordingly, and hand it to `replace_template`.
"""
from flask import Blueprint

bp = Blueprint("templates", __name__)

from webapp.templating import views  # noqa: E402,F401  (routes register on bp)

commands: list = []
