from webapp.editing import bp  # noqa: F401
