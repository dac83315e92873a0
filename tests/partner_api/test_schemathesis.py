"""Schemathesis against /api/schema/ (issue #12): every operation of /api/v1/ driven in process
through the WSGI application with generated valid and invalid requests, a real key and the demo
directory; every answer checked against the schema (status, content type, headers, body) and for
5xx. Bounded and derandomized so a failure reproduces: ``SCHEMATHESIS_MAX_EXAMPLES`` per operation
(5 by default; ``.ci/run`` gives its own section a larger budget)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))


@pytest.fixture(autouse=True)
def _test_connection_kept():
    """The WSGI handler closes the database connection at the end of each request (Django's test
    client does not): on PostgreSQL that would close the test's own transaction. Done as the test
    client does it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_address_budget(settings):
    """Schemathesis sends hundreds of calls with a wrong key from one address; past the anonymous
    budget they would rightly get 429 (test_claims.py), but its auth check expects 401 each time."""
    settings.API_ANONYMOUS_RATE_PER_MINUTE = 1_000_000


@pytest.fixture
def partner_key(api_key):
    _key, raw = api_key(scopes=["claims", "court_replies"], region=None, partner="schemathesis")
    return raw


def _schema():
    """Read from the served /api/schema/ through the WSGI application (the schema view reads no
    table, so this runs at collection, before any database is set up)."""
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema(case, partner_key):
    # Every built-in check but "schema-valid data is accepted": what the schema cannot say — a
    # code missing from the directory, a place outside the key's area, a court case number needed
    # only for "accepted" — is refused by design with a 4xx problem body.
    case.call_and_validate(
        headers={"Authorization": f"Api-Key {partner_key}"},
        excluded_checks=[positive_data_acceptance],
    )
