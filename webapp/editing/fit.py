"""Does the sheet still fit one printed page, and at what size? The editing side of it.

The fit itself is the printing package's, reached through the app's one
doorway to it (webapp.reports.printer): `printer.fit` runs the search and
keeps its result in printing's content-addressed cache (under
CACHE_FOLDER, a folder every app server shares), `printer.cached_fit`
reads that cache without rendering. A render takes seconds, so a request
never waits for one: the edit page shows the cached fit when there is one,
and otherwise a background job (webapp.jobs) computes it while the page
polls `editing.fit_status`. The key is printing's (content, image bytes,
template and fonts), so saving unchanged text costs nothing, a fit found by
a report build or a PDF download counts here too, and a new template
invalidates every entry.

This module adds what editing needs on top: the Japanese messages, the
sections named to shorten, and small marker files in
CACHE_FOLDER/editing-fit/ for a job that is queued or has just failed.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from dataclasses import asdict, dataclass

from flask import current_app

from webapp import jobs
from webapp.extensions import db
from webapp.models import Sheet
from webapp.sheet_content import sheet_to_dict
from webapp.jptext import fullwidth

log = logging.getLogger(__name__)

SUBDIR = "editing-fit"
MARKER_TTL = 600          # a queued job not done by then is queued again
ERROR_TTL = 120           # a failure is retried after this long
MAX_NAMED = 2             # sections named in 「…を短くしてください」


@dataclass
class FitStatus:
    state: str                    # 'ready' | 'pending' | 'error'
    message: str
    level: str                    # Bootstrap colour: success / danger / secondary / warning
    fits: bool | None = None
    size_pt: float | None = None
    overflow: tuple[str, ...] = ()
    key: str = ""

    def to_json(self) -> dict:
        data = asdict(self)
        data["overflow"] = list(self.overflow)
        return data


# ---------------------------------------------------------------- the printing API

def fit_function():
    """printing's fit search (renders; caches its result)."""
    from webapp.reports import printer
    return printer.fit


def lookup_function():
    """printing's cached fit of a sheet, or None (never renders)."""
    from webapp.reports import printer
    return printer.cached_fit


# ---------------------------------------------------------------- keys and marker files

def sheet_content(sheet: Sheet) -> dict:
    return sheet_to_dict(sheet, current_app.config["UPLOAD_FOLDER"])


def content_key(data: dict, year: int) -> str:
    from webapp.reports import printer
    return printer.sheet_key(data, year)


def _folder() -> str:
    folder = os.path.join(current_app.config["CACHE_FOLDER"], SUBDIR)
    os.makedirs(folder, exist_ok=True)
    return folder


def _read(path: str) -> dict | None:  # a marker file
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def _write(path: str, data: dict) -> None:
    """Atomic write; several threads and processes may write the same key at once."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise


def _marker_path(key: str) -> str:
    return os.path.join(_folder(), key + ".state")


# ---------------------------------------------------------------- messages

def format_size(size: float) -> str:
    return f"{size:.2f}".rstrip("0").rstrip(".")


def short_section_name(item, year: int) -> str:
    """What printing names an overflowing section -> the name the coordinator sees."""
    names = {
        "purpose": "目的",
        "results_actions": "具体的取組", "results.actions": "具体的取組",
        "results_perspectives": "SDGs、先端技術、働き方改革、アフターコロナの観点からの取組",
        "results.perspectives": "SDGs、先端技術、働き方改革、アフターコロナの観点からの取組",
        "results_evaluation": f"{fullwidth(year)}年度の評価",
        "results.evaluation": f"{fullwidth(year)}年度の評価",
        "challenges": "プロジェクトを推進する上での課題",
        "target_text": "設定目標", "targets": "設定目標", "kpis": "設定目標のKPI",
        "plans_actions": "計画の具体的取組", "plans.actions": "計画の具体的取組",
        "plans_outlook": "今後の目標、達成見込み", "plans.outlook": "今後の目標、達成見込み",
        "roadmap": "ロードマップ", "figures": "図表",
    }
    if isinstance(item, (tuple, list)):  # printing gives (heading as printed, characters)
        item = item[0] if item else ""
    text = str(getattr(item, "key", None) or getattr(item, "heading", None) or item).strip()
    if text in names:
        return names[text]
    if "○" in text:
        head, _, tail = text.rpartition("○")
        tail = tail.strip()
        return "計画の" + tail if "計画" in head and tail == "具体的取組" else tail
    return text


def to_shorten(sections, year: int) -> list[str]:
    """The sections to name: the longest, and the next if it is at least half as long.

    Printing lists the text parts longest first, as (heading, characters) or
    as plain names.
    """
    names, first = [], None
    for item in sections:
        size = item[1] if isinstance(item, (tuple, list)) and len(item) > 1 else None
        name = short_section_name(item, year)
        if name in names:
            continue
        if first is None:
            first = size
        elif size is not None and first and size < first / 2:
            break
        names.append(name)
        if len(names) == MAX_NAMED:
            break
    return names


def status_from_result(result: dict, key: str, year: int) -> FitStatus:
    size = result.get("size_pt")
    if result.get("fits"):
        text = f"1ページに収まります（{format_size(size)}pt）" if size else "1ページに収まります"
        return FitStatus("ready", text, "success", True, size, (), key)
    names = tuple(dict.fromkeys(short_section_name(s, year) for s in result.get("overflow") or []))
    what = "・".join(f"『{n}』" for n in names) if names else "文章"
    return FitStatus("ready", f"1ページに収まりません：{what}を短くしてください", "danger",
                     False, size, names, key)


def result_of(fit, year: int) -> dict:
    """printing's Fit -> what status_from_result reads (sections named as the coordinator sees them)."""
    return {"fits": fit.fits, "size_pt": fit.size_pt,
            "overflow": [] if fit.fits else to_shorten(fit.overflow_sections, year)}


