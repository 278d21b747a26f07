"""Creating and changing user accounts (used by the admin screens, the CLI and the demo)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from webapp.auth.passwords import hash_password, password_problems
from webapp.extensions import db
from webapp.models import ROLES, Organisation, User


class AccountError(Exception):
    pass


def find_organisation(name: str | None) -> Organisation | None:
    if not name:
        return None
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        raise AccountError(f"組織「{name}」は登録されていません。")
    return org


def create_user(email: str, display_name: str, role: str, password: str,
                organisation: Organisation | None = None) -> User:
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise AccountError("メールアドレスが正しくありません。")
    if len(email) > 254:
        raise AccountError("メールアドレスが長すぎます（254文字まで）。")
    if len(display_name.strip()) > 100:
        raise AccountError("表示名は100文字以内にしてください。")
    if role not in ROLES:
        raise AccountError(f"役割は {', '.join(ROLES)} のいずれかです。")
    if role == "coordinator" and organisation is None:
        raise AccountError("幹事担当者には組織が必要です。")
    if db.session.scalar(select(User).where(func.lower(User.email) == email)):
        raise AccountError(f"{email} は既に登録されています。")
    problems = password_problems(password, email, current_app.config["PASSWORD_MIN_LENGTH"],
                                 display_name=display_name.strip())
    if problems:
        raise AccountError(" ".join(problems))
    user = User(email=email, display_name=display_name.strip() or email, role=role,
                organisation=organisation, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user
