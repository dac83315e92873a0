"""The glossary gate (#17): no staff term and no internal code on any page or SMS a citizen reads.

Cases are driven through the services into every state a citizen can meet (and through every
event kind a citizen can see); then every citizen page is rendered for each: my claims, the case
page, withdraw, public tracking, the submitted page, the window receipt handed over the counter,
the landing and home pages, the claim form, the agreement verification page — and every SMS the
citizen's phone received. A staff word (``cases.citizen_words.STAFF_TERMS``) or a code-like token
(``labor-wages``, ``labor.wages``, ``return_case``, a bare status code) in what a person can read
fails the test, naming the page.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from handover_steps import return_via_centre

from cases import citizen_words
from cases import services as s
from cases.models import Case, CaseEvent, Outcome, Rating, Status
from notifications.models import OutboxMessage
from routing.models import Channel, Unit

#: A slug, dotted code or snake_case name: lower-case letters joined by - . or _ .
SLUG = re.compile(r"(?<![A-Za-z0-9])[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+(?![A-Za-z0-9])")
#: Bare codes of ours that are single words (statuses, channels).
CODES = re.compile(
    r"(?<![A-Za-z])(" + "|".join(sorted({*Status.values, *Channel.values}, key=len, reverse=True)) + r")(?![A-Za-z])"
)
#: Attributes whose text a person reads or hears.
READ_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "data-label", "data-busy-label"}


class _Readable(HTMLParser):
    """The text of a page a person reads: text nodes outside script/style, and spoken attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts.extend(value for name, value in attrs if name in READ_ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def readable(html: str) -> str:
    parser = _Readable()
    parser.feed(html)
    return "\n".join(parser.parts)


def staff_words_in(text: str) -> list[str]:
    found = [term for term in citizen_words.STAFF_TERMS if term in text]
    found += SLUG.findall(text) + CODES.findall(text)
    return found


def assert_plain(where: str, html: str) -> None:
    found = staff_words_in(readable(html))
    assert not found, f"{where} shows staff words or codes to a citizen: {found}"


# The detector itself --------------------------------------------------------------------------


def test_the_detector_catches_what_the_issue_names():
    page = (
        "<p>按分派规则 labor-wages 自动派单；主办：高明区人社局；协办：明城镇</p><p>已派单（待签收）</p>"
        "<p>中止计时</p><p>请中心指派调解员</p><p>SHA-256 值</p><p>handling</p><p>labor.wages</p>"
    )
    found = staff_words_in(readable(page))
    for word in ("labor-wages", "labor.wages", "派单", "主办", "协办", "签收", "中止", "指派", "SHA-256", "handling"):
        assert word in found, word
    assert (
        staff_words_in(readable('<script>var a = "labor-wages";</script><p>您的诉求已交给 高明区人社局 办理</p>')) == []
    )
    assert staff_words_in(readable('<img alt="return_case">')) == ["return_case"]


def test_every_citizen_sentence_is_plain():
    """Each event kind's sentence, with and without a unit and a date, has no staff word."""

    class Event:
        def __init__(self, transition, **kw):
            self.transition, self.public = transition, True
            self.note = kw.get("note", "")
            self.handling_unit = kw.get("unit")
            self.reply_due_at = kw.get("due_at")
            self.case = Case(channel=kw.get("channel", "web"))

    class Unit_:
        name = "高明区人力资源和社会保障局"

    due = timezone.now() + timedelta(days=9)
    for kind in citizen_words.SENTENCES:
        for kw in ({}, {"unit": Unit_(), "due_at": due}, {"note": "调解中（GM-TJ-2026-0001）"}):
            text = citizen_words.event_sentence(Event(kind, **kw))
            assert text and not staff_words_in(text), (kind, text)
    for channel in Channel.values:
        text = citizen_words.event_sentence(Event("submit", channel=channel))
        assert not staff_words_in(text), (channel, text)
    for status in Status.values:
        assert not staff_words_in(citizen_words.status_words(status) + citizen_words.due_label(status)), status


def test_the_dispatch_sentence_names_the_unit_and_the_date(submit_case, user, fresh):
    case = submit_case()
    s.case_accept(case=fresh(case), actor=user("gm_window"))
    event = CaseEvent.objects.select_related("handling_unit").get(case=case, transition="dispatch")
    local = timezone.localtime(event.reply_due_at)
    assert event.reply_due_at > fresh(case).stage_due_at  # the reply date, not the date to take the case
    assert citizen_words.event_sentence(event) == (
        f"您的诉求已交给 高明区人力资源和社会保障局 办理，预计 {local.month}月{local.day}日 前答复。"
    )
    sms = OutboxMessage.objects.filter(recipient_phone="13800138000", kind="case_update").values_list("body", flat=True)
    assert f"已交给 高明区人力资源和社会保障局 办理，预计 {local.month}月{local.day}日 前答复。" in " ".join(sms)


# Every state, every page -----------------------------------------------------------------------


@pytest.fixture
def every_state(mediators, submit_claim, user, fresh, citizen):
    """{name: claim}: the demo citizen's claims driven into every state and through every event kind
    a citizen can see."""
    from mediation import services as ms

    window, dispatch, labor = user("gm_window"), user("gm_dispatch"), user("gm_labor")
    claims = {}

    def claim(name, **kw):
        claims[name] = made = submit_claim(**kw)
        return made.case

    claim("submitted")
    case = claim("accepted_returned")
    s.case_accept(case=fresh(case), actor=window)
    return_via_centre(case=fresh(case), actor=labor, reason="系商业合同纠纷，非劳动关系")
    case = claim("dispatched")
    s.case_accept(case=fresh(case), actor=window)
    case = claim("handling_extended", channel="window", registered_by=window)
    s.case_accept(case=fresh(case), actor=window)
    s.case_sign(case=fresh(case), actor=labor)
    s.case_add_note(case=fresh(case), actor=labor, note="已约谈企业负责人，要求本周内支付。", public=True)
    s.case_request_extension(case=fresh(case), actor=labor, days=5, reason="需调取考勤记录")
    s.case_approve_extension(case=fresh(case), actor=user("gm_supervisor"))
    case = claim("paused_overdue")
    s.case_accept(case=fresh(case), actor=window)
    s.case_sign(case=fresh(case), actor=labor)
    s.case_pause(case=fresh(case), actor=labor, reason="等待工伤鉴定结论")
    Case.objects.filter(pk=case.pk).update(stage_due_at=timezone.now() - timedelta(days=3))
    case = claim("resumed", channel="hotline", registered_by=user("gm_hotline"))
    s.case_accept(case=fresh(case), actor=window)
    s.case_sign(case=fresh(case), actor=labor)
    s.case_pause(case=fresh(case), actor=labor, reason="等待当事人补充材料")
    s.case_resume(case=fresh(case), actor=labor)
    case = claim("in_mediation", text="明东村某五金厂拖欠夏志明等工人三个月工资，双方对数额有争议。")
    s.case_accept(case=fresh(case), actor=window)
    s.case_sign(case=fresh(case), actor=labor)
    m = ms.mediation_request(case=fresh(case), actor=dispatch, note="双方同意调解，请中心指派调解员。")
    ms.mediation_assign(mediation=fresh(m), actor=dispatch, mediator=user("gm_mediator").mediator_profile)
    ms.mediation_accept(mediation=fresh(m), actor=user("gm_mediator"), no_conflict=True)
    ms.session_schedule(
        mediation=fresh(m),
        actor=user("gm_mediator"),
        scheduled_at=timezone.now() + timedelta(days=2),
        mode="onsite",
        place="明城镇人民调解委员会调解室",
    )
    Case.objects.filter(pk=case.pk).update(stage_due_at=timezone.now() - timedelta(days=1))
    case = claim("mediation_ended")
    s.case_accept(case=fresh(case), actor=window)
    s.case_sign(case=fresh(case), actor=labor)
    m = ms.mediation_request(case=fresh(case), actor=labor, note="双方对欠薪数额有争议，同意调解。")
    ms.mediation_assign(mediation=fresh(m), actor=dispatch, mediator=user("gm_mediator").mediator_profile)
    ms.mediation_accept(mediation=fresh(m), actor=user("gm_mediator"), no_conflict=True)
    ms.mediation_fail(mediation=fresh(m), actor=user("gm_mediator"), reason="企业拒不到场", next_step="litigation")
    again = ms.mediation_request(case=fresh(case), actor=labor, note="企业同意再次调解。")
    ms.mediation_withdraw(mediation=fresh(again), actor=dispatch, reason="企业已主动支付，无需调解")
    case = claim("transferred", matter="neighbour.livestock")
    s.case_accept(case=fresh(case), actor=window)
    s.case_transfer(case=fresh(case), actor=dispatch, to_unit=Unit.objects.get(code="GM-MC-ZZ"), reason="由镇牵头")
    s.case_sign(case=fresh(case), actor=user("mc_centre"))
    s.case_escalate(
        case=fresh(case), actor=user("mc_centre"), to_unit=Unit.objects.get(code="GM-NYJ"), reason="需区农业农村局处理"
    )
    case = claim("reviewing_unsatisfied")
    s.case_accept(case=fresh(case), actor=window)
    s.case_sign(case=fresh(case), actor=labor)
    s.case_submit_result(case=fresh(case), actor=labor, result="企业已支付部分工资", outcome=Outcome.RESOLVED)
    s.case_send_back(case=fresh(case), actor=dispatch, reason="请核实剩余工资")
    s.case_submit_result(case=fresh(case), actor=labor, result="企业已足额支付工资", outcome=Outcome.RESOLVED)
    s.case_approve(case=fresh(case), actor=dispatch)
    s.case_rate(case=fresh(case), actor=citizen, rating=Rating.UNSATISFIED, comment="还差一个月没发")
    case = claim("feedback")
    s.case_accept(case=fresh(case), actor=window)
    s.case_sign(case=fresh(case), actor=labor)
    s.case_submit_result(case=fresh(case), actor=labor, result="企业已足额支付工资", outcome=Outcome.RESOLVED)
    s.case_approve(case=fresh(case), actor=dispatch)
    case = claim("closed_rated")
    s.case_resolve_on_spot(case=fresh(case), actor=window, result="已当场解答社保缴费问题")
    s.case_rate(case=fresh(case), actor=citizen, rating=Rating.SATISFIED)
    case = claim("closed_auto")
    s.case_resolve_on_spot(case=fresh(case), actor=window, result="当场解决")
    s.case_auto_close(case=fresh(case))
    case = claim("rejected", matter="neighbour.noise")
    s.case_reject(case=fresh(case), actor=window, reason="已进入诉讼程序", redirect_to="请向法院了解案件进展")
    case = claim("withdrawn")
    s.case_withdraw(case=fresh(case), actor=citizen, reason="已经解决了")
    # the citizen's voice and the call-back (feedback, issue #11)
    from feedback import services as fs
    from intake.uploads import check_uploads
    from tests.intake.conftest import PDF

    case = claim("voiced")
    s.case_accept(case=fresh(case), actor=window)
    fs.supplement_add(
        claim=claims["voiced"], case=fresh(case), kind="message", text="老板今天又说下周才发", uploads=[], actor=citizen
    )
    files = check_uploads([SimpleUploadedFile("工资条.pdf", PDF, content_type="application/pdf")])
    fs.supplement_add(claim=claims["voiced"], case=fresh(case), kind="material", text="", uploads=files, actor=citizen)
    fs.case_press(case=fresh(case), actor=citizen)
    case = claim("closed_unreached", channel="window", registered_by=window)
    start = timezone.now() - timedelta(days=3)
    s.case_resolve_on_spot(case=fresh(case), actor=window, result="已当场解答", at=start)
    for day in (2, 1, 0):
        fs.callback_record(case=fresh(case), actor=window, outcome="no_answer", at=timezone.now() - timedelta(days=day))
    fs.callback_close_unreached(case=fresh(case), actor=window)
    kept = claim("merge_kept")
    s.case_accept(case=fresh(kept), actor=window)
    duplicate = claim("merged", text="老板拖欠工资三个月，我们几个工友都没拿到钱。")
    s.case_merge(case=fresh(duplicate), actor=window, into=fresh(kept))
    claims["imported_closed"] = _imported_closed_claim()
    return claims


def _imported_closed_claim():
    """A case the old system had closed, brought in by ``manage.py import_cases`` (issue #12)."""
    import json

    from intake.importer import cases_import
    from intake.models import Claim

    line = {
        "external_id": "OLD-1",
        "channel": "letter",
        "matter": "labor.wages",
        "region": "440608102201",
        "description": "明东村五金厂拖欠工资两个月，来信请求帮助追讨。",
        "contact_name": "夏志明",
        "contact_phone": "13800138000",
        "people": 1,
        "created_at": "2025-03-03T09:30:00+08:00",
        "status": "closed",
        "result": "企业已足额支付工资。",
        "closed_at": "2025-03-28T16:00:00+08:00",
    }
    results, _imported = cases_import(lines=[json.dumps(line, ensure_ascii=False)])
    return Claim.objects.get(case__number=results[0]["case"])


def test_every_citizen_page_in_every_state_is_in_plain_words(every_state, login, citizen, client, user):
    me = login(citizen)
    seen_kinds = set()
    assert_plain("my claims", me.get(reverse("intake:my-claims")).content.decode())
    # the message centre: the SMS copies of every state, their kinds and the filter (issue #11)
    assert_plain("message centre", me.get(reverse("notifications:inbox")).content.decode())
    assert_plain("message centre (unread)", me.get(reverse("notifications:inbox") + "?unread=1").content.decode())
    for name, claim in every_state.items():
        code = claim.tracking_code
        detail = me.get(reverse("intake:claim-detail", args=[code]))
        assert detail.status_code == 200, name
        assert_plain(f"the case page ({name})", detail.content.decode())
        for event in detail.context["timeline"]:
            seen_kinds.add(event.transition)
        withdraw = me.get(reverse("intake:claim-withdraw", args=[code]), follow=True)
        assert_plain(f"withdraw ({name})", withdraw.content.decode())
        assert_plain(f"submitted ({name})", me.get(reverse("intake:claim-submitted", args=[code])).content.decode())
        cache.clear()  # public tracking is rate-limited per address
        tracked = client.post(reverse("intake:track"), {"code": code, "phone_last4": "8000"})
        assert tracked.status_code == 200, name
        assert_plain(f"public tracking ({name})", tracked.content.decode())
    receipt = login("gm_window").get(reverse("intake:receipt", args=[every_state["handling_extended"].tracking_code]))
    assert_plain("the window receipt", receipt.content.decode().split('data-testid="receipt"')[1].split("打印回执")[0])
    for url in (reverse("home"), reverse("intake:claim-submit"), reverse("intake:track")):
        assert_plain(url, me.get(url).content.decode())
    assert_plain("landing", client.get(reverse("home")).content.decode())
    for name in ("accounts:login", "accounts:register"):
        assert_plain(name, client.get(reverse(name)).content.decode())
    verify = reverse("mediation:agreement-verify")
    assert_plain("verification", client.get(verify).content.decode())
    assert_plain(
        "verification result", client.post(verify, {"code": "ABCDEFGHJKMN", "sha256": "0" * 64}).content.decode()
    )
    assert_plain("verification error", client.post(verify, {"code": "ABCDEFGHJKMN", "sha256": "xyz"}).content.decode())
    # every kind a citizen can see was on some page (a new public kind needs a sentence)
    assert seen_kinds >= set(citizen_words.SENTENCES) - {"litigation_submit", "court_reply", "mediation_settle"}


def test_every_sms_the_citizen_receives_is_in_plain_words(every_state):
    bodies = list(OutboxMessage.objects.filter(recipient_phone="13800138000").values_list("kind", "body"))
    assert {kind for kind, _body in bodies} >= {"tracking_code", "case_update", "mediation_session"}
    for kind, body in bodies:
        found = staff_words_in(body)
        assert not found, f"SMS {kind} shows staff words: {found} in {body}"


def test_a_paused_clock_is_never_called_overdue(every_state, login, citizen, client):
    """The clock stood still (an appraisal, a mediation) past the old due time: the citizen reads
    that the time is paused, never 已超期 — on the case page, my claims and public tracking."""
    me = login(citizen)
    for name in ("paused_overdue", "in_mediation"):
        code = every_state[name].tracking_code
        for html in (
            me.get(reverse("intake:claim-detail", args=[code])).content.decode(),
            client.post(reverse("intake:track"), {"code": code, "phone_last4": "8000"}).content.decode(),
        ):
            assert "已超期" not in html and 'data-testid="due-paused"' in html, name
            assert "暂停计算" in html
    listing = me.get(reverse("intake:my-claims")).content.decode()
    assert listing.count("已超期") == 0 and listing.count('data-testid="due-paused"') == 2
    detail = me.get(reverse("intake:claim-detail", args=[every_state["in_mediation"].tracking_code])).content.decode()
    assert "调解期间" in detail


def test_every_public_event_kind_has_a_citizen_sentence(every_state):
    """A kind written public without a sentence would silently vanish from the citizen's timeline."""
    written = set(CaseEvent.objects.filter(public=True).values_list("transition", flat=True))
    assert written - set(citizen_words.SENTENCES) == set()


def test_a_refusal_names_the_status_in_plain_words(submit_claim, user, fresh, login, citizen):
    """Rating from a stale page (the case is being handled again): the service's refusal names the
    status; the citizen reads 办理中, not 处置中."""
    claim = submit_claim()
    s.case_accept(case=fresh(claim.case), actor=user("gm_window"))
    s.case_sign(case=fresh(claim.case), actor=user("gm_labor"))
    response = login(citizen).post(reverse("intake:claim-rate", args=[claim.tracking_code]), {"rating": "satisfied"})
    error = response.context["action_error"]
    assert response.status_code == 400 and "“办理中”" in error and "处置" not in error
    assert_plain("a refused rating", response.content.decode())
