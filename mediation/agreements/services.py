"""Agreements (调解协议书): every write (reads are in ``mediation.agreements.selectors``).

Lifecycle: draft (the mediator edits) → signing (one ``Confirmation`` per party, each confirmed
by a one-time code sent to the party's phone) → sealed (when the last party confirms, in the same
transaction: the final PDF rendered once, stored in ``Agreement.document`` with its SHA-256) →
optionally judicial confirmation (申请 → 确认 / 不予确认) and the performance follow-up (履行回访).
A draft or an agreement being signed may be voided.

Only the assigned mediator acts (``permissions.is_own``). Services are keyword-only, take the
acting user as ``actor`` and run in one transaction; SMS and in-app messages go through the
notification outbox, delivered after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import secrets
import zipfile
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from cases.models import Party, PartyRole
from cases.services import case_record
from notifications.models import NotificationChannel
from notifications.services import notification_send

from .. import permissions
from ..models import (
    Agreement,
    AgreementBatch,
    AgreementStatus,
    Confirmation,
    JudicialStatus,
    Mediation,
    MediationStatus,
    PerformanceStatus,
)
from ..services import MediationError
from .pdf import agreement_pdf, cn_date, judicial_application_pdf

#: Public agreement codes: no 0/O, 1/I/L, so a code read aloud or copied by hand stays right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
#: How a confirmation was given, as recorded on it and printed in the sealed agreement.
CONFIRM_METHOD = "短信验证码"
#: Agreements a batch task creates per transaction (progress is visible between chunks).
BATCH_CHUNK = 100
MOBILE = re.compile(r"^1\d{10}$")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")

_ROLE_ORDER = {PartyRole.APPLICANT: 0, PartyRole.RESPONDENT: 1, PartyRole.THIRD: 2}


class AgreementError(MediationError):
    """An agreement request that cannot be carried out as asked; ``message`` is for the user."""


class CodeWrongError(AgreementError):
    """The confirmation code does not match (the try is counted)."""


class CodeExpiredError(AgreementError):
    """The confirmation code's time is up; a new one must be sent."""


class CodeExhaustedError(AgreementError):
    """Too many wrong tries for this code; a new one must be sent."""


# Helpers ------------------------------------------------------------------------------------------


def _now(at: dt.datetime | None = None) -> dt.datetime:
    return at or timezone.now()


