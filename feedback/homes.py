"""The clerk's home: the call-backs waiting (accounts.homes; registered in ``FeedbackConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.homes import Count, Work
from accounts.models import Role

from .selectors import callback_count


def callback_home(*, user, roles: set[str], now) -> Work | None:
    if Role.CLERK not in roles:
        return None
    url = reverse("feedback:workbench")
    count = Count(key="callback", label=_("待电话回访（等待群众评价）"), count=callback_count(user), url=url)
    return Work(title=_("回访工作台"), counts=[count])
