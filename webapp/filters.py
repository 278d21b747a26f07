"""Jinja filters and globals: Japanese dates, states, circled numbers."""
from __future__ import annotations

from flask import Flask

from webapp import last_change, permissions, timeutil, workflow
from webapp.jptext import circled, format_number, fullwidth
from webapp.printing import kpis, textblocks


def register(app: Flask) -> None:
    app.jinja_env.filters["jdate"] = timeutil.format_date
    app.jinja_env.filters["jdatetime"] = timeutil.format_datetime
    app.jinja_env.filters["fullwidth"] = fullwidth
    app.jinja_env.filters["circled"] = circled
    app.jinja_env.filters["fmtnum"] = format_number
    app.jinja_env.filters["textblocks"] = textblocks.parse
    app.jinja_env.filters["point_label"] = kpis.point_label
    app.jinja_env.filters["kpi_extras"] = kpis.extra_fields
    # Templates ask the one permissions function which buttons and links to show.
    app.jinja_env.globals["can"] = permissions.can
    app.jinja_env.globals["refusal"] = permissions.refusal
    app.jinja_env.globals["State"] = workflow.State
    app.jinja_env.globals["action_label"] = workflow.step_label
    app.jinja_env.globals["state_label"] = lambda s: workflow.State(s).label
    app.jinja_env.globals["state_css"] = lambda s: workflow.State(s).css
    app.jinja_env.globals["days_left"] = timeutil.days_left
    app.jinja_env.globals["days_left_text"] = timeutil.days_left_text
    # Who last changed a sheet and when: one answer on every page (webapp.last_change).
    app.jinja_env.globals["last_change"] = last_change.last_change
    app.jinja_env.globals["last_save"] = last_change.last_save

