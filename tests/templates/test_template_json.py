"""The template as JSON: written out field by field, read back the same, every mistake named."""
from __future__ import annotations

import copy
import json

import pytest

from webapp.sheet_schema import COUNCIL_SHEET, Section
from webapp.template_json import TemplateError, from_json, to_json


def built_in() -> dict:
    return json.loads(json.dumps(to_json(COUNCIL_SHEET)))


def problems(data) -> list[str]:
    with pytest.raises(TemplateError) as caught:
        from_json(data)
    return caught.value.problems


def test_each_section_is_one_object_with_its_key_and_heading():
    data = built_in()
    assert data["version"] == 1
    assert data["boxes"][1] == {"key": "results", "heading": "{Y}年度の活動実績（主要な取組）と評価",
                                "column": "left", "optional": False}
    assert data["sections"][1] == {
        "key": "results_actions", "box": "results", "kind": "text", "heading": "○具体的取組",
        "label": "", "path": ["results", "actions"], "required": True, "limit": 4000,
        "carry": "from:plans_actions", "rows": 8, "fields": [], "point_fields": [], "head_fields": [],
        "order": [], "point_order": [], "nullable": []}
    assert from_json(data) == COUNCIL_SHEET


def test_a_copied_section_with_a_new_key_and_heading_is_a_new_section():
    data = built_in()
    copied = {**copy.deepcopy(data["sections"][2]), "key": "results_digital",
              "heading": "○デジタル化の取組"}
    del copied["path"]
    data["sections"].insert(3, copied)
    template = from_json(data)
    assert template["results_digital"] == Section(
        "results_digital", "results", heading="○デジタル化の取組", path=("extra", "results_digital"),
        rows=4)
    assert template.keys[:5] == ["purpose", "results_actions", "results_perspectives",
                                 "results_digital", "results_evaluation"]


def test_types_and_unknown_keys_are_named_by_path():
    data = built_in()
    data["boxes"][0]["optional"] = "no"
    data["sections"][0]["colour"] = "red"
    data["sections"][1]["limit"] = "4000"
    data["sections"][2]["path"] = "results.perspectives"
    data["sections"][3]["rows"] = True
    del data["sections"][4]["key"]
    data["extra"] = 1
    assert problems(data) == [
        "extra: 不明な項目です",
        "boxes[0].optional: true か falseで書いてください",
        "sections[0].colour: 不明な項目です",
        "sections[1].limit: 整数で書いてください",
        "sections[2].path: 一覧（[…]）で書いてください",
        "sections[3].rows: 整数で書いてください",
        "sections[4].key: 必要です",
    ]


def test_the_rules_are_checked_all_at_once():
    data = built_in()
    data["sections"][1]["heading"] = "○{X}年度の取組"
    data["sections"][2]["heading"] = " "
    data["sections"][3]["limit"] = 4001
    data["sections"][4]["carry"] = "from:nothing"
    data["sections"][5]["key"] = "purpose"
    data["boxes"][2]["heading"] = "{Y"
    data["sections"].append({"key": "Bad-Key", "box": "nowhere", "heading": "○新しい欄"})
    data["sections"].append({**data["sections"][6], "key": "kpis2"})
    assert problems(data) == [
        "boxes[2].heading: 「{」「}」は {Y}（年度）と {Y1}（翌年度）の形でだけ使えます",
        "sections[1].heading: 「{X}」は使えません（使えるのは {Y}（年度）と {Y1}（翌年度）だけです）",
        "sections[2].heading: 空にはできません",
        "sections[3].limit: 1～4000の文字数で書いてください",
        "sections[4].carry: \"keep\"、\"blank\" か \"from:<文章の欄のkey>\"で書いてください",
        "sections[5].key: 「purpose」が重複しています",
        "sections[11].key: 半角英小文字で始まる英小文字・数字・「_」（40字まで）で書いてください",
        "sections[11].box: 「nowhere」という枠はありません",
        "sections[12]: 「kpis」の欄は追加できません（見出しの変更だけができます）",
    ]


def test_structured_parts_and_boxes_are_not_added_or_removed():
    data = built_in()
    data["sections"] = [s for s in data["sections"] if s["key"] != "figures"]
    data["boxes"] = [b for b in data["boxes"] if b["key"] != "challenges"]
    data["sections"] = [s for s in data["sections"] if s["box"] != "challenges"]
    data["sections"][0]["key"] = "version"
    assert problems(data) == [
        "boxes[5]: 欄が一つもありません（枠には欄が一つ以上必要です）",   # the figures box
        "boxes: 枠「challenges」がありません（枠は削除できません）",
        "sections[0].key: 「version」は個票の他の項目の名前なので使えません",
        "sections: 「figures」の欄がありません（この欄は削除できません）",
    ]


def test_the_sheet_forms_own_field_names_are_reserved():
    from forms.sheet import SheetFormBase, sheet_form
    from webapp.template_json import RESERVED_KEYS
    own = {name for name in dir(SheetFormBase) if not name.startswith("_")
           and hasattr(getattr(SheetFormBase, name), "field_class")}
    assert own <= RESERVED_KEYS
    assert "roadmap_rows" in RESERVED_KEYS   # the list the roadmap section's form fills


def test_not_an_object_at_all():
    assert problems(None) == ["全体: オブジェクト（{…}）で書いてください"]
    assert problems({"boxes": "x", "sections": [1]}) == [
        "boxes: 一覧（[…]）で書いてください", "sections[0]: オブジェクト（{…}）で書いてください"]


def test_the_readmes_example_section_adds_a_section():
    import pathlib
    import re
    readme = (pathlib.Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    part = readme[readme.index("## The sheet template of a year"):]
    example = json.loads(re.search(r"```json\n(.*?)```", part, re.S).group(1))
    data = built_in()
    data["sections"].insert(3, example)
    template = from_json(data)
    assert template.label("results_digital", 2024) == (
        "２０２４年度の活動実績（主要な取組）と評価／○デジタル化の取組")
    assert template["results_digital"].path == ("extra", "results_digital")
