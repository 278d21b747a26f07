"""How many expensive jobs one person may have under way at once.

A sheet preview that is not cached yet, a workbook import and a report build
each cost seconds of CPU on a machine everybody shares. One person may have
EXPENSIVE_JOBS_PER_USER of them under way (default 3); beyond that the
request is answered at once with 「処理中の作業が N 件あります。…」 (429)
instead of queueing more work behind everybody else's.

The count lives in the database (table ``expensive_jobs``), not in Redis or
in this process: the web workers, the RQ workers and the in-process job
threads all share the database in every set-up (with or without Redis), a
job finishing in a worker on another machine takes its row off there, and
the cost is one small insert and delete per job of several seconds. On
PostgreSQL the person's ``users`` row is locked while counting, so two
requests of one person count one after the other; SQLite writes one at a
time anyway. A row whose worker died lapses at ``expires_at``.

This is bookkeeping about work under way, not a change to anyone's data:
the caller has checked ``can()`` for the work itself, and no audit record is
written. Like operations, these functions flush; the caller commits (before
it enqueues the job, so that the job can find its row).
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import delete, func, select

from webapp import jobs
from webapp.extensions import db
from webapp.models import ExpensiveJob, User
from webapp.timeutil import utcnow

PREVIEW, IMPORT, BUILD = "preview", "import", "build"
# How long a row counts when nobody takes it off (its worker died): the job's own timeout.
LAPSE_SECONDS = {PREVIEW: jobs.JOB_TIMEOUT[jobs.FIT], BUILD: jobs.JOB_TIMEOUT[jobs.REPORT],
                 IMPORT: 120}


def busy_message(count: int) -> str:
    return f"処理中の作業が {count} 件あります。終わってからもう一度お試しください。"


class TooBusy(Exception):
    """The person has as many expensive jobs under way as they may."""

    def __init__(self, count: int):
        self.count = count
        super().__init__(busy_message(count))


def limit() -> int:
    return current_app.config["EXPENSIVE_JOBS_PER_USER"]


def under_way(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ExpensiveJob).where(
        ExpensiveJob.user_id == user_id, ExpensiveJob.expires_at > utcnow())) or 0


def take(user: User, kind: str, subject) -> ExpensiveJob:
    """A place for `user`'s job of `kind` about `subject` (a sheet or build id); raises
    TooBusy when the person has the limit under way already. Asking again for work
    already under way (opening the same waiting preview twice) takes no second place."""
    subject = str(subject)
    now = utcnow()
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    db.session.execute(delete(ExpensiveJob).where(ExpensiveJob.user_id == user.id,
                                                  ExpensiveJob.expires_at <= now))
    same = db.session.scalar(select(ExpensiveJob).where(
        ExpensiveJob.user_id == user.id, ExpensiveJob.kind == kind, ExpensiveJob.subject == subject))
    if same is not None:
        return same
    count = under_way(user.id)
    if count >= limit():
        raise TooBusy(count)
    job = ExpensiveJob(user_id=user.id, kind=kind, subject=subject, started_at=now,
                       expires_at=now + dt.timedelta(seconds=LAPSE_SECONDS[kind]))
    db.session.add(job)
    db.session.flush()
    return job


def finish(kind: str, subject, user_id: int | None = None) -> int:
    """The work of `kind` about `subject` is done (or failed): nobody waits for it any more.
    Coalesced work (two people previewing one sheet) is done for everyone at once, unless
    `user_id` says whose. Returns how many places were given back."""
    query = delete(ExpensiveJob).where(ExpensiveJob.kind == kind,
                                       ExpensiveJob.subject == str(subject))
    if user_id is not None:
        query = query.where(ExpensiveJob.user_id == user_id)
    result = db.session.execute(query)
    db.session.flush()
    return result.rowcount or 0


def refused(exc: TooBusy):
    """The page a refused request gets: 429, with how many jobs are under way."""
    from webapp.errors import error_page
    return error_page(429, str(exc))
