"""Coordinators fill in their sheets: cycles, carry-forward, the sheet form, uploads."""
from flask import Blueprint

bp = Blueprint("editing", __name__)

from webapp.editing import views  # noqa: E402,F401  (routes register on bp)
from webapp.editing.commands import COMMANDS  # noqa: E402

commands: list = list(COMMANDS)
