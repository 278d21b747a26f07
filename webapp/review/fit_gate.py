"""Does a sheet fit one page even at the smallest type size? Review's one adapter to printing.

Submission asks this question and nothing else of the printing package. The
answer comes from the editing package's fit check (webapp/editing/fit.py:
the same cached result the edit form shows, computed now when not cached),
which runs printing's fit search, the one the compiled report uses: "fits"
here means the report will print the sheet on one page. Without the editing
package, printing's `fit_sheet` is asked directly.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from flask import current_app

from webapp.models import Sheet
from webapp.sections import TEXT_SECTIONS, section_label
from webapp.sheet_content import sheet_to_dict

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FitVerdict:
    fits: bool
    size_pt: float | None = None
    # The check itself failed (e.g. a render error): submission waits for a working check.
    failed: bool = False


def longest_sections(sheet: Sheet, share: float = 0.2, most: int = 3) -> list[str]:
    """Names (as in webapp.sections) of the text sections worth shortening, longest first:
    those holding at least `share` of the sheet's text, at most `most`, at least one."""
    year = sheet.cycle.year
    sizes = sorted(((len((getattr(sheet, s.key) or "").strip()), s.key) for s in TEXT_SECTIONS),
                   reverse=True)
    total = sum(n for n, _ in sizes) or 1
    picked = [key for n, key in sizes if n and n >= share * total][:most] or [sizes[0][1]]
    return [section_label(key, year) for key in picked]


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def check(sheet: Sheet) -> FitVerdict | None:
    """The verdict, or None when no fit check is installed at all."""
    editing_fit = _module("webapp.editing.fit")
    if editing_fit is not None and hasattr(editing_fit, "compute"):
        status = editing_fit.compute(sheet)
        if status.state == "unavailable":
            return None
        if status.state != "ready":
            return FitVerdict(fits=False, failed=True)
        return FitVerdict(fits=bool(status.fits), size_pt=status.size_pt)
    printing = _module("webapp.printing")
    if printing is None or not hasattr(printing, "fit_sheet"):
        log.warning("no fit check available; submission skips the one-page check")
        return None
    config = current_app.config
    upload_folder = config.get("UPLOAD_FOLDER")
    fit = printing.fit_sheet(sheet_to_dict(sheet, upload_folder), sheet.cycle.year,
                             config["CACHE_FOLDER"], uploads_dir=upload_folder)
    return FitVerdict(fits=fit.fits, size_pt=fit.size_pt)
