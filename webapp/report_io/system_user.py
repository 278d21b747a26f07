"""The account that imports act as, so every approval names somebody."""
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import User

SYSTEM_EMAIL = "system@import.invalid"


def system_user() -> User:
    user = db.session.scalar(select(User).where(User.email == SYSTEM_EMAIL))
    if user is None:
        # The hash matches no password; the account cannot log in (system=True).
        user = User(email=SYSTEM_EMAIL, display_name="システム（取込）", password_hash="!",
                    role="admin", active=False, system=True)
        db.session.add(user)
        db.session.flush()
    return user
