"""One base for the errors a service raises to say "no" to a request it understood.

A view maps them with ``core.views.service_error_response``: the message goes on the form (on
``field`` if named, else as a non-field error) and the page is shown again (400); a stale write
answers 409 and a refusal 403.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A rule of the domain refused the request; ``message`` says why, in Chinese, for the user."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleError(ServiceError):
    """Someone else changed the object since the page was shown (HTTP 409)."""

    status = 409


class ForbiddenError(ServiceError):
    """The acting user may not do this (HTTP 403)."""

    status = 403
