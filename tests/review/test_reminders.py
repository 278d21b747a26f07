"""`flask send-reminders`: 14, 7 and 1 days before the deadline and once after it, never twice."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import Factory
from tests.review.conftest import body_of, eml_messages, make_world
from webapp.extensions import db
from webapp.models import Project, ReminderSent
from webapp.review.reminders import milestone_for, send_reminders

DEADLINE = dt.date(2025, 5, 30)


def day(days_before: int) -> str:
    return (DEADLINE - dt.timedelta(days=days_before)).isoformat()


@pytest.fixture
def cron(app):
    runner = app.test_cli_runner()

    def run(today: str):
        result = runner.invoke(args=["send-reminders", "--today", today])
        assert result.exit_code == 0, result.output
        return result.output
    return run


@pytest.fixture
def reminder_world(factory):
    """② (大分県) still a draft, ① (福岡県) already submitted, both due 2025-05-30."""
    world = make_world(factory, deadline=DEADLINE)
    first = factory.sheet(db.session.scalar(select(Project).where(Project.number == 1)), world.cycle,
                          state="submitted")
    return world, first


@pytest.mark.parametrize("days_left,expected", [
    (30, None), (15, None), (14, "d14"), (8, "d14"), (7, "d7"), (2, "d7"), (1, "d1"), (0, "d1"),
    (-1, "overdue"), (-40, "overdue"),
])
def test_the_milestone_reached_on_each_day(days_left, expected):
    assert milestone_for(days_left, [14, 7, 1]) == expected


def test_coordinators_of_unsubmitted_sheets_are_reminded_once_per_milestone(app, reminder_world, cron):
    world, submitted = reminder_world
    out = cron(day(14))
    assert "督促メール 1 件を送信しました" in out and "（14日前）" in out
    [msg] = eml_messages(app)
    assert msg["To"] == "oita@example.jp"           # ② only: ① is submitted, 福岡県 is ②'s co-organisation
    assert msg["Subject"] == "【提出期限のお知らせ】②地熱・温泉熱エネルギー産業拠点化推進プロジェクト（2024年度）の個票"
    body = body_of(msg)
    assert "提出期限（2025年5月30日（金））まであと14日です" in body
    assert f"/sheets/{world.sheet.id}" in body

    for _ in range(3):                               # cron may run as often as it likes
        assert "督促メール 0 件を送信しました（送信済みのため省略 1 件）" in cron(day(14))
    cron(day(10))                                    # between milestones: nothing new
    assert len(eml_messages(app)) == 1

    cron(day(7))
    cron(day(7))
    cron(day(1))
    cron(day(0))                                     # the deadline day belongs to the 1-day milestone
    cron(day(-1))
    cron(day(-5))                                    # after the deadline: once only
    subjects = [m["Subject"][:12] for m in eml_messages(app)]
    assert subjects == ["【提出期限のお知らせ】②"] * 3 + ["【提出期限超過】②地熱・"]
    assert "期限（2025年5月30日（金））を過ぎましたが" in body_of(eml_messages(app)[-1])
    milestones = sorted(m for (m,) in db.session.query(ReminderSent.milestone).all())
    assert milestones == ["d1", "d14", "d7", "overdue"]


def test_a_sheet_submitted_meanwhile_is_not_reminded(app, reminder_world, cron):
    world, _ = reminder_world
    cron(day(14))
    world.sheet_in("submitted")
    cron(day(7))
    world.sheet_in("returned")                       # sent back: reminders apply again
    cron(day(1))
    assert [m["Subject"][:12] for m in eml_messages(app)] == ["【提出期限のお知らせ】②"] * 2
    assert "あと1日です" in body_of(eml_messages(app)[-1])


def test_milestones_missed_while_cron_was_down_are_not_all_sent_at_once(app, reminder_world, cron):
    cron(day(3))                                     # first run ever, three days before
    assert ["あと3日です" in body_of(m) for m in eml_messages(app)] == [True]
    assert {m for (m,) in db.session.query(ReminderSent.milestone).all()} == {"d7"}


def test_closed_cycles_and_configured_days_are_respected(make_app):
    app = make_app("empty", REMINDER_DAYS=[3])
    with app.app_context():
        world = make_world(Factory(), deadline=DEADLINE)
        assert send_reminders(DEADLINE - dt.timedelta(days=7)).sent == []
        assert len(send_reminders(DEADLINE - dt.timedelta(days=3)).sent) == 1
        world.cycle.is_open = False
        db.session.commit()
        assert send_reminders(DEADLINE + dt.timedelta(days=1)).sent == []
        db.session.remove()


def test_a_failed_mail_is_tried_again_on_the_next_run(make_app, smtp_inbox):
    inbox, port = smtp_inbox
    broken = make_app("empty", MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    with broken.app_context():
        make_world(Factory(), deadline=DEADLINE)
        result = broken.test_cli_runner().invoke(args=["send-reminders", "--today", day(7)])
        assert result.exit_code == 1 and "メールを送信できませんでした" in result.output
        assert db.session.query(ReminderSent).count() == 0
        broken.config["MAIL_PORT"] = port
        result = broken.test_cli_runner().invoke(args=["send-reminders", "--today", day(7)])
        assert result.exit_code == 0 and len(inbox.messages) == 1
        db.session.remove()


def test_a_bad_date_is_refused_with_a_message(app):
    result = app.test_cli_runner().invoke(args=["send-reminders", "--today", "2025/05/30"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
