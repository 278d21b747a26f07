"""The compiled report: builds (in-process or RQ), history, sheet PDFs, spreadsheet export."""
from flask import Blueprint

bp = Blueprint("reports", __name__)
commands: list = []

from webapp.reports import views  # noqa: E402,F401  (routes register on bp)
