"""Log-in throttling, per account and per address, kept in the database.

After a few failures within the window each further attempt is slowed; past
the limit the account (or the address) is refused until the window has
passed. The same message is shown whether or not the account exists.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from webapp.extensions import db
from webapp.models import LoginAttempt
from webapp.timeutil import utcnow


@dataclass(frozen=True)
class Verdict:
    locked: bool
    delay: float


def _failures(column, value, since) -> int:
    return db.session.scalar(select(func.count()).select_from(LoginAttempt)
                             .where(column == value, LoginAttempt.at >= since)) or 0


def check(email: str, ip: str, config) -> Verdict:
    since = utcnow() - dt.timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    by_account = _failures(LoginAttempt.email, email, since)
    by_address = _failures(LoginAttempt.ip, ip, since)
    if by_account >= config["LOGIN_LOCK_AFTER_ACCOUNT"] or by_address >= config["LOGIN_LOCK_AFTER_ADDRESS"]:
        return Verdict(locked=True, delay=0.0)
    delay = config["LOGIN_DELAY_SECONDS"] if by_account >= config["LOGIN_SLOW_AFTER"] else 0.0
    return Verdict(locked=False, delay=delay)


def record_failure(email: str, ip: str) -> None:
    db.session.add(LoginAttempt(email=email, ip=ip))
    db.session.commit()


def clear(email: str) -> None:
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    db.session.commit()
