"""The demo's 研判预警: a surge of unpaid-wage claims in 明城镇, found by the risk scan."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_surge_is_a_warning_for_the_gaoming_supervisors(demo):
    from cases.models import Case
    from demo.risk import SURGE, load_demo_risk
    from notifications.models import OutboxMessage
    from supervision.models import RiskWarning

    assert load_demo_risk() == len(SURGE)
    [surge] = RiskWarning.objects.filter(kind="surge")
    assert surge.region.name == "明城镇" and surge.matter.code == "labor" and surge.count == len(SURGE)
    assert set(Case.objects.filter(risk_warnings=surge).values_list("status", flat=True)) == {"handling"}
    told = OutboxMessage.objects.filter(kind="risk_warning").values_list("recipient_user__username", flat=True)
    assert sorted(told) == ["fs_supervisor", "gm_supervisor"]
    # idempotent: a second load adds no case, no warning, no message
    assert load_demo_risk() == 0
    assert RiskWarning.objects.count() == 1 and OutboxMessage.objects.filter(kind="risk_warning").count() == 2
