"""Jinja filters and globals: Japanese dates, states, circled numbers."""
from __future__ import annotations

from flask import Flask

from webapp import permissions, timeutil, workflow
from webapp.models import circled
from webapp.printing import textblocks


def register(app: Flask) -> None:
    app.jinja_env.filters["jdate"] = timeutil.format_date
    app.jinja_env.filters["jdatetime"] = timeutil.format_datetime
    app.jinja_env.filters["fullwidth"] = timeutil.fullwidth
    app.jinja_env.filters["circled"] = circled
    app.jinja_env.filters["fmtnum"] = format_number
    app.jinja_env.filters["textblocks"] = textblocks.parse
    # Templates ask the one permissions function which buttons and links to show.
    app.jinja_env.globals["can"] = permissions.can
    app.jinja_env.globals["refusal"] = permissions.refusal
    app.jinja_env.globals["State"] = workflow.State
    app.jinja_env.globals["action_label"] = workflow.step_label
    app.jinja_env.globals["state_label"] = lambda s: workflow.State(s).label
    app.jinja_env.globals["state_css"] = lambda s: workflow.State(s).css


def format_number(value) -> str:
    """1234.5 -> 1,234.5; None -> '－' (an empty cell, as printed)."""
    if value is None:
        return "－"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"

