"""一键诉讼: when a mediation fails and the way forward is litigation, hand the court a complete
package — case, parties, claims, facts, evidence and the mediation's history — through the
configured ``CourtGateway``, and record the court's reply. docs/court-gateway.md describes the
package and how a real court filing API plugs in.

Evidence and the claimants' own claims live in other apps (intake); mediation does not import
them (DESIGN.md: mediation → cases only). ``settings.MEDIATION_EVIDENCE_PROVIDERS`` and
``settings.MEDIATION_CLAIM_PROVIDERS`` list functions ``(case) -> list`` loaded by name.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from cases.selectors import matter_chain, region_chain
from cases.services import case_record
from notifications.models import NotificationChannel
from notifications.services import notification_send

from .. import permissions
from ..models import FailureNext, LitigationPackage, Mediation, MediationStatus
from ..services import MediationError
from .court_gateway import CourtGatewayError, get_gateway
from .record_pdf import RecordsDocument, SessionRecord, records_pdf

#: ``case.json``'s ``format``; bump when the schema changes incompatibly.
PACKAGE_FORMAT = "yikouban-litigation/1"

#: Package states that block a new package: only a package the court returned may be followed.
BLOCKING_STATES = [LitigationPackage.State.SUBMITTED, LitigationPackage.State.ACCEPTED]


class EvidenceItem(Protocol):
    """What an evidence provider returns (``intake.evidence.Evidence`` is one)."""

    name: str
    content_type: str
    size: int
    sha256: str
    path: str
    source: str
    uploaded_at: datetime | None

    def read(self) -> bytes: ...


# Who and when --------------------------------------------------------------------------------


def can_litigate(user, mediation: Mediation) -> bool:
    """Submit a package and record the court's reply: the assigned mediator or the centre's
    dispatcher (and admins), the same people who may download the package."""
    return permissions.is_own(user, mediation) or permissions.can_assign(user, mediation)


def litigation_open(mediation: Mediation) -> bool:
    """The mediation ended without agreement and the way forward chosen was litigation."""
    return mediation.status == MediationStatus.FAILED and mediation.failure_next == FailureNext.LITIGATION


def blocking_package(packages) -> LitigationPackage | None:
    """The package that stands in the way of a new one (still with the court, or accepted)."""
    return next((p for p in packages if p.state in BLOCKING_STATES), None)


# Providers -----------------------------------------------------------------------------------


def _load(paths) -> list:
    return [import_string(path) for path in paths or []]


def case_evidence(case) -> list[EvidenceItem]:
    return [item for provider in _load(settings.MEDIATION_EVIDENCE_PROVIDERS) for item in provider(case)]


def case_claims(case) -> list:
    return [item for provider in _load(getattr(settings, "MEDIATION_CLAIM_PROVIDERS", [])) for item in provider(case)]


# The package ---------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _cn(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y年%m月%d日 %H:%M") if value else ""


def _unit(unit) -> dict | None:
    return {"code": unit.code, "name": unit.name} if unit is not None else None


def _user(user) -> str:
    return user.display_name if user is not None else ""


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_name(name: str, default: str = "附件") -> str:
    """A file name for inside the ZIP: no folders, no characters Windows refuses, ≤ 80 chars."""
    name = _UNSAFE.sub("_", name or "").strip(" .") or default
    if len(name) > 80:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 79 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else name[:80]
    return name


@dataclass
class PackageFile:
    path: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class PackageContents:
    case_json: dict
    files: list[PackageFile]  # everything in the ZIP but manifest.json
    evidence_count: int
    generated_at: datetime


def _mediation(mediation: Mediation) -> Mediation:
    return Mediation.objects.select_related(
        "case__matter",
        "case__region",
        "case__centre",
        "case__lead_unit",
        "mediator__user",
        "referring_unit",
        "requested_by",
    ).get(pk=mediation.pk)


def _evidence_rows(evidence: list[EvidenceItem], files: list[PackageFile]) -> list[dict]:
    """One row per evidence item for ``case.json``; each file that can be read is appended to
    ``files`` and checked against the SHA-256 recorded at upload."""
    evidence_rows = []
    for n, item in enumerate(evidence, start=1):
        row = {
            "n": n,
            "name": item.name,
            "content_type": item.content_type,
            "size": item.size,
            "sha256": item.sha256,
            "source": item.source,
            "uploaded_at": _iso(item.uploaded_at),
            "file": None,
            "verified": False,
        }
        try:
            data = item.read()
        except OSError:
            row["note"] = _("原文件缺失，未能随材料包提交。")
        else:
            path = f"evidence/{n:02d}_{safe_name(item.name)}"
            files.append(PackageFile(path, data))
            row["file"] = path
            row["verified"] = hashlib.sha256(data).hexdigest() == item.sha256
            if not row["verified"]:
                row["note"] = _("文件内容与上传时登记的 SHA-256 不一致。")
        evidence_rows.append(row)

    return evidence_rows


def _agreement_rows(agreements: list, files: list[PackageFile]) -> list[dict]:
    """One row per agreement for ``case.json``; each sealed document is appended to ``files``."""
    agreement_rows = []
    for agreement in agreements:
        row = {
            "code": agreement.code,
            "status": agreement.status,
            "status_label": str(agreement.get_status_display()),
            "case_number": agreement.case_number,
            "facts": agreement.facts,
            "terms": agreement.terms,
            "performance_deadline": agreement.performance_deadline,
            "sha256": agreement.sha256 or None,
            "sealed_at": _iso(agreement.sealed_at),
            "file": None,
        }
        if agreement.sha256 and agreement.document:
            try:
                with agreement.document.open("rb") as handle:
                    data = handle.read()
            except OSError:
                row["note"] = _("封存文件缺失。")
            else:
                path = f"agreements/{safe_name(agreement.code)}.pdf"
                files.append(PackageFile(path, data))
                row["file"] = path
        agreement_rows.append(row)

    return agreement_rows


def _session_rows(sessions: list) -> list[dict]:
    return [
        {
            "n": n,
            "scheduled_at": _iso(s.scheduled_at),
            "mode": s.mode,
            "mode_label": str(s.get_mode_display()),
            "place": s.place,
            "meeting_link": s.meeting_link,
            "participants": s.participants,
            "attendance": s.attendance,
            "status": s.status,
            "status_label": str(s.get_status_display()),
            "record": s.record,
            "recorded_at": _iso(s.recorded_at),
        }
        for n, s in enumerate(sessions, start=1)
    ]


def _case_json(
    mediation: Mediation, *, at: datetime, parties, claims, evidence_rows, session_rows, agreement_rows
) -> dict:
    """``case.json``: the case, parties, claims, facts, evidence and the mediation's history."""
    case = mediation.case
    mediator = mediation.mediator
    regions = region_chain(case.region)
    matters = matter_chain(case.matter)
    return {
        "format": PACKAGE_FORMAT,
        "generated_at": _iso(at),
        "case": {
            "number": case.number,
            "title": case.title,
            "description": case.description,
            "channel": case.channel,
            "registered_at": _iso(case.created_at),
            "centre": _unit(case.centre),
            "lead_unit": _unit(case.lead_unit),
        },
        "parties": [
            {
                "name": p.name,
                "role": p.role,
                "role_label": str(p.get_role_display()),
                "id_number": p.id_number,
                "phone": p.phone,
            }
            for p in parties
        ],
        "claims": [
            {
                "tracking_code": c.tracking_code,
                "channel": c.channel,
                "channel_label": c.channel_label,
                "description": c.description,
                "contact_name": c.contact_name,
                "people_count": c.people_count,
                "submitted_at": _iso(c.submitted_at),
            }
            for c in claims
        ],
        "facts": {
            "summary": case.description,
            "dispute_focus": mediation.request_note,
            "matter": {"code": case.matter.code, "path": [m.name for m in matters]},
            "region": {"code": case.region.code, "path": [r.name for r in regions]},
            "address": case.address,
            "people_count": case.people_count,
        },
        "evidence": evidence_rows,
        "mediation": {
            "number": mediation.number,
            "mediator": {
                "name": mediator.display_name if mediator else "",
                "organisation": mediator.organisation if mediator else "",
                "organisation_kind": mediator.organisation_kind if mediator else "",
            },
            "requested_at": _iso(mediation.requested_at),
            "accepted_at": _iso(mediation.accepted_at),
            "ended_at": _iso(mediation.ended_at),
            "status": mediation.status,
            "status_label": str(mediation.get_status_display()),
            "outcome_reason": mediation.outcome_note,
            "failure_next": mediation.failure_next,
            "failure_next_label": str(mediation.get_failure_next_display()) if mediation.failure_next else "",
            "sessions": session_rows,
            "records_pdf": "records.pdf",
            "agreements": agreement_rows,
        },
        "referral": {
            "source": mediation.source,
            "source_label": str(mediation.get_source_display()),
            "referral_document": mediation.referral_document,
            "referring_unit": _unit(mediation.referring_unit),
            "requested_by": _user(mediation.requested_by),
            "requested_at": _iso(mediation.requested_at),
            "note": mediation.request_note,
        },
    }


