"""axe-core over every page each role reaches from its home, and the public pages, on a desktop and a
phone: zero violations of any impact (issue #17). A new violation fails CI.

axe-core is vendored (tests/e2e/vendor/axe-core, pinned version and licence there; CI has no internet
for a CDN and needs no npm step). It is evaluated through the DevTools protocol (``page.evaluate``),
which the page's Content-Security-Policy does not apply to, so the CSP checker in conftest stays
quiet; a ``<script>`` tag would be blocked by ``script-src 'self' 'nonce-…'``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from test_role_homes import click_and_wait, login

from accounts.models import User
from cases import services as cs
from cases.models import Case, Party, PartyRole
from demo.mediation import load_demo_mediators
from intake.models import Claim
from intake.services import claim_submit
from mediation import services as ms
from mediation.models import Mediation
from notifications.models import OutboxMessage
from notifications.services import outbox_text
from routing.models import MatterType, Region
from supervision.models import SupervisionOrder
from supervision.services import order_issue, warnings_sweep

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
CITIZEN_PHONE = "13800138000"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Everything axe checks by default (WCAG 2.0–2.2 A/AA and its best practices), nothing left out.
AXE_RUN = "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
# The header is on every page: its contrast must be measurable (a gradient or image behind the text
# leaves axe "incomplete", which would let the 2.9 : 1 header of issue #17 come back unseen).
AXE_HEADER = """() => axe.run({include: ['header']}, {runOnly: ['color-contrast']}).then(r => r.incomplete
    .flatMap(rule => rule.nodes)
    .filter(node => node.any.some(check => check.data && check.data.messageKey !== 'shortTextContent'))
    .map(node => node.target.join(' ') + ': ' + node.any.map(check => check.message).join('; ')))"""


# Cases the demo directory does not have, built through the services -------------------------


def staff(username: str) -> User:
    return User.objects.get(username=username)


def citizen_claim(description: str, *, at=None) -> Claim:
    claim, _ = claim_submit(
        channel="web",
        matter=MatterType.objects.get(code="labor.wages"),
        region=Region.objects.get(code="440608102201"),
        description=description,
        contact_name="夏志明",
        contact_phone=CITIZEN_PHONE,
        submitter=User.objects.get(phone=CITIZEN_PHONE),
        at=at,
    )
    return claim


def signed_case(claim: Claim, *, at=None) -> Case:
    case = Case.objects.get(pk=claim.case_id)
    cs.case_accept(case=case, actor=staff("gm_window"), at=at)
    cs.case_sign(case=Case.objects.get(pk=case.pk), actor=staff("gm_labor"), at=at and at + timedelta(hours=2))
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def cases(demo) -> dict:
    """An overdue case with a 督办 order, one waiting in the clerk's queue, one in mediation."""
    load_demo_mediators()
    from demo.kb import load_demo_articles

    load_demo_articles()  # the knowledge base pages and the clerks' panel show real articles
    started = timezone.now() - timedelta(days=40)
    late_claim = citizen_claim("明东村五金厂老板拖欠三个月工资共一万二千元，多次讨要无果。", at=started)
    late = signed_case(late_claim, at=started)
    warnings_sweep()
    order = order_issue(
        case=Case.objects.get(pk=late.pk),
        unit=late.lead_unit,
        actor=staff("gm_supervisor"),
        instruction="请于两个工作日内约谈企业负责人，督促足额支付拖欠工资并回复。",
    )
    citizen_claim("明东村某工地拖欠钢筋工两个月工资，包工头已联系不上。")  # waits in 待受理
    mediated = signed_case(citizen_claim("明东村某五金厂拖欠工人工资共计一万二千元，双方对数额有争议。"))
    Party.objects.create(
        case=mediated, role=PartyRole.RESPONDENT, name="佛山市高明区明东五金制品厂", phone="13700137000"
    )
    mediation = ms.mediation_request(case=mediated, actor=staff("gm_labor"), note="双方对欠薪数额有争议，同意调解。")
    mediator = staff("gm_mediator")
    ms.mediation_assign(
        mediation=Mediation.objects.get(pk=mediation.pk), actor=staff("gm_dispatch"), mediator=mediator.mediator_profile
    )
    ms.mediation_accept(mediation=Mediation.objects.get(pk=mediation.pk), actor=mediator, no_conflict=True)
    assert SupervisionOrder.objects.filter(pk=order.pk).exists()
    # awaiting the rating: the SMS rating link and the call-back pages (feedback, issue #11)
    awaiting = Case.objects.get(pk=citizen_claim("明东村某餐馆拖欠服务员一个月工资，老板说下周发。").case_id)
    cs.case_resolve_on_spot(case=awaiting, actor=staff("gm_window"), result="当场联系餐馆老板，承诺本周支付。")
    sms = OutboxMessage.objects.filter(body__contains="/r/").order_by("-id").first()
    return {
        "awaiting": awaiting,
        "link": re.search(r"/r/[A-Za-z0-9_-]{32}/", outbox_text(sms)).group(0),
        "late": Case.objects.get(pk=late.pk),
        "late_claim": late_claim,
        "mediation": Mediation.objects.get(pk=mediation.pk),
        "order": order,
    }


