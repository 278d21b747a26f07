"""Benchmark of the report build on the FY2023 data.

    .venv/bin/python bench/report.py [REPORT.json] [--runs N] [--workers N]
    .venv/bin/python bench/report.py --sheets N [--runs N]   (a generated year)

Prints, each the median of N runs (default 5):
  (a) naive: one WeasyPrint call over the whole report's HTML
  (b) cold build: empty cache, fit searches included
  (c) rebuild after one sheet's text changed
  (d) one sheet's PDF with a warm cache
  (e) average layouts per fit search (over the cold builds)
  (f) peak memory of the process tree (max RSS of this process and of its
      largest child, as reported by getrusage)
  (g) the published report (tagged PDF/UA-1) and its archival copy
      (PDF/A-2b), merged from the cached tagged sheets: the background
      build's time
and the ratios b/a and c/a, and the file sizes: (a)'s one-call print, the
assembled report (b), the published and the archival file, each against (a)
(target: the report at most 1.3 times (a)).  Each scenario runs in a fresh child process so
that one scenario's memory or warm caches do not flatter another.

With ``--sheets N`` the year is N sheets generated from the FY2023 ones
(numbers 1..N, sheet k a copy of FY2023 sheet (k-1) mod 21 with its own
number), and every figure is a whole process (interpreter start, imports,
build, exit), timed from outside, on a cache prepared beforehand:
  cold published   publish_report (PDF/UA-1 + PDF/A-2b), empty cache
  rebuild          publish_report again, nothing changed
  after one change publish_report after one line added to one sheet
  確認用           the draft build (build_report, untagged) after the same change
                   (a draft built before: its frame is cached, as the published one's is)
  one WeasyPrint   one WeasyPrint call over the same report's HTML (sizes as fitted)
and the peak RSS of each process and of its largest child (pool workers),
with each time's ratio to one WeasyPrint call and to the 確認用 build.
"""
from __future__ import annotations

import argparse
import copy
import datetime
import json
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

TARGETS = {"b/a": 1.0, "c/a": 0.15, "d": 1.0, "e": 3.0, "f": 500.0, "size": 1.3}


def default_data_path() -> str:
    repo_copy = os.path.join(ROOT, "webapp", "demo_data", "fy2023_report.json")
    if os.path.exists(repo_copy):
        return repo_copy
    return os.path.join(ROOT, "..", "shared", "data", "fy2023_report.json")


def load(path: str):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    year = int(data["fiscal_year"])
    meta = {
        "council": data["council"],
        "title": data["title"],
        "fiscal_year": year,
        # The compilation date comes from data, never from the clock.
        "date": datetime.date.fromisoformat(data["date"]) if data.get("date")
        else datetime.date(year + 1, 3, 31),
    }
    return meta, year, data["projects"]


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _max_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux: the peak of this process, and of the
    # largest of its (waited-for) children.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


# --- scenarios, each run in a child process ---------------------------------

