"""The app's one doorway to webapp.printing: folders from the config, nothing else."""
from __future__ import annotations

from flask import current_app

from webapp import printing


def _cache_dir() -> str:
    return current_app.config["CACHE_FOLDER"]


def _uploads() -> str:
    return current_app.config["UPLOAD_FOLDER"]


def sheet_key(sheet: dict, year: int) -> str:
    """Changes whenever the sheet's print could: its content, images, templates, fonts."""
    return printing.sheet_key(sheet, year)


def report_pdf(meta: dict, year: int, sheets: list[dict], progress=None, fits=None, *,
               variant: str | None = "pdf/ua-1", marks: dict | None = None) -> bytes:
    """The report: ``variant`` "pdf/ua-1" (published, tagged), "pdf/a-2b"
    (archival) or None (fast, untagged: the 確認用 draft)."""
    return printing.build_report(meta, year, sheets, _cache_dir(), progress=progress,
                                 uploads_dir=_uploads(), fits=fits, variant=variant,
                                 marks=marks)


def report_pdfs(meta: dict, year: int, sheets: list[dict], progress=None) -> dict[str, bytes]:
    """The published and the archival PDF from one layout: variant -> bytes."""
    return printing.publish_report(meta, year, sheets, _cache_dir(), progress=progress,
                                   uploads_dir=_uploads())


def report_html(meta: dict, year: int, sheets: list[dict], marks: dict | None = None) -> str:
    return printing.report_html(meta, year, sheets, cache=_cache_dir(), uploads_dir=_uploads(),
                                marks=marks)


def sheet_pdf(sheet: dict, year: int) -> bytes:
    return printing.sheet_pdf(sheet, year, _cache_dir(), uploads_dir=_uploads())


def fit(sheet: dict, year: int):
    return printing.fit_sheet(sheet, year, _cache_dir(), uploads_dir=_uploads())


def cached_fit(sheet: dict, year: int):
    """The fit from cache, or None when it has not been computed yet (never renders)."""
    return printing.lookup_fit(sheet, year, _cache_dir())