def _records(mediation: Mediation, sessions: list, *, at: datetime) -> RecordsDocument:
    """The 调解笔录 document: every session with its record."""
    case = mediation.case
    mediator = mediation.mediator
    return RecordsDocument(
        mediation_number=mediation.number,
        case_number=case.number,
        case_title=case.title,
        mediator=mediator.display_name if mediator else "",
        organisation=mediator.organisation if mediator else "",
        outcome=str(mediation.get_status_display())
        + (f"（{mediation.get_failure_next_display()}）" if mediation.failure_next else ""),
        outcome_note=mediation.outcome_note,
        generated_at=_cn(at),
        sessions=[
            SessionRecord(
                title=_("第 %(n)d 次调解") % {"n": n},
                when=_cn(s.scheduled_at),
                mode=str(s.get_mode_display()),
                place=s.place or s.meeting_link,
                status=str(s.get_status_display()),
                participants=s.participants,
                attendance=s.attendance,
                record=s.record,
                recorded_at=_cn(s.recorded_at),
            )
            for n, s in enumerate(sessions, start=1)
        ],
    )


def package_contents(mediation: Mediation, *, at: datetime | None = None) -> PackageContents:
    """Everything that goes into the package, read once; ``litigation_package_build`` zips it."""
    at = at or timezone.now()
    mediation = _mediation(mediation)
    case = mediation.case
    parties = list(case.parties.order_by("id"))
    sessions = list(mediation.sessions.order_by("scheduled_at", "id"))
    agreements = list(mediation.agreements.order_by("id"))
    claims = case_claims(case)
    evidence = case_evidence(case)

    files: list[PackageFile] = []
    evidence_rows = _evidence_rows(evidence, files)
    agreement_rows = _agreement_rows(agreements, files)
    case_json = _case_json(
        mediation,
        at=at,
        parties=parties,
        claims=claims,
        evidence_rows=evidence_rows,
        session_rows=_session_rows(sessions),
        agreement_rows=agreement_rows,
    )
    records = _records(mediation, sessions, at=at)
    text = json.dumps(case_json, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    head = [PackageFile("case.json", text.encode("utf-8")), PackageFile("records.pdf", records_pdf(records))]
    return PackageContents(case_json=case_json, files=head + files, evidence_count=len(evidence), generated_at=at)


def _zip(contents: PackageContents) -> bytes:
    stamp = timezone.localtime(contents.generated_at).timetuple()[:6]
    manifest = {
        "format": PACKAGE_FORMAT,
        "generated_at": _iso(contents.generated_at),
        "files": [{"path": f.path, "size": len(f.data), "sha256": f.sha256} for f in contents.files],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for f in [
            *contents.files,
            PackageFile("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")),
        ]:
            info = zipfile.ZipInfo(f.path, date_time=stamp)
            # evidence is mostly JPEG/PDF, already compressed; the JSON and records shrink well
            info.compress_type = zipfile.ZIP_STORED if f.path.startswith("evidence/") else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, f.data)
    return out.getvalue()


