"""Open data: the KPI figures as CSV and the sheets as JSON, with what every column
and key means.

One row per KPI and year (`kpi_rows`) is what the CSV holds, what the read API's
/years/{year}/kpis answers and what the web edition's KPI table shows; the column
descriptions (`COLUMNS`) are written once, here, for the CSV's index page and the
OpenAPI document. The JSON is the report file's format (webapp.report_io.exporter),
described by `report_json_schema()`, whose text sections come from the year's
template (`schema(year)`). Figures are the stored decimals, written out digit for
digit (never through a float).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from webapp.council.progress import STATUSES, kpi_status
from webapp.models import ORG_KINDS
from webapp.safecells import csv_cell
from webapp.sheet_schema import COUNCIL_SHEET, FIGURES, KPIS, schema

LICENCE = "公共データ利用規約（第1.0版）"
LICENCE_URL = "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"
LICENCE_TEXT = (f"このデータは「{LICENCE}」（PDL1.0）に基づいて利用できます。"
                "PDL1.0はクリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）と互換性があります。"
                "利用の際は出典（九州地域戦略会議）を記載してください。")
CSV_NAME = "kpis.csv"
JSON_NAME = "report.json"
SCHEMA_NAME = "report.schema.json"


@dataclass(frozen=True)
class Column:
    key: str          # the JSON / API key
    header: str       # the CSV header
    description: str
    json_type: tuple  # JSON Schema types of the API's value


COLUMNS: tuple[Column, ...] = (
    Column("number", "プロジェクト番号", "プロジェクトの番号（報告書の①～㉑を数字で）", ("integer",)),
    Column("project_title", "プロジェクト名", "プロジェクトの名称", ("string",)),
    Column("lead", "幹事", "幹事（報告書に印刷された表記）", ("string",)),
    Column("kpi", "ＫＰＩ名", "指標（ＫＰＩ）の名称", ("string",)),
    Column("unit", "単位", "数値の単位（空欄：単位なし）", ("string",)),
    Column("cumulative", "累計", "数値が累計値か（CSVでは「はい」「いいえ」）", ("boolean",)),
    Column("year", "年度", "数値の年度（西暦）。数値のないＫＰＩでは空欄", ("integer", "null")),
    Column("label", "時点", "同じ年度の数値を区別する時点の注記（例：2024年3月末時点）。なければ空欄",
           ("string", "null")),
    # the published header: the built-in template's word for a target value
    Column("target", COUNCIL_SHEET.field_label(KPIS, "target_value"),
           "その年度の目標値（入力された値をそのまま。なければ空欄）",
           ("number", "null")),
    Column("actual", "実績値", "その年度の実績値（入力された値をそのまま。なければ空欄）",
           ("number", "null")),
    Column("status", "達成状況", "ＫＰＩの達成状況（最新の実績で判定し、同じＫＰＩの各行に同じ値）："
           + "・".join(STATUSES), ("string",)),
)


def _text(value) -> str:
    """A figure as the CSV writes it: the stored decimal, digit for digit."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def kpi_rows(contents: list[dict]) -> list[dict]:
    """One row per KPI and year of the sheets (content dicts), in project and KPI order;
    a KPI without figures has one row with the year empty."""
    rows = []
    for content in contents:
        for kpi in (content.get("targets") or {}).get("kpis") or []:
            common = {"number": content["number"], "project_title": content["title"],
                      "lead": content["lead_label"], "kpi": kpi["name"],
                      "unit": kpi.get("unit") or "", "cumulative": bool(kpi.get("cumulative"))}
            status = kpi_status(kpi)
            points = kpi.get("series") or [{"year": None, "target": None, "actual": None}]
            for point in points:
                rows.append({**common, "year": point.get("year"), "label": point.get("label"),
                             "target": point.get("target"), "actual": point.get("actual"),
                             "status": status})
    return rows


