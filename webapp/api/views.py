"""The read API's endpoints (/api/v1). Every answer is JSON; figures stay exact."""
from __future__ import annotations

from flask import Response, current_app, g, request
from sqlalchemy import select

from webapp import exactjson
from webapp.api import bp, tokens
from webapp.api.openapi import openapi_document
from webapp.extensions import db
from webapp.last_change import last_change
from webapp.cycles import get_cycle
from webapp.listing import cycles_desc, projects_for, sheets_for_year
from webapp.models import Project, ReportingCycle, Sheet
from webapp.permissions import can
from webapp.publishing.opendata import kpi_rows
from webapp.sheet_content import printed_lead_label, sheet_to_dict
from webapp.timeutil import to_jst
from webapp.workflow import State

NO_TOKEN = ("APIトークンが必要です。Authorization ヘッダーに「Bearer トークン」を付けてください"
            "（トークンはアカウント設定で発行できます）。")
BAD_TOKEN = "APIトークンが正しくないか、失効しています。アカウント設定で確認してください。"
TOO_MANY = "リクエストが多すぎます。{seconds}秒ほど待ってからもう一度お試しください。"
NO_YEAR = "{year}年度のデータはありません。"
NO_SHEET = "{year}年度のプロジェクト{number}の個票は見つからないか、閲覧する権限がありません。"
# Public: how to call the API is no secret.
_OPEN_ENDPOINTS = {"api.openapi"}


def json_response(value, status: int = 200, headers: dict | None = None) -> Response:
    return Response(exactjson.dumps(value) + "\n", status=status, headers=headers,
                    mimetype="application/json")


def error(status: int, message: str, headers: dict | None = None) -> Response:
    return json_response({"message": message}, status, headers)


def _presented_token() -> str | None:
    scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


@bp.before_request
def _authenticate():
    if request.endpoint in _OPEN_ENDPOINTS:
        return None
    presented = _presented_token()
    challenge = {"WWW-Authenticate": 'Bearer realm="api"'}
    if presented is None:
        return error(401, NO_TOKEN, challenge)
    token = tokens.authenticate(presented)
    if token is None:
        return error(401, BAD_TOKEN, {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'})
    wait = tokens.count_request(token, current_app.config["API_RATE_LIMIT"],
                                current_app.config["API_RATE_WINDOW_SECONDS"])
    db.session.commit()
    if wait is not None:
        return error(429, TOO_MANY.format(seconds=wait), {"Retry-After": str(wait)})
    g.api_user = token.user
    return None


def _visible_sheets(cycle: ReportingCycle) -> list[Sheet]:
    user = g.api_user
    projects = projects_for(user)
    sheets = sheets_for_year(cycle, projects)
    return [sheets[p.id] for p in projects if p.id in sheets and can(user, "view_sheet", sheets[p.id])]


def _iso(value) -> str | None:
    return to_jst(value).isoformat(timespec="seconds") if value is not None else None


@bp.route("/openapi.json")
def openapi():
    return json_response(openapi_document())


@bp.route("/years")
def years():
    return json_response({"years": [{"year": c.year, "title": c.report_title, "open": c.is_open}
                                    for c in reversed(cycles_desc())]})


@bp.route("/years/<int:year>/sheets")
def sheets(year: int):
    cycle = get_cycle(year)
    if cycle is None:
        return error(404, NO_YEAR.format(year=year))
    items = []
    for sheet in _visible_sheets(cycle):
        state = State(sheet.state)
        items.append({"number": sheet.project.number, "title": sheet.project.title,
                      "lead": printed_lead_label(sheet), "state": state.value,
                      "state_label": state.label, "version": sheet.version,
                      "updated": _iso(last_change(sheet).at)})
    return json_response({"year": year, "sheets": items})


@bp.route("/years/<int:year>/sheets/<int:number>")
def sheet(year: int, number: int):
    found = db.session.scalar(select(Sheet).join(Project).join(ReportingCycle)
                              .where(ReportingCycle.year == year, Project.number == number))
    if found is None or not can(g.api_user, "view_sheet", found):
        return error(404, NO_SHEET.format(year=year, number=number))
    return json_response(sheet_to_dict(found))


@bp.route("/years/<int:year>/kpis")
def kpis(year: int):
    cycle = get_cycle(year)
    if cycle is None:
        return error(404, NO_YEAR.format(year=year))
    return json_response({"year": year,
                          "kpis": kpi_rows([sheet_to_dict(s) for s in _visible_sheets(cycle)])})
