"""Does the sheet fit one printed page, and at what size? The app's one fit path.

Every view that asks goes through here, and from here straight to the
printing package: view → this module → `printing.fit_sheet` /
`printing.lookup_fit` → WeasyPrint. The answer is one type, `FitStatus`
(for the edit page, its JSON poll and the submission check alike).

Printing keeps every fit in its content-addressed cache (the store's
print cache, webapp/storage.py, which every app server shares), so saving unchanged text
costs nothing and a fit found by a report build or a PDF download counts
here too. A render takes seconds, so a request never waits for one: the
edit page shows the cached fit, and otherwise a background fit check runs
on the `fit` queue (webapp.jobs) while the page polls `editing.fit_status`.

A check costs a layout only near the page's end: a sheet the text-length
model puts far inside the page (printing.surefit, margin measured on the
FY2023 sheets) is answered at once, as fitting at that size or larger,
without a job. The editor asks after a pause in typing, not at every
autosave (the autosave answers from the cache and asks for nothing;
sheet_edit.js asks once the typing stops; 「保存」 and opening the page ask).

Fit checks coalesce: at most one is pending per sheet (a Redis key set
only if absent, or the same rule in this process without Redis), and it
fits the sheet's content as saved when it starts, not as it was when it was
asked for; autosaving every second leaves one job per sheet, not one per
save. A job finding another job's mark does nothing (a newer one is
pending). Until the latest version's fit is known, the status answers with
the last one known for the sheet and says which version that was; an older
job finishing late never replaces a newer answer.

The preview (「PDFで表示」, `preview()`) rides the same path: a sheet PDF not
in the cache is asked for as a fit check that must print (`want_pdf`),
coalesced with the editor's checks, and the page waits for it; the request
never renders. A check finishing with the PDF written, or failing, ends
everybody's wait for that sheet (webapp.expensive).
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass, replace

from flask import Flask, current_app

from webapp import expensive, jobs, storage
from webapp.extensions import db
from webapp.models import Sheet
from webapp.printing import layout_constants as LC
from webapp.sheet_content import printable, sheet_to_dict
from webapp.sheet_schema import schema

log = logging.getLogger(__name__)

SUBDIR = "editing-fit"
PENDING_TTL = 300         # a pending mark whose job never ran (a lost worker) lapses
ERROR_TTL = 120           # a failure is retried after this long
MAX_NAMED = 2             # sections named in 「…を短くしてください」
CHECKING = "1ページに収まるかを確認しています…"
FAILED = "1ページに収まるかを確認できませんでした。"
PREVIEW_PENDING = "PDFを作成しています…"
PREVIEW_FAILED = "PDFを作成できませんでした。しばらくしてからもう一度開いてください。"


@dataclass(frozen=True)
class FitStatus:
    state: str                    # 'ready' | 'pending' | 'error'
    message: str
    level: str                    # Bootstrap colour: success / danger / secondary / warning
    fits: bool | None = None
    size_pt: float | None = None
    overflow: tuple[str, ...] = ()   # sections to shorten, as the coordinator sees them named
    key: str = ""
    version: int | None = None       # the sheet version this answer is about
    current_version: int | None = None  # the version saved now

    @property
    def stale(self) -> bool:
        """The answer is about an older version than the one saved now."""
        return self.version is not None and self.version != self.current_version

    def to_json(self) -> dict:
        return {"state": self.state, "message": self.message, "level": self.level,
                "fits": self.fits, "size_pt": self.size_pt, "overflow": list(self.overflow),
                "key": self.key, "version": self.version,
                "current_version": self.current_version, "stale": self.stale}


# ---------------------------------------------------------------- the printing side

def fit_function(with_pdf=True):
    """printing's fit search of (sheet dict, year): renders, and caches its result
    (with the sheet PDF when `with_pdf`, a bool or a callable asked once the size is known)."""
    from webapp import printing
    cache, uploads = storage.print_cache(), storage.uploads_dir()
    return lambda data, year: printing.fit_sheet(
        data, year, cache, uploads_dir=uploads, with_pdf=with_pdf)


def lookup_function():
    """printing's cached fit of (sheet dict, year), or None; never renders."""
    from webapp import printing
    cache = storage.print_cache()
    return lambda data, year: printing.lookup_fit(data, year, cache)


def pdf_function():
    """printing's cached sheet PDF of (sheet dict, year), or None; never renders."""
    from webapp import printing
    cache = storage.print_cache()
    return lambda data, year: printing.lookup_sheet_pdf(data, year, cache)


