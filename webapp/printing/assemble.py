"""Put the separately rendered sheet pages into the report's frame.

The frame is a WeasyPrint PDF of the whole report in which every sheet page
is an empty placeholder that already carries its page number, its bookmark,
the contents' links and the document metadata.  Each cached sheet PDF
(rendered without a page number, so it stays valid whatever page it lands
on) is wrapped as a form XObject and drawn underneath its placeholder.

Drawing a form XObject needs no parsing of the sheet's content stream and
no renaming of resources.  The PDFs are read and written with qpdf
(pikepdf): reading twenty-odd sheets' font dictionaries in pure Python was
most of a rebuild's time.

Fonts: every sheet PDF embeds its own subset of IPAexGothic.  WeasyPrint
keeps glyph ids in its subsets and maps CID = glyph id, so the assembled
report embeds one subset per font file, of the union of the glyphs the
pages use, and every font descriptor points to it; no content stream
changes.  (A report of 23 pages went from 1.5 MB to about the size of the
same HTML printed in one WeasyPrint call.)
"""
from __future__ import annotations

import gc
import io
import os

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from .fonts import GOTHIC, MINCHO, find_fonts
from .subset import cached_subset

__all__ = ["Assembler"]


def _as_form(out: pikepdf.Pdf, page: pikepdf.Page) -> pikepdf.Object:
    """Copy ``page`` (from another PDF) into ``out`` as a form XObject."""
    contents = page.obj.Contents
    if isinstance(contents, Array):
        # Several content streams: join them (decoded) into one form.
        form = out.make_indirect(Stream(out, b"\n".join(part.read_bytes() for part in contents)))
    else:
        # The usual WeasyPrint case: the compressed stream, copied as is.
        form = out.copy_foreign(contents)
    form.Type = Name.XObject
    form.Subtype = Name.Form
    form.BBox = Array(list(page.mediabox))
    form.Resources = out.copy_foreign(page.obj.Resources)
    if "/Group" in page.obj:
        form.Group = out.copy_foreign(page.obj.Group)
    return form


