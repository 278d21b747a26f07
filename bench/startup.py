"""How long a process takes to start when it does not print (issue 10: under 1 s).

Every gunicorn worker, RQ worker and cron command pays this before doing
anything. Each command runs N times in a fresh interpreter (subprocess);
the median and the slowest are printed, and whether WeasyPrint was imported
(it must not be: nothing imports it until something prints).

    .venv/bin/python bench/startup.py [N]
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable
FLASK = os.path.join(os.path.dirname(PY), "flask")

CHECK_IMPORT = ("import sys; from webapp import create_app; create_app(); "
                "print('weasyprint' in sys.modules)")


def timed(cmd: list[str], env: dict, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory(prefix="startup-") as tmp:
        env = {**os.environ, "INSTANCE_PATH": tmp, "DATABASE_URL": f"sqlite:///{tmp}/app.db",
               "SECRET_KEY": "bench"}
        env.pop("REDIS_URL", None)
        subprocess.run([FLASK, "--app", "webapp", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        commands = {
            "flask --app webapp --help": [FLASK, "--app", "webapp", "--help"],
            "flask --app webapp export-report --year 2023": [
                FLASK, "--app", "webapp", "export-report", "--year", "2023", os.path.join(tmp, "out.json")],
            "python -c 'create_app()' (a WSGI worker's start)": [
                PY, "-c", "from webapp import create_app; create_app()"],
        }
        print(f"start-up times, {n} runs each (a fresh process each run):")
        worst = 0.0
        for label, cmd in commands.items():
            try:
                times = timed(cmd, env, n)
            except subprocess.CalledProcessError:
                # export of a year with no sheets exits non-zero by design; time it anyway
                times = []
                for _ in range(n):
                    start = time.perf_counter()
                    subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
                    times.append(time.perf_counter() - start)
            med = statistics.median(times)
            worst = max(worst, med)
            print(f"  {label:<52} median {med:5.2f} s   max {max(times):5.2f} s")
        imported = subprocess.run([PY, "-c", CHECK_IMPORT], cwd=ROOT, env=env, check=True,
                                  capture_output=True, text=True).stdout.strip()
        print(f"  WeasyPrint imported by create_app(): {'yes' if imported == 'True' else 'no'}")
        print(f"  target: under 1 s at the median -> {'met' if worst < 1.0 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
