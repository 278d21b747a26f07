"""axe-core inside the Chromium tests: the one accessibility check every screen goes through.

axe-core comes bundled in the PyPI package axe-playwright-python and is injected
with page.evaluate (DevTools, not a <script>): no network, and the app's CSP
neither blocks it nor reports it.

`assert_accessible(page, name)` fails on any violation of impact serious or
critical against WCAG 2.0/2.1 A and AA (JIS X 8341-3:2016 is WCAG 2.0 AA), and
records every page checked with its counts per impact, so that a run can say
what was checked (see `report_lines` and the terminal summary in conftest).
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTS = ("minor", "moderate", "serious", "critical")
BLOCKING = {"serious", "critical"}
REPORT_FILE = os.path.join("build", "accessibility.txt")

_axe = Axe()


@dataclass
class Checked:
    name: str
    url: str
    counts: Counter = field(default_factory=Counter)      # impact -> violated rules
    rules: list[str] = field(default_factory=list)         # "rule-id (impact)" for each violation


CHECKED: list[Checked] = []


def violations(page) -> list[dict]:
    """axe's WCAG A/AA violations on the page as it is now (all impacts)."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return _axe.run(page, options=options).response["violations"]


def describe(found: list[dict]) -> str:
    lines = []
    for v in found:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            lines.append(f"    {' '.join(str(t) for t in node['target'])}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page, name: str) -> Checked:
    """Fail when axe finds a serious or critical WCAG A/AA violation on the page shown now."""
    found = violations(page)
    checked = Checked(name=name, url=page.url,
                      counts=Counter(v["impact"] for v in found),
                      rules=[f"{v['id']} ({v['impact']})" for v in found])
    CHECKED.append(checked)
    blocking = [v for v in found if v["impact"] in BLOCKING]
    assert not blocking, f"accessibility violations on 「{name}」 ({page.url}):\n{describe(blocking)}"
    return checked


def report_lines(checked: list[Checked] | None = None) -> list[str]:
    checked = CHECKED if checked is None else checked
    total = Counter()
    lines = [f"axe-core {WCAG_TAGS}: violations per page (rules violated, by impact)"]
    for c in checked:
        total.update(c.counts)
        counts = " ".join(f"{i}={c.counts.get(i, 0)}" for i in IMPACTS)
        extra = f"  [{', '.join(c.rules)}]" if c.rules else ""
        lines.append(f"  {c.name:<40} {counts}{extra}")
    lines.append(f"{len(checked)} screens checked; total " +
                 " ".join(f"{i}={total.get(i, 0)}" for i in IMPACTS))
    return lines


def write_report(root: str) -> str | None:
    if not CHECKED:
        return None
    path = os.path.join(root, REPORT_FILE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(report_lines()) + "\n")
    return path
