"""Fit checks coalesce per sheet, and report builds never wait behind them.

Once with the real Redis on 127.0.0.1:6379 (a database number of its own and
a queue prefix per test, so parallel runs do not meet) and RQ's SimpleWorker,
once in-process (no REDIS_URL: thread pools). printing's fit search is
replaced by a stand-in that records what it was asked to fit.
"""
from __future__ import annotations

import os
import threading
import uuid

import pytest

from tests.editing.conftest import _app, form_fields, sheet24
from tests.editing.test_fit import Printing, StubFit, no_estimate
from tests.factories import Factory, login
from webapp import jobs
from webapp.editing import fit
from webapp.extensions import db
from webapp.models import ReportBuild

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip():
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required under CI")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable")


@pytest.fixture
def printing(monkeypatch):
    stub = Printing(StubFit(9.5, True))
    monkeypatch.setattr(fit, "fit_function", lambda with_pdf=True: stub)
    monkeypatch.setattr(fit, "lookup_function", lambda: stub.lookup)
    monkeypatch.setattr(fit, "estimate_function", lambda: no_estimate)
    return stub


@pytest.fixture
def redis_app(databases, tmp_path, monkeypatch):
    _redis_or_skip()
    prefix = "test-" + uuid.uuid4().hex[:8]
    app, ctx = _app(databases, tmp_path, True, REDIS_URL=REDIS_URL, RQ_PREFIX=prefix,
                    JOBS_EAGER=False, EDITING_FIT_JOBS=True)
    # The worker builds its own app from the environment, as on a worker machine.
    for key in ("SQLALCHEMY_DATABASE_URI", "CACHE_FOLDER", "UPLOAD_FOLDER", "REPORTS_FOLDER",
                "SECRET_KEY"):
        monkeypatch.setenv("DATABASE_URL" if key == "SQLALCHEMY_DATABASE_URI" else key, app.config[key])
    monkeypatch.setenv("INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("RQ_PREFIX", prefix)
    monkeypatch.setenv("EDITING_FIT_JOBS", "1")
    yield app
    connection = jobs.redis_connection(app)
    for queue in jobs.rq_queues(app):
        queue.delete(delete_jobs=True)
    for name in connection.scan_iter(f"{prefix}:*"):
        connection.delete(name)
    db.session.remove()
    db.engine.dispose()
    ctx.pop()


@pytest.fixture
def local_app(databases, tmp_path):
    app, ctx = _app(databases, tmp_path, True, JOBS_EAGER=False, EDITING_FIT_JOBS=True)
    yield app
    db.session.remove()
    db.engine.dispose()
    ctx.pop()


class HeldPool:
    """Stands in for a queue's thread pool: keeps what is submitted until run() is called."""

    def __init__(self):
        self.held = []

    def submit(self, fn, *args):
        self.held.append((fn, args))

    def run(self):
        held, self.held = self.held, []
        for fn, args in held:
            fn(*args)


def _autosave(client, sheet_id: int, fields: dict, text: str) -> int:
    fields["challenges"] = text
    answer = client.post(f"/sheets/{sheet_id}/autosave", data=fields).json
    assert answer["ok"] is True, answer
    fields["version"] = str(answer["version"])
    return answer["version"]


def _worker(app):
    from rq import SimpleWorker
    queues = jobs.rq_queues(app)
    return SimpleWorker(queues, connection=queues[0].connection)


# ---------------------------------------------------------------- with Redis and RQ

def test_two_saves_in_a_row_leave_one_pending_fit_job(redis_app, printing):
    client, f = redis_app.test_client(), Factory()
    login(client, f.coordinator("大分県"))
    sheet = sheet24(f)
    fields = form_fields(client, sheet.id)
    _autosave(client, sheet.id, fields, "・一回目")
    answer = client.post(f"/sheets/{sheet.id}/autosave",
                         data={**fields, "challenges": "・二回目"}).json
    assert answer["version"] == 3
    assert answer["fit"]["state"] == "pending" and answer["fit"]["version"] == 3

    fit_queue = jobs.rq_queue(redis_app, jobs.FIT)
    assert fit_queue.count == 1
    assert jobs.rq_queue(redis_app, jobs.REPORT).count == 0
    assert fit.pending_marks(redis_app).pending(sheet.id) is not None

    # The one job fits the content as saved when it runs: the second text.
    _worker(redis_app).work(burst=True)
    assert [call[2] for call in printing.calls] == ["・二回目"]
    assert fit.pending_marks(redis_app).pending(sheet.id) is None
    status = client.get(f"/sheets/{sheet.id}/fit").json
    assert (status["state"], status["version"], status["stale"]) == ("ready", 3, False)


def test_a_build_requested_behind_queued_fit_jobs_is_served_first(redis_app, printing):
    f = Factory()
    for number in (1, 2, 3):
        assert fit.request(f.sheet_of(number, 2024).id) is True
    fit_queue = jobs.rq_queue(redis_app, jobs.FIT)
    assert fit_queue.count == 3

    client = redis_app.test_client()
    login(client, f.secretariat())
    response = client.post("/reports/2023/build")
    build_id = int(response.location.rstrip("/").split("/")[-1])

    _worker(redis_app).work(burst=True, max_jobs=1)
    db.session.expire_all()
    build = db.session.get(ReportBuild, build_id)
    assert build.status == "done", build.error
    assert fit_queue.count == 3
    assert printing.calls == []


def test_a_fit_job_for_an_older_version_does_not_overwrite_a_newer_result(redis_app, printing):
    client, f = redis_app.test_client(), Factory()
    login(client, f.coordinator("大分県"))
    sheet = sheet24(f)
    fields = form_fields(client, sheet.id)
    _autosave(client, sheet.id, fields, "・古い文")
    db.session.refresh(sheet)
    older = fit.sheet_content(sheet)
    _worker(redis_app).work(burst=True)  # version 2 fitted
    _autosave(client, sheet.id, fields, "・新しい文")
    client.get(f"/sheets/{sheet.id}/fit")  # the editor asks once the typing pauses
    printing.answer = StubFit(8.5, True)
    _worker(redis_app).work(burst=True)  # version 3 fitted

    # A job that read version 2 finishes only now (e.g. on a slower worker).
    printing.cache.clear()
    printing.answer = StubFit(7.0, False, 6, [("目的", 900)])
    late = fit._fit_version(sheet.id, 2, older, 2024)
    assert (late.version, late.fits) == (2, False)
    assert fit.remember(sheet.id, late) is False
    assert (fit._last(sheet.id).version, fit._last(sheet.id).size_pt) == (3, 8.5)

    # While version 4 waits for its check, the status shows version 3's answer, saying so.
    _autosave(client, sheet.id, fields, "・もっと新しい文")
    status = client.get(f"/sheets/{sheet.id}/fit").json
    assert status["state"] == "pending"
    assert (status["version"], status["current_version"], status["stale"]) == (3, 4, True)
    assert status["message"] == ("1ページに収まるかを確認しています…"
                                 "（前に保存した内容では「1ページに収まります（8.5pt）」）")


# ---------------------------------------------------------------- in-process, no Redis

def test_in_process_two_saves_leave_one_pending_job_that_fits_the_latest(local_app, printing, monkeypatch):
    pools = {jobs.FIT: HeldPool(), jobs.REPORT: HeldPool()}
    monkeypatch.setattr(jobs, "_local_pool", pools.__getitem__)
    client, f = local_app.test_client(), Factory()
    login(client, f.coordinator("大分県"))
    sheet = sheet24(f)
    fields = form_fields(client, sheet.id)
    _autosave(client, sheet.id, fields, "・一回目")
    _autosave(client, sheet.id, fields, "・二回目")
    assert len(pools[jobs.FIT].held) == 1 and pools[jobs.REPORT].held == []

    pools[jobs.FIT].run()
    assert [call[2] for call in printing.calls] == ["・二回目"]
    status = client.get(f"/sheets/{sheet.id}/fit").json
    assert (status["state"], status["version"]) == ("ready", 3)


def test_in_process_a_job_whose_mark_was_replaced_does_nothing(local_app, printing):
    sheet_id = Factory().sheet_of(2, 2024).id
    marks = fit.pending_marks(local_app)
    assert marks.add(sheet_id, "old") is True
    assert marks.add(sheet_id, "new") is False   # one pending job per sheet
    marks.marks[sheet_id] = ("newer", marks.marks[sheet_id][1])  # the old mark lapsed, a newer job is pending
    fit.run_job(sheet_id, "old")
    assert printing.calls == []
    fit.run_job(sheet_id, "newer")
    assert len(printing.calls) == 1 and marks.pending(sheet_id) is None


def test_in_process_a_fit_job_for_an_older_version_does_not_overwrite_a_newer_result(local_app, printing):
    sheet = Factory().sheet_of(2, 2024)
    data = fit.sheet_content(sheet)
    newer = fit._fit_version(sheet.id, 5, data, 2024)
    older = fit.FitStatus("ready", "1ページに収まりません：『目的』を短くしてください", "danger",
                          False, 7.0, ("目的",), "k", 4, 4)
    assert fit.remember(sheet.id, older) is False
    assert fit._last(sheet.id) == newer


HOLD = threading.Event()
BUILT = threading.Event()


def hold_a_fit_thread() -> None:
    HOLD.wait(120)


def record_a_build() -> None:
    BUILT.set()


def test_in_process_builds_do_not_wait_behind_fit_checks(local_app):
    HOLD.clear()
    BUILT.clear()
    try:
        for _ in range(4):  # more than the fit pool has threads: the fit queue is full
            jobs.enqueue("tests.jobs.test_fit_queue.hold_a_fit_thread", queue=jobs.FIT)
        jobs.enqueue("tests.jobs.test_fit_queue.record_a_build", queue=jobs.REPORT)
        assert BUILT.wait(120)  # a bound on a hang, not a timing
    finally:
        HOLD.set()


# ---------------------------------------------------------------- flask rq-worker

def test_rq_worker_serves_the_queue_it_is_given(redis_app, printing, monkeypatch):
    monkeypatch.setattr(jobs, "_worker_apps", [])
    f = Factory()
    for number in (1, 2):
        fit.request(f.sheet_of(number, 2024).id)
    runner = redis_app.test_cli_runner()
    result = runner.invoke(args=["rq-worker", "--queue", "report", "--burst"])
    assert result.exit_code == 0, result.output
    assert jobs.rq_queue(redis_app, jobs.FIT).count == 2
    result = runner.invoke(args=["rq-worker", "--queue", "fit", "--burst"])
    assert result.exit_code == 0, result.output
    assert jobs.rq_queue(redis_app, jobs.FIT).count == 0
    assert len(printing.calls) == 2


def test_rq_worker_without_redis_says_what_to_set(local_app):
    result = local_app.test_cli_runner().invoke(args=["rq-worker"])
    assert result.exit_code != 0
    assert "REDIS_URL が設定されていません" in result.output
