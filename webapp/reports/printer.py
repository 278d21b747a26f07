"""The app's doorway to webapp.printing for whole prints: the store's print cache and images, nothing else.

The fit of one sheet goes through webapp.editing.fit."""
from __future__ import annotations

from webapp import printing, storage
from webapp.sheet_content import printable


def _cache_dir():
    return storage.print_cache()


def _uploads() -> str:
    return storage.uploads_dir()


def content_print_key(sheet: dict, year: int) -> str:
    """Changes whenever the sheet's print could: its content, images, templates, fonts."""
    return printing.print_key(printable(sheet, year), year)


def report_pdf(meta: dict, year: int, sheets: list[dict], progress=None, fits=None, *,
               variant: str | None = "pdf/ua-1", marks: dict | None = None) -> bytes:
    """The report: ``variant`` "pdf/ua-1" (published, tagged), "pdf/a-2b"
    (archival) or None (fast, untagged: the 確認用 draft)."""
    return printing.build_report(meta, year, [printable(s, year) for s in sheets], _cache_dir(),
                                 progress=progress, uploads_dir=_uploads(), fits=fits,
                                 variant=variant, marks=marks)


def report_pdfs(meta: dict, year: int, sheets: list[dict], progress=None,
                written=None) -> dict[str, bytes]:
    """The published and the archival PDF from one layout: variant -> bytes.
    ``written(variant, pdf)``: called as each is written, the published one first."""
    return printing.publish_report(meta, year, [printable(s, year) for s in sheets], _cache_dir(),
                                   progress=progress, uploads_dir=_uploads(), written=written)


def report_html(meta: dict, year: int, sheets: list[dict], marks: dict | None = None) -> str:
    return printing.report_html(meta, year, [printable(s, year) for s in sheets], cache=_cache_dir(),
                                uploads_dir=_uploads(), marks=marks)


def sheet_pdf(sheet: dict, year: int) -> bytes:
    return printing.sheet_pdf(printable(sheet, year), year, _cache_dir(), uploads_dir=_uploads())
