"""The message centre's reader (``notifications.links``): which page opens a message's case.

In ``config`` because it needs three apps that may not import each other: the staff case page
(cases), a mediator's mediation page (mediation) and a citizen's own claim page (intake). At most
one query per kind of page, whatever the number of messages.
"""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Role
from accounts.permissions import has_role, is_staff_member
from cases.selectors import visible_cases
from intake.models import Claim
from mediation.models import Mediation
from notifications.links import Reader


def _case_links(user, numbers: list[str]) -> dict[str, str]:
    links: dict[str, str] = {}
    if is_staff_member(user):
        for number in visible_cases(user).filter(number__in=numbers).values_list("number", flat=True):
            links[number] = reverse("cases:case-detail", args=[number])
    rest = [n for n in numbers if n not in links]
    if rest and has_role(user, Role.MEDIATOR):
        found = Mediation.objects.filter(case__number__in=rest, mediator__user=user).order_by("-id")
        for case_number, number in found.values_list("case__number", "number"):
            links.setdefault(case_number, reverse("mediation:mediation-detail", args=[number]))
    rest = [n for n in numbers if n not in links]
    if rest and user.is_citizen:
        claims = Claim.objects.filter(submitter=user, case__number__in=rest).order_by("id")
        for case_number, code in claims.values_list("case__number", "tracking_code"):
            links.setdefault(case_number, reverse("intake:claim-detail", args=[code]))
    return links


READER = Reader(case_links=_case_links, is_staff=is_staff_member)
