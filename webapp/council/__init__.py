"""The council's own structure (organisations, projects) and its KPI progress."""
from flask import Blueprint

bp = Blueprint("council", __name__)

from webapp.council import views  # noqa: E402,F401  (routes register on bp)
from webapp.council.operations import forget_label_on_reopen  # noqa: E402
from webapp.operations import sheet_transitioned  # noqa: E402

sheet_transitioned.connect(forget_label_on_reopen)

commands: list = []