def kpi_csv(contents: list[dict]) -> bytes:
    """The CSV file: UTF-8 with a BOM (so that Excel reads it), a header row, CRLF lines.
    Text that a spreadsheet would run as a formula goes out as text (webapp.safecells);
    figures (a negative one too) stay figures."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    for row in kpi_rows(contents):
        writer.writerow([csv_cell(_text(row[c.key])) if "string" in c.json_type else _text(row[c.key])
                         for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def kpi_row_schema() -> dict:
    """A KPI row as the API answers it (JSON Schema)."""
    return {"type": "object", "additionalProperties": False,
            "required": [c.key for c in COLUMNS],
            "properties": {c.key: {"type": list(c.json_type) if len(c.json_type) > 1 else c.json_type[0],
                                   "description": c.description}
                           for c in COLUMNS}}


# ------------------------------------------------------------------ the report file's JSON Schema

def _s(description: str, *types: str) -> dict:
    return {"type": list(types) if len(types) > 1 else types[0], "description": description}


def _obj(description: str, properties: dict, required=None, nullable: bool = False) -> dict:
    return {"type": ["object", "null"] if nullable else "object", "description": description,
            "properties": properties, "required": list(required if required is not None else properties),
            "additionalProperties": False}


def _number(description: str) -> dict:
    return _s(description + "（数値は入力された値のまま。JSONの数値で、桁は丸めません）", "number", "null")


def project_json_schema(year: int | None = None) -> dict:
    """One project's sheet in the report file's format (webapp.sheet_content.sheet_to_dict)."""
    sheet_schema = schema(year)
    shown_year = year or 0

    def box(key: str) -> str:
        return sheet_schema.box(key).title(shown_year)

    # The template's words and choices for the KPI and figure fields.
    kpi_part, figure_part = sheet_schema.part(KPIS), sheet_schema.part(FIGURES)
    label = {f.key: f.label for f in kpi_part.fields}
    head = {f.key: f.label for f in kpi_part.head_fields}
    directions = dict(kpi_part.field("direction").choices)
    kinds = dict(figure_part.field("kind").choices)
    point = _obj("ある年度の数値", {
        "year": _s("年度（西暦）", "integer"),
        "target": _number("その年度の目標値"),
        "actual": _number("その年度の実績値"),
        "label": _s("同じ年度の数値を区別する時点の注記", "string"),
    }, required=["year", "target", "actual"])
    kpi = _obj("指標（ＫＰＩ）", {
        "name": _s("名称", "string"),
        "unit": _s("単位", "string"),
        "cumulative": _s("累計値か", "boolean"),
        "target": _obj("最終目標", {"year": _s("目標年度", "integer", "null"),
                                  "value": _number(label["target_value"]),
                                  "text": _s("数値でない目標、または目標の書き方", "string")},
                       required=["year", "value"]),
        "baseline": _obj("基準値（なければ null）", {"year": _s("基準年度", "integer"),
                                                   "value": _number(label["baseline_value"]),
                                                   "label": _s("基準値の注記", "string")},
                         required=["year", "value"], nullable=True),
        "series": {"type": "array", "description": "年度ごとの目標値と実績値", "items": point},
        "note": _s("注記", "string"),
        "direction": {"enum": list(directions),
                      "description": "目標の向き：" + "・".join(f"{k}（{v}）" for k, v in directions.items())
                                     + "。なければ基準値と目標値から判断"},
    }, required=["name", "unit", "cumulative", "target", "baseline", "series", "note"])
    properties = {
        "number": _s("プロジェクト番号", "integer"),
        "title": _s("プロジェクト名", "string"),
        "lead_label": _s("幹事（報告書に印刷された表記）", "string"),
        "lead_organizations": {"type": "array", "items": {"type": "string"}, "description": "幹事の組織"},
        "co_organizations": {"type": "array", "items": {"type": "string"}, "description": "共同幹事の組織"},
        "targets": _obj(box("targets"), {"target_year": _s(head["target_year"], "integer", "null"),
                                  "label": _s("見出し", "string"),
                                  "kpis": {"type": "array", "items": kpi, "description": "指標（ＫＰＩ）"}}),
        "roadmap": _obj(box("roadmap") + "（なければ null）", {
            "title": _s("表題", "string"),
            "years": {"type": "array", "items": {"type": "string"}, "description": "表の年度"},
            "rows": {"type": "array", "description": "取組ごとの行", "items": _obj("取組", {
                "activity": _s("取組", "string"), "detail": _s("内容", "string"),
                "from": _s("開始年度", "string", "null"), "to": _s("終了年度", "string", "null")})},
        }, nullable=True),
        "figures": {"type": "array", "description": box("figures"), "items": _obj(box("figures"), {
            "kind": {"enum": list(kinds),
                     "description": "種類：" + "・".join(f"{k}（{v}）" for k, v in kinds.items())},
            "caption": _s("表題", "string"), "note": _s("説明", "string"),
            "alt_text": _s("代替テキスト（画像が示すもの）", "string"),
        }, required=["kind", "caption", "note"])},
    }
    required = list(properties)
    # The text sections, where the year's template puts them, described by its headings.
    for section in sheet_schema.text_sections:
        *parents, last = section.path
        node = {"properties": properties, "required": required}
        for part in parents:
            if part not in node["properties"]:
                node["properties"][part] = _obj(sheet_schema.box(section.box).title(shown_year),
                                                {}, required=[])
                node["required"].append(part)
            node = node["properties"][part]
        node["properties"][last] = _s(sheet_schema.label(section.key, shown_year) + "（1行に1項目）",
                                      "string")
        node["required"].append(last)
    return {"type": "object", "description": "プロジェクトの個票（報告書ファイルの形式）",
            "properties": properties, "required": required, "additionalProperties": False}


def report_json_schema(year: int | None = None) -> dict:
    """The JSON Schema (2020-12) of report.json, the year's approved sheets."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "九州地域戦略会議 活動実績と評価（個票）",
        "description": "報告書ファイルの形式。" + LICENCE_TEXT,
        "type": "object",
        "properties": {
            "council": _s("会議の名称", "string"),
            "fiscal_year": _s("報告年度（西暦）", "integer"),
            "title": _s("報告書の表題", "string"),
            "report_date": {"type": "string", "format": "date", "description": "報告書の日付（設定されているとき）"},
            "template_version": {"type": "integer", "minimum": 1,
                                 "description": "個票の様式の版（その年度の様式が変更されるたびに1増える）"},
            "organizations": {"type": "array", "description": "幹事・共同幹事の組織", "items": _obj("組織", {
                "name": _s("名称", "string"),
                "kind": {"enum": sorted(set(ORG_KINDS) - {"secretariat"}),
                         "description": "種別：" + "・".join(f"{k}（{v}）" for k, v in ORG_KINDS.items()
                                                            if k != "secretariat")}})},
            "projects": {"type": "array", "description": "プロジェクトの個票（番号順）",
                         "items": project_json_schema(year)},
        },
        "required": ["council", "fiscal_year", "title", "organizations", "projects"],
        "additionalProperties": False,
    }
