"""The read API at /api/v1: JSON only, personal tokens only (webapp/api/tokens.py).

Requests carry `Authorization: Bearer <token>`; session cookies are never read
here (a logged-in browser without a token gets 401), so there is no CSRF
surface. A token reads what its user may read (`webapp.permissions.can`).
Errors are JSON with a Japanese `message`, never a 500 page.
"""
from flask import Blueprint
from flask.sessions import SecureCookieSessionInterface

from webapp.extensions import csrf

PREFIX = "/api/v1"


def is_api_path(path: str) -> bool:
    """Defined before the views are imported: the error pages and the session hooks ask it."""
    return path == PREFIX or path.startswith(PREFIX + "/")


class SessionsOutsideTheApi(SecureCookieSessionInterface):
    """The signed-cookie sessions, except on the API: there the cookie is neither read nor
    written (a null session), whatever the browser sends."""

    def open_session(self, app, request):
        if is_api_path(request.path):
            return self.make_null_session(app)
        return super().open_session(app, request)


bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)
bp.record_once(lambda state: setattr(state.app, "session_interface", SessionsOutsideTheApi()))

# The account page's token screens (HTML, CSRF-protected, session log-in).
tokens_bp = Blueprint("api_tokens", __name__)

from webapp.api import account, views  # noqa: E402,F401  (routes register on the blueprints)
from webapp.api.cli import create_token_cmd  # noqa: E402

commands: list = [create_token_cmd]
more_blueprints = (tokens_bp,)