def _require(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise AgreementError(message)
    return value


def normalise_code(code: str) -> str:
    """A typed agreement code: upper case, without the spaces and dashes people add."""
    return re.sub(r"[\s\-－—]", "", code or "").upper()


def _new_codes(count: int) -> list[str]:
    """``count`` fresh codes no agreement uses yet (collisions are astronomically rare; checked)."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = count - len(codes)
        fresh = {"".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(wanted)}
        fresh -= set(Agreement.objects.filter(code__in=fresh).values_list("code", flat=True))
        codes |= fresh
    return sorted(codes)


def _own_running(mediation: Mediation, actor) -> None:
    if not permissions.is_own(actor, mediation):
        raise PermissionDenied
    if mediation.status != MediationStatus.IN_PROGRESS:
        raise AgreementError(
            _("该调解当前状态为“%(s)s”，只有调解中的案件可以起草或签署调解协议书。")
            % {"s": mediation.get_status_display()}
        )


def _own(mediation: Mediation, actor) -> None:
    if not permissions.is_own(actor, mediation):
        raise PermissionDenied


def _locked(pk: int) -> Agreement:
    """The agreement row locked for this transaction, with what its services read."""
    return (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("mediation__case", "mediation__mediator__user")
        .get(pk=pk)
    )


def _check_content(facts: str, terms: str, performance_deadline, today: dt.date) -> tuple[str, str]:
    facts = _require(facts, _("请填写纠纷事实：当事人之间发生了什么纠纷、争议的焦点是什么。"))
    terms = _require(terms, _("请填写协议条款：各方同意的具体内容，如支付金额、方式和时间。"))
    if performance_deadline is None:
        raise AgreementError(_("请填写履行期限，如 2026-12-31。"))
    if performance_deadline < today:
        raise AgreementError(_("履行期限不能早于今天（%(d)s），请重新选择。") % {"d": cn_date(today)})
    return facts, terms


def _party_snapshot(party: Party) -> dict:
    return {
        "party_id": party.pk,
        "role": party.role,
        "name": party.name,
        "id_number": party.id_number,
        "phone": party.phone.strip(),
    }


def _ordered(parties: Iterable[Party]) -> list[Party]:
    return sorted(parties, key=lambda p: (_ROLE_ORDER.get(p.role, 9), p.pk))


def _agreement_parties(mediation: Mediation, claimant_id: int | None) -> list[Party]:
    """Who an agreement binds: every party of the case, or in a group agreement the one applicant
    and every party who is not an applicant."""
    parties = list(mediation.case.parties.all())
    if claimant_id:
        parties = [p for p in parties if p.pk == claimant_id or p.role != PartyRole.APPLICANT]
    return _ordered(parties)


def _without_mobile(parties: Iterable[Party]) -> list[str]:
    return [p.name for p in parties if not MOBILE.match((p.phone or "").strip())]


def _names(names: list[str], limit: int = 10) -> str:
    shown = "、".join(names[:limit])
    if len(names) > limit:
        shown += _("等 %(n)s 人") % {"n": len(names)}
    return shown


def _code_hash(confirmation_id: int, code: str) -> str:
    return salted_hmac("yikouban.agreement-confirmation", f"{confirmation_id}:{code}").hexdigest()


# Drafting -----------------------------------------------------------------------------------------


@transaction.atomic
def agreement_draft(
    *,
    mediation: Mediation,
    actor,
    facts: str,
    terms: str,
    performance_deadline: dt.date,
    at: dt.datetime | None = None,
) -> Agreement:
    """Draft an agreement for a mediation in progress, from the case's parties (a snapshot, taken
    again when signing starts). Guarantees a fresh public ``code``; writes nothing on the timeline
    (a draft is the mediator's working text)."""
    at = _now(at)
    _own_running(mediation, actor)
    facts, terms = _check_content(facts, terms, performance_deadline, timezone.localdate(at))
    parties = _agreement_parties(mediation, None)
    # a double click drafts once: the same text drafted a moment ago is that draft
    Mediation.objects.select_for_update().filter(pk=mediation.pk).first()
    same = Agreement.objects.filter(
        mediation=mediation,
        status=AgreementStatus.DRAFT,
        batch__isnull=True,
        facts=facts,
        terms=terms,
        performance_deadline=performance_deadline,
        created_at__gte=at - dt.timedelta(minutes=1),
    ).first()
    if same is not None:
        return same
    return Agreement.objects.create(
        mediation=mediation,
        code=_new_codes(1)[0],
        parties=[_party_snapshot(p) for p in parties],
        facts=facts,
        terms=terms,
        performance_deadline=performance_deadline,
        case_number=mediation.case.number,
        created_by=actor,
    )


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    actor,
    facts: str,
    terms: str,
    performance_deadline: dt.date,
    at: dt.datetime | None = None,
) -> Agreement:
    """Edit a draft (its parties are taken again from the case)."""
    agreement = _locked(agreement.pk)
    _own_running(agreement.mediation, actor)
    if agreement.status != AgreementStatus.DRAFT:
        raise AgreementError(_("只有草拟中的协议书可以修改；已提交确认的协议书如需改动，请作废后重新起草。"))
    facts, terms = _check_content(facts, terms, performance_deadline, timezone.localdate(_now(at)))
    agreement.facts, agreement.terms, agreement.performance_deadline = facts, terms, performance_deadline
    agreement.parties = [_party_snapshot(p) for p in _agreement_parties(agreement.mediation, agreement.claimant_id)]
    agreement.save(update_fields=["facts", "terms", "performance_deadline", "parties"])
    return agreement


