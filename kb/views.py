"""知识库 screens: the public search (/kb/) and article pages, the clerks' "相关政策与问答" panel
beside the window and hotline forms, and the citizens' tips for a picked matter.

Published articles are public; unpublished ones exist only for people who may edit them (anyone
else gets a 404, as if there were no such article)."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.paging import page_number
from routing.models import MatterType

from . import permissions, selectors
from .forms import PanelForm, SearchForm

#: What a matter code can look like (anything else is not looked up: NUL bytes and the like).
CODE = re.compile(r"[\w.\-]{1,60}")
PAGE_SIZE = 10
MAX_PAGE = 50


@require_GET
def kb_search(request):
    form = SearchForm(request.GET or None)
    context = {
        "form": form,
        "results": [],
        "has_next": False,
        "searched": False,
        "may_edit": permissions.may_edit(request.user),
    }
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        q = data.get("q", "")
        page = page_number(request, max_page=MAX_PAGE)
        results, has_next, words, guessed = selectors.search_page(
            request.user,
            q=q,
            category=data.get("category", ""),
            matter=data.get("matter"),
            page=page,
            page_size=PAGE_SIZE,
        )
        if q and not words:
            form.add_error("q", _no_words_message())
            results, has_next, status = [], False, 400
        context.update(
            {
                "results": results,
                "has_next": has_next and page < MAX_PAGE,
                "page": page,
                "searched": bool(q),
                "guessed": guessed if results else None,
                "query_string": _query_string(request, page),
            }
        )
    return render(request, "kb/search.html", context, status=status)


def _no_words_message():
    return _("没有可以查找的词：请输入至少两个汉字或一个英文单词、数字，如“拖欠工资”。")


def _query_string(request, page: int) -> dict:
    params = request.GET.copy()
    params.pop("page", None)
    base = params.urlencode()
    prefix = f"?{base}&" if base else "?"
    return {"prev": f"{prefix}page={page - 1}", "next": f"{prefix}page={page + 1}"}


@require_GET
def article_detail(request, pk: int):
    article = selectors.article_for(request.user, pk)
    if article is None:
        raise Http404
    context = {
        "article": article,
        "related": selectors.related_articles(request.user, article),
        "claim_matter": next((m.code for m in article.matters.all() if m.parent_id), ""),
        "may_edit": permissions.may_edit(request.user),
    }
    return render(request, "kb/article.html", context)


@login_required
@require_POST
def staff_panel(request):
    """The clerks' panel, refreshed as the description and matter are typed (POST: what the caller
    said stays out of URLs and access logs)."""
    if not permissions.may_use_panel(request.user):
        raise PermissionDenied
    form = PanelForm(request.POST)
    if not form.is_valid():
        return render(request, "kb/_panel_body.html", {"errors": form.errors}, status=400)
    data = form.cleaned_data
    rows, words = ([], [])
    if data["description"].strip() or data["matter"] is not None:
        rows, words = selectors.panel_articles(text=data["description"], matter=data["matter"], region=data["region"])
    return render(
        request, "kb/_panel_body.html", {"rows": rows, "asked": bool(data["description"].strip() or data["matter"])}
    )


@require_GET
def citizen_tips(request):
    """常见问答 and 办事指南 for the matter a citizen picked on the claim form (public)."""
    code = request.GET.get("matter", "")
    matter = MatterType.objects.filter(code=code, active=True).first() if CODE.fullmatch(code) else None
    if code and matter is None:
        return render(request, "kb/_tips_body.html", {"tips": [], "unknown": True}, status=400)
    tips = selectors.citizen_tips(matter) if matter else []
    return render(request, "kb/_tips_body.html", {"tips": tips, "matter": matter})
