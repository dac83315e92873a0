"""响应率, 解决率, 满意率 by channel and unit, 重办率 and 催办 (issue #11) on a small hand-computed data
set: the board, the snapshot (same numbers), the page, the Excel export and the monthly PDF."""

import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook

from cases import services as cs
from cases.models import Case, Outcome, Rating
from core.periods import Period
from supervision.kpi.measures import kpi_board, kpi_scope
from supervision.kpi.snapshot import kpi_snapshot_days

pytestmark = pytest.mark.django_db

JUNE = Period.month(2026, 6)


@pytest.fixture
def june(kpi_claim, user, at, fresh, citizen):
    """高明区 明东村, lead 高明区人社局; signed on Monday 06-08 → contact due by 06-09 23:59:59.

    P  web      contacted 06-09 (on time); result, sent back, result again; 满意 by phone, solved
    Q  hotline  pressed twice on 06-09; contacted 06-10 (late); 基本满意, not solved
    R  web      never contacted, withdrawn 06-11 (after its deadline: counts, late)
    S  web      withdrawn 06-08 before its deadline, never contacted: counts in neither
    T  window   signed 06-10, never contacted, still open (due 06-11: late)
    V  web      contacted on time; closed by the system unrated (unreachable): no answer
    U  web      signed 06-30: its deadline is in July
    """
    window, dispatcher, labor = user("gm_window"), user("gm_dispatch"), user("gm_labor")

    def signed(channel, day, hour=11):
        case = kpi_claim(at=at(6, day, 9), channel=channel)
        cs.case_accept(case=fresh(case), actor=window, at=at(6, day, 10))
        cs.case_sign(case=fresh(case), actor=labor, at=at(6, day, hour))
        return fresh(case)

    def contact(case, day, hour=10):
        cs.case_contact(case=fresh(case), actor=labor, method="phone", note="已电话联系", at=at(6, day, hour))

    def result(case, day, hour):
        cs.case_submit_result(
            case=fresh(case), actor=labor, result="已处理", outcome=Outcome.RESOLVED, at=at(6, day, hour)
        )

    def close(case, day, rating, solved):
        cs.case_approve(case=fresh(case), actor=dispatcher, at=at(6, day, 11))
        cs.case_rate(case=fresh(case), actor=citizen, rating=rating, at=at(6, day, 16))
        Case.objects.filter(pk=case.pk).update(rated_via="phone", solved=solved)  # the call-back's answer

    cases = {}
    cases["P"] = p = signed("web", 8)
    contact(p, 9)
    result(p, 10, 10)
    cs.case_send_back(case=fresh(p), actor=dispatcher, reason="未见书面核查记录", at=at(6, 10, 15))
    result(p, 11, 10)
    close(p, 12, Rating.SATISFIED, True)

    cases["Q"] = q = signed("hotline", 8)
    for hour in (9, 15):  # the citizen's 催办 (written by the press button's service elsewhere)
        cs.case_event_record(
            case=fresh(q), transition="press", actor=citizen, from_status="handling", at=at(6, 9, hour)
        )
    contact(q, 10)
    result(q, 10, 15)
    close(q, 12, Rating.BASIC, False)

    cases["R"] = r = signed("web", 8)
    cs.case_withdraw(case=fresh(r), actor=citizen, at=at(6, 11, 9))

    cases["S"] = s = signed("web", 8, hour=12)
    cs.case_withdraw(case=fresh(s), actor=citizen, at=at(6, 8, 15))

    cases["T"] = signed("window", 10)

    cases["V"] = v = signed("web", 8)
    contact(v, 8, 14)
    result(v, 9, 10)
    cs.case_approve(case=fresh(v), actor=dispatcher, at=at(6, 9, 11))
    cs.case_auto_close(case=fresh(v), at=at(6, 19, 11))

    cases["U"] = signed("web", 30)
    return cases


def board(user, username="gm_supervisor", period=JUNE, **kw):
    return kpi_board(kpi_scope(user(username)), period, now=kw.pop("now"), **kw)


def test_the_three_rates_and_rework_by_hand(june, user, at):
    t = board(user, now=at(7, 10, 12)).totals
    # contact deadlines in June: P Q R T V (S void, U in July); contacted by them: P V
    assert (t.contact_due, t.contacted_on_time) == (5, 2) and t.response_rate == 0.4
    # closed in June: P Q V; answered: P (solved) Q (not); V closed unrated, no answer
    assert (t.answered, t.solved, t.solve_rate) == (2, 1, 0.5)
    assert (t.rated, t.satisfied, t.satisfaction_rate) == (2, 2, 1.0)
    # results submitted: P twice, Q, V; sent back: P once
    assert (t.results, t.send_backs, t.rework_rate) == (4, 1, 0.25)
    assert t.presses == 2


