"""Printing of progress sheets and of the compiled council report (PDF).

Independent of the database: a sheet is a plain dict shaped like one
element of ``projects`` in fy2023_report.json (plus an optional
``image_path`` on a figure), the reporting year is passed separately, and
the report meta is ``{council, title, fiscal_year, date}``.

    fit_sheet(sheet, year, cache)            -> Fit
    lookup_fit(sheet, year, cache)           -> Fit | None   (never renders)
    lookup_sheet_pdf(sheet, year, cache)     -> bytes | None (never renders)
    sheet_pdf(sheet, year, cache)            -> bytes
    build_report(meta, year, sheets, cache)  -> bytes   (variant=None|"pdf/ua-1"|"pdf/a-2b", marks=)
    publish_report(meta, year, sheets, cache) -> {variant: bytes}  (tagged + archival, merged)
    report_html(meta, year, sheets)          -> str
    parse_text(text)                         -> [Block(level, marker, body)]

``cache`` is a folder (str or Path) any number of processes may share, or
None for no caching.
"""
# WeasyPrint takes seconds to import, and most processes (a web worker
# answering a page, a CLI command, a worker serving only builds until one
# arrives) never print: each name is imported from its module on first use.
_EXPORTS = {
    "FontMissingError": "errors", "ForbiddenResourceError": "errors", "PrintingError": "errors",
    "SafeURLFetcher": "fetcher",
    "SIZES": "fitting", "Fit": "fitting", "print_key": "fitting",
    "TEMPLATE_VERSION": "render",
    "build_report": "report", "fit_sheet": "report", "lookup_fit": "report", "lookup_sheet_pdf": "report",
    "report_html": "report", "sheet_pdf": "report",
    "publish_report": "report",
    "headings": "sheetview",
    "Block": "textblocks", "parse_text": ("textblocks", "parse"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    import importlib
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attr = where if isinstance(where, tuple) else (where, name)
    value = getattr(importlib.import_module(f".{module}", __name__), attr)
    globals()[name] = value
    return value