def _scenario(name, path, workers, queue):
    from webapp.printing import build_report, publish_report, report_html, sheet_pdf
    from webapp.printing.fetcher import SafeURLFetcher
    from webapp.printing.fonts import find_fonts
    from webapp.printing.render import TEMPLATES_DIR
    from weasyprint import HTML

    meta, year, sheets = load(path)
    result = {}
    with tempfile.TemporaryDirectory() as cache:
        if name == "naive":
            # sizes from a build, so that (a) prints the same sheets as (b)
            fits = {}
            build_report(meta, year, sheets, cache, fits=fits, workers=workers)
            html = report_html(meta, year, sheets, fits=fits)
            fetcher = SafeURLFetcher(roots=[TEMPLATES_DIR], files=find_fonts().paths)
            start, cpu = time.perf_counter(), _cpu_seconds()
            pdf = HTML(string=html, base_url=TEMPLATES_DIR + "/", url_fetcher=fetcher).write_pdf()
            result["seconds"] = time.perf_counter() - start
            result["cpu"] = _cpu_seconds() - cpu
            result["bytes"] = len(pdf)
        elif name == "cold":
            fits = {}
            start, cpu = time.perf_counter(), _cpu_seconds()
            pdf = build_report(meta, year, sheets, cache, fits=fits, workers=workers)
            result["seconds"] = time.perf_counter() - start
            result["cpu"] = _cpu_seconds() - cpu
            result["bytes"] = len(pdf)
            renders = [f.renders for f in fits.values()]
            result["renders"] = sum(renders) / len(renders)
        elif name == "rebuild":
            build_report(meta, year, sheets, cache, workers=workers)
            changed = copy.deepcopy(sheets)
            # a typical edit: one more line in one sheet's results
            changed[8]["results"]["actions"] += "\n・ベンチマーク用に追記した一行。"
            start, cpu = time.perf_counter(), _cpu_seconds()
            build_report(meta, year, changed, cache, workers=workers)
            result["seconds"] = time.perf_counter() - start
            result["cpu"] = _cpu_seconds() - cpu
        elif name == "published":
            build_report(meta, year, sheets, cache, workers=workers)
            start, cpu = time.perf_counter(), _cpu_seconds()
            pdfs = publish_report(meta, year, sheets, cache, workers=workers)
            result["seconds"] = time.perf_counter() - start
            result["cpu"] = _cpu_seconds() - cpu
            result["ua_bytes"] = len(pdfs["pdf/ua-1"])
            result["pdfa_bytes"] = len(pdfs["pdf/a-2b"])
        elif name == "sheet":
            build_report(meta, year, sheets, cache, workers=workers)
            start, cpu = time.perf_counter(), _cpu_seconds()
            sheet_pdf(sheets[0], year, cache)
            result["seconds"] = time.perf_counter() - start
            result["cpu"] = _cpu_seconds() - cpu
    result["rss_mb"] = _max_rss_mb()
    queue.put(result)


def run_scenario(name, path, workers):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_scenario, args=(name, path, workers, queue))
    proc.start()
    result = queue.get()
    proc.join()
    if proc.exitcode:
        raise SystemExit(f"scenario {name} failed (exit {proc.exitcode})")
    return result


# --- a generated year of N sheets, whole processes ----------------------------

#: The sheet changed in "after one change" (index in number order) and the line added.
CHANGED_INDEX = 8
CHANGED_LINE = "\n・ベンチマーク用に追記した一行。"


def generated_year(path: str, count: int):
    """(meta, year, sheets): ``count`` sheets numbered 1..count, copies of the
    FY2023 sheets in turn."""
    meta, year, base = load(path)
    sheets = []
    for index in range(count):
        sheet = copy.deepcopy(base[index % len(base)])
        sheet["number"] = index + 1
        sheets.append(sheet)
    return meta, year, sheets


def changed(sheets):
    out = copy.deepcopy(sheets)
    out[CHANGED_INDEX]["results"]["actions"] += CHANGED_LINE
    return out


