"""Where a section is found on the pages that show a sheet (the links of returns,
fit messages and comments): the editor's blocks and the sheet page's headings."""
from __future__ import annotations

from webapp.sheet_schema import schema


def editor_anchor(key: str, year: int) -> str:
    """Where the editor shows section `key`: a text's own block, else its box."""
    section = schema(year)[key]
    return f"block-{key}" if section.is_text else f"sec-{section.box}"


def sheet_page_anchor(key: str, year: int) -> str:
    """Where the sheet page shows section `key`: its own sub-heading, else its box."""
    section = schema(year)[key]
    return f"sec-{key}" if section.heading else f"sec-{section.box}"
