"""What WeasyPrint 70 writes short of PDF/A-2b and of tags that read well,
mended in the written file with pikepdf (write_variant calls ``mend``).

- Images: WeasyPrint writes /Interpolate true on every raster image; PDF/A
  forbids it (rule 6.2.8-3), so one uploaded photo failed the archival copy.
- Table headers: WeasyPrint links cells to their headers but gives no TH a
  /Scope (its issue #2508), which screen readers use to announce headers.
- Item lines: the templates print them as <ul>/<li> with the marker in the
  item's first <span>; WeasyPrint tags that LI > LBody > Span, so the marker
  is moved out as the item's label (LI > Lbl, LBody).
- Plain spans: WeasyPrint tags every inline box as a /Span, with nothing
  but its content — a neutral grouping that says nothing to a reader.  Its
  content is handed to its parent (the marked content's ParentTree entry
  names the parent), which takes about a third of the objects out of a
  sheet's file, and so out of the merged report's copying and writing.
- Page numbers (@page margin boxes): WeasyPrint marks them /Span with an
  MCID and builds structure elements for them that no element of the tree
  holds (tags.py: "could be included in tree as Artifact, but that's only
  allowed in PDF 2.0"); they become pagination artifacts, out of the tree.
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
            _margin_boxes_as_artifacts(pdf, root)
            for element in _elements(root):
                kind = element.get("/S")
                if kind == "/TR":
                    _scope_headers(element)
                elif kind == "/LI":
                    _label_item(element)
            _hand_plain_spans_to_parents(root)
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


#: the keys of a /Span that carries nothing but its place and content
_PLAIN_SPAN = {"/Type", "/S", "/P", "/K", "/Pg"}


def _hand_plain_spans_to_parents(root) -> None:
    """Put the content of each plain /Span (no attributes, id, language or
    text of its own) in its parent's place of it, and name the parent in the
    ParentTree where it named the span.  A span is kept where its parent
    cannot take its marked content: a parent of another page, or of none."""
    parent_tree = root.get("/ParentTree")
    if parent_tree is None or "/Nums" not in parent_tree:
        return
    named = {value.objgen for _, value in pikepdf.NameTree(root.IDTree).items()} \
        if "/IDTree" in root else set()
    handed = {}             # span objgen -> the element that took its content
    # children before parents: a span inside a span goes to the outer span,
    # which then goes, with it, to the element above
    for span in reversed(list(_elements(root))):
        if span.get("/S") != "/Span" or set(span.keys()) - _PLAIN_SPAN \
                or span.objgen in named:
            continue
        parent = span.get("/P")
        if not _is_element(parent) or not _same(parent.get("/Pg"), span.get("/Pg")):
            continue
        kids, siblings = _kids(span), _kids(parent)
        place = [i for i, kid in enumerate(siblings)
                 if _is_element(kid) and kid.objgen == span.objgen]
        if len(place) != 1:
            continue
        parent.K = pikepdf.Array(siblings[:place[0]] + kids + siblings[place[0] + 1:])
        for kid in kids:
            if _is_element(kid):
                kid.P = parent
        handed[span.objgen] = parent
    if not handed:
        return

    def taker(element):
        while _is_element(element) and element.objgen in handed:
            element = handed[element.objgen]
        return element

    nums = parent_tree.Nums
    for i in range(1, len(nums), 2):
        value = nums[i]
        if isinstance(value, pikepdf.Array):
            nums[i] = pikepdf.Array([taker(element) for element in value])
        elif _is_element(value) and value.objgen in handed:
            nums[i] = taker(value)


def _margin_boxes_as_artifacts(pdf: pikepdf.Pdf, root) -> None:
    """Marked content whose structure element is not reachable from the
    root is what WeasyPrint drew in the page's margin boxes (the tree it
    built knows them, the printed text is never looked at)."""
    parent_tree = root.get("/ParentTree")
    if parent_tree is None or "/Nums" not in parent_tree:
        return  # WeasyPrint writes one flat /Nums; anything else is not its file
    in_tree = {element.objgen for element in _elements(root)}
    nums = parent_tree.Nums
    slots = {int(nums[i]): i + 1 for i in range(0, len(nums) - 1, 2)
             if isinstance(nums[i + 1], pikepdf.Array)}
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        slot = slots.get(int(key)) if key is not None else None
        if slot is None:
            continue
        marked = list(nums[slot])
        if all(_is_element(e) and e.objgen in in_tree for e in marked):
            continue
        # A page's MCIDs count 0, 1, 2… as its parent tree array does, so
        # what stays is renumbered in step with the array.
        renumbered, kept = {}, []
        for mcid, element in enumerate(marked):
            if _is_element(element) and element.objgen in in_tree:
                renumbered[mcid] = len(kept)
                kept.append(element)
        for mcid, new in renumbered.items():
            if mcid != new:
                _renumber_kids(marked[mcid], page.obj, mcid, new)
        page.obj.Contents = pdf.make_stream(_rewrite_marks(page, renumbered))
        nums[slot] = pikepdf.Array(kept)


def _renumber_kids(element, page, old: int, new: int) -> None:
    kids = element.get("/K")
    if isinstance(kids, pikepdf.Array):
        element.K = pikepdf.Array([_renumbered_kid(k, element, page, old, new) for k in kids])
    elif kids is not None:
        element.K = _renumbered_kid(kids, element, page, old, new)


def _renumbered_kid(kid, element, page, old: int, new: int):
    # An MCID is one of the page the element (or its MCR) names with /Pg.
    if isinstance(kid, int) and int(kid) == old and _same(element.get("/Pg"), page):
        return new
    if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR" \
            and int(kid.get("/MCID", -1)) == old \
            and _same(kid.get("/Pg", element.get("/Pg")), page):
        kid.MCID = new
    return kid


def _same(a, b) -> bool:
    return a is not None and a.objgen == b.objgen


def _rewrite_marks(page, renumbered: dict[int, int]) -> bytes:
    """The page's content with each MCID renumbered, and each marked
    sequence whose MCID is not kept marked as a pagination artifact: a
    /Header above the middle of the page, a /Footer below it."""
    instructions = pikepdf.parse_content_stream(page)
    ctm, saved = pikepdf.Matrix(), []
    for i, instruction in enumerate(instructions):
        operator = str(instruction.operator)
        if operator == "q":
            saved.append(ctm)
        elif operator == "Q" and saved:
            ctm = saved.pop()
        elif operator == "cm":
            ctm = pikepdf.Matrix(*[float(x) for x in instruction.operands]) @ ctm
        elif operator == "BDC":
            operands = instruction.operands
            if len(operands) != 2 or not isinstance(operands[1], pikepdf.Dictionary) \
                    or "/MCID" not in operands[1]:
                continue
            mcid = int(operands[1].MCID)
            if mcid in renumbered:
                operands[1].MCID = renumbered[mcid]
            else:
                kind = _header_or_footer(page, instructions[i + 1:], ctm)
                instructions[i] = pikepdf.ContentStreamInstruction(
                    [pikepdf.Name("/Artifact"), pikepdf.Dictionary(
                        Type=pikepdf.Name("/Pagination"), Subtype=pikepdf.Name(kind))],
                    instruction.operator)
    return pikepdf.unparse_content_stream(instructions)


def _header_or_footer(page, instructions, ctm) -> str:
    """Where a marked sequence draws: the first text position or image of
    it, through the transformations in force (``ctm`` where it begins)."""
    y, depth, saved = None, 0, []
    for operands, operator in instructions:
        op = str(operator)
        if op in ("BDC", "BMC"):
            depth += 1
        elif op == "EMC":
            depth -= 1
            if depth < 0:
                break
        elif op == "q":
            saved.append(ctm)
        elif op == "Q" and saved:
            ctm = saved.pop()
        elif op == "cm":
            ctm = pikepdf.Matrix(*[float(x) for x in operands]) @ ctm
        elif op == "Tm":
            y = ctm.transform((float(operands[4]), float(operands[5])))[1]
            break
        elif op == "Do":
            y = ctm.transform((0.0, 0.0))[1]
            break
    box = page.mediabox
    middle = (float(box[1]) + float(box[3])) / 2
    return "/Header" if y is not None and y > middle else "/Footer"
