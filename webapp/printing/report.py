"""Public entry points: fit a sheet, print a sheet, build the report.

A build renders each sheet that is not cached yet on its own (fit search +
PDF), in this process and in forked worker processes side by side; renders
the frame (cover, contents, numbered placeholder pages, bookmarks,
metadata) once per change of the contents; and draws the sheets into the
frame with pikepdf.  Sheet PDFs carry no page number, so a cached sheet stays
valid wherever it lands in the report: changing one sheet re-renders that
sheet only.  Sheet PDFs are tagged when printed; the published report
(PDF/UA-1) and its archival copy (PDF/A-2b) merge their structure trees
into a tagged frame (tagmerge.py) rather than laying the report out again.
"""
from __future__ import annotations

import collections
import functools
import concurrent.futures
import gc
import hashlib
import multiprocessing
import os
from types import SimpleNamespace

from .assemble import Assembler
from .cache import as_cache
from .estimate import estimate_size
from .fitting import SIZES, Fit, cached_fit, fit_and_print, print_key
from .fonts import find_fonts
from .gcpace import fewer_collections
from webapp.jptext import circled
from webapp.sheet_schema import template_of, using
from .render import (
    after_fork,
    write_variant,
    get_renderer,
    report_document_html,
    stylesheet_text,
    template_fingerprint,
    warm_templates,
)
from .sheetview import sheet_view

__all__ = ["fit_sheet", "lookup_fit", "lookup_sheet_pdf", "sheet_pdf", "build_report", "publish_report",
           "publish_merged", "publish_one_layout", "report_html", "VARIANTS"]


def lookup_fit(sheet: dict, year: int, cache) -> Fit | None:
    """The cached Fit of this exact sheet content, or None; never renders."""
    fit, _ = cached_fit(sheet, year, as_cache(cache))
    return fit


def lookup_sheet_pdf(sheet: dict, year: int, cache) -> bytes | None:
    """The cached one-page PDF of this exact sheet content, or None; never renders."""
    _, pdf = cached_fit(sheet, year, as_cache(cache))
    return pdf


def fit_sheet(sheet: dict, year: int, cache, *, uploads_dir: str | None = None,
              fetcher=None, with_pdf=True) -> Fit:
    """Fit ``sheet`` to one page (cached by content) and return the Fit.

    With ``with_pdf`` (a bool, or a callable asked once the size is known)
    the sheet PDF is written to the cache on the way, so a following
    download or report build finds it ready.  Without it the search only
    measures: a check made while someone types is usually outdated by the
    next save before anyone looks at the PDF (sheet_pdf() prints it when it
    is asked for).
    """
    cache = as_cache(cache)
    find_fonts()
    key = print_key(sheet, year)
    fit, pdf = cached_fit(sheet, year, cache, key)
    if fit is not None and (pdf is not None or with_pdf is False) and fetcher is None:
        return fit
    fit, _ = fit_and_print(sheet, year, cache, uploads_dir=uploads_dir, key=key,
                           fetcher=fetcher, want_pdf=with_pdf)
    return fit


def sheet_pdf(sheet: dict, year: int, cache, *, uploads_dir: str | None = None,
              fetcher=None) -> bytes:
    """The one-page PDF of a sheet (no page number), from the cache if possible.

    ``fetcher`` replaces the URL fetcher for this call (and bypasses the
    cache): tests use a recording one.
    """
    cache = as_cache(cache)
    find_fonts()
    key = print_key(sheet, year)
    fit, pdf = cached_fit(sheet, year, cache, key)
    if pdf is None or fetcher is not None:
        fit, pdf = fit_and_print(sheet, year, cache, uploads_dir=uploads_dir, key=key,
                                 fetcher=fetcher)
    return pdf


def _light_view(sheet: dict, marks: dict | None = None):
    """What the contents and the frame need of a sheet: no text parsing."""
    number = int(sheet.get("number") or 0)
    title = sheet.get("title") or ""
    return SimpleNamespace(number=number, mark=circled(number), title=title,
                           lead_label=sheet.get("lead_label") or "",
                           bookmark=f"{circled(number)} {title}",
                           draft_mark=(marks or {}).get(number))


