"""The demo's 不合理诉求 / 恶意诉求 (issue #15): one approved case rated 不满意 that the KPI board
leaves out of 高明区人社局's 满意率, and one proposal waiting for the centre."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_labels(demo, user, login):
    from django.urls import reverse
    from django.utils import timezone

    from cases.models import Case, UnreasonLabel
    from core.periods import Period
    from demo.unreason import load_demo_unreason
    from supervision.kpi.measures import kpi_board, kpi_scope

    assert load_demo_unreason() == 2
    approved = UnreasonLabel.objects.get(status="approved")
    assert (approved.case.status, approved.case.rating, approved.case.unreason) == (
        "closed",
        "unsatisfied",
        "unreasonable",
    )
    pending = UnreasonLabel.objects.get(status="pending")
    assert (pending.kind, pending.case.status) == ("malicious", "handling")
    # idempotent
    assert load_demo_unreason() == 0 and UnreasonLabel.objects.count() == 2 and Case.objects.count() == 2
    # the board (the month the case closed in) shows the exclusion for 高明区人社局
    closed = timezone.localdate(approved.case.closed_at)
    period = Period.month(closed.year, closed.month)
    board = kpi_board(kpi_scope(user("gm_supervisor")), period, use_snapshot=False)
    rsj = next(r for r in board.ranking if r.key == "GM-RSJ")
    assert (rsj.measures.unreason_excluded, rsj.measures.rated) == (1, 0)
    assert board.totals.rated == 1 and board.totals.satisfied == 0
    assert "不合理诉求待审核" in login("gm_dispatch").get(reverse("home")).content.decode()