@transaction.atomic
def agreement_signing_start(*, agreement: Agreement, actor) -> Agreement:
    """Freeze the text and the parties, and open one confirmation per party. Every party needs a
    mobile phone (the code goes there) and an agreement needs at least two parties."""
    agreement = _locked(agreement.pk)
    _own_running(agreement.mediation, actor)
    if agreement.status != AgreementStatus.DRAFT:
        raise AgreementError(_("该协议书已提交各方确认，不能重复提交。"))
    parties = _agreement_parties(agreement.mediation, agreement.claimant_id)
    if len(parties) < 2:
        raise AgreementError(_("调解协议至少需要两方当事人；请先在案件中补充被申请人，再提交确认。"))
    missing = _without_mobile(parties)
    if missing:
        raise AgreementError(
            _(
                "以下当事人未登记手机号码（或号码不是 11 位手机号），无法接收确认码：%(names)s。请先在案件中补充，再提交确认。"
            )
            % {"names": _names(missing)}
        )
    agreement.parties = [_party_snapshot(p) for p in parties]
    agreement.status = AgreementStatus.SIGNING
    agreement.save(update_fields=["parties", "status"])
    Confirmation.objects.bulk_create(
        [Confirmation(agreement=agreement, party=p, name=p.name, phone=p.phone.strip()) for p in parties]
    )
    return agreement


@transaction.atomic
def agreement_void(*, agreement: Agreement, actor, reason: str) -> Agreement:
    """作废 a draft or an agreement not yet confirmed by everyone; a sealed one never changes."""
    agreement = _locked(agreement.pk)
    _own(agreement.mediation, actor)
    reason = _require(reason, _("请填写作废原因，如条款需要修改、当事人不同意。"))
    if agreement.status not in (AgreementStatus.DRAFT, AgreementStatus.SIGNING):
        raise AgreementError(_("已封存或已作废的协议书不能作废。"))
    agreement.status = AgreementStatus.VOID
    # The model has no field of its own for why; a void agreement is never followed up, so the
    # follow-up note holds the reason (shown as 作废原因 on its page).
    agreement.performance_note = reason
    agreement.save(update_fields=["status", "performance_note"])
    Confirmation.objects.filter(agreement=agreement, confirmed_at__isnull=True).update(code_hash="")
    return agreement


# Confirmation by SMS code -------------------------------------------------------------------------


@transaction.atomic
def confirmation_code_send(*, confirmation: Confirmation, actor, at: dt.datetime | None = None) -> Confirmation:
    """Send a party a fresh 6-digit code by SMS (after commit). Only its keyed hash is stored; it is
    valid ``AGREEMENT_CODE_MINUTES`` and ``AGREEMENT_CODE_ATTEMPTS`` wrong tries, and a new code
    replaces the old one. Re-sending waits ``VERIFICATION_CODE_RESEND_SECONDS``."""
    now = _now(at)
    agreement = _locked(confirmation.agreement_id)
    _own_running(agreement.mediation, actor)
    if agreement.status != AgreementStatus.SIGNING:
        raise AgreementError(_("该协议书当前状态为“%(s)s”，无需发送确认码。") % {"s": agreement.get_status_display()})
    row = Confirmation.objects.select_for_update().get(pk=confirmation.pk, agreement=agreement)
    if row.confirmed_at:
        raise AgreementError(_("%(name)s 已确认该协议书，无需再发送确认码。") % {"name": row.name})
    if not MOBILE.match(row.phone):
        raise AgreementError(_("%(name)s 没有可接收短信的手机号码，无法发送确认码。") % {"name": row.name})
    wait = settings.VERIFICATION_CODE_RESEND_SECONDS
    if row.code_sent_at and (now - row.code_sent_at).total_seconds() < wait:
        remaining = int(wait - (now - row.code_sent_at).total_seconds()) + 1
        raise AgreementError(_("确认码刚刚发出，请 %(s)s 秒后再重新发送。") % {"s": remaining})
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = settings.AGREEMENT_CODE_MINUTES
    row.code_hash = _code_hash(row.pk, code)
    row.code_sent_at = now
    row.code_expires_at = now + dt.timedelta(minutes=minutes)
    row.attempts = 0
    row.save(update_fields=["code_hash", "code_sent_at", "code_expires_at", "attempts"])
    mediator = agreement.mediation.mediator
    notification_send(
        kind="agreement_code",
        phone=row.phone,
        body=_(
            "【一口办】您的调解协议书（案件 %(case)s，协议验证码 %(ref)s）确认码为 %(code)s，%(m)s 分钟内有效。"
            "如您同意协议内容，请将确认码告知调解员%(mediator)s；如不同意，请勿告知他人。"
        )
        % {
            "case": agreement.case_number,
            "ref": agreement.code,
            "code": code,
            "m": minutes,
            "mediator": mediator.display_name if mediator else "",
        },
        secret=code,
    )
    return row


