"""How far off is the text-length model from the real layout? (the margin of printing/surefit.py)

For every FY2023 sheet, as printed and with its longest text section cut to
half (a second, shorter sheet of the same shape), at every other type size:
the fuller column's fill as the model puts it (surefit.estimated_fill) and
as WeasyPrint lays it out (fitting._measure). Prints the largest ratio
real / model, the margin it calls for, and every sample the current margin
would answer without a layout, with whether the layout agrees.

    .venv/bin/python bench/fit_margin.py [--all-sizes]
"""
from __future__ import annotations

import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
FY2023 = os.path.join(ROOT, "webapp", "demo_data", "fy2023_report.json")


def _halved(sheet: dict, year: int) -> dict:
    """The sheet with its longest top-level text field cut to its first half of lines."""
    texts = {k: v for k, v in sheet.items() if isinstance(v, str) and k not in ("title", "lead_label")}
    for key in ("results", "plans"):
        for sub, value in (sheet.get(key) or {}).items():
            if isinstance(value, str):
                texts[(key, sub)] = value
    longest = max(texts, key=lambda k: len(texts[k]))
    lines = texts[longest].split("\n")
    cut = "\n".join(lines[:max(1, len(lines) // 2)])
    out = json.loads(json.dumps(sheet))
    if isinstance(longest, tuple):
        out[longest[0]][longest[1]] = cut
    else:
        out[longest] = cut
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all-sizes", action="store_true")
    args = parser.parse_args()
    from webapp.printing import layout_constants as LC
    from webapp.printing.fitting import _measure
    from webapp.printing.render import get_renderer, sheet_html
    from webapp.printing.sheetview import sheet_view
    from webapp.printing.surefit import FIT_MARGIN, estimated_fill

    with open(FY2023, encoding="utf-8") as fh:
        data = json.load(fh)
    year = data["fiscal_year"]
    renderer = get_renderer(None)
    sizes = LC.SIZES if args.all_sizes else LC.SIZES[::2]
    samples = []
    for original in data["projects"]:
        for label, sheet in (("", original), ("½", _halved(original, year))):
            view = sheet_view(sheet, year)
            html = renderer.parse(sheet_html(view))
            for size in sizes:
                doc = renderer.layout(html, size_pt=size)
                fills, on_first = _measure(doc, view.number, size)
                fits = len(doc.pages) == 1 and all(on_first.values())
                samples.append((f"{view.number}{label}", size, estimated_fill(sheet, view, size),
                                max(fills.values()), fits))
            print(".", end="", flush=True, file=sys.stderr)
    print(file=sys.stderr)
    worst = max(samples, key=lambda s: s[3] / s[2])
    ratio = worst[3] / worst[2]
    print(f"{len(samples)} layouts; real fill / model fill: max {ratio:.3f} "
          f"(sheet {worst[0]} at {worst[1]}pt: model {worst[2]:.3f}, real {worst[3]:.3f})")
    print(f"margin this calls for: {1 - 1 / ratio:.3f}; FIT_MARGIN is {FIT_MARGIN}")
    sure = [s for s in samples if s[2] <= 1 - FIT_MARGIN]
    wrong = [s for s in sure if not s[4]]
    print(f"answered without a layout at FIT_MARGIN: {len(sure)} of {len(samples)} samples, "
          f"{len(wrong)} of them do not really fit")
    closest = max(sure, key=lambda s: s[3], default=None)
    if closest:
        print(f"fullest of those, really: sheet {closest[0]} at {closest[1]}pt, fill {closest[3]:.3f}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
