"""The daily risk scan (研判预警, issue #15): surges against the trailing eight weeks, group
claims, frequent claimants; idempotent, one message per supervisor per scan (a digest)."""

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db

MINGDONG = "440608102201"  # 明东村, 明城镇, 高明区
MINGCHENG = "440608102001"  # 明城社区, 明城镇
YANGMEI = "440608101201"  # 杨梅村, 杨和镇, 高明区
CHISHAN = "440605121201"  # 赤山村, 南海区


@pytest.fixture
def claim(submit_case, at):
    """``claim(month, day, region=…, matter=…, people=…)`` → a case registered then, each with its
    own phone unless one is given (so the frequent-claimant rule stays out of the way)."""
    serial = iter(range(10_000))

    def make(month, day, *, region=MINGDONG, matter="labor.wages", people=1, phone=None, hour=9):
        phone = phone or f"1370000{next(serial):04d}"
        return submit_case(matter=matter, region=region, people=people, phone=phone, at=at(month, day, hour))

    return make


@pytest.fixture
def scan(at):
    """The scan as run on 2026-11-20 at 06:00: the surge window is 11-13 … 11-19, the baseline the
    eight weeks before (09-18 … 11-12)."""
    from supervision.risk.services import risk_scan

    return lambda when=None: risk_scan(now=when or at(11, 20, 6))


def warnings(kind=None):
    from supervision.models import RiskWarning

    qs = RiskWarning.objects.select_related("region", "matter").order_by("id")
    return list(qs.filter(kind=kind) if kind else qs)


def risk_messages():
    from notifications.models import OutboxMessage

    return list(OutboxMessage.objects.filter(kind="risk_warning").select_related("recipient_user").order_by("id"))


def weekly(claim, per_week, **kw):
    """``per_week`` cases in each of the eight baseline weeks (Fridays 09-18 … 11-06, plus Mondays)."""
    start = dt.date(2026, 9, 18)
    for week in range(8):
        day = start + dt.timedelta(weeks=week)
        for n in range(per_week):
            d = day + dt.timedelta(days=n % 5)
            claim(d.month, d.day, **kw)


def test_a_surge_against_the_eight_weeks_before_is_a_warning(claim, scan):
    weekly(claim, 1)  # baseline: 8 cases, 1 a week
    recent = [claim(11, day, region=MINGDONG if day % 2 else MINGCHENG) for day in (13, 14, 15, 16, 17, 18)]
    claim(11, 16, region=YANGMEI)  # another town: not part of 明城镇's count
    claim(11, 16, matter="neighbour.noise")  # another matter branch
    claim(11, 20, hour=1)  # today: after the window

    result = scan()

    [surge] = warnings("surge")
    assert result.created == {"surge": 1}
    assert surge.region.name == "明城镇" and surge.matter.code == "labor"
    assert surge.count == 6 and float(surge.baseline) == 1.0 and float(surge.ratio) == 6.0
    assert set(surge.cases.values_list("pk", flat=True)) == {c.pk for c in recent}
    assert surge.status == "open"
    assert warnings("group") == [] and warnings("frequent") == []


def test_a_flat_series_is_no_surge(claim, scan):
    weekly(claim, 3)  # 3 a week, every week
    for day in (13, 14, 16):
        claim(11, day)
    for day in (17, 18, 19):
        claim(11, day)  # 6 this week: twice the average, not three times
    assert scan().total == 0
    assert warnings() == []


def test_fewer_than_five_cases_is_no_surge_even_from_nothing(claim, scan):
    for day in (13, 15, 17, 19):
        claim(11, day)  # 4 cases where there were none
    assert scan().total == 0
    claim(11, 19, hour=15)  # the fifth
    assert scan(when=None).total == 1  # the same day again: it sees the fifth too
    [surge] = warnings("surge")
    assert surge.ratio is None and float(surge.baseline) == 0  # none before: no ratio to show


def test_a_case_of_many_people_is_a_group_claim(claim, scan):
    group = claim(11, 10, people=25)
    claim(11, 11, people=9)  # below ten
    claim(9, 1, people=40)  # outside the thirty days
    scan()
    [w] = warnings("group")
    assert w.subject == group.number and w.people == 25 and w.claims == 1
    assert w.region.name == "明城镇" and w.matter.code == "labor"
    assert list(w.cases.all()) == [group]


