"""Review and approval: transitions, comments, history, comparison, dashboard, mail, reminders."""
from flask import Blueprint

bp = Blueprint("review", __name__)
commands: list = []

from webapp.review import views  # noqa: E402,F401  (routes register on bp)
