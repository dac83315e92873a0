"""The demo mediations `make run` loads: every state, the demo mediator's journey ready to start."""

from collections import Counter

import pytest


@pytest.mark.django_db
def test_demo_mediations_cover_every_state_and_load_once(demo):
    from demo.cases import load_demo_cases
    from demo.mediation import load_demo_mediations, load_demo_mediators
    from mediation.models import Agreement, LitigationPackage, Mediation

    load_demo_cases()
    load_demo_mediators()
    assert load_demo_mediations() == 16
    states = Counter(Mediation.objects.values_list("status", flat=True))
    assert states == {"settled": 7, "failed": 3, "withdrawn": 1, "requested": 3, "assigned": 1, "in_progress": 1}
    journey = Mediation.objects.get(status="assigned")
    assert journey.mediator.user.username == "gm_mediator"
    sealed = Agreement.objects.filter(status="sealed")
    assert sealed.count() == 7 and all(a.sha256 and a.document for a in sealed)
    assert LitigationPackage.objects.count() == 1
    assert Mediation.objects.filter(source="court", referral_document__contains="诉前调").exists()
    assert load_demo_mediations() == 0
    assert Mediation.objects.count() == 16
