"""The compiled report: builds (in-process or RQ), history, sheet PDFs, spreadsheet export."""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from webapp.reports import views  # noqa: E402,F401  (routes register on bp)
from webapp.reports.cli import build_report_cmd, set_report_date_cmd  # noqa: E402

commands: list = [build_report_cmd, set_report_date_cmd]
