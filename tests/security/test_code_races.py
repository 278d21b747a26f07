"""One code posted by three browsers at the same moment logs in one of them (PostgreSQL).

Each browser is a thread with its own test client (session cookie) and
database session, past the password step, let go together at a barrier.
The code's compare-and-set makes the later log-ins wait for the first one's
commit and then find the code used. Single-thread versions of the same
races, on both backends, are in test_one_time_codes.py.
"""
from __future__ import annotations

import pytest

from tests import dbsetup
from tests.security.test_one_time_codes import (Enrolled, admin, app2fa,  # noqa: F401 - fixtures
                                                 at_the_code_step, used_codes)
from tests.threads import run_together

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(dbsetup.backend() != "postgres", reason="concurrent sessions need PostgreSQL"),
]
TRIALS = 3


def three_log_ins_post(app, admin: Enrolled, code: str) -> list[tuple[int, int]]:
    """(answer to the code, answer to the home page) of each of three browsers posting `code` at once."""
    clients = [at_the_code_step(app, admin.user) for _ in range(3)]
    answers = [None] * 3

    def browser(i):
        def job(barrier):
            barrier.wait()
            answers[i] = clients[i].post("/login/code", data={"code": code})
        return job

    run_together(app, *(browser(i) for i in range(3)))
    return sorted((a.status_code, clients[i].get("/").status_code) for i, a in enumerate(answers))


ONE_LOGGED_IN = [(302, 200), (401, 302), (401, 302)]


@pytest.mark.parametrize("trial", range(1, TRIALS + 1))
def test_one_recovery_code_posted_by_three_log_ins_at_once_logs_in_one(app2fa, admin, trial):
    assert three_log_ins_post(app2fa, admin, admin.codes[2]) == ONE_LOGGED_IN
    assert used_codes(admin.user.id) == 1


@pytest.mark.parametrize("trial", range(1, TRIALS + 1))
def test_one_totp_code_posted_by_three_log_ins_at_once_logs_in_one(app2fa, admin, trial):
    assert three_log_ins_post(app2fa, admin, admin.totp.now()) == ONE_LOGGED_IN
