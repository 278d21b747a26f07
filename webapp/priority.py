"""Lower a background process's CPU priority so that pages and autosaves come first.

`nice -n 10 command` is not enough on Linux with autogroup scheduling (the
default on desktop and many server kernels, /proc/sys/kernel/sched_autogroup_enabled):
every session (a service, a terminal, a process started with setsid) is
scheduled as a group, groups share the CPU equally, and a nice value counts
only inside its own group. A worker in a session of its own therefore got as
much CPU as the whole web server, niced or not (measured with bench/load.py:
the server's own time for an autosave went from 30 ms alone to 200 ms). The
group's weight is set by writing a nice value to /proc/self/autogroup, which
this does beside the process's own nice.
"""
from __future__ import annotations

import os

AUTOGROUP = "/proc/self/autogroup"


def lower(nice: int) -> list[str]:
    """Make this process (and the children it forks) `nice` steps less urgent,
    its autogroup too when there is one; returns what was done, for the log."""
    done = []
    if nice <= 0:
        return done
    current = os.nice(0)
    if nice > current:
        os.nice(nice - current)
        done.append(f"nice {nice}")
    try:
        with open(AUTOGROUP, "w") as fh:
            fh.write(str(nice))
        done.append(f"autogroup nice {nice}")
    except OSError:       # no autogroup scheduling, or not allowed: the nice value stays
        pass
    return done
