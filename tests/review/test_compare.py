"""Comparison: this year against last year's approved sheet, and a resubmission against the one before."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.htmlpage import NS, Page, text_of
from tests.factories import login
from webapp.cycles import open_cycle
from webapp.extensions import db
from webapp.review.compare import char_diff, compare, kpi_changes
from webapp.sheet_content import sheet_to_dict


def marked(row, tag: str) -> list[str]:
    """The highlighted pieces (ins or del) of a comparison row, without the screen-reader label."""
    pieces = []
    for el in row.iter(NS + tag):
        pieces.append("".join(t for t in [el.text or ""] + [(c.tail or "") for c in el]))
    return pieces


def comparison_row(page: Page, key: str):
    return next(tr for tr in page.all("tr") if tr.get("data-field") == key)


def test_inserted_and_deleted_words_are_marked_in_japanese_text():
    left, right, changed = char_diff("地熱資源の活用を推進する。", "地熱資源の利活用を強力に推進した。")
    assert changed
    assert right.count("<ins") == 2 and left.count("<del") == 2
    assert "利活用を強力に</ins>" in right and "した</ins>" in right
    assert "活用を</del>" in left and "する</del>" in left
    assert char_diff("同じ", "同じ") == ("同じ", "同じ", False)


def test_user_text_is_escaped_inside_the_diff():
    left, right, _ = char_diff("<b>太字</b>", "<b>細字</b>")
    assert "<b>" not in left and "&lt;b&gt;" in right


def test_kpi_figures_are_compared_as_a_table_of_changes():
    old = {"targets": {"kpis": [{"name": "組成件数", "target": {"year": 2030, "value": 500},
                                 "series": [{"year": 2023, "target": None, "actual": 225}]}]}}
    new = {"targets": {"kpis": [{"name": "組成件数", "target": {"year": 2030, "value": 450},
                                 "series": [{"year": 2023, "target": None, "actual": 226},
                                            {"year": 2024, "target": None, "actual": 2134}]}]}}
    rows = [(c.item, c.left, c.right, c.kind) for c in kpi_changes(old, new)]
    assert rows == [("2023年度 実績", "225", "226", "changed"),
                    ("最終目標（2030年）", "500", "450", "changed"),
                    ("2024年度 実績", "－", "2,134", "added")]


def test_fields_are_compared_in_the_printed_order_with_this_years_headings():
    result = compare({"purpose": "旧"}, {"purpose": "新"}, 2024)
    assert [f.key for f in result.fields][:5] == ["purpose", "results_actions", "results_perspectives",
                                                  "results_evaluation", "challenges"]
    assert result.fields[3].label == "２０２４年度の活動実績（主要な取組）と評価／○２０２４年度の評価"
    assert result.changed_count == 1


def _fy2024_sheet_of_2(fy):
    open_cycle(2024, dt.date(2025, 5, 30), None)
    db.session.commit()
    return fy.sheet_of(2, 2024)


def test_the_reviewer_sees_what_changed_against_last_years_approved_sheet(fy, fy_client):
    sheet = _fy2024_sheet_of_2(fy)
    sheet.texts = {**sheet.texts, "challenges": "新規案件が減少傾向にあり、規制緩和に向けた働きかけが課題である。"}
    point = next(v for v in sheet.kpis[0].values if v.year == 2024)
    point.actual = Decimal("2134")
    db.session.commit()

    login(fy_client, fy.secretariat())
    page = Page(fy_client.get(f"/sheets/{sheet.id}/compare?a=last_year&b=current"))
    assert "左：2023年度の承認版" in page.text
    challenges = comparison_row(page, "challenges")
    assert "規制緩和に向けた働きかけが課題であ" in "".join(marked(challenges, "ins"))
    assert any("条例の制定" in piece for piece in marked(challenges, "del"))
    assert not any(tr.get("data-field") == "purpose" for tr in page.all("tr")), "unchanged fields are folded away"
    kpi_rows = page.table_rows(page.by_id("kpi-changes"))
    assert ["九州内における地熱・温泉熱活用プロジェクト組成件数", "2024年度 実績", "－", "2,134", "追加"] in kpi_rows

    everything = Page(fy_client.get(f"/sheets/{sheet.id}/compare?a=last_year&b=current&all=1"))
    assert "変更なし" in text_of(comparison_row(everything, "purpose"))


def test_a_resubmission_is_compared_with_the_previous_submission(fy, fy_client, fy2023_app):
    sheet = _fy2024_sheet_of_2(fy)
    # last year's plans had no actions to start from
    sheet.texts = {**sheet.texts, "results_actions": "・実務者会議を開催"}
    sheet.texts = {**sheet.texts, "challenges": "新規案件が減少している。"}
    sheet.state = "draft"  # as 大分県's first save of the carried-forward sheet leaves it
    db.session.commit()
    coordinator, reviewer = fy2023_app.test_client(), fy_client
    login(coordinator, fy.coordinator("大分県"))
    login(reviewer, fy.secretariat())
    coordinator.post(f"/sheets/{sheet.id}/steps/submit", data={"expected_state": "draft"})
    reviewer.post(f"/sheets/{sheet.id}/steps/return", data={"comment": "原因を書いてください", "expected_state": "submitted"})
    sheet = fy.sheet_of(2, 2024)
    sheet.texts = {**sheet.texts, "challenges": "条例による開発規制の影響で、新規案件が減少している。"}
    db.session.commit()
    coordinator.post(f"/sheets/{sheet.id}/steps/submit", data={"expected_state": "returned"})

    history = Page(reviewer.get(f"/sheets/{sheet.id}/history"))
    link = next(a for a in history.all("a") if text_of(a) == "前回の提出と比較")
    page = Page(reviewer.get(link.get("href")))
    assert link.get("href").endswith("a=v1&b=v2")
    assert "条例による開発規制の影響で、" in marked(comparison_row(page, "challenges"), "ins")
    assert [f.get("data-field") for f in page.all("tr") if f.get("data-field")] == ["challenges"]
    # The snapshot is what was submitted, not what is typed afterwards.
    assert page.by_id("compare-table") is not None
    assert sheet_to_dict(fy.sheet_of(2, 2024))["challenges"].startswith("条例による")
