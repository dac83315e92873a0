"""What intake holds about a case, for packages sent elsewhere (一键诉讼's evidence and claims).

Mediation does not import intake (DESIGN.md: mediation → cases only); the settings list these
functions (``MEDIATION_EVIDENCE_PROVIDERS``, ``MEDIATION_CLAIM_PROVIDERS``) and
``mediation.litigation`` loads them by name. They return plain objects, not models, so the
receiving side needs nothing from this app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.files.storage import Storage

from cases.models import Case

from .models import Attachment, Claim


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: a file a claimant uploaded with a claim.

    ``sha256`` and ``size`` are what was recorded at upload; ``read()`` returns the stored bytes
    (raises ``FileNotFoundError`` if the file is gone), so the receiver can check them.
    """

    name: str
    content_type: str
    size: int
    sha256: str
    path: str  # the name in the file storage
    source: str  # where it came from, for the evidence list (诉求查询码)
    uploaded_at: datetime | None
    storage: Storage = field(repr=False, compare=False)

    def read(self) -> bytes:
        with self.storage.open(self.path, "rb") as handle:
            return handle.read()

    def open(self) -> bytes:
        """Alias of ``read()``: the stored bytes."""
        return self.read()


@dataclass(frozen=True)
class ClaimSummary:
    """One claim (诉求) as submitted: the claimant's own words, when and through which channel."""

    tracking_code: str
    channel: str
    channel_label: str
    description: str
    contact_name: str
    people_count: int
    submitted_at: datetime


def case_attachments(case: Case) -> list[Evidence]:
    """Every attachment of the case's claims, oldest claim first, in upload order. One query."""
    rows = (
        Attachment.objects.filter(claim__case=case)
        .select_related("claim")
        .order_by("claim__created_at", "claim_id", "id")
    )
    return [
        Evidence(
            name=a.original_name,
            content_type=a.content_type,
            size=a.size,
            sha256=a.sha256,
            path=a.file.name,
            source=a.claim.tracking_code,
            uploaded_at=a.created_at,
            storage=a.file.storage,
        )
        for a in rows
    ]


def case_claims(case: Case) -> list[ClaimSummary]:
    """The claims attached to the case (several after duplicates were merged), oldest first."""
    rows = Claim.objects.filter(case=case).order_by("created_at", "id")
    return [
        ClaimSummary(
            tracking_code=c.tracking_code,
            channel=c.channel,
            channel_label=str(c.get_channel_display()),
            description=c.description,
            contact_name=c.contact_name,
            people_count=c.people_count,
            submitted_at=c.created_at,
        )
        for c in rows
    ]
