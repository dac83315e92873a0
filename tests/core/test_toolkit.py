"""Unit tests of the shared toolkit (``core``): the Excel writer's neutralising, the PDF base's
escaping, the service-error helper, paging, formatting and periods."""

import datetime as dt
from io import BytesIO

import pytest
from django import forms
from django.test import RequestFactory
from django.utils import timezone
from openpyxl import load_workbook
from pdfminer.high_level import extract_text
from reportlab.platypus import SimpleDocTemplate

from core import pdf
from core.errors import ForbiddenError, ServiceError, StaleError
from core.formatting import cn_date, cn_datetime
from core.kpi_tables import INT, RATE, TEXT, KpiTable, fmt, tables_workbook
from core.paging import bounded_page, page_number
from core.periods import Period, add_months, ratio
from core.views import service_error_response
from core.xlsx import WorkbookWriter, neutralise


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("拖欠工资", "拖欠工资"),
        ("a=b", "a=b"),
        ("nul\x00here", "nulhere"),  # XML cannot hold it
        (-1, -1),
        (2.5, 2.5),
        (None, None),
        (dt.date(2026, 10, 1), dt.date(2026, 10, 1)),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_the_writer_keeps_numbers_typed_and_text_as_strings():
    book = WorkbookWriter()
    sheet = book.sheet("a/b:c[1]?")  # characters a sheet title may not hold
    sheet.header(["标题", "件数", "比例"])
    sheet.row(['=HYPERLINK("http://x","y")', 3, 0.5], formats=["", "0", "0.0%"])
    sheet.row([])
    sheet.row(["after a blank row"])
    loaded = load_workbook(BytesIO(book.content()))
    ws = loaded.worksheets[0]
    assert ws.title == "a b c 1  "
    title, count, share = ws[2]
    assert (title.value, title.data_type) == ('\'=HYPERLINK("http://x","y")', "s")
    assert (count.value, count.data_type, count.number_format) == (3, "n", "0")
    assert (share.value, share.number_format) == (0.5, "0.0%")
    assert ws["A4"].value == "after a blank row"


def test_tables_workbook():
    table = KpiTable("t", "按地区", ["地区", "受理量", "办结率"], [[("-高明区", TEXT), (4, INT), (None, RATE)]])
    ws = load_workbook(BytesIO(tables_workbook([table], "caption"))).worksheets[0]
    assert [c.value for c in ws[1]][:1] == ["caption"]
    assert [c.value for c in ws[3]] == ["'-高明区", 4, None]
    assert ws["C3"].number_format == "0.0%"
    assert ws.freeze_panes == "A3"


def test_fmt():
    assert (fmt(None, RATE), fmt(0.8571, RATE), fmt(3, INT)) == ("—", "85.7%", "3")


def test_para_escapes_every_text(tmp_path):
    pdf.register_font()
    styles = pdf.styles()
    hostile = ["<unclosed 拖欠工资", '<img src="/etc/passwd"/>', "<b>&amp; & </b>"]
    assert pdf.text("a<b>&\nc") == "a&lt;b&gt;&amp;<br/>c"
    assert pdf.text(None) == "" and pdf.text(3) == "3"
    out = BytesIO()
    SimpleDocTemplate(out).build([pdf.para(value, styles["body"]) for value in hostile])
    compact = "".join(extract_text(BytesIO(out.getvalue())).split())
    for value in hostile:
        assert "".join(value.split()) in compact


def test_styles_take_overrides():
    styles = pdf.styles(11, 19, overrides={"cell": {"fontSize": 9.5}, "extra": {"leading": 30}})
    assert styles["body"].fontName == pdf.FONT and styles["body"].fontSize == 11
    assert styles["cell"].fontSize == 9.5 and styles["extra"].leading == 30


class _Form(forms.Form):
    name = forms.CharField()


def test_a_service_error_goes_on_the_form():
    form = _Form({"name": "x"})
    assert form.is_valid()
    assert service_error_response(ServiceError("名称已被占用", field="name"), form=form) is None
    assert form.errors == {"name": ["名称已被占用"]}
    other = _Form({"name": "x"})
    other.is_valid()
    assert service_error_response(ServiceError("不能办理", field="nope"), form=other) is None
    assert other.non_field_errors() == ["不能办理"]


@pytest.mark.parametrize(("error", "status"), [(StaleError, 409), (ForbiddenError, 403), (ServiceError, 400)])
def test_stale_and_forbidden_errors_answer_their_status(error, status):
    response = service_error_response(error("该案件刚被他人处理"), form=_Form({}) if status != 400 else None)
    assert response.status_code == status
    assert response.content.decode() == "该案件刚被他人处理"
    assert error("x", field="f").field == "f" and isinstance(error("x"), ServiceError)


def test_paging():
    factory = RequestFactory()
    assert [page_number(factory.get("/", {"page": p})) for p in ("3", "x", "-4", "99999")] == [3, 1, 1, 200]
    assert page_number(factory.get("/")) == 1
    rows = list(range(7))
    assert bounded_page(rows, 1, page_size=3) == ([0, 1, 2], True)
    assert bounded_page(rows, 3, page_size=3) == ([6], False)
    assert bounded_page(rows, 2, page_size=3, max_page=2) == ([3, 4, 5], False)


def test_formatting():
    at = timezone.make_aware(dt.datetime(2026, 11, 21, 14, 5))
    assert cn_datetime(at) == "2026年11月21日 14:05" and cn_datetime(None) == ""
    assert cn_date(at) == "2026年11月21日" and cn_date(dt.date(2026, 1, 2)) == "2026年1月2日"
    assert cn_date(None) == "" and cn_date(None, empty="　年") == "　年"


def test_periods():
    assert ratio(1, 3) == 0.3333 and ratio(1, 0) is None
    assert add_months(dt.date(2026, 11, 21), 2) == dt.date(2027, 1, 1)
    assert add_months(dt.date(2026, 1, 5), -1) == dt.date(2025, 12, 1)
    october = Period.month(2026, 10)
    assert (october.end, october.is_month, october.month_param) == (dt.date(2026, 10, 31), True, "2026-10")
    assert october.label == "2026年10月"
    assert Period(dt.date(2026, 10, 2), dt.date(2026, 10, 9)).label == "2026年10月2日至2026年10月9日"


def test_parse_month():
    from core.periods import parse_month

    assert parse_month(" 2026-10 ") == dt.date(2026, 10, 1) and parse_month("2026-1") == dt.date(2026, 1, 1)
    assert [parse_month(v) for v in ("2026-13", "1999-01", "2026/10", "", None)] == [None] * 5
