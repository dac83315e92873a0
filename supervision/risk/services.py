"""研判预警 (issue #15): the daily risk scan and the supervisors' assessment. Every write of
``RiskWarning`` goes through here. Rules, thresholds and the SQL shape: docs/risk-warnings.md.

The scan reads cases with a few grouped statements (GROUP BY over the window's cases, never a
Python loop over cases); what Python then loops over are the grouped rows (places × matter
branches) and the few findings. It runs in one transaction under its own advisory lock (the warning
sweep's discipline: ``supervision.services._take_sweep_lock``), so two scans at once, or a scan
after a crash halfway, leave one warning per finding and one message per supervisor per warning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from cases.models import Case, Party, PartyRole, Status
from core.errors import ServiceError
from core.masking import mask_phone
from core.periods import day_start
from notifications.models import NotificationChannel
from notifications.services import notifications_bulk_send
from routing.models import LEVEL_RANK, MatterType, Region, RegionLevel

from ..models import RiskKind, RiskStatus, RiskWarning, RiskWarningCase, RiskWarningNote
from .permissions import can_assess_risk_warning

RISK_LOCK_KEY = 7_461_003  # pg_advisory_xact_lock key of the risk scan (the sweep has 7_461_001)
TOWN_RANK = LEVEL_RANK[RegionLevel.TOWN]
#: The defaults of ``settings.RISK_WARNING_RULES`` (a key missing there takes its value here).
DEFAULT_RULES = {
    "surge_days": 7,
    "surge_ratio": 3,
    "surge_min_cases": 5,
    "baseline_weeks": 8,
    "group_people": 10,
    "group_claims": 3,
    "group_days": 30,
    "frequent_cases": 3,
    "frequent_days": 30,
}
TEXT_LIMIT = 2000  # characters of an assessment or of the measures


class RiskWarningError(ServiceError):
    """An assessment refused (the view shows ``message`` on the form, on ``field``)."""


def risk_rules() -> dict:
    return {**DEFAULT_RULES, **getattr(settings, "RISK_WARNING_RULES", {})}


# The scan ---------------------------------------------------------------------------------------


@dataclass
class Finding:
    kind: str
    region: Region
    matter_id: int | None
    window_start: dt.datetime
    window_end: dt.datetime
    subject_key: str
    case_ids: list[int]
    count: int = 0
    baseline: Decimal | None = None
    ratio: Decimal | None = None
    people: int = 0
    claims: int = 0
    subject: str = ""

    @property
    def fingerprint(self) -> str:
        raw = f"{self.subject_key}|{self.window_start.isoformat()}|{self.window_end.isoformat()}"
        return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class ScanResult:
    created: dict[str, int] = field(default_factory=dict)  # kind → warnings raised
    notifications: int = 0

    @property
    def total(self) -> int:
        return sum(self.created.values())


def _subject_key(*parts) -> str:
    """A stable key for what a finding is about. HMAC'd with the secret key: a phone number in it
    cannot be read back (nor found by hashing every number)."""
    return salted_hmac("yikouban.risk-warning", "|".join(str(p) for p in parts), algorithm="sha256").hexdigest()


def _take_lock() -> None:
    """One scan at a time. PostgreSQL: a transaction-scoped advisory lock (released at commit or
    rollback, also when a worker dies). SQLite: the transaction began with BEGIN IMMEDIATE, which
    already holds the database's single write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RISK_LOCK_KEY])


class _Directory:
    """The regions and top-level matters, read once per scan: a place's path → the region it is
    counted under (the deepest of the place and its ancestors at town level or above)."""

    def __init__(self):
        self.regions = {r.code: r for r in Region.objects.only("id", "code", "name", "level", "path")}
        self.by_path = {r.path: r for r in self.regions.values()}
        self.matters = {m.code: m.pk for m in MatterType.objects.filter(parent__isnull=True).only("id", "code")}
        self._memo: dict[str, Region] = {}

    def town(self, path: str) -> Region:
        if path not in self._memo:
            codes = [c for c in path.strip("/").split("/") if c in self.regions]
            chosen = next((c for c in reversed(codes) if LEVEL_RANK[self.regions[c].level] <= TOWN_RANK), codes[0])
            self._memo[path] = self.regions[chosen]
        return self._memo[path]

    def common(self, paths: list[str]) -> Region:
        """The deepest region above (or at) every path's town."""
        towns = [self.town(p).path for p in paths]
        prefix = towns[0]
        for path in towns[1:]:
            while not path.startswith(prefix):
                prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
        while prefix not in self.by_path and prefix.count("/") > 1:
            prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
        return self.by_path.get(prefix) or self.regions[towns[0].strip("/").split("/")[0]]