def _whole_process_job(args):
    """What one timed process does (``--job NAME``); prints its build time
    and peak memory as JSON on its last line."""
    meta, year, sheets = generated_year(args.data, args.sheets)
    start = time.perf_counter()
    if args.job == "naive":
        from weasyprint import HTML
        from webapp.printing.fetcher import SafeURLFetcher
        from webapp.printing.fonts import find_fonts
        from webapp.printing.render import TEMPLATES_DIR
        with open(os.path.join(args.cache, "report.html"), encoding="utf-8") as f:
            html = f.read()
        fetcher = SafeURLFetcher(roots=[TEMPLATES_DIR], files=find_fonts().paths)
        HTML(string=html, base_url=TEMPLATES_DIR + "/", url_fetcher=fetcher).write_pdf()
    elif args.job == "html":       # preparation: the HTML the naive call prints
        from webapp.printing import build_report, report_html
        fits = {}
        build_report(meta, year, sheets, args.cache, fits=fits, workers=args.workers)
        with open(os.path.join(args.cache, "report.html"), "w", encoding="utf-8") as f:
            f.write(report_html(meta, year, sheets, fits=fits))
    elif args.job in ("published", "published-changed"):
        from webapp.printing import publish_report
        publish_report(meta, year, changed(sheets) if args.job == "published-changed" else sheets,
                       args.cache, workers=args.workers)
    elif args.job in ("draft", "draft-changed"):
        from webapp.printing import build_report
        build_report({**meta, "draft": True}, year,
                     changed(sheets) if args.job == "draft-changed" else sheets, args.cache,
                     workers=args.workers)
    else:
        raise SystemExit(f"unknown job {args.job}")
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"in_process": seconds, "rss_mb": own, "child_rss_mb": children}))


def _run_process(job: str, args, cache: str) -> dict:
    import subprocess
    command = [sys.executable, os.path.abspath(__file__), args.data, "--sheets", str(args.sheets),
               "--job", job, "--cache", cache]
    if args.workers:
        command += ["--workers", str(args.workers)]
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if run.returncode:
        raise SystemExit(f"{job} failed (exit {run.returncode}):\n{run.stderr[-3000:]}")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result["seconds"] = seconds
    return result


def _copy_cache(source: str, target: str) -> str:
    import shutil
    shutil.copytree(source, target)
    return target


