"""Partner API fixtures: keys made through the interfaces app's service, and a client that
speaks JSON with ``Authorization: Api-Key <key>``."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client


class Api:
    """A partner's HTTP client (Django's test client underneath)."""

    def __init__(self, raw_key: str | None):
        self.client = Client()
        self.raw_key = raw_key

    def headers(self, idempotency_key, extra):
        headers = {}
        if self.raw_key is not None:
            headers["Authorization"] = f"Api-Key {self.raw_key}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return {**headers, **(extra or {})}

    def post(
        self,
        path,
        body=None,
        *,
        key: str | None = "auto",
        raw: bytes | None = None,
        content_type="application/json",
        headers=None,
    ):
        idempotency_key = uuid.uuid4().hex if key == "auto" else key
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        return self.client.generic(
            "POST", path, data, content_type=content_type, headers=self.headers(idempotency_key, headers)
        )

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers=self.headers(None, headers))


@pytest.fixture
def api_key(demo):
    """``api_key(scopes=["claims"], region="440608")`` → (ApiKey, raw key)."""
    from interfaces.services import api_key_create
    from routing.models import Region

    def make(scopes=("claims",), region="440608", partner="高明区12345平台", rate_per_minute=10_000):
        return api_key_create(
            partner=partner,
            scopes=list(scopes),
            region=Region.objects.get(code=region) if region else None,
            rate_per_minute=rate_per_minute,
        )

    return make


@pytest.fixture
def api(api_key):
    """``api()`` → a client with a fresh claims key over 高明区; ``api(None)`` sends no key."""

    def make(raw_key: str | None | object = ..., **key_options) -> Api:
        if raw_key is ...:
            _key, raw_key = api_key(**key_options)
        return Api(raw_key)

    return make


@pytest.fixture
def written():
    """``written()`` → the row counts a refused write must leave as they were."""
    from cases.models import Case, CaseEvent
    from intake.models import Claim
    from notifications.models import OutboxMessage
    from partner_api.models import IdempotencyRecord, PartnerClaim

    def counts():
        return tuple(
            m.objects.count() for m in (Case, CaseEvent, Claim, OutboxMessage, PartnerClaim, IdempotencyRecord)
        )

    return counts
