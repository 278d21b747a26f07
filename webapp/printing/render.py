"""HTML and CSS of the printed documents, and the WeasyPrint calls.

Templates live in ``pdf_templates/`` at the repository root.  Jinja2 runs
with autoescape on for everything: sheet text is user input and never
reaches the HTML unescaped.
"""
from __future__ import annotations

import datetime
import functools
import hashlib
import os
import threading
from pathlib import Path

import jinja2
import weasyprint
from markupsafe import Markup, escape
from weasyprint import CSS, HTML
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text.fonts import FontConfiguration

from . import layout_constants as LC
from . import appendix, gcpace
from .fetcher import SafeURLFetcher
from .fonts import find_fonts, font_face_css
from .pdffix import mend
from webapp.jptext import fullwidth, jp_date, jp_fiscal_year
from webapp.sheet_schema import FIGURES, schema
from .sheetview import SheetView
from .textblocks import is_fullwidth, marker_width_em

__all__ = [
    "TEMPLATE_VERSION", "TEMPLATES_DIR", "template_fingerprint", "sheet_html",
    "report_document_html", "stylesheet_text", "Renderer", "get_renderer", "warm_templates", "after_fork",
    "write_variant",
]

#: Bump when the printed output changes in a way the fingerprint of the
#: template files and of this package's sources cannot see (e.g. a change of
#: WeasyPrint behaviour we rely on).
TEMPLATE_VERSION = "2024.1"

TEMPLATES_DIR = os.path.realpath(
    os.path.join(os.path.dirname(__file__), "..", "..", "pdf_templates"))

# Sources whose change alters the print; hashed into every cache key so a
# deploy never serves a sheet laid out by older code.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_SOURCE_FILES = ("assemble.py", "estimate.py", "fitting.py", "fonts.py", "../jptext.py", "../content_text.py",
                 "../sheet_schema.py", "kpis.py", "layout_constants.py", "pdffix.py", "render.py",
                 "report.py", "sheetview.py", "tagmerge.py", "textblocks.py")



def _figure_kind(kind: str) -> str:
    """「［写真］」: the figure kind as the template words it."""
    label = schema().part(FIGURES).field("kind").choice_label(kind)
    return f"［{label}］" if label else ""


