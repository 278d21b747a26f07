"""Offline entry: sheets as Excel workbooks to fill in and bring back (export, safe reading,
preview, save through the one save path, CLI)."""
from flask import Blueprint

bp = Blueprint("workbooks", __name__)

from webapp.workbooks import views  # noqa: E402,F401  (routes register on bp)
from webapp.workbooks.cli import export_xlsx_cmd, import_xlsx_cmd  # noqa: E402

commands: list = [export_xlsx_cmd, import_xlsx_cmd]
