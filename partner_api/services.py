"""Writes of the partner API: claims filed under the partner's own id, and courts' or petition
bureaus' replies. Every write runs under the partner's ``Idempotency-Key`` (``idempotent``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.citizen_words import status_words
from cases.services import CaseOrigin, case_record
from core.errors import ForbiddenError, ServiceError
from intake.duplicates import claim_duplicates_record_on_commit
from intake.selectors_staff import citizen_by_phone
from intake.services import claim_submit
from intake.staff_forms import end_of_day
from interfaces.keys import region_allows
from mediation.litigation.services import litigation_reply
from mediation.models import LitigationPackage, Mediation
from notifications.models import NotificationChannel
from notifications.services import notification_send, notifications_batch_enqueue, notifications_batched
from routing.dispatch import directory_pinned

from .models import IdempotencyRecord, PartnerClaim


class PartnerConflict(ServiceError):
    """The request contradicts an earlier one (HTTP 409)."""

    status = 409


class NotInScope(ServiceError):
    """Nothing of that reference in the key's area (HTTP 404: it does not say whether it exists)."""

    status = 404


class _Raced(Exception):
    """Another request with the same idempotency key committed first."""


def request_digest(body) -> str:
    """The SHA-256 of the parsed body in one canonical spelling (key order and spacing ignored)."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _replay(record: IdempotencyRecord, digest: str, endpoint: str) -> tuple[int, dict, bool]:
    if record.request_sha256 != digest or record.endpoint != endpoint:
        message = _("该 Idempotency-Key 已用于另一个内容不同的请求；新请求请换一个新的 Idempotency-Key。")
        raise PartnerConflict(message, field="Idempotency-Key")
    return record.status, record.response, True


def idempotent(
    *, api_key, key: str, endpoint: str, body, write: Callable[[], tuple[int, dict]], at: datetime | None = None
) -> tuple[int, dict, bool]:
    """Run ``write`` once per ``(API key, Idempotency-Key)``. Returns ``(status, answer, replayed)``: a retry
    with the same body gets the first answer (``replayed``); another body under the same key is a
    ``PartnerConflict`` and writes nothing. A refused write (an exception) records nothing, so the
    partner may correct the request and send it again under the same key."""
    digest = request_digest(body)
    record = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
    if record is not None:
        return _replay(record, digest, endpoint)
    try:
        # the batch ends after the commit, so a message's delivery task never runs before its row exists
        with notifications_batched(), transaction.atomic():
            status, answer = write()
            IdempotencyRecord.objects.create(
                api_key=api_key,
                partner=api_key.partner,
                key=key,
                endpoint=endpoint,
                request_sha256=digest,
                status=status,
                response=answer,
                created_at=at or timezone.now(),
            )
            notifications_batch_enqueue()  # the delivery task commits with the claim: one commit fewer
    except (IntegrityError, _Raced):
        record = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
        if record is None:
            raise
        return _replay(record, digest, endpoint)
    return status, answer, False


# Claims --------------------------------------------------------------------------------------------


def _origin(data: dict) -> CaseOrigin | None:
    """上级交办 sent by a partner: stored as the clerk's 上级交办 form stores it (the deadline caps
    every stage clock at the end of that day)."""
    if not data.get("referral_deadline"):
        return None
    return CaseOrigin(
        referral_authority=data["referral_authority"],
        referral_document=data["referral_document"],
        referral_due_at=end_of_day(data["referral_deadline"]),
    )


def claim_answer(partner_claim: PartnerClaim) -> dict:
    claim, case = partner_claim.claim, partner_claim.case
    return {
        "case_number": case.number,
        "external_id": partner_claim.external_id,
        "channel": claim.channel,
        "tracking_code": claim.tracking_code,
        "status": case.status,
        "status_text": status_words(case.status),
        "created_at": claim.created_at.isoformat(),
        "status_url": f"/api/v1/cases/{case.number}",
    }


def _submission_key(api_key, key: str) -> str:
    return hashlib.sha256(f"api\x00key{api_key.pk}\x00{key}".encode("utf-8", "surrogatepass")).hexdigest()


def idempotency_records_purge(*, now: datetime | None = None) -> int:
    """Delete idempotency records older than ``PARTNER_API_IDEMPOTENCY_DAYS`` (one ``DELETE``;
    nothing points at them). A retry arriving later is a new request. Safe to run twice."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.PARTNER_API_IDEMPOTENCY_DAYS)
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def partner_claim_create(*, api_key, data: dict, idempotency_key: str, at: datetime | None = None) -> PartnerClaim:
    """A claim filed by a partner: registered through ``intake.services.claim_submit`` like every
    channel (the centre of its place, the accept clock, the tracking code sent to the contact after
    commit), linked to the caller's account by phone as the hotline does, and to the partner's own
    ``external_id``. Refused: a place outside the key's area (403, ``region``), an external id the
    partner used before (409, ``external_id``)."""
    region = data["region"]
    if not region_allows(api_key, region):
        raise ForbiddenError(_("发生地“%(r)s”不在本接口密钥的授权区域内。") % {"r": region.name}, field="region")
    partner, external_id = api_key.partner, data["external_id"]
    at = at or timezone.now()
    with directory_pinned():
        claim, created = claim_submit(
            channel=data["channel"],
            matter=data["matter"],
            region=region,
            description=data["description"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            id_number=data.get("id_number", ""),
            address=data.get("address", ""),
            people_count=data.get("people_count", 1),
            submitter=citizen_by_phone(data["contact_phone"]),
            submission_key=_submission_key(api_key, idempotency_key),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            at=at,
            origin=_origin(data),
        )
        if not created:
            raise _Raced
        try:
            with transaction.atomic():
                record = PartnerClaim.objects.create(
                    claim=claim, case=claim.case, partner=partner, external_id=external_id, created_at=at
                )
            claim_duplicates_record_on_commit(claim)  # 疑似重复 for the dispatcher (issue #13)
            return record
        except IntegrityError as exc:  # filed before (rare: found by the constraint, not by a read per claim)
            used = PartnerClaim.objects.filter(partner=partner, external_id=external_id).values_list("case__number")
            raise PartnerConflict(
                _("合作方编号“%(e)s”已提交过（案件 %(n)s）；重试请使用首次提交时的 Idempotency-Key。")
                % {"e": external_id, "n": next(iter(used), ("—",))[0]},
                field="external_id",
            ) from exc


# Replies -------------------------------------------------------------------------------------------


def reply_answer(case, kind: str, state: str, at: datetime) -> dict:
    return {"case_number": case.number, "kind": kind, "recorded_at": at.isoformat(), "state": state}


def partner_litigation_reply(
    *, api_key, reference: str, decision: str, court_document: str, reply: str, at: datetime | None = None
) -> dict:
    """A court's answer to a litigation package (立案 / 退回), found by the gateway's reference, for a
    case in the key's area: ``mediation.litigation.services.litigation_reply`` as a system action."""
    at = at or timezone.now()
    package = (
        LitigationPackage.objects.select_related("mediation__case__region")
        .filter(reference=reference)
        .exclude(reference="")
        .first()
    )
    if package is None or not region_allows(api_key, package.mediation.case.region):
        raise NotInScope(
            _("未找到回执号为“%(r)s”的诉讼材料包，或其不在本密钥的授权区域内。") % {"r": reference}, field="reference"
        )
    if package.state != LitigationPackage.State.SUBMITTED:
        raise PartnerConflict(
            _("该诉讼材料包已登记过法院答复（%(s)s）。") % {"s": package.get_state_display()}, field="reference"
        )
    signed = _("（%(p)s 经接口答复）") % {"p": api_key.partner}
    package = litigation_reply(
        package=package,
        actor=None,
        state=decision,
        court_document=court_document,
        reply=(reply + signed) if reply else signed,
        at=at,
    )
    return reply_answer(package.mediation.case, "litigation", package.state, at)


@transaction.atomic
def partner_referral_reply(
    *, api_key, referral_document: str, reply: str, document: str = "", at: datetime | None = None
) -> dict:
    """A referring body's answer about a dispute it handed over (诉前委派, 访调对接…): an internal
    ``referral_reply`` event on the case's timeline, the mediator told. Only for a mediation whose
    referring unit lies in the key's area."""
    at = at or timezone.now()
    mediation = (
        Mediation.objects.select_related("case", "referring_unit__region", "mediator__user")
        .filter(referral_document=referral_document, referring_unit__isnull=False)
        .order_by("-requested_at", "-id")
        .first()
    )
    if mediation is None or not region_allows(api_key, mediation.referring_unit.region):
        raise NotInScope(
            _("未找到文书号为“%(d)s”的移送案件，或其不是本密钥授权区域内的单位移送的。") % {"d": referral_document},
            field="referral_document",
        )
    note = _("%(u)s 答复（%(d)s）：%(r)s") % {
        "u": mediation.referring_unit.name,
        "d": document or referral_document,
        "r": reply,
    }
    case_record(case=mediation.case, transition="referral_reply", actor=None, note=note, public=False, at=at)
    if mediation.mediator_id:
        notification_send(
            kind="referral_reply",
            user=mediation.mediator.user,
            body=_("%(n)s：%(note)s") % {"n": mediation.number, "note": note},
            channel=NotificationChannel.INAPP,
        )
    return reply_answer(mediation.case, "referral", "recorded", at)
