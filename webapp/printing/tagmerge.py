"""Merge tagged one-page sheet PDFs into the tagged frame of the report.

The published report used to be laid out in one WeasyPrint document so that
its structure tree covered every page.  Now each cached sheet PDF is tagged
when it is printed (fitting.write_sheet_pdf writes it as PDF/UA-1, mended),
and the frame (cover, contents, placeholder pages carrying the page numbers
and bookmarks, the KPI appendix) is written tagged as well; this module
puts them together with pikepdf:

- each placeholder page is replaced by the sheet's page (copied with its
  content, resources and marked content as they are), and the placeholder's
  own drawing — only its page number, a pagination artifact — is drawn on
  top as a form XObject inside an artifact;
- the placeholder's structure element (an empty Sect) in the frame's
  Document is replaced by the sheet's top-level elements; the sheet page
  takes the placeholder's StructParents key, and the ParentTree entry of
  that key becomes the sheet's (the placeholder marks no content, so the
  sheet's MCIDs stay as they are);
- role maps, class maps, ID trees and named destinations of the sheets join
  the frame's; outline items and destinations that named a placeholder page
  name the sheet's page.

Only the structure and the page dictionaries are touched: no content stream
is parsed, so merging costs about what assembling the untagged report does.
"""
from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

__all__ = ["TagMerger", "UnmergeableFrame", "archival_catalog"]

#: How the placeholder's drawing (its page number) is named on the page.
_FRAME_XOBJECT = "/ReportFrame"


class UnmergeableFrame(ValueError):
    """The frame or a sheet is not shaped as the merge expects (e.g. a
    placeholder page carrying tagged content, as the 確認用 stamp does)."""


def _kids(element) -> list:
    kids = element.get("/K")
    if isinstance(kids, Array):
        return list(kids)
    return [] if kids is None else [kids]


