"""The one Excel writer of the project. Every cell is written through ``SheetWriter.row``.

Text is hostile (OWASP, "CSV Injection"): a value starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return would be read by Excel or LibreOffice as a formula (``=HYPERLINK(…)``), so
it is prefixed with a single quote and stored as a string cell, never a formula. Characters
XML cannot hold are dropped. Numbers, dates and empty cells stay typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="F3E5E4")
BOLD = Font(bold=True)
CAPTION_FONT = Font(italic=True, color="666666")
TYPED = (int, float, dt.date, dt.datetime, dt.time, dt.timedelta)


def neutralise(value):
    """A cell value that cannot become a formula: text is a string with a leading ``'`` when it
    starts like one; numbers, dates, booleans and None are kept as they are."""
    if value is None or isinstance(value, (bool, *TYPED)):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class SheetWriter:
    """Rows appended to one worksheet, every value through ``neutralise``."""

    def __init__(self, sheet):
        self.sheet = sheet

    def row(self, values: Iterable, *, font: Font | None = None, fill: PatternFill | None = None, formats=()) -> None:
        """Append one row; ``formats``: a number format per column ("" for none)."""
        cleaned = [neutralise(v) for v in values]
        self.sheet.append([None] * len(cleaned) if cleaned else [])
        index = self.sheet.max_row
        formats = list(formats)
        for column, value in enumerate(cleaned, start=1):
            cell = self.sheet.cell(row=index, column=column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never "f", whatever the text looks like
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            number_format = formats[column - 1] if column - 1 < len(formats) else ""
            if number_format:
                cell.number_format = number_format
                cell.alignment = Alignment(horizontal="right")

    def header(self, values: Iterable) -> None:
        self.row(values, font=BOLD, fill=HEADER_FILL)

    def widths(self, widths: Iterable[float]) -> None:
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width

    def freeze(self, cell: str) -> None:
        self.sheet.freeze_panes = cell


class WorkbookWriter:
    """A workbook of ``SheetWriter`` sheets, saved to bytes."""

    def __init__(self):
        self.book = Workbook()
        self.book.remove(self.book.active)

    def sheet(self, title: str) -> SheetWriter:
        # Sheet titles may not hold []:*?/\ and are at most 31 characters.
        safe = "".join(" " if ch in "[]:*?/\\" else ch for ch in ILLEGAL_CHARACTERS_RE.sub("", str(title)))
        return SheetWriter(self.book.create_sheet(title=safe[:31] or "Sheet"))

    def content(self) -> bytes:
        out = BytesIO()
        self.book.save(out)
        return out.getvalue()
