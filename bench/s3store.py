"""Start time and memory of the tests' S3 store (scripts/ceph-rgw.sh).

Starts the store N times in a fresh directory and prints the wall time of
`start` (until the gateway answers and the user exists), the resident memory
of each daemon when idle and after writing and reading back 200 objects of
100 KB (memstore keeps them in the OSD's memory), and the time of `stop`.

    .venv/bin/python bench/s3store.py [N]
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
SCRIPT = os.path.join(ROOT, "scripts", "ceph-rgw.sh")

from tests.s3store import store_from_env  # noqa: E402


def rss_mb(pid: int) -> tuple[str, float]:
    with open(f"/proc/{pid}/comm") as f:
        name = f.read().strip()
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return name, int(line.split()[1]) / 1024
    return name, 0.0


def memory(directory: str) -> dict[str, float]:
    with open(os.path.join(directory, "pids")) as f:
        return dict(rss_mb(int(line)) for line in f if line.strip())


def read_env(directory: str) -> dict[str, str]:
    env = {}
    with open(os.path.join(directory, "env")) as f:
        for line in f:
            name, _, value = line.removeprefix("export ").strip().partition("=")
            env[name] = value
    return env


def fill(directory: str) -> None:
    s3 = store_from_env(read_env(directory)).client()
    s3.create_bucket(Bucket="bench-fill")
    body = os.urandom(100 * 1024)
    for i in range(200):
        s3.put_object(Bucket="bench-fill", Key=f"object-{i:03d}", Body=body)
    for i in range(200):
        assert s3.get_object(Bucket="bench-fill", Key=f"object-{i:03d}")["Body"].read() == body


def show(label: str, mem: dict[str, float]) -> str:
    parts = ", ".join(f"{name} {mb:.0f}" for name, mb in mem.items())
    return f"{label} {sum(mem.values()):.0f} MB ({parts})"


def main(n: int) -> None:
    starts, stops = [], []
    for run in range(n):
        directory = os.path.join(tempfile.mkdtemp(prefix="s3bench."), "store")
        began = time.perf_counter()
        subprocess.run([SCRIPT, "start", directory], check=True)
        starts.append(time.perf_counter() - began)
        try:
            idle = memory(directory)
            fill(directory)
            filled = memory(directory)
        finally:
            began = time.perf_counter()
            subprocess.run([SCRIPT, "stop", directory], check=True)
            stops.append(time.perf_counter() - began)
            os.rmdir(os.path.dirname(directory))
        print(f"run {run + 1}: start {starts[-1]:.2f} s; {show('RSS idle', idle)}; "
              f"{show('after 20 MB written', filled)}")
    print(f"start: median {statistics.median(starts):.2f} s, slowest {max(starts):.2f} s "
          f"({n} runs); stop: median {statistics.median(stops):.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
