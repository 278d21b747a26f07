"""Editing fixtures: the FY2023 report imported, FY2024 opened, and helpers to post the form.

The fit check is switched off here (EDITING_FIT_JOBS=False) so that a test
saving a sheet does not lay out a PDF; tests/editing/test_fit.py switches it
on, with printing's real fit search or a stand-in (each test has its own
cache folder, so a stand-in's answer never reaches another test).
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from tests.conftest import _make_app
from tests.factories import Factory, login
from tests.htmlpage import Page
from webapp.cycles import open_cycle
from webapp.extensions import db

DEADLINE = dt.date(2025, 4, 30)


def _app(databases, tmp_path, open_2024: bool, **overrides):
    # A cache folder of its own: test_fit.py stores stand-in fit results, which must
    # never be read as real ones by another test (tests/conftest.py shares one by default).
    app = _make_app(databases, tmp_path, "fy2023", **{
        "EDITING_FIT_JOBS": False, "CACHE_FOLDER": str(tmp_path / "cache"), **overrides})
    ctx = app.app_context()
    ctx.push()
    if open_2024:
        open_cycle(2024, DEADLINE, None)
        db.session.commit()
    return app, ctx


@pytest.fixture
def fy_app(databases, tmp_path):
    """FY2023 imported (all 21 sheets approved); no FY2024 yet."""
    app, ctx = _app(databases, tmp_path, False)
    yield app
    db.session.remove()
    db.engine.dispose()
    ctx.pop()


@pytest.fixture
def app24(databases, tmp_path):
    """FY2023 imported and FY2024 opened (21 sheets carried forward, 未着手 until first saved)."""
    app, ctx = _app(databases, tmp_path, True)
    yield app
    db.session.remove()
    db.engine.dispose()
    ctx.pop()


@pytest.fixture
def f():
    return Factory()


@pytest.fixture
def client24(app24):
    return app24.test_client()


@pytest.fixture
def oita(app24, f, client24):
    """The 大分県 coordinator, logged in on client24."""
    user = f.coordinator("大分県")
    login(client24, user)
    return user


def sheet24(f: Factory, number: int = 2):
    return f.sheet_of(number, 2024)


def form_fields(client, sheet_id: int) -> dict[str, str]:
    """The edit form's fields as the browser would post them (text inputs, text areas, checked boxes)."""
    page = Page(client.get(f"/sheets/{sheet_id}/edit"))
    assert page.by_id("sheet-form") is not None, page.text[:300]
    form = page.by_id("sheet-form")
    ns = "{http://www.w3.org/1999/xhtml}"
    data: dict[str, str] = {}
    for el in form.iter():
        name = el.get("name")
        if not name or name == "op":
            continue
        if el.tag == ns + "textarea":
            data[name] = "".join(el.itertext())
        elif el.tag == ns + "input":
            kind = el.get("type", "text")
            if kind == "file" or kind == "submit":
                continue
            if kind == "checkbox":
                if el.get("checked") is not None:
                    data[name] = el.get("value") or "y"
                continue
            data[name] = el.get("value") or ""
        elif el.tag == ns + "select":
            chosen = [o.get("value") for o in el.iter(ns + "option") if o.get("selected") is not None]
            data[name] = chosen[0] if chosen else ""
    return data


def png_bytes(size=(40, 30), color=(200, 30, 30), **save_args) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG", **save_args)
    return out.getvalue()


def jpeg_bytes(size=(40, 30), color=(30, 30, 200), **save_args) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", **save_args)
    return out.getvalue()


def sheet_fields(sheet) -> dict[str, str]:
    """The edit form of `sheet` as a browser would post it, built without a request."""
    from forms.sheet import form_data
    from webapp.editing.saving import figure_tokens
    from webapp.sheet_content import sheet_to_dict
    return dict(flatten(form_data(sheet_to_dict(sheet), sheet.version, figure_tokens(sheet))))


def flatten(data: dict, prefix: str = "") -> list[tuple[str, str]]:
    """Nested form data -> (name, value) pairs named as WTForms names them (kpis-0-series-1-year)."""
    out = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, list):
            for i, item in enumerate(value):
                out += flatten(item, f"{name}-{i}-")
        elif isinstance(value, bool):
            if value:
                out.append((name, "y"))
        else:
            out.append((name, "" if value is None else str(value)))
    return out
