"""Every route of the app is in some permission matrix.

Each area's tests/.../test_permissions.py declares the endpoints its matrix
covers in a module-level COVERED_ENDPOINTS; a route added without a row in
a matrix fails here, by name.
"""
from __future__ import annotations

import importlib

MATRIX_MODULES = [
    "tests.test_permissions",
    "tests.editing.test_permissions",
    "tests.review.test_permissions",
    "tests.reports.test_permissions",
    "tests.workbooks.test_permissions",
    "tests.council.test_permissions",
    "tests.templates.test_permissions",
    "tests.api.test_permissions",
    "tests.publishing.test_permissions",
]

# Files served to everybody, which no matrix needs to cover.
UNGUARDED = {"static", "bootstrap.static"}


def covered_endpoints() -> dict[str, set[str]]:
    found = {}
    for name in MATRIX_MODULES:
        module = importlib.import_module(name)  # a matrix file gone is a failure, not a skip
        assert hasattr(module, "COVERED_ENDPOINTS"), f"{name} has no COVERED_ENDPOINTS"
        found[name] = set(module.COVERED_ENDPOINTS)
    return found


def test_every_route_is_covered_by_a_permission_matrix(app):
    covered = set().union(*covered_endpoints().values())
    routes = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    missing = sorted(e for e in routes if e not in UNGUARDED and e not in covered)
    assert not missing, ("routes missing from every permission matrix (add them to a "
                         "COVERED_ENDPOINTS and its matrix):\n"
                         + "\n".join(f"  {e}  {routes[e]}" for e in missing))


def test_no_matrix_claims_a_route_that_does_not_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = {name: sorted(claimed - endpoints) for name, claimed in covered_endpoints().items()
             if claimed - endpoints}
    assert not stale, f"COVERED_ENDPOINTS names endpoints the app does not have: {stale}"