def estimate_function():
    """printing's size at which the text-length model alone says the sheet fits, or None
    (near the page's end: lay it out); never renders."""
    from webapp.printing.surefit import sure_size
    return sure_size


def _print_key(data: dict, year: int) -> str:
    from webapp import printing
    return printing.print_key(data, year)


def warm() -> None:
    """Fit a small sheet once, uncached: fonts loaded and stylesheets parsed stay in this
    process, so the jobs a worker forks from it start with them (about 1 s a job saved)."""
    from webapp import printing
    try:
        printing.fit_sheet({"number": 1, "title": "準備", "purpose": "・準備"}, 2024, None,
                           uploads_dir=storage.uploads_dir())
    except Exception:  # the jobs will meet the same problem and report it
        log.exception("warming the printing code up failed")


def sheet_content(sheet: Sheet) -> dict:
    return printable(sheet_to_dict(sheet, storage.upload_path), sheet.cycle.year)


# ---------------------------------------------------------------- messages

def format_size(size: float) -> str:
    return f"{size:.2f}".rstrip("0").rstrip(".")


def to_shorten(sections) -> list[str]:
    """From (section name, characters), longest first: the longest section, and the
    next when it is at least half as long."""
    names, first = [], None
    for name, size in sections:
        if name in names:
            continue
        if first is None:
            first = size
        elif first and size < first / 2:
            break
        names.append(name)
        if len(names) == MAX_NAMED:
            break
    return names


def overflow_names(fit, year: int) -> tuple[str, ...]:
    """The sections printing says overflow (by key), named as the coordinator sees them;
    failing that, the longest sections."""
    if fit.fits:
        return ()
    if fit.overflowing:
        return tuple(dict.fromkeys(schema(year).label(k, year) for k in fit.overflowing))[:MAX_NAMED]
    return tuple(to_shorten(fit.overflow_sections))


def _ready(fits: bool, size: float | None, names: tuple[str, ...], key: str,
           version: int | None, cause: str = "") -> FitStatus:
    if fits:
        text = f"1ページに収まります（{format_size(size)}pt）" if size else "1ページに収まります"
        return FitStatus("ready", text, "success", True, size, (), key, version, version)
    what = "・".join(f"『{n}』" for n in names) if names else "文章"
    if cause == "figures":
        # The images were already tried at their smallest height (printing's last
        # resort), so a shorter image does not help: only fewer images or less text.
        text = (f"1ページに収まりません：{what}の画像を入れる余白がありません。"
                "画像を減らすか、文章を短くしてください（画像がなければ文章は収まります）")
    else:
        text = f"1ページに収まりません：{what}を短くしてください"
    return FitStatus("ready", text, "danger", False, size, names, key, version, version)


def estimated(size: float, key: str, version: int) -> FitStatus:
    """The model's answer (no layout): it fits, at ``size`` or a larger one."""
    larger = "" if size >= LC.MAX_PT else "以上"
    return FitStatus("ready", f"1ページに収まります（見込み：{format_size(size)}pt{larger}）", "success",
                     True, size, (), key, version, version)


def from_fit(fit, year: int, key: str = "", version: int | None = None) -> FitStatus:
    """printing's Fit -> the status shown."""
    return _ready(bool(fit.fits), fit.size_pt, overflow_names(fit, year), key, version,
                  fit.cause)


def _pending(key: str, version: int, last: FitStatus | None) -> FitStatus:
    if last is None:
        return FitStatus("pending", CHECKING, "secondary", key=key, version=version,
                         current_version=version)
    # The coordinator keeps the last answer while the new one is computed; it says
    # which version it is about.
    return replace(last, state="pending", current_version=version,
                   message=f"{CHECKING}（前に保存した内容では「{last.message}」）")


# ---------------------------------------------------------------- public API

def status(sheet: Sheet, start: bool = True) -> FitStatus:
    """The fit of the sheet as saved: from the cache or the model, else pending (and, with
    `start`, a check asked for unless one is pending).

    Never raises: the fit is information beside the form, and showing the
    form or saving it must not depend on it.
    """
    try:
        return _status(sheet, start)
    except Exception:
        log.exception("fit status of sheet %s unavailable", sheet.id)
        return FitStatus("error", FAILED, "warning", version=sheet.version,
                         current_version=sheet.version)