def _pending(key: str) -> FitStatus:
    return FitStatus("pending", "1ページに収まるかを確認しています…", "secondary", key=key)


# ---------------------------------------------------------------- public API

def status(sheet: Sheet, start: bool = True) -> FitStatus:
    """The fit of the sheet as saved: from the cache, else pending (and a job queued).

    Never raises: the fit is information beside the form, and showing the
    form or saving it must not depend on it.
    """
    try:
        return _status(sheet, start)
    except Exception:
        log.exception("fit status of sheet %s unavailable", sheet.id)
        return FitStatus("error", "1ページに収まるかを確認できませんでした。", "warning")


def _status(sheet: Sheet, start: bool) -> FitStatus:
    data = sheet_content(sheet)
    year = sheet.cycle.year
    key = content_key(data, year)
    known = _known(data, key, year)
    if known is not None:
        return known
    if not start or not current_app.config.get("EDITING_FIT_JOBS", True):
        return _pending(key)
    _write(_marker_path(key), {"state": "queued", "at": time.time()})
    jobs.enqueue("webapp.editing.fit.run_job", sheet.id)
    return _known(data, key, year) or _pending(key)  # eager jobs (tests) are done already


def _cached(data: dict, key: str, year: int) -> FitStatus | None:
    """The status from printing's cached fit of this content, or None."""
    found = lookup_function()(data, year)
    return None if found is None else status_from_result(result_of(found, year), key, year)


def _known(data: dict, key: str, year: int) -> FitStatus | None:
    """A cached fit, else what the marker says: a recent failure, a queued job, or None."""
    cached = _cached(data, key, year)
    if cached is not None:
        return cached
    marker = _read(_marker_path(key))
    if marker is None:
        return None
    age = time.time() - marker.get("at", 0)
    if marker.get("state") == "error" and age < ERROR_TTL:
        return FitStatus("error", "1ページに収まるかを確認できませんでした。しばらくしてから保存し直してください。",
                         "warning", key=key)
    if marker.get("state") == "queued" and age < MARKER_TTL:
        return _pending(key)
    return None


def run_job(sheet_id: int) -> None:
    """Background job: compute and keep the fit of the sheet's current content."""
    sheet = db.session.get(Sheet, sheet_id)
    if sheet is None:
        return
    compute(sheet)


def compute(sheet: Sheet) -> FitStatus:
    """The fit, computed now if it is not cached (for checks that must know, e.g. submit)."""
    func = fit_function()
    data = sheet_content(sheet)
    year = sheet.cycle.year
    key = content_key(data, year)
    cached = _cached(data, key, year)
    if cached is not None:
        return cached
    try:
        fit = func(data, year)
    except Exception as exc:  # a failed render must not break editing
        log.exception("fit of sheet %s failed", sheet.id)
        _write(_marker_path(key), {"state": "error", "at": time.time(), "error": str(exc)[:500]})
        return FitStatus("error", "1ページに収まるかを確認できませんでした。", "warning", key=key)

    try:
        os.remove(_marker_path(key))
    except FileNotFoundError:
        pass
    return status_from_result(result_of(fit, year), key, year)
