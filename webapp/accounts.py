"""Operations on user accounts: create, change, end sessions, passwords, second factor.

The admin screens, the account pages, the CLI and the demo call these; each
checks what it must, changes the user, and writes one audit record (never
the password hash or the second factor's secret). Like every operation they
only flush: the caller commits.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from webapp import audit
from webapp.auth import second_factor, stepup
from webapp.auth.passwords import hash_password, password_problems
from webapp.extensions import db
from webapp.models import ROLES, Organisation, User
from webapp.timeutil import utcnow

# What the audit trail may show of a user: never a hash or a secret.
_AUDITED = ("email", "display_name", "role", "organisation_id", "active")


class AccountError(Exception):
    """A refused change; `problems` lists each reason (Japanese), the message joins them."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


def find_organisation(name: str | None) -> Organisation | None:
    if not name:
        return None
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        raise AccountError(f"組織「{name}」は登録されていません。")
    return org


def _fields(user: User) -> dict:
    return {key: getattr(user, key) for key in _AUDITED}


def _label(user: User) -> str:
    return f"{user.display_name}（{user.email}）"


def _check(email: str, display_name: str, role: str, organisation_id: int | None,
           user: User | None = None) -> list[str]:
    problems = []
    if not email or "@" not in email:
        problems.append("メールアドレスが正しくありません。")
    elif len(email) > 254:
        problems.append("メールアドレスが長すぎます（254文字まで）。")
    if len(display_name) > 100:
        problems.append("表示名は100文字以内にしてください。")
    if role not in ROLES:
        problems.append(f"役割は {', '.join(ROLES)} のいずれかです。")
    if role == "coordinator" and organisation_id is None:
        problems.append("幹事担当者には組織が必要です。")
    clash = select(User).where(func.lower(User.email) == email)
    if user is not None:
        clash = clash.where(User.id != user.id)
    if email and db.session.scalar(clash):
        problems.append(f"{email} は既に登録されています。")
    return problems


def _password_problems(password: str, email: str, display_name: str,
                       current_hash: str | None = None) -> list[str]:
    return password_problems(password, email, current_app.config["PASSWORD_MIN_LENGTH"],
                             display_name=display_name, current_hash=current_hash)


def create_user(actor: User | None, email: str, display_name: str, role: str, password: str,
                organisation: Organisation | None = None, active: bool = True) -> User:
    email = (email or "").strip().lower()
    display_name = (display_name or "").strip()
    problems = _check(email, display_name, role, organisation.id if organisation else None)
    problems = problems or _password_problems(password, email, display_name)
    if problems:
        raise AccountError(problems)
    user = User(email=email, display_name=display_name or email, role=role,
                organisation=organisation, password_hash=hash_password(password), active=active)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user_create", "user", user.id, f"{_label(user)}を作成",
                 audit.diff({}, _fields(user)))
    return user


def update_user(actor: User, user: User, *, email: str, display_name: str, role: str,
                organisation_id: int | None, active: bool, password: str = "") -> User:
    """An admin's change of a user; a new password or deactivation ends every session."""
    email = (email or "").strip().lower()
    display_name = (display_name or "").strip()
    problems = _check(email, display_name, role, organisation_id, user)
    if user.id == actor.id and (role != "admin" or not active):
        problems.append("自分自身の管理者権限や有効状態は変更できません。")
    if password:
        problems += _password_problems(password, email, display_name, user.password_hash)
    if problems:
        raise AccountError(problems)
    before = _fields(user)
    deactivated = user.active and not active
    user.email, user.display_name, user.role = email, display_name or email, role
    user.organisation_id, user.active = organisation_id, active
    if password:
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
    if password or deactivated:
        # A new token now, so that reactivating later brings no old session back.
        user.end_all_sessions()
    changes = audit.diff(before, _fields(user))
    if password:
        changes["password"] = ("", "（変更）")
    audit.record(actor, "user_deactivate" if deactivated else "user_update", "user", user.id,
                 f"{_label(user)}を{'無効化' if deactivated else '変更'}", changes)
    return user


def change_password(user: User, new_password: str) -> None:
    """The user's own change; their other sessions end (the caller starts a new one here)."""
    problems = _password_problems(new_password, user.email, user.display_name, user.password_hash)
    if problems:
        raise AccountError(problems)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.end_all_sessions()
    audit.record(user, "user_password", "user", user.id, f"{_label(user)}がパスワードを変更")


def end_sessions(actor: User, user: User, *, logging_out: bool = False) -> None:
    """Every session and remember-me cookie of `user` ends (log-out ends them all too)."""
    user.end_all_sessions()
    if not logging_out:
        audit.record(actor, "user_sessions_end", "user", user.id,
                     f"{_label(user)}をすべての端末からログアウト")


def enable_second_factor(user: User, secret: str, step: int) -> list[str]:
    """Turn the second factor on; returns the recovery codes to show once."""
    codes = second_factor.enable(user, secret, step)
    # Sessions opened with the password alone end; the caller starts this one again.
    user.end_all_sessions()
    audit.record(user, "user_2fa_enable", "user", user.id, f"{_label(user)}が2段階認証を登録")
    return codes


def renew_recovery_codes(user: User) -> list[str]:
    """The user's own: new recovery codes replace all the old ones (used or not); returns
    them to show once."""
    if not user.has_second_factor:
        raise AccountError(["2段階認証が設定されていないため、回復コードは発行できません。"])
    codes = second_factor.new_recovery_codes(user)
    audit.record(user, "user_2fa_recovery_codes", "user", user.id,
                 f"{_label(user)}が回復コードを再発行")
    return codes


def disable_second_factor(actor: User, user: User) -> None:
    """The user turning it off, or an admin resetting it (then it is set up again at log-in)."""
    second_factor.disable(user)
    if actor.id == user.id:
        audit.record(actor, "user_2fa_disable", "user", user.id, f"{_label(user)}が2段階認証を解除")
    else:
        user.end_all_sessions()
        stepup.log.warning("second factor of user %s reset by user %s", user.id, actor.id)
        audit.record(actor, "user_2fa_reset", "user", user.id, f"{_label(user)}の2段階認証をリセット")


def record_step_up(user: User) -> None:
    """A successful 本人確認 (step-up): audited, and in the security log."""
    stepup.log.info("step-up by user %s", user.id)
    audit.record(user, "user_reauth", "user", user.id, f"{_label(user)}が本人確認")
