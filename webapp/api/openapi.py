"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

Its schemas are the ones open data publishes (webapp.publishing.opendata): a
KPI row, and one project's sheet in the report file's format.
"""
from __future__ import annotations

from webapp.publishing.opendata import LICENCE, LICENCE_URL, kpi_row_schema, project_json_schema
from webapp.workflow import STATE_LABELS

_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_FAILURES = {
    "401": _json(_ERROR, "トークンがない、正しくない、または失効している"),
    "429": {**_json(_ERROR, "リクエストが多すぎる（Retry-After 秒待つ）"),
            "headers": {"Retry-After": {"schema": {"type": "integer"},
                                        "description": "次に受け付けるまでの秒数"}}},
}
_YEAR = {"name": "year", "in": "path", "required": True, "description": "報告年度（西暦）",
         "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}}
_NUMBER = {"name": "number", "in": "path", "required": True, "description": "プロジェクト番号",
           "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}}
_NOT_FOUND = _json(_ERROR, "その年度（またはプロジェクトの個票）がない、または閲覧する権限がない")


def openapi_document() -> dict:
    summary = {
        "type": "object", "additionalProperties": False,
        "required": ["number", "title", "lead", "state", "state_label", "version", "updated"],
        "properties": {
            "number": {"type": "integer", "description": "プロジェクト番号"},
            "title": {"type": "string", "description": "プロジェクト名"},
            "lead": {"type": "string", "description": "幹事（報告書の表記）"},
            "state": {"enum": [s.value for s in STATE_LABELS], "description": "状態："
                      + "・".join(f"{s.value}（{label}）" for s, label in STATE_LABELS.items())},
            "state_label": {"enum": list(STATE_LABELS.values()), "description": "状態（日本語）"},
            "version": {"type": "integer", "description": "版（保存のたびに増える）"},
            "updated": {"type": ["string", "null"], "format": "date-time",
                        "description": "最後に人が変更した日時（日本時間）。まだ誰も変更していなければ null"},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "九州地域戦略会議 個票システム 読み取りAPI",
            "version": "1.0.0",
            "description": ("年度・個票・ＫＰＩを読み取るAPIです（読み取り専用）。アカウント設定で発行した個人用トークンを "
                            "`Authorization: Bearer トークン` で送ります。トークンはその利用者が画面で見られるものだけを読めます。"),
            "license": {"name": LICENCE, "url": LICENCE_URL},
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/openapi.json": {"get": {
                "summary": "このAPIの説明（OpenAPI）", "operationId": "openapi", "security": [],
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1 の文書")}}},
            "/years": {"get": {
                "summary": "年度の一覧", "operationId": "listYears",
                "responses": {"200": _json({
                    "type": "object", "additionalProperties": False, "required": ["years"],
                    "properties": {"years": {"type": "array", "items": {
                        "type": "object", "additionalProperties": False,
                        "required": ["year", "title", "open"],
                        "properties": {"year": {"type": "integer", "description": "報告年度"},
                                       "title": {"type": "string", "description": "報告書の表題"},
                                       "open": {"type": "boolean", "description": "受付中か"}}}}}},
                    "年度（古い順）"), **_FAILURES}}},
            "/years/{year}/sheets": {"get": {
                "summary": "年度の個票の一覧", "operationId": "listSheets", "parameters": [_YEAR],
                "responses": {"200": _json({
                    "type": "object", "additionalProperties": False, "required": ["year", "sheets"],
                    "properties": {"year": {"type": "integer"},
                                   "sheets": {"type": "array", "items": {"$ref": "#/components/schemas/SheetSummary"}}}},
                    "トークンの利用者が見られる個票（番号順）"), "404": _NOT_FOUND, **_FAILURES}}},
            "/years/{year}/sheets/{number}": {"get": {
                "summary": "個票の内容", "operationId": "getSheet", "parameters": [_YEAR, _NUMBER],
                "responses": {"200": _json({"$ref": "#/components/schemas/Sheet"},
                                           "報告書ファイルの1プロジェクト分の形式"),
                              "404": _NOT_FOUND, **_FAILURES}}},
            "/years/{year}/kpis": {"get": {
                "summary": "年度のＫＰＩ（ＫＰＩと年度ごとに1行）", "operationId": "listKpis", "parameters": [_YEAR],
                "responses": {"200": _json({
                    "type": "object", "additionalProperties": False, "required": ["year", "kpis"],
                    "properties": {"year": {"type": "integer"},
                                   "kpis": {"type": "array", "items": {"$ref": "#/components/schemas/KpiRow"}}}},
                    "オープンデータのCSVと同じ行（数値は入力された値のまま）"), "404": _NOT_FOUND, **_FAILURES}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "アカウント設定で発行した個人用トークン"}},
            "schemas": {
                "Error": {"type": "object", "required": ["message"],
                          "properties": {"message": {"type": "string", "description": "理由（日本語）"}}},
                "SheetSummary": summary,
                "Sheet": project_json_schema(),
                "KpiRow": kpi_row_schema(),
            },
        },
    }
