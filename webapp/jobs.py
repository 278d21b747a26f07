"""Background jobs: RQ workers when REDIS_URL is set, else a thread in this process.

A job is an importable function name plus plain arguments (ids, not
objects), so the same call runs in an RQ worker on another machine or in a
local thread. Jobs run inside an app context and must record their own
progress and outcome in the database, never in process memory.
JOBS_EAGER=True (the tests) runs the job at once, in the caller.
"""
from __future__ import annotations

import importlib
import logging
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app

log = logging.getLogger(__name__)
_local_pool: ThreadPoolExecutor | None = None
QUEUE_NAME = "council-report"


def _resolve(name: str):
    module, _, func = name.rpartition(".")
    return getattr(importlib.import_module(module), func)


def enqueue(name: str, *args) -> str:
    """Run `name(*args)` in the background; returns 'rq', 'thread' or 'eager'."""
    app = current_app._get_current_object()
    if app.config.get("JOBS_EAGER"):
        _resolve(name)(*args)
        return "eager"
    if app.config.get("REDIS_URL"):
        queue = rq_queue(app)
        queue.enqueue(run_in_app, name, *args, job_timeout=1800)
        return "rq"
    global _local_pool
    if _local_pool is None:
        _local_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="job")
    _local_pool.submit(_run_logged, app, name, args)
    return "thread"


def _run_logged(app: Flask, name: str, args) -> None:
    with app.app_context():
        try:
            _resolve(name)(*args)
        except Exception:
            log.exception("background job %s%r failed", name, args)


def rq_queue(app: Flask):
    from redis import Redis
    from rq import Queue
    return Queue(app.config.get("RQ_QUEUE") or QUEUE_NAME,
                 connection=Redis.from_url(app.config["REDIS_URL"]))


def run_in_app(name: str, *args) -> None:
    """Entry point inside an RQ worker: build the app from the environment, then run."""
    from webapp import create_app
    app = create_app()
    with app.app_context():
        _resolve(name)(*args)
