"""Put the separately rendered sheet pages into the report's frame.

The frame is a WeasyPrint PDF of the whole report in which every sheet page
is an empty placeholder that already carries its page number, its bookmark,
the contents' links and the document metadata.  Each cached sheet PDF
(rendered without a page number, so it stays valid whatever page it lands
on) is wrapped as a form XObject and drawn underneath its placeholder.

Drawing a form XObject needs no parsing of the sheet's content stream and
no renaming of resources, which is what makes assembling 20-odd sheets take
milliseconds rather than seconds.

Fonts: every sheet PDF embeds its own subset of IPAexGothic.  WeasyPrint
keeps glyph ids in its subsets and maps CID = glyph id, so the assembled
report embeds one subset per font file, of the union of the glyphs the
pages use, and every font descriptor points to it; no content stream
changes.  (A report of 23 pages went from 1.5 MB to about the size of the
same HTML printed in one WeasyPrint call.)
"""
from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
)

from .fonts import GOTHIC, MINCHO, find_fonts
from .subset import cached_subset

__all__ = ["Assembler"]


def _as_form(writer: PdfWriter, page) -> object:
    """Clone ``page`` (from another PDF) into ``writer`` as a form XObject
    and return its indirect reference."""
    resolved = page["/Contents"].get_object()
    if isinstance(resolved, ArrayObject):
        # Several content streams: join them (decoded) into one form.
        data = b"\n".join(part.get_object().get_data() for part in resolved)
        form = DecodedStreamObject()
        form.set_data(data)
        form = form.flate_encode()
        ref = writer._add_object(form)
    else:
        # The usual WeasyPrint case: reuse the compressed stream as is.
        form = resolved.clone(writer)
        ref = form.indirect_reference
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(page.mediabox)
    resources = page["/Resources"].get_object().clone(writer)
    form[NameObject("/Resources")] = resources.indirect_reference or resources
    if "/Group" in page:
        form[NameObject("/Group")] = page["/Group"].get_object().clone(writer)
    return ref


class Assembler:
    """Builds the report from the frame and the sheets, in two phases.

    ``add`` parses a sheet PDF — the expensive part — as soon as it is
    available, in any order, while other sheets are still rendering;
    ``finish`` copies the parsed pages into the output in page order (so
    that object numbers, and thus the bytes, do not depend on which sheet
    finished first) and writes the PDF.
    """

    def __init__(self, frame_pdf: bytes, count: int, cache=None):
        self._frame_pdf = frame_pdf
        self._pages = [None] * count
        self._cache = cache
        self._glyphs: dict[str, set] = {}      # font family -> glyph ids used

    def add(self, index: int, sheet_pdf: bytes) -> None:
        page = PdfReader(io.BytesIO(sheet_pdf)).pages[0]
        # Reading the page parses the object stream that holds the fonts'
        # and resources' dictionaries; the streams are copied raw later.
        page.get("/Resources")
        # The sheet's own font files are never copied: the report gets one
        # shared subset per font in finish().
        for family, descriptor, gids in _embedded_fonts(page):
            self._glyphs.setdefault(family, set()).update(gids)
            del descriptor["/FontFile2"]
        self._pages[index] = page

    def finish(self) -> bytes:
        if any(page is None for page in self._pages):
            raise ValueError("a sheet is missing")
        frame = PdfReader(io.BytesIO(self._frame_pdf))
        first_sheet_index = _first_placeholder(frame)
        writer = PdfWriter(clone_from=frame)
        if first_sheet_index + len(self._pages) > len(writer.pages):
            raise ValueError("frame has fewer placeholder pages than sheets")
        frame_fonts = []
        for page in writer.pages:
            frame_fonts.extend(_embedded_fonts(page))
        for i, sheet_page in enumerate(self._pages):
            _place(writer, writer.pages[first_sheet_index + i], sheet_page, i + 1)
        self._share_fonts(writer, frame_fonts)
        out = io.BytesIO()
        writer.write(out)
        return _compact(out.getvalue())


    def _share_fonts(self, writer: PdfWriter, frame_fonts) -> None:
        from .cache import as_cache
        paths = {GOTHIC: find_fonts().gothic, MINCHO: find_fonts().mincho}
        glyphs = {family: set(gids) for family, gids in self._glyphs.items()}
        streams = {}
        for family, descriptor, gids in frame_fonts:
            glyphs.setdefault(family, set()).update(gids)
            streams.setdefault(family, []).append(descriptor)
        descriptors = {family: list(items) for family, items in streams.items()}
        for page in writer.pages:
            for family, descriptor in _font_descriptors(page, forms=True):
                if "/FontFile2" not in descriptor:
                    descriptors.setdefault(family, []).append(descriptor)
        for family, items in descriptors.items():
            font = cached_subset(paths[family], glyphs[family], as_cache(self._cache))
            stream = DecodedStreamObject()
            stream.set_data(font)
            stream = stream.flate_encode()
            stream[NameObject("/Length1")] = NumberObject(len(font))
            ref = writer._add_object(stream)
            replaced = {}
            for descriptor in items:
                old = descriptor.raw_get("/FontFile2") if "/FontFile2" in descriptor else None
                if old is not None and getattr(old, "idnum", None) != ref.idnum:
                    replaced[getattr(old, "idnum", id(old))] = old.get_object()
                descriptor[NameObject("/FontFile2")] = ref
            for old in replaced.values():
                # The frame's own subset is unused now; pypdf still writes
                # the object, so leave it empty.
                old.set_data(b"")


