"""veraPDF, the reference validator, reads the two files a year publishes: the
report (FY2023 with the KPI appendix on and a photo uploaded on sheet ①) must
pass every PDF/UA-1 rule, its archival copy every PDF/A-2b rule.  Both are
merged from the cached tagged sheets; so are the two files published again
after one sheet changed, which must pass as well.  The same files show how
the tags read: headers with their scope, item lines as lists, the photo with
its alternative text and its caption as the caption."""
from __future__ import annotations

import copy
import io

import pikepdf
import pytest
from PIL import Image

from . import verapdf

PHOTO_ALT = "テープカットをする来賓5人と水素ステーションの看板"
PHOTO_CAPTION = "水素ステーション開所式（2023年10月）"
STATUSES = ("達成", "順調", "遅れ", "未入力")


def _row(i: int) -> dict:
    return {"mark": "①", "project": "九州水素エネルギー社会実現プロジェクト", "lead": "福岡県",
            "kpi": f"指標{i:02d}", "unit": "件", "baseline": "19（2014）", "latest": "297",
            "latest_year": "2023", "target": "357", "target_year": 2025, "rate": "83.2％",
            "change": "+5", "status": STATUSES[i % 4], "qualitative": i == 3}


@pytest.fixture(scope="module")
def files(tmp_path_factory, fy2023_data, report_meta) -> dict:
    """The published and archival files, written once for the whole module."""
    from webapp.printing import publish_report
    folder = tmp_path_factory.mktemp("verapdf")
    photo = folder / "photo.jpg"
    Image.new("RGB", (1200, 900), (40, 110, 170)).save(photo)
    projects = copy.deepcopy(fy2023_data["projects"])
    projects[0]["figures"] = [{"kind": "photo", "caption": PHOTO_CAPTION, "note": "",
                               "alt_text": PHOTO_ALT, "image_path": str(photo)}]
    meta = {**report_meta, "appendix": {"rule": "達成：最新実績が目標以上",
                                        "rows": [_row(i) for i in range(8)]}}
    pdfs = publish_report(meta, 2023, projects, str(folder / "cache"), uploads_dir=str(folder))
    # The secretariat adds a line to sheet ② and publishes again: sheet ② is
    # printed anew, the others come from the cache, and all are merged again.
    projects[1]["results"]["actions"] += "\n・公表後に追記した一行。"
    again = publish_report(meta, 2023, projects, str(folder / "cache"), uploads_dir=str(folder))
    paths = {}
    for name, files in (("", pdfs), ("changed-", again)):
        for variant, data in files.items():
            paths[name + variant] = folder / (name + variant.replace("/", "-") + ".pdf")
            paths[name + variant].write_bytes(data)
    return {"pdf": pdfs, "changed": again, "path": paths}


@pytest.fixture(scope="module")
def verdicts(files) -> dict:
    try:
        results = verapdf.validate({str(path): "ua1" if name.endswith("pdf/ua-1") else "2b"
                                    for name, path in files["path"].items()})
    except verapdf.Missing as exc:
        pytest.fail(str(exc))
    for result in results.values():
        print(f"veraPDF {result.path}: passed {result.passed}, failed {result.failed}")
    return {name: results[str(path)] for name, path in files["path"].items()}


def test_the_published_report_passes_every_pdf_ua_1_rule(verdicts):
    result = verdicts["pdf/ua-1"]
    assert result.rules == [] and result.failed == 0, "\n".join(result.rules)
    assert result.passed > 0


def test_the_archival_copy_with_a_photo_passes_every_pdf_a_2b_rule(verdicts):
    result = verdicts["pdf/a-2b"]
    assert result.rules == [] and result.failed == 0, "\n".join(result.rules)
    assert result.passed > 0


@pytest.mark.parametrize("variant", ["pdf/ua-1", "pdf/a-2b"])
def test_both_files_published_again_after_one_sheet_changed_pass_every_rule(verdicts, files,
                                                                           variant):
    assert files["changed"][variant] != files["pdf"][variant]
    result = verdicts["changed-" + variant]
    assert result.rules == [] and result.failed == 0, "\n".join(result.rules)
    assert result.passed > 0


def _elements(pdf):
    out, stack = [], list(reversed(list(pdf.Root.StructTreeRoot.K)))
    while stack:
        element = stack.pop()
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            out.append(element)
            kids = element.get("/K")
            kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
            stack.extend(reversed([k for k in kids if isinstance(k, pikepdf.Dictionary)]))
    return out


def test_every_table_header_says_whether_it_heads_a_column_or_a_row(files):
    with pikepdf.open(io.BytesIO(files["pdf"]["pdf/ua-1"])) as pdf:
        rows = [e for e in _elements(pdf) if e.S == "/TR"]
        scopes = {"head row": set(), "row head": set(), "other": set()}
        for row in rows:
            cells = [str(k.S) for k in row.K]
            for i, cell in enumerate(row.K):
                if cell.S != "/TH":
                    continue
                assert "/Scope" in cell.A, cells
                if row.P.S == "/THead" or "/TD" not in cells:
                    scopes["head row"].add(str(cell.A.Scope))
                elif "/TD" in cells[i + 1:]:
                    scopes["row head"].add(str(cell.A.Scope))
                else:
                    scopes["other"].add(str(cell.A.Scope))
        # the contents' and the appendix's heads, 指標・目標 above the KPI rows, the
        # roadmap's years: columns; 目標・実績 and each KPI's name: rows; and the KPI
        # table's head row, which starts with an empty data cell: columns
        assert scopes == {"head row": {"/Column"}, "row head": {"/Row"}, "other": {"/Column"}}


def test_item_lines_are_lists_with_their_marker_as_the_label(files):
    with pikepdf.open(io.BytesIO(files["pdf"]["pdf/ua-1"])) as pdf:
        elements = _elements(pdf)
        items = [e for e in elements if e.S == "/LI"]
        assert len(items) > 100
        for item in items:
            assert [str(k.S) for k in item.K] == ["/Lbl", "/LBody"]
            assert item.P.S == "/L"
            # the label is the marker alone — one piece of marked content —
            # and the item's text follows it in the body
            label, body = item.K
            assert len(label.K) == 1 and isinstance(label.K[0], int)
            first = body.K[0]
            assert isinstance(first, int) and first > label.K[0]


def test_the_photo_is_a_figure_with_its_alternative_text_and_a_caption(files):
    with pikepdf.open(io.BytesIO(files["pdf"]["pdf/ua-1"])) as pdf:
        elements = _elements(pdf)
        photo = [e for e in elements if e.S == "/Figure" and str(e.get("/Alt")) == PHOTO_ALT]
        assert len(photo) == 1
        # <figure>: the image and, beside it, its <figcaption> as the Caption
        group = photo[0].P
        while not any(isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/Caption"
                      for k in group.K):
            group = group.P
        captions = [k for k in group.K if isinstance(k, pikepdf.Dictionary) and k.S == "/Caption"]
        assert len(captions) == 1
        # the caption is read once, as the caption, never as an image's Alt
        assert all(str(e.get("/Alt")) != PHOTO_CAPTION for e in elements if e.S == "/Figure")


@pytest.mark.parametrize("variant", ["pdf/ua-1", "pdf/a-2b"])
def test_no_image_asks_the_viewer_to_interpolate(files, variant):
    with pikepdf.open(io.BytesIO(files["pdf"][variant])) as pdf:
        images = [o for o in pdf.objects
                  if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert images
        assert [bool(o.Interpolate) for o in images if "/Interpolate" in o] == []
