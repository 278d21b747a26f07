"""Many editors at once, on the README's production set-up (issue 10).

Sets up a fresh PostgreSQL database on TEST_DATABASE_URL's server (dropped
at the end), imports FY2023, opens FY2024 and creates the users; starts
gunicorn (4 workers), `flask rq-worker --nice 10` and `flask rq-worker --queue fit
--nice 10` (as the README advises) against the local Redis
(127.0.0.1:6379, database 13 and a key prefix of its own, so the tests'
Redis is not disturbed), all on loopback; logs everyone in (Argon2 on two
cores is slow, so this is before the clock starts), then for a fixed time:

  - N coordinators (default 15), each editing a sheet of their own: one per
    organisation that leads a sheet, then further sheets of organisations
    leading several; when N is more than the 21 FY2023 sheets, the imported
    year is generated with N projects (copies of the FY2023 ones, numbered on
    from 22, each led by an organisation of its own), so every coordinator
    is real. They autosave every 1-3 s with changed text, 「保存」 now and
    then, the edit page and the PDF preview now and then, and ask for the fit
    status as the editor does: once the typing pauses (FIT_PAUSE_S without a
    save), then polled while it is pending;
  - 2 reviewers: dashboard, sheet pages, comparison with last year;
  - one report build (2023) requested at a third of the time.

It prints per action p50/p95/max latency and count, requests per second,
errors (5xx, unexpected 4xx, failed connections), lost updates (the last
acknowledged text of each sheet against the database), fit lag (from an
acknowledged autosave to a fit status about that version or a newer one),
build wait (request → running) and duration, the longest queues seen, and
the peak memory (RSS) of the app's and the workers' processes. Everything
it started is stopped at the end, also on Ctrl+C or an error.

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/load.py [--seconds 60] [--coordinators 15] [--reviewers 2]
                                       [--web-workers 4] [--rq-workers 1] [--fit-workers 1]
                                       [--rq-nice 10] [--seed 1]
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
VENV_BIN = os.path.dirname(sys.executable)
FY2023 = os.path.join(ROOT, "webapp", "demo_data", "fy2023_report.json")
PASSWORD = "Bq7xK2m-Zt9-kyushu-load"   # passes the password policy (a few known words alone do not)
REDIS = "redis://127.0.0.1:6379/13"
FIT_PAUSE_S = 2.0   # sheet_edit.js's FIT_PAUSE_MS: the fit is asked for this long after the last keystroke
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


# ---------------------------------------------------------------- measurements

class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)     # action -> [seconds]
        self.errors = defaultdict(int)     # "action status" -> count
        self.requests = 0
        self.fit_lags = []
        self.unseen = []                   # saves whose fit was not shown by the end (waited so far)
        self.acked = {}                    # sheet id -> (version, text)
        self.recording = False

    def add(self, action: str, seconds: float):
        with self.lock:
            if self.recording:
                self.times[action].append(seconds)
                self.requests += 1

    def error(self, action: str, what):
        with self.lock:
            self.errors[f"{action} {what}"] += 1


def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Client:
    """One user's browser: a cookie jar, no redirects followed, every request timed."""

    def __init__(self, base: str, stats: Stats):
        self.base, self.stats = base, stats
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, action: str, path: str, data: dict | None = None, expect=(200,),
                headers: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        start = time.perf_counter()
        try:
            with self.opener.open(req, timeout=120) as resp:
                status, payload, location = resp.status, resp.read(), resp.headers.get("Location")
        except urllib.error.HTTPError as exc:
            status, payload, location = exc.code, exc.read(), exc.headers.get("Location")
        except OSError as exc:
            self.stats.error(action, type(exc).__name__)
            return None, b"", None
        self.stats.add(action, time.perf_counter() - start)
        if status not in expect:
            self.stats.error(action, status)
        return status, payload, location


def form_values(html: bytes, form_id: str | None = None) -> dict:
    import lxml.html
    doc = lxml.html.fromstring(html)
    form = doc.get_element_by_id(form_id) if form_id else doc.forms[0]
    values = {}
    for name, value in form.form_values():
        if name != "op":
            values[name] = value
    return values


