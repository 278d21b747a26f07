"""How long a process takes to start when it does not print (issue 10: under 1 s).

Every gunicorn worker, RQ worker and cron command pays this before doing
anything. Each command runs N times in a fresh interpreter (subprocess);
the median and the slowest are printed, and whether WeasyPrint was imported
(it must not be: nothing imports it until something prints).

    .venv/bin/python bench/startup.py [N]
"""
from __future__ import annotations

import os
import resource
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


def timed(cmd: list[str], env: dict, n: int) -> tuple[list[float], list[float]]:
    """(wall times, CPU times): on a machine others share, CPU time is the steadier figure."""
    walls, cpus = [], []
    for _ in range(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return walls, cpus


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory(prefix="startup-") as tmp:
        env = {**os.environ, "INSTANCE_PATH": tmp, "DATABASE_URL": f"sqlite:///{tmp}/app.db",
               "SECRET_KEY": "bench"}
        env.pop("REDIS_URL", None)
        # A deployed app has its bytecode cached (pip compiles the packages; Python
        # writes the app's own .pyc on first run): a shell with PYTHONDONTWRITEBYTECODE
        # would otherwise make every run compile the app's sources again.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        compiled = subprocess.run([PY, "-m", "compileall", "-q", "webapp", "forms"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
        subprocess.run([FLASK, "--app", "webapp", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        commands = {
            "flask --app webapp --help": [FLASK, "--app", "webapp", "--help"],
            "flask --app webapp export-report --year 2023": [
                FLASK, "--app", "webapp", "export-report", "--year", "2023", os.path.join(tmp, "out.json")],
            "python -c 'create_app()' (a WSGI worker's start)": [
                PY, "-c", "from webapp import create_app; create_app()"],
        }
        print(f"start-up times, {n} runs each (a fresh process each run; bytecode cached: "
              f"{'yes' if compiled else 'no'}):")
        worst = 0.0
        for label, cmd in commands.items():
            walls, cpus = timed(cmd, env, n)
            med = statistics.median(walls)
            worst = max(worst, med)
            print(f"  {label:<50} median {med:5.2f} s (CPU {statistics.median(cpus):4.2f} s)"
                  f"   max {max(walls):5.2f} s")
        imported = subprocess.run([PY, "-c", CHECK_IMPORT], cwd=ROOT, env=env, check=True,
                                  capture_output=True, text=True).stdout.strip()
        print(f"  WeasyPrint imported by create_app(): {'yes' if imported == 'True' else 'no'}")
        print(f"  target: under 1 s at the median -> {'met' if worst < 1.0 else 'NOT met'}"
              f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