def confirmation_confirm(*, confirmation: Confirmation, actor, code: str, at: dt.datetime | None = None) -> Agreement:
    """Record a party's confirmation with the code they received (the mediator enters it).

    Guarantees: a right code records who (the party), when, how (短信验证码) and by whom; the
    confirmation of the last party seals the agreement in the same transaction (the agreement
    row is locked first, so two last confirmations at once seal exactly once). A wrong code is
    counted (and the count kept although the call fails); an expired code or one tried too often
    changes nothing. Each failure raises its own ``AgreementError`` subclass.
    """
    now = _now(at)
    error: AgreementError | None = None
    with transaction.atomic():
        agreement = _locked(confirmation.agreement_id)
        _own_running(agreement.mediation, actor)
        if agreement.status != AgreementStatus.SIGNING:
            raise AgreementError(
                _("该协议书当前状态为“%(s)s”，不能再登记确认。") % {"s": agreement.get_status_display()}
            )
        row = Confirmation.objects.select_for_update().get(pk=confirmation.pk, agreement=agreement)
        if row.confirmed_at:
            raise AgreementError(_("%(name)s 已确认该协议书。") % {"name": row.name})
        code = re.sub(r"\s", "", code or "")
        if not re.fullmatch(r"\d{6}", code):
            raise AgreementError(_("请输入当事人收到的 6 位数字确认码。"))
        if not row.code_hash or row.code_expires_at is None:
            raise AgreementError(_("尚未向 %(name)s 发送确认码，请先发送。") % {"name": row.name})
        limit = settings.AGREEMENT_CODE_ATTEMPTS
        if row.attempts >= limit:
            raise CodeExhaustedError(
                _("确认码已输错 %(n)s 次，该确认码已失效；请重新发送确认码。") % {"n": row.attempts}
            )
        if row.code_expires_at <= now:
            raise CodeExpiredError(
                _("确认码已过期（有效期 %(m)s 分钟），请重新发送确认码。") % {"m": settings.AGREEMENT_CODE_MINUTES}
            )
        if not constant_time_compare(row.code_hash, _code_hash(row.pk, code)):
            Confirmation.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
            left = limit - row.attempts - 1
            if left > 0:
                error = CodeWrongError(
                    _("确认码不正确，请核对当事人收到的短信后重新输入（还可尝试 %(n)s 次）。") % {"n": left}
                )
            else:
                error = CodeWrongError(_("确认码不正确，且已达到输错次数上限；请重新发送确认码。"))
        else:
            row.confirmed_at = now
            row.method = CONFIRM_METHOD
            row.recorded_by = actor
            row.code_hash = ""
            row.save(update_fields=["confirmed_at", "method", "recorded_by", "code_hash"])
            if not Confirmation.objects.filter(agreement=agreement, confirmed_at__isnull=True).exists():
                try:
                    _seal(agreement, actor=actor, at=now)
                except BaseException:
                    # the transaction rolls back: do not leave the rendered PDF (ID numbers) behind
                    if agreement.document.name:
                        agreement.document.storage.delete(agreement.document.name)
                    raise
    if error is not None:
        raise error  # after the block, so the counted try is committed
    return agreement


