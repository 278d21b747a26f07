"""Schemathesis against the OpenAPI document, in-process (WSGI), with a secretariat token:
no 5xx anywhere, and every response matches the document.

Each operation's cases come from its strategy and run under Hypothesis with a small,
fixed number of examples (schemathesis' pytest plugin, `from_fixture`, does not run
under this pytest), so the whole run stays well under a minute.
"""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import bearer, token_for
from tests.factories import Factory
from webapp.extensions import db

EXAMPLES = 25


def test_every_answer_matches_the_document_and_none_is_a_server_error(make_app):
    # A limit no run reaches: the rate limit has its own story (test_tokens.py).
    app = make_app("fy2023", API_RATE_LIMIT=1_000_000)
    with app.app_context():
        headers = bearer(token_for(Factory().secretariat()))
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        # (schemathesis leaves out the document's own path)
        assert {op.path for op in operations} == {
            "/years", "/years/{year}/sheets", "/years/{year}/sheets/{number}",
            "/years/{year}/kpis"}
        for operation in operations:
            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def call(case):
                case.call_and_validate(headers=headers)
            call()
        # The real data, not only generated numbers: every FY2023 sheet matches the document.
        sheet = next(op for op in operations if op.path == "/years/{year}/sheets/{number}")
        for number in range(1, 22):
            sheet.Case(path_parameters={"year": 2023, "number": number}).call_and_validate(headers=headers)
        db.session.remove()
