"""What the demo shows (issue #17): texts that fit each case's matter, 督办 orders on red cases,
and a merged (并案) case whatever the day the demo is loaded on."""

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from django.db.models import F
from django.utils import timezone

from cases.models import Case, CaseEvent, ExtensionRequest, Outcome, Status
from demo import texts
from demo.cases import RESULTS, load_demo_cases
from demo.mediation import load_demo_mediations, load_demo_mediators
from demo.supervision import load_demo_orders
from mediation.models import Agreement, Mediation, Source
from supervision.models import OrderStatus, SupervisionOrder
from supervision.services import warnings_sweep

CITY = Path(__file__).resolve().parents[2] / "demo" / "city.yaml"


def _leaf_matters() -> list[str]:
    groups = yaml.safe_load(CITY.read_text(encoding="utf-8"))["matter_types"]
    return [child["code"] for group in groups for child in group.get("children", [])]


def _money_words(text: str) -> list[str]:
    return [word for word in texts.MONEY_WORDS if word in text]


def _story_pattern(template: str) -> re.Pattern:
    return re.compile("^" + re.escape(template).replace(r"\{place\}", ".+").replace(r"\{n\}", r"\d+") + "$")


def test_every_matter_has_stories_and_a_pool_and_only_money_pools_speak_of_money():
    for code in _leaf_matters():
        pool = texts.pool_for(code)
        assert texts.STORIES.get(code), code
        if not pool.money:
            for story in texts.STORIES[code]:
                assert not _money_words(story), (code, story)
    for pool in texts.ALL_POOLS:
        for text in texts.pool_texts(pool):
            assert text.strip()
            if not pool.money:
                assert not _money_words(text), (pool.name, text)
    # the two cases the issue quotes
    assert not texts.pool_for("neighbour.noise").money
    assert not texts.pool_for("urban.illegal_construction").money


def _load(day: str):
    now = timezone.make_aware(dt.datetime.fromisoformat(f"{day}T10:30"))
    load_demo_cases(now=now)
    load_demo_mediators()
    load_demo_mediations()
    warnings_sweep()
    load_demo_orders()
    return now


ON_THE_SPOT = "窗口当场解答并协调处理完毕，群众表示满意。"  # fits any case


def _case_texts_fit(case: Case, referred: set[int]) -> list[str]:
    """The case's texts that are not from its matter's pool (empty when all fit). A court's
    referral (``referred``) comes with the court's own description."""
    pool = texts.pool_for(case.matter.code)
    wrong = []
    if case.pk not in referred and not any(
        _story_pattern(t).match(case.description) for t in texts.STORIES[case.matter.code]
    ):
        wrong.append(case.description)
    if case.outcome in (Outcome.RESOLVED, Outcome.MEDIATED):
        clauses = pool.mediated if case.outcome == Outcome.MEDIATED else pool.fixes
        allowed = {RESULTS[case.outcome].format(x=x) for x in clauses}
        allowed |= {a + "（已补充书面材料）" for a in allowed}
        if case.result not in allowed | {ON_THE_SPOT}:
            wrong.append(case.result)
    written = [case.description, case.result]
    written += [e.reason for e in case.extension_requests.all()]
    written += [e.note for e in case.events.all() if e.transition == "withdraw"]
    for extension in case.extension_requests.all():
        if extension.reason not in pool.extension:
            wrong.append(extension.reason)
    for event in case.events.all():
        if event.transition == "withdraw" and event.note not in pool.withdrawn:
            wrong.append(event.note)
    if not pool.money:
        wrong += [text for text in written if _money_words(text)]
    return wrong


# A Saturday and the National Day holiday: the demo's contents must not depend on the day it is
# loaded on (an ordinary working day is loaded by tests/intake/test_demo_cases.py). Each load costs
# about half a minute, so two days, not four.
@pytest.mark.parametrize("day", ["2026-12-05", "2026-10-02"])
@pytest.mark.django_db
def test_the_demo_fits_its_cases_presses_red_ones_and_merges_a_duplicate(demo, day):
    now = _load(day)

    cases = Case.objects.select_related("matter").prefetch_related("extension_requests", "events")
    assert cases.count() >= 200
    referred = set(Mediation.objects.filter(source=Source.COURT).values_list("case_id", flat=True))
    misfits = {c.number: w for c in cases if (w := _case_texts_fit(c, referred))}
    assert not misfits
    assert ExtensionRequest.objects.exists()

    # mediations: the dispute focus, the terms, why it failed, what was not carried out
    for m in Mediation.objects.select_related("case__matter").exclude(source=Source.COURT):
        pool = texts.pool_for(m.case.matter.code)
        assert m.request_note in pool.focus, (m.case.matter.code, m.request_note)
        if m.status == "failed":
            assert m.outcome_note in pool.failed, (m.case.matter.code, m.outcome_note)
    agreements = Agreement.objects.select_related("mediation__case__matter")
    assert agreements.exists()
    for agreement in agreements:
        pool = texts.pool_for(agreement.mediation.case.matter.code)
        assert agreement.terms in pool.terms, (agreement.mediation.case.matter.code, agreement.terms)
        assert not agreement.performance_note or agreement.performance_note in pool.shortfall

    # 督办 on red cases, by the demo supervisors, with replies and presses as the service writes them
    orders = SupervisionOrder.objects.select_related("case", "issued_by").filter(issued_by__isnull=False)
    assert orders.count() >= 3
    assert all(o.case.warning_level == "red" and o.case.is_open for o in orders)
    assert {o.issued_by.username for o in orders} <= {"gm_supervisor", "fs_supervisor"}
    assert orders.filter(issued_by__username="gm_supervisor").exists()
    assert orders.filter(pressed__gte=1, status=OrderStatus.OPEN).exists()
    assert orders.filter(status=OrderStatus.REPLIED).exclude(reply="").exists()
    assert orders.filter(status=OrderStatus.CLOSED).exists()
    transitions = set(CaseEvent.objects.filter(case__orders__isnull=False).values_list("transition", flat=True))
    assert {"order_issue", "order_reply", "order_press", "order_close"} <= transitions
    assert all(o.created_at <= timezone.now() for o in orders)

    # 一案多投: at least one duplicate merged into the case it repeats
    merged = Case.objects.filter(status=Status.MERGED).select_related("merged_into")
    assert merged.exists()
    duplicate = merged.filter(merged_into__matter=F("matter"), merged_into__region=F("region")).first()
    assert duplicate is not None and duplicate.merged_into.is_open
    assert duplicate.merged_into.events.filter(transition="merge_in").exists()

    # and loading again adds nothing
    assert load_demo_cases(now=now) == 0 and load_demo_orders() == 0