def _seal(agreement: Agreement, *, actor, at: dt.datetime) -> None:
    """Render the final PDF once, store it with its SHA-256, and record it. The caller holds the
    agreement row lock inside its transaction."""
    confirmations = list(Confirmation.objects.filter(agreement=agreement).order_by("id"))
    agreement.status = AgreementStatus.SEALED
    agreement.sealed_at = at
    data = agreement_pdf(agreement, confirmations=confirmations)
    agreement.sha256 = hashlib.sha256(data).hexdigest()
    agreement.document.save(f"{agreement.code}.pdf", ContentFile(data), save=False)
    agreement.save(update_fields=["status", "sealed_at", "sha256", "document"])
    names = "、".join(c.name for c in confirmations)
    case_record(
        case=agreement.mediation.case,
        transition="agreement_sealed",
        public=False,  # names parties and codes: staff timeline only
        actor=actor,
        note=_("调解协议书（协议验证码 %(code)s）经 %(names)s 确认后生效并封存；履行期限 %(d)s。")
        % {"code": agreement.code, "names": names, "d": cn_date(agreement.performance_deadline)},
        at=at,
    )
    body = _("【一口办】您的调解协议书（协议验证码 %(code)s）已经各方确认生效，请按约定于%(d)s前履行。") % {
        "code": agreement.code,
        "d": cn_date(agreement.performance_deadline),
    }
    for item in confirmations:
        notification_send(kind="agreement_sealed", phone=item.phone, body=body)


# Public verification ------------------------------------------------------------------------------


def agreement_verify(*, code: str, sha256: str) -> bool:
    """Does ``sha256`` (hex) match the sealed agreement with this code? An unknown code, an
    agreement not sealed and a different digest all answer the same ``False``."""
    digest = (sha256 or "").strip().lower()
    stored = (
        Agreement.objects.filter(code=normalise_code(code), status=AgreementStatus.SEALED)
        .values_list("sha256", flat=True)
        .first()
    )
    return bool(stored) and bool(SHA256_HEX.match(digest)) and constant_time_compare(stored, digest)


def file_sha256(handle) -> str:
    digest = hashlib.sha256()
    for chunk in handle.chunks() if hasattr(handle, "chunks") else iter(lambda: handle.read(65536), b""):
        digest.update(chunk)
    return digest.hexdigest()


# Group disputes -----------------------------------------------------------------------------------


@transaction.atomic
def agreement_batch_start(
    *,
    mediation: Mediation,
    actor,
    facts: str,
    terms: str,
    performance_deadline: dt.date,
    at: dt.datetime | None = None,
) -> AgreementBatch:
    """One set of terms for a group dispute: queue the generation of one agreement per applicant
    (that applicant + every other party), each sent for signing. The q2 task runs after commit."""
    at = _now(at)
    _own_running(mediation, actor)
    facts, terms = _check_content(facts, terms, performance_deadline, timezone.localdate(at))
    parties = list(mediation.case.parties.all())
    applicants = [p for p in parties if p.role == PartyRole.APPLICANT]
    others = [p for p in parties if p.role != PartyRole.APPLICANT]
    if len(applicants) < 2:
        raise AgreementError(_("批量生成需要至少两名申请人；只有一名申请人时，请直接起草协议书。"))
    if not others:
        raise AgreementError(_("案件中没有被申请人，请先在案件中补充被申请人。"))
    missing = _without_mobile(parties)
    if missing:
        raise AgreementError(
            _(
                "以下当事人未登记手机号码（或号码不是 11 位手机号），无法接收确认码：%(names)s。请先在案件中补充，再批量生成。"
            )
            % {"names": _names(missing)}
        )
    # the mediation row serialises two clicks: with no batch yet, there is no batch row to lock
    Mediation.objects.select_for_update().filter(pk=mediation.pk).first()
    busy = AgreementBatch.objects.filter(
        mediation=mediation, state__in=[AgreementBatch.State.QUEUED, AgreementBatch.State.RUNNING]
    )
    if busy.exists():
        raise AgreementError(_("该调解已有正在生成的批量协议，请等待其完成后再操作。"))
    batch = AgreementBatch.objects.create(
        mediation=mediation,
        facts=facts,
        terms=terms,
        performance_deadline=performance_deadline,
        total=len(applicants),
        created_by=actor,
    )
    transaction.on_commit(lambda: async_task("mediation.tasks.agreement_batch_generate", batch.pk))
    return batch


