"""我的包案 (issue #15, cases.baoan; docs/baoan.md): a leader's own cases with their target dates.

Supervisors see the cases they own; an admin sees every owned case (an admin may release one whose
leader left). Everyone else: 403. Taking, releasing, hanging and removing the plate are actions on
the case page (``cases.views.ACTIONS``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import has_role
from cases.permissions import is_admin
from cases.time_left import with_time_left
from core.paging import bounded_page, page_number
from supervision import selectors

PAGE_SIZE = 25
MAX_PAGE = 100
TAB_LABELS = {"open": gettext_lazy("在办"), "ended": gettext_lazy("已结束")}


def can_use_baoan_list(user) -> bool:
    return has_role(user, Role.SUPERVISOR) or is_admin(user)


@login_required
@require_GET
def baoan_list(request):
    user = request.user
    if not can_use_baoan_list(user):
        raise PermissionDenied
    tab = request.GET.get("tab") or "open"
    if tab not in selectors.BAOAN_TABS:
        raise Http404
    page = page_number(request, max_page=MAX_PAGE)
    rows, has_next = bounded_page(selectors.baoan_cases(user, tab=tab), page, page_size=PAGE_SIZE, max_page=MAX_PAGE)
    rows = with_time_left(rows)
    context = {
        "cases": rows,
        "tab": tab,
        "tabs": [{"status": t, "label": TAB_LABELS[t], "active": t == tab} for t in selectors.BAOAN_TABS],
        "page": page,
        "has_next": has_next,
        "everyone": is_admin(user) and not has_role(user, Role.SUPERVISOR),
    }
    return render(request, "supervision/baoan_list.html", context)