def _ordered(sheets) -> list[dict]:
    ordered = sorted(sheets, key=lambda s: int(s.get("number") or 0))
    numbers = [int(s.get("number") or 0) for s in ordered]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"duplicate project numbers in the report: {numbers}")
    return ordered


def _in_sheets_template(function):
    """Run a report function with its sheets' template in force (one year, one template;
    webapp.sheet_schema.template_of), so that every word it prints is that year's."""
    @functools.wraps(function)
    def run(meta, year, sheets, *args, **kwargs):
        sheets = list(sheets)
        with using(template_of(sheets[0] if sheets else {})):
            return function(meta, year, sheets, *args, **kwargs)
    return run


@_in_sheets_template
def report_html(meta: dict, year: int, sheets, *, cache=None,
                uploads_dir: str | None = None, fits: dict | None = None,
                marks: dict | None = None) -> str:
    """The whole report as one self-contained HTML document.

    Each sheet prints as fitted: from ``fits`` (number -> Fit, as filled in
    by build_report) if given, else from the cache; no search is run here.
    A sheet with neither prints at the size the text-length model predicts.
    Used by ``--html`` and as bench/report.py's naive baseline.
    """
    cache = as_cache(cache)
    views = []
    for sheet in _ordered(sheets):
        view = sheet_view(sheet, year, uploads_dir=uploads_dir)
        fit = (fits or {}).get(view.number) or cached_fit(sheet, year, cache)[0]
        if fit is not None:
            view.apply_fit(fit)
        else:
            view.size_pt = estimate_size(sheet, view.kpis, view.left_width, SIZES)
        view.draft_mark = (marks or {}).get(view.number)
        views.append(view)
    return report_document_html(meta, year, views, mode="full",
                                inline_css=stylesheet_text("report"))


# --- build ---------------------------------------------------------------

def _sheet_job(sheet: dict, year: int, cache_root, uploads_dir, key: str):
    """Pool job: fit and print one sheet; returns (Fit as dict, renders, pdf)."""
    fit, pdf = fit_and_print(sheet, year, as_cache(cache_root), uploads_dir=uploads_dir, key=key)
    return fit.to_json(), fit.renders, pdf


#: Cover + one page of contents: where the first sheet lands unless the
#: contents run longer (checked after rendering the frame).
_FRONT_PAGES = 2
#: Up to this many sheets the contents take one page (about 26 rows fit).
_ONE_PAGE_OF_CONTENTS = 20


def _frame_html(meta, year, lights, front_pages: int, mode: str = "frame") -> str:
    return report_document_html(meta, year, lights, mode=mode,
                                first_page=front_pages + 1)


def _front_pages(meta, year, lights, cache) -> int:
    """How many pages come before the first sheet's: the count the last frame
    of as many sheets had, else the cover and contents laid out alone (a few
    pages where the frame has one per sheet: laying the frame out twice, for
    a wrong count and again, was most of a 500-sheet frame's time)."""
    if len(lights) <= _ONE_PAGE_OF_CONTENTS:
        return _FRONT_PAGES
    known = (cache.read_json("hint", f"front-{len(lights)}") or {}).get("front")
    if isinstance(known, int) and known >= 1:
        return known
    renderer = get_renderer(None)
    doc = renderer.layout(renderer.parse(
        _frame_html(meta, year, lights, _FRONT_PAGES, mode="front")), kind="report")
    return _first_sheet_page(doc, lights) or _FRONT_PAGES


def _first_sheet_page(doc, lights) -> int:
    """The index of the first sheet's page in ``doc`` (0: not found)."""
    first = f"sheet-{lights[0].number}" if lights else None
    return next((i for i, page in enumerate(doc.pages) if first in page.anchors), 0)


def _frame_job(meta, year, lights, cache_root, key: str, tagged: bool = False):
    """Render the frame; if the contents took more pages than assumed, the
    page numbers it prints are off, so render once more with the real count.

    Returns (frame PDF,); ``tagged``: (published frame, archival frame),
    written as PDF/UA-1, for the published report's merge, and its first
    page as PDF/A-2b: the archival copy takes the XMP and the output intent
    from it (tagmerge.archival_catalog), nothing else."""
    with fewer_collections():
        return _frame_pdfs(meta, year, lights, as_cache(cache_root), key, tagged)


