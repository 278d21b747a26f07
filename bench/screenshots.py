"""Render pages of the FY2023 report to PNG for a visual check.

    .venv/bin/python bench/screenshots.py OUTDIR [REPORT.json] [--sheets 2,15] [--dpi 100]

Builds the report (fresh cache) with its KPI appendix switched on, then
writes OUTDIR/report.pdf and, with poppler's pdftoppm, OUTDIR/cover.png,
OUTDIR/contents.png, OUTDIR/sheet-NN.png for the chosen sheets and
OUTDIR/appendix-N.png for each page of the appendix (all found through the
PDF's bookmarks, so the page numbers need not be known).
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench.report import default_data_path, load  # noqa: E402


def bookmark_pages(pdf: bytes) -> dict[str, int]:
    """Bookmark title -> 1-based page number."""
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(pdf))
    return {item.title: reader.get_destination_page_number(item) + 1
            for item in reader.outline if not isinstance(item, list)}


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader
    return len(PdfReader(io.BytesIO(pdf)).pages)


def png(pdf_path: str, page: int, out_base: str, dpi: int) -> str:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", pdf_path, out_base], check=True)
    return out_base + ".png"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("data", nargs="?", default=default_data_path())
    parser.add_argument("--sheets", default="2,15")
    parser.add_argument("--dpi", type=int, default=100)
    args = parser.parse_args(argv)
    if not shutil.which("pdftoppm"):
        raise SystemExit("pdftoppm not found (Debian: apt-get install poppler-utils)")

    from webapp.council.progress import appendix_of
    from webapp.printing import build_report
    from webapp.printing.appendix import TITLE
    from webapp.jptext import circled

    meta, year, sheets = load(args.data)
    # the appendix as the app prints it when the year has it on (without a
    # database there are no earlier years: 前年差 is 「－」)
    meta["appendix"] = appendix_of(sheets)
    os.makedirs(args.outdir, exist_ok=True)
    fits = {}
    with tempfile.TemporaryDirectory() as cache:
        pdf = build_report(meta, year, sheets, cache, fits=fits)
    pdf_path = os.path.join(args.outdir, "report.pdf")
    with open(pdf_path, "wb") as f:
        f.write(pdf)

    pages = bookmark_pages(pdf)
    first_sheet = min(pages.values())
    written = [png(pdf_path, 1, os.path.join(args.outdir, "cover"), args.dpi)]
    for page in range(2, first_sheet):
        name = "contents" if page == 2 else f"contents-{page - 1}"
        written.append(png(pdf_path, page, os.path.join(args.outdir, name), args.dpi))
    by_number = {s["number"]: s for s in sheets}
    for number in (int(n) for n in args.sheets.split(",") if n.strip()):
        sheet = by_number[number]
        page = pages[f"{circled(number)} {sheet['title']}"]
        out = png(pdf_path, page, os.path.join(args.outdir, f"sheet-{number:02d}"), args.dpi)
        fit = fits[number]
        written.append(f"{out}  (page {page}, {fit.size_pt}pt{'' if fit.fits else ', DOES NOT FIT'})")
    for i, page in enumerate(range(pages[TITLE], page_count(pdf) + 1), start=1):
        written.append(png(pdf_path, page, os.path.join(args.outdir, f"appendix-{i}"), args.dpi))
    print("\n".join(written))


if __name__ == "__main__":
    main()
