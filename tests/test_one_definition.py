"""The sheet is declared once: every printed heading is written in webapp/sheet_schema.py alone.

A newcomer who adds or renames a section changes one file; any other copy of a
heading (a label table in a view, a heading typed into a template, an f-string
in a message) would drift from it, as copies did before.
"""
from __future__ import annotations

import ast
import os
import re

from tests.conftest import ROOT
from webapp.sheet_schema import COUNCIL_SHEET

# Every printed heading, as the built-in template has it ({Y}: the reporting year, {Y1}: the
# next): read from the template, so a heading it gains is guarded too.
HEADINGS = list(dict.fromkeys([b.heading for b in COUNCIL_SHEET.boxes]
                              + [s.heading for s in COUNCIL_SHEET.sections if s.heading]))


def _flat(text: str) -> str:
    return text.replace("{Y1}", "").replace("{Y}", "")


def _python_literals(path: str) -> set[str]:
    """Every string the code spells (f-strings with their values left out), docstrings aside."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            found.add("".join(v.value for v in node.values if isinstance(v, ast.Constant)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.add(_flat(node.value))
    return found


def _template_text(path: str) -> str:
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)            # Jinja comments
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", text, flags=re.S)  # what the template computes


def _files():
    for top in ("webapp", "forms", "pdf_templates"):
        for folder, _, names in os.walk(os.path.join(ROOT, top)):
            for name in names:
                if name.endswith((".py", ".html", ".txt", ".js")):
                    yield os.path.join(folder, name)


def test_the_guard_reads_every_heading_of_the_built_in_sheet():
    assert len(HEADINGS) == 11
    assert {"目的", "{Y}年度の活動実績（主要な取組）と評価", "○SDGs、先端技術、働き方改革、アフターコロナの観点からの取組",
            "{Y1}年度以降の取組（計画）", "図表・写真"} <= set(HEADINGS)


def test_every_printed_heading_is_written_in_one_file_only():
    where: dict[str, set[str]] = {h: set() for h in HEADINGS}
    for path in _files():
        rel = os.path.relpath(path, ROOT)
        if path.endswith(".py"):
            literals = _python_literals(path)
            for heading in HEADINGS:
                if _flat(heading) in literals:
                    where[heading].add(rel)
        else:
            text = _template_text(path)
            for heading in HEADINGS:
                # a heading standing alone as text or as a quoted string
                if re.search(r"[>\"'「]" + re.escape(_flat(heading)) + r"[<\"'」]", text):
                    where[heading].add(rel)
    assert where == {h: {"webapp/sheet_schema.py"} for h in HEADINGS}
