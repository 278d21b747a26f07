"""Review fixtures: a small world of organisations and people around project ②, a mail catcher.

The world: project ② led by 大分県 with 福岡県 as co-organisation; 長崎県
has nothing to do with it. One person per role the permission tests walk
through, and FY2024's cycle with ②'s sheet.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import socket
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.factories import Factory, login
from webapp.extensions import db
from webapp.sheet_schema import schema
from webapp.models import Sheet, Transition
from webapp.timeutil import today_jst

ROLES = ("anonymous", "lead", "co", "other", "secretariat", "admin")
USER_ROLE = {"lead": "coordinator", "co": "coordinator", "other": "coordinator",
             "secretariat": "secretariat", "admin": "admin"}


@dataclass
class World:
    f: Factory
    project: object
    cycle: object
    sheet: Sheet
    people: dict = field(default_factory=dict)

    def person(self, role: str):
        return self.people.get(role)

    def sheet_in(self, state: str, **fields) -> Sheet:
        """Put ②'s FY2024 sheet in `state` (as the factories do, no transition recorded)."""
        approver_id = self.people["admin"].id
        sheet = db.session.get(Sheet, self.sheet.id)
        sheet.state = state
        if state == "approved":
            sheet.approved_at = dt.datetime.now(dt.timezone.utc)
            sheet.approved_by_id = approver_id
        else:
            sheet.approved_at = sheet.approved_by_id = None
        texts = {key: fields.pop(key) for key in list(fields) if key in schema()}
        sheet.texts = {**sheet.texts, **texts}
        for key, value in fields.items():
            setattr(sheet, key, value)
        db.session.commit()
        return sheet


def make_world(f: Factory, deadline: dt.date | None = None) -> World:
    project = f.project(2, "地熱・温泉熱エネルギー産業拠点化推進プロジェクト", lead=("大分県",), co=("福岡県",))
    f.project(1, "九州水素エネルギー社会実現プロジェクト", lead=("福岡県",))
    cycle = f.cycle(2024, deadline=deadline or today_jst() + dt.timedelta(days=20))
    sheet = f.sheet(project, cycle, state="draft")
    people = {
        "lead": f.coordinator("大分県", email="oita@example.jp"),
        "co": f.coordinator("福岡県", email="fukuoka@example.jp"),
        "other": f.coordinator("長崎県", email="nagasaki@example.jp"),
        "secretariat": f.secretariat(email="jimukyoku@example.jp"),
        "admin": f.admin(email="admin@example.jp"),
    }
    return World(f=f, project=project, cycle=cycle, sheet=sheet, people=people)


@pytest.fixture
def world(factory) -> World:
    return make_world(factory)


def log_in_as(client, world: World, role: str) -> None:
    """Log the client in as the world's person for `role` (anonymous: do nothing)."""
    if role != "anonymous":
        login(client, world.person(role))


def transitions_of(sheet_id: int) -> list[Transition]:
    db.session.expire_all()
    return db.session.scalars(select(Transition).where(Transition.sheet_id == sheet_id)
                              .order_by(Transition.id)).all()


# --- mail ---------------------------------------------------------------------------------

def eml_messages(app) -> list[email.message.EmailMessage]:
    """The .eml files the app wrote, oldest first, parsed."""
    folder = app.config["MAIL_FOLDER"]
    if not os.path.isdir(folder):
        return []
    result = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".eml"):
            with open(os.path.join(folder, name), "rb") as fh:
                result.append(email.message_from_binary_file(fh, policy=email.policy.default))
    return result


def body_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


class Inbox:
    """What a real SMTP server (aiosmtpd on a loopback port) received."""

    def __init__(self):
        self.envelopes = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.envelopes.append(envelope)
        return "250 OK"

    @property
    def messages(self):
        with self._lock:
            return [email.message_from_bytes(e.original_content, policy=email.policy.default)
                    for e in self.envelopes]

    def recipients(self) -> list[list[str]]:
        with self._lock:
            return [sorted(e.rcpt_tos) for e in self.envelopes]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def smtp_app(make_app, smtp_inbox):
    """An app on an empty database that sends mail by SMTP to the local test server."""
    inbox, port = smtp_inbox
    app = make_app("empty", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def inbox(smtp_inbox):
    return smtp_inbox[0]