def litigation_package_build(mediation: Mediation, *, at: datetime | None = None) -> bytes:
    """The litigation package as a ZIP: ``case.json``, ``records.pdf``, ``evidence/<n>_<name>``,
    ``agreements/<code>.pdf`` (sealed ones, if any) and ``manifest.json`` with every file's
    SHA-256. Reads only; writes nothing."""
    return _zip(package_contents(mediation, at=at))


# Writes --------------------------------------------------------------------------------------


def _check_may_submit(mediation: Mediation, actor) -> None:
    if not can_litigate(actor, mediation):
        raise PermissionDenied
    if not litigation_open(mediation):
        raise MediationError(
            _("只有调解不成且后续途径为“引导诉讼”的调解才能一键诉讼；该调解当前状态为“%(s)s”。")
            % {"s": mediation.get_status_display()}
        )


def package_filename(mediation: Mediation, attempt: int | str) -> str:
    """An ASCII file name (storage, outbox, download): case number, mediation id, attempt."""
    number = re.sub(r"[^A-Za-z0-9-]", "", mediation.case.number).strip("-") or str(mediation.case_id)
    return f"litigation-{number}-m{mediation.pk}-{attempt}.zip"


def litigation_submit(*, mediation: Mediation, actor, at: datetime | None = None) -> LitigationPackage:
    """一键诉讼. Builds the package, stores it (``LitigationPackage.file`` with its SHA-256 and
    size) and then hands it to the court gateway; records the receipt and one
    ``litigation_submit`` event on the case's timeline.

    Guarantees: only for a failed mediation whose way forward is litigation, by its mediator or
    the centre's dispatcher; one package at a time (a new one only after the court returned the
    previous). If the gateway refuses, nothing is recorded and the stored file is removed:
    ``MediationError`` carries the gateway's message and the user may try again. A retry of the
    same attempt sends the same ``submission_key``, for gateways that deduplicate.
    """
    at = at or timezone.now()
    stored: tuple | None = None
    try:
        with transaction.atomic():
            # the row lock (PostgreSQL) / the write lock (SQLite, BEGIN IMMEDIATE) makes two
            # clicks at once produce one package
            locked = (
                Mediation.objects.select_for_update(of=("self",))
                .select_related("case__region", "case__centre")
                .get(pk=mediation.pk)
            )
            _check_may_submit(locked, actor)
            previous = list(locked.litigation_packages.all())
            if blocking_package(previous) is not None:
                raise MediationError(_("本调解的诉讼材料包已提交法院，不能重复提交；法院退回后才可重新提交。"))
            data = litigation_package_build(locked, at=at)
            attempt = len(previous) + 1
            filename = package_filename(locked, attempt)
            gateway = get_gateway()
            package = LitigationPackage(
                mediation=locked,
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
                gateway=(gateway.name or type(gateway).__name__)[:40],
                submitted_by=actor,
                submitted_at=at,
            )
            package.file.save(filename, ContentFile(data), save=False)
            stored = (package.file.storage, package.file.name)
            package.save()
            metadata = {
                "format": PACKAGE_FORMAT,
                "submission_key": f"{locked.number}#{attempt}",
                "package_id": package.pk,
                "sha256": package.sha256,
                "mediation_number": locked.number,
                "case_number": locked.case.number,
                "case_title": locked.case.title,
                "referral_document": locked.referral_document,
                "submitted_by": _user(actor),
                "submitted_at": _iso(at),
            }
            try:
                receipt = gateway.submit(data, filename=filename, metadata=metadata)
            except CourtGatewayError as exc:
                raise MediationError(exc.message) from exc
            package.reference = (receipt.reference or "")[:80]
            package.save(update_fields=["reference"])
            note = _("诉讼材料包已通过“%(g)s”提交法院，回执号 %(r)s") % {
                "g": str(getattr(gateway, "label", "") or package.gateway),
                "r": package.reference or "—",
            }
            if attempt > 1:
                note += _("（法院退回后第 %(n)d 次提交）") % {"n": attempt}
            case_record(case=locked.case, transition="litigation_submit", actor=actor, note=note, at=at)
    except BaseException:
        if stored is not None:
            storage, name = stored
            storage.delete(name)
        raise
    return package


