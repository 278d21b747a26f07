"""Deadline reminders: `flask send-reminders`, meant for cron.

Milestones are REMINDER_DAYS days before the deadline (default 14, 7, 1)
and once after it ('overdue'). A run sends, for every sheet not yet
submitted in an open cycle, the milestone most recently reached, when it has
not been sent already. A ReminderSent row (unique per sheet and milestone) is
claimed and committed before the mail goes out, so two runs at once, or a
run repeated any number of times, never send the same reminder twice; if
the mail then fails, the claim is withdrawn so that the next run tries again.
A milestone passed while cron was not running is not sent late (only the
latest one is), so nobody receives three reminders in one morning.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from webapp import mail
from webapp.extensions import db
from webapp.models import Project, ReminderSent, ReportingCycle, Sheet
from webapp.review.links import base_url_warning, external_url
from webapp.review.recipients import lead_coordinator_emails, lead_names
from webapp.timeutil import today_jst
from webapp.workflow import EDITABLE_STATES

OVERDUE = "overdue"


def milestone_for(days_left: int, reminder_days: list[int]) -> str | None:
    """The milestone reached with `days_left` days to go: 'd7', 'overdue' or None."""
    if days_left < 0:
        return OVERDUE
    reached = [d for d in reminder_days if days_left <= d]
    return f"d{min(reached)}" if reached else None


@dataclass
class RunReport:
    sent: list[tuple[Sheet, str, list[str]]] = field(default_factory=list)
    already: int = 0
    no_recipients: list[Sheet] = field(default_factory=list)
    failed: list[tuple[Sheet, str, str]] = field(default_factory=list)


def _claim(sheet: Sheet, milestone: str) -> bool:
    db.session.add(ReminderSent(sheet_id=sheet.id, milestone=milestone))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _unclaim(sheet_id: int, milestone: str) -> None:
    db.session.execute(delete(ReminderSent).where(ReminderSent.sheet_id == sheet_id,
                                                  ReminderSent.milestone == milestone))
    db.session.commit()


def due_sheets(today: dt.date) -> list[tuple[Sheet, int, str]]:
    """(sheet, days left, milestone) for every sheet a reminder is due for today."""
    days = sorted({int(d) for d in current_app.config["REMINDER_DAYS"] if int(d) >= 0})
    sheets = db.session.scalars(
        select(Sheet).join(ReportingCycle).join(Project)
        .where(ReportingCycle.is_open.is_(True), ReportingCycle.deadline.is_not(None),
               Sheet.state.in_([s.value for s in EDITABLE_STATES]))
        .order_by(ReportingCycle.year, Project.number)).all()
    due = []
    for sheet in sheets:
        left = (sheet.cycle.deadline - today).days
        milestone = milestone_for(left, days)
        if milestone is not None:
            due.append((sheet, left, milestone))
    return due


def send_reminders(today: dt.date | None = None) -> RunReport:
    today = today or today_jst()
    report = RunReport()
    for sheet, left, milestone in due_sheets(today):
        sent_before = db.session.scalar(select(ReminderSent.id).where(
            ReminderSent.sheet_id == sheet.id, ReminderSent.milestone == milestone))
        if sent_before is not None:
            report.already += 1
            continue
        recipients = lead_coordinator_emails(sheet.project)
        if not recipients:
            report.no_recipients.append(sheet)
            continue
        message = mail.render_mail(
            "reminder", recipients, sheet=sheet, project=sheet.project, year=sheet.cycle.year,
            lead_names=lead_names(sheet.project),
            deadline=sheet.cycle.deadline, days_left=left,
            link=external_url("main.sheet", sheet_id=sheet.id),
            history_link=external_url("review.history", sheet_id=sheet.id))
        sheet_id = sheet.id
        if not _claim(sheet, milestone):  # another run got there first
            report.already += 1
            continue
        try:
            mail.send(message)
        except mail.MailError as exc:
            _unclaim(sheet_id, milestone)
            report.failed.append((sheet, milestone, str(exc)))
            continue
        report.sent.append((sheet, milestone, recipients))
    return report


def _milestone_label(milestone: str) -> str:
    return "期限後" if milestone == OVERDUE else f"{milestone[1:]}日前"


@click.command("send-reminders")
@click.option("--today", "today", default=None, metavar="YYYY-MM-DD",
              help="この日付として実行する（試験・確認用。既定は日本時間の今日）")
@with_appcontext
def send_reminders_cmd(today):
    """Remind coordinators of unsubmitted sheets before and after the deadline (for cron).

    \b
    crontab (every morning at 8:00 Japan time):
    0 8 * * *  cd /srv/council && .venv/bin/flask --app webapp send-reminders
    """
    import sys
    day = None
    if today:
        try:
            day = dt.date.fromisoformat(today)
        except ValueError:
            click.echo(f"エラー: --today は YYYY-MM-DD の形式で指定してください（{today}）", err=True)
            sys.exit(2)
    warning = base_url_warning()
    if warning:
        click.echo(warning, err=True)
    report = send_reminders(day)
    for sheet, milestone, recipients in report.sent:
        click.echo(f"送信: {sheet.cycle.year}年度 {sheet.project.circled_number} "
                   f"{sheet.project.title}（{_milestone_label(milestone)}）→ {', '.join(recipients)}")
    for sheet in report.no_recipients:
        click.echo(f"警告: {sheet.cycle.year}年度 {sheet.project.circled_number} "
                   f"{sheet.project.title} は幹事組織に有効な担当者がいないため送信できません", err=True)
    for sheet, milestone, error in report.failed:
        click.echo(f"エラー: {sheet.cycle.year}年度 {sheet.project.circled_number}"
                   f"（{_milestone_label(milestone)}）: {error}", err=True)
    click.echo(f"督促メール {len(report.sent)} 件を送信しました（送信済みのため省略 {report.already} 件）。")
    if report.failed:
        sys.exit(1)
