"""Settings: environment variables first, then files kept in instance/."""
from __future__ import annotations

import os
import secrets

from webapp import exactjson


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/.

    Every worker process of one installation must share the key (sessions are
    signed cookies), so it lives in a file, never in one process's memory.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        os.makedirs(instance_path, exist_ok=True)
        # Written whole under a private name, then linked into place: workers starting
        # together never read a half-written file, and the first link wins.
        tmp = f"{path}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    with open(path) as fh:
        return fh.read().strip()


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def load_config(instance_path: str) -> dict:
    https = os.environ.get("PREFERRED_URL_SCHEME", "http") == "https"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "DATABASE_URL", "sqlite:///" + os.path.join(instance_path, "app.db")),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "json_serializer": exactjson.dumps,
                                      "json_deserializer": exactjson.loads},
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        # The cookie outlives neither bound below; the server checks both on every request.
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(12 * 3600))),
        "SESSION_IDLE_SECONDS": int(os.environ.get("SESSION_IDLE_SECONDS", str(2 * 3600))),
        "SESSION_ABSOLUTE_SECONDS": int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(12 * 3600))),
        # Capped at 30 days whatever the environment says; 0 turns remember-me off.
        "REMEMBER_DAYS": min(30, int(os.environ.get("REMEMBER_DAYS", "30"))),
        "WTF_CSRF_TIME_LIMIT": None,  # the session's own lifetime bounds the token
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        # Fields in one post: the largest sheet the schema allows (30 KPIs of 60 years,
        # 30 roadmap rows, 12 figures) posts about 8,000; more is refused unread (413).
        "MAX_FORM_PARTS": 10_000,
        # Figure images: per file, and the pixels one save may decode in all.
        "UPLOAD_MAX_MB": int(os.environ.get("UPLOAD_MAX_MB", "5")),
        "UPLOAD_MAX_MEGAPIXELS": 40,
        "UPLOAD_REQUEST_MEGAPIXELS": 60,
        "BOOTSTRAP_SERVE_LOCAL": True,
        # Where links in e-mails point; unset, the request's own host (see review/links.py).
        "BASE_URL": os.environ.get("BASE_URL", ""),
        # Host names the app answers to (Flask refuses others with 400), e.g.
        # "council.example.jp": without BASE_URL, a forged Host header could
        # otherwise put its own address into the mail links.
        "TRUSTED_HOSTS": [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",")
                          if h.strip()] or None,
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", os.path.join(instance_path, "uploads")),
        "CACHE_FOLDER": os.environ.get("CACHE_FOLDER", os.path.join(instance_path, "cache")),
        "REPORTS_FOLDER": os.environ.get("REPORTS_FOLDER", os.path.join(instance_path, "reports")),
        "MAIL_FOLDER": os.environ.get("MAIL_FOLDER", os.path.join(instance_path, "mail")),
        # With S3_BUCKET set, uploads, builds and the print cache live in the bucket
        # (webapp/storage.py); STORAGE_CACHE_FOLDER then holds disposable local copies.
        "S3_BUCKET": os.environ.get("S3_BUCKET", ""),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL", ""),
        "S3_PREFIX": os.environ.get("S3_PREFIX", ""),
        "STORAGE_CACHE_FOLDER": os.environ.get("STORAGE_CACHE_FOLDER",
                                               os.path.join(instance_path, "storage-cache")),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "九州地域戦略会議事務局 <noreply@localhost>"),
        "SECRETARIAT_EMAIL": os.environ.get("SECRETARIAT_EMAIL", ""),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        # Names the RQ queues (<prefix>-fit, <prefix>-report) and the Redis keys of fit checks.
        "RQ_PREFIX": os.environ.get("RQ_PREFIX", "council"),
        "REMINDER_DAYS": [int(d) for d in os.environ.get("REMINDER_DAYS", "14,7,1").split(",") if d.strip()],
        # Log-in throttling: failures within the window before slowing / refusing.
        "LOGIN_WINDOW_SECONDS": 15 * 60,
        "LOGIN_SLOW_AFTER": 3,
        "LOGIN_LOCK_AFTER_ACCOUNT": 5,
        "LOGIN_LOCK_AFTER_ADDRESS": 20,
        "LOGIN_DELAY_SECONDS": 1.0,
        # Reverse proxies in front of the app (X-Forwarded-For hops to trust), so that
        # throttling per address sees the client, not the proxy.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # A password or second-factor change, or an admin's change of an admin account,
        # needs the password (and code) confirmed this recently (webapp/auth/stepup.py).
        "REAUTH_MINUTES": 5,
        # The read API (/api/v1): requests one token may make per window (webapp/api/tokens.py).
        "API_RATE_LIMIT": int(os.environ.get("API_RATE_LIMIT", "120")),
        "API_RATE_WINDOW_SECONDS": int(os.environ.get("API_RATE_WINDOW_SECONDS", "60")),
        # Sheet previews, workbook imports and report builds one person may have under way.
        "EXPENSIVE_JOBS_PER_USER": int(os.environ.get("EXPENSIVE_JOBS_PER_USER", "3")),
        "PASSWORD_MIN_LENGTH": int(os.environ.get("PASSWORD_MIN_LENGTH", "12")),
        # Roles that must log in with a second factor (TOTP); empty for none.
        "REQUIRE_2FA_FOR": os.environ.get("REQUIRE_2FA_FOR", "admin,secretariat"),
    }