def _status(sheet: Sheet, start: bool) -> FitStatus:
    data = sheet_content(sheet)
    year, version = sheet.cycle.year, sheet.version
    key = _print_key(data, year)
    known = _known(data, key, year, version)
    if known is not None:
        return known
    size = _estimate(sheet.id, data, year)
    if size is not None:
        result = estimated(size, key, version)
        remember(sheet.id, result)
        return result
    if start and current_app.config.get("EDITING_FIT_JOBS", True):
        request(sheet.id)
        known = _known(data, key, year, version)  # eager jobs (tests) are done already
        if known is not None:
            return known
    return _pending(key, version, _last(sheet.id))


def _estimate(sheet_id: int, data: dict, year: int) -> float | None:
    """The model's size, or None: near the page's end, or the model failed (then the layout decides)."""
    try:
        return estimate_function()(data, year)
    except Exception:
        log.exception("size estimate of sheet %s failed; laying it out", sheet_id)
        return None


def _known(data: dict, key: str, year: int, version: int) -> FitStatus | None:
    """The cached fit of this content, else a recent failure, else None."""
    found = lookup_function()(data, year)
    if found is not None:
        return from_fit(found, year, key, version)
    if _failed(key):
        return FitStatus("error", FAILED[:-1] + "。しばらくしてから保存し直してください。", "warning",
                         key=key, version=version, current_version=version)
    return None


def _failed(key: str) -> bool:
    """The fit of this content failed recently (it is retried after ERROR_TTL)."""
    marker = _read(_error_name(key))
    return marker is not None and time.time() - marker.get("at", 0) < ERROR_TTL


@dataclass(frozen=True)
class Preview:
    state: str                  # 'ready' | 'pending' | 'error'
    message: str = ""
    pdf: bytes | None = None


def preview(sheet: Sheet, ask: bool = True) -> Preview:
    """The sheet PDF as saved, from the cache; else pending (with `ask`, a check that
    prints is asked for unless one is pending already: its last check prints the
    PDF, and a later call asks again if it did not), or the failure. Never renders."""
    data = sheet_content(sheet)
    year = sheet.cycle.year
    key = _print_key(data, year)
    pdf = pdf_function()(data, year)
    if pdf is None and ask and not _failed(key) \
            and pending_marks(current_app._get_current_object()).pending(sheet.id) is None:
        request(sheet.id, want_pdf=True)
        pdf = pdf_function()(data, year)  # eager jobs (tests) are done already
    if pdf is not None:
        return Preview("ready", pdf=pdf)
    if _failed(key):
        return Preview("error", PREVIEW_FAILED)
    return Preview("pending", PREVIEW_PENDING)


def check(sheet: Sheet) -> FitStatus:
    """The fit now, rendering if it is not cached (for checks that must know: submission)."""
    data = sheet_content(sheet)
    return _fit_version(sheet.id, sheet.version, data, sheet.cycle.year)


def request(sheet_id: int, want_pdf: bool = False) -> bool:
    """Ask for a fit check of the sheet unless one is pending; True when one was queued.
    `want_pdf`: someone waits for the sheet PDF (the preview), so the check prints it
    even when the fit is known already."""
    app = current_app._get_current_object()
    token = uuid.uuid4().hex
    if not pending_marks(app).add(sheet_id, token):
        return False
    args = (sheet_id, token, True) if want_pdf else (sheet_id, token)
    jobs.enqueue("webapp.editing.fit.run_job", *args, queue=jobs.FIT)
    return True


def run_job(sheet_id: int, token: str | None = None, want_pdf: bool = False) -> None:
    """Background job: fit the sheet's content as saved now, unless a newer job is pending.

    The mark is taken off before the content is read, so a save from now on
    asks for a job of its own: no save is left unchecked.
    """
    if token is not None and not pending_marks(current_app._get_current_object()).take(sheet_id, token):
        return
    sheet = db.session.get(Sheet, sheet_id)
    if sheet is None:
        return
    # The editor needs the verdict; the sheet PDF (for the preview) only when no
    # newer check is waiting: while someone types, the next save outdates it.
    marks = pending_marks(current_app._get_current_object())
    data, year = sheet_content(sheet), sheet.cycle.year
    result = _fit_version(sheet_id, sheet.version, data, year,
                          with_pdf=lambda: marks.pending(sheet_id) is None, want_pdf=want_pdf)
    if (result.state == "error" or pdf_function()(data, year) is not None) \
            and expensive.finish(expensive.PREVIEW, sheet_id):
        db.session.commit()