def _frame_pdfs(meta, year, lights, cache, key: str, tagged: bool):
    renderer = get_renderer(None)
    front = _front_pages(meta, year, lights, cache)
    for _ in range(3):      # the count can only settle: more pages, same rows
        doc = renderer.layout(renderer.parse(_frame_html(meta, year, lights, front)),
                              kind="report")
        # the pages before the first sheet's (an appendix may follow the sheets)
        actual = _first_sheet_page(doc, lights)
        if actual == front or actual < 1:
            break
        front = actual
    if len(lights) > _ONE_PAGE_OF_CONTENTS:
        cache.write_json("hint", f"front-{len(lights)}", {"front": front})
    if tagged:
        published, archival = VARIANTS
        pdfs = (write_variant(doc, published), write_variant(doc.copy(doc.pages[:1]), archival))
        for variant, pdf in zip(VARIANTS, pdfs):
            cache.write_bytes("frame", _frame_name(key, variant), pdf)
        return pdfs
    pdf = doc.write_pdf()
    cache.write_bytes("frame", _frame_name(key, None), pdf)
    return (pdf,)


def _frame_name(key: str, variant: str | None) -> str:
    return key + ("" if variant is None else "-" + variant.replace("/", "")) + ".pdf"


def _pool_context():
    # Forked workers start with WeasyPrint imported, the templates compiled
    # and this process's fonts loaded; spawn would redo all of it.
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


class _Build:
    """One build_report call: which sheets are ready, progress, assembly."""

    def __init__(self, sheets, total, progress, fits, cache=None):
        self.sheets, self.total, self.progress, self.fits = sheets, total, progress, fits
        self.cache = cache
        self.done = 0
        self.assembler = None
        self.waiting = {}           # index -> pdf, until the frame is there
        self.archival_frame = None

    def ready(self, index: int, fit: Fit, pdf: bytes) -> None:
        self.done += 1
        if self.fits is not None:
            self.fits[self.sheets[index]["number"]] = fit
        if self.assembler is None:
            self.waiting[index] = pdf
        else:
            self.assembler.add(index, pdf)
        if self.progress:
            self.progress(self.done, self.total, _light_view(self.sheets[index]).bookmark)

    def frame_ready(self, frame_pdf: bytes, archival_frame_pdf: bytes | None = None) -> None:
        self.archival_frame = archival_frame_pdf
        self.assembler = Assembler(frame_pdf, self.total, self.cache)
        for index, pdf in sorted(self.waiting.items()):
            self.assembler.add(index, pdf)
        self.waiting.clear()


#: The PDF variants of the report: the published (tagged, PDF/UA-1) and
#: the archival (PDF/A-2b) one.  None: the fast assembled print (previews,
#: the 確認用 draft).
VARIANTS = ("pdf/ua-1", "pdf/a-2b")


@_in_sheets_template
def build_report(meta: dict, year: int, sheets, cache, progress=None, workers=None, *,
                 uploads_dir: str | None = None, fits: dict | None = None,
                 variant: str | None = None, marks: dict | None = None) -> bytes:
    """Compile ``sheets`` (in project-number order) into the report PDF.

    ``progress(done, total, label)`` is called once per sheet as it is
    ready (cached sheets first).  ``workers``: processes rendering the
    sheets that are not cached, this one included (default: the CPU count;
    1 renders everything in this process).  ``fits``, if a dict, receives
    number -> Fit for every sheet, so the caller can report sheets that did
    not fit.

    ``variant`` None assembles the cached sheet pages (fast, untagged);
    "pdf/ua-1" or "pdf/a-2b" merges the tagged sheets (see publish_report).  ``marks``: project number -> state label of the
    sheets not approved yet, stamped 「未承認（…）」 across their page; with
    ``meta["draft"]`` the cover says 確認用.
    """
    if variant is not None:
        return publish_report(meta, year, sheets, cache, (variant,), progress, workers,
                              uploads_dir=uploads_dir, fits=fits, marks=marks)[variant]
    return _build(meta, year, sheets, cache, progress, workers, uploads_dir=uploads_dir,
                  fits=fits, marks=marks, frame=True).assembler.finish()


