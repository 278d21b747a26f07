"""Fewer garbage collections while WeasyPrint lays a document out.

A layout makes hundreds of thousands of short-lived objects.  At Python's
default threshold (a collection every 700 net allocations) the collector ran
about 25 times per sheet and took 15 % of a cold report build, mostly in
full collections walking the process's long-lived objects (bench/report.py,
105 sheets: 2,670 collections, 2.35 s of 15.9 s).  The objects are freed by
reference counting anyway; the few cycles wait a little longer.
"""
from __future__ import annotations

import contextlib
import gc
import threading

__all__ = ["after_fork", "fewer_collections"]

#: allocations between two young-generation collections while laying out
LAYOUT_THRESHOLD = 10_000

_lock = threading.Lock()
_depth = 0
_saved: tuple[int, int, int] | None = None


@contextlib.contextmanager
def fewer_collections():
    """Raise the collector's threshold for the duration; nested and
    concurrent uses (threads of one process) restore it once, at the end of
    the last."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(LAYOUT_THRESHOLD, _saved[0]), *_saved[1:])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)


def after_fork() -> None:
    """A fresh lock in a forked worker: another thread of the parent may have
    held it at the moment of the fork."""
    global _lock
    _lock = threading.Lock()
