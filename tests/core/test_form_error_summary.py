"""Every staff form answers a failed submit like the citizen's claim form (issue #17): a summary
that says how many things to fix, links each wrong field (to a control that exists), and takes
the focus (static/js/form-errors.js, loaded by the summary)."""

import re

import pytest
from django.urls import reverse

from cases.views import case_version

pytestmark = pytest.mark.django_db


def summary_of(response) -> str:
    body = response.content.decode()
    assert response.status_code == 400, response.status_code
    match = re.search(
        r'<div class="alert alert-danger" role="alert" tabindex="-1" data-error-summary.*?</div>\s*<script', body, re.S
    )
    assert match, "no error summary on the page"
    assert "/static/js/form-errors.js" in body
    for anchor in re.findall(r'href="#([^"]+)"', match.group(0)):
        assert f'id="{anchor}"' in body, f"the summary links #{anchor}, which the page does not have"
    return re.sub(r"\s+", " ", match.group(0))


@pytest.mark.parametrize(
    ("username", "url_name", "data", "expect"),
    [
        (
            "gm_window",
            "intake:window-register",
            {"next_step": "accept"},
            ["有 6 处需要修改", "姓名", "联系电话", "发生地", "诉求内容"],
        ),
        ("gm_hotline", "intake:hotline-register", {}, ["来电号码", "来电人姓名", "事项类型", "涉及人数"]),
        ("md_grid", "intake:grid-report", {}, ["现场照片", "所在网格", "诉求内容"]),
    ],
)
def test_intake_forms(login, username, url_name, data, expect):
    summary = summary_of(login(username).post(reverse(url_name), data))
    assert "提交的内容有误" in summary
    for text in expect:
        assert text in summary


def test_the_region_link_reaches_the_first_select(login):
    summary = summary_of(login("gm_window").post(reverse("intake:window-register"), {}))
    assert 'href="#id_region_0">发生地</a>' in summary


def test_referral_form(mediators, login):
    summary = summary_of(login("gm_window").post(reverse("mediation:referral-new"), {"source": "court"}))
    for text in ("移送文书号", "纠纷类型", "纠纷发生地", "纠纷标题", "申请人姓名/名称"):
        assert text in summary


def test_case_action_form(submit_case, login):
    case = submit_case()
    url = reverse("cases:case-act", args=[case.number, "reject"])
    summary = summary_of(login("gm_window").post(url, {"seen": case_version(case)}))
    assert "处需要修改" in summary and "不予受理理由" in summary, summary


def test_order_form(submit_case, user, fresh, login):
    from cases import services as s

    case = submit_case()
    s.case_accept(case=fresh(case), actor=user("gm_window"))
    summary = summary_of(login("gm_supervisor").post(reverse("supervision:order-issue", args=[case.number]), {}))
    assert "处需要修改" in summary and "督办要求" in summary, summary