@_in_sheets_template
def publish_report(meta: dict, year: int, sheets, cache, variants=VARIANTS, progress=None,
                   workers=None, *, uploads_dir: str | None = None, fits: dict | None = None,
                   marks: dict | None = None, written=None) -> dict[str, bytes]:
    """The report in each of ``variants`` ("pdf/ua-1", "pdf/a-2b"): variant -> PDF.

    Merged from the cached tagged sheets into the tagged frame
    (publish_merged): after one sheet changes only that sheet is laid out
    again.  A report with sheets stamped 未承認 (``marks``) is laid out in
    one WeasyPrint document (publish_one_layout): the stamp is tagged
    content on the placeholder page, which the merge does not carry; so is
    a report without sheets (nothing to merge).
    ``written(variant, pdf)`` is called as each variant is written, so the
    first can be offered while the next is still being written.
    """
    if not sheets or any((marks or {}).get(int(s.get("number") or 0)) for s in sheets):
        return publish_one_layout(meta, year, sheets, cache, variants, progress, workers,
                                  uploads_dir=uploads_dir, fits=fits, marks=marks,
                                  written=written)
    return publish_merged(meta, year, sheets, cache, variants, progress, workers,
                          uploads_dir=uploads_dir, fits=fits, written=written)


@_in_sheets_template
def publish_one_layout(meta: dict, year: int, sheets, cache, variants=VARIANTS, progress=None,
                       workers=None, *, uploads_dir: str | None = None,
                       fits: dict | None = None, marks: dict | None = None,
                       written=None) -> dict[str, bytes]:
    """publish_report's files from one WeasyPrint document of the whole
    report (the sizes from the fit cache, searching the sheets not fitted
    yet): the path before the merge, kept for stamped reports and as the
    reference the merged files are compared with."""
    fits = {} if fits is None else fits
    _build(meta, year, sheets, cache, progress, workers, uploads_dir=uploads_dir,
           fits=fits, marks=marks, frame=False)
    html = _full_html(meta, year, sheets, fits, uploads_dir, marks)
    renderer = get_renderer(uploads_dir)
    doc = renderer.layout(renderer.parse(html), kind="report")
    pdfs = {}
    for variant in variants:
        pdfs[variant] = write_variant(doc, variant)
        if written:
            written(variant, pdfs[variant])
    return pdfs


def publish_merged(meta: dict, year: int, sheets, cache, variants=VARIANTS, progress=None,
                   workers=None, *, uploads_dir: str | None = None, fits: dict | None = None,
                   written=None) -> dict[str, bytes]:
    """publish_report's files merged from the cached tagged sheets: the
    sheets not cached yet are fitted and printed (tagged) on every core as
    for build_report, the tagged frame (cover, contents, placeholders, the
    KPI appendix) is laid out once per change of the contents, and the
    sheets' pages and structure trees are merged into it (tagmerge.py), so
    that after one sheet changes only that sheet is laid out again.  The
    archival copy is the same merged document with the archival frame's XMP
    and output intent: nothing is laid out or painted twice."""
    build = _build(meta, year, sheets, cache, progress, workers, uploads_dir=uploads_dir,
                   fits=fits, frame=True, tagged=True)
    return build.assembler.finish_tagged(variants, build.archival_frame, written)


def _full_html(meta, year, sheets, fits, uploads_dir, marks) -> str:
    views = []
    for sheet in _ordered(sheets):
        view = sheet_view(sheet, year, uploads_dir=uploads_dir)
        fit = fits[view.number]
        view.apply_fit(fit)
        view.draft_mark = (marks or {}).get(view.number)
        views.append(view)
    return report_document_html(meta, year, views, mode="full")


