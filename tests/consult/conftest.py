"""Builders of the consult tests: the six demo questionnaires, and a walk to a letter."""

from __future__ import annotations

import pytest
from django.urls import reverse

REGION = "440608101"  # 杨和镇 (高明区): its 综治中心 is the nearest centre


@pytest.fixture
def questionnaires(demo):
    from demo.consult import load_demo_questionnaires

    load_demo_questionnaires()
    from consult.models import Questionnaire

    return {q.matter.code: q for q in Questionnaire.objects.select_related("matter")}


#: The wages walk that ends in mediation: still working, asked, a few workers, a contract.
WAGES_MEDIATION = {"still_working": "working", "asked": "refused", "workers": "few", "contract": "signed"}


@pytest.fixture
def issue(client, questionnaires):
    """POST the answers for a matter; returns the response (a redirect to the letter when fine)."""

    def post(matter="labor.wages", answers=None, *, region=REGION, version=None, as_client=None):
        questionnaire = questionnaires[matter]
        number = version or questionnaire.versions.order_by("-number").first().number
        data = {"v": number, **{f"a_{k}": v for k, v in (answers or WAGES_MEDIATION).items()}}
        if region:
            data["region"] = region
        return (as_client or client).post(reverse("consult:letter-create", args=[matter]), data)

    return post
