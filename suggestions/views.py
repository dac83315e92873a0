"""建议征集: the public list and topic page (suggest while open; replies after closing) and the
centre staff's screens (publish a topic, reply, hide with a reason). A topic of another centre is
a 404 to its staff; a screen a role may not use is a 403."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.paging import bounded_page, page_number
from core.views import service_call
from routing.models import Unit

from . import permissions, selectors, services
from .forms import HideForm, ReplyForm, SuggestionForm, TopicForm, UnhideForm
from .models import Suggestion, Topic


@require_GET
def topic_list(request):
    """The public page: every topic, open ones first."""
    rows, has_next = bounded_page(selectors.public_topics_ordered(), page_number(request))
    return render(
        request, "suggestions/topic_list.html", {"rows": rows, "has_next": has_next, "today": timezone.localdate()}
    )


@require_http_methods(["GET", "POST"])
def topic_detail(request, pk: int):
    topic = get_object_or_404(Topic.objects.select_related("centre"), pk=pk)
    form = SuggestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{resolve_url(settings.LOGIN_URL)}?next={request.path}")
        if form.is_valid():
            with service_call(form) as call:
                services.suggestion_submit(topic=topic, actor=request.user, text=form.cleaned_data["text"])
            if call.ok:
                messages.success(request, _("谢谢您的建议，已提交。征集结束后，答复会在本页公布。"))
                return redirect("suggestions:topic-detail", pk=pk)
        status = 400
    closed = topic.is_closed()
    shown = list(selectors.public_suggestions(topic)) if closed else []
    context = {"topic": topic, "form": form, "closed": closed, "open": topic.is_open(), "shown": shown}
    return render(request, "suggestions/topic_detail.html", context, status=status)


# Staff -----------------------------------------------------------------------------------------


def _managed_topic(request, pk: int) -> Topic:
    if not permissions.may_manage_any(request.user):
        raise PermissionDenied
    topic = selectors.managed_topics(request.user).filter(pk=pk).first()
    if topic is None:
        raise Http404
    return topic


def _centres(user):
    if permissions.is_admin(user):
        return list(Unit.objects.filter(roles__code="dispatch", active=True).order_by("code"))
    return list(Unit.objects.filter(pk__in=permissions.managed_centre_ids(user)).order_by("code"))


@login_required
@require_GET
def manage_list(request):
    if not permissions.may_manage_any(request.user):
        raise PermissionDenied
    rows, has_next = bounded_page(selectors.managed_topics(request.user), page_number(request))
    return render(request, "suggestions/manage_list.html", {"rows": rows, "has_next": has_next})


@login_required
@require_http_methods(["GET", "POST"])
def manage_new(request):
    if not permissions.may_manage_any(request.user):
        raise PermissionDenied
    form = TopicForm(request.POST or None, centres=_centres(request.user))
    if request.method == "POST" and form.is_valid():
        with service_call(form) as call:
            topic = services.topic_publish(actor=request.user, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("征集主题已发布。"))
            return redirect("suggestions:manage-topic", pk=topic.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "suggestions/manage_new.html", {"form": form}, status=status)


@login_required
@require_GET
def manage_topic(request, pk: int):
    topic = _managed_topic(request, pk)
    rows = list(selectors.managed_suggestions(topic))
    return render(request, "suggestions/manage_topic.html", {"topic": topic, "rows": rows})


def _managed_suggestion(request, pk: int) -> Suggestion:
    if not permissions.may_manage_any(request.user):
        raise PermissionDenied
    suggestion = get_object_or_404(Suggestion.objects.select_related("topic"), pk=pk)
    if not permissions.may_manage(request.user, suggestion.topic):
        raise Http404
    return suggestion


@login_required
@require_POST
def manage_reply(request, pk: int):
    suggestion = _managed_suggestion(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        with service_call(form) as call:
            services.suggestion_reply(suggestion=suggestion, actor=request.user, **form.cleaned_data)
        if call.ok:
            messages.success(request, _("答复已保存。"))
            return redirect("suggestions:manage-topic", pk=suggestion.topic_id)
    return _form_error(request, suggestion, form)


@login_required
@require_POST
def manage_hide(request, pk: int):
    suggestion = _managed_suggestion(request, pk)
    form = HideForm(request.POST)
    if form.is_valid():
        with service_call(form) as call:
            services.suggestion_hide(suggestion=suggestion, actor=request.user, reason=form.cleaned_data["reason"])
        if call.ok:
            messages.success(request, _("已屏蔽该建议，原因已记录。"))
            return redirect("suggestions:manage-topic", pk=suggestion.topic_id)
    return _form_error(request, suggestion, form)


@login_required
@require_POST
def manage_unhide(request, pk: int):
    """取消屏蔽: a suggestion hidden by mistake is shown again; the reason is recorded."""
    suggestion = _managed_suggestion(request, pk)
    form = UnhideForm(request.POST)
    if form.is_valid():
        with service_call(form) as call:
            services.suggestion_unhide(suggestion=suggestion, actor=request.user, reason=form.cleaned_data["reason"])
        if call.ok:
            messages.success(request, _("已取消屏蔽，原因已记录。"))
            return redirect("suggestions:manage-topic", pk=suggestion.topic_id)
    return _form_error(request, suggestion, form)


def _form_error(request, suggestion: Suggestion, form):
    topic = selectors.managed_topics(request.user).get(pk=suggestion.topic_id)
    rows = list(selectors.managed_suggestions(topic))
    context = {"topic": topic, "rows": rows, "error_for": suggestion.pk, "error_form": form}
    return render(request, "suggestions/manage_topic.html", context, status=400)