def _fit_version(sheet_id: int, version: int, data: dict, year: int,
                 with_pdf=True, want_pdf: bool = False) -> FitStatus:
    key = _print_key(data, year)
    # A known fit is enough, unless someone waits for the PDF: printing then prints
    # it at the known size (or finds it cached too).
    found = None if want_pdf else lookup_function()(data, year)
    if found is None:
        if want_pdf:
            with_pdf = True
        try:
            found = fit_function(with_pdf)(data, year)
        except Exception as exc:  # a failed render must not break editing
            log.exception("fit of sheet %s failed", sheet_id)
            _write(_error_name(key), {"state": "error", "at": time.time(), "error": str(exc)[:500]})
            return FitStatus("error", FAILED, "warning", key=key, version=version,
                             current_version=version)
    result = from_fit(found, year, key, version)
    remember(sheet_id, result)
    return result


# ---------------------------------------------------------------- the last answer per sheet

def remember(sheet_id: int, result: FitStatus) -> bool:
    """Keep `result` as the sheet's last known fit unless a newer version's is kept already.

    Fit jobs of one sheet may finish out of order (two workers, or a slow
    render); the lock makes compare-and-write one step across processes.
    """
    name = f"sheet-{sheet_id}.json"
    with open(os.path.join(_lock_folder(), name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kept = _read(name)
        if kept and (kept.get("version") or 0) > (result.version or 0):
            return False
        _write(name, result.to_json())
        return True


def _last(sheet_id: int) -> FitStatus | None:
    data = _read(f"sheet-{sheet_id}.json")
    if not data or data.get("state") != "ready":
        return None
    return FitStatus("ready", data["message"], data["level"], data.get("fits"),
                     data.get("size_pt"), tuple(data.get("overflow") or ()), data.get("key", ""),
                     data.get("version"), data.get("version"))


def _lock_folder() -> str:
    """Local: the lock orders the writers of one machine (the state itself is in the store,
    in the cache area, shared by every app server)."""
    folder = os.path.join(storage.store().local_dir("cache"), SUBDIR)
    os.makedirs(folder, exist_ok=True)
    return folder


def _error_name(key: str) -> str:
    return key + ".state"


def _read(name: str) -> dict | None:
    data = storage.store().get("cache", f"{SUBDIR}/{name}")
    try:
        return None if data is None else json.loads(data)
    except ValueError:
        return None


def _write(name: str, data: dict) -> None:
    """Atomic write (webapp.storage); several threads and processes may write the same one at once."""
    storage.store().put("cache", f"{SUBDIR}/{name}", json.dumps(data, ensure_ascii=False).encode())


# ---------------------------------------------------------------- pending marks

class RedisMarks:
    """One key per sheet holding the pending job's token; shared by every process."""

    # Take the mark off only if it is still this job's: a later job's mark stays.
    _TAKE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    def __init__(self, app: Flask):
        self.redis = jobs.redis_connection(app)
        self.prefix = f"{jobs.prefix(app)}:fit-pending:"

    def add(self, sheet_id: int, token: str) -> bool:
        return bool(self.redis.set(self.prefix + str(sheet_id), token, nx=True, ex=PENDING_TTL))

    def take(self, sheet_id: int, token: str) -> bool:
        """True when the job may run: its own mark (now taken off), or none (lapsed)."""
        name = self.prefix + str(sheet_id)
        if self.redis.eval(self._TAKE, 1, name, token):
            return True
        return self.redis.get(name) is None

    def pending(self, sheet_id: int) -> str | None:
        value = self.redis.get(self.prefix + str(sheet_id))
        return value.decode() if value is not None else None


class LocalMarks:
    """The same rule within one process, for installations without Redis."""

    def __init__(self):
        self.lock = threading.Lock()
        self.marks: dict[int, tuple[str, float]] = {}

    def add(self, sheet_id: int, token: str) -> bool:
        with self.lock:
            mark = self.marks.get(sheet_id)
            if mark is not None and time.monotonic() - mark[1] < PENDING_TTL:
                return False
            self.marks[sheet_id] = (token, time.monotonic())
            return True

    def take(self, sheet_id: int, token: str) -> bool:
        with self.lock:
            mark = self.marks.get(sheet_id)
            if mark is not None and mark[0] == token:
                del self.marks[sheet_id]
                return True
            return mark is None

    def pending(self, sheet_id: int) -> str | None:
        mark = self.marks.get(sheet_id)
        return mark[0] if mark else None


def pending_marks(app: Flask):
    marks = app.extensions.get("fit-marks")
    if marks is None:
        marks = app.extensions["fit-marks"] = (
            RedisMarks(app) if app.config.get("REDIS_URL") else LocalMarks())
    return marks
