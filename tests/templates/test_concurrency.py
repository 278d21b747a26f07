"""Two secretariat members change FY2024's template at the same moment: one change is made,
the other is refused as made from a version that is gone, and nothing is lost silently.

Each is a thread with its own database session, held at a barrier until both have
read the template (第1版). Runs on PostgreSQL, where the year's row lock makes the
second wait for the first; SQLite has no concurrent writers to speak of.
"""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from tests import dbsetup
from tests.threads import run_together
from webapp.cycles import get_cycle
from webapp.extensions import db
from webapp.models import AuditEvent, User
from webapp.sheet_schema import schema
from webapp.sheet_templates import TemplateRefused, forget, replace_template

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(dbsetup.backend() != "postgres", reason="concurrent sessions need PostgreSQL"),
]


def test_two_changes_at_once_one_is_made_and_the_other_refused(app24, f):
    people = {"a": f.secretariat().id, "b": f.admin().id}
    wanted = {"a": ("results_actions", "○主な取組"), "b": ("challenges", "○課題と対応")}
    outcome = {}

    def member(who):
        def job(barrier):
            user = db.session.get(User, people[who])
            cycle = get_cycle(2024)
            template = schema(2024)
            assert template.version == 1
            key, heading = wanted[who]
            new = dataclasses.replace(template, sections=tuple(
                dataclasses.replace(s, heading=heading) if s.key == key else s
                for s in template.sections))
            barrier.wait()                       # both made their change from 第1版
            try:
                replace_template(user, cycle, new)
                db.session.commit()
                outcome[who] = "done"
            except TemplateRefused as exc:
                db.session.rollback()
                outcome[who] = str(exc)
        return job

    run_together(app24, member("a"), member("b"))

    winners = [who for who, result in outcome.items() if result == "done"]
    assert len(winners) == 1, outcome
    [loser] = [who for who in outcome if who not in winners]
    assert outcome[loser] == ("2024年度の個票の様式は、この変更の元にした第1版の後に変更されています（現在は第2版）。"
                              "最新の様式を開き直してから変更してください。")
    db.session.expire_all()
    forget()
    template = schema(2024)
    key, heading = wanted[winners[0]]
    assert (template.version, template[key].heading) == (2, heading)
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "template_change")).all()) == 1
