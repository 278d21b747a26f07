"""Print a report file without the app or its database.

    python -m webapp.printing REPORT.json --out report.pdf [--html report.html]
        [--year Y] [--date YYYY-MM-DD] [--cache DIR] [--uploads DIR] [--sheet N]

REPORT.json is in the format of fy2023_report.json.  --html writes the whole
report as one HTML document (the sheets at their fitted sizes) instead of,
or besides, the PDF; --sheet N writes only project N's sheet.  Exits
non-zero with a message when a sheet cannot be printed.
"""
from __future__ import annotations

import argparse
import datetime
import json
import sys

from . import PrintingError, build_report, report_html, sheet_pdf
from webapp.jptext import circled


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m webapp.printing",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("report", help="report JSON (format of fy2023_report.json)")
    parser.add_argument("--out", help="PDF to write")
    parser.add_argument("--html", help="write the report as one HTML document")
    parser.add_argument("--year", type=int, help="reporting year (default: fiscal_year)")
    parser.add_argument("--date", help="compilation date YYYY-MM-DD (default: March 31 "
                        "after the year)")
    parser.add_argument("--cache", help="cache folder (default: none)")
    parser.add_argument("--uploads", help="folder of uploaded figure images")
    parser.add_argument("--sheet", type=int, help="print only this project's sheet")
    args = parser.parse_args(argv)
    if not (args.out or args.html):
        parser.error("give --out and/or --html")

    with open(args.report, encoding="utf-8") as f:
        data = json.load(f)
    year = args.year or int(data["fiscal_year"])
    date = datetime.date.fromisoformat(args.date) if args.date else datetime.date(year + 1, 3, 31)
    meta = {"council": data["council"], "title": data["title"], "fiscal_year": year,
            "date": date}
    sheets = data["projects"]
    try:
        if args.sheet is not None:
            match = [s for s in sheets if s.get("number") == args.sheet]
            if not match:
                parser.error(f"no project number {args.sheet}")
            sheets = match
        fits = {}
        if args.out:
            if args.sheet is not None:
                pdf = sheet_pdf(sheets[0], year, args.cache, uploads_dir=args.uploads)
            else:
                pdf = build_report(meta, year, sheets, args.cache, fits=fits,
                                   uploads_dir=args.uploads)
            with open(args.out, "wb") as f:
                f.write(pdf)
        if args.html:
            html = report_html(meta, year, sheets, cache=args.cache,
                               uploads_dir=args.uploads, fits=fits)
            with open(args.html, "w", encoding="utf-8") as f:
                f.write(html)
    except PrintingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for number, fit in sorted(fits.items()):
        if not fit.fits:
            parts = "、".join(f"{h}（{n}字）" for h, n in fit.overflow_sections[:3])
            print(f"{circled(number)} は {fit.size_pt}pt でも1ページに収まりません"
                  f"（約{fit.excess:.0%}超過）。長い項目: {parts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
