"""Repeats and duplicates at intake (issue #13, docs/duplicates.md "受理时的重复提示").

One selector, ``candidates``, answers "is this claim already being handled?" for every intake
path: (a) open cases with the same contact phone created in the last 90 days ("同一来电号码"),
then (b) open cases whose text is similar, in the same town and matter branch, in the last 30 days
(``similar.engine.similar_open_cases``, reason from its ``Match.why``). Phone first, at most five.

``candidate_attach`` joins a freshly registered claim to one of them with the existing merge
(``cases.services.case_merge``): the claim's new case is merged into the chosen one, its applicant
becomes a party there, and the claim's tracking code follows that case.

Queries: one for the phone, the engine's own, one for the cases, one for the user's scope.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.duplicates import staff_phones
from cases.models import OPEN_STATUSES, Case, Party, PartyRole
from cases.permissions import can_accept
from cases.selectors import visible_cases
from cases.services import CaseError, case_merge
from routing.models import Region, RegionLevel

from .models import Claim

log = logging.getLogger(__name__)

PHONE_DAYS = 90
SIMILAR_DAYS = 30
LIMIT = 5
#: Shorter descriptions say too little to compare (the staff forms ask for 10 characters).
MIN_TEXT = 6
_PHONE = re.compile(r"^1\d{10}$")

REASON_PHONE = "同一来电号码"


@dataclass
class Candidate:
    """One open case the new claim may repeat: why, how similar, and whether the user may see it."""

    case: Case
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0  # the text similarity (0 when only the phone matched)
    same_phone: bool = False
    in_scope: bool = True  # the user may open the case (else no personal data is shown)
    town: str = ""  # the case's town (乡镇街道) name: the only place shown for a case outside the scope

    @property
    def reason(self) -> str:
        return "；".join(self.reasons)

    @property
    def number(self) -> str:
        return self.case.number


def _valid_phone(phone: str) -> str:
    phone = (phone or "").strip()
    return phone if _PHONE.match(phone) else ""


def _phone_case_ids(phone: str, *, since, exclude, for_user=None) -> list[int]:
    """Open cases created since ``since`` where ``phone`` is a party's phone or a claim's contact
    phone (a merged duplicate's applicant is a party of the case it was merged into; applicants only: a
    respondent calling in is not offered to join the case against him), newest first.
    ``for_user``: only the cases that user may open — the phone rule never tells a clerk that the
    caller has a case in another area (docs/duplicates.md "范围"). A staff account's phone matches
    nothing: a grid worker who leaves the resident's phone empty is the applicant of each of their
    reports, with their own phone (one query still: the check is a subquery)."""
    by_claim = Claim.objects.filter(contact_phone=phone).values("case_id")
    by_party = Party.objects.filter(phone=phone, role=PartyRole.APPLICANT).values("case_id")
    base = visible_cases(for_user) if for_user is not None else Case.objects.all()
    rows = (
        base.filter(status__in=OPEN_STATUSES, created_at__gte=since)
        .filter(~Exists(staff_phones().filter(phone=phone)))
        .filter(Q(pk__in=by_claim) | Q(pk__in=by_party))
        .exclude(pk__in=list(exclude))
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[:LIMIT]
    )
    return list(rows)


def _similar(text: str, *, region_id, matter_id, exclude) -> list:
    try:
        from similar.engine import similar_open_cases
    except ImportError:  # the engine (app ``similar``) is not installed: the phone only
        return []
    return similar_open_cases(
        text, region_id=region_id, matter_id=matter_id, days=SIMILAR_DAYS, exclude_case_ids=tuple(exclude), limit=LIMIT
    )


def _plain_why(match) -> str:
    """The similarity reason without the shared words (they may be a name or a place of another
    person's claim): for a case outside the user's scope."""
    parts = [_("描述相似 %(s).2f") % {"s": match.score}]
    if match.same_place:
        parts.append(match.same_place)
    if match.same_matter:
        parts.append(_("同类事项"))
    return "，".join(parts)


def candidates(
    phone: str,
    text: str,
    region_id: int | None,
    matter_id: int | None,
    *,
    for_user=None,
    exclude_case_ids=(),
    similar: bool = True,
) -> list[Candidate]:
    """The open cases a new claim (contact ``phone``, description ``text``, place and matter) may
    repeat, phone matches first, then by similarity, at most five. ``for_user``: the cases outside
    what that user may open are marked ``in_scope=False`` (shown without personal data); None
    marks every case in scope (system use: the API paths). ``similar=False``: the phone only."""
    now = timezone.now()
    exclude = set(exclude_case_ids)
    found: dict[int, Candidate] = {}
    order: list[int] = []
    phone = _valid_phone(phone)
    if phone:
        since = now - timedelta(days=PHONE_DAYS)
        for pk in _phone_case_ids(phone, since=since, exclude=exclude, for_user=for_user):
            found[pk] = Candidate(case=None, reasons=[_(REASON_PHONE)], same_phone=True)
            order.append(pk)
    matches = {}
    text = " ".join((text or "").split())
    if similar and len(text) >= MIN_TEXT and region_id and matter_id:
        for match in _similar(text, region_id=region_id, matter_id=matter_id, exclude=exclude):
            matches[match.case_id] = match
            if match.case_id in found:
                found[match.case_id].score = match.score
            else:
                found[match.case_id] = Candidate(case=None, score=match.score)
                order.append(match.case_id)
    order = order[:LIMIT]
    if not order:
        return []
    cases = Case.objects.select_related("matter", "region", "lead_unit", "centre").in_bulk(order)
    if for_user is not None:
        scope = set(visible_cases(for_user).filter(pk__in=order).values_list("pk", flat=True))
    else:
        scope = set(order)
    result = []
    for pk in order:
        case = cases.get(pk)
        if case is None or case.status not in OPEN_STATUSES:
            continue  # merged or closed since the engine's index was read
        candidate = found[pk]
        candidate.case, candidate.in_scope = case, pk in scope
        match = matches.get(pk)
        if match is not None:
            candidate.reasons.append(match.why if candidate.in_scope else _plain_why(match))
        result.append(candidate)
    _set_towns([c for c in result if not c.in_scope])
    return result


def _set_towns(outside: list[Candidate]) -> None:
    """The town (乡镇街道) of each case outside the scope: its place shown no finer than that
    (one query, only when there is such a case). A case placed above a town shows its own place."""
    if not outside:
        return
    codes = {code for c in outside for code in c.case.region.ancestor_codes}
    towns = dict(Region.objects.filter(code__in=codes, level=RegionLevel.TOWN).values_list("code", "name"))
    for candidate in outside:
        names = [towns[code] for code in candidate.case.region.ancestor_codes if code in towns]
        candidate.town = names[0] if names else candidate.case.region.name


def candidates_for_claim(claim: Claim, *, for_user=None) -> list[Candidate]:
    """The candidates of a registered claim (its own case excluded): the API paths, the tests."""
    return candidates(
        claim.contact_phone,
        claim.description,
        claim.region_id,
        claim.matter_id,
        for_user=for_user,
        exclude_case_ids=(claim.case_id,),
    )


def candidates_shown(ids, *, for_user) -> list[Candidate]:
    """The candidates a staff form showed (their ids, posted back with "登记为新案件"), still open,
    at most five, scope marked: what ``record_intake_choice`` remembers — without looking them up
    again (two queries; none when nothing was shown)."""
    pks = []
    for value in ids:
        if str(value).isdigit() and int(value) not in pks:
            pks.append(int(value))
    pks = pks[:LIMIT]
    if not pks:
        return []
    cases = Case.objects.filter(pk__in=pks, status__in=OPEN_STATUSES).only("id", "status").in_bulk()
    scope = set(visible_cases(for_user).filter(pk__in=list(cases)).values_list("pk", flat=True)) if cases else set()
    why = _("受理时提示可能重复")
    return [Candidate(case=cases[pk], reasons=[why], in_scope=pk in scope) for pk in pks if pk in cases]


def candidate_pick(found: list[Candidate], choice: str) -> Candidate | None:
    """The candidate chosen by case number (staff) or by id (citizens), among those just found."""
    choice = (choice or "").strip()
    if not choice:
        return None
    for candidate in found:
        if choice in (candidate.case.number, str(candidate.case.pk)):
            return candidate
    return None


def candidate_attach(*, claim: Claim, into: Case, actor, reason: str = "") -> Case:
    """Attach the freshly registered ``claim`` to the open case ``into`` (并案) with the existing
    merge: the claim's case is merged into ``into``; the claim's applicant becomes its party and
    the claim's tracking code follows it. Centre staff who may accept the new case merge with their
    own permission; anyone else (a citizen joining a similar case, a grid worker) merges as the
    platform at their request. The caller chose ``into`` among ``candidates`` just computed for
    this claim. Raises ``CaseError`` (target closed, the claim's case already handled)."""
    if claim.case_id == into.pk:
        raise CaseError(_("不能并入诉求自己的案件。"))
    if not into.is_open:
        raise CaseError(_("案件 %(n)s 已结束，不能并入，请重新选择或登记为新案件。") % {"n": into.number})
    note = _("受理时发现与案件 %(n)s 重复（%(why)s），并入办理") % {"n": into.number, "why": reason or _("所选")}
    system = actor is None or not can_accept(actor, claim.case)
    try:
        with transaction.atomic():
            case_merge(case=claim.case, actor=actor, into=into, note=note, system=system)
    except PermissionDenied as exc:  # pragma: no cover - system merges are not asked for permission
        raise CaseError(_("无法并入该案件，请刷新后重试。")) from exc
    return into


def record_intake_candidates(case: Case, found: list[Candidate]) -> int:
    """The dispatcher's 疑似重复 queue (issue #13): record ``case`` × each candidate as a likely
    duplicate pair 待研判 (``cases.duplicates.record_pairs``: idempotent per pair; a pair marked
    非重复 stays so). The API paths (partner REST, Open311) reach it after a claim is registered,
    through the q2 task ``intake.tasks.claim_duplicates_record``. Returns how many pairs are new."""
    if not found:
        return 0
    from cases.duplicates import record_pairs
    from cases.models import DuplicateSource

    return record_pairs(case, found, DuplicateSource.INTAKE)


def claim_duplicates_record(claim_id: int) -> int:
    """Find and record the candidates of one registered claim (the API paths, after commit)."""
    claim = Claim.objects.select_related("case").filter(pk=claim_id).first()
    if claim is None or not claim.case.is_open:
        return 0
    return record_intake_candidates(claim.case, candidates_for_claim(claim))


def claim_duplicates_record_on_commit(claim: Claim) -> None:
    """Enqueue ``claim_duplicates_record`` after commit (q2; synchronous in tests)."""
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task("intake.tasks.claim_duplicates_record", claim.pk))
