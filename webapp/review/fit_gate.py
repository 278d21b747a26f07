"""Does a sheet fit one page even at the smallest type size? Asked before submission.

The answer is the editing package's fit check (the same cached result the
edit form shows, computed now when not cached), which runs the printing
package's fit search, the one the compiled report uses: "fits" here means
the report will print the sheet on one page.
"""
from __future__ import annotations

from dataclasses import dataclass

from webapp.editing import fit as editing_fit
from webapp.models import Sheet


@dataclass(frozen=True)
class FitVerdict:
    fits: bool
    size_pt: float | None = None
    # The check itself failed (e.g. a render error): submission waits for a working check.
    failed: bool = False
    # Sections to shorten, longest first, as the coordinator sees them named.
    shorten: tuple[str, ...] = ()


def check(sheet: Sheet) -> FitVerdict:
    status = editing_fit.compute(sheet)
    if status.state != "ready":
        return FitVerdict(fits=False, failed=True)
    return FitVerdict(fits=bool(status.fits), size_pt=status.size_pt, shorten=status.overflow)