class Assembler:
    """Builds the report from the frame and the sheets, in two phases.

    ``add`` reads a sheet PDF as soon as it is available, in any order,
    while other sheets are still rendering; ``finish`` copies the pages into
    the output in page order (so that object numbers, and thus the bytes, do
    not depend on which sheet finished first) and writes the PDF.
    """

    def __init__(self, frame_pdf: bytes, count: int, cache=None):
        self._frame_pdf = frame_pdf
        # The sheets' PDFs stay open until finish(): qpdf copies stream data when writing.
        self._sheets: list[pikepdf.Pdf | None] = [None] * count
        self._cache = cache
        self._glyphs: dict[str, set] = {}      # font family -> glyph ids used

    def add(self, index: int, sheet_pdf: bytes) -> None:
        pdf = pikepdf.open(io.BytesIO(sheet_pdf))
        # The sheet's own font files are never copied: the report gets one
        # shared subset per font in finish().
        for family, descriptor, gids in _embedded_fonts(pdf.pages[0].obj):
            self._glyphs.setdefault(family, set()).update(gids)
            del descriptor["/FontFile2"]
        self._sheets[index] = pdf

    def finish(self) -> bytes:
        """The report: the sheets drawn under the frame's placeholders."""
        try:
            results = _forked(self._merge_and_save)
        finally:
            self._close()       # a forked process has its own copies
        return dict(results)["pdf"]

    def finish_tagged(self, variants, archival_frame_pdf: bytes | None = None,
                      written=None) -> dict[str, bytes]:
        """The published report (``variants`` among "pdf/ua-1", "pdf/a-2b")
        from a tagged frame and tagged sheets: the sheets' pages and
        structure trees merged into the frame's (tagmerge.py).  The archival
        copy is the same merged document with the catalog of
        ``archival_frame_pdf`` (the frame written as PDF/A-2b): its XMP and
        output intent.  ``written(variant, pdf)`` as each is written."""
        order = sorted(variants, key=("pdf/ua-1", "pdf/a-2b").index)

        def merge_and_write(send, keep):
            out = self._merge(tagged=True)
            keep.append(out)
            archival = None
            if order == ["pdf/ua-1", "pdf/a-2b"]:
                # the archival copy is written by a forked copy of the
                # merged document while the published one is written here
                archival = _forked(lambda send_copy, _: send_copy(
                    "pdf/a-2b", _archival(out, archival_frame_pdf)))
            for variant in order:
                if variant == "pdf/a-2b":
                    send(variant, dict(archival)[variant] if archival
                         else _archival(out, archival_frame_pdf))
                else:
                    send(variant, _save(out))

        try:
            results = _forked(merge_and_write)
        finally:
            self._close()       # a forked process has its own copies
        pdfs = {}
        for variant, pdf in results:
            pdfs[variant] = pdf
            if written:
                written(variant, pdf)
        return pdfs

    def _merge_and_save(self, send, keep) -> None:
        out = self._merge(tagged=False)
        keep.append(out)
        send("pdf", _save(out))

    def _merge(self, tagged: bool) -> pikepdf.Pdf:
        if any(sheet is None for sheet in self._sheets):
            raise ValueError("a sheet is missing")
        out = pikepdf.open(io.BytesIO(self._frame_pdf))
        first_sheet_index = _first_placeholder(out)
        if first_sheet_index + len(self._sheets) > len(out.pages):
            raise ValueError("frame has fewer placeholder pages than sheets")
        frame_fonts = []
        for page in out.pages:
            frame_fonts.extend(_embedded_fonts(page.obj))
        if tagged:
            from .tagmerge import TagMerger
            merger = TagMerger(out)
            for i, sheet in enumerate(self._sheets):
                merger.place(first_sheet_index + i, sheet)
            merger.finish()
        else:
            for i, sheet in enumerate(self._sheets):
                _place(out, out.pages[first_sheet_index + i], sheet.pages[0], i + 1)
        self._share_fonts(out, frame_fonts)
        return out

    def _close(self) -> None:
        for sheet in self._sheets:
            if sheet is not None:
                sheet.close()

    def _share_fonts(self, out: pikepdf.Pdf, frame_fonts) -> None:
        from .cache import as_cache
        paths = {GOTHIC: find_fonts().gothic, MINCHO: find_fonts().mincho}
        glyphs = {family: set(gids) for family, gids in self._glyphs.items()}
        descriptors: dict[str, list] = {}
        for family, descriptor, gids in frame_fonts:
            glyphs.setdefault(family, set()).update(gids)
            descriptors.setdefault(family, []).append(descriptor)
        for page in out.pages:
            for family, descriptor in _font_descriptors(page.obj, forms=True):
                if "/FontFile2" not in descriptor:
                    descriptors.setdefault(family, []).append(descriptor)
        for family in sorted(descriptors):
            font = cached_subset(paths[family], glyphs[family], as_cache(self._cache))
            stream = out.make_indirect(Stream(out, font))
            stream.Length1 = len(font)
            for descriptor in descriptors[family]:
                descriptor.FontFile2 = stream


def _archival(out: pikepdf.Pdf, archival_frame_pdf: bytes) -> bytes:
    """The archival copy of the merged ``out``: its catalog takes the XMP and
    output intent of the frame written as PDF/A-2b (tagmerge.archival_catalog)."""
    from .tagmerge import archival_catalog
    with pikepdf.open(io.BytesIO(archival_frame_pdf)) as archival:
        archival_catalog(out, archival)
        return _save(out)


def _forked(work):
    """Start ``work(send, keep)`` in a forked process; returns an iterator of
    what it sends, ``send(name, pdf bytes)``, as it comes.

    Merging and writing a 500-sheet report builds a few hundred thousand
    objects; in a process of its own the garbage collector is off (nothing
    there lives long), and what ``work`` puts in ``keep`` is never freed
    (the process ends without tearing it down: that took as long as the
    writing).  An error in the forked process is raised here, with its
    message.  Where processes cannot be forked the work is done here.
    """
    import multiprocessing
    if "fork" not in multiprocessing.get_all_start_methods():
        results = []
        work(lambda name, data: results.append((name, data)), [])
        return iter(results)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def run():
        gc.disable()
        keep = []
        try:
            work(lambda name, data: (sender.send_bytes(name.encode()), sender.send_bytes(data)),
                 keep)
        except BaseException as error:          # told to the parent, which raises it
            sender.send_bytes(b"!")
            sender.send_bytes(f"{type(error).__name__}: {error}".encode())
        sender.close()
        os._exit(0)

    process = context.Process(target=run)
    process.start()
    sender.close()

    def results():
        try:
            while True:
                try:
                    name = receiver.recv_bytes()
                except EOFError:
                    break
                data = receiver.recv_bytes()
                if name == b"!":
                    raise RuntimeError("assembling the report failed: " + data.decode())
                yield name.decode(), data
        finally:
            receiver.close()
            process.join()
        if process.exitcode:
            raise RuntimeError(f"assembling the report failed (exit code {process.exitcode})")

    return results()