# ---------------------------------------------------------------- set-up

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_admin_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", PG_DEFAULT)


def with_db(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def sa_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith("postgresql://") else url


def pg_execute(sql: str):
    import psycopg
    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
        conn.execute(sql)


def generated_year(coordinators: int) -> dict:
    """The FY2023 report file, with further projects (copies of its sheets, each led by an
    organisation of its own) until there is a sheet for every coordinator."""
    with open(FY2023, encoding="utf-8") as fh:
        data = json.load(fh)
    originals = list(data["projects"])
    for number in range(len(originals) + 1, coordinators + 1):
        source = originals[(number - 1) % len(originals)]
        org = f"負荷試験機関{number}"
        data["organizations"].append({"name": org, "kind": "prefecture"})
        data["projects"].append({**json.loads(json.dumps(source)), "number": number,
                                 "title": f"{source['title']}（複製{number}）", "lead_label": org,
                                 "lead_organizations": [org], "co_organizations": []})
    return data


def prepare(env: dict, coordinators: int, reviewers: int) -> dict:
    """Schema, FY2023, FY2024 opened, users; returns who edits what."""
    os.environ.update(env)
    import datetime as dt

    from flask_migrate import upgrade
    from sqlalchemy import select

    from webapp import create_app
    from webapp.accounts import create_user
    from webapp.cycles import open_cycle
    from webapp.extensions import db
    from webapp.models import Organisation, Project, ReportingCycle, Sheet
    from webapp.report_io import import_report
    app = create_app()
    with app.app_context():
        upgrade(directory=os.path.join(ROOT, "migrations"))
        import_report(generated_year(coordinators))
        db.session.commit()
        open_cycle(2024, dt.date(2025, 4, 30), None)
        db.session.commit()
        sheets = db.session.scalars(select(Sheet).join(ReportingCycle).join(Project)
                                    .where(ReportingCycle.year == 2024)
                                    .order_by(Project.number)).all()
        by_org = defaultdict(list)
        for sheet in sheets:
            for org in sheet.project.lead_organisations:
                by_org[org.id].append(sheet.id)
        orgs = {o.id: o for o in db.session.scalars(select(Organisation)).all()}
        taken, plan = set(), []
        # One per organisation first, then further sheets of organisations leading several.
        rounds = max(len(v) for v in by_org.values())
        for r in range(rounds):
            for org_id, ids in sorted(by_org.items()):
                free = [i for i in ids if i not in taken]
                if free and len(plan) < coordinators:
                    taken.add(free[0])
                    plan.append((org_id, free[0]))
        if len(plan) < coordinators:
            raise SystemExit(f"only {len(plan)} sheets for {coordinators} coordinators")
        users = {"coordinators": [], "reviewers": []}
        for n, (org_id, sheet_id) in enumerate(plan):
            email = f"coord{n}@bench.example.jp"
            create_user(None, email, f"担当者{n}", "coordinator", PASSWORD, orgs[org_id])
            users["coordinators"].append((email, sheet_id, orgs[org_id].name))
        secretariat = db.session.scalar(select(Organisation).where(Organisation.kind == "secretariat"))
        for n in range(reviewers):
            email = f"review{n}@bench.example.jp"
            create_user(None, email, f"事務局{n}", "secretariat", PASSWORD, secretariat)
            users["reviewers"].append(email)
        db.session.commit()
        users["all_2024_sheets"] = [s.id for s in sheets]
        users["sheets_2023"] = db.session.scalars(
            select(Sheet.id).join(ReportingCycle).where(ReportingCycle.year == 2023)).all()
        db.engine.dispose()
    return users


def final_texts(sheet_ids) -> dict:
    from sqlalchemy import select

    from webapp import create_app
    from webapp.extensions import db
    from webapp.models import Sheet
    app = create_app()
    with app.app_context():
        sheets = db.session.scalars(select(Sheet).where(Sheet.id.in_(list(sheet_ids)))).all()
        out = {s.id: (s.version, s.text("challenges")) for s in sheets}
        db.engine.dispose()
    return out


# ---------------------------------------------------------------- processes

class Processes:
    def __init__(self):
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, kind: str, cmd: list[str], env: dict, log: str):
        out = open(log, "ab")
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append((kind, proc))
        return proc

    def alive(self) -> bool:
        return all(p.poll() is None for _, p in self.procs)

    def stop(self):
        for _, proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 15
        for _, proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()


