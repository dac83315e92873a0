"""Mapping a ``core.errors.ServiceError`` to what a view answers."""

from __future__ import annotations

from django.http import HttpResponse

from .errors import ServiceError


def service_error_response(exc: ServiceError, *, form=None) -> HttpResponse | None:
    """What to answer for ``exc``.

    403 and 409 errors (and any error when there is no form) become a plain-text response with
    the message and the error's status. Otherwise the message is added to ``form`` — on the named
    field when the form has it, else as a non-field error — and None is returned: the view shows
    the form again (with status 400).
    """
    if form is not None and exc.status == 400:
        field = exc.field if exc.field in getattr(form, "fields", {}) else None
        form.add_error(field, exc.message)
        return None
    return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