def test_by_channel_unit_matter_and_month(june, user, at):
    b = board(user, now=at(7, 10, 12))
    channels = {
        r.key: (r.measures.response_rate, r.measures.solve_rate, r.measures.satisfaction_rate, r.measures.rework_rate)
        for r in b.by_channel
    }
    # web: P V on time, R late; hotline: Q late; window: T late
    assert channels["web"] == (0.6667, 1.0, 1.0, 0.3333)
    assert channels["hotline"] == (0.0, 0.0, 1.0, 0.0)
    assert channels["window"] == (0.0, None, None, None)
    (unit,) = [r for r in b.ranking if r.key == "GM-RSJ"]
    assert (unit.measures.response_rate, unit.measures.solve_rate, unit.measures.rework_rate) == (0.4, 0.5, 0.25)
    assert unit.measures.presses == 2
    (labor,) = [r for r in b.by_matter if r.key == "labor"]
    assert labor.measures.response_rate == 0.4
    june_row = b.trend[-1]
    assert june_row.label == "2026-06" and june_row.measures.rework_rate == 0.25
    july = board(user, period=Period.month(2026, 7), now=at(7, 10, 12))
    assert (july.totals.contact_due, july.totals.contacted_on_time) == (1, 0)  # U, due 07-01


def test_a_deadline_not_yet_passed_is_not_counted(june, user, at):
    # on 06-09 at noon, the deadlines of 06-09 have not passed: only S would be due, and it is void
    assert board(user, now=at(6, 9, 12)).totals.contact_due == 0
    assert board(user, now=at(6, 10, 0, 30)).totals.contact_due == 4  # P Q R V


def test_the_snapshot_gives_the_live_numbers(june, user, at):
    now = at(7, 10, 12)
    kpi_snapshot_days(first=dt.date(2026, 6, 1), last=dt.date(2026, 7, 9), now=now)
    for username in ("gm_supervisor", "fs_supervisor", "admin"):
        for period in (JUNE, Period(dt.date(2026, 6, 9), dt.date(2026, 6, 10)), Period.month(2026, 7)):
            live = board(user, username, period, now=now, use_snapshot=False)
            snap = board(user, username, period, now=now)
            assert snap.snapshot_days > 0
            assert snap.totals == live.totals, (username, period)
            assert [(r.key, r.measures) for r in snap.ranking] == [(r.key, r.measures) for r in live.ranking]
            assert [(r.key, r.measures) for r in snap.by_channel] == [(r.key, r.measures) for r in live.by_channel]


def test_page_excel_and_pdf_show_them(june, login, tmp_path):
    from test_monthly_report import pdf_text

    client = login("gm_supervisor")
    page = client.get("/supervision/kpi/?month=2026-06")
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("response_rate", "solve_rate", "rework_rate", "presses"):
        assert f'data-testid="figure-{key}"' in html
    figures = {key: value for key, _name, value, _kind, _d in page.context["figures"]}
    assert (figures["response_rate"], figures["solve_rate"], figures["rework_rate"], figures["presses"]) == (
        0.4,
        0.5,
        0.25,
        2,
    )
    export = client.get("/supervision/kpi/export/?month=2026-06")
    book = load_workbook(BytesIO(export.content))
    channel = list(book["按来源渠道"].iter_rows(min_row=2, values_only=True))
    assert channel[0][-4:] == ("满意率", "响应率", "解决率", "重办率")
    ranking_headers = next(book["承办单位排名"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert ranking_headers[-5:] == ("响应率", "解决率", "重办率", "催办数", "推诿次数")  # 推诿次数: issue #15
    summary = {row[0]: row[1] for row in book["主要指标"].iter_rows(min_row=3, values_only=True)}
    assert (summary["响应率"], summary["解决率"], summary["重办率"], summary["催办次数"]) == (0.4, 0.5, 0.25, 2)

    pdf = client.get("/supervision/kpi/monthly-report/?month=2026-06&region=440608")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (tmp_path / "june.pdf").write_bytes(pdf.content)
    text = pdf_text(tmp_path / "june.pdf")
    if text is not None:
        compact = "".join(text.split())
        assert "响应率40.0%，解决率50.0%，重办率25.0%；群众催办2次" in compact
        assert "解决率" in compact and "重办率" in compact
    sorted_page = client.get("/supervision/kpi/?month=2026-06&sort=rework")
    assert sorted_page.context["board"].sort == "rework"