def _children() -> dict[int, list[int]]:
    tree = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                tree[ppid].append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return tree


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_cpu_s(pid: int, tree) -> float:
    """CPU seconds of a process tree, with its reaped children (e.g. RQ's work horses)."""
    total, todo = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15]) / tick
        except (OSError, ValueError, IndexError):
            pass
        todo.extend(tree.get(p, ()))
    return total


def cpu_by_kind(procs: "Processes") -> dict[str, float]:
    tree, out = _children(), defaultdict(float)
    for kind, proc in procs.procs:
        out[kind] += tree_cpu_s(proc.pid, tree)
    return out


def tree_rss_kb(pid: int, tree) -> int:
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss_kb(p)
        todo.extend(tree.get(p, ()))
    return total


class Monitor(threading.Thread):
    """Queue lengths in Redis and the memory of the started processes, sampled."""

    def __init__(self, procs: Processes, redis_conn, queues: dict[str, str]):
        super().__init__(daemon=True)
        self.procs, self.redis, self.queues = procs, redis_conn, queues
        self.stop_event = threading.Event()
        self.max_queue = defaultdict(int)
        self.peak = defaultdict(int)

    def run(self):
        while not self.stop_event.wait(0.2):
            try:
                for label, name in self.queues.items():
                    self.max_queue[label] = max(self.max_queue[label],
                                                self.redis.llen(f"rq:queue:{name}"))
            except Exception:
                pass
            tree = _children()
            for kind, proc in self.procs.procs:
                self.peak[kind] = max(self.peak[kind], tree_rss_kb(proc.pid, tree))


# ---------------------------------------------------------------- users

def log_in(client: Client, email: str):
    status, page, _ = client.request("login page", "/login")
    data = form_values(page)
    data.update(email=email, password=PASSWORD)
    status, _, location = client.request("login", "/login", data, expect=(302, 303))
    if status not in (302, 303):
        raise SystemExit(f"log-in of {email} failed ({status})")


