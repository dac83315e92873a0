from django.utils.functional import cached_property

from .selectors import UNREAD_CAP, inbox_unread_count


class Bell:
    """The header's bell: the unread count, read (one indexed query) only if the page shows it."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return inbox_unread_count(self.user)

    @property
    def label(self) -> str:
        return f"{UNREAD_CAP - 1}+" if self.count >= UNREAD_CAP else str(self.count)


def bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"bell": None}
    return {"bell": Bell(user)}