def agreement_batch_generate(*, batch_id: int) -> int:
    """Create the batch's agreements in chunks (``bulk_create``), each chunk one transaction that
    holds the batch row lock and advances ``done``. Idempotent and safe to run twice at once:
    applicants who already have an agreement in the batch are skipped. Returns how many it made."""
    batch = AgreementBatch.objects.select_related("mediation__case").filter(pk=batch_id).first()
    if batch is None or batch.state in (AgreementBatch.State.DONE, AgreementBatch.State.FAILED):
        return 0
    mediation = batch.mediation
    try:
        parties = _ordered(mediation.case.parties.all())
        applicants = [p for p in parties if p.role == PartyRole.APPLICANT]
        others = [p for p in parties if p.role != PartyRole.APPLICANT]
        made = 0
        while True:
            with transaction.atomic():
                locked = AgreementBatch.objects.select_for_update().get(pk=batch_id)
                if locked.state in (AgreementBatch.State.DONE, AgreementBatch.State.FAILED):
                    return made
                have = set(locked.agreements.values_list("claimant_id", flat=True))
                todo = [p for p in applicants if p.pk not in have][:BATCH_CHUNK]
                locked.total = len(applicants)
                if not todo:
                    locked.done = len(have)
                    locked.state = AgreementBatch.State.DONE
                    locked.finished_at = timezone.now()
                    locked.save(update_fields=["done", "total", "state", "finished_at"])
                    if mediation.mediator_id:
                        notification_send(
                            kind="agreement_batch",
                            user=mediation.mediator.user,
                            channel=NotificationChannel.INAPP,
                            body=_("调解 %(n)s 的批量协议书已生成 %(done)s 份，可向当事人发送确认码。")
                            % {"n": mediation.number, "done": locked.done},
                            case_number=mediation.case.number,
                        )
                    return made
                made += len(_batch_chunk(locked, mediation, todo, others))
                locked.done = len(have) + len(todo)
                locked.state = AgreementBatch.State.RUNNING
                locked.progress_at = timezone.now()
                locked.save(update_fields=["done", "total", "state", "progress_at"])
    except Exception as exc:
        AgreementBatch.objects.filter(pk=batch_id).update(
            state=AgreementBatch.State.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise


def agreement_batches_resume(*, now=None) -> int:
    """Queue generation again for batches still queued or running with no progress for
    ``AGREEMENT_BATCH_RESUME_SECONDS`` (q2 schedule, every minute): Redis hands a task to one
    worker, and a worker killed mid-batch (or a web process killed before the enqueue) leaves the
    batch stuck, and the mediator unable to start another. Generation resumes where the last
    chunk ended and creates nothing twice; a conditional UPDATE of ``progress_at`` claims each
    batch, so concurrent runs queue it once."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.AGREEMENT_BATCH_RESUME_SECONDS)
    stalled = Q(state__in=[AgreementBatch.State.QUEUED, AgreementBatch.State.RUNNING]) & (
        Q(progress_at__lt=cutoff) | Q(progress_at__isnull=True, created_at__lt=cutoff)
    )
    queued = 0
    for batch_id in AgreementBatch.objects.filter(stalled).order_by("id").values_list("id", flat=True)[:100]:
        if AgreementBatch.objects.filter(stalled, pk=batch_id).update(progress_at=now):
            async_task("mediation.tasks.agreement_batch_generate", batch_id)
            queued += 1
    return queued


def _batch_chunk(batch: AgreementBatch, mediation: Mediation, applicants: list[Party], others: list[Party]):
    codes = _new_codes(len(applicants))
    agreements = Agreement.objects.bulk_create(
        [
            Agreement(
                mediation=mediation,
                code=code,
                batch=batch,
                claimant=applicant,
                parties=[_party_snapshot(p) for p in [applicant, *others]],
                facts=batch.facts,
                terms=batch.terms,
                performance_deadline=batch.performance_deadline,
                case_number=mediation.case.number,
                status=AgreementStatus.SIGNING,
                created_by=batch.created_by,
            )
            for code, applicant in zip(codes, applicants)
        ]
    )
    Confirmation.objects.bulk_create(
        [
            Confirmation(agreement=agreement, party=p, name=p.name, phone=p.phone.strip())
            for agreement, applicant in zip(agreements, applicants)
            for p in [applicant, *others]
        ]
    )
    return agreements


# Judicial confirmation (司法确认) ------------------------------------------------------------------


def _sealed_own(agreement: Agreement, actor) -> Agreement:
    agreement = _locked(agreement.pk)
    _own(agreement.mediation, actor)
    if agreement.status != AgreementStatus.SEALED:
        raise AgreementError(_("只有各方确认并封存的协议书才能申请司法确认或登记履行情况。"))
    return agreement


@transaction.atomic
def agreement_judicial_apply(*, agreement: Agreement, actor, court: str, at: dt.datetime | None = None) -> Agreement:
    """Record the application for judicial confirmation to ``court``; the application package
    (``judicial_package``) is generated from what is recorded. Writes ``judicial_apply``."""
    at = _now(at)
    agreement = _sealed_own(agreement, actor)
    court = _require(court, _("请填写受理法院，如佛山市高明区人民法院。"))
    if agreement.judicial_status == JudicialStatus.APPLIED:
        raise AgreementError(_("该协议书已申请司法确认，请等待法院决定后登记结果。"))
    if agreement.judicial_status == JudicialStatus.CONFIRMED:
        raise AgreementError(_("法院已确认该协议书，无需再次申请。"))
    agreement.judicial_status = JudicialStatus.APPLIED
    agreement.judicial_court = court[:100]
    agreement.judicial_applied_at = at
    agreement.judicial_document = ""
    agreement.judicial_decided_at = None
    agreement.save(
        update_fields=[
            "judicial_status",
            "judicial_court",
            "judicial_applied_at",
            "judicial_document",
            "judicial_decided_at",
        ]
    )
    case_record(
        case=agreement.mediation.case,
        transition="judicial_apply",
        public=False,  # names parties and codes: staff timeline only
        actor=actor,
        note=_("调解协议书 %(code)s 向%(court)s申请司法确认") % {"code": agreement.code, "court": court},
        at=at,
    )
    return agreement


@transaction.atomic
def agreement_judicial_decide(
    *, agreement: Agreement, actor, confirmed: bool, document_number: str, at: dt.datetime | None = None
) -> Agreement:
    """Record the court's decision (确认 / 不予确认) with its document number. Writes
    ``judicial_decide``."""
    at = _now(at)
    agreement = _sealed_own(agreement, actor)
    if agreement.judicial_status != JudicialStatus.APPLIED:
        raise AgreementError(_("该协议书尚未申请司法确认，或法院决定已登记。"))
    document_number = _require(document_number, _("请填写法院文书号，如（2026）粤0608民特123号。"))
    agreement.judicial_status = JudicialStatus.CONFIRMED if confirmed else JudicialStatus.REFUSED
    agreement.judicial_document = document_number[:80]
    agreement.judicial_decided_at = at
    agreement.save(update_fields=["judicial_status", "judicial_document", "judicial_decided_at"])
    case_record(
        case=agreement.mediation.case,
        transition="judicial_decide",
        public=False,  # names parties and codes: staff timeline only
        actor=actor,
        note=_("%(court)s：%(result)s（%(doc)s）")
        % {
            "court": agreement.judicial_court,
            "result": agreement.get_judicial_status_display(),
            "doc": document_number,
        },
        at=at,
    )
    return agreement


def judicial_package(agreement: Agreement) -> bytes:
    """The application package for the court: the 司法确认申请书 PDF, the sealed agreement exactly
    as stored, and a manifest with their SHA-256, as a ZIP (fixed timestamps: same input, same
    bytes)."""
    application = judicial_application_pdf(agreement)
    with agreement.document.open("rb") as handle:
        sealed = handle.read()
    stamp = timezone.localtime(agreement.judicial_applied_at or agreement.sealed_at).timetuple()[:6]
    manifest = {
        "agreement_code": agreement.code,
        "case_number": agreement.case_number,
        "court": agreement.judicial_court,
        "files": {
            "司法确认申请书.pdf": hashlib.sha256(application).hexdigest(),
            f"调解协议书-{agreement.code}.pdf": hashlib.sha256(sealed).hexdigest(),
        },
        "sealed_sha256": agreement.sha256,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (
            ("司法确认申请书.pdf", application),
            (f"调解协议书-{agreement.code}.pdf", sealed),
            ("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode()),
        ):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


# Performance follow-up (履行回访) -------------------------------------------------------------------


def agreements_followup_remind(*, now: dt.datetime | None = None) -> int:
    """Remind the mediator, once, of each sealed agreement whose performance deadline has come and
    whose performance is not yet recorded. A conditional UPDATE claims each agreement, so two runs
    at once remind once. Run daily by a q2 schedule. Returns how many reminders it sent."""
    now = _now(now)
    today = timezone.localdate(now)
    due = Agreement.objects.filter(
        status=AgreementStatus.SEALED,
        performance_status=PerformanceStatus.PENDING,
        performance_reminded_at__isnull=True,
        performance_deadline__lte=today,
    )
    sent = 0
    last = 0
    while True:
        ids = list(due.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:500])
        if not ids:
            return sent
        last = ids[-1]
        for pk in ids:
            with transaction.atomic():
                claimed = Agreement.objects.filter(pk=pk, performance_reminded_at__isnull=True).update(
                    performance_reminded_at=now
                )
                if not claimed:
                    continue
                agreement = Agreement.objects.select_related("mediation__mediator__user").get(pk=pk)
                mediator = agreement.mediation.mediator
                if mediator is None:
                    continue
                notification_send(
                    kind="agreement_followup",
                    user=mediator.user,
                    channel=NotificationChannel.INAPP,
                    body=_("调解协议书 %(code)s（案件 %(case)s）的履行期限 %(d)s 已到，请回访当事人并登记是否已履行。")
                    % {
                        "code": agreement.code,
                        "case": agreement.case_number,
                        "d": cn_date(agreement.performance_deadline),
                    },
                    case_number=agreement.case_number,
                )
                sent += 1


@transaction.atomic
def agreement_performance_record(
    *, agreement: Agreement, actor, carried_out: bool, note: str, at: dt.datetime | None = None
) -> Agreement:
    """Record the follow-up: carried out or not (a note is required when not). Writes
    ``performance_check``; a later visit may record again (e.g. carried out after all)."""
    at = _now(at)
    agreement = _sealed_own(agreement, actor)
    note = (note or "").strip()
    if not carried_out and not note:
        raise AgreementError(_("请填写回访情况：哪一方、哪些条款未履行，当事人的意见。"))
    agreement.performance_status = PerformanceStatus.CARRIED_OUT if carried_out else PerformanceStatus.NOT_CARRIED_OUT
    agreement.performance_note = note
    agreement.performance_checked_at = at
    agreement.save(update_fields=["performance_status", "performance_note", "performance_checked_at"])
    text = agreement.get_performance_status_display()
    case_record(
        case=agreement.mediation.case,
        transition="performance_check",
        public=False,  # names parties and codes: staff timeline only
        actor=actor,
        note=_("调解协议书 %(code)s：%(status)s%(note)s")
        % {"code": agreement.code, "status": text, "note": f"；{note}" if note else ""},
        at=at,
    )
    return agreement
