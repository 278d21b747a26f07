"""Find the type size at which a sheet fits on one page, and print it.

WeasyPrint has no shrink-to-fit, so this is a search: lay the sheet out
(``HTML.render()``, no PDF), count pages, adjust.  What keeps it at about
one and a half layouts per sheet:

* the first size tried comes from a text-length model of the sheet
  (estimate.py), corrected by how far that model was off for the same sheet
  last time — usually it is the answer;
* every layout also measures how full each column is (from anchors at the
  end of the columns), so the next size is predicted rather than stepped
  to, and often the measurement alone proves that the next size up cannot
  fit; otherwise a layout of the fuller column alone (half the cost) tests
  it;
* the result is cached by content, so an unchanged sheet is never searched
  again, and the Document of the best fitting layout is the one written to
  PDF — the fitted size is never laid out twice.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import asdict, dataclass, field

from . import layout_constants as LC
from .cache import PrintCache
from .errors import ForbiddenResourceError
from .estimate import column_heights_em, estimate_size
from .gcpace import fewer_collections
from .kpis import PLOT_DEFAULT, PLOT_MAX
from .render import get_renderer, sheet_html, template_fingerprint, write_variant
from .sheetview import section_texts, sheet_view
from webapp.sheet_schema import COUNCIL_SHEET, LEFT, RIGHT, SheetSchema, template_of, using

__all__ = ["Fit", "SIZES", "print_key", "fit_and_print", "cached_fit", "overflowing_keys"]

SIZES = LC.SIZES

_PX_PER_MM = 96 / 25.4
_PX_PER_PT = 96 / 72


@dataclass(frozen=True)
class Fit:
    """Outcome of fitting a sheet to one page.

    ``size_pt``: the type size the sheet prints at (MIN_PT when it does not
    fit).  ``fits``: whether it fits on one page at that size.  ``renders``:
    layouts done to find out (0 when it came from the cache).
    ``overflow_sections``: when it does not fit, (section heading as
    printed, characters) of the sheet's text parts, longest first — what to
    tell the coordinator to shorten.  ``excess``: how much too long the
    sheet is at MIN_PT (0.12 = 12 %), 0 when it fits.  ``left_width``:
    the left column's share of the page width (percent) it was laid out
    with.  ``overflowing``: when it does not fit, the keys of the sections
    (webapp/sheet_schema.py: "purpose", "results_actions", ..., "figures")
    that run past the page at MIN_PT, measured on the layout; ("figures",)
    when the text alone would fit.  ``cause``: "text" or "figures" when it
    does not fit.  ``figure_mm``: the height limit the uploaded images
    print at (None: no images).  ``chart_plot``: the height of the KPI
    charts' plots (kpis.bar_chart_svg; None: the default).
    """

    size_pt: float
    fits: bool
    renders: int
    overflow_sections: list = field(default_factory=list)
    excess: float = 0.0
    left_width: float = 50.0
    overflowing: tuple[str, ...] = ()
    cause: str = ""
    figure_mm: float | None = None
    chart_plot: float | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        data["overflow_sections"] = [list(x) for x in self.overflow_sections]
        data["overflowing"] = list(self.overflowing)
        return data

    @classmethod
    def from_json(cls, data: dict, renders: int = 0) -> "Fit":
        return cls(size_pt=data["size_pt"], fits=data["fits"], renders=renders,
                   overflow_sections=[tuple(x) for x in data.get("overflow_sections", [])],
                   excess=data.get("excess", 0.0), left_width=data.get("left_width", 50.0),
                   overflowing=tuple(data.get("overflowing") or ()),
                   cause=data.get("cause", ""), figure_mm=data.get("figure_mm"),
                   chart_plot=data.get("chart_plot"))


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def print_key(sheet: dict, year: int) -> str:
    """Hash of everything that determines the printed sheet.

    The sheet's data, the year (headings), the template/CSS files, the
    printing code, the fonts (template_fingerprint) and the bytes of any
    uploaded figure — replacing an image under the same name reprints.
    Images count by file name and bytes, not by folder: app servers that keep
    their copies of the same images in different folders share the entries.
    """
    images = {}
    figures = []
    for fig in sheet.get("figures") or []:
        path = fig.get("image_path")
        if path and os.path.isfile(path):
            images[os.path.basename(path)] = _file_digest(path)
        figures.append({**fig, "image_path": os.path.basename(path)} if path else fig)
    if figures:
        sheet = {**sheet, "figures": figures}
    template = template_of(sheet)
    data = {"sheet": {k: v for k, v in sheet.items() if k != "template"}, "year": year,
            "images": images, "fp": template_fingerprint()}
    if template != COUNCIL_SHEET:  # every word and place of a sheet template is in its repr
        data["template"] = repr(template)
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str,
                         separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _pdf_name(key: str, size_pt: float) -> str:
    return f"{key}-{size_pt:.2f}.pdf"


def cached_fit(sheet: dict, year: int, cache: PrintCache, key: str | None = None):
    """(Fit, sheet PDF bytes) from the cache, or (None, None)."""
    key = key or print_key(sheet, year)
    data = cache.read_json("fit", key)
    if data is None:
        return None, None
    fit = Fit.from_json(data)
    pdf = cache.read_bytes("sheet", _pdf_name(key, fit.size_pt))
    return fit, pdf


def _char_count(text: str) -> int:
    return len(re.sub(r"\s", "", text or ""))


def overflow_sections(sheet: dict, year: int) -> list[tuple[str, int]]:
    parts = [(heading, _char_count(text)) for heading, text in section_texts(sheet, year)]
    parts = [p for p in parts if p[1] > 0]
    return sorted(parts, key=lambda p: -p[1])


def _measure(doc, number: int, size_pt: float) -> tuple[dict, dict]:
    """(fill per column, whether the column's end is on the first page).

    Fill is content height / available height: above 1 the column
    overflows, and the part on later pages is counted at its height there.
    The end marker sits inside the last box, so the box's bottom padding,
    border and margin are added.  A column whose marker is missing (content
    lost) counts as overflowing.
    """
    anchors = {}
    for index, page in enumerate(doc.pages):
        for name, position in page.anchors.items():
            anchors.setdefault(name, (index, position[1]))
    top_px = LC.MARGIN_TOP_MM * _PX_PER_MM
    bottom_px = (LC.PAGE_HEIGHT_MM - LC.MARGIN_BOTTOM_MM) * _PX_PER_MM
    cols = anchors.get(f"cols-{number}")
    cols_top = cols[1] if cols and cols[0] == 0 else top_px + LC.TITLE_BAND_MM * _PX_PER_MM
    avail = bottom_px - cols_top
    tail = LC.END_PAD_EM * size_pt * _PX_PER_PT
    fills, on_first = {}, {}
    for side in ("left", "right"):
        end = anchors.get(f"end-{side}-{number}")
        if end is None:
            fills[side], on_first[side] = 2.0, False
            continue
        page, y = end
        used = (y - cols_top) if page == 0 else (
            avail + (page - 1) * (bottom_px - top_px) + (y - top_px))
        fills[side] = (used + tail) / avail
        on_first[side] = page == 0
    return fills, on_first


def _predict(size: float, fill: float) -> float:
    """Largest size at which a sheet ``fill`` full at ``size`` would fit.

    Both the number of lines and their height grow with the type size, so
    the height grows about with its square.
    """
    if fill <= 0:
        return LC.MAX_PT
    return size * math.sqrt(1.0 / fill)


def _snap_down(size: float) -> float:
    for s in SIZES:
        if s <= size + 1e-9:
            return s
    return SIZES[-1]


def _hint_name(sheet: dict) -> str:
    return f"sheet-{int(sheet.get('number') or 0)}"


def _first_guess(sheet: dict, view, hint: dict) -> tuple[float, float]:
    """(first size to try, the model's size); may also correct view's split.

    The model's size is shifted by the model's error on this sheet's last
    fit: most edits change a sheet a little, and what the model misjudges
    about a sheet (a wide table, a wrapped title) usually stays.  For the
    same reason a split that had to be corrected last time is reused while
    the model still proposes the split it proposed then.
    """
    if hint.get("model_split") == view.left_width and isinstance(hint.get("split"), (int, float)):
        view.left_width = hint["split"]
    estimate = estimate_size(sheet, view.kpis, view.left_width, SIZES)
    if isinstance(hint.get("size"), (int, float)) and isinstance(hint.get("estimate"), (int, float)):
        corrected = estimate + (hint["size"] - hint["estimate"])
        return min(SIZES, key=lambda s: abs(s - corrected)), estimate
    return estimate, estimate


class _ChartPlan:
    """The KPI charts' plot height for each type size the search tries.

    The charts take the room the right column leaves (the text keeps its
    size; the charts give way first).  Growing them after the search was one
    more layout for most sheets; planned from the size model, they are grown
    in the very layout that tests the type size, and the layout verifies the
    plan.  ``bias``: how much fuller the right column measured than the model
    said (learnt from each layout, and kept in the sheet's hint for the next
    search).
    """

    #: the part of the right column the plan leaves empty, for the model's error
    MARGIN = 0.02

    def __init__(self, sheet: dict, view, bias: float):
        self.sheet, self.view, self.bias = sheet, view, bias

    def _model(self, size: float, plot: float | None) -> float:
        avail = LC.COLUMN_HEIGHT_MM / (size * LC.MM_PER_PT) - LC.END_PAD_EM
        return column_heights_em(self.sheet, self.view.kpis, self.view.left_width, size,
                                 plot)[1] / avail

    def plot_at(self, size: float) -> float | None:
        """The plot at which the right column comes out MARGIN short of full, by
        the model corrected by ``bias``; None (the default plot) when there is no
        room worth growing into."""
        goal = 1.0 - self.MARGIN - self.bias
        if self._model(size, None) >= goal:
            return None
        low, high = PLOT_DEFAULT, PLOT_MAX
        if self._model(size, high) <= goal:
            low = high
        else:
            for _ in range(10):         # the model grows with the plot, never shrinks
                mid = (low + high) / 2
                low, high = (mid, high) if self._model(size, mid) <= goal else (low, mid)
        plot = math.floor(low * 10) / 10
        return plot if plot >= PLOT_DEFAULT + _GROW_MIN else None

    def growth(self, size: float, plot: float | None) -> float:
        """How much of the right column the model says ``plot`` adds to the default."""
        return 0.0 if plot is None else self._model(size, plot) - self._model(size, None)

    def learn(self, size: float, text_right: float) -> None:
        self.bias = text_right - self._model(size, None)

    def reduced(self, size: float, plot: float, right: float) -> float | None:
        """A plot ``right`` (the measured fill with ``plot``) fits at, taking the
        overshoot off the growth (a measured overflow overstates, so this errs small)."""
        grown = self.growth(size, plot)
        if grown <= 0:
            return None
        over = right - (1.0 - self.MARGIN)
        smaller = PLOT_DEFAULT + (plot - PLOT_DEFAULT) * max(0.0, 1.0 - over / grown)
        smaller = math.floor(smaller * 10) / 10
        return smaller if smaller >= PLOT_DEFAULT + _GROW_MIN else None


#: the least growth of the charts' plots worth a layout (viewBox units; 10 per em)
_GROW_MIN = 3.0
#: how much fuller the right column measures than the size model says, on
#: average over the FY2023 sheets: the chart plan's correction before a
#: sheet has been measured (then the hint keeps the sheet's own)
_RIGHT_BIAS = 0.01


class _Search:
    """One fit search over SIZES.

    ``layout(size, probe, plot)`` lays the sheet out — whole (probe None) or
    one column only ("left"/"right") — with the charts' plots ``plot`` high
    (None: the default) and returns the weasyprint Document.

    Whole-sheet layouts are done at sizes that may be the answer, so the
    best one can be written as is.  Proving that the size above the best
    does not fit only needs the column that was fuller at the best size:
    if that column alone overflows, the sheet does; a one-column layout
    costs about half of a whole one.

    With a chart plan (``charts``) a whole-sheet layout grows the charts as
    the plan says for its size.  The search decides on the text: the fills
    it compares are the measured ones less the growth the plan added, and a
    size whose text fits is never given up for the charts — they shrink
    (back to the default at the last) instead.
    """

    def __init__(self, layout, number: int, charts: _ChartPlan | None = None):
        self.layout = layout
        self.number = number
        self.charts = charts
        self.renders = 0
        self.best = None              # (size, doc, text fills, fills, plot) of the largest fitting size
        self.fail = None              # smallest size known not to fit
        self.fill_at_min = None
        self.min_doc = None           # layout at MIN_PT when even that overflows
        self.fills_at_min = None
        self.min_plot = None

    def _lay(self, size: float, plot: float | None):
        doc = self.layout(size, None, plot)
        self.renders += 1
        fills, on_first = _measure(doc, self.number, size)
        fits = len(doc.pages) == 1 and all(on_first.values())
        text = dict(fills)
        if self.charts is not None:
            text["right"] = fills["right"] - self.charts.growth(size, plot)
            if on_first["right"] and fills["right"] <= 1.0:
                # (an overflowing column measures long: blocks that cannot
                # be split move to the next page whole)
                self.charts.learn(size, text["right"])
        return fits, doc, fills, text, on_first

    def _full(self, size: float):
        plot = self.charts.plot_at(size) if self.charts is not None else None
        fits, doc, fills, text, on_first = self._lay(size, plot)
        while not fits and plot is not None and on_first["left"] and fills["left"] <= 1.0:
            # The left column fits, the right one with the grown charts does
            # not: smaller charts first, then the default ones, before the
            # text is made smaller.
            smaller = self.charts.reduced(size, plot, fills["right"])
            plot = smaller if smaller is not None and smaller < plot else None
            fits, doc, fills, text, on_first = self._lay(size, plot)
        if fits:
            if self.best is None or size > self.best[0]:
                self.best = (size, doc, text, fills, plot)
        else:
            if self.fail is None or size < self.fail:
                self.fail = size
            if size == SIZES[-1]:
                self.fill_at_min, self.min_doc = max(text.values()), doc
                self.fills_at_min, self.min_plot = text, plot
        return fits, max(text.values())

    def _probe(self, size: float, side: str) -> bool:
        """True when column ``side`` alone fits at ``size`` (charts at the default)."""
        doc = self.layout(size, side, None)
        self.renders += 1
        _, on_first = _measure(doc, self.number, size)
        fits = len(doc.pages) == 1 and on_first[side]
        if not fits and (self.fail is None or size < self.fail):
            self.fail = size
        return fits

    def _done(self) -> bool:
        if self.best and self.best[0] == SIZES[0]:
            return True
        if self.fail == SIZES[-1]:
            return True
        if self.best and self.fail is not None:
            return SIZES.index(self.fail) == SIZES.index(self.best[0]) - 1
        return False

    def run(self, guess: float):
        size = guess
        fits, fill = self._full(size)
        while not self._done():
            lo = SIZES.index(self.fail) + 1 if self.fail is not None else 0
            hi = SIZES.index(self.best[0]) - 1 if self.best else len(SIZES) - 1
            # SIZES[lo..hi] are the sizes still open
            here = SIZES.index(size)
            index = SIZES.index(_snap_down(_predict(size, fill)))
            if fits:
                index = min(index, here - 1)                # at least one step up
            else:
                # An overflowing layout overstates the height it needs:
                # blocks that cannot be split move whole to the next page,
                # typically by 10-20 %.  The first guess is rarely more
                # than a step too large, so a moderate overflow means one
                # step down; a large one, half the predicted way.
                steps = index - here
                index = here + (1 if steps <= 4 else steps // 2)
            index = min(max(index, lo), hi)
            size = SIZES[index]
            if self.best and index == SIZES.index(self.best[0]) - 1:
                # The step just above the best.  Everything on the sheet is
                # sized in em, so at a larger type a column's height grows at
                # least in proportion (lines only get more): if that bound
                # already overflows, the step cannot fit — no layout needed.
                best_size, _, best_fills, _, _ = self.best
                side = max(best_fills, key=best_fills.get)
                if best_fills[side] * size / best_size > 1.0 + 1e-9:
                    self.fail = size
                    continue
                # Otherwise test the fuller column alone first.
                if not self._probe(size, side):
                    continue
            fits, fill = self._full(size)


def _column_sections(sheet_schema: SheetSchema) -> dict[str, tuple[str, ...]]:
    """The sections of each column, top to bottom, as the template places them."""
    return {side: tuple(sec.key for box in sheet_schema.column(side)
                        for sec in sheet_schema.in_box(box.key))
            for side in (LEFT, RIGHT)}


def overflowing_keys(doc, number: int, sheet_schema: SheetSchema) -> tuple[str, ...]:
    """Keys of the sections that end past the first page of ``doc``.

    A section ends where the next section of its column starts, the last
    one at the column's end marker; the sections carry their key in their
    id (sec-N-key), so nothing here depends on the printed headings.
    """
    anchors = {}
    for index, page in enumerate(doc.pages):
        for name, position in page.anchors.items():
            anchors.setdefault(name, (index, position[1]))
    bottom_px = (LC.PAGE_HEIGHT_MM - LC.MARGIN_BOTTOM_MM) * _PX_PER_MM
    out = []
    for side, keys in _column_sections(sheet_schema).items():
        present = [k for k in keys if f"sec-{number}-{k}" in anchors]
        end = anchors.get(f"end-{side}-{number}", (len(doc.pages), 0.0))
        for i, key in enumerate(present):
            stop = anchors[f"sec-{number}-{present[i + 1]}"] if i + 1 < len(present) else end
            if stop[0] > 0 or stop[1] > bottom_px:
                out.append(key)
    return tuple(out)


def _grow_figures(renderer, view, size: float, fills: dict):
    """Give the images the room the right column has left at ``size``.

    Returns (figure_mm, doc) of a layout that still fits, or None.
    """
    if not view.has_images:
        return None
    spare_mm = (1.0 - fills.get("right", 1.0)) * LC.COLUMN_HEIGHT_MM
    images = sum(1 for f in view.figures if f.image_url)
    rows = math.ceil(images / 2) if len(view.figures) > 1 else images
    grown = min(LC.FIGURE_MAX_MM, view.figure_mm + 0.9 * spare_mm / max(rows, 1))
    if grown < view.figure_mm + 2:
        return None
    floor = view.figure_mm
    view.figure_mm = round(grown, 1)
    doc = renderer.layout(renderer.parse(sheet_html(view)), size_pt=size)
    _, on_first = _measure(doc, view.number, size)
    if len(doc.pages) == 1 and all(on_first.values()):
        return view.figure_mm, doc
    view.figure_mm = floor
    return None


#: room (mm) the right column may keep below charts grown as planned
#: without a layout more to grow them into it
_REGROW_MM = 8.0


def _grow_charts(renderer, view, size: float, fills: dict, plot: float | None):
    """Give the KPI charts the room the right column has left at ``size``
    (``fills`` measured with the charts' plots ``plot`` high, None: the
    default), as _grow_figures does for images (a sheet with images leaves
    the room to them).  Charts already grown as planned grow again only when
    the plan left more than _REGROW_MM.  Returns (chart_plot, doc, layouts
    done) of a layout that still fits, or None.
    """
    rows = view.chart_rows
    if not rows or view.has_images:
        return None
    spare_mm = (1.0 - fills.get("right", 1.0)) * LC.COLUMN_HEIGHT_MM
    if spare_mm < _REGROW_MM:
        return None
    base = plot if plot is not None else PLOT_DEFAULT
    # the chart's em stops shrinking at the floor (render.floor_css)
    unit_mm = max(size, LC.CHART_FLOOR_PT) * LC.MM_PER_PT / 10
    # the room is measured at the column's end, but a chart beside a taller
    # table grows into its row first: a second, smaller try when the first
    # overshoots
    for tries, share in enumerate((0.9, 0.5), start=1):
        grown = min(PLOT_MAX, base + share * spare_mm / rows / unit_mm)
        if grown < base + _GROW_MIN:
            break
        view.set_chart_plot(round(grown, 1))
        doc = renderer.layout(renderer.parse(sheet_html(view)), size_pt=size)
        _, on_first = _measure(doc, view.number, size)
        if len(doc.pages) == 1 and all(on_first.values()):
            return view.chart_plot, doc, tries
    view.set_chart_plot(plot)
    return None


def fit_and_print(sheet: dict, year: int, cache: PrintCache, **options):
    """`_fit_and_print` with the sheet's template in force (webapp.sheet_schema.template_of):
    the KPI wording and figure kinds print as its year's template says."""
    with using(template_of(sheet)), fewer_collections():
        return _fit_and_print(sheet, year, cache, **options)


def _fit_and_print(sheet: dict, year: int, cache: PrintCache, *,
                   uploads_dir: str | None = None, key: str | None = None,
                   want_pdf=True, fetcher=None):
    """Search the size, write the sheet PDF at it, cache both.

    Returns (Fit, pdf bytes or None).  ``want_pdf`` may be a callable, asked
    once the size is known (a check made while someone types prints only
    when no newer check is waiting).  ``fetcher`` replaces the URL fetcher
    (tests use a recording one).
    """
    key = key or print_key(sheet, year)
    renderer = get_renderer(uploads_dir) if fetcher is None else _renderer_with(fetcher, uploads_dir)
    view = sheet_view(sheet, year, uploads_dir=uploads_dir)
    if view.has_images:
        # Text first: the type is fitted with the images at their floor,
        # then the images take the room that is left.
        view.figure_mm = LC.FIGURE_FLOOR_MM
    model_split = view.left_width
    hint = cache.read_json("hint", _hint_name(sheet)) or {}
    guess, estimate = _first_guess(sheet, view, hint)
    charts = None
    if view.chart_rows and not view.has_images:
        bias = hint.get("right_bias")
        charts = _ChartPlan(sheet, view, bias if isinstance(bias, (int, float)) else _RIGHT_BIAS)
    search = _search(renderer, view, guess, charts)
    renders = search.renders
    if not search.best and view.has_images:
        view.figure_mm = LC.FIGURE_LAST_MM
        search = _search(renderer, view, SIZES[-1])
        renders += search.renders
    if not search.best and search.fill_at_min is not None:
        # Even the smallest type overflows with the estimated split.  The
        # layout at MIN_PT tells how long each column really is: if widening
        # the longer column at the cost of the other can make both fit, try
        # that split (the model may have misjudged a column).
        split = _rebalanced_split(view.left_width, search.fills_at_min)
        if split is not None:
            view.left_width = split
            search = _search(renderer, view, SIZES[-1], charts)
            renders += search.renders
    _check_refusals(renderer)

    if search.best:
        size, doc, _, fills, plot = search.best
        view.set_chart_plot(plot)
        grown = _grow_figures(renderer, view, size, fills)
        if grown is not None:
            renders += 1
            doc = grown[1]
        else:
            grown = _grow_charts(renderer, view, size, fills, plot)
            if grown is not None:
                renders += grown[2]
                doc = grown[1]
        fit = Fit(size_pt=size, fits=True, renders=renders, left_width=view.left_width,
                  figure_mm=view.figure_mm, chart_plot=view.chart_plot)
        hint = {"size": size, "estimate": estimate,
                "model_split": model_split, "split": view.left_width}
        if charts is not None:
            hint["right_bias"] = round(charts.bias, 4)
        cache.write_json("hint", _hint_name(sheet), hint)
    else:
        size = SIZES[-1]
        doc = search.min_doc   # printed anyway, clipped, as a preview
        overflowing, cause = overflowing_keys(doc, view.number, template_of(sheet)), "text"
        to_shorten = overflow_sections(sheet, year)
        if view.figures and _text_alone_fits(renderer, sheet, year, uploads_dir):
            renders += 1
            overflowing, cause = ("figures",), "figures"
            # the text is not what to shorten: name the figures alone
            to_shorten = [(view.headings["figures"], max(1, len(view.figures)))]
        fit = Fit(size_pt=size, fits=False, renders=renders,
                  overflow_sections=to_shorten,
                  excess=round(max((search.fill_at_min or 1.0) - 1.0, 0.0), 3),
                  left_width=view.left_width, overflowing=overflowing, cause=cause,
                  figure_mm=view.figure_mm, chart_plot=search.min_plot)
    cache.write_json("fit", key, fit.to_json())
    pdf = None
    if want_pdf() if callable(want_pdf) else want_pdf:
        pdf = write_sheet_pdf(doc)
        _check_refusals(renderer)
        cache.write_bytes("sheet", _pdf_name(key, fit.size_pt), pdf)
    return fit, pdf


def _text_alone_fits(renderer, sheet: dict, year: int, uploads_dir) -> bool:
    """Whether the sheet would fit at MIN_PT without its figures, laid out
    as it would be without them (the figures move the column split)."""
    bare = sheet_view({**sheet, "figures": []}, year, uploads_dir=uploads_dir)
    doc = renderer.layout(renderer.parse(sheet_html(bare)), size_pt=SIZES[-1])
    _, on_first = _measure(doc, bare.number, SIZES[-1])
    return len(doc.pages) == 1 and all(on_first.values())


def _search(renderer, view, guess: float, charts: _ChartPlan | None = None) -> "_Search":
    parsed = {}         # the sheet's HTML for each plot height of its charts

    def layout(size, probe, plot):
        if plot not in parsed:
            view.set_chart_plot(plot)
            parsed[plot] = renderer.parse(sheet_html(view))
        return renderer.layout(parsed[plot], size_pt=size, probe=probe)

    search = _Search(layout, view.number, charts)
    search.run(guess)
    return search


def _rebalanced_split(left_width: float, fills: dict) -> float | None:
    """A split giving the overflowing column the width it measured to need.

    Height is taken as inversely proportional to width (wrapped text), plus
    2 % to spare.  The other column loses that width; whether it still fits
    is for the search to find out (a column of short lines hardly grows
    when narrowed, which no formula here knows).  None when nothing changes.
    """
    if fills["left"] >= fills["right"]:
        split = left_width * fills["left"] * 1.02
    else:
        split = 100.0 - (100.0 - left_width) * fills["right"] * 1.02
    split = round(min(70.0, max(30.0, split)) * 2) / 2
    return split if split != left_width else None


def write_sheet_pdf(doc) -> bytes:
    # Tagged (PDF/UA-1, mended) when it is printed, so that the published
    # report merges the cached sheets' structure trees (tagmerge.py) rather
    # than laying the whole report out again; the untagged assembly draws
    # the same page.  Images at 200 dpi: write_variant.
    return write_variant(doc, "pdf/ua-1")


def _check_refusals(renderer) -> None:
    refused = getattr(renderer.fetcher, "refused", None)
    if refused:
        url = refused[0]
        refused.clear()
        raise ForbiddenResourceError(url, "refused while printing")


def _renderer_with(fetcher, uploads_dir):
    from .render import Renderer
    return Renderer(uploads_dir, fetcher=fetcher)
