"""Feature blueprints and commands, so adding a feature touches one place."""


def blueprints():
    return []


def commands():
    return []