def _save(out: pikepdf.Pdf) -> bytes:
    buffer = io.BytesIO()
    # Object streams (the per-sheet font widths and maps would otherwise be
    # a third of the file); only referenced objects are written, so the
    # frame's own subsets are left behind; the ID is derived from the
    # content, so equal input gives equal bytes.
    out.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate,
             compress_streams=True, deterministic_id=True)
    return buffer.getvalue()


def _first_placeholder(frame: pikepdf.Pdf) -> int:
    """The index of the first sheet's page: the placeholders carry the anchors
    sheet-<number>, and pages may follow them (the KPI appendix)."""
    pages = {page.objgen: index for index, page in enumerate(frame.pages)}
    found = [pages[dest[0].objgen] for name, dest in pikepdf.NameTree(frame.Root.Names.Dests).items()
             if name.startswith("sheet-") and dest[0].objgen in pages]
    if not found:
        raise ValueError("frame has no sheet placeholders")
    return min(found)


def _type0_fonts(resources):
    """(family, CID font, descriptor) of the IPAex Type0 fonts in ``resources``."""
    fonts = resources.get("/Font")
    if fonts is None:
        return
    for font in fonts.values():
        if font.get("/Subtype") != Name.Type0:
            continue
        cid_font = font.DescendantFonts[0]
        descriptor = cid_font.FontDescriptor
        family = str(descriptor.get("/FontFamily", ""))
        if family in (GOTHIC, MINCHO):
            yield family, cid_font, descriptor


def _font_descriptors(page, forms: bool = False):
    """(family, descriptor) of the IPAex fonts in ``page``'s resources (and,
    with ``forms``, in those of the form XObjects it draws)."""
    resources = page.get("/Resources")
    if resources is None:
        return
    for family, _, descriptor in _type0_fonts(resources):
        yield family, descriptor
    if forms:
        for xobject in (resources.get("/XObject") or Dictionary()).values():
            if xobject.get("/Subtype") == Name.Form and "/Resources" in xobject:
                yield from _font_descriptors(xobject)


def _embedded_fonts(page):
    """(family, descriptor, glyph ids) of the page's embedded IPAex fonts."""
    resources = page.get("/Resources")
    if resources is None:
        return []
    found = []
    for family, cid_font, descriptor in _type0_fonts(resources):
        if "/FontFile2" not in descriptor:
            continue
        gids = set()
        # WeasyPrint writes /W as pairs: first id, [widths of the run]
        widths = list(cid_font.get("/W") or [])
        for i in range(0, len(widths) - 1, 2):
            first = int(widths[i])
            gids.update(range(first, first + len(widths[i + 1])))
        found.append((family, descriptor, gids))
    return found


def _place(out: pikepdf.Pdf, page: pikepdf.Page, sheet_page: pikepdf.Page, number: int) -> None:
    """Draw ``sheet_page`` under the frame's ``page``."""
    name = Name(f"/Sheet{number}")
    # WeasyPrint shares one resource dictionary between all pages; each
    # page gets its own copy so that every XObject name stays local.
    resources = Dictionary(dict(page.obj.Resources.items()))
    xobjects = Dictionary(dict(resources.XObject.items())) if "/XObject" in resources else Dictionary()
    xobjects[name] = _as_form(out, sheet_page)
    resources.XObject = xobjects
    page.obj.Resources = resources
    # The sheet first, then the frame's own marks (the page number) on top.
    page.contents_add(Stream(out, f"q {name} Do Q\n".encode("ascii")), prepend=True)
