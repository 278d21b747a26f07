"""Reading pages the way a user does: headings, table rows, form values, visible text.

Parsed with tinyhtml5 (an HTML5 parser already installed for WeasyPrint).
"""
from __future__ import annotations

import re

import tinyhtml5

NS = "{http://www.w3.org/1999/xhtml}"


class Page:
    def __init__(self, response):
        self.html = response.get_data(as_text=True)
        self.root = tinyhtml5.parse(self.html)

    def all(self, tag: str, cls: str | None = None) -> list:
        found = self.root.iter(NS + tag)
        if cls is not None:
            found = (e for e in found if cls in (e.get("class") or "").split())
        return list(found)

    def texts(self, *tags: str) -> list[str]:
        """Text of every element of the given tags, in document order."""
        wanted = {NS + t for t in tags}
        return [text_of(e) for e in self.root.iter() if e.tag in wanted]

    def by_id(self, element_id: str):
        return next((e for e in self.root.iter() if e.get("id") == element_id), None)

    def input_value(self, name: str) -> str | None:
        for e in self.all("input"):
            if e.get("name") == name:
                return e.get("value")
        return None

    def selected(self, name: str) -> str | None:
        for select in self.all("select"):
            if select.get("name") == name:
                for option in select.iter(NS + "option"):
                    if option.get("selected") is not None:
                        return option.get("value")
        return None

    def table_rows(self, table=None, part: str = "tbody") -> list[list[str]]:
        """Rows of the first table (or of `table`) as lists of cell texts; part='thead' for the head."""
        table = table if table is not None else self.all("table")[0]
        rows = []
        for body in table.iter(NS + part):
            for tr in body.iter(NS + "tr"):
                rows.append([text_of(c) for c in tr if c.tag in (NS + "td", NS + "th")])
        return rows

    @property
    def text(self) -> str:
        """All visible text, whitespace collapsed."""
        body = next(self.root.iter(NS + "body"))
        return text_of(body)


def text_of(element) -> str:
    parts: list[str] = []

    def walk(node):
        if node.tag in (NS + "script", NS + "style"):
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def csrf_token(response) -> str:
    """The CSRF token of the first form on the page."""
    html = response.get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
