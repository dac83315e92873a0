"""One structured (JSON) log line per request, and the request id that ties it to its tasks.

The line (logger ``yikouban.requests``, docs/deployment.md) carries: ``request_id`` (the client's
``X-Request-ID`` when it is a sane token, else a new one; echoed in the response), ``user_id`` (a
number, never a phone or a name), ``view`` (the URL name), ``method``, ``path`` (no query string;
phone and ID numbers in it masked), ``status``, ``duration_ms`` and ``queries`` (counted by a
connection execute wrapper). The id stays in a context variable for the length of the request, so
the q2 tasks it enqueues carry it (core/task_log.py).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from contextlib import ExitStack

from django.conf import settings
from django.db import connections

from core.masking import PERSONAL_NUMBER

logger = logging.getLogger("yikouban.requests")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# A mainland mobile number (11 digits from 1) or an ID number (17 digits and a digit or X),
# wherever digits stand alone (case numbers like 高明-2026-000123 are left as they are).
_PERSONAL_NUMBER = PERSONAL_NUMBER

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("yikouban_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request (or task) this code runs for, if any."""
    return _request_id.get()


def request_id_set(value: str | None) -> contextvars.Token:
    """Bind ``value`` as the current request id; give the token back to ``request_id_reset``."""
    return _request_id.set(value)


def request_id_reset(token: contextvars.Token) -> None:
    _request_id.reset(token)


def request_id_from(header: str | None) -> str:
    """The client's id when it is a sane token (letters, digits, ``._-``, 8–64 long), else a new one."""
    if header and _SANE_ID.fullmatch(header) and not _PERSONAL_NUMBER.search(header):
        return header
    return uuid.uuid4().hex


def mask_personal_numbers(text: str) -> str:
    """Phone and ID numbers replaced by asterisks, so a log line never holds one."""
    return _PERSONAL_NUMBER.sub(lambda match: "*" * len(match.group()), text)


def log_line(log: logging.Logger, record: dict) -> None:
    log.info(json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str))


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _user_id(request) -> int | None:
    if request.path_info in settings.SESSIONLESS_PATHS:
        return None  # a probe: do not load a session to find a user
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _view_name(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


def _logged_path(request) -> str:
    """The path with phone and ID numbers masked, and a URL's ``token`` argument (a single-use
    link such as the rating link ``/r/<token>/``) replaced, so a log never holds a usable link."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    secret = match.kwargs.get("token") if match is not None else None
    if isinstance(secret, str) and secret:
        path = path.replace(secret, "…")
    return mask_personal_numbers(path)


class UrlTokenFilter(logging.Filter):
    """Django's own warnings ("Not Found: /r/<token>/", a refused CSRF check) name the request's
    path: the same ``token`` argument is replaced there too (settings ``LOGGING``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        match = getattr(getattr(record, "request", None), "resolver_match", None)
        secret = match.kwargs.get("token") if match is not None else None
        if isinstance(secret, str) and secret:
            record.msg = str(record.msg).replace(secret, "…")
            if isinstance(record.args, tuple):
                record.args = tuple(a.replace(secret, "…") if isinstance(a, str) else a for a in record.args)
        return True


class RequestLogMiddleware:
    """Outermost middleware: times the request, counts its queries, writes the line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = request_id_set(request_id)
        counter = _QueryCounter()
        started = time.perf_counter()
        status = 500
        try:
            with ExitStack() as stack:
                for connection in connections.all():
                    stack.enter_context(connection.execute_wrapper(counter))
                response = self.get_response(request)
            status = response.status_code
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            log_line(
                logger,
                {
                    "event": "request",
                    "request_id": request_id,
                    "user_id": _user_id(request),
                    "view": _view_name(request),
                    "method": request.method,
                    "path": _logged_path(request),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "queries": counter.count,
                },
            )
            request_id_reset(token)