def _is_element(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj


def _nums(tree) -> list:
    """The flat /Nums array of a number tree (WeasyPrint writes one level)."""
    if "/Kids" in tree:
        raise UnmergeableFrame("nested ParentTree")
    return tree.Nums


def _names(tree) -> dict:
    if tree is None:
        return {}
    return {str(name): value for name, value in pikepdf.NameTree(tree).items()}


def _copy(out: pikepdf.Pdf, obj, source: pikepdf.Pdf):
    """``obj`` of ``source`` (a sheet's PDF) in ``out``.  copy_foreign takes
    indirect objects only: a direct array or dictionary is made indirect in
    ``source`` first, so that qpdf copies it and everything it refers to in
    one call (a page's ParentTree entry names hundreds of elements; copied one
    by one from Python they were a third of a 500-sheet merge).  Every place
    this module copies into may hold an indirect object."""
    if not isinstance(obj, pikepdf.Object):
        return obj          # numbers come back from pikepdf as Python numbers
    if obj.is_indirect:
        return out.copy_foreign(obj)
    if isinstance(obj, (Array, Dictionary)):
        return out.copy_foreign(source.make_indirect(obj))
    return obj


def _flat_name_tree(pdf: pikepdf.Pdf, entries: dict) -> pikepdf.Object:
    flat = Array()
    for name in sorted(entries):
        flat.append(pikepdf.String(name))
        flat.append(entries[name])
    return pdf.make_indirect(Dictionary(Names=flat))


class TagMerger:
    """One merge: ``place`` each sheet on its placeholder, then ``finish``."""

    def __init__(self, out: pikepdf.Pdf):
        self.out = out
        root = out.Root.get("/StructTreeRoot")
        if root is None:
            raise UnmergeableFrame("the frame is not tagged")
        self.root = root
        documents = [k for k in _kids(root) if _is_element(k)]
        if len(documents) != 1:
            raise UnmergeableFrame("the frame's tree has no single Document element")
        self.document = documents[0]
        self.top = _kids(self.document)
        # page -> where its element sits among the Document's children
        self.at: dict[tuple, int] = {}
        for i, element in enumerate(self.top):
            if _is_element(element) and element.get("/Pg") is not None:
                self.at.setdefault(element.Pg.objgen, i)
        nums = _nums(root.ParentTree)
        self.slots = {int(nums[i]): i + 1 for i in range(0, len(nums) - 1, 2)}
        self.next_key = max(self.slots, default=-1) + 1
        self.moved: dict[tuple, pikepdf.Object] = {}   # placeholder objgen -> sheet page
        self.dests = _names(out.Root.Names.get("/Dests")) if "/Names" in out.Root else {}
        self.frame_dests = list(self.dests.values())     # those may name a placeholder
        self.ids = _names(root.get("/IDTree"))

    def place(self, index: int, sheet: pikepdf.Pdf) -> None:
        """Put the one-page tagged ``sheet`` on the frame's page ``index``."""
        out = self.out
        placeholder = out.pages[index]
        key = placeholder.obj.get("/StructParents")
        if key is None or int(key) not in self.slots:
            raise UnmergeableFrame(f"page {index + 1}: the placeholder has no StructParents")
        key = int(key)
        nums = self.root.ParentTree.Nums
        if len(nums[self.slots[key]]) or "/Annots" in placeholder.obj:
            raise UnmergeableFrame(f"page {index + 1}: the placeholder has tagged content")
        sheet_root = sheet.Root.get("/StructTreeRoot")
        sheet_page = sheet.pages[0]
        if sheet_root is None or "/StructParents" not in sheet_page.obj:
            raise UnmergeableFrame(f"page {index + 1}: the sheet PDF is not tagged")

        # The placeholder's drawing (the page number, an artifact) as a form.
        frame = placeholder.obj
        contents = frame.Contents
        if isinstance(contents, Array):
            form = out.make_indirect(Stream(out, b"\n".join(p.read_bytes() for p in contents)))
        else:
            form = contents
        form.Type, form.Subtype = Name.XObject, Name.Form
        form.BBox = Array(list(placeholder.mediabox))
        form.Resources = frame.Resources
        old = frame.objgen

        # The sheet's page replaces the placeholder; qpdf remembers the copy,
        # so the structure elements copied below point (/Pg) to this page.
        out.pages[index] = sheet_page
        page = out.pages[index]
        self.moved[old] = page.obj
        resources = Dictionary(dict(page.obj.Resources.items()))
        xobjects = Dictionary(dict(resources.XObject.items())) if "/XObject" in resources \
            else Dictionary()
        xobjects[_FRAME_XOBJECT] = form
        resources.XObject = xobjects
        page.obj.Resources = resources
        # The sheet's content leaves its transformation in force: enclose it.
        page.contents_add(Stream(out, b"q\n"), prepend=True)
        page.contents_add(Stream(out, (
            f"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n"
            f"q {_FRAME_XOBJECT} Do Q\nEMC\n").encode("ascii")))

        # Marked content: the sheet page takes the placeholder's key.
        sheet_nums = _nums(sheet_root.ParentTree)
        sheet_slots = {int(sheet_nums[i]): sheet_nums[i + 1] for i in range(0, len(sheet_nums) - 1, 2)}
        own = int(sheet_page.obj.StructParents)
        # What the report takes of the sheet's tree, copied in one call: its
        # page's ParentTree entry, the Document's children, the IDs and
        # destinations the report has not got yet (one qpdf call a sheet
        # rather than one for each; the calls were most of the merge).
        elements = []
        for top in (k for k in _kids(sheet_root) if _is_element(k)):
            elements.extend(_kids(top) if top.S == "/Document" else [top])
        ids = [(name, value) for name, value in _names(sheet_root.get("/IDTree")).items()
               if name not in self.ids]
        dests = [(name, value) for name, value in (
            _names(sheet.Root.Names.Dests).items()
            if "/Names" in sheet.Root and "/Dests" in sheet.Root.Names else ())
            if name not in self.dests]
        batch = _copy(out, Array([sheet_slots.get(own, Array()), *elements,
                                  *(value for _, value in ids),
                                  *(value for _, value in dests)]), sheet)
        batch = list(batch)
        entry, copied = batch[0], batch[1:1 + len(elements)]
        rest = batch[1 + len(elements):]
        nums[self.slots[key]] = entry
        page.obj.StructParents = key
        for annot in page.obj.get("/Annots") or []:
            if "/StructParent" in annot:
                entry = sheet_slots.get(int(annot.StructParent))
                annot.StructParent = self.next_key
                nums.append(self.next_key)
                nums.append(_copy(out, entry, sheet) if entry is not None else pikepdf.Null())
                self.next_key += 1

        # The tree: the sheet's Document's children take the placeholder's place.
        for element in copied:
            if _is_element(element):
                element.P = self.document
        at = self.at.get(old)
        if at is None:
            raise UnmergeableFrame(f"page {index + 1}: no structure element of the placeholder")
        self.top[at:at + 1] = [copied]      # flattened in finish()

        for name in ("/RoleMap", "/ClassMap"):
            if name in sheet_root:
                merged = self.root.get(name) or Dictionary()
                for kind, value in sheet_root[name].items():
                    if kind not in merged:
                        merged[kind] = _copy(out, value, sheet)
                self.root[name] = merged
        for (name, _), value in zip(ids, rest):
            self.ids.setdefault(name, value)
        for (name, _), value in zip(dests, rest[len(ids):]):
            self.dests.setdefault(name, value)

    def finish(self) -> None:
        out = self.out
        flat = []
        for item in self.top:
            flat.extend(item if isinstance(item, list) else [item])
        self.document.K = Array(flat)
        if "/ParentTreeNextKey" in self.root or self.next_key > max(self.slots, default=-1) + 1:
            self.root.ParentTreeNextKey = self.next_key
        if self.ids:
            self.root.IDTree = _flat_name_tree(out, self.ids)
        for value in self.frame_dests:
            self._repoint(value)
        if self.dests:
            names = out.Root.get("/Names") or Dictionary()
            names.Dests = _flat_name_tree(out, self.dests)
            out.Root.Names = names
        if "/Outlines" in out.Root:
            self._repoint_outline(out.Root.Outlines)
        for page in out.pages:
            # Printable annotations (PDF/A 6.3.2), in both files alike.
            for annot in page.obj.get("/Annots") or []:
                annot.F = 4

    def _repoint(self, dest) -> None:
        """A destination naming a placeholder page names the sheet's page."""
        if isinstance(dest, Dictionary):
            dest = dest.get("/D")
        if isinstance(dest, Array) and len(dest) and isinstance(dest[0], Dictionary) \
                and dest[0].objgen in self.moved:
            dest[0] = self.moved[dest[0].objgen]

    def _repoint_outline(self, outlines) -> None:
        stack = [outlines.get("/First")] if "/First" in outlines else []
        while stack:
            item = stack.pop()
            if item is None or not isinstance(item, Dictionary):
                continue
            if "/Dest" in item:
                self._repoint(item.Dest)
            if "/A" in item and item.A.get("/S") == "/GoTo":
                self._repoint(item.A.get("/D"))
            for link in ("/First", "/Next"):
                if link in item:
                    stack.append(item[link])


def archival_catalog(out: pikepdf.Pdf, archival_frame: pikepdf.Pdf) -> None:
    """Turn the merged published file into the archival copy: the XMP
    (pdfaid 2B) and the sRGB output intent of the frame written as PDF/A-2b.
    The pages, tags and fonts are the published file's."""
    out.Root.Metadata = _copy(out, archival_frame.Root.Metadata, archival_frame)
    out.Root.OutputIntents = _copy(out, archival_frame.Root.OutputIntents, archival_frame)