def test_many_claims_on_one_case_is_a_group_claim(claim, scan, user):
    from cases import services as cs

    first = claim(11, 10)
    duplicates = [claim(11, day) for day in (11, 12)]
    for dup in duplicates:
        cs.case_merge(case=dup, actor=user("gm_window"), into=first, at=dup.created_at)
    scan()
    [w] = warnings("group")
    assert w.subject == first.number and w.claims == 3 and w.count == 3
    assert set(w.cases.values_list("pk", flat=True)) == {first.pk, *(d.pk for d in duplicates)}


def test_one_phone_on_many_cases_is_a_frequent_claimant(claim, scan):
    phone = "13912345678"
    cases = [
        claim(10, 25, phone=phone),
        claim(11, 5, phone=phone, region=YANGMEI, matter="neighbour.noise"),
        claim(11, 18, phone=phone),
    ]
    claim(10, 1, phone=phone)  # before the thirty days
    claim(11, 18, phone="13911112222")
    claim(11, 19, phone="13911112222")  # two only
    scan()
    [w] = warnings("frequent")
    assert w.subject == "139****5678" and w.count == 3
    assert w.region.name == "高明区"  # 明城镇 and 杨和镇: the district above both
    assert w.matter is None  # two matter branches
    assert set(w.cases.values_list("pk", flat=True)) == {c.pk for c in cases}
    assert phone not in w.subject_key and phone not in w.fingerprint
    bodies = {m.body for m in risk_messages()}
    assert bodies == {"研判预警（重复信访）：手机号 139****5678 近30日在高明区提出 3 件诉求，请研判。"}


def test_the_supervisors_of_the_place_are_told_once_each(claim, scan, user, staff):
    from accounts.services import staff_user_ensure

    nanhai = staff("nh_supervisor", "NH-ZX", "supervisor")
    staff_user_ensure(  # supervises the district and the city: still one message
        username="both_supervisor",
        full_name="两级督办",
        password="x-Pass-2026",
        memberships=[("GM-ZX", "supervisor"), ("FS-ZX", "supervisor")],
    )
    weekly(claim, 1)
    for day in (13, 14, 15, 16, 17):
        claim(11, day)
    scan()
    sent = risk_messages()
    assert sorted(m.recipient_user.username for m in sent) == ["both_supervisor", "fs_supervisor", "gm_supervisor"]
    assert nanhai not in [m.recipient_user for m in sent]
    assert {m.body for m in sent} == {
        "研判预警（诉求激增）：明城镇劳动保障类诉求近7日 5 件，为前8周周均的 5.0 倍，请研判。"
    }
    assert {m.channel for m in sent} == {"inapp"}


def test_the_scan_is_idempotent(claim, scan, at):
    phone = "13912345678"
    for day in (13, 14, 15, 16, 17):
        claim(11, day, phone=phone)
    claim(11, 18, people=30)
    first = scan()
    assert first.created == {"surge": 1, "group": 1, "frequent": 1}
    count, messages = len(warnings()), len(risk_messages())
    assert messages == 2  # three warnings, two supervisors: ONE message each, a line per warning
    for m in risk_messages():
        assert m.body.count("\n") == 2 and m.case_number == ""  # three lines; no single case to link

    assert scan().total == 0  # the same day again
    assert scan(at(11, 20, 23)).total == 0
    assert scan(at(11, 21, 6)).total == 0  # next day: the same surge, group case and person
    assert len(warnings()) == count and len(risk_messages()) == messages


