"""Mapping a ``core.errors.ServiceError`` to what a view answers.

Two ways in: ``service_error_response(exc, form=…)`` for a view that catches the error itself, and
the ``service_call`` context manager that does the catching, so a view has no ``except`` of its own::

    with service_call(form, request=request, on_stale=detail_url) as call:
        mediation_assign(mediation=mediation, actor=request.user, ...)
    if call.response:  # a stale write: message shown, back to the page
        return call.response
    if call.ok:
        messages.success(request, ...)
        return redirect(...)
    return render(..., status=400)  # the message is on the form

django-fsm's ``ConcurrentTransition`` (a stale write of a lifecycle) counts as a ``StaleError``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition

from .errors import ServiceError, StaleError

#: What a stale write says when the view names nothing more precise.
STALE_MESSAGE = gettext_lazy("该记录刚被他人修改，请刷新后查看最新状态。")


def as_service_error(exc: BaseException, *, stale_message: str | None = None) -> ServiceError | None:
    """``exc`` as a ``ServiceError`` (a ``ConcurrentTransition`` becomes a ``StaleError``), or None
    for anything else."""
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, ConcurrentTransition):
        return StaleError(str(stale_message or STALE_MESSAGE))
    return None


def service_error_response(
    exc: ServiceError | ConcurrentTransition, *, form=None, field: str | None = None
) -> HttpResponse | None:
    """What to answer for ``exc``.

    403 and 409 errors (and any error when there is no form) become a plain-text response with
    the message and the error's status. Otherwise the message is added to ``form`` — on ``field``
    if given, else on the error's own field when the form has it, else as a non-field error — and
    None is returned: the view shows the form again (with status 400).
    """
    exc = as_service_error(exc)
    if form is not None and exc.status == 400:
        if field is None:
            field = exc.field if exc.field in getattr(form, "fields", {}) else None
        form.add_error(field, exc.message)
        return None
    return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")


class service_call:
    """Run a service call inside ``with``; a ``ServiceError`` or ``ConcurrentTransition`` it raises
    is caught and mapped, anything else propagates.

    - a 400 error with a ``form``: the message goes on the form (``field`` forces where);
    - a 400 error without a form but with a ``request``: the message is flashed
      (``messages.error``) and the view carries on (usually to a redirect);
    - a stale write with ``on_stale`` (a URL, or a callable giving one, evaluated only then):
      the message (``stale_message`` for a ``ConcurrentTransition``) is flashed and
      ``response`` redirects there;
    - otherwise (403, or 409 without ``on_stale``): ``response`` is ``service_error_response``'s
      (and the message is also put on the form, should the view show it again).

    After the block: ``ok`` is True when nothing was raised, ``error`` holds the mapped error.
    """

    def __init__(
        self,
        form=None,
        *,
        request=None,
        field: str | None = None,
        on_stale: str | Callable[[], str] | None = None,
        stale_message: str | None = None,
    ):
        self.form = form
        self.request = request
        self.field = field
        self.on_stale = on_stale
        self.stale_message = stale_message
        self.error: ServiceError | None = None
        self.response: HttpResponse | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def __enter__(self) -> service_call:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        error = as_service_error(exc, stale_message=self.stale_message) if exc is not None else None
        if error is None:
            return False
        self.error = error
        if error.status == 409 and self.on_stale is not None:
            target = self.on_stale() if callable(self.on_stale) else self.on_stale
            messages.error(self.request, error.message)
            self.response = redirect(target)
        elif error.status == 400 and self.form is None and self.request is not None:
            messages.error(self.request, error.message)
        else:
            self.response = service_error_response(error, form=self.form, field=self.field)
            if self.response is not None and self.form is not None:
                self.form.add_error(None, error.message)  # shown too if the view re-renders the form
        return True
