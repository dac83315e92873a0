"""Tables of figures as a board page, its Excel export and its PDF show them: cells are
(value, kind) pairs, kinds say how a value is formatted."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from .xlsx import CAPTION_FONT, WorkbookWriter

TEXT, INT, RATE, DAYS = "text", "int", "rate", "days"
Cell = tuple[object, str]
NUMBER_FORMATS = {INT: "0", RATE: "0.0%", DAYS: "0.0"}


@dataclass
class KpiTable:
    slug: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    sort_keys: list[str] = field(default_factory=list)  # per column: ranking sort parameter or ""
    note: str = ""

    @property
    def columns(self) -> list[tuple[str, bool, str]]:
        """(header, numeric, sort key) per column, for the template."""
        kinds = [kind for _value, kind in self.rows[0]] if self.rows else [TEXT] * len(self.headers)
        keys = self.sort_keys or [""] * len(self.headers)
        return [(h, k != TEXT, key) for h, k, key in zip(self.headers, kinds, keys, strict=True)]


def summary_table(figures, *, table: type[KpiTable] = KpiTable) -> KpiTable:
    """The 主要指标 table of a board from its ``summary_figures`` rows (key, name, value, kind,
    definition); ``table`` is the ``KpiTable`` subclass the page uses."""
    rows = [[(name, TEXT), (value, kind), (definition, TEXT)] for _key, name, value, kind, definition in figures]
    return table("summary", _("主要指标"), [_("指标"), _("数值"), _("口径")], rows)


def fmt(value, kind: str) -> str:
    """A figure as the page and the report show it."""
    if value is None:
        return "—"
    if kind == RATE:
        return f"{value * 100:.1f}%"
    if kind == DAYS:
        return f"{value:.1f}"
    return str(value)


def board_workbook(board, tables: list[KpiTable]) -> bytes:
    """The Excel export of a board page (any board with ``scope.name``, ``period.label`` and
    ``generated_at``): its tables under a caption naming the scope, period and time."""
    caption = _("%(scope)s · %(period)s · 生成于 %(at)s") % {
        "scope": board.scope.name,
        "period": board.period.label,
        "at": timezone.localtime(board.generated_at).strftime("%Y-%m-%d %H:%M"),
    }
    return tables_workbook(tables, caption)


def tables_workbook(tables: list[KpiTable], caption: str) -> bytes:
    """One sheet per table, with its headers under a caption line; numbers stay numbers (rates as
    fractions formatted as percentages), an empty rate is an empty cell."""
    book = WorkbookWriter()
    for table in tables:
        sheet = book.sheet(table.title)
        sheet.row([caption], font=CAPTION_FONT)
        sheet.header(table.headers)
        for row in table.rows:
            sheet.row([value for value, _kind in row], formats=[NUMBER_FORMATS.get(kind, "") for _v, kind in row])
        sheet.widths(
            min(60, max(10, longest * 2 + 2))
            for longest in (
                max([len(str(header))] + [len(str(r[index][0] or "")) for r in table.rows])
                for index, header in enumerate(table.headers)
            )
        )
        sheet.freeze("A3")
    return book.content()
