"""The README's words are the app's words, and its commands do what it says."""
from __future__ import annotations

import datetime as dt
import pathlib
import shutil
import subprocess

import pytest

from tests.factories import login
from tests.htmlpage import Page, text_of
from webapp.cycles import open_cycle
from webapp.extensions import db

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_names_the_editor_link_as_a_coordinator_sees_it(fy2023_app, fy):
    """A draft shows 「編集する」, a sheet still 未着手 「作成を始める」: the README says both."""
    open_cycle(2024, dt.date(2030, 4, 30), None)
    # Opening leaves every sheet 未着手; ② has been saved once since.
    fy.sheet_of(2, 2024).state = "draft"
    assert fy.sheet_of(7, 2024).state == "not_started"
    db.session.commit()
    client = fy2023_app.test_client()
    login(client, fy.coordinator("大分県"))
    labels = [text_of(Page(client.get(f"/sheets/{fy.sheet_of(n, 2024).id}")).by_id("edit-link"))
              for n in (2, 7)]
    assert labels == ["編集する", "作成を始める"]
    assert "「編集する」, or 「作成を始める」 on a\n   sheet still 未着手" in README


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_serves_the_port_the_readme_shows():
    assert "`make run PORT=5001` serves http://127.0.0.1:5001" in README
    dry = subprocess.run(["make", "-n", "run", "PORT=5001"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "run --host 127.0.0.1 --port 5001" in dry.stdout
    assert "http://127.0.0.1:5001/ を開いてください" in dry.stdout
