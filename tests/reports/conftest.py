import io

import pytest
from pypdf import PdfReader


def pdf_pages_text(data: bytes) -> list[str]:
    """Text of each page, whitespace removed (Japanese extraction inserts breaks)."""
    reader = PdfReader(io.BytesIO(data))
    return ["".join(page.extract_text().split()) for page in reader.pages]


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def secretariat(fy):
    return fy.secretariat()
