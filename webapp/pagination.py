"""Long lists a page at a time: the one page size, page number reading and page window.

A year of 500 sheets lists in pages of PER_PAGE rows; the counts above a
list stay about the whole list. The pager (templates/_macros.html `pager`)
is a list of links with Japanese labels, the current page marked
aria-current and announced beside the list (「全512件中 51～100件目」).
"""
from __future__ import annotations

from dataclasses import dataclass

from webapp.ids import parse_id

PER_PAGE = 50
WORKBOOK_SHEETS = 50   # sheets in one Excel download of an organisation (about 1 s to write)
WINDOW = 2        # pages linked on each side of the current one (besides the first and last)


@dataclass(frozen=True)
class Pagination:
    page: int
    pages: int
    total: int
    per_page: int = PER_PAGE

    @property
    def first(self) -> int:
        """1-based position of the page's first row (0 when the list is empty)."""
        return min((self.page - 1) * self.per_page + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def rows(self, items: list) -> list:
        return items[self.offset:self.offset + self.per_page]

    def window(self) -> list[int | None]:
        """Page numbers to link, None where pages are left out: [1, None, 4, 5, 6, 7, 8, None, 11]."""
        near = range(max(1, self.page - WINDOW), min(self.pages, self.page + WINDOW) + 1)
        shown = sorted({1, self.pages, *near})
        out: list[int | None] = []
        for number in shown:
            if out and number - out[-1] > 1:
                out.append(None)
            out.append(number)
        return out


def paginate(total: int, requested, per_page: int = PER_PAGE) -> Pagination:
    """The page asked for (?page=, any text), kept within the list: 1 when unreadable."""
    pages = max(1, -(-total // per_page))
    page = min(max(parse_id(requested) or 1, 1), pages) if requested is not None else 1
    return Pagination(page=page, pages=pages, total=total, per_page=per_page)