def coordinator(client: Client, sheet_id: int, page: bytes, stop: threading.Event, stats: Stats,
                rng: random.Random):
    fields = form_values(page, "sheet-form")
    base = fields.get("challenges", "")
    n = polls = 0
    next_poll = 0.0
    waiting: list[tuple[int, float]] = []     # acknowledged versions whose fit is not shown yet
    next_save = time.time() + rng.uniform(1, 3)
    ajax = {"Accept": "application/json", "X-Requested-With": "fetch"}

    def seen(fit: dict | None):
        if not fit or fit.get("version") is None or fit.get("fits") is None:
            return
        now = time.perf_counter()
        for item in list(waiting):
            if fit["version"] >= item[0]:
                with stats.lock:
                    if stats.recording:
                        stats.fit_lags.append(now - item[1])
                waiting.remove(item)

    while not stop.is_set():
        if time.time() < next_save:
            # The editor asks for the fit once the typing pauses, then polls while it is
            # pending, as sheet_edit.js does: after the pause (or 1 s), then 0.5 s longer
            # each time, at most every 5 s.
            if waiting and time.time() >= next_poll:
                status, body, _ = client.request("fit status", f"/sheets/{sheet_id}/fit", headers=ajax)
                if status == 200:
                    seen(json.loads(body))
                polls += 1
                next_poll = time.time() + min(1 + polls * 0.5, 5)
            stop.wait(max(0.0, min(next_save, next_poll if waiting else next_save) - time.time()))
            continue
        n += 1
        text = f"{base}\n・負荷試験 {uuid.uuid4().hex[:8]} 第{n}回"
        fields["challenges"] = text
        roll = rng.random()
        if roll < 0.12:   # 「保存」: the form posted whole, answered with a redirect
            status, _, location = client.request("save (保存)", f"/sheets/{sheet_id}/edit", fields,
                                                  expect=(303,))
            match = re.search(r"saved=(\d+)", location or "")
            if status == 303 and match:
                version = int(match.group(1))
                fields["version"] = str(version)
                with stats.lock:
                    stats.acked[sheet_id] = (version, text)
                waiting.append((version, time.perf_counter()))
                polls, next_poll = 0, time.time() + FIT_PAUSE_S
        else:
            status, body, _ = client.request("autosave", f"/sheets/{sheet_id}/autosave", fields,
                                             headers=ajax)
            if status == 200:
                answer = json.loads(body)
                fields["version"] = str(answer["version"])
                with stats.lock:
                    stats.acked[sheet_id] = (answer["version"], text)
                waiting.append((answer["version"], time.perf_counter()))
                seen(answer.get("fit"))
                if waiting:
                    polls, next_poll = 0, time.time() + FIT_PAUSE_S
        if rng.random() < 0.08:
            client.request("edit page", f"/sheets/{sheet_id}/edit")
        if rng.random() < 0.05:
            # 202: the page that waits while the sheet is printed on the fit queue (a sheet the
            # size model answers for had no check that printed it); the browser then polls.
            client.request("PDF preview", f"/sheets/{sheet_id}/pdf", expect=(200, 202))
        next_save = time.time() + rng.uniform(1, 3)
    end = time.perf_counter()
    with stats.lock:
        stats.unseen.extend(end - t for _, t in waiting)


def reviewer(client: Client, sheets: list[int], stop: threading.Event, rng: random.Random):
    while not stop.is_set():
        roll = rng.random()
        sheet_id = rng.choice(sheets)
        if roll < 0.3:
            client.request("dashboard", "/dashboard")
        elif roll < 0.7:
            client.request("sheet page", f"/sheets/{sheet_id}")
        else:
            client.request("comparison", f"/sheets/{sheet_id}/compare")
        stop.wait(rng.uniform(0.5, 1.5))


def builder(client: Client, at: float, stop: threading.Event, result: dict):
    if stop.wait(at):
        return
    _, page, _ = client.request("reports page", "/reports/2023")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page or b"")
    requested = time.perf_counter()
    status, _, location = client.request("build request", "/reports/2023/build",
                                         {"csrf_token": token.group(1).decode() if token else ""},
                                         expect=(302, 303))
    match = re.search(r"/reports/builds/(\d+)", location or "")
    if not match:
        result["error"] = f"build request answered {status}"
        return
    build_id = match.group(1)
    result["requested"] = requested
    while True:  # followed to the end, even past the timed phase (bounded by the build itself)
        status, body, _ = client.request("build progress", f"/reports/builds/{build_id}/progress",
                                         headers={"Accept": "application/json"})
        now = time.perf_counter()
        if status == 200:
            state = json.loads(body)["status"]
            if state != "queued" and "started" not in result:
                result["started"] = now
            if state in ("done", "failed"):
                result["finished"], result["status"] = now, state
                return
        if now - requested > 600:
            result["error"] = "build not finished within 600 s"
            return
        time.sleep(0.25)


