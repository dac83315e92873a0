"""研判预警 (issue #15): the daily risk scan and the supervisors' assessment. Every write of
``RiskWarning`` goes through here. Rules, thresholds and the SQL shape: docs/risk-warnings.md.

The scan reads cases with a few grouped statements (GROUP BY over the window's cases, never a
statement per case or per finding); Python loops over the grouped rows (places × matter branches),
the findings and the rows of their cases. It writes set-based too: the warnings and their case
links with one INSERT … UNNEST each on PostgreSQL, no model instance per row, and ONE digest
message per supervisor per scan. It runs in one transaction under its own advisory lock (the
warning sweep's discipline: ``supervision.services._take_sweep_lock``), so two scans at once, or a
scan after a crash halfway, leave one warning per finding and announce each warning once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import BooleanField, Count, F, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
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

    @cached_property
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
    cannot be read back (nor found by hashing every number). The same value as
    ``salted_hmac("yikouban.risk-warning", …, algorithm="sha256")``, its key derived once per
    process (per secret key), not once per finding."""
    msg = "|".join(str(p) for p in parts).encode()
    return hmac.new(_hmac_key(settings.SECRET_KEY), msg, hashlib.sha256).hexdigest()


@lru_cache(maxsize=2)
def _hmac_key(secret: str) -> bytes:
    return hashlib.sha256(b"yikouban.risk-warning" + secret.encode()).digest()


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
        tops = list(MatterType.objects.filter(parent__isnull=True).only("id", "code", "name"))
        self.matters = {m.code: m.pk for m in tops}
        self.matter_names = {m.pk: m.name for m in tops}
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


