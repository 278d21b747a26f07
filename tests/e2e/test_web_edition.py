"""The web edition opened from disk (file://) in Chromium: every page readable without
the server, with no serious or critical accessibility violation (axe-core)."""
from __future__ import annotations

import os

from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from webapp.publishing.site import publish_site


def test_the_published_pages_open_from_disk_and_pass_axe(fy2023_app, browser, tmp_path):
    out = tmp_path / "web"
    publish_site(2023, str(out))
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto((out / "index.html").as_uri())
        expect(page.get_by_role("heading", level=1)).to_have_text("成長産業戦略プロジェクト 2023年度 活動実績と評価")
        assert_accessible(page, "Web版：表紙・目次")
        page.get_by_role("link", name="① 九州水素エネルギー社会実現プロジェクト").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("九州水素エネルギー社会実現プロジェクト")
        assert page.url.endswith("/sheet-01.html")
        assert_accessible(page, "Web版：個票①")
        for name in sorted(os.listdir(out)):
            if name.endswith(".html") and name not in ("index.html", "sheet-01.html"):
                page.goto((out / name).as_uri())
                assert_accessible(page, f"Web版：{name}")
    finally:
        context.close()