def _first_placeholder(frame: PdfReader) -> int:
    """The index of the first sheet's page: the placeholders carry the anchors
    sheet-<number>, and pages may follow them (the KPI appendix)."""
    pages = [frame.get_destination_page_number(dest)
             for name, dest in frame.named_destinations.items() if str(name).startswith("sheet-")]
    if not pages:
        raise ValueError("frame has no sheet placeholders")
    return min(pages)


def _compact(pdf: bytes) -> bytes:
    """Rewrite with object streams (pypdf writes every dictionary as plain
    text: the per-sheet font widths and maps alone are a third of the file)
    and only the objects still referenced.  qpdf does it in milliseconds;
    the ID is derived from the content, so equal input gives equal bytes."""
    import pikepdf
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 compress_streams=True, deterministic_id=True)
    return out.getvalue()


def _font_descriptors(page, forms: bool = False):
    """(family, descriptor) of the IPAex fonts in ``page``'s resources (and,
    with ``forms``, in those of the form XObjects it draws)."""
    resources = page.get("/Resources")
    if resources is None:
        return
    resources = resources.get_object()
    for font in (resources.get("/Font") or DictionaryObject()).get_object().values():
        font = font.get_object()
        if font.get("/Subtype") != "/Type0":
            continue
        cid_font = font["/DescendantFonts"][0].get_object()
        descriptor = cid_font["/FontDescriptor"].get_object()
        family = str(descriptor.get("/FontFamily", ""))
        if family in (GOTHIC, MINCHO):
            yield family, descriptor
    if forms:
        for xobject in (resources.get("/XObject") or DictionaryObject()).get_object().values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form" and str(
                    xobject.get("/Type", "")) == "/XObject" and "/Resources" in xobject:
                yield from _font_descriptors(xobject)


def _embedded_fonts(page):
    """(family, descriptor, glyph ids) of the page's embedded IPAex fonts."""
    resources = page.get("/Resources")
    if resources is None:
        return []
    found = []
    for font in (resources.get_object().get("/Font") or DictionaryObject()).get_object().values():
        font = font.get_object()
        if font.get("/Subtype") != "/Type0":
            continue
        cid_font = font["/DescendantFonts"][0].get_object()
        descriptor = cid_font["/FontDescriptor"].get_object()
        family = str(descriptor.get("/FontFamily", ""))
        if family not in (GOTHIC, MINCHO) or "/FontFile2" not in descriptor:
            continue
        gids = set()
        widths = cid_font.get("/W") or []
        for i in range(0, len(widths) - 1, 2):
            first, run = int(widths[i]), widths[i + 1]
            gids.update(range(first, first + len(run)))
        found.append((family, descriptor, gids))
    return found


def _place(writer: PdfWriter, page, sheet_page, number: int) -> None:
    """Draw ``sheet_page`` under the frame's ``page``."""
    form_ref = _as_form(writer, sheet_page)
    name = NameObject(f"/Sheet{number}")
    # WeasyPrint shares one resource dictionary between all pages; each
    # page gets its own copy so that every XObject name stays local.
    resources = DictionaryObject()
    resources.update(page["/Resources"].get_object())
    xobjects = DictionaryObject()
    if "/XObject" in resources:
        xobjects.update(resources["/XObject"].get_object())
    xobjects[name] = form_ref
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    # The sheet first, then the frame's own marks (the page number) on top.
    draw = DecodedStreamObject()
    draw.set_data(f"q {name} Do Q\n".encode("ascii"))
    streams = ArrayObject([writer._add_object(draw)])
    old = page.raw_get("/Contents")
    if isinstance(old.get_object(), ArrayObject):
        streams.extend(old.get_object())
    else:
        streams.append(old)
    page[NameObject("/Contents")] = streams

