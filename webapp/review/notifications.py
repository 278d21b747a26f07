"""E-mail on workflow steps: listens to operations.sheet_transitioned.

Views never send mail themselves. Each step queues its message on the
database session; it goes out when the step commits (webapp.mail).
"""
from __future__ import annotations

from sqlalchemy import select

from webapp import mail
from webapp.extensions import db
from webapp.models import Comment, Sheet, Transition, User
from webapp.operations import sheet_transitioned
from webapp.review.links import external_url
from webapp.review.recipients import lead_coordinator_emails, lead_names, secretariat_emails
from webapp.sheet_schema import schema

# action -> (who is told, mail template)
NOTIFY = {
    "submit": ("secretariat", "submitted"),
    "withdraw": ("secretariat", "withdrawn"),
    "return": ("lead", "returned"),
    "approve": ("lead", "approved"),
    "reopen": ("lead", "reopened"),
}


def recipients_for(audience: str, sheet: Sheet) -> list[str]:
    if audience == "secretariat":
        return secretariat_emails()
    return lead_coordinator_emails(sheet.project)


def transition_mail(sheet: Sheet, record: Transition, actor: User) -> mail.Mail | None:
    audience, template = NOTIFY.get(record.action, (None, None))
    if template is None:
        return None
    open_comments = db.session.scalars(
        select(Comment).where(Comment.sheet_id == sheet.id, Comment.parent_id.is_(None),
                              Comment.resolved.is_(False)).order_by(Comment.id)).all()
    year = sheet.cycle.year
    return mail.render_mail(
        template, recipients_for(audience, sheet),
        sheet=sheet, project=sheet.project, year=year, transition=record, actor=actor,
        lead_names=lead_names(sheet.project),
        reason=record.comment, link=external_url("main.sheet", sheet_id=sheet.id),
        history_link=external_url("review.history", sheet_id=sheet.id),
        open_comments=[(schema(year).label(c.section, year), c) for c in open_comments])


@sheet_transitioned.connect
def _on_transition(sheet: Sheet, transition: Transition, actor: User, **_):
    message = transition_mail(sheet, transition, actor)
    if message is not None:
        mail.send_after_commit(message)
