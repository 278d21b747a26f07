from webapp.review import bp  # noqa: F401
