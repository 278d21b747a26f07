"""Put the separately rendered sheet pages into the report's frame.

The frame is a WeasyPrint PDF of the whole report in which every sheet page
is an empty placeholder that already carries its page number, its bookmark,
the contents' links and the document metadata.  Each cached sheet PDF
(rendered without a page number, so it stays valid whatever page it lands
on) is wrapped as a form XObject and drawn underneath its placeholder.

Drawing a form XObject needs no parsing of the sheet's content stream and
no renaming of resources, which is what makes assembling 20-odd sheets take
milliseconds rather than seconds.
"""
from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

__all__ = ["Assembler", "assemble"]


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

    def __init__(self, frame_pdf: bytes, count: int):
        self._frame_pdf = frame_pdf
        self._pages = [None] * count

    def add(self, index: int, sheet_pdf: bytes) -> None:
        page = PdfReader(io.BytesIO(sheet_pdf)).pages[0]
        # Reading the page parses the object stream that holds the fonts'
        # and resources' dictionaries; the streams are copied raw later.
        page.get("/Resources")
        self._pages[index] = page

    def finish(self) -> bytes:
        if any(page is None for page in self._pages):
            raise ValueError("a sheet is missing")
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(self._frame_pdf)))
        first_sheet_index = len(writer.pages) - len(self._pages)
        if first_sheet_index < 0:
            raise ValueError("frame has fewer placeholder pages than sheets")
        for i, sheet_page in enumerate(self._pages):
            _place(writer, writer.pages[first_sheet_index + i], sheet_page, i + 1)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()


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


def assemble(frame_pdf: bytes, sheet_pdfs: list[bytes]) -> bytes:
    """Draw each sheet's page under its placeholder: the frame's last pages."""
    assembler = Assembler(frame_pdf, len(sheet_pdfs))
    for index, pdf in enumerate(sheet_pdfs):
        assembler.add(index, pdf)
    return assembler.finish()
