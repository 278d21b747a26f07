"""Outgoing e-mail: SMTP when MAIL_SERVER is set, else .eml files in MAIL_FOLDER.

Every message, sent by SMTP or not, is also kept as an .eml file in
MAIL_FOLDER, so that the admin 「送信メール」 page shows what the system
sent. MAIL_FOLDER must be shared by all app servers of one installation,
like the uploads folder.

Messages are built from Jinja templates under templates/mail/: the first
line of the rendered template is the subject, the rest is the body.

Notifications that belong to a database change are queued with
`send_after_commit()`: they go out only once the transaction has committed,
and are dropped when it rolls back, so nobody is told about a step that did
not happen.
"""
from __future__ import annotations

import datetime as dt
import email.policy
import logging
import os
import re
import secrets
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr

from flask import current_app, render_template
from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.files import write_atomic
from webapp.timeutil import utcnow

log = logging.getLogger(__name__)

# <UTC date>-<time>-<microseconds>-<random>.eml: names sort in the order the mails were made.
_EML_NAME = re.compile(r"^\d{8}-\d{6}-\d{6}-[0-9a-f]{8}\.eml$")
_PENDING_KEY = "pending_mail"


class MailError(Exception):
    """A message could not be delivered; the text is shown to operators."""


@dataclass
class Mail:
    to: list[str]
    subject: str
    body: str


def render_mail(template: str, to: list[str], **context) -> Mail:
    """Render templates/mail/<template>.txt: subject on the first line, then the body."""
    text = render_template(f"mail/{template}.txt", **context)
    subject, _, body = text.lstrip("\n").partition("\n")
    return Mail(to=sorted(set(to)), subject=subject.strip(), body=body.strip("\n") + "\n")


def build_message(mail: Mail) -> EmailMessage:
    config = current_app.config
    msg = EmailMessage(policy=email.policy.default)  # smtplib sends it with CRLF
    msg["Subject"] = mail.subject
    msg["From"] = config["MAIL_FROM"]
    msg["To"] = ", ".join(mail.to)
    msg["Date"] = format_datetime(utcnow())
    domain = parseaddr(config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg.set_content(mail.body, charset="utf-8", cte="base64")
    return msg


def send(mail: Mail) -> EmailMessage | None:
    """Deliver now (SMTP or file) and keep a copy; raises MailError when SMTP fails."""
    if not mail.to:
        log.warning("mail %r has no recipients; not sent", mail.subject)
        return None
    msg = build_message(mail)
    config = current_app.config
    if config.get("MAIL_SERVER"):
        _send_smtp(msg, config)
    _keep_copy(msg)
    return msg


def _send_smtp(msg: EmailMessage, config) -> None:
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"メールを送信できませんでした（{config['MAIL_SERVER']}:"
                        f"{config['MAIL_PORT']}）: {exc}") from exc


def _keep_copy(msg: EmailMessage) -> str:
    name = f"{utcnow():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}.eml"
    folder = current_app.config["MAIL_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    write_atomic(os.path.join(folder, name), msg.as_bytes())
    return name


# --- after-commit queue -------------------------------------------------------------------

def send_after_commit(mail: Mail) -> None:
    """Queue `mail` on the current session; it is sent when the session commits."""
    db.session.info.setdefault(_PENDING_KEY, []).append(mail)


@event.listens_for(Session, "after_commit")
def _flush_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    for mail in pending or ():
        try:
            send(mail)
        except Exception:  # the step is committed: a mail problem must not undo or hide it
            log.exception("notification %r to %s could not be sent", mail.subject, mail.to)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


# --- the 「送信メール」 page ----------------------------------------------------------------

@dataclass
class StoredMail:
    name: str
    date: dt.datetime | None
    to: list[str]
    subject: str
    body: str = ""


def _parse(path: str, name: str, with_body: bool) -> StoredMail:
    with open(path, "rb") as fh:
        msg = BytesParser(policy=email.policy.default).parse(fh)
    try:
        date = msg["Date"].datetime if msg["Date"] else None
    except (TypeError, ValueError, AttributeError):
        date = None
    to = [addr for _, addr in getaddresses([str(msg.get("To", ""))]) if addr]
    body = ""
    if with_body:
        part = msg.get_body(preferencelist=("plain",))
        body = part.get_content() if part is not None else ""
    return StoredMail(name=name, date=date, to=to, subject=str(msg.get("Subject", "")), body=body)


def stored_mails(limit: int = 500) -> list[StoredMail]:
    """The kept messages, newest first."""
    folder = current_app.config["MAIL_FOLDER"]
    if not os.path.isdir(folder):
        return []
    names = sorted((n for n in os.listdir(folder) if _EML_NAME.match(n)), reverse=True)[:limit]
    return [_parse(os.path.join(folder, n), n, with_body=False) for n in names]


def stored_mail(name: str) -> StoredMail | None:
    """One kept message by file name; None for anything that is not one of ours."""
    if not _EML_NAME.match(name or ""):
        return None
    path = os.path.join(current_app.config["MAIL_FOLDER"], name)
    if not os.path.isfile(path):
        return None
    return _parse(path, name, with_body=True)
