"""Background jobs: RQ workers when REDIS_URL is set, else threads in this process.

A job is an importable function name plus plain arguments (ids, not
objects), so the same call runs in an RQ worker on another machine or in a
local thread. Jobs run inside an app context and must record their own
progress and outcome in the database or the shared cache folder, never in
process memory. JOBS_EAGER=True (the tests) runs the job at once, in the
caller.

There are two queues, so that a report build never waits behind the fit
checks that every autosave asks for:

    fit      interactive fit checks (at most one pending per sheet: webapp.editing.fit)
    report   report builds

With Redis they are the RQ queues ``<RQ_PREFIX>-fit`` and
``<RQ_PREFIX>-report`` (``council-fit``, ``council-report`` by default);
`flask rq-worker` serves both, builds first. Without Redis each queue has
its own thread pool, so the same holds in one process.
"""
from __future__ import annotations

import importlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app

log = logging.getLogger(__name__)

FIT, REPORT = "fit", "report"
QUEUES = (REPORT, FIT)          # the order a worker serving both takes them in
DEFAULT_PREFIX = "council"
JOB_TIMEOUT = {FIT: 300, REPORT: 1800}
_THREADS = {FIT: 2, REPORT: 1}

_pools: dict[str, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _resolve(name: str):
    module, _, func = name.rpartition(".")
    return getattr(importlib.import_module(module), func)


def enqueue(name: str, *args, queue: str = REPORT) -> str:
    """Run `name(*args)` in the background on `queue`; returns 'rq', 'thread' or 'eager'."""
    app = current_app._get_current_object()
    if app.config.get("JOBS_EAGER"):
        _resolve(name)(*args)
        return "eager"
    if app.config.get("REDIS_URL"):
        rq_queue(app, queue).enqueue(run_in_app, name, *args, job_timeout=JOB_TIMEOUT[queue])
        return "rq"
    _local_pool(queue).submit(_run_logged, app, name, args)
    return "thread"


def _local_pool(queue: str) -> ThreadPoolExecutor:
    with _pools_lock:
        pool = _pools.get(queue)
        if pool is None:
            pool = _pools[queue] = ThreadPoolExecutor(
                max_workers=_THREADS[queue], thread_name_prefix=f"job-{queue}")
        return pool


def _run_logged(app: Flask, name: str, args) -> None:
    with app.app_context():
        try:
            _resolve(name)(*args)
        except Exception:
            log.exception("background job %s%r failed", name, args)


def prefix(app: Flask) -> str:
    """Names the RQ queues and the Redis keys; a second installation (or a test) on the
    same Redis takes another prefix (or another Redis database number)."""
    return app.config.get("RQ_PREFIX") or DEFAULT_PREFIX


def queue_name(app: Flask, queue: str) -> str:
    return f"{prefix(app)}-{queue}"


def redis_connection(app: Flask):
    """One client per app (it keeps a pool of connections), made on first use."""
    conn = app.extensions.get("jobs-redis")
    if conn is None:
        from redis import Redis
        conn = app.extensions["jobs-redis"] = Redis.from_url(app.config["REDIS_URL"])
    return conn


def rq_queue(app: Flask, queue: str = REPORT):
    from rq import Queue
    return Queue(queue_name(app, queue), connection=redis_connection(app))


def rq_queues(app: Flask, only: str | None = None) -> list:
    """The queues a worker serves, in the order it takes jobs from them: builds first."""
    return [rq_queue(app, q) for q in QUEUES if only in (None, q)]


def run_in_app(name: str, *args) -> None:
    """Entry point inside an RQ worker: the worker's app, then the job."""
    with _worker_app().app_context():
        _resolve(name)(*args)


_worker_apps: list[Flask] = []


def _worker_app() -> Flask:
    # `flask rq-worker` forks a work horse per job: the app it made before forking
    # (use_worker_app) is inherited, so a job does not pay for create_app. Elsewhere
    # (a bare `rq worker`, the tests) each job builds one from the environment.
    if _worker_apps:
        return _worker_apps[0]
    from webapp import create_app
    return create_app()


def use_worker_app(app: Flask) -> None:
    _worker_apps[:] = [app]
