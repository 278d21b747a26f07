"""Review and approval: transitions, comments, history, comparison, dashboard, mail, reminders."""
from flask import Blueprint

bp = Blueprint("review", __name__)

from webapp.review import notifications  # noqa: E402,F401  (listens to sheet_transitioned)
from webapp.review import views  # noqa: E402,F401  (routes register on bp)
from webapp.review.reminders import send_reminders_cmd  # noqa: E402

commands: list = [send_reminders_cmd]
