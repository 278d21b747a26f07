"""With REDIS_URL set, builds go through RQ to a worker (the local Redis on 127.0.0.1:6379)."""
import os
import uuid

import pytest

from tests.factories import login
from webapp.extensions import db
from webapp.models import ReportBuild

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_app(make_app, monkeypatch):
    import redis
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required under CI")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable")
    prefix = "test-" + uuid.uuid4().hex[:8]
    app = make_app("fy2023", REDIS_URL=REDIS_URL, RQ_PREFIX=prefix, JOBS_EAGER=False)
    # The worker builds its own app from the environment, as on a worker machine.
    for key in ("SQLALCHEMY_DATABASE_URI", "CACHE_FOLDER", "UPLOAD_FOLDER", "REPORTS_FOLDER",
                "SECRET_KEY"):
        env = "DATABASE_URL" if key == "SQLALCHEMY_DATABASE_URI" else key
        monkeypatch.setenv(env, app.config[key])
    monkeypatch.setenv("INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    monkeypatch.setenv("RQ_PREFIX", prefix)
    with app.app_context():
        yield app
        from webapp.jobs import rq_queues
        for queue in rq_queues(app):
            queue.delete(delete_jobs=True)
        db.session.remove()
        db.engine.dispose()


def test_a_build_waits_in_the_queue_until_a_worker_runs_it(redis_app):
    from rq import SimpleWorker

    from tests.factories import Factory
    from webapp.jobs import rq_queue
    client = redis_app.test_client()
    login(client, Factory().secretariat())
    response = client.post("/reports/2023/build")
    build_id = int(response.location.rstrip("/").split("/")[-1])
    progress = client.get(f"/reports/builds/{build_id}/progress").get_json()
    assert progress["status"] == "queued"
    page = client.get(f"/reports/builds/{build_id}").get_data(as_text=True)
    assert "この画面を閉じても作成は続きます" in page

    queue = rq_queue(redis_app)
    assert queue.count == 1
    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    db.session.expire_all()
    build = db.session.get(ReportBuild, build_id)
    assert build.status == "done", build.error
    assert build.progress_done == 21
    download = client.get(f"/reports/builds/{build_id}/download")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
