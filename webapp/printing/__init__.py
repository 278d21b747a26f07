"""Printing of progress sheets and of the compiled council report (PDF).

Independent of the database: a sheet is a plain dict shaped like one
element of ``projects`` in fy2023_report.json (plus an optional
``image_path`` on a figure), the reporting year is passed separately, and
the report meta is ``{council, title, fiscal_year, date}``.

    fit_sheet(sheet, year, cache)            -> Fit
    lookup_fit(sheet, year, cache)           -> Fit | None   (never renders)
    sheet_pdf(sheet, year, cache)            -> bytes
    build_report(meta, year, sheets, cache)  -> bytes   (variant=None|"pdf/ua-1"|"pdf/a-2b", marks=)
    publish_report(meta, year, sheets, cache) -> {variant: bytes}  (tagged + archival, one layout)
    report_html(meta, year, sheets)          -> str
    parse_text(text)                         -> [Block(level, marker, body)]
    template_version()                       -> str

``cache`` is a folder (str or Path) any number of processes may share, or
None for no caching.
"""
from .errors import FontMissingError, ForbiddenResourceError, PrintingError
from .fetcher import SafeURLFetcher
from .fitting import SIZES, Fit
from .fitting import content_key as sheet_key
from .render import TEMPLATE_VERSION
from .report import publish_report
from .report import (
    build_report,
    fit_sheet,
    lookup_fit,
    report_html,
    sheet_pdf,
    template_version,
)
from .sheetview import headings
from .textblocks import Block
from .textblocks import parse as parse_text

__all__ = [
    "Block", "Fit", "FontMissingError", "ForbiddenResourceError", "PrintingError",
    "SIZES", "SafeURLFetcher", "TEMPLATE_VERSION", "build_report", "fit_sheet",
    "headings", "lookup_fit", "parse_text", "report_html", "sheet_pdf", "template_version",
    "publish_report",
]