def test_many_new_warnings_are_one_digest_per_supervisor(claim, scan, at, login):
    from django.urls import reverse

    groups = [claim(11, day, people=30) for day in (2, 3, 4, 5)]  # four group claims in 明城镇
    claim(11, 6, people=30, region=CHISHAN)  # 南海区: not the 高明区 supervisors' area
    assert scan().created == {"group": 5}
    sent = {m.recipient_user.username: m for m in risk_messages()}
    assert sorted(sent) == ["fs_supervisor", "gm_supervisor"]  # one message each, not one per warning
    assert sent["gm_supervisor"].body == (
        "研判预警：本次研判扫描在您督办的区域新增预警 4 条（群体性诉求 4 条），请到“研判预警”列表逐条研判。"
    )
    assert "新增预警 5 条（群体性诉求 5 条）" in sent["fs_supervisor"].body  # the city: both districts
    assert all(g.number not in sent["gm_supervisor"].body for g in groups)
    # the message opens the 研判预警 list
    client = login("gm_supervisor")
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'data-testid="open">查看</button>' in page  # no case number: the list
    response = client.post(reverse("notifications:message-open", args=[sent["gm_supervisor"].pk]))
    assert response.status_code == 302 and response.url == reverse("supervision:risk-list")

    # the next scan announces only what it creates: one more group claim, one line
    claim(11, 20, people=12)
    assert scan(at(11, 21, 6)).created == {"group": 1}
    new = [m for m in risk_messages() if m.pk not in {s.pk for s in sent.values()}]
    assert len(new) == 2 and {m.body.count("\n") for m in new} == {0}
    assert all("涉及 12 人" in m.body and m.case_number for m in new)  # a single group claim links its case
    assert scan(at(11, 21, 7)).total == 0 and len(risk_messages()) == 4


def test_the_scan_uses_grouped_queries(claim, scan, django_assert_max_num_queries):
    weekly(claim, 1)
    for day in (13, 14, 15, 16, 17, 18):
        claim(11, day)
    for region in (YANGMEI, CHISHAN):  # two more surges: the cases behind all three in ONE read
        for day in (13, 14, 15, 16, 17):
            claim(11, day, region=region, matter="neighbour.noise")
    claim(11, 18, people=30)
    for day in (1, 2, 3):
        claim(11, day, phone="13912345678", region=YANGMEI)
    # A fixed number of statements whatever the number of cases, surges or warnings. Pinned at 19
    # (was 25 with one case read per surge and one message per warning): PostgreSQL makes 19 here —
    # the savepoint pair, the lock, directory 2, surges 2, group claims 3 (a 4th when a case is
    # found by its claims alone), frequent claimants 2, earlier warnings 1, one INSERT of warnings
    # per kind (3), ONE of the case links, supervisors 1, ONE of the messages; SQLite 16 (no lock,
    # one INSERT of all the warnings).
    with django_assert_max_num_queries(19):
        result = scan()
    assert result.created == {"surge": 3, "group": 1, "frequent": 1}


def test_the_surge_reads_in_words_on_its_page(claim, scan, login):
    from django.urls import reverse

    weekly(claim, 1)
    for day in (13, 14, 15, 16, 17, 18):
        claim(11, day)
    scan()
    [surge] = warnings("surge")
    html = login("gm_supervisor").get(reverse("supervision:risk-detail", args=[surge.pk])).content.decode()
    assert "近7日 6 件，前8周周均 1.0 件，为其 6.0 倍" in html
    assert "2026年11月13日至2026年11月19日" in html


def test_a_surge_that_goes_on_is_warned_again_once_a_new_week_has_passed(claim, scan, at):
    for day in (13, 14, 15, 16, 17):
        claim(11, day)
    assert scan().created == {"surge": 1}
    for day in (20, 21, 23, 24, 25):
        claim(11, day)
    assert scan(at(11, 26, 6)).total == 0  # its window overlaps the first warning's
    second = scan(at(11, 27, 6))  # 11-20 … 11-26: a whole new week, still five and more
    assert second.created == {"surge": 1}
    first, again = warnings("surge")
    assert again.window_start == first.window_end
    assert again.count == 5 and float(again.baseline) == 0.63  # the first week: 5 / 8, to 0.01


def test_the_command_runs_the_scan_for_a_day(claim, capsys):
    from django.core.management import CommandError, call_command

    for day in (13, 14, 15, 16, 17):
        claim(11, day)
    call_command("risk_scan", date="2026-11-20")
    out = capsys.readouterr().out
    assert "新增 诉求激增 1 条，群体性诉求 0 条，重复信访人 0 条；已通知督办人 2 人次" in out
    call_command("risk_scan", date="2026-11-20")
    assert "新增 诉求激增 0 条" in capsys.readouterr().out
    with pytest.raises(CommandError, match="日期格式"):
        call_command("risk_scan", date="2026/11/20")
    with pytest.raises(CommandError, match="将来"):
        call_command("risk_scan", date="2999-01-01")
