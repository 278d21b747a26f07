"""Demo installation: the FY2023 report plus one account per role and organisation."""
from __future__ import annotations

import os

from flask import current_app
from sqlalchemy import select

from webapp.accounts import create_user
from webapp.auth.passwords import random_password
from webapp.extensions import db
from webapp.models import Organisation, User
from webapp.report_io import import_report, load_report_file
from webapp.report_io.system_user import system_user

DEMO_FILE = os.path.join(os.path.dirname(__file__), "demo_data", "fy2023_report.json")
SECRETARIAT_ORG = "九州地域戦略会議事務局"

# Readable log-in names for the organisations of the FY2023 report.
ORG_LOGINS = {
    "福岡県": "fukuoka-pref", "大分県": "oita", "長崎県": "nagasaki", "九州経済産業局": "kyushu-meti",
    "宮崎県": "miyazaki", "熊本県": "kumamoto", "佐賀県": "saga", "九州経済連合会": "kyukeiren",
    "鹿児島県": "kagoshima", "九州農政局": "kyushu-maff", "一般社団法人九州観光機構": "kyushu-kanko",
    "福岡市": "fukuoka-city", "九州グローバル人材活用促進協議会": "global-jinzai",
}
DOMAIN = "demo.example.jp"


def demo_accounts() -> list[tuple[str, str, str, str | None]]:
    """(email, display name, role, organisation name) of every demo account."""
    accounts = [(f"admin@{DOMAIN}", "管理者（デモ）", "admin", SECRETARIAT_ORG),
                (f"secretariat@{DOMAIN}", "事務局 審査担当（デモ）", "secretariat", SECRETARIAT_ORG)]
    orgs = db.session.scalars(select(Organisation).where(Organisation.kind != "secretariat")
                              .order_by(Organisation.id)).all()
    for org in orgs:
        login = ORG_LOGINS.get(org.name, f"org{org.id}")
        accounts.append((f"{login}@{DOMAIN}", f"{org.name} 担当者（デモ）", "coordinator", org.name))
    return accounts


def seed_demo(file: str | None = None) -> list[str]:
    """Import the report and create missing demo accounts; returns lines to print."""
    summary = import_report(load_report_file(file or DEMO_FILE))
    if db.session.scalar(select(Organisation).where(Organisation.name == SECRETARIAT_ORG)) is None:
        db.session.add(Organisation(name=SECRETARIAT_ORG, kind="secretariat"))
        db.session.flush()
    created = []
    for email, name, role, org_name in demo_accounts():
        if db.session.scalar(select(User).where(User.email == email)):
            continue
        org = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
        password = random_password()
        create_user(system_user(), email, name, role, password, org)
        created.append((email, password, role, org_name))
    db.session.commit()

    lines = [f"FY{summary.year} の報告書データ: " +
             ("取り込みました" if summary.changed else "取込済み（変更なし）")]
    path = os.path.join(current_app.instance_path, "demo-accounts.txt")
    if created:
        with open(path, "a", encoding="utf-8") as fh:
            for email, password, role, org in created:
                fh.write(f"{email}\t{password}\t{role}\t{org}\n")
        os.chmod(path, 0o600)
        lines.append("デモ用アカウントを作成しました（パスワードはこの一度だけ表示します。"
                     f"{path} にも保存しました）:")
        lines += [f"  {email:40} {password}  {role:12} {org}" for email, password, role, org in created]
    else:
        lines.append(f"デモ用アカウントは作成済みです（{path} を参照）。")
    return lines