def _among(column: str, values) -> Q:
    """``<column> IN values`` for thousands of values: on PostgreSQL ``= ANY(<one array>)`` (one
    parameter, not one per value), elsewhere ``__in``. ``column`` is the base table's column."""
    values = sorted(values)
    if connection.vendor == "postgresql":
        kind = "bigint" if values and isinstance(values[0], int) else "text"
        sql = f"{connection.ops.quote_name(column)} = ANY(%s::{kind}[])"
        return Q(RawSQL(sql, [_pg_array(values, text=kind == "text")], output_field=BooleanField()))
    return Q(**{f"{column.removesuffix('_id')}__in": values})


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
    surging = {}
    for (town_id, top), cell in sorted(cells.items()):
        recent, weekly = cell["recent"], cell["base"] / rules["baseline_weeks"]
        if recent < rules["surge_min_cases"] or recent < rules["surge_ratio"] * weekly:
            continue
        surging[(town_id, top)] = Finding(
            kind=RiskKind.SURGE,
            region=towns[town_id],
            matter_id=directory.matters.get(top),
            window_start=recent_start,
            window_end=today,
            subject_key=_subject_key(RiskKind.SURGE, towns[town_id].code, top),
            case_ids=[],
            count=recent,
            baseline=_decimal(weekly),
            ratio=_decimal(recent / weekly) if weekly else None,
        )
    if surging:  # ONE read of the cases behind all the surges: the recent ones of their places
        paths = sorted({p for key in surging for p in cells[key]["paths"]})
        tops = sorted({top for _town, top in surging})
        in_tops = Q()
        for top in tops:
            in_tops |= Q(matter__path__startswith=f"/{top}/")
        for case_id, path, matter_path in (
            Case.objects.filter(in_tops, created_at__gte=recent_start, created_at__lt=today, region__path__in=paths)
            .order_by("id")
            .values_list("id", "region__path", "matter__path")
        ):
            finding = surging.get((directory.town(path).pk, _top_code(matter_path)))
            if finding is not None:
                finding.case_ids.append(case_id)
    return list(surging.values())


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
    fields = ("id", "number", "people_count", "region__path", "matter__path")
    many_people = Case.objects.filter(in_window, people_count__gte=rules["group_people"]).exclude(status=Status.MERGED)
    cases = {row["id"]: row for row in many_people.values(*fields)}
    # ONE read of the window's claims: the targets with enough claims, and the claims of the cases
    # found by their people (the cases' query as a subquery, not a list of ids)
    claim_counts = dict(
        _claim_model()
        .objects.filter(in_window)
        .values(target=Coalesce(F("case__merged_into"), F("case")))
        .annotate(n=Count("id"))
        .filter(Q(n__gte=rules["group_claims"]) | Q(target__in=many_people.values("id")))
        .order_by()
        .values_list("target", "n")
    )
    more = sorted(t for t, n in claim_counts.items() if n >= rules["group_claims"] and t not in cases)
    if more:
        cases |= {
            row["id"]: row for row in Case.objects.filter(pk__in=more).exclude(status=Status.MERGED).values(*fields)
        }
    if not cases:
        return []
    merged = defaultdict(list)
    for case_id, into in (
        Case.objects.filter(_among("merged_into_id", cases)).order_by("id").values_list("id", "merged_into")
    ):
        merged[into].append(case_id)
    findings = []
    for case in sorted(cases.values(), key=lambda c: c["id"]):
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
    for key, end, kind in RiskWarning.objects.filter(_among("subject_key", keys)).values_list(
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


def _pg_array(values, *, text: bool = False) -> str:
    """A PostgreSQL array literal of numbers or (``text``) strings, ``None`` → NULL: passed as ONE
    text parameter and cast in SQL, it costs one string, not one adapted value per element
    (psycopg's client-side binding quotes each element of a list)."""
    if text:
        items = ("NULL" if v is None else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    else:
        items = ("NULL" if v is None else str(v) for v in values)
    return "{" + ",".join(items) + "}"


#: The columns a finding fills (the rest take their defaults: 待研判, no assessment yet).
_COLUMNS = (
    "region",
    "matter",
    "count",
    "baseline",
    "ratio",
    "people",
    "claims",
    "subject",
    "subject_key",
    "fingerprint",
)


def _row(f: Finding) -> tuple:
    return (f.region.pk, f.matter_id, f.count, f.baseline, f.ratio, f.people, f.claims, f.subject, f.subject_key,
            f.fingerprint)  # fmt: skip


def _insert(fresh: list[Finding], now: dt.datetime) -> dict[str, int]:
    """Write the new warnings and their case links without a model instance per row; returns
    fingerprint → id. PostgreSQL: per kind ONE ``INSERT … SELECT … FROM UNNEST(<arrays>) RETURNING``
    (the kind, window and time as scalars), then ONE ``INSERT`` of all the case links from two
    arrays. Elsewhere (SQLite): ``bulk_create`` — the same rows."""
    links: list[tuple[str, int]] = [(f.fingerprint, c) for f in fresh for c in f.case_ids]
    if connection.vendor != "postgresql":
        created = RiskWarning.objects.bulk_create(
            [
                RiskWarning(kind=f.kind, window_start=f.window_start, window_end=f.window_end, created_at=now,
                            **dict(zip(("region_id", "matter_id", *_COLUMNS[2:]), _row(f), strict=True)))
                for f in fresh
            ]
        )  # fmt: skip
        ids = {w.fingerprint: w.pk for w in created}
        RiskWarningCase.objects.bulk_create(
            [RiskWarningCase(warning_id=ids[fp], case_id=c) for fp, c in links], batch_size=1000
        )
        return ids
    opts = RiskWarning._meta
    fields = [opts.get_field(name) for name in _COLUMNS]
    scalars = {"kind": None, "window_start": None, "window_end": None, "created_at": now, "status": str(RiskStatus.OPEN),
               "assessment": "", "measures": ""}  # fmt: skip
    ids: dict[str, int] = {}
    with connection.cursor() as cursor:
        groups: dict[tuple, list[Finding]] = defaultdict(list)
        for f in fresh:
            groups[(f.kind, f.window_start, f.window_end)].append(f)
        for (kind, start, end), group in groups.items():
            scalars |= {"kind": str(kind), "window_start": start, "window_end": end}
            columns = [opts.get_field(n).column for n in scalars] + [f.column for f in fields]
            arrays = [f"%s::{f.db_type(connection)}[]" for f in fields]
            texts = [f.get_internal_type() in ("CharField", "TextField") for f in fields]
            rows = [_row(f) for f in group]
            cursor.execute(
                f"INSERT INTO {opts.db_table} ({', '.join(columns)}) "
                f"SELECT {', '.join(['%s'] * len(scalars))}, u.* FROM UNNEST({', '.join(arrays)}) AS u "
                "RETURNING fingerprint, id",
                [
                    *scalars.values(),
                    *(_pg_array(c, text=t) for c, t in zip(zip(*rows, strict=True), texts, strict=True)),
                ],
            )
            ids.update(cursor.fetchall())
        if links:
            cursor.execute(
                f"INSERT INTO {RiskWarningCase._meta.db_table} (warning_id, case_id) "
                "SELECT * FROM UNNEST(%s::bigint[], %s::bigint[])",
                [_pg_array(ids[fp] for fp, _c in links), _pg_array(c for _fp, c in links)],
            )
    return ids


DIGEST_LINES = 3  # up to this many new warnings, a supervisor's message lists each one


def _message(f: Finding, directory: _Directory, rules: dict) -> str:
    """One warning in a sentence (a line of the message)."""
    if f.kind == RiskKind.SURGE:
        matter = directory.matter_names.get(f.matter_id) or _("其他事项")
        times = (
            _("，为前%(w)s周周均的 %(r)s 倍") % {"w": rules["baseline_weeks"], "r": f"{f.ratio:.1f}"} if f.ratio else ""
        )
        return _("研判预警（诉求激增）：%(place)s%(matter)s类诉求近%(d)s日 %(n)s 件%(times)s，请研判。") % {
            "place": f.region.name, "matter": matter, "d": rules["surge_days"], "n": f.count, "times": times,
        }  # fmt: skip
    if f.kind == RiskKind.GROUP:
        return _("研判预警（群体性诉求）：%(place)s案件 %(number)s 涉及 %(people)s 人、%(claims)s 件诉求，请研判。") % {
            "place": f.region.name, "number": f.subject, "people": f.people, "claims": f.claims,
        }  # fmt: skip
    return _("研判预警（重复信访）：手机号 %(phone)s 近%(d)s日在%(place)s提出 %(n)s 件诉求，请研判。") % {
        "phone": f.subject, "d": rules["frequent_days"], "place": f.region.name, "n": f.count,
    }  # fmt: skip


def _digest(findings: list[Finding], directory: _Directory, rules: dict) -> tuple[str, str]:
    """A supervisor's ONE message of a scan → (body, case number to link). Up to ``DIGEST_LINES``
    new warnings: each one's line (a single group claim links its case). More: how many of each
    kind, pointing to the 研判预警 list (the message opens it)."""
    if len(findings) <= DIGEST_LINES:
        lines = [_message(f, directory, rules) for f in findings]
        single_group = len(findings) == 1 and findings[0].kind == RiskKind.GROUP
        return "\n".join(lines), findings[0].subject if single_group else ""
    counts = defaultdict(int)
    for f in findings:
        counts[f.kind] += 1
    parts = [
        _("%(kind)s %(n)s 条") % {"kind": RiskKind(kind).label, "n": counts[kind]}
        for kind in RiskKind.values
        if counts[kind]
    ]
    body = _("研判预警：本次研判扫描在您督办的区域新增预警 %(n)s 条（%(parts)s），请到“研判预警”列表逐条研判。") % {
        "n": len(findings), "parts": "、".join(parts),
    }  # fmt: skip
    return body, ""


def _notify(fresh: list[Finding], rules: dict, directory: _Directory) -> int:
    """ONE in-app message per supervisor per scan, for the new warnings of their area (their
    unit's region is the warning's place or above it), all in one INSERT: a scan that raises
    thousands of warnings does not bury anyone under thousands of messages. Called only with the
    warnings this scan created, so a warning is never announced twice."""
    if not fresh:
        return 0
    supervisors = defaultdict(set)
    for user_id, path in Membership.objects.filter(
        role=Role.SUPERVISOR, active=True, user__is_active=True, unit__active=True
    ).values_list("user_id", "unit__region__path"):
        supervisors[path].add(user_id)
    by_place: dict[str, list[Finding]] = defaultdict(list)
    for f in fresh:
        by_place[f.region.path].append(f)
    per_user: dict[int, list[Finding]] = defaultdict(list)
    for place, findings in by_place.items():
        for u in {u for path, ids in supervisors.items() if place.startswith(path) for u in ids}:
            per_user[u] += findings
    messages = []
    for u in sorted(per_user):
        body, case_number = _digest(per_user[u], directory, rules)
        messages.append({"kind": "risk_warning", "body": body, "user_id": u, "channel": NotificationChannel.INAPP,
                         "case_number": case_number})  # fmt: skip
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
        _insert(fresh, now)
        for f in fresh:
            result.created[f.kind] = result.created.get(f.kind, 0) + 1
        result.notifications = _notify(fresh, rules, directory)
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
