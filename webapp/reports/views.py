from webapp.reports import bp  # noqa: F401
