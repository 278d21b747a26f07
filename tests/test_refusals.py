"""permissions.refusal: why not, in words written once, for steps, editing and comments."""
from __future__ import annotations

import pytest

from webapp.models import Project, ProjectOrganisation, ReportingCycle, Sheet, User
from webapp.permissions import Refusal, refusal, stale_message
from webapp.workflow import State

LEAD_ORG, OTHER_ORG = 1, 3


def _user(role: str, org: int | None) -> User:
    return User(email=f"{role}{org}@example.jp", role=role, organisation_id=org, active=True,
                system=False)


def _sheet(state: str, cycle_open: bool = True) -> Sheet:
    project = Project(number=2, title="地熱プロジェクト", lead_label="大分県",
                      links=[ProjectOrganisation(organisation_id=LEAD_ORG, role="lead", position=0)])
    return Sheet(state=state, project=project, cycle=ReportingCycle(year=2024, is_open=cycle_open))


LEAD, OTHER = _user("coordinator", LEAD_ORG), _user("coordinator", OTHER_ORG)
JIMU, ADMIN = _user("secretariat", None), _user("admin", None)


@pytest.mark.parametrize("user, name, state, cycle_open, expected", [
    (LEAD, "submit", "draft", True, None),
    (OTHER, "submit", "draft", True, Refusal("role", "この個票を「提出」する権限がありません。")),
    (JIMU, "submit", "draft", True, Refusal("role", "この個票を「提出」する権限がありません。")),
    (JIMU, "return", "approved", True, Refusal(
        "state", "この個票は現在「承認済」のため、「差戻し」はできません。画面を開き直して最新の状態を確認してください。")),
    (LEAD, "submit", "draft", False, Refusal(
        "cycle", "2024年度の受付は締め切られているため、「提出」はできません。")),
    (JIMU, "reopen", "approved", True, Refusal("role", "この個票を「承認取消し（再開）」する権限がありません。")),
    (ADMIN, "reopen", "approved", False, None),
])
def test_steps(user, name, state, cycle_open, expected):
    assert refusal(user, name, _sheet(state, cycle_open)) == expected


@pytest.mark.parametrize("user, state, cycle_open, expected", [
    (LEAD, "draft", True, None),
    (LEAD, "draft", False, Refusal("cycle", "2024年度の受付は締め切られているため、この個票は編集できません。")),
    (LEAD, "submitted", True, Refusal(
        "state", "この個票は「提出済」のため編集できません。"
                 "修正が必要な場合は提出を取り消してください。"
                 "提出の取消しは、事務局が確認を始める（この提出にコメントを付ける）までできます。")),
    (LEAD, "approved", True, Refusal("state", "この個票は「承認済」のため編集できません。")),
    (OTHER, "draft", False, Refusal("role", "この個票を編集する権限がありません。")),
    (JIMU, "draft", True, Refusal("role", "この個票を編集する権限がありません。")),
])
def test_editing(user, state, cycle_open, expected):
    assert refusal(user, "edit_sheet", _sheet(state, cycle_open)) == expected


def test_comments_and_admin_pages():
    assert refusal(OTHER, "comment", _sheet("draft")) == Refusal(
        "role", "この個票にコメントする権限がありません。")
    assert refusal(LEAD, "comment", _sheet("draft")) is None
    assert refusal(JIMU, "view_audit") == Refusal("role", "この操作をする権限がありません。")
    assert refusal(ADMIN, "view_audit") is None


def test_the_changed_meanwhile_message():
    assert stale_message(_sheet(State.APPROVED.value)) == (
        "この個票は他の方の操作により既に「承認済」になっています。画面を開き直して最新の状態を確認してください。")