# Pages per role ------------------------------------------------------------------------------


def citizen_pages(page, base: str, data: dict):
    login(page, base, CITIZEN_PHONE)
    yield "citizen home", base + "/"
    yield "claim form", base + reverse("intake:claim-submit")
    # a failed submit: the error summary and the files kept as 已附上的文件 (issue #17)
    form = page.get_by_test_id("claim-form")
    form.locator("#id_attachments").set_input_files(
        [{"name": "现场.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64}]
    )
    click_and_wait(page, form.get_by_role("button", name="提交诉求"))
    assert page.get_by_test_id("held-files").count() == 1
    yield "claim form with errors", None
    yield "my claims", base + reverse("intake:my-claims")
    yield "claim page", base + reverse("intake:claim-detail", args=[data["late_claim"].tracking_code])
    yield "message centre", base + reverse("notifications:inbox")
    yield "materials form", base + reverse("feedback:claim-material", args=[data["late_claim"].tracking_code])
    yield "message form", base + reverse("feedback:claim-message", args=[data["late_claim"].tracking_code])
    yield "my guidance letters", base + reverse("consult:mine")


def tracking_pages(page, base: str, data: dict):
    yield "tracking form", base + reverse("intake:track")
    form = page.locator("main form")
    form.locator("[name=code]").fill(data["late_claim"].tracking_code)
    form.locator("[name=phone_last4]").fill(CITIZEN_PHONE[-4:])
    click_and_wait(page, form.locator("[type=submit]"))
    yield "tracking result", None


def public_pages(page, base: str, data: dict):
    yield "landing", base + "/"
    yield "login", base + reverse("accounts:login")
    yield "register", base + reverse("accounts:register")
    yield "agreement verification", base + reverse("mediation:agreement-verify")
    yield "rating link", base + data["link"]
    yield "suggestions", base + reverse("suggestions:topic-list")
    yield "knowledge base search", base + reverse("kb:search") + "?q=拖欠工资"
    from kb.models import Article

    article = Article.objects.filter(published=True).order_by("pk").first()
    if article is not None:
        yield "knowledge base article", base + reverse("kb:article", args=[article.pk])


def clerk_pages(page, base: str, data: dict):
    login(page, base, "gm_window")
    yield "clerk home", base + "/"
    yield "window form", base + reverse("intake:window-register")
    yield "queue", base + reverse("cases:queue")
    yield "case search", base + reverse("cases:case-list")
    yield "referral form", base + reverse("mediation:referral-new")
    yield "call-back workbench", base + reverse("feedback:workbench")
    yield "call-back page", base + reverse("feedback:callback", args=[data["awaiting"].number])
    yield "letter form", base + reverse("intake:letter-register")
    yield "上级交办 form", base + reverse("intake:referral-register")
    # a failed submit: the error summary, the red fields and the held files (issue #17)
    page.goto(base + reverse("intake:window-register"))
    form = page.locator("main form")
    form.locator("#id_attachments").set_input_files(
        [{"name": "现场.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64}]
    )
    click_and_wait(page, form.get_by_role("button", name="登记并打印回执"))
    yield "window form with errors", None
    page.context.clear_cookies()
    login(page, base, "gm_hotline")
    yield "hotline form", base + reverse("intake:hotline-register")


def staff_pages(username: str, *pages: tuple[str, str, str | None]):
    """The staff member's home, then each (name, URL name, case or mediation in ``data`` or None)."""

    def pages_of(page, base: str, data: dict):
        login(page, base, username)
        yield f"{username} home", base + "/"
        for name, url_name, key in pages:
            url_name, _, query = url_name.partition("?")  # "cases:queue?tab=duplicates"
            url = base + reverse(url_name, args=[data[key].number] if key else [])
            yield name, url + (f"?{query}" if query else "")

    return pages_of


ROLES = {
    "public": public_pages,
    "tracking": tracking_pages,
    "citizen": citizen_pages,
    "clerk": clerk_pages,
    "dispatcher": staff_pages(
        "gm_dispatch",
        ("queue", "cases:queue", None),
        ("case page", "cases:case-detail", "late"),
        # 申请调解 and 建议征集 (issue #14)
        ("citizen mediation requests", "mediation:centre-request-list", None),
        ("suggestion topics", "suggestions:manage-list", None),
        ("new suggestion topic", "suggestions:manage-new", None),
        # 疑似重复 and 类案推荐 (issue #13)
        ("duplicates tab", "cases:queue?tab=duplicates", None),
        # 退回/转办申请 (issue #15)
        ("handover requests tab", "cases:queue?tab=handover", None),
        ("similar cases search", "precedents:search?q=拖欠工资", None),
        # 不合理诉求待审核 (issue #15; empty unless the data set has proposals)
        ("unreasonable claims to review", "cases:unreason-list", None),
    ),
    "handler": staff_pages(
        "gm_labor",
        ("inbox", "cases:inbox", None),
        ("case page", "cases:case-detail", "late"),
        ("message centre", "notifications:inbox", None),
        ("knowledge base", "kb:search?q=工资", None),
    ),
    "grid worker": staff_pages(
        "md_grid", ("随手拍", "intake:grid-report", None), ("case search", "cases:case-list", None)
    ),
    "mediator": staff_pages(
        "gm_mediator",
        ("workbench", "mediation:mediation-list", None),
        ("mediation page", "mediation:mediation-detail", "mediation"),
    ),
    "supervisor": staff_pages(
        "gm_supervisor",
        ("overdue board", "supervision:overdue", None),
        ("KPI board", "supervision:kpi", None),
        ("督办 list", "supervision:orders", None),
        ("研判预警 list", "supervision:risk-list", None),
        ("我的包案", "supervision:baoan", None),  # issue #15
    ),
    # the directory import with its rule-change replay preview (issue #15)
    "admin": staff_pages("admin", ("directory import", "routing:directory-import", None)),
}


def axe_violations(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(AXE_RUN)


def describe(name: str, url: str, violations: list[dict]) -> str:
    lines = [f"{name} ({url}): {len(violations)} violation(s)"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(
                f"      {' '.join(map(str, node['target']))}  — {node['failureSummary'].splitlines()[-1].strip()}"
            )
        if len(v["nodes"]) > 8:
            lines.append(f"      … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("role", list(ROLES))
def test_axe_finds_no_violations(live_server, cases, new_page, screenshots, role, viewport):
    page = new_page(viewport)
    failures = []
    checked = 0
    for name, url in ROLES[role](page, live_server.url, cases):
        if url is not None:
            response = page.goto(url)
            # An error page can be free of violations too: the page under test must be the real one.
            assert response is not None and response.status == 200, (
                f"{name}: HTTP {response.status if response else 'no response'} at {url}"
            )
        assert page.url.startswith(live_server.url) and "/accounts/login/" not in page.url or role == "public", (
            f"{name}: landed on {page.url}"
        )
        violations = axe_violations(page)
        unmeasured = page.evaluate(AXE_HEADER)
        checked += 1
        page.screenshot(path=screenshots / f"axe-{role}-{viewport['width']}-{checked}.png")
        if violations:
            failures.append(describe(name, page.url, violations))
        if unmeasured:
            failures.append(f"{name}: header contrast cannot be measured:\n  " + "\n  ".join(unmeasured))
    assert checked >= 2
    assert not failures, "axe-core found accessibility violations:\n" + "\n".join(failures)
