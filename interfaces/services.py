"""Writes of the interfaces app: making and revoking API keys, recording calls."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceError
from routing.models import Region

from .models import ApiCall, ApiKey

#: Every scope a key may carry. An interface checks its own one (``interfaces.keys.authenticate``);
#: a new interface adds its scope here (the command refuses unknown ones).
SCOPES: dict[str, str] = {
    "open311": "Open311 GeoReport v2（/open311/v2/）",
    "claims": "合作方诉求接口（/api/v1/）",
    "court_replies": "法院、信访部门的答复（/api/v1/replies/）",
}
KEY_PREFIX = "yk_"
PREFIX_LENGTH = 10  # "yk_" and 7 characters of the secret: enough to tell keys apart in the admin


def hash_key(raw_key: str) -> str:
    """The stored form of a key. Keys are 256 random bits, so one SHA-256 is enough: there is no
    password to guess, and a lookup by digest is one indexed equality."""
    return hashlib.sha256(raw_key.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def api_key_create(
    *,
    partner: str,
    scopes: list[str],
    region: Region | None = None,
    rate_per_minute: int | None = None,
    at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Make a key for ``partner``. Returns the row and the raw key, which is not stored anywhere:
    the caller shows it once. Unknown scopes and an empty partner name are refused."""
    partner = " ".join((partner or "").split())
    if not partner or len(partner) > 100:
        raise ServiceError(_("请填写合作方名称（不超过 100 个字）。"), field="partner")
    scopes = sorted({scope.strip() for scope in scopes if scope.strip()})
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if not scopes or unknown:
        raise ServiceError(
            _("授权范围无效：%(bad)s。可选：%(all)s。") % {"bad": "、".join(unknown) or "—", "all": "、".join(SCOPES)},
            field="scopes",
        )
    if rate_per_minute is not None and rate_per_minute < 1:
        raise ServiceError(_("每分钟调用上限至少为 1。"), field="rate_per_minute")
    raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        partner=partner,
        prefix=raw_key[:PREFIX_LENGTH],
        key_hash=hash_key(raw_key),
        scopes=scopes,
        region=region,
        rate_per_minute=rate_per_minute,
        created_at=at or timezone.now(),
    )
    return key, raw_key


def api_keys_revoke(*, keys, at: datetime | None = None) -> int:
    """Revoke keys (one ``UPDATE``); a key already revoked keeps its first revocation time.
    The next call with a revoked key is refused (keys are looked up on every call, not cached)."""
    ids = [key.pk for key in keys]
    return ApiKey.objects.filter(pk__in=ids, revoked_at__isnull=True).update(revoked_at=at or timezone.now())


def api_call_record(
    *, key: ApiKey | None, method: str, endpoint: str, status: int, client: str | None, at: datetime
) -> None:
    """One row per call, one INSERT, outside any transaction of the call itself."""
    ApiCall.objects.create(key=key, method=method[:8], endpoint=endpoint[:100], status=status, client=client, at=at)


def api_calls_purge(*, now: datetime | None = None) -> int:
    """Delete call-log rows older than ``API_CALL_LOG_DAYS`` (one ``DELETE … WHERE at < …``: nothing
    points at a call row, so Django deletes without loading them). Safe to run twice or together."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.API_CALL_LOG_DAYS)
    deleted, _by_model = ApiCall.objects.filter(at__lt=cutoff).delete()
    return deleted