def _top_code(matter_path: str) -> str:
    return matter_path.strip("/").split("/")[0]


def _decimal(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _surges(today: dt.datetime, rules: dict, directory: _Directory) -> list[Finding]:
    """Per town and top-level matter: the last ``surge_days`` days' cases ≥ ``surge_ratio`` × the
    weekly average of the ``baseline_weeks`` weeks before, and ≥ ``surge_min_cases``.

    One grouped query over the cases of the whole window, by place and matter branch, counting the
    recent part and the baseline part (``case_created_cover`` serves it); the places are rolled up
    to towns from the grouped rows. Merged duplicates count: each is a citizen's report."""
    from ..kpi.measures import matter_top

    recent_start = today - dt.timedelta(days=rules["surge_days"])
    base_start = recent_start - dt.timedelta(weeks=rules["baseline_weeks"])
    rows = (
        Case.objects.filter(created_at__gte=base_start, created_at__lt=today)
        .values(region_path=F("region__path"), top=matter_top())
        .annotate(recent=Count("region", filter=Q(created_at__gte=recent_start)), total=Count("region"))
        .order_by()
    )
    cells: dict[tuple[int, str], dict] = defaultdict(lambda: {"recent": 0, "base": 0, "paths": set()})
    towns: dict[int, Region] = {}
    for row in rows:
        town = directory.town(row["region_path"])
        towns[town.pk] = town
        cell = cells[(town.pk, row["top"])]
        cell["recent"] += row["recent"]
        cell["base"] += row["total"] - row["recent"]
        if row["recent"]:
            cell["paths"].add(row["region_path"])
    findings = []
    for (town_id, top), cell in sorted(cells.items()):
        recent, weekly = cell["recent"], cell["base"] / rules["baseline_weeks"]
        if recent < rules["surge_min_cases"] or recent < rules["surge_ratio"] * weekly:
            continue
        case_ids = list(
            Case.objects.filter(
                created_at__gte=recent_start,
                created_at__lt=today,
                region__path__in=sorted(cell["paths"]),
                matter__path__startswith=f"/{top}/",
            ).values_list("id", flat=True)
        )
        findings.append(
            Finding(
                kind=RiskKind.SURGE,
                region=towns[town_id],
                matter_id=directory.matters.get(top),
                window_start=recent_start,
                window_end=today,
                subject_key=_subject_key(RiskKind.SURGE, towns[town_id].code, top),
                case_ids=case_ids,
                count=recent,
                baseline=_decimal(weekly),
                ratio=_decimal(recent / weekly) if weekly else None,
            )
        )
    return findings


def _claim_model():
    """intake's Claim, reached through the relation it declares on Case (supervision does not
    import intake: docs/architecture.md)."""
    return Case._meta.get_field("claims").related_model


def _group_claims(today: dt.datetime, rules: dict, directory: _Directory) -> list[Finding]:
    """Cases registered in the last ``group_days`` days involving ≥ ``group_people`` people, or
    with ≥ ``group_claims`` claims (its own and those of the duplicates merged into it, 一案多投)
    registered in that window. Two grouped queries; then the few cases found are read."""
    since = today - dt.timedelta(days=rules["group_days"])
    in_window = Q(created_at__gte=since, created_at__lt=today)
    by_people = set(
        Case.objects.filter(in_window, people_count__gte=rules["group_people"])
        .exclude(status=Status.MERGED)
        .values_list("id", flat=True)
    )
    claims = (
        _claim_model()
        .objects.filter(in_window)
        .values(target=Coalesce(F("case__merged_into"), F("case")))
        .annotate(n=Count("id"))
        .order_by()
    )
    claim_counts = {row["target"]: row["n"] for row in claims.filter(n__gte=rules["group_claims"])}
    wanted = by_people | set(claim_counts)
    if not wanted:
        return []
    if by_people - set(claim_counts):  # the claims of the cases found by their people alone
        for row in claims.filter(target__in=sorted(by_people - set(claim_counts))):
            claim_counts[row["target"]] = row["n"]
    cases = (
        Case.objects.filter(pk__in=sorted(wanted))
        .exclude(status=Status.MERGED)
        .values("id", "number", "people_count", "region__path", "matter__path", "created_at")
    )
    merged = defaultdict(list)
    for case_id, into in Case.objects.filter(merged_into__in=sorted(wanted)).values_list("id", "merged_into"):
        merged[into].append(case_id)
    findings = []
    for case in cases:
        top = _top_code(case["matter__path"])
        findings.append(
            Finding(
                kind=RiskKind.GROUP,
                region=directory.town(case["region__path"]),
                matter_id=directory.matters.get(top),
                window_start=since,
                window_end=today,
                subject_key=_subject_key(RiskKind.GROUP, case["id"]),
                case_ids=[case["id"], *merged[case["id"]]],
                count=1 + len(merged[case["id"]]),
                people=case["people_count"],
                claims=claim_counts.get(case["id"], 0),
                subject=case["number"],
            )
        )
    return findings


def _frequent_people(today: dt.datetime, rules: dict, directory: _Directory) -> list[Finding]:
    """One phone (an applicant's) on ≥ ``frequent_cases`` cases registered in the last
    ``frequent_days`` days: one grouped query (GROUP BY phone HAVING …), then the cases of the few
    phones found. The warning's place is the deepest region above all their cases (at most a town).
    The phone is kept masked in the warning; its key is an HMAC."""
    since = today - dt.timedelta(days=rules["frequent_days"])
    parties = (
        Party.objects.filter(role=PartyRole.APPLICANT, case__created_at__gte=since, case__created_at__lt=today)
        .exclude(phone="")
        .exclude(case__status=Status.MERGED)  # a merged case's parties were copied onto its target
    )
    phones = list(
        parties.values("phone")
        .annotate(n=Count("case", distinct=True))
        .filter(n__gte=rules["frequent_cases"])
        .order_by()
        .values_list("phone", flat=True)
    )
    if not phones:
        return []
    found: dict[str, dict[int, tuple[str, str]]] = defaultdict(dict)
    for phone, case_id, region_path, matter_path in parties.filter(phone__in=phones).values_list(
        "phone", "case_id", "case__region__path", "case__matter__path"
    ):
        found[phone][case_id] = (region_path, matter_path)
    findings = []
    for phone in sorted(found):
        cases = found[phone]
        tops = {_top_code(m) for _r, m in cases.values()}
        findings.append(
            Finding(
                kind=RiskKind.FREQUENT,
                region=directory.common([r for r, _m in cases.values()]),
                matter_id=directory.matters.get(tops.pop()) if len(tops) == 1 else None,
                window_start=since,
                window_end=today,
                subject_key=_subject_key(RiskKind.FREQUENT, phone),
                case_ids=sorted(cases),
                count=len(cases),
                subject=mask_phone(phone),
            )
        )
    return findings


def _new(findings: list[Finding]) -> list[Finding]:
    """The findings not yet raised: no warning with the same fingerprint, nor one of the same
    subject whose window overlaps (a surge still going on is one warning until its window has
    passed; a group claim's case is warned once; a person once per ``frequent_days``)."""
    if not findings:
        return []
    keys = {f.subject_key for f in findings}
    earlier: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for key, end, kind in RiskWarning.objects.filter(subject_key__in=sorted(keys)).values_list(
        "subject_key", "window_end", "kind"
    ):
        earlier[key].append((end, kind))
    fresh = []
    for f in findings:
        if f.kind == RiskKind.GROUP and earlier[f.subject_key]:
            continue
        if any(end > f.window_start for end, _kind in earlier[f.subject_key]):
            continue
        fresh.append(f)
    return fresh


def _message(w: RiskWarning, region: Region, rules: dict) -> str:
    if w.kind == RiskKind.SURGE:
        matter = w.matter.name if w.matter_id else _("其他事项")
        times = (
            _("，为前%(w)s周周均的 %(r)s 倍") % {"w": rules["baseline_weeks"], "r": f"{w.ratio:.1f}"} if w.ratio else ""
        )
        return _("研判预警（诉求激增）：%(place)s%(matter)s类诉求近%(d)s日 %(n)s 件%(times)s，请研判。") % {
            "place": region.name, "matter": matter, "d": rules["surge_days"], "n": w.count, "times": times,
        }  # fmt: skip
    if w.kind == RiskKind.GROUP:
        return _("研判预警（群体性诉求）：%(place)s案件 %(number)s 涉及 %(people)s 人、%(claims)s 件诉求，请研判。") % {
            "place": region.name, "number": w.subject, "people": w.people, "claims": w.claims,
        }  # fmt: skip
    return _("研判预警（重复信访）：手机号 %(phone)s 近%(d)s日在%(place)s提出 %(n)s 件诉求，请研判。") % {
        "phone": w.subject, "d": rules["frequent_days"], "place": region.name, "n": w.count,
    }  # fmt: skip


def _notify(warnings: list[RiskWarning], rules: dict) -> int:
    """One in-app message per supervisor covering the warning's place (their unit's region is the
    place or above it) per warning, all in one INSERT. Called only for the warnings this scan
    created, so a message is never sent twice."""
    if not warnings:
        return 0
    supervisors = defaultdict(set)
    for user_id, path in Membership.objects.filter(
        role=Role.SUPERVISOR, active=True, user__is_active=True, unit__active=True
    ).values_list("user_id", "unit__region__path"):
        supervisors[path].add(user_id)
    messages = []
    for w in warnings:
        users = sorted({u for path, ids in supervisors.items() if w.region.path.startswith(path) for u in ids})
        body = _message(w, w.region, rules)
        case_number = w.subject if w.kind == RiskKind.GROUP else ""
        messages += [
            {"kind": "risk_warning", "body": body, "user_id": u, "channel": NotificationChannel.INAPP,
             "case_number": case_number}
            for u in users
        ]  # fmt: skip
    return len(notifications_bulk_send(messages))


def risk_scan(*, now: dt.datetime | None = None) -> ScanResult:
    """The daily risk scan: find surges, group claims and frequent claimants over the complete days
    before ``now`` (the windows end at today's midnight, local time, so every run of one day sees
    the same data), raise a ``RiskWarning`` for each new finding with the cases behind it, and tell
    the supervisors of its place in-app.

    Guarantees: idempotent — running it again (the same day, or while a finding persists) adds no
    warning and no message; two runs at once serialise on the lock. Set-based: grouped queries
    over the windows' cases, never a loop over cases."""
    now = now or timezone.now()
    today = day_start(timezone.localdate(now))
    rules = risk_rules()
    result = ScanResult()
    with transaction.atomic():
        _take_lock()
        directory = _Directory()
        findings = [
            *_surges(today, rules, directory),
            *_group_claims(today, rules, directory),
            *_frequent_people(today, rules, directory),
        ]
        fresh = _new(findings)
        if not fresh:
            return result
        created = RiskWarning.objects.bulk_create(
            [
                RiskWarning(
                    kind=f.kind,
                    region=f.region,
                    matter_id=f.matter_id,
                    window_start=f.window_start,
                    window_end=f.window_end,
                    count=f.count,
                    baseline=f.baseline,
                    ratio=f.ratio,
                    people=f.people,
                    claims=f.claims,
                    subject=f.subject,
                    subject_key=f.subject_key,
                    fingerprint=f.fingerprint,
                    created_at=now,
                )
                for f in fresh
            ]
        )
        RiskWarningCase.objects.bulk_create(
            [RiskWarningCase(warning=w, case_id=c) for w, f in zip(created, fresh, strict=True) for c in f.case_ids],
            batch_size=1000,
        )
        matters = {m.pk: m for m in MatterType.objects.filter(pk__in={w.matter_id for w in created if w.matter_id})}
        for w in created:
            w.matter = matters.get(w.matter_id)
            result.created[w.kind] = result.created.get(w.kind, 0) + 1
        result.notifications = _notify(created, rules)
    return result


# The supervisor's assessment --------------------------------------------------------------------


def _text(value: str, field: str, missing: str, name: str) -> str:
    value = (value or "").replace("\x00", "").strip()
    if not value:
        raise RiskWarningError(missing, field=field)
    if len(value) > TEXT_LIMIT:
        raise RiskWarningError(
            _("%(name)s最多 %(n)s 字，现在有 %(len)s 字，请精简。")
            % {"name": name, "n": TEXT_LIMIT, "len": len(value)},
            field=field,
        )
    return value


@transaction.atomic
def risk_warning_assess(
    *, warning: RiskWarning, actor, assessment: str, measures: str, at: dt.datetime | None = None
) -> RiskWarning:
    """研判: a supervisor covering the warning's place records the assessment (研判意见) and the
    measures (措施). The first one acknowledges the warning (待研判 → 已研判, who and when); a later
    one replaces the current text. Each is kept in the warning's history (``RiskWarningNote``)."""
    if not can_assess_risk_warning(actor, warning):
        raise PermissionDenied
    assessment = _text(assessment, "assessment", _("请填写研判意见：这一预警反映了什么问题、风险多大。"), _("研判意见"))
    measures = _text(measures, "measures", _("请填写采取的措施，例如约谈、联合排查、化解方案。"), _("措施"))
    at = at or timezone.now()
    locked = RiskWarning.objects.select_for_update().get(pk=warning.pk)
    first = locked.status == RiskStatus.OPEN
    updates = {"assessment": assessment, "measures": measures, "status": RiskStatus.ASSESSED}
    if first:
        updates |= {"acknowledged_by": actor, "acknowledged_at": at}
    RiskWarning.objects.filter(pk=warning.pk).update(**updates)
    RiskWarningNote.objects.create(
        warning=warning, actor=actor, assessment=assessment, measures=measures, created_at=at
    )
    warning.refresh_from_db()
    return warning