def _build(meta: dict, year: int, sheets, cache, progress=None, workers=None, *,
           uploads_dir=None, fits=None, marks=None, frame: bool = True,
           tagged: bool = False) -> "_Build":
    """Fit and print the sheets not cached yet (on every core) and, with
    ``frame``, read them into an Assembler over the frame (``tagged``: the
    frame written as PDF/UA-1 and PDF/A-2b, for merging)."""
    cache = as_cache(cache)
    find_fonts()
    sheets = _ordered(sheets)
    build = _Build(sheets, len(sheets), progress, fits, cache)
    todo = []
    for index, sheet in enumerate(sheets):
        key = print_key(sheet, year)
        fit, pdf = cached_fit(sheet, year, cache, key)
        if fit is not None and pdf is not None:
            build.ready(index, fit, pdf)
        else:
            todo.append((index, key))

    lights = [_light_view(s, marks) for s in sheets]
    frame_key = hashlib.sha256(
        (template_fingerprint() + _frame_html(meta, year, lights, _FRONT_PAGES)).encode()
    ).hexdigest()[:32]
    cache_root = cache if cache.root is not None else None

    frame_work = None       # the frame's layout, when it is not cached
    if frame:
        names = [_frame_name(frame_key, v) for v in (VARIANTS if tagged else (None,))]
        pdfs = tuple(cache.read_bytes("frame", name) for name in names)
        if None in pdfs:
            frame_work = functools.partial(_frame_job, meta, year, lights, cache_root,
                                           frame_key, tagged)
        else:
            build.frame_ready(*pdfs)

    def run_here(index, key):
        fit, pdf = fit_and_print(sheets[index], year, cache, uploads_dir=uploads_dir, key=key)
        build.ready(index, fit, pdf)

    workers = workers or os.cpu_count() or 1
    if workers == 1 or not todo:
        if frame_work:
            build.frame_ready(*frame_work())
        for index, key in todo:
            run_here(index, key)
    else:
        # Largest sheets first: the pool takes them from the front, this
        # process from the back, so both run out of work at about the same
        # time.  Even a single sheet goes to the pool: meanwhile this
        # process reads the cached ones into the report.
        todo.sort(key=lambda item: -len(repr(sheets[item[0]])))
        _build_in_parallel(
            todo, min(workers - 1, len(todo)), run_here,
            lambda index, key: (_sheet_job, sheets[index], year, cache_root, uploads_dir, key),
            lambda index, result: build.ready(index, Fit.from_json(result[0], renders=result[1]),
                                              result[2]),
            frame_work, lambda pdfs: build.frame_ready(*pdfs))
    return build


#: sheets handed out ahead per pool process (see _build_in_parallel)
_AHEAD = 8


def _build_in_parallel(todo, pool_size, run_here, job_args, collect, frame_work, frame_done):
    """Render ``todo`` with ``pool_size`` forked processes plus this one.

    This process is a worker too: it is warm already (fonts loaded,
    templates compiled), and one process fewer is one fork fewer.  It takes
    sheets from the small end of ``todo`` while the pool takes them from the
    large end.  The frame (``frame_work``: its job, without arguments, or
    None when it is cached), one long job at 500 sheets, goes to the pool first,
    so that neither process waits for it; ``frame_done(pdfs)`` takes its
    result.  Up to _AHEAD sheets per pool process are handed out ahead, and
    at the end this process takes back the ones that have not started yet
    rather than wait for them.
    """
    jobs = collections.deque(todo)
    pending = {}            # future -> (index, key) of a sheet, or None: the frame
    warm_templates()
    get_renderer(None).stylesheet("sheet")      # inherited by the workers
    # Objects that exist now are never collected in the workers; frozen,
    # the workers' garbage collector leaves their memory pages shared.
    gc.freeze()
    try:
        with concurrent.futures.ProcessPoolExecutor(
                max_workers=pool_size, mp_context=_pool_context(),
                initializer=after_fork) as pool:

            def feed():
                while jobs and len(pending) < _AHEAD * pool_size:
                    index, key = jobs.popleft()
                    fn, *args = job_args(index, key)
                    pending[pool.submit(fn, *args)] = (index, key)

            def finish(item, result):
                if item is None:
                    frame_done(result)
                else:
                    collect(item[0], result)

            def harvest(block: bool):
                if not pending:
                    return
                done, _ = concurrent.futures.wait(
                    pending, timeout=None if block else 0,
                    return_when=concurrent.futures.FIRST_COMPLETED)
                for future in done:
                    finish(pending.pop(future), future.result())

            if frame_work is not None:
                pending[pool.submit(frame_work)] = None
            feed()
            gc.unfreeze()
            while jobs or pending:
                harvest(block=False)
                feed()
                if jobs:
                    run_here(*jobs.pop())
                    continue
                # Nothing left to hand out: run a queued job here rather
                # than wait for the pool to get to it.
                for future, item in list(pending.items()):
                    if future.cancel():
                        del pending[future]
                        if item is None:
                            frame_done(frame_work())
                        else:
                            run_here(*item)
                        break
                else:
                    harvest(block=True)
    finally:
        gc.unfreeze()