def _pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns (kanji take two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    space = " " * max(0, width - columns)
    return space + text if right else text + space


def scaled(args) -> int:
    """The --sheets table: each scenario a whole process, median of --runs."""
    names = ("cold", "rebuild", "changed", "draft", "naive")
    runs = {name: [] for name in names}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            warm = os.path.join(folder, "warm")
            os.makedirs(warm)
            # the cold published build leaves the warm cache the others start from
            runs["cold"].append(_run_process("published", args, warm))
            _run_process("html", args, warm)
            _run_process("draft", args, warm)       # the 確認用 cover's frame, as after a first draft
            runs["rebuild"].append(_run_process("published", args, warm))
            runs["naive"].append(_run_process("naive", args, warm))
            runs["changed"].append(_run_process(
                "published-changed", args, _copy_cache(warm, os.path.join(folder, "a"))))
            runs["draft"].append(_run_process(
                "draft-changed", args, _copy_cache(warm, os.path.join(folder, "b"))))

    def median(name, key="seconds"):
        return statistics.median(r[key] for r in runs[name])

    naive, draft = median("naive"), median("draft")
    labels = {"cold": "cold published (UA-1 + A-2b, empty cache)",
              "rebuild": "published, nothing changed",
              "changed": "published after one sheet changed",
              "draft": "確認用 build after the same change",
              "naive": "one WeasyPrint call, same HTML"}
    print(f"sheets: {args.sheets}  runs: {args.runs}  CPUs: {os.cpu_count()}  "
          f"workers: {args.workers or 'default'}  (whole processes, wall seconds, medians)")
    print(f"{'':44s} {'whole':>8s} {'in-proc':>8s} {'/naive':>7s} {_pad('/確認用', 7, True)} "
          f"{'RSS MB':>7s} {'child':>6s}")
    for name in names:
        seconds = median(name)
        print(f"{_pad(labels[name], 44)} {seconds:8.2f} {median(name, 'in_process'):8.2f} "
              f"{seconds / naive:7.2f} {seconds / draft:7.2f} "
              f"{median(name, 'rss_mb'):7.0f} {median(name, 'child_rss_mb'):6.0f}")
    peak = max(max(r["rss_mb"], r["child_rss_mb"]) for rs in runs.values() for r in rs)
    print(f"peak memory of any build process: {peak:.0f} MB;  load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work skews wall times)")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default=default_data_path())
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--sheets", type=int, default=None,
                        help="a generated year of N sheets; whole-process timings")
    parser.add_argument("--job", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.job:
        _whole_process_job(args)
        return 0
    if args.sheets:
        args.runs = args.runs or 1
        return scaled(args)
    args.runs = args.runs or 5

    # Import once here so that forked scenario processes start warm, as the
    # app's worker processes are.
    import webapp.printing  # noqa: F401

    print(f"data: {os.path.relpath(args.data)}  runs: {args.runs}  "
          f"CPUs: {os.cpu_count()}  workers: {args.workers or 'default'}")
    # Rounds interleave the scenarios, so that a burst of load from
    # something else on the machine hits all of them alike.
    names = ("naive", "cold", "rebuild", "sheet", "published")
    runs = {name: [] for name in names}
    for _ in range(args.runs):
        for name in names:
            runs[name].append(run_scenario(name, args.data, args.workers))

    def median(name, key):
        return statistics.median(r[key] for r in runs[name])

    a, b = median("naive", "seconds"), median("cold", "seconds")
    c, d = median("rebuild", "seconds"), median("sheet", "seconds")
    e = median("cold", "renders")
    f = max(median(name, "rss_mb") for name in ("cold", "rebuild", "sheet"))
    f_naive = median("naive", "rss_mb")
    g = median("published", "seconds")
    size_a, size_b = median("naive", "bytes"), median("cold", "bytes")
    size_ua, size_pdfa = median("published", "ua_bytes"), median("published", "pdfa_bytes")
    cpu = {name: median(name, "cpu") for name in names}
    rows = [
        ("(a) naive: one WeasyPrint call, whole report", f"{a:7.3f} s", ""),
        ("(b) cold build, no cache (fit searches incl.)", f"{b:7.3f} s",
         f"b/a = {b / a:.2f}  (target ≤ {TARGETS['b/a']})"),
        ("(c) rebuild after one sheet changed", f"{c:7.3f} s",
         f"c/a = {c / a:.3f} (target ≤ {TARGETS['c/a']})"),
        ("(d) one sheet PDF, warm cache", f"{d:7.3f} s", f"(target ≤ {TARGETS['d']} s)"),
        ("(e) layouts per fit search (average)", f"{e:7.2f}", f"(target ≤ {TARGETS['e']})"),
        ("(f) peak memory, build (process tree)", f"{f:7.0f} MB",
         f"(target ≤ {TARGETS['f']:.0f} MB; naive run: {f_naive:.0f} MB)"),
        ("(g) published + archival PDF, fits cached", f"{g:7.3f} s",
         f"g/a = {g / a:.2f}  (merged from the cached tagged sheets)"),
    ]
    for label, value, note in rows:
        print(f"{label:48s} {value:>11s}  {note}")
    print(f"sizes: (a) one call {size_a / 1024:.0f} KB;  (b) assembled {size_b / 1024:.0f} KB "
          f"= {size_b / size_a:.2f}×a;  published (PDF/UA-1) {size_ua / 1024:.0f} KB "
          f"= {size_ua / size_a:.2f}×a;  archival (PDF/A-2b) {size_pdfa / 1024:.0f} KB "
          f"= {size_pdfa / size_a:.2f}×a  (target ≤ {TARGETS['size']}×a)")
    print(f"CPU seconds (user+sys, process tree): a {cpu['naive']:.2f}  b {cpu['cold']:.2f}  "
          f"c {cpu['rebuild']:.2f}  d {cpu['sheet']:.3f};  load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work skews wall times)")
    ok = (b / a <= TARGETS["b/a"] and c / a <= TARGETS["c/a"] and d <= TARGETS["d"]
          and e <= TARGETS["e"] and f <= TARGETS["f"]
          and max(size_b, size_ua, size_pdfa) / size_a <= TARGETS["size"])
    print("all targets met" if ok else "SOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