def litigation_reply(
    *,
    package: LitigationPackage,
    actor,
    state: str,
    court_document: str = "",
    reply: str = "",
    at: datetime | None = None,
) -> LitigationPackage:
    """The court's reply to a package: accepted (立案, with the court's case number) or returned
    (退回, with the reason; a new package may then be submitted). Recorded once per package, by
    its mediator or the centre's dispatcher (``actor=None``: a gateway's callback, already
    authenticated by it); one ``court_reply`` event on the case's timeline."""
    at = at or timezone.now()
    court_document = (court_document or "").strip()
    reply = (reply or "").strip()
    with transaction.atomic():
        package = LitigationPackage.objects.select_related(
            "mediation__case__region", "mediation__case__centre", "mediation__mediator__user"
        ).get(pk=package.pk)
        mediation = package.mediation
        if actor is not None and not can_litigate(actor, mediation):
            raise PermissionDenied
        if state == LitigationPackage.State.ACCEPTED:
            if not court_document:
                raise MediationError(_("法院已立案时请填写法院案号，如（2026）粤0608民初1234号。"))
        elif state == LitigationPackage.State.RETURNED:
            if not reply:
                raise MediationError(_("法院退回时请填写退回理由，如需补充的材料。"))
        else:
            raise MediationError(_("请选择法院的答复：已立案或退回。"))
        updated = LitigationPackage.objects.filter(pk=package.pk, state=LitigationPackage.State.SUBMITTED).update(
            state=state, court_document=court_document, court_reply=reply, replied_at=at
        )
        if not updated:
            raise MediationError(_("该诉讼材料包已登记过法院答复，请刷新页面查看。"))
        package.state, package.court_document, package.court_reply, package.replied_at = (
            state,
            court_document,
            reply,
            at,
        )
        if state == LitigationPackage.State.ACCEPTED:
            note = _("法院已立案，案号 %(d)s") % {"d": court_document}
        else:
            note = _("法院退回诉讼材料")
        if reply:
            note += _("；%(r)s") % {"r": reply}
        case_record(case=mediation.case, transition="court_reply", actor=actor, note=note, at=at)
        if mediation.mediator_id and (actor is None or actor.pk != mediation.mediator.user_id):
            notification_send(
                kind="court_reply",
                user=mediation.mediator.user,
                body=_("%(n)s 的诉讼材料包：%(note)s。") % {"n": mediation.number, "note": note},
                channel=NotificationChannel.INAPP,
                case_number=mediation.case.number,
            )
    return package
