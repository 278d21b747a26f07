"""Fixtures of the printing tests: the FY2023 data and one report built
from it, shared by the whole session (a build takes seconds)."""
from __future__ import annotations

import datetime
import io
import json
import os
import re
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_CANDIDATES = (
    os.path.join(ROOT, "webapp", "demo_data", "fy2023_report.json"),
    os.path.join(ROOT, "..", "shared", "data", "fy2023_report.json"),
)


def nows(text: str) -> str:
    """Text without any whitespace: PDF text extraction inserts line breaks
    and spaces where lines wrap, so comparisons ignore them."""
    return re.sub(r"\s+", "", text or "")


@pytest.fixture(scope="session")
def fy2023_data() -> dict:
    for path in _CANDIDATES:
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                return json.load(f)
    pytest.skip("fy2023_report.json not found")


@pytest.fixture(scope="session")
def report_meta(fy2023_data) -> dict:
    return {"council": fy2023_data["council"], "title": fy2023_data["title"],
            "fiscal_year": fy2023_data["fiscal_year"], "date": datetime.date(2024, 3, 31)}


@dataclass
class BuiltReport:
    pdf: bytes
    fits: dict
    cache: str
    reader: PdfReader
    front_pages: int


@pytest.fixture(scope="session")
def built_report(tmp_path_factory, fy2023_data, report_meta) -> BuiltReport:
    from webapp.printing import build_report
    cache = str(tmp_path_factory.mktemp("print-cache"))
    fits = {}
    pdf = build_report(report_meta, 2023, fy2023_data["projects"], cache, fits=fits)
    reader = PdfReader(io.BytesIO(pdf))
    return BuiltReport(pdf=pdf, fits=fits, cache=cache, reader=reader,
                       front_pages=len(reader.pages) - len(fy2023_data["projects"]))


@pytest.fixture(scope="session")
def page_texts(built_report) -> list[str]:
    return [page.extract_text() for page in built_report.reader.pages]


@pytest.fixture(scope="session")
def published(built_report, fy2023_data, report_meta) -> dict:
    """The published (pdf/ua-1) and archival (pdf/a-2b) report, from the
    fits of built_report (cached): variant -> bytes."""
    from webapp.printing import publish_report
    return publish_report(report_meta, 2023, fy2023_data["projects"], built_report.cache)
