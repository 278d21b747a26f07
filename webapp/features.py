"""Feature blueprints and commands, so adding a feature touches one place."""


def _packages():
    from webapp import api, council, editing, publishing, reports, review, templating, workbooks
    return (editing, review, reports, workbooks, council, templating, api, publishing)


def blueprints():
    """Each package's `bp`, and any others it lists in `more_blueprints`."""
    return [bp for pkg in _packages() for bp in (pkg.bp, *getattr(pkg, "more_blueprints", ()))]


def commands():
    return [command for pkg in _packages() for command in pkg.commands]
