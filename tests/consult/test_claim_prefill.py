"""From a letter, one click opens the citizen claim form with matter, region and a draft filled in
(``intake.presets``: ``?matter=&region=&draft=<letter code>``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consult.models import GuidanceLetter
from tests.consult.conftest import REGION

pytestmark = pytest.mark.django_db


def _form(client, **params):
    page = client.get(reverse("intake:claim-submit"), params)
    assert page.status_code == 200
    return page.context["form"]


def test_the_claim_form_starts_from_the_letter(issue, login, citizen):
    issue()
    letter = GuidanceLetter.objects.get()
    form = _form(login(citizen), matter="labor.wages", region=REGION, draft=letter.code)
    assert form.initial["matter"] == "labor.wages" and form.initial["region"] == REGION
    draft = form.initial["description"]
    assert draft.startswith("我想反映的是拖欠工资方面的问题。")
    assert "您现在还在这个单位（老板那里）干活吗？还在干。" in draft and letter.code in draft
    assert form.initial["contact_name"] == citizen.full_name  # the account's own values stay


def test_the_prefilled_form_shows_the_place_and_the_draft(issue, login, citizen):
    issue()
    code = GuidanceLetter.objects.get().code
    html = login(citizen).get(reverse("intake:claim-submit"), {"draft": code}).content.decode()
    assert '<option value="440608101" selected>' in html  # 杨和镇 chosen in the region cascade
    assert '<option value="labor.wages" selected>' in html
    assert "我想反映的是拖欠工资方面的问题。" in html


def test_the_draft_alone_brings_matter_and_region(issue, login, citizen):
    issue()
    form = _form(login(citizen), draft=GuidanceLetter.objects.get().code.lower())
    assert form.initial["matter"] == "labor.wages" and form.initial["region"] == REGION


@pytest.mark.parametrize(
    "params",
    [{"draft": "NOSUCHCODE22"}, {"matter": "no.such", "region": "000"}, {"draft": "<script>", "matter": "x" * 500}],
)
def test_unknown_presets_leave_the_form_blank(login, citizen, questionnaires, params):
    form = _form(login(citizen), **params)
    assert "description" not in form.initial and "matter" not in form.initial and "region" not in form.initial
