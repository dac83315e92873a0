"""类案推荐 screens: the panel's rows (fetched by the case and mediation pages) and the search page
``/cases/similar/``. Staff only (403 for anyone else); a case or mediation outside the user's scope
is a 404; every row is a closed case the user may open (``selectors.similar_scope``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import is_staff_member
from cases.models import Case

from . import finder, selectors
from .forms import MAX_TEXT, SimilarSearchForm

#: Rows on the case and mediation pages, and on the search page.
PANEL_LIMIT = 5
SEARCH_LIMIT = 20


def _require_staff(user) -> None:
    if not is_staff_member(user):
        raise PermissionDenied


def _source(user, data) -> Case | None:
    """The case named by ``case`` or ``mediation`` in ``data`` (None when neither; 404 when not
    one the user may open)."""
    case_number = (data.get("case") or "").strip()
    mediation_number = (data.get("mediation") or "").strip()
    if not (case_number or mediation_number):
        return None
    case = selectors.source_case(user, case_number=case_number, mediation_number=mediation_number)
    if case is None:
        raise Http404
    return case


def case_text(case: Case) -> str:
    """What a case is matched on: its title and description — the description alone when the title
    is only the matter and the description's first words (as intake writes titles)."""
    head = case.title.split("：", 1)[-1].rstrip("…")
    if head and " ".join(case.description.split()).startswith(head):
        return case.description
    return f"{case.title}\n{case.description}"


@login_required
@require_GET
def similar_panel(request):
    """The panel's rows (an HTML fragment): the five closed cases in scope most like the case."""
    user = request.user
    _require_staff(user)
    case = _source(user, request.GET)
    if case is None:
        raise Http404
    scope = selectors.similar_scope(user).exclude(pk=case.pk)
    matches = finder.closed_case_matches(
        case_text(case)[:MAX_TEXT], matter_id=case.matter_id, region_id=case.region_id, cases=scope, limit=PANEL_LIMIT
    )
    rows = selectors.precedents(user, matches, scope=scope)
    return render(request, "precedents/panel.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def similar_search(request):
    """类案检索: a description (or a case's, from ``?case=``) and filters → up to 20 closed cases."""
    user = request.user
    _require_staff(user)
    source = _source(user, request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        form = SimilarSearchForm(request.POST, user=user)
    elif source is not None:
        form = SimilarSearchForm(
            {
                "text": case_text(source),
                "case": request.GET.get("case", ""),
                "mediation": request.GET.get("mediation", ""),
            },
            user=user,
        )
    else:
        form = SimilarSearchForm(user=user)
    rows = None
    if form.is_bound and form.is_valid():
        rows = _search(user, form, source)
    context = {"form": form, "rows": rows, "source": source, "limit": SEARCH_LIMIT, "max_text": MAX_TEXT}
    return render(request, "precedents/search.html", context, status=400 if form.is_bound and form.errors else 200)


def _search(user, form: SimilarSearchForm, source: Case | None) -> list[selectors.Precedent]:
    scope = selectors.filtered(selectors.similar_scope(user), **form.filters())
    data = form.cleaned_data
    if source is not None:
        scope = scope.exclude(pk=source.pk)
        matter_id, region_id = source.matter_id, source.region_id
    else:
        matter_id = data["matter"].pk if data.get("matter") else None
        region_id = data["region"].pk if data.get("region") else None
    matches = finder.closed_case_matches(
        data["text"], matter_id=matter_id, region_id=region_id, cases=scope, limit=SEARCH_LIMIT
    )
    return selectors.precedents(user, matches, scope=scope)