@functools.lru_cache(maxsize=1)
def template_fingerprint() -> str:
    """Hash of TEMPLATE_VERSION, the template/CSS files, the printing code,
    the WeasyPrint version and the font files in use."""
    digest = hashlib.sha256()
    digest.update(f"{TEMPLATE_VERSION}|weasyprint {weasyprint.__version__}".encode())
    for name in sorted(os.listdir(TEMPLATES_DIR)):
        path = os.path.join(TEMPLATES_DIR, name)
        if os.path.isfile(path):
            digest.update(name.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    for name in _SOURCE_FILES:
        digest.update(name.encode() + b"\0" + Path(_PACKAGE_DIR, name).read_bytes() + b"\0")
    digest.update(find_fonts().fingerprint().encode())
    return digest.hexdigest()[:24]


@functools.lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.globals["hang_class"] = lambda marker: f"h{int(marker_width_em(marker) * 10)}"
    env.globals["is_fullwidth"] = is_fullwidth
    env.globals["figure_kind"] = lambda kind: _figure_kind(kind)
    env.globals["schema"] = schema
    return env


def warm_templates() -> None:
    """Compile the templates now (e.g. before forking workers)."""
    for name in ("sheet.html", "report.html", "_sheet.html", "_macros.html"):
        _env().get_template(name)


def _geometry_css() -> str:
    return (
        f"@page {{ size: {LC.PAGE_WIDTH_MM}mm {LC.PAGE_HEIGHT_MM}mm; "
        f"margin: {LC.MARGIN_TOP_MM}mm {LC.MARGIN_SIDE_MM}mm "
        f"{LC.MARGIN_BOTTOM_MM}mm; }}\n")


def floor_css(size_pt: float, scope: str) -> str:
    """Rules keeping small type at the legibility floor on a sheet printed at
    ``size_pt``: the chart stops shrinking at CHART_FLOOR_PT."""
    if size_pt >= LC.CHART_FLOOR_PT:
        return ""
    return f"{scope} .kpi-chart {{ font-size: {LC.CHART_FLOOR_PT}pt; }}\n"


def _report_floor_css() -> str:
    # In the compiled report each sheet carries its size inline; its class
    # fsNNN (size in hundredths of a point) selects these rules.
    return "".join(floor_css(size, f".sheet.fs{round(size * 100)}") for size in LC.SIZES)


def stylesheet_text(kind: str = "sheet") -> str:
    """The whole stylesheet: fonts, page geometry, sheet.css (+ report.css)."""
    parts = [font_face_css(find_fonts(), mincho=(kind == "report")), _geometry_css(),
             Path(TEMPLATES_DIR, "sheet.css").read_text(encoding="utf-8")]
    if kind == "report":
        parts.append(Path(TEMPLATES_DIR, "report.css").read_text(encoding="utf-8"))
        parts.append(Path(TEMPLATES_DIR, "appendix.css").read_text(encoding="utf-8"))
        parts.append(_report_floor_css())
    return "\n".join(parts)


def sheet_html(view: SheetView) -> str:
    """A one-sheet HTML document (no inline style: the renderer adds it)."""
    return _env().get_template("sheet.html").render(s=view, year_label=jp_fiscal_year(view.year))


def report_document_html(meta: dict, year: int, views: list[SheetView], *,
                         mode: str, inline_css: str | None = None,
                         first_page: int | None = None) -> str:
    date = meta.get("date")
    if isinstance(date, datetime.datetime):
        date = date.date()
    if not isinstance(date, datetime.date):
        raise ValueError("meta['date'] must be a datetime.date (the compilation date)")
    return _env().get_template("report.html").render(
        # The stylesheet is ours, not user text, and <style> is raw text
        # in HTML: escaping would break it rather than protect anything.
        meta=meta, sheets=views, mode=mode, draft=bool(meta.get("draft")),
        # the year is written one way throughout: full-width, as the headings
        title=fullwidth(meta.get("title") or ""),
        inline_css=Markup(inline_css) if inline_css else None,
        first_page=first_page,
        appendix=meta.get("appendix"), appendix_title=appendix.TITLE,
        status_class=appendix.status_class,
        year_label=jp_fiscal_year(year),
        subject=f"{fullwidth(year)}年度 プロジェクト個票（{len(views)}件）",
        date_label=jp_date(date), date_iso=date.isoformat())


class _JapaneseMetadata(DocumentMetadata):
    """WeasyPrint's XMP has the title, authors and dates but not the
    language, which PDF/A archives index by: add dc:language."""

    def generate_rdf_metadata(self, variant, version, conformance):
        rdf = super().generate_rdf_metadata(variant, version, conformance)
        if not self.lang:
            return rdf
        lang = escape(self.lang)
        description = (
            f'<rdf:Description xmlns:rdf="{_RDF}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            f'rdf:about=""><dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag>'
            f'</dc:language></rdf:Description>')
        closing = rdf.rindex(b"</rdf:RDF>")
        return rdf[:closing] + description.encode() + rdf[closing:]


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def write_variant(doc, variant: str) -> bytes:
    """Write a laid-out report Document as ``variant`` ("pdf/ua-1": tagged,
    for publishing; "pdf/a-2b": archival, with an sRGB output intent).

    The same Document can be written several times: WeasyPrint keeps the
    layout and builds each PDF afresh.
    """
    if variant not in ("pdf/ua-1", "pdf/a-2b"):
        raise ValueError(f"unknown PDF variant {variant!r}")
    doc.metadata.__class__ = _JapaneseMetadata
    options = {"optimize_images": True, "jpeg_quality": 85, "dpi": 200,
               "pdf_variant": variant}
    if variant == "pdf/a-2b":
        # PDF/A wants a tagged file too where possible; -2b only requires
        # the look, but the tags cost little and help a later reader.
        options["pdf_tags"] = True
    return mend(doc.write_pdf(**options))


class Renderer:
    """WeasyPrint state reused across renders in one process.

    The font configuration and the parsed stylesheets are the expensive
    part of a small document; reusing them is what makes a layout-only
    render cheap enough to search font sizes with.
    """

    def __init__(self, uploads_dir: str | None = None, fetcher=None):
        fonts = find_fonts()
        self.fetcher = fetcher or SafeURLFetcher(
            roots=[TEMPLATES_DIR] + ([uploads_dir] if uploads_dir else []),
            files=fonts.paths)
        self.font_config = FontConfiguration()
        self._css = {}
        self._size_css = {}
        self._lock = threading.Lock()

    def stylesheet(self, kind: str) -> CSS:
        if kind not in self._css:
            self._css[kind] = CSS(
                string=stylesheet_text(kind), base_url=TEMPLATES_DIR + "/",
                url_fetcher=self.fetcher, font_config=self.font_config)
        return self._css[kind]

    def size_stylesheet(self, size_pt: float) -> CSS:
        if size_pt not in self._size_css:
            self._size_css[size_pt] = CSS(
                string=f".sheet {{ font-size: {size_pt}pt; }}\n" + floor_css(size_pt, ".sheet"),
                url_fetcher=self.fetcher, font_config=self.font_config)
        return self._size_css[size_pt]

    def parse(self, html: str) -> HTML:
        return HTML(string=html, base_url=TEMPLATES_DIR + "/", url_fetcher=self.fetcher)

    def probe_stylesheet(self, side: str) -> CSS:
        """Empties the column other than ``side``: the fit search tests one
        column on its own at about half the cost of the whole sheet."""
        other = "right" if side == "left" else "left"
        key = "probe-" + side
        if key not in self._css:
            self._css[key] = CSS(
                string=f".col-{other} > * {{ display: none; }}",
                url_fetcher=self.fetcher, font_config=self.font_config)
        return self._css[key]

    def layout(self, html: HTML, *, kind: str = "sheet", size_pt: float | None = None,
               probe: str | None = None):
        """Lay out (no PDF yet) and return the weasyprint Document."""
        sheets = [self.stylesheet(kind)]
        if size_pt is not None:
            sheets.append(self.size_stylesheet(size_pt))
        if probe:
            sheets.append(self.probe_stylesheet(probe))
        with self._lock:
            return html.render(font_config=self.font_config, stylesheets=sheets)


_renderers: dict = {}


def after_fork() -> None:
    """Give inherited renderers fresh locks: a lock another thread of the
    parent held at the moment of the fork would stay locked forever."""
    for renderer in _renderers.values():
        renderer._lock = threading.Lock()
    gcpace.after_fork()


def get_renderer(uploads_dir: str | None = None) -> Renderer:
    """The process's Renderer for this uploads folder.

    A forked worker keeps using the renderers of the process it was forked
    from: their fonts are loaded and their stylesheets parsed, and WeasyPrint
    keeps no thread or file handle that forking would break.  (A
    FontConfiguration deletes its temporary font folder when collected; the
    renderers are never dropped, and pool workers leave by os._exit.)
    """
    key = os.path.realpath(uploads_dir) if uploads_dir else None
    if key not in _renderers:
        _renderers[key] = Renderer(uploads_dir)
    return _renderers[key]
