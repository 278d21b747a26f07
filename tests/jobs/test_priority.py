"""A worker started with --nice yields the CPU to the web server, also under
autogroup scheduling, where a plain nice value counts only inside its session."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PROBE = ("import os; from webapp import priority; done = priority.lower(7); "
         "print(os.nice(0)); print(done); "
         "print(open(priority.AUTOGROUP).read().strip() if os.path.exists(priority.AUTOGROUP) else '')")


def _probe() -> list[str]:
    # A child of its own (start_new_session: its own autogroup, as a service has),
    # so that this test process keeps its priority.
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
                         check=True, start_new_session=True)
    return out.stdout.splitlines()


def test_the_process_and_its_autogroup_are_lowered():
    nice, done, autogroup = _probe()
    assert int(nice) >= 7
    if not os.path.exists("/proc/self/autogroup"):
        pytest.skip("this kernel schedules no autogroups; the nice value alone is what counts")
    assert autogroup.endswith("nice 7"), autogroup
    assert "autogroup nice 7" in done


def test_nice_zero_changes_nothing():
    from webapp import priority
    assert priority.lower(0) == []
