"""Running a test's jobs at the same moment, each in a thread of its own (PostgreSQL races)."""
from __future__ import annotations

import threading

from webapp.extensions import db


def run_together(app, *jobs):
    """Run each job(barrier) in its own thread and app context; re-raise the first error.

    Each thread has its own database session (connection); a job waits at the
    barrier until all are ready, so they are let go together.
    """
    barrier = threading.Barrier(len(jobs), timeout=30)
    errors = []

    def runner(job):
        with app.app_context():
            try:
                job(barrier)
            except BaseException as exc:  # noqa: BLE001 - reported to the test below
                errors.append(exc)
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a job is stuck"
    if errors:
        raise errors[0]
