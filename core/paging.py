"""Bounded pages for staff lists: a page number from the query string, one page of rows and
whether another follows (``page_size + 1`` rows fetched, never a COUNT)."""

from __future__ import annotations

PAGE_SIZE = 25
#: Deeper pages are refused: an OFFSET that large is a scan, and the filters narrow better.
MAX_PAGE = 200


def page_number(request, *, max_page: int = MAX_PAGE) -> int:
    """``?page=`` as a number from 1 to ``max_page`` (1 when missing or not a number)."""
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    return min(max(page, 1), max_page)


def bounded_page(queryset, page: int, *, page_size: int = PAGE_SIZE, max_page: int = MAX_PAGE) -> tuple[list, bool]:
    """The rows of ``page`` and whether another page follows."""
    start = (page - 1) * page_size
    rows = list(queryset[start : start + page_size + 1])
    return rows[:page_size], len(rows) > page_size and page < max_page


#: A list's total is counted up to this many rows and shown as "10,000+" beyond: the count then
#: reads at most ``COUNT_CAP + 1`` index entries, however large the table (CONVENTIONS.md: never
#: ``COUNT(*)`` a whole table on a hot page).
COUNT_CAP = 10_000


def capped_total(queryset, rows: list, page: int, has_next: bool, *, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(total, more than ``cap``) for a bounded page. A first page that is also the last needs no
    query; otherwise one ``SELECT COUNT(*) FROM (… LIMIT cap + 1)``."""
    if page == 1 and not has_next:
        return len(rows), False
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap
