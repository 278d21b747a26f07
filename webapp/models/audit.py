"""The audit trail: one row per operation, written by webapp.audit.record() alone."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.dbbase import UTCDateTime
from webapp.extensions import db
from webapp.models.user import User
from webapp.timeutil import utcnow
from webapp.workflow import SYSTEM_TRANSITIONS, TRANSITION_ACTIONS, TRANSITIONS

# Every action the trail may hold, with the label the audit page shows. A sheet's
# workflow steps keep their workflow names, so a transition and its audit row match.
# Adding one here needs a migration of the CHECK constraint below.
ACTION_LABELS: dict[str, str] = {
    **{t.name: t.label for t in (*TRANSITIONS.values(), *SYSTEM_TRANSITIONS.values())},
    "save": "内容の保存",
    "cycle_open": "年度の受付開始", "cycle_close": "年度の受付締切", "cycle_reopen": "年度の受付再開",
    "cycle_deadline": "提出期限の変更", "cycle_report_date": "報告書の日付の変更",
    "cycle_kpi_appendix": "KPI達成状況一覧の掲載設定",
    "comment_add": "コメント投稿", "comment_reply": "コメント返信",
    "comment_resolve": "コメント解決", "comment_reopen": "コメント未解決に戻す",
    "user_create": "ユーザー作成", "user_update": "ユーザー変更",
    "user_deactivate": "ユーザー無効化", "user_password": "パスワード変更",
    "user_sessions_end": "すべての端末からログアウト", "user_2fa_enable": "2段階認証の登録",
    "user_2fa_disable": "2段階認証の解除", "user_2fa_reset": "2段階認証のリセット",
    "user_2fa_recovery_codes": "回復コードの再発行",
    "organisation_create": "組織の登録", "organisation_update": "組織の変更",
    "organisation_deactivate": "組織の無効化", "organisation_delete": "組織の削除",
    "project_create": "プロジェクトの登録", "project_update": "プロジェクトの変更",
    "project_deactivate": "プロジェクトの終了",
    "user_reauth": "本人確認",
    "template_change": "個票の様式の変更",
    "api_token_create": "APIトークンの発行", "api_token_revoke": "APIトークンの失効",
}
AUDIT_ACTIONS: tuple[str, ...] = tuple(ACTION_LABELS)
assert set(TRANSITION_ACTIONS) <= set(AUDIT_ACTIONS), "every transition is an audited action"

OBJECT_TYPES = ("sheet", "cycle", "comment", "user", "organisation", "project")
OBJECT_LABELS = {"sheet": "個票", "cycle": "年度", "comment": "コメント", "user": "ユーザー",
                 "organisation": "組織", "project": "プロジェクト"}

_ACTIONS_SQL = ",".join(f"'{a}'" for a in AUDIT_ACTIONS)
_TYPES_SQL = ",".join(f"'{t}'" for t in OBJECT_TYPES)


class AuditEvent(db.Model):
    """Who did what, when, to which object, and which fields changed ({field: [before, after]})."""

    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint(f"action IN ({_ACTIONS_SQL})", name="known_action"),
        CheckConstraint(f"object_type IN ({_TYPES_SQL})", name="known_object_type"),
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_actor", "actor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # NULL: the system (importer, command line without --by).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int | None] = mapped_column()
    summary: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def object_label(self) -> str:
        return OBJECT_LABELS.get(self.object_type, self.object_type)
