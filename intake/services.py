"""Taking claims in, from every channel."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, PartyRole
from cases.services import CaseError, CaseOrigin, PartyData, case_create
from notifications.services import notification_send
from routing.models import Channel, MatterType, Region

from .models import Attachment, Claim
from .uploads import CheckedUpload

# No 0/O, 1/I/L: read out over the phone without mistakes.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _tracking_code() -> str:
    """10 characters, uniform over the alphabet: one draw below 31¹⁰ written in base 31 (ten
    ``secrets.choice`` calls cost more than a bulk import's whole claim)."""
    number, digits = secrets.randbelow(len(_ALPHABET) ** 10), []
    for _position in range(10):
        number, digit = divmod(number, len(_ALPHABET))
        digits.append(_ALPHABET[digit])
    return "".join(digits)


def _title(matter: MatterType, description: str) -> str:
    first_line = " ".join(description.split())
    return f"{matter.name}：{first_line[:30]}{'…' if len(first_line) > 30 else ''}"


def claim_submit(
    *,
    channel: str,
    matter: MatterType,
    region: Region,
    description: str,
    contact_name: str,
    contact_phone: str,
    id_number: str = "",
    address: str = "",
    people_count: int = 1,
    uploads: list[CheckedUpload] | None = None,
    submitter=None,
    registered_by=None,
    submission_key: str | None = None,
    latitude=None,
    longitude=None,
    at: datetime | None = None,
    origin: CaseOrigin | None = None,
) -> tuple[Claim, bool]:
    """Register a claim and the case it opens. Returns ``(claim, created)``.

    Guarantees: one claim per ``submission_key`` (a double click or a network retry returns the
    first claim, ``created`` False); the contact becomes the case's applicant party and, for a
    citizen's own account, its owner; the tracking code is sent to the contact phone after commit.
    """
    if channel not in Channel.values:
        raise CaseError(_("未知的受理渠道。"))
    # A retry (double click, network) is found by the unique key's conflict below; with files a
    # look first, so a retry does not write them to storage again.
    if submission_key and uploads:
        existing = Claim.objects.filter(submission_key=submission_key).select_related("case").first()
        if existing is not None:
            return existing, False
    for attempt in range(3):
        try:
            with transaction.atomic():
                claim = _create(
                    channel=channel,
                    matter=matter,
                    region=region,
                    description=description,
                    contact_name=contact_name,
                    contact_phone=contact_phone,
                    id_number=id_number,
                    address=address,
                    people_count=people_count,
                    uploads=uploads or [],
                    submitter=submitter,
                    registered_by=registered_by,
                    submission_key=submission_key or None,
                    latitude=latitude,
                    longitude=longitude,
                    at=at or timezone.now(),
                    origin=origin,
                )
        except IntegrityError:
            if submission_key:
                existing = Claim.objects.filter(submission_key=submission_key).select_related("case").first()
                if existing is not None:
                    return existing, False
            if attempt == 2:
                raise
            continue  # a tracking code drawn twice (1 in 10^14): draw again, in a new transaction
        return claim, True
    raise AssertionError("unreachable")


def _create(*, uploads: list[CheckedUpload], at, submitter, registered_by, origin, **data) -> Claim:
    case = case_create(
        channel=data["channel"],
        matter=data["matter"],
        region=data["region"],
        title=_title(data["matter"], data["description"]),
        description=data["description"],
        address=data["address"],
        people_count=data["people_count"],
        parties=[
            PartyData(
                name=data["contact_name"],
                phone=data["contact_phone"],
                id_number=data["id_number"],
                role=PartyRole.APPLICANT,
                user_id=submitter.pk if submitter else None,
                notify=True,
            )
        ],
        actor=registered_by or submitter,
        at=at,
        origin=origin,
    )
    claim = Claim.objects.create(
        tracking_code=_tracking_code(),  # unique: a clash rolls back and claim_submit draws again
        channel=data["channel"],
        case=case,
        submitter=submitter,
        registered_by=registered_by,
        contact_name=data["contact_name"].strip(),
        contact_phone=data["contact_phone"].strip(),
        description=data["description"].strip(),
        matter=data["matter"],
        region=data["region"],
        address=data["address"].strip(),
        latitude=data["latitude"],
        longitude=data["longitude"],
        people_count=data["people_count"],
        submission_key=data["submission_key"],
        created_at=at,
    )
    claim_attachments_add(claim=claim, uploads=uploads)
    if not claim.contact_phone:
        return claim
    notification_send(
        kind="tracking_code",
        phone=claim.contact_phone,
        user=submitter,
        body=_("【一口办】您的诉求已登记，编号 %(n)s，查询码 %(c)s。可凭查询码和手机号后四位查询办理进度。")
        % {"n": case.number, "c": claim.tracking_code},
        case_number=case.number,
    )
    return claim


def claim_attachments_add(*, claim: Claim, uploads: list[CheckedUpload]) -> list[Attachment]:
    """Store checked files (``intake.uploads.check_uploads``) as attachments of ``claim``: at
    submission, and later as the citizen's 补充材料 (feedback). In the caller's transaction."""
    return [
        Attachment.objects.create(
            claim=claim,
            file=upload.as_file(),
            original_name=upload.original_name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
        )
        for upload in uploads
    ]


def claim_attach_to_case(*, claim: Claim, case: Case, actor) -> Claim:
    """Hotline "same matter → attach": merge the claim's new case into an earlier open case."""
    from cases.services import case_merge

    case_merge(case=claim.case, actor=actor, into=case)
    return claim