# ---------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--coordinators", type=int, default=15)
    parser.add_argument("--reviewers", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--web-threads", type=int, default=1,
                        help="threads per gunicorn worker (above 1: the gthread worker class)")
    parser.add_argument("--rq-workers", type=int, default=1)
    parser.add_argument("--fit-workers", type=int, default=1,
                        help="further workers serving only the fit queue (`flask rq-worker --queue fit`)")
    parser.add_argument("--rq-nice", type=int, default=10,
                        help="the workers' CPU priority (nice), as the README advises on a shared machine")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import redis
    redis_conn = redis.Redis.from_url(REDIS, socket_connect_timeout=2)
    try:
        redis_conn.ping()
        pg_execute("SELECT 1")
    except Exception as exc:
        print(f"PostgreSQL ({pg_admin_url()}) と Redis ({REDIS}) が必要です: {exc}", file=sys.stderr)
        return 2

    tag = f"bench_load_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    work = tempfile.mkdtemp(prefix="bench-load-")
    procs = Processes()
    stop = threading.Event()
    created_db = False
    signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        pg_execute(f'CREATE DATABASE "{tag}"')
        created_db = True
        port = free_port()
        env = {**os.environ,
               "DATABASE_URL": sa_url(with_db(pg_admin_url(), tag)),
               "REDIS_URL": REDIS, "RQ_PREFIX": tag, "INSTANCE_PATH": os.path.join(work, "instance"),
               "SECRET_KEY": "bench-" + tag, "REQUIRE_2FA_FOR": "",
               "CACHE_FOLDER": os.path.join(work, "cache"), "UPLOAD_FOLDER": os.path.join(work, "uploads"),
               "REPORTS_FOLDER": os.path.join(work, "reports"), "MAIL_FOLDER": os.path.join(work, "mail"),
               "BASE_URL": f"http://127.0.0.1:{port}"}
        t0 = time.perf_counter()
        users = prepare(env, args.coordinators, args.reviewers)
        print(f"set-up: database {tag}, FY2023 imported, FY2024 opened, "
              f"{len(users['coordinators'])} coordinators + {len(users['reviewers'])} reviewers "
              f"({time.perf_counter() - t0:.1f} s)")
        orgs = [c[2] for c in users["coordinators"]]
        if len(set(orgs)) < len(orgs):
            print(f"  {len(set(orgs))} organisations lead sheets: the other "
                  f"{len(orgs) - len(set(orgs))} coordinators edit a further sheet of theirs")

        procs.start("app (gunicorn)", [os.path.join(VENV_BIN, "gunicorn"), "-w", str(args.web_workers),
                                       "-b", f"127.0.0.1:{port}", "--timeout", "120",
                                       "--threads", str(args.web_threads),
                                       # time each request spent in the server (µs)
                                       "--access-logfile", os.path.join(work, "access.log"),
                                       "--access-logformat", "%(m)s %(U)s %(s)s %(D)s",
                                       "webapp:create_app()"],
                    env, os.path.join(work, "gunicorn.log"))
        for _ in range(args.rq_workers):
            procs.start("workers (rq)", [os.path.join(VENV_BIN, "flask"), "--app", "webapp", "rq-worker",
                                         "--nice", str(args.rq_nice)],
                        env, os.path.join(work, "rq.log"))
        for _ in range(args.fit_workers):
            procs.start("workers (rq)", [os.path.join(VENV_BIN, "flask"), "--app", "webapp", "rq-worker",
                                         "--queue", "fit", "--nice", str(args.rq_nice)],
                        env, os.path.join(work, "rq-fit.log"))
        base = f"http://127.0.0.1:{port}"
        stats = Stats()
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(base + "/login", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline or not procs.alive():
                raise SystemExit("gunicorn did not start; see " + os.path.join(work, "gunicorn.log"))
            time.sleep(0.3)

        # Everyone logs in at once (as at 9 o'clock), before the clock starts.
        clients = {}
        login_times = []

        def do_login(email):
            c = Client(base, stats)
            start = time.perf_counter()
            log_in(c, email)
            login_times.append(time.perf_counter() - start)
            clients[email] = c
        emails = [c[0] for c in users["coordinators"]] + users["reviewers"]
        threads = [threading.Thread(target=do_login, args=(e,)) for e in emails]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if len(clients) != len(emails):
            raise SystemExit("not every user could log in")
        print(f"log-in ({len(emails)} at once, before the timed phase): "
              f"p50 {statistics.median(login_times):.2f} s, max {max(login_times):.2f} s")

        # Everyone opens their editor; the fit checks this asks for (the carried-forward
        # sheets, never fitted yet) run before the clock starts, as after a quiet morning.
        pages = {}
        for email, sheet_id, _ in users["coordinators"]:
            status, pages[email], _ = clients[email].request("edit page", f"/sheets/{sheet_id}/edit")
        fit_queue = f"rq:queue:{tag}-fit"
        deadline = time.time() + 180
        while redis_conn.llen(fit_queue) and time.time() < deadline:
            time.sleep(0.5)
        time.sleep(2)  # the last job running

        monitor = Monitor(procs, redis_conn, {"fit": f"{tag}-fit", "report": f"{tag}-report"})
        monitor.start()
        rng = random.Random(args.seed)
        build: dict = {}
        workers = []
        for email, sheet_id, _ in users["coordinators"]:
            workers.append(threading.Thread(target=coordinator, args=(
                clients[email], sheet_id, pages[email], stop, stats, random.Random(rng.random()))))
        for email in users["reviewers"]:
            workers.append(threading.Thread(target=reviewer, args=(
                clients[email], users["all_2024_sheets"] + users["sheets_2023"], stop,
                random.Random(rng.random()))))
        build_thread = threading.Thread(target=builder, args=(
            clients[users["reviewers"][0]], args.seconds / 3, stop, build))
        cpu_before = cpu_by_kind(procs)
        client_cpu_before = client_cpu()
        stats.recording = True
        started = time.perf_counter()
        for t in workers + [build_thread]:
            t.start()
        stop.wait(args.seconds)
        stop.set()
        for t in workers:
            t.join()
        elapsed = time.perf_counter() - started
        stats.recording = False
        cpu_after = cpu_by_kind(procs)
        monitor.cpu = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
        build_thread.join()
        # Fit checks still queued or running are left to finish: the fit lag counts what
        # was seen during the run; the longest queue covers the rest.
        monitor.stop_event.set()
        monitor.join()

        monitor.client_cpu = client_cpu() - client_cpu_before
        report(args, users, stats, elapsed, build, monitor, os.path.join(work, "access.log"))
        return 0
    except KeyboardInterrupt:
        print("interrupted; stopping what was started", file=sys.stderr)
        return 130
    finally:
        stop.set()
        procs.stop()
        try:
            for name in redis_conn.scan_iter(f"*{tag}*"):
                redis_conn.delete(name)
        except Exception:
            pass
        if created_db:
            try:
                pg_execute(f'DROP DATABASE IF EXISTS "{tag}" WITH (FORCE)')
            except Exception as exc:
                print(f"could not drop database {tag}: {exc}", file=sys.stderr)
        if os.environ.get("BENCH_KEEP_LOGS"):
            print(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def client_cpu() -> float:
    """CPU seconds of this process (the simulated users), which shares the machine."""
    usage = os.times()
    return usage.user + usage.system


# What the server log calls each timed action (path pattern, method).
SERVER_ACTIONS = {"autosave": (re.compile(r"^/sheets/\d+/autosave$"), "POST"),
                  "save (保存)": (re.compile(r"^/sheets/\d+/edit$"), "POST"),
                  "edit page": (re.compile(r"^/sheets/\d+/edit$"), "GET"),
                  "fit status": (re.compile(r"^/sheets/\d+/fit$"), "GET")}


def server_times(log_path: str) -> dict[str, list[float]]:
    """Seconds each request spent inside gunicorn, by action, from its access log."""
    found = defaultdict(list)
    try:
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) != 4 or not parts[3].isdigit():
                    continue
                method, path, _, micros = parts
                for action, (pattern, verb) in SERVER_ACTIONS.items():
                    if method == verb and pattern.match(path):
                        found[action].append(int(micros) / 1e6)
    except OSError:
        pass
    return found


def report(args, users, stats: Stats, elapsed: float, build: dict, monitor: Monitor,
           access_log: str = ""):
    coordinators = users["coordinators"]
    print(f"\n{len(coordinators)} coordinators + {len(users['reviewers'])} reviewers, "
          f"{elapsed:.1f} s, gunicorn {args.web_workers} workers, {args.rq_workers} rq-worker + "
          f"{args.fit_workers} rq-worker --queue fit, at nice {args.rq_nice}; load average at the end {os.getloadavg()[0]:.1f}")
    print(f"  {'action':<16} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for action in sorted(stats.times):
        t = stats.times[action]
        print(f"  {action:<16} {len(t):>6} {pct(t, 50) * 1000:8.0f} {pct(t, 95) * 1000:8.0f} "
              f"{max(t) * 1000:8.0f}")
    print(f"  requests/s: {stats.requests / elapsed:.1f}")
    inside = server_times(access_log) if access_log else {}
    if inside:
        print("  inside the server (gunicorn's own request time; the rest of the above is"
              " queueing and the simulated users' share of the two cores):")
        for action, t in sorted(inside.items()):
            print(f"    {action:<14} {len(t):>6} {pct(t, 50) * 1000:8.0f} {pct(t, 95) * 1000:8.0f} "
                  f"{max(t) * 1000:8.0f}")
    errors = sum(stats.errors.values())
    print(f"  errors (5xx, unexpected 4xx, failed connections): {errors}"
          + (f"  {dict(stats.errors)}" if errors else ""))

    final = final_texts({sid for _, sid, _ in coordinators})
    # The server stores text without leading and trailing blank lines.
    lost = [sid for sid, (version, text) in stats.acked.items()
            if (final.get(sid, (None, None))[1] or "").strip() != text.strip() or final[sid][0] != version]
    print(f"  lost updates: {len(lost)} of {len(stats.acked)} sheets"
          + (f" (sheets {lost})" if lost else ""))
    for sid in lost[:2]:
        print(f"    sheet {sid}: acknowledged {stats.acked[sid][0]} {stats.acked[sid][1][-40:]!r}, "
              f"database {final.get(sid, (None, ''))[0]} {(final.get(sid, (None, ''))[1] or '')[-40:]!r}")
    lags = stats.fit_lags + stats.unseen
    if stats.unseen:
        print(f"  ({len(stats.unseen)} saves had no fit shown when the run ended: counted with the "
              f"time they had waited, a lower bound)")
    if lags:
        print(f"  fit lag (acknowledged save -> fit status for that version): "
              f"p50 {pct(lags, 50):.2f} s, p95 {pct(lags, 95):.2f} s, max {max(lags):.2f} s "
              f"({len(lags)} saves)")
    if build.get("error"):
        print(f"  report build: {build['error']}")
    elif "finished" in build:
        wait = build.get("started", build["finished"]) - build["requested"]
        print(f"  report build ({build['status']}): wait {wait:.2f} s (request -> running), "
              f"duration {build['finished'] - build.get('started', build['requested']):.1f} s")
    print(f"  longest queue: fit {monitor.max_queue['fit']}, report {monitor.max_queue['report']} "
          f"(sheets being edited: {len(coordinators)})")
    for kind, kb in sorted(monitor.peak.items()):
        print(f"  peak memory, {kind} (all its processes): {kb / 1024:.0f} MB")
    for kind, seconds in sorted(getattr(monitor, "cpu", {}).items()):
        print(f"  CPU used, {kind}: {seconds:.1f} s in {elapsed:.0f} s ({seconds / elapsed:.2f} cores)")
    if hasattr(monitor, "client_cpu"):
        print(f"  CPU used, the simulated users (this process): {monitor.client_cpu:.1f} s "
              f"({monitor.client_cpu / elapsed:.2f} cores)")
    p95_autosave = pct(stats.times.get("autosave", []), 95)
    build_wait = (build.get("started", float("inf")) - build["requested"]) if "requested" in build else float("inf")
    checks = {
        "0 errors": errors == 0,
        "0 lost updates": not lost,
        "autosave p95 <= 300 ms": p95_autosave <= 0.300,
        "fit lag p95 <= 5 s": bool(lags) and pct(lags, 95) <= 5.0,
        "build wait <= 5 s": build_wait <= 5.0,
        "queue never longer than the sheets edited": monitor.max_queue["fit"] <= len(coordinators),
    }
    print("  targets: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in checks.items()))


if __name__ == "__main__":
    sys.exit(main())
