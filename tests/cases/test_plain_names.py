"""Staff screens name routing rules and matter types in Chinese, never by their ids (#17), and a
paused clock is never shown as 已超期."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from handover_steps import return_via_centre

from cases import services as s
from cases.models import Case, CaseEvent
from routing.dispatch import current_index

SLUGS = ("labor-wages", "labor-general", "labor.wages", "hotline", "window")


def test_rules_have_chinese_names(demo):
    index = current_index()
    assert index.rule_name("labor-wages") == "拖欠工资 · 全域"
    assert index.rule_name("labor-wages-group") == "拖欠工资 · 全域 · 10 人以上"
    assert index.rule_name("family-referral") == "婚姻家庭 · 全域 · 限部门移交"
    assert index.rule_name("no-such-rule") == ""
    lines = index.named(
        [
            "诉求：事项 拖欠工资（labor.wages），区划 明东村（440608102201），涉及 3 人，渠道 12345热线",
            "规则 labor-wages-group 不适用：涉及人数 3 少于规则要求的 10 人",
            "候选规则（按优先级、规则区划深度、事项深度、定义顺序）：labor-wages、labor-general",
            "规则 x 不适用：规则只适用于渠道 hotline、window",
        ]
    )
    assert lines[0] == "诉求：事项 拖欠工资，区划 明东村（440608102201），涉及 3 人，渠道 12345热线"
    assert lines[1].startswith("规则 “拖欠工资 · 全域 · 10 人以上” 不适用")
    assert "“拖欠工资 · 全域”、“劳动保障 · 全域”" in lines[2] and "labor" not in lines[2]
    assert lines[3].endswith("渠道 12345热线、窗口登记")


@pytest.mark.parametrize("username", ["gm_labor", "gm_dispatch"])
def test_the_staff_case_page_names_the_rule(submit_case, user, fresh, login, username):
    case = submit_case()
    s.case_accept(case=fresh(case), actor=user("gm_window"))
    case = fresh(case)
    assert case.routing_rule == "labor-wages" and case.routing_rule_name == "拖欠工资 · 全域"
    assert CaseEvent.objects.get(case=case, transition="dispatch").note.startswith(
        "按分派规则“拖欠工资 · 全域”自动派单"
    )
    body = login(username).get(reverse("cases:case-detail", args=[case.number])).content.decode()
    assert "规则“拖欠工资 · 全域”" in body
    for slug in SLUGS:
        assert slug not in body.split("<main")[1].split("</main>")[0].replace('value="window"', ""), slug


def test_the_dispatch_queue_names_the_rule_of_a_returned_case(submit_case, user, fresh, login):
    case = submit_case()
    s.case_accept(case=fresh(case), actor=user("gm_window"))
    return_via_centre(case=fresh(case), actor=user("gm_labor"), reason="系商业合同纠纷，非劳动关系")
    body = login("gm_dispatch").get(reverse("cases:queue") + "?tab=accepted").content.decode()
    assert "原按规则“拖欠工资 · 全域”派单" in body and "labor-wages" not in body


def test_a_paused_clock_is_not_overdue_on_staff_screens(submit_case, user, fresh, login):
    case = submit_case()
    s.case_accept(case=fresh(case), actor=user("gm_window"))
    s.case_sign(case=fresh(case), actor=user("gm_labor"))
    s.case_pause(case=fresh(case), actor=user("gm_labor"), reason="等待工伤鉴定结论")
    Case.objects.filter(pk=case.pk).update(stage_due_at=timezone.now() - timedelta(days=2))
    client = login("gm_labor")
    page = client.get(reverse("cases:case-detail", args=[case.number])).content.decode()
    inbox = client.get(reverse("cases:inbox") + "?tab=handling").content.decode()
    assert "已超期" not in page and 'data-testid="case-paused"' in page
    assert "已超期" not in inbox and "yk-row-late" not in inbox
    s.case_resume(case=fresh(case), actor=user("gm_labor"))
    Case.objects.filter(pk=case.pk).update(stage_due_at=timezone.now() - timedelta(days=1))
    assert "已超期" in client.get(reverse("cases:case-detail", args=[case.number])).content.decode()


# No codes on the staff screens a case goes through --------------------------------------------------

_SLUG = re.compile(r"(?<![A-Za-z0-9])[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+(?![A-Za-z0-9])")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _slugs(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return _SLUG.findall("\n".join(parser.parts))


def test_staff_case_screens_show_no_codes(mediators, submit_case, user, fresh, login):
    from mediation import services as ms

    case = submit_case()
    s.case_accept(case=fresh(case), actor=user("gm_window"))
    s.case_sign(case=fresh(case), actor=user("gm_labor"))
    m = ms.mediation_request(case=fresh(case), actor=user("gm_labor"), note="双方同意调解。")
    ms.mediation_assign(mediation=fresh(m), actor=user("gm_dispatch"), mediator=user("gm_mediator").mediator_profile)
    returned = submit_case(matter="neighbour.livestock")
    s.case_accept(case=fresh(returned), actor=user("gm_window"))
    pages = {
        ("gm_dispatch", reverse("cases:case-detail", args=[case.number])),
        ("gm_labor", reverse("cases:case-detail", args=[case.number])),
        ("gm_supervisor", reverse("cases:case-detail", args=[case.number])),
        ("gm_dispatch", reverse("cases:case-detail", args=[returned.number])),
        ("gm_dispatch", reverse("cases:queue") + "?tab=accepted"),
        ("gm_dispatch", reverse("cases:case-list")),
        ("gm_labor", reverse("cases:inbox") + "?tab=handling"),
        ("gm_dispatch", reverse("mediation:mediation-detail", args=[m.number])),
    }
    for username, url in sorted(pages):
        response = login(username).get(url)
        assert response.status_code == 200, (username, url)
        assert _slugs(response.content.decode()) == [], (username, url)
