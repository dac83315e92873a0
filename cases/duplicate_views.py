"""The dispatcher's 疑似重复 screens (issue #13): the list (a tab of the centre's queue, built by
``duplicates_tab``), one pair's page, and the two decisions — 合并 and 标记为非重复.

A pair outside the dispatcher's region subtree, or anyone who is not its dispatcher (a handler, a
citizen, a dispatcher of another district), gets 404 — the same page as for a pair that does not
exist. Services in ``cases.duplicates``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.paging import bounded_page
from core.views import service_call

from .duplicates import NOTE_MAX, duplicate_pair_dismiss, duplicate_pair_for, duplicate_pair_merge, duplicate_pairs_for
from .models import DuplicatePair, DuplicateStatus

PAGE_SIZE = 20
MAX_PAGE = 50
STALE_MESSAGE = gettext_lazy("案件刚被他人处理，请查看最新状态。")


class DismissForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("说明（可选）"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("例如：同一村的两处不同工地，欠薪老板不同。"),
        error_messages={
            "max_length": gettext_lazy("说明最多 %(limit_value)d 个字（现有 %(show_value)d 个），请精简。")
        },
    )


def duplicates_tab(request, *, page: int) -> dict:
    """The rows of the queue's 疑似重复 tab (one bounded page, no count beyond the tab's)."""
    pairs, has_next = bounded_page(duplicate_pairs_for(request.user), page, page_size=PAGE_SIZE, max_page=MAX_PAGE)
    for pair in pairs:
        _sides(pair, DismissForm(auto_id=f"id_pair{pair.pk}_%s"))
    return {"pairs": pairs, "has_next": has_next}


def _load(request, pk: int) -> DuplicatePair:
    pair = duplicate_pair_for(request.user, pk)
    if pair is None:
        raise Http404
    return pair


def _back() -> str:
    return reverse("cases:queue") + "?tab=duplicates"


@login_required
@require_GET
def pair_detail(request, pk: int):
    """One pair side by side, with both decisions (or the decision taken)."""
    pair = _load(request, pk)
    return _pair_page(request, pair, DismissForm())


def _sides(pair: DuplicatePair, form: DismissForm) -> None:
    """What the pair's card shows: the earlier-registered case first (the one kept on a merge)."""
    pair.earlier, pair.later = sorted((pair.case_a, pair.case_b), key=lambda c: (c.created_at, c.pk))
    pair.sides, pair.form = [pair.earlier, pair.later], form


def _pair_page(request, pair: DuplicatePair, form: DismissForm, *, status: int = 200):
    _sides(pair, form)
    return render(request, "cases/duplicate_pair.html", {"pair": pair, "form": form}, status=status)


@login_required
@require_POST
def pair_merge(request, pk: int):
    """合并: the later case into the earlier one; a second click only says it is done."""
    pair = _load(request, pk)
    with service_call(None, request=request, on_stale=_back(), stale_message=STALE_MESSAGE) as call:
        into = duplicate_pair_merge(pair=pair, actor=request.user)
    if call.response:
        return call.response
    if not call.ok:
        return redirect(_back())
    if into is None:
        messages.info(request, _already(pair))
        return redirect(_back())
    messages.success(request, _("已合并：较晚登记的案件已并入 %(n)s，重复诉求次数已更新。") % {"n": into.number})
    return redirect(_back())


@login_required
@require_POST
def pair_dismiss(request, pk: int):
    """标记为非重复, with an optional note; remembered, never flagged again."""
    pair = _load(request, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _pair_page(request, pair, form, status=400)
    with service_call(form, request=request, on_stale=_back(), stale_message=STALE_MESSAGE) as call:
        done = duplicate_pair_dismiss(pair=pair, actor=request.user, note=form.cleaned_data["note"])
    if call.response:
        return call.response
    if not call.ok:
        return _pair_page(request, pair, form, status=400)
    if not done:
        messages.info(request, _already(pair))
    else:
        messages.success(request, _("已标记为非重复，这两件案件今后不会再被提示为疑似重复。"))
    return redirect(_back())


def _already(pair: DuplicatePair) -> str:
    pair.refresh_from_db(fields=["status"])
    if pair.status == DuplicateStatus.OPEN:
        return _("该疑似重复尚未处理，请重试。")
    return _("该疑似重复已处理（%(status)s），无需重复操作。") % {"status": pair.get_status_display()}
