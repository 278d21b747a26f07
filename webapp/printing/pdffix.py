"""What WeasyPrint 70 writes short of PDF/A-2b and of tags that read well,
mended in the written file with pikepdf (write_variant calls ``mend``).

- Images: WeasyPrint writes /Interpolate true on every raster image; PDF/A
  forbids it (rule 6.2.8-3), so one uploaded photo failed the archival copy.
- Table headers: WeasyPrint links cells to their headers but gives no TH a
  /Scope (its issue #2508), which screen readers use to announce headers.
- Item lines: the templates print them as <ul>/<li> with the marker in the
  item's first <span>; WeasyPrint tags that LI > LBody > Span, so the marker
  is moved out as the item's label (LI > Lbl, LBody).
"""
from __future__ import annotations

import io

import pikepdf

__all__ = ["mend"]


def mend(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        _no_interpolation(pdf)
        root = pdf.Root.get("/StructTreeRoot")
        if root is not None:
            for element in _elements(root):
                kind = element.get("/S")
                if kind == "/TR":
                    _scope_headers(element)
                elif kind == "/LI":
                    _label_item(element)
        out = io.BytesIO()
        # deterministic_id: the same report gives the same bytes (build hashes)
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


def _no_interpolation(pdf: pikepdf.Pdf) -> None:
    # Every image of the file, those drawn through form XObjects included.
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image" \
                and "/Interpolate" in obj:
            del obj["/Interpolate"]


def _kids(element) -> list:
    kids = element.get("/K")
    if isinstance(kids, pikepdf.Array):
        return list(kids)
    return [] if kids is None else [kids]


def _elements(root):
    """Every structure element below ``root``, depth first (no recursion: the
    tree of a long report is deep enough to matter)."""
    stack = [k for k in reversed(_kids(root)) if _is_element(k)]
    while stack:
        element = stack.pop()
        yield element
        stack.extend(k for k in reversed(_kids(element)) if _is_element(k))


def _is_element(obj) -> bool:
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj


def _scope_headers(row) -> None:
    """A TH in a head row (THead, or no data cell after it) heads its column;
    a TH followed by data cells in its row heads that row."""
    cells = [k for k in _kids(row) if _is_element(k) and k.S in ("/TH", "/TD")]
    in_head = row.get("/P") is not None and row.P.get("/S") == "/THead"
    for i, cell in enumerate(cells):
        if cell.S != "/TH":
            continue
        row_header = not in_head and any(c.S == "/TD" for c in cells[i + 1:])
        scope = pikepdf.Name("/Row" if row_header else "/Column")
        attributes = cell.get("/A")
        if isinstance(attributes, pikepdf.Dictionary) and attributes.get("/O") == "/Table":
            attributes.Scope = scope
        else:
            table = pikepdf.Dictionary(O=pikepdf.Name("/Table"), Scope=scope)
            if attributes is None:
                cell.A = table
            else:
                cell.A = pikepdf.Array([table] + (list(attributes) if isinstance(
                    attributes, pikepdf.Array) else [attributes]))


def _label_item(item) -> None:
    kids = _kids(item)
    if len(kids) != 1 or not _is_element(kids[0]) or kids[0].S != "/LBody":
        return
    body = kids[0]
    body_kids = _kids(body)
    if len(body_kids) < 2 or not _is_element(body_kids[0]) or body_kids[0].S != "/Span":
        return
    label = body_kids[0]
    # The marker's <span> is an element holding elements; a Span holding
    # content itself is text, e.g. the rest of an item continued on a new page.
    if not all(_is_element(k) for k in _kids(label)):
        return
    label.S = pikepdf.Name("/Lbl")
    label.P = item
    body.K = pikepdf.Array(body_kids[1:])
    item.K = pikepdf.Array([label, body])
