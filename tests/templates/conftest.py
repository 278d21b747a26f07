"""Template fixtures: the editing ones (FY2023 imported, FY2024 opened, 大分県 logged in)."""
from __future__ import annotations

from tests.editing.conftest import app24, client24, f, fy_app, oita  # noqa: F401
