"""All tables; importing this package registers them with the metadata."""
from webapp.models.api_token import ApiToken
from webapp.models.audit import AUDIT_ACTIONS, AuditEvent
from webapp.models.build import ReportBuild
from webapp.models.cycle import ReportingCycle
from webapp.models.expensive import EXPENSIVE_KINDS, ExpensiveJob
from webapp.models.organisation import ORG_KINDS, Organisation
from webapp.models.project import NUMBER_RANGE, Project, ProjectOrganisation
from webapp.models.security import LoginAttempt, RecoveryCode
from webapp.models.sheet import (Comment, Figure, Kpi, KpiValue, ReminderSent, RoadmapRow,
                                 Sheet, SheetVersion, Transition)
from webapp.models.user import ROLES, User

__all__ = [
    "AUDIT_ACTIONS", "ApiToken", "AuditEvent",
    "Comment", "EXPENSIVE_KINDS", "ExpensiveJob", "Figure", "Kpi", "KpiValue", "LoginAttempt", "NUMBER_RANGE", "ORG_KINDS", "Organisation",
    "Project", "ProjectOrganisation", "ROLES", "RecoveryCode", "ReminderSent", "ReportBuild",
    "ReportingCycle", "RoadmapRow", "Sheet", "SheetVersion", "Transition", "User",
]
