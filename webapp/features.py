"""Feature blueprints and commands, so adding a feature touches one place."""


def _packages():
    from webapp import council, editing, reports, review, templating, workbooks
    return (editing, review, reports, workbooks, council, templating)


def blueprints():
    return [pkg.bp for pkg in _packages()]


def commands():
    return [command for pkg in _packages() for command in pkg.commands]
