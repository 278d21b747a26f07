"""The people who use the app: three roles, named once."""
from __future__ import annotations

ROLES = {"coordinator": "幹事担当者", "secretariat": "事務局", "admin": "管理者"}
# Who reviews sheets (comments, returns, approves) and sees every organisation's.
REVIEWER_ROLES = frozenset({"secretariat", "admin"})
