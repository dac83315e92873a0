"""重复诉求率 (issue #13) on a small hand-computed data set: totals, by channel, matter, region and
month, the snapshot (same numbers as live), the page, the Excel export and the monthly PDF."""

import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook

from cases import services as cs
from core.periods import Period
from supervision.kpi.measures import kpi_board, kpi_scope
from supervision.kpi.snapshot import kpi_snapshot_days

pytestmark = pytest.mark.django_db

MAY = Period.month(2026, 5)
MINGDONG, NANHAI = "440608102201", "440605121201"  # 高明区 明东村; 南海区 赤山村


@pytest.fixture
def may(kpi_claim, user, at, fresh):
    """Registered in May 2026 (all 劳动保障 in 明东村 unless said otherwise):

    W1  web       the first report
    H1  hotline   the same problem again → merged into W1 on 05-06 (a repeat, hotline)
    H2  hotline   once more → merged into W1 on 05-07 (a repeat, hotline)
    W2  web       another problem, 消费维权 (consumer) → merged into nothing
    K   window    registered 05-29, merged into W2 on 06-02 (a repeat — of June, when it was merged)
    N   web       南海区 赤山村, left alone (another district)
    and X, registered 04-30, merged into W1 on 05-04 (a repeat of May; registered in April).

    May: 受理量 5 in 高明区 (W1 H1 H2 W2 K), repeats 3 (H1 H2 X) → 60 %;
    hotline 2 registered, 2 repeats → 100 %; web 2 registered (W1 W2), 1 repeat (X) → 50 %;
    window 1 registered, 0 repeats → 0 %. June: 1 repeat (K), 0 registered → no rate.
    """
    clerk = user("gm_window")
    x = kpi_claim(at=at(4, 30, 9))
    w1 = kpi_claim(at=at(5, 4, 9))
    cs.case_merge(case=fresh(x), actor=clerk, into=fresh(w1), at=at(5, 4, 10))
    h1 = kpi_claim(at=at(5, 6, 9), channel="hotline")
    cs.case_merge(case=fresh(h1), actor=clerk, into=fresh(w1), at=at(5, 6, 9, 5))
    h2 = kpi_claim(at=at(5, 7, 9), channel="hotline")
    cs.case_merge(case=fresh(h2), actor=clerk, into=fresh(w1), at=at(5, 7, 9, 5))
    w2 = kpi_claim(at=at(5, 8, 9), matter="consumer")
    k = kpi_claim(at=at(5, 29, 9), channel="window", matter="consumer")
    cs.case_merge(case=fresh(k), actor=clerk, into=fresh(w2), at=at(6, 2, 9))
    kpi_claim(at=at(5, 10, 9), region=NANHAI)
    return {"W1": w1, "W2": w2}


def board(user, username="gm_supervisor", period=MAY, **kw):
    return kpi_board(kpi_scope(user(username)), period, now=kw.pop("now"), **kw)


def test_the_rate_by_hand(may, user, at):
    b = board(user, now=at(6, 10, 12))
    t = b.totals
    assert (t.registered, t.repeats, t.repeat_rate) == (5, 3, 0.6)
    channels = {r.key: (r.measures.registered, r.measures.repeats, r.measures.repeat_rate) for r in b.by_channel}
    assert channels == {"hotline": (2, 2, 1.0), "web": (2, 1, 0.5), "window": (1, 0, 0.0)}
    matters = {r.key: (r.measures.registered, r.measures.repeats) for r in b.by_matter}
    assert matters == {"labor": (3, 3), "consumer": (2, 0)}
    assert b.trend[-1].label == "2026-05" and b.trend[-1].measures.repeat_rate == 0.6
    assert b.trend[-2].measures.repeats == 0 and b.trend[-2].measures.registered == 1  # April: X registered
    june = board(user, period=Period.month(2026, 6), now=at(6, 10, 12)).totals
    assert (june.registered, june.repeats, june.repeat_rate) == (0, 1, None)
    # a unit's ranking row never carries repeats (merged at intake, nobody handled them)
    assert all(r.measures.repeats == 0 for r in b.ranking)


def test_by_region_for_the_city(may, user, at):
    b = board(user, "fs_supervisor", now=at(6, 10, 12))
    regions = {r.key: (r.measures.registered, r.measures.repeats) for r in b.by_region if r.measures.registered}
    assert regions == {"440608": (5, 3), "440605": (1, 0)}
    assert b.totals.repeat_rate == 0.5


def test_the_snapshot_gives_the_live_numbers(may, user, at):
    now = at(6, 10, 12)
    kpi_snapshot_days(first=dt.date(2026, 4, 1), last=dt.date(2026, 6, 9), now=now)
    for username in ("gm_supervisor", "fs_supervisor", "admin"):
        for period in (MAY, Period(dt.date(2026, 5, 6), dt.date(2026, 5, 7)), Period.month(2026, 6)):
            live = board(user, username, period, now=now, use_snapshot=False)
            snap = board(user, username, period, now=now)
            assert snap.snapshot_days > 0
            assert snap.totals == live.totals, (username, period)
            assert [(r.key, r.measures) for r in snap.by_channel] == [(r.key, r.measures) for r in live.by_channel]
            assert [(r.key, r.measures) for r in snap.by_region] == [(r.key, r.measures) for r in live.by_region]
            assert [(r.key, r.measures) for r in snap.trend] == [(r.key, r.measures) for r in live.trend]


def test_page_excel_and_pdf_show_it(may, login, tmp_path, monkeypatch, at):
    from django.utils import timezone
    from test_monthly_report import pdf_text

    monkeypatch.setattr(timezone, "now", lambda: at(6, 10, 12))
    client = login("gm_supervisor")
    page = client.get("/supervision/kpi/?month=2026-05")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="figure-repeat_rate"' in html and "重复诉求率" in html
    figures = {key: value for key, _name, value, _kind, _d in page.context["figures"]}
    assert (figures["repeats"], figures["repeat_rate"]) == (3, 0.6)

    book = load_workbook(BytesIO(client.get("/supervision/kpi/export/?month=2026-05").content))
    summary = {row[0]: row[1] for row in book["主要指标"].iter_rows(min_row=3, values_only=True)}
    assert (summary["重复诉求数"], summary["重复诉求率"]) == (3, 0.6)
    channel = list(book["按来源渠道"].iter_rows(min_row=2, values_only=True))
    column = channel[0].index("重复诉求率")
    assert {row[0]: row[column] for row in channel[1:]} == {"网上提交": 0.5, "12345热线": 1.0, "窗口登记": 0.0}
    for sheet in ("月度趋势（近12个月）", "按事项大类", "按地区"):
        headers = next(book[sheet].iter_rows(min_row=2, max_row=2, values_only=True))
        assert headers[2] == "重复诉求率", sheet

    pdf = client.get("/supervision/kpi/monthly-report/?month=2026-05&region=440608")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (tmp_path / "may.pdf").write_bytes(pdf.content)
    text = pdf_text(tmp_path / "may.pdf")
    if text is not None:
        assert "重复诉求3件，重复诉求率60.0%" in "".join(text.split())
