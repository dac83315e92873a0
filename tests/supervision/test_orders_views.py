"""督办 screens: issue, the supervisor's list, the unit's inbox, an order's page and its actions —
who may use each, the whole flow through the views, bad input, and query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services as cs
from cases.models import Case, CaseEvent
from cases.workdays import add_working_days
from routing.models import Unit
from supervision import services as ss
from supervision.models import OrderStatus, SupervisionOrder

pytestmark = pytest.mark.django_db

ORDERS = reverse("supervision:orders")
INBOX = reverse("supervision:unit-orders")


def issue_url(case):
    return reverse("supervision:order-issue", args=[case.number])


def detail_url(order):
    return reverse("supervision:order-detail", args=[order.pk])


def act_url(order, action):
    return reverse("supervision:order-act", args=[order.pk, action])


@pytest.fixture
def ordered(open_case, user, staff, fresh):
    """A 拖欠工资 case in 明东村 being handled by 高明区人社局 (协办 明城镇综治中心), with one open
    督办 from gm_supervisor to the lead unit; plus a 禅城 supervisor and a handler of an unrelated
    高明 unit."""
    case = open_case()
    order = ss.order_issue(
        case=case, unit=case.lead_unit, actor=user("gm_supervisor"), instruction="请三日内核实欠薪金额", due_days=3
    )
    staff("cc_supervisor", "CC-ZX", "supervisor")
    staff("cgj_handler", "GM-CGJ", "handler")
    return case, fresh(order)


def test_who_may_use_each_screen(ordered, client, login, fresh):
    case, order = ordered
    screens = {
        "list": ("get", ORDERS),
        "inbox": ("get", INBOX),
        "issue": ("get", issue_url(case)),
        "detail": ("get", detail_url(order)),
        "close": ("post", act_url(order, "close")),
    }
    for method, url in screens.values():
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url

    expected = {
        # list, inbox, issue, detail, close (a POST with no note: closes when allowed — so last)
        "citizen-13800138000": (403, 403, 403, 403, 403),  # even the case's own citizen
        "gm_window": (403, 403, 403, 200, 403),  # centre staff see the case, so its order
        "gm_labor": (403, 200, 403, 200, 403),  # the unit: its inbox and the order, not the boards
        "mc_centre": (403, 200, 403, 200, 403),  # cooperating: sees the case, the order is not theirs
        "cgj_handler": (403, 200, 404, 404, 404),  # another unit: nothing of this case or order
        "cc_supervisor": (200, 403, 404, 404, 404),  # 禅城区: nothing of 高明
        "admin": (200, 403, 403, 200, 403),  # sees all, acts only through a supervisor's role
        "fs_supervisor": (200, 403, 200, 200, 302),  # the city covers 高明
    }
    for username, codes in expected.items():
        c = login(username)
        got = tuple(getattr(c, method)(url).status_code for method, url in screens.values())
        assert got == codes, username
    assert fresh(order).status == OrderStatus.CLOSED  # fs_supervisor's close went through

    gm = login("gm_supervisor")
    assert gm.get(issue_url(case)).status_code == 200
    assert gm.post(act_url(order, "reply"), {"reply": "x"}).status_code == 403  # the unit's to answer
    assert gm.post(act_url(order, "delete")).status_code == 404
    assert gm.get(act_url(order, "close")).status_code == 405
    assert gm.get(reverse("supervision:order-detail", args=[order.pk + 100])).status_code == 404
    assert gm.get(reverse("supervision:order-issue", args=["高明-2026-999999"])).status_code == 404
    # the lists: 禅城's supervisor sees none of it, the city and admins do
    assert login("cc_supervisor").get(ORDERS + "?status=closed").context["orders"] == []
    for username in ("gm_supervisor", "fs_supervisor", "admin"):
        assert [o.pk for o in login(username).get(ORDERS + "?status=closed").context["orders"]] == [order.pk]
    assert gm.get(ORDERS + "?status=nonsense").status_code == 404


def test_an_order_to_a_unit_not_on_the_case(ordered, login, user):
    """A supervisor may ask any unit of the district: its handlers see and answer the order (with
    the case's essentials), but not the case page, which stays theirs to open only if they may."""
    case, _order = ordered
    order = ss.order_issue(
        case=case, unit=Unit.objects.get(code="GM-CGJ"), actor=user("gm_supervisor"), instruction="请协助核查现场"
    )
    c = login("cgj_handler")
    assert [o.pk for o in c.get(INBOX).context["orders"]] == [order.pk]
    page = c.get(detail_url(order))
    assert page.status_code == 200 and not page.context["order"].case_visible
    body = page.content.decode()
    assert case.description in body and 'data-testid="case-link"' not in body
    assert 'data-testid="action-reply"' in body
    assert c.get(reverse("cases:case-detail", args=[case.number])).status_code == 404
    assert login("gm_supervisor").get(detail_url(order)).context["order"].case_visible


def test_issue_form(ordered, login, open_case, user):
    case, _order = ordered
    gm = login("gm_supervisor")
    page = gm.get(issue_url(case))
    form = page.context["form"]
    assert form["unit"].value() == str(case.lead_unit_id) and form["due_days"].value() == 2
    groups = dict(form.fields["unit"].choices)
    assert [label for _pk, label in groups["本案承办单位"]] == [
        "高明区人力资源和社会保障局（主办）",
        "明城镇综治中心（协办）",
    ]
    others = {label for key, group in groups.items() if key != "本案承办单位" for _pk, label in group}
    assert "高明区城市管理和综合执法局" in others and "明城镇农业农村办" in others
    assert not any("禅城" in label for label in others)  # the case's district only
    assert not any("已并入" in label for label in others)  # retired units are not offered
    assert "高明区 · 其他单位" in groups

    retired = Unit.objects.get(code="GM-MC-NLY")
    cc = Unit.objects.get(code="CC-RSJ")
    bad = [
        ({"unit": case.lead_unit_id, "instruction": " ", "due_days": 5}, "请填写督办要求"),
        ({"unit": case.lead_unit_id, "instruction": "请尽快办理", "due_days": 0}, "至少 1 个工作日"),
        ({"unit": case.lead_unit_id, "instruction": "请尽快办理", "due_days": 31}, "最多 30 个工作日"),
        ({"unit": case.lead_unit_id, "instruction": "请尽快办理", "due_days": "两天"}, "应为整数"),
        ({"unit": cc.pk, "instruction": "请尽快办理", "due_days": 2}, "不在可选范围内"),
        ({"unit": retired.pk, "instruction": "请尽快办理", "due_days": 2}, "不在可选范围内"),
        ({"instruction": "请尽快办理", "due_days": 2}, "请选择督办对象"),
        ({"unit": case.lead_unit_id, "instruction": "字" * 2001, "due_days": 2}, "内容过长"),
    ]
    for data, message in bad:
        response = gm.post(issue_url(case), data)
        assert response.status_code == 400, data
        body = response.content.decode()
        assert message in body, (data, message)
        if str(data["instruction"]).strip() and len(data["instruction"]) < 100:
            assert data["instruction"] in body  # what was typed is kept
    assert SupervisionOrder.objects.filter(case=case).count() == 1

    before = timezone.now()
    response = gm.post(
        issue_url(case), {"unit": case.cooperating_units.get().pk, "instruction": "请村居协助联系企业", "due_days": 3}
    )
    assert response.status_code == 302 and response["Location"] == reverse("cases:case-detail", args=[case.number])
    order = SupervisionOrder.objects.get(case=case, unit__code="GM-MC-ZZ")
    assert order.issued_by.username == "gm_supervisor" and order.status == OrderStatus.OPEN
    assert add_working_days(before, 3) <= order.due_at <= add_working_days(timezone.now(), 3)
    followed = gm.get(response["Location"])
    assert "已向明城镇综治中心发出督办" in followed.content.decode()

    closed = open_case(status="submitted")
    cs.case_reject(case=closed, actor=user("gm_window"), reason="不属于受理范围")
    refused = gm.post(
        issue_url(closed), {"unit": Unit.objects.get(code="GM-RSJ").pk, "instruction": "x", "due_days": 2}
    )
    assert refused.status_code == 400 and "案件已结束" in refused.content.decode()


def test_the_whole_flow_through_the_views(open_case, login, fresh):
    """issue → the unit replies → the supervisor presses → the unit replies → the supervisor closes;
    the case page lists the order and its timeline shows every step."""
    case = open_case()
    supervisor, unit = login("gm_supervisor"), login("gm_labor")
    case_page = reverse("cases:case-detail", args=[case.number])
    page = supervisor.get(case_page).content.decode()
    assert 'data-testid="issue-order"' in page and issue_url(case) in page
    assert 'data-testid="issue-order"' not in unit.get(case_page).content.decode()

    supervisor.post(issue_url(case), {"unit": case.lead_unit_id, "instruction": "请三日内核实欠薪金额", "due_days": 3})
    order = SupervisionOrder.objects.get(case=case)
    assert [o.pk for o in unit.get(INBOX).context["orders"]] == [order.pk]
    detail = unit.get(detail_url(order))
    assert [item["name"] for item in detail.context["panel"]] == ["reply"]
    assert "请三日内核实欠薪金额" in detail.content.decode()

    response = unit.post(act_url(order, "reply"), {"reply": "已约谈企业，承诺周五前支付"})
    assert response.status_code == 302 and response["Location"] == detail_url(order)
    assert fresh(order).status == OrderStatus.REPLIED
    listing = supervisor.get(ORDERS + "?status=replied")
    assert [o.pk for o in listing.context["orders"]] == [order.pk]
    assert {t["status"]: t["count"] for t in listing.context["tabs"]} == {
        "open": 0,
        "overdue": 0,
        "replied": 1,
        "closed": 0,
    }
    assert [i["name"] for i in supervisor.get(detail_url(order)).context["panel"]] == ["close", "press"]

    supervisor.post(act_url(order, "press"), {"instruction": "请提供支付凭证", "due_days": 1})
    order = fresh(order)
    assert (order.status, order.pressed, order.instruction) == (OrderStatus.OPEN, 1, "请提供支付凭证")
    inbox = unit.get(INBOX)
    assert [o.pk for o in inbox.context["orders"]] == [order.pk] and inbox.context["counts"]["open"] == 1
    assert "已催办 1 次" in inbox.content.decode()

    unit.post(act_url(order, "reply"), {"reply": "已上传银行转账凭证"})
    assert fresh(order).reply == "已上传银行转账凭证"
    supervisor.post(act_url(order, "close"), {"note": "欠薪已付清"})
    order = fresh(order)
    assert order.status == OrderStatus.CLOSED and order.closed_at is not None
    assert [o.pk for o in supervisor.get(ORDERS + "?status=closed").context["orders"]] == [order.pk]
    assert unit.get(INBOX).context["orders"] == []  # nothing waits on the unit any more
    assert supervisor.get(detail_url(order)).context["panel"] == []

    events = list(
        CaseEvent.objects.filter(case=case, transition__startswith="order_").values_list("transition", "note")
    )
    assert events == [
        ("order_issue", "督办高明区人力资源和社会保障局：请三日内核实欠薪金额"),
        ("order_reply", "已约谈企业，承诺周五前支付"),
        ("order_press", "请提供支付凭证"),
        ("order_reply", "已上传银行转账凭证"),
        ("order_close", "欠薪已付清"),
    ]
    page = supervisor.get(case_page).content.decode()
    for label in ("督办", "督办回复", "再次督办", "督办办结"):
        assert f"<strong>{label}</strong>" in page
    assert 'data-testid="case-order"' in page and detail_url(order) in page


def test_bad_input_on_each_action(ordered, login, fresh):
    case, order = ordered
    supervisor, unit = login("gm_supervisor"), login("gm_labor")

    empty = unit.post(act_url(order, "reply"), {"reply": "  "})
    assert empty.status_code == 400 and "请填写回复内容" in empty.content.decode()
    press = supervisor.post(act_url(order, "press"), {"instruction": "请再核实", "due_days": 0})
    assert press.status_code == 400
    body = press.content.decode()
    assert "至少 1 个工作日" in body and "请再核实" in body  # typed text kept
    assert supervisor.post(act_url(order, "press"), {"instruction": "", "due_days": 2}).status_code == 400
    assert fresh(order).pressed == 0

    unit.post(act_url(order, "reply"), {"reply": "已处理"})
    again = unit.post(act_url(order, "reply"), {"reply": "补充：已付清"})  # a stale page: already replied
    assert again.status_code == 400
    body = again.content.decode()
    assert "该督办单已回复或已办结" in body and "补充：已付清" in body
    assert fresh(order).reply == "已处理"

    supervisor.post(act_url(order, "close"), {})
    closed_again = supervisor.post(act_url(order, "close"), {"note": "再次确认"})
    assert closed_again.status_code == 400 and "该督办单已办结" in closed_again.content.decode()
    pressed_closed = supervisor.post(act_url(order, "press"), {"instruction": "请继续", "due_days": 2})
    assert pressed_closed.status_code == 400 and "该督办单已办结" in pressed_closed.content.decode()


def test_overdue_orders_are_flagged(open_case, login, user):
    case = open_case()
    late = ss.order_issue(
        case=case,
        unit=case.lead_unit,
        actor=user("gm_supervisor"),
        instruction="请核实",
        due_days=1,
        at=timezone.now() - timedelta(days=10),
    )
    on_time = ss.order_issue(case=case, unit=case.lead_unit, actor=user("gm_supervisor"), instruction="请回访")
    supervisor = login("gm_supervisor")
    listing = supervisor.get(ORDERS)
    assert {t["status"]: t["count"] for t in listing.context["tabs"]} == {
        "open": 2,
        "overdue": 1,
        "replied": 0,
        "closed": 0,
    }
    assert [o.pk for o in listing.context["orders"]] == [late.pk, on_time.pk]  # soonest due first
    assert [o.pk for o in supervisor.get(ORDERS + "?status=overdue").context["orders"]] == [late.pk]
    body = listing.content.decode()
    assert f'data-order="{late.pk}" class="yk-order-late"' in body
    assert f'data-order="{on_time.pk}">' in body
    inbox = login("gm_labor").get(INBOX)
    assert inbox.context["counts"]["overdue"] == 1 and 'class="yk-order-late"' in inbox.content.decode()
    assert "已逾期未回复" in supervisor.get(detail_url(late)).content.decode()


def _count(client, url, bound, django_assert_max_num_queries):
    with django_assert_max_num_queries(bound), CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["orders"])


def test_query_counts_do_not_grow(submit_case, login, user, django_assert_max_num_queries):
    """Session, user, memberships, ONE count per tab/state, one page of orders (case, place, unit,
    issuer joined), the header's bell — the same for 3 and for 12 orders."""
    supervisor, unit = login("fs_supervisor"), login("gm_labor")
    rsj = Unit.objects.get(code="GM-RSJ")
    made, counts = [], {"list": [], "inbox": []}
    for n in (3, 12):
        while len(made) < n:
            case = Case.objects.select_related("region").get(pk=submit_case().pk)
            made.append(
                ss.order_issue(case=case, unit=rsj, actor=user("gm_supervisor"), instruction=f"督办{len(made)}")
            )
        counts["list"].append(_count(supervisor, ORDERS, 6, django_assert_max_num_queries))
        counts["inbox"].append(_count(unit, INBOX, 6, django_assert_max_num_queries))
    for name, ((q3, rows3), (q12, rows12)) in counts.items():
        assert (rows3, rows12) == (3, 12) and q3 == q12, name
