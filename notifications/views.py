"""The message centre (站内消息): a user's messages, newest first; open one (read, then its case);
mark one or all read. Every user reads only the messages addressed to them (another user's
message id is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.formatting import cn_datetime
from core.paging import bounded_page, page_number

from . import selectors
from . import services as s
from .forms import InboxFilterForm
from .kinds import kind_choices, kind_label, kind_link
from .links import case_links, is_staff_reader

PAGE_SIZE = 20
MAX_PAGE = 50  # 1,000 messages back: older ones are found by their kind


def _back(request) -> str:
    """The list as the user left it (only our own path: never an outside redirect)."""
    target = request.POST.get("next", "")
    base = reverse("notifications:inbox")
    safe = target.startswith(base) and not any(bad in target for bad in ("//", "\\", ".."))
    return target if safe else base


@login_required
@require_GET
def inbox(request):
    user = request.user
    form = InboxFilterForm(request.GET, staff=is_staff_reader(user))
    valid = form.is_valid()
    kind, unread = (form.cleaned_data["kind"], form.cleaned_data["unread"]) if valid else ("", False)
    page = page_number(request, max_page=MAX_PAGE)
    rows, has_next = ([], False)
    if valid:
        rows, has_next = bounded_page(
            selectors.inbox_messages(user, kind=kind, unread=unread), page, page_size=PAGE_SIZE, max_page=MAX_PAGE
        )
    links = case_links(user, [row.case_number for row in rows])
    for row in rows:
        row.label = kind_label(row.kind)
        row.when = cn_datetime(row.created_at)
        row.case_url = links.get(row.case_number, "") or ("" if row.case_number else kind_link(row.kind))
    context = {
        "form": form,
        "rows": rows,
        "page": page,
        "has_next": has_next,
        "kind": kind,
        "here": request.get_full_path(),
    }
    return render(request, "notifications/inbox.html", context, status=200 if valid else 400)


@login_required
@require_POST
def message_open(request, pk: int):
    """Clicking a message: it is marked read and its case opens (the case page checks again who
    may see it); a digest without a case opens its kind's page (``KIND_LINKS``, e.g. the 研判预警
    list); any other message without a case, or whose case the reader may no longer open, goes back
    to the list."""
    message = s.inbox_message_read(user=request.user, message_id=pk)
    if message is None:
        raise Http404
    url = case_links(request.user, [message.case_number]).get(message.case_number)
    if not message.case_number:
        url = kind_link(message.kind)  # a digest opens its list (notifications.kinds.KIND_LINKS)
    if url:
        return redirect(url)
    messages.info(request, _("该消息已标为已读。"))
    return redirect(_back(request))


@login_required
@require_POST
def message_read(request, pk: int):
    if s.inbox_message_read(user=request.user, message_id=pk) is None:
        raise Http404
    messages.success(request, _("该消息已标为已读。"))
    return redirect(_back(request))


@login_required
@require_POST
def inbox_read_all(request):
    kind = request.POST.get("kind", "")
    if kind and kind not in {code for code, _label in kind_choices(staff=True)}:
        messages.error(request, _("没有这个消息类别，请从列表中选择。"))  # nothing is marked
        return redirect(_back(request))
    n = s.inbox_all_read(user=request.user, kind=kind)
    if n:
        messages.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": n})
    else:
        messages.info(request, _("没有未读消息。"))
    return redirect(_back(request))
