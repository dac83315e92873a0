"""Checks on a whole request at the edge, shared by the middleware and the partner interfaces."""

from __future__ import annotations

import re

# C0 control characters and DEL; tab, newline and carriage return are ordinary in typed text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# In a path or a query string even tab and newlines have no business (and NUL breaks PostgreSQL).
CONTROL_IN_URL = re.compile(r"[\x00-\x1f\x7f]")


def has_control_characters(request, *, body: bool = True) -> bool:
    """The path, a query parameter, a form field (name or value) or an uploaded file's name
    carries a control character. Reads ``request.POST`` for form posts (which may raise Django's
    ``RequestDataTooBig`` / ``TooManyFieldsSent``). ``body=False`` looks at the URL only."""
    if CONTROL_IN_URL.search(request.path) or CONTROL_IN_URL.search(request.path_info):
        return True
    for key, values in request.GET.lists():
        if CONTROL_IN_URL.search(key) or any(CONTROL_IN_URL.search(v) for v in values):
            return True
    if (
        body
        and request.method in ("POST", "PUT", "PATCH")
        and request.content_type
        in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        )
    ):
        for key, values in request.POST.lists():
            if CONTROL.search(key) or any(CONTROL.search(v) for v in values):
                return True
        for key in request.FILES:
            if any(CONTROL_IN_URL.search(f.name or "") for f in request.FILES.getlist(key)):
                return True
    return False
