"""疑似重复 (issue #13): pairs of open cases that may be one problem, found at intake (helper
``dupes``, through ``record_pairs``) or by the nightly scan, and decided by a dispatcher — 合并
(the existing merge) or 非重复 (remembered: the pair is never flagged again).

Reads (``duplicate_pairs_for``, ``duplicate_pair_for``) are scoped like the centre's queues: a pair
shows to a dispatcher whose region subtree holds both cases. Writes are services (atomic, one
conditional ``UPDATE`` on the pair first, so a double click or two dispatchers at once decide it
once). Decisions are written down in docs/duplicates.md.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from accounts.models import Role, User
from accounts.selectors import user_memberships
from core.masking import mask_phone

from .models import (
    OPEN_STATUSES,
    Case,
    DuplicatePair,
    DuplicateScanRun,
    DuplicateSource,
    DuplicateStatus,
    Party,
    PartyRole,
)
from .permissions import is_dispatcher_for
from .transitions import CaseError, _event

#: The nightly scan looks at this many changed cases at most per run; the rest wait for the next.
SCAN_BATCH = 2000
#: A run stops starting new cases after this many seconds (q2 kills a task at its timeout).
SCAN_SECONDS = 45
#: Same contact phone: open cases registered in the last 90 days (the intake rule, issue #13).
PHONE_DAYS = 90
#: The first run ever looks back this far (the text rule's window).
FIRST_RUN_DAYS = 30
#: Each run also looks again at the cases of this long before the previous run's end (a claim
#: whose transaction committed just after that run had read): harmless, the pairs are unique.
OVERLAP = timedelta(minutes=10)
REASON_MAX = 300
NOTE_MAX = 500


def _similar_open_cases(case: Case) -> list:
    """The engine's open cases like ``case`` (same town, same matter branch, 30 days):
    ``settings.CASES_SIMILAR_OPEN_CASES`` (``similar.engine.similar_open_cases``; config wires it,
    cases does not import the engine, which reads cases)."""
    path = getattr(settings, "CASES_SIMILAR_OPEN_CASES", "")
    if not path:
        return []
    similar_open_cases = import_string(path)
    return similar_open_cases(
        f"{case.title}\n{case.description}",
        region_id=case.region_id,
        matter_id=case.matter_id,
        exclude_case_ids=(case.pk,),
    )


# Recording -------------------------------------------------------------------------------------


def _candidate_id(match) -> int | None:
    case_id = getattr(match, "case_id", None)
    if case_id is None and getattr(match, "case", None) is not None:
        case_id = match.case.pk
    return int(case_id) if case_id is not None else None


def _candidate_reason(match) -> str:
    """``Match.why``; or ``reason``; or the words of ``reasons`` (an intake candidate)."""
    text = getattr(match, "why", "") or getattr(match, "reason", "")
    if not text and getattr(match, "reasons", None):
        text = "；".join(str(r) for r in match.reasons)
    return str(text or _("描述相似"))


@transaction.atomic
def record_pairs(
    case: Case,
    matches: Iterable,
    source: str,
    *,
    at: datetime | None = None,
    decided_by=None,
    note: str = "",
) -> int:
    """Record ``case`` and each match as a 疑似重复 pair 待研判. Returns how many pairs are new.

    A match is anything with a ``case_id`` (or a ``case``), a ``score`` (0..1, optional) and a
    ``why`` / ``reason`` / ``reasons`` — ``similar.engine.Match`` or an intake candidate.

    Guarantees: idempotent (a pair already recorded, whatever its status, is left as it is — so a
    pair marked 非重复 is never flagged again); only pairs of two open cases; the pair is ordered
    (``case_a`` the smaller id) and unique (concurrent callers: the unique constraint keeps one).
    Triggers nothing else. ``decided_by``: the new pairs are recorded already decided 非重复 by
    that person (``record_intake_choice``); ``note``: the pairs' 研判说明.
    """
    if source not in DuplicateSource.values:
        raise ValueError(f"unknown source {source!r}")
    if case.status not in OPEN_STATUSES:
        return 0
    wanted: dict[int, tuple[float, list[str]]] = {}
    for match in matches:
        other = _candidate_id(match)
        if other is None or other == case.pk:
            continue
        score, reasons = wanted.get(other, (0.0, []))
        reason = _candidate_reason(match)
        wanted[other] = (max(score, float(getattr(match, "score", 0) or 0)), reasons + [reason])
    if not wanted:
        return 0
    others = set(Case.objects.filter(pk__in=wanted, status__in=OPEN_STATUSES).values_list("pk", flat=True))
    known = set(
        DuplicatePair.objects.filter(
            Q(case_a_id=case.pk, case_b_id__in=others) | Q(case_b_id=case.pk, case_a_id__in=others)
        ).values_list("case_a_id", "case_b_id")
    )
    at = at or timezone.now()
    new = []
    for other in sorted(others):
        a, b = sorted((case.pk, other))
        if (a, b) in known:
            continue
        score, reasons = wanted[other]
        reason = "；".join(dict.fromkeys(reasons))[:REASON_MAX]
        new.append(
            DuplicatePair(
                case_a_id=a,
                case_b_id=b,
                score=round(score, 4),
                reason=reason,
                source=source,
                created_at=at,
                status=DuplicateStatus.NOT_DUPLICATE if decided_by is not None else DuplicateStatus.OPEN,
                decided_by=decided_by,
                decided_at=at if decided_by is not None else None,
                note=note[:NOTE_MAX],
            )
        )
    DuplicatePair.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


#: The notes of the choices made at intake (docs/duplicates.md "受理时的选择"): stored data, as typed notes are.
NOTE_CLERK_NEW = "受理时登记员判断为不同事项"
NOTE_CLERK_UNSEEN = "受理时登记员选择登记为新案件（该案不在其办理范围，未见内容）"
NOTE_CITIZEN_SEPARATE = "群众选择单独提交"


def record_intake_choice(case: Case, shown: Iterable, *, actor, citizen: bool = False) -> int:
    """Remember what was chosen at intake about the candidates ``shown`` (intake.duplicates
    ``Candidate``), so the nightly scan does not flag them again. A clerk's "都不是，登记为新案件":
    each candidate the clerk could open becomes a pair already decided 非重复 by the clerk; one
    outside their scope (seen without its content) a pair 待研判 for the dispatcher. A citizen's
    "单独提交" (``citizen=True``): pairs 待研判 noted so — the dispatcher still decides. A pair
    recorded before keeps its status (``record_pairs``). Returns how many pairs are new."""
    shown = list(shown)
    if citizen:
        return record_pairs(case, shown, DuplicateSource.INTAKE, note=NOTE_CITIZEN_SEPARATE)
    seen = [c for c in shown if getattr(c, "in_scope", True)]
    unseen = [c for c in shown if not getattr(c, "in_scope", True)]
    added = record_pairs(case, seen, DuplicateSource.INTAKE, decided_by=actor, note=NOTE_CLERK_NEW) if seen else 0
    if unseen:
        added += record_pairs(case, unseen, DuplicateSource.INTAKE, note=NOTE_CLERK_UNSEEN)
    return added


# The nightly scan ------------------------------------------------------------------------------


class _PhoneMatch:
    """A same-phone candidate, in the shape ``record_pairs`` takes."""

    def __init__(self, case_id: int, phone: str):
        self.case_id, self.score = case_id, 0.0
        self.why = _("同一联系电话 %(phone)s，同一事项") % {"phone": mask_phone(phone)}


def staff_phones():
    """The phones of staff accounts (any account that is not a citizen's), as a subquery: such a
    phone is never a "同一联系电话" — a grid worker who leaves the resident's phone empty (随手拍)
    is the applicant of every such report, with their own phone, and so is a clerk who registers
    with their own number (docs/duplicates.md)."""
    return User.objects.filter(is_citizen=False, phone__isnull=False).exclude(phone="").values("phone")


def _phone_matches(cases: list[Case], *, now: datetime) -> dict[int, list[_PhoneMatch]]:
    """For each case, the other open cases of the last ``PHONE_DAYS`` days whose applicant has
    the same phone and whose matter type is the same (two queries). The same leaf matter, not
    only the branch: one caller's noisy neighbour and their neighbour's pigs are two problems.
    A staff account's phone (``staff_phones``) pairs nothing."""
    phones = defaultdict(set)
    for party in (
        Party.objects.filter(case__in=cases, role=PartyRole.APPLICANT)
        .exclude(phone="")
        .exclude(phone__in=staff_phones())
        .values("case_id", "phone")
    ):
        phones[party["phone"]].add(party["case_id"])
    if not phones:
        return {}
    holders = defaultdict(set)
    for row in Party.objects.filter(
        phone__in=list(phones),
        role=PartyRole.APPLICANT,
        case__status__in=OPEN_STATUSES,
        case__created_at__gte=now - timedelta(days=PHONE_DAYS),
    ).values("case_id", "phone", "case__matter_id"):
        holders[row["phone"]].add((row["case_id"], row["case__matter_id"]))
    matter = {case.pk: case.matter_id for case in cases}
    found: dict[int, list[_PhoneMatch]] = defaultdict(list)
    for phone, case_ids in phones.items():
        for case_id in case_ids:
            for other, other_matter in holders.get(phone, ()):
                if other != case_id and other_matter == matter.get(case_id):
                    found[case_id].append(_PhoneMatch(other, phone))
    return found


def duplicates_scan(*, now: datetime | None = None, batch: int = SCAN_BATCH) -> DuplicateScanRun:
    """The nightly 疑似重复 scan (q2 schedule ``yikouban:duplicates-nightly``).

    Looks at the open cases registered since the previous run (``DuplicateScanRun.through``;
    less ``OVERLAP`` after a finished run; the first run: the last 30 days), at most ``batch`` of
    them, oldest first,
    and no new one after ``SCAN_SECONDS`` — the next run goes on from the last one looked at. For
    each: the engine's similar open cases (same town, same matter branch, 30 days) and the open
    cases of the last ``PHONE_DAYS`` days with the same applicant phone and matter type; every
    pair is recorded 待研判 through ``record_pairs`` (idempotent; a pair decided 非重复 is never
    flagged again). Safe to run twice or concurrently: the pairs are unique.

    Why "registered since" is "created or changed since": what matching reads — the text, the
    place, the matter — is never changed after registration (no service writes it), and a pair
    always has a newer member, found when that one is looked at. Status changes (thousands a day)
    add no pair, so the work follows the day's intake, not the day's activity.
    """
    now = now or timezone.now()
    previous = DuplicateScanRun.objects.order_by("-started_at", "-id").first()
    if previous is None:
        since = now - timedelta(days=FIRST_RUN_DAYS)
    elif previous.through >= previous.started_at:  # it finished: look a little further back
        since = previous.through - OVERLAP
    else:  # it stopped at its budget: go on exactly from there
        since = previous.through
    fresh = list(
        Case.objects.filter(status__in=OPEN_STATUSES, created_at__gte=since, created_at__lte=now)
        .only("id", "title", "description", "status", "region_id", "matter_id", "created_at")
        .order_by("created_at", "id")[:batch]
    )
    phone_matches = _phone_matches(fresh, now=now)
    deadline = time.monotonic() + SCAN_SECONDS
    added, checked = 0, 0
    through = now
    for case in fresh:
        if time.monotonic() > deadline:
            through = case.created_at  # the next run starts here
            break
        matches = list(_similar_open_cases(case)) + phone_matches.get(case.pk, [])
        added += record_pairs(case, matches, DuplicateSource.NIGHTLY, at=now)
        checked += 1
    else:
        if len(fresh) == batch:
            through = fresh[-1].created_at  # more new cases than a run takes: go on from here
    return DuplicateScanRun.objects.create(started_at=now, through=through, cases_checked=checked, pairs_added=added)


# Reads ----------------------------------------------------------------------------------------


def _dispatcher_paths(user) -> list[str]:
    return [m.unit.region.path for m in user_memberships(user) if m.role == Role.DISPATCHER]


def _scoped(user) -> QuerySet[DuplicatePair]:
    paths = _dispatcher_paths(user) if user.is_authenticated else []
    if not paths:
        return DuplicatePair.objects.none()
    side_a, side_b = Q(pk__in=[]), Q(pk__in=[])
    for path in paths:
        side_a |= Q(case_a__region__path__startswith=path)
        side_b |= Q(case_b__region__path__startswith=path)
    return DuplicatePair.objects.filter(side_a, side_b)


def duplicate_pairs_for(user) -> QuerySet[DuplicatePair]:
    """The 疑似重复 list of a dispatcher: open pairs whose two cases are both still open and both
    in the dispatcher's region subtree, newest first, with what the list shows."""
    return (
        _scoped(user)
        .filter(status=DuplicateStatus.OPEN, case_a__status__in=OPEN_STATUSES, case_b__status__in=OPEN_STATUSES)
        .select_related(
            "case_a__matter",
            "case_a__region",
            "case_a__lead_unit",
            "case_b__matter",
            "case_b__region",
            "case_b__lead_unit",
        )
        .order_by("-created_at", "-id")
    )


def duplicate_pair_for(user, pk: int) -> DuplicatePair | None:
    """One pair (whatever its status) for a dispatcher of both its cases, or None (→ 404)."""
    return (
        _scoped(user)
        .select_related("case_a__region", "case_a__matter", "case_b__region", "case_b__matter", "decided_by")
        .filter(pk=pk)
        .first()
    )


def can_decide_pair(user, pair: DuplicatePair) -> bool:
    return is_dispatcher_for(user, pair.case_a) and is_dispatcher_for(user, pair.case_b)


# Decisions ------------------------------------------------------------------------------------


def _claim(pair: DuplicatePair, status: str, *, actor, at, note: str = "") -> bool:
    """Decide the pair if it is still 待研判 (one conditional UPDATE): False if already decided."""
    return bool(
        DuplicatePair.objects.filter(pk=pair.pk, status=DuplicateStatus.OPEN).update(
            status=status, decided_by=actor, decided_at=at, note=note
        )
    )


def _both(pair: DuplicatePair) -> tuple[Case, Case]:
    """The pair's two cases as they are now, earlier registered first."""
    cases = list(
        Case.objects.filter(pk__in=[pair.case_a_id, pair.case_b_id])
        .select_related("region", "matter", "centre", "lead_unit")
        .prefetch_related("parties", "cooperating_units")
    )
    if len(cases) != 2:
        raise CaseError(_("案件已不存在，请刷新页面。"))
    earlier, later = sorted(cases, key=lambda c: (c.created_at, c.pk))
    return earlier, later


@transaction.atomic
def duplicate_pair_merge(*, pair: DuplicatePair, actor, at: datetime | None = None) -> Case | None:
    """合并: the later-registered case is merged into the earlier one with the existing merge
    (``case_merge``: its parties follow, both timelines get an event, the earlier case's 重复诉求次数
    grows, the citizen is told), and the pair is marked 已合并.

    Returns the case merged into, or None when the pair was already decided (a second click, or
    another dispatcher first): nothing happens then. A case no longer open, or in a state the
    merge refuses, raises ``CaseError`` and nothing is written."""
    from .services import case_merge

    if not can_decide_pair(actor, pair):
        raise PermissionDenied
    at = at or timezone.now()
    if not _claim(pair, DuplicateStatus.MERGED, actor=actor, at=at):
        return None
    earlier, later = _both(pair)
    for case in (earlier, later):
        if case.status not in OPEN_STATUSES:
            raise CaseError(
                _("案件 %(n)s 已结束（%(status)s），不能合并；如不是重复诉求，请标记为非重复。")
                % {"n": case.number, "status": case.get_status_display()}
            )
    if not can_proceed(later.merge):  # 待审核 / 待评价: the result is already with the citizen
        raise CaseError(
            _("案件 %(n)s 当前为“%(status)s”，不能再合并；请打开案件另行处理，或标记为非重复。")
            % {"n": later.number, "status": later.get_status_display()}
        )
    note = _("疑似重复研判：与案件 %(n)s 为同一诉求，合并办理（%(why)s）") % {"n": earlier.number, "why": pair.reason}
    case_merge(case=later, actor=actor, into=earlier, note=note, at=at)
    return earlier


@transaction.atomic
def duplicate_pair_dismiss(*, pair: DuplicatePair, actor, note: str = "", at: datetime | None = None) -> bool:
    """标记为非重复: the pair is remembered as 非重复 (never flagged again), with the dispatcher's
    optional note, and an internal event on both cases' timelines. Returns False when the pair
    was already decided (a second click): nothing happens then."""
    if not can_decide_pair(actor, pair):
        raise PermissionDenied
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise CaseError(_("说明最多 %(n)s 个字，请精简。") % {"n": NOTE_MAX}, field="note")
    at = at or timezone.now()
    if not _claim(pair, DuplicateStatus.NOT_DUPLICATE, actor=actor, at=at, note=note):
        return False
    earlier, later = _both(pair)
    for case, other in ((earlier, later), (later, earlier)):
        text = _("经研判与案件 %(n)s 不是同一诉求，已排除疑似重复") % {"n": other.number}
        if note:
            text += _("：%(note)s") % {"note": note}
        _event(case, "not_duplicate", actor=actor, from_status=case.status, note=text, public=False, at=at)
    return True
