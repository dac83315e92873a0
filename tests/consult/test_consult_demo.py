"""The demo questionnaires load once: a second load (``load_demo`` run again) changes nothing."""

import pytest

from consult.models import Questionnaire, QuestionnaireVersion
from demo.consult import load_demo_questionnaires

pytestmark = pytest.mark.django_db


def test_six_questionnaires_load_once(demo):
    assert load_demo_questionnaires() == 6
    assert load_demo_questionnaires() == 0
    assert Questionnaire.objects.count() == 6 and QuestionnaireVersion.objects.count() == 6
    assert all(q.matter.mediable for q in Questionnaire.objects.select_related("matter"))
