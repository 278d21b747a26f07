"""Coordinators fill in their sheets: cycles, carry-forward, the sheet form, uploads."""
from flask import Blueprint

bp = Blueprint("editing", __name__)
commands: list = []

from webapp.editing import views  # noqa: E402,F401  (routes register on bp)
