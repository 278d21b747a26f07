"""Small factories that keep the tests readable: fy.coordinator("大分県"), f.project(...)."""
from __future__ import annotations

import itertools

from sqlalchemy import select

from webapp.sheet_schema import schema
from webapp.auth.passwords import hash_password
from webapp.extensions import db
from webapp.models import (Kpi, KpiValue, Organisation, Project, ProjectOrganisation, ReportingCycle,
                           Sheet, User)
from webapp.report_io.system_user import system_user
from webapp.timeutil import utcnow

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


class Factory:
    def organisation(self, name: str, kind: str = "prefecture") -> Organisation:
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if org is None:
            org = Organisation(name=name, kind=kind)
            db.session.add(org)
            db.session.commit()
        return org

    def user(self, role: str, organisation: str | None = None, email: str | None = None,
             password: str = PASSWORD, active: bool = True) -> User:
        org = self.organisation(organisation) if organisation else None
        n = next(_seq)
        user = User(email=email or f"{role}{n}@example.jp", display_name=f"{role} {n}",
                    role=role, organisation=org, password_hash=hash_password(password),
                    active=active)
        db.session.add(user)
        db.session.commit()
        return user

    def coordinator(self, organisation: str, **kw) -> User:
        return self.user("coordinator", organisation, **kw)

    def secretariat(self, **kw) -> User:
        return self.user("secretariat", **kw)

    def admin(self, **kw) -> User:
        return self.user("admin", **kw)

    def project(self, number: int, title: str = "テストプロジェクト", lead=("福岡県",), co=()) -> Project:
        project = Project(number=number, title=title,
                          lead_label="・".join(lead) + (f"（{'・'.join(co)}）" if co else ""))
        links = [ProjectOrganisation(organisation=self.organisation(n), role="lead", position=i)
                 for i, n in enumerate(lead)]
        links += [ProjectOrganisation(organisation=self.organisation(n), role="co", position=i)
                  for i, n in enumerate(co)]
        project.links = links
        db.session.add(project)
        db.session.commit()
        return project

    def cycle(self, year: int, is_open: bool = True, deadline=None) -> ReportingCycle:
        cycle = db.session.scalar(select(ReportingCycle).where(ReportingCycle.year == year))
        if cycle is None:
            cycle = ReportingCycle(year=year, is_open=is_open, deadline=deadline,
                                   report_title=f"{year}年度 活動実績と評価")
            db.session.add(cycle)
            db.session.commit()
        return cycle

    def sheet(self, project: Project, cycle: ReportingCycle, state: str = "draft", **fields) -> Sheet:
        texts = {"purpose": "目的の文章", "results_actions": "・取組",
                 "results_evaluation": "・評価", "challenges": "・課題"}
        texts.update({key: fields.pop(key) for key in list(fields) if key in schema()})
        sheet = Sheet(project=project, cycle=cycle, state=state, texts=texts,
                      target_year=fields.pop("target_year", 2030),
                      target_label=fields.pop("target_label", "設定目標（２０３０年）"),
                      **fields)
        if state == "approved":
            sheet.approved_at, sheet.approved_by = utcnow(), system_user()
        db.session.add(sheet)
        db.session.commit()
        return sheet

    def many_sheets(self, count: int, year: int = 2023, state: str = "approved") -> list[Sheet]:
        """A year of `count` sheets (projects 1..count, each led by 機関N of its own, one KPI
        each: 件数, 2023 actual N), written in one commit: a municipality's 500 in seconds."""
        cycle = self.cycle(year)
        sheets = []
        for n in range(1, count + 1):
            org = Organisation(name=f"機関{n}", kind="prefecture")
            project = Project(number=n, title=f"事業{n}", lead_label=f"機関{n}",
                              links=[ProjectOrganisation(organisation=org, role="lead", position=0)])
            sheet = Sheet(project=project, cycle=cycle, state=state, texts={"purpose": "目的の文章"},
                          target_year=2030, target_label="設定目標（２０３０年）",
                          kpis=[Kpi(position=0, name=f"件数{n}", unit="件", target_year=2030,
                                    target_value=100,
                                    values=[KpiValue(position=0, year=2023, actual=n)])])
            if state == "approved":
                sheet.approved_at, sheet.approved_by = utcnow(), system_user()
            sheets.append(sheet)
        db.session.add_all(sheets)
        db.session.commit()
        return sheets

    def sheet_of(self, number: int, year: int = 2023) -> Sheet:
        return db.session.scalar(select(Sheet).join(Project).join(ReportingCycle)
                                 .where(Project.number == number, ReportingCycle.year == year))


def login(client, user: User, password: str = PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response
