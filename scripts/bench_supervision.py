#!/usr/bin/env python
"""`make bench`: the warning sweep and the supervision boards at a city's scale (issue #5, "At scale").

Database
    BENCH_DATABASE_URL (PostgreSQL) when set — THE BENCH WIPES THAT DATABASE: it drops every table
    in its current schema, then migrates from scratch. Otherwise a scratch SQLite file under
    var/bench-supervision/ (deleted and recreated on every run). It never uses DATABASE_URL, which
    may hold someone's real data. Default N: 1,000,000 cases on PostgreSQL, 100,000 on SQLite;
    ``--n`` overrides.

Data
    The demo directory and users (``demo.people.load_demo``), then N cases written in bulk (COPY
    on PostgreSQL, executemany on SQLite): ~10 % open across 待受理 … 待评价, the rest closed /
    rejected / withdrawn / merged; matters, villages/grids and channels weighted like
    ``demo/cases.py``; created over the last 24 months, recent months busier; lead unit from the
    routing rules for the case's matter and place (the town 综治中心 when the rules queue it), centre
    = the district claims centre; results, outcomes and ratings on finished cases; open cases get a
    stage clock such that the sweep finds ~60 % none, 15 % blue, 10 % yellow, 15 % red. Plus a
    ``return_case`` event on ~3 % of cases and a historical ``warning_red`` on ~15 % of finished
    ones (what the KPIs count). Then ANALYZE (VACUUM ANALYZE of the whole database on PostgreSQL).
    Columns the generator does not compute (CASE_COLUMNS / EVENT_COLUMNS) get the model's own
    field defaults (``bench_db.bulk_plan``: severity, repeat_count …); a NOT NULL column without a
    default stops the run before anything is written, named. ``--similar-index`` also indexes the
    cases for the similarity engine (not needed by the boards; ``make bench-similar`` times that).

Measures (one run)
    1. N/10 cases: an untimed sweep (so the boards have levels), then the boards.
    2. Top up to N: the sweep against a bare UPDATE, then the boards again.

    * ``sweep_baseline_s``: from the reset state (below), ONE statement that computes the same levels
      for the same rows the sweep looks at and writes them (``UPDATE cases_case SET warning_level =
      CASE … END, warning_changed_at = now WHERE status IN (open) AND paused_at IS NULL``). The
      brief's literal variant (``SET warning_level = warning_level``, same WHERE) is timed too and
      printed for reference.
    * ``sweep_s``: one ``supervision.services.warnings_sweep(now=…)`` from the same reset state: it
      sets the levels and writes the events and in-app messages of every change.
    * Reset before each timing (untimed): every open case back to level ``none`` with no
      ``warning_changed_at``; the events and messages a sweep at that same ``now`` wrote are
      deleted; on PostgreSQL ``VACUUM ANALYZE`` of the touched tables, so neither timing pays for
      the other's dead rows.
    * For information only (printed, not in the results): the sweep a minute later, i.e. the
      scheduler's next run, when a few dozen cases cross a threshold.
    * Boards (``supervision:overdue``, ``supervision:kpi``) through ``django.test.Client`` logged
      in (force_login) as ``fs_supervisor``, the city-level supervisor: one warm-up render, one
      render under ``CaptureQueriesContext`` for the query count, then 20 timed renders → p95
      (nearest rank: the 19th of 20). A board that does not answer 200 yet is reported as null
      with a note. Before the boards, any other ``supervision.*`` task declared in
      ``config/schedules.py`` (e.g. the KPI snapshot) is run, untimed, until it has caught up
      (again while it reports work done, at most 30 times), as a running q2 scheduler would have;
      then VACUUM ANALYZE of the whole database, as autovacuum would have done after the sweep and
      the tasks (statistics, and the visibility map that index-only scans need).
      After the top-up, the supervision tables other than the 督办 orders (derived data such as
      that snapshot) are emptied first, so the boards at N do not read figures of N/10.

Writes bench/results.json (sweep_s, sweep_baseline_s, sweep_ratio, overdue_board_p95_ms,
kpi_board_p95_ms, overdue_board_growth, kpi_board_growth, overdue_board_queries,
kpi_board_queries, n_cases, vendor). The generated data stays in var/ or the bench database.
Targets: sweep_ratio ≤ 3; growth ≤ 2; p95 ≤ 500 ms at 1,000,000 on PostgreSQL.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import logging
import math
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench_db import UnfillableColumn, bench_database, bulk_plan, wipe_and_migrate, write_rows  # noqa: E402

bench_database("bench-supervision")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["DEBUG"] = "0"  # time the pages as production renders them (no debug query log)
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()
# A board that is not there yet (404, or a view still being written) is a note, not a traceback.
logging.getLogger("django.request").setLevel(logging.CRITICAL)

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"
RENDERS = 20
SEED = 20261122
TASK_RUNS = 30  # catch-up runs of a scheduled supervision task before the boards

# Share of all cases, by final status (%). Open ones add up to 10.
STATUS_PLAN = [
    ("submitted", 1.5),
    ("accepted", 1.0),
    ("dispatched", 1.5),
    ("handling", 4.0),
    ("reviewing", 1.0),
    ("feedback", 1.0),
    ("closed", 82.0),
    ("rejected", 4.0),
    ("withdrawn", 2.5),
    ("merged", 1.5),
]
OPEN = ["submitted", "accepted", "dispatched", "handling", "reviewing", "feedback"]
#: Where an open, running case's clock stands at ``now``, as the share of its window used.
LEVEL_PLAN = [("none", 60), ("blue", 15), ("yellow", 10), ("red", 15)]
LEVEL_SPAN = {"none": (0.0, 0.5), "blue": (0.5, 0.8), "yellow": (0.8, 1.0), "red": (1.0, 3.0)}
PAUSED_SHARE = 0.02  # of handling cases: 中止 (awaiting an appraisal …); the sweep leaves them
RETURN_SHARE = 0.03  # cases with a 退回 event
RED_HISTORY_SHARE = 0.15  # finished cases that went red on their way
OUTCOMES = [("resolved", 5), ("mediated", 3), ("explained", 2), ("referred", 1), ("unresolvable", 0.5)]
RATINGS = [("satisfied", 75), ("basic", 20), ("unsatisfied", 5)]
DAY = 86_400.0

#: The columns the generator computes, in the order of its rows. Every other column of cases_case
#: is filled from the model's own field defaults (``bench_db.bulk_plan``): a new column with a
#: default needs no change here; one without a default stops the bench, named, before it writes.
CASE_COLUMNS = [
    "id",
    "number",
    "title",
    "description",
    "status",
    "channel",
    "matter_id",
    "region_id",
    "address",
    "people_count",
    "centre_id",
    "lead_unit_id",
    "routing_rule",
    "routing_rule_name",
    "routing_queued",
    "routing_explanation",
    "stage_started_at",
    "stage_due_at",
    "extension_pending",
    "blue_at",
    "yellow_at",
    "warning_level",
    "warning_changed_at",
    "paused_at",
    "pause_reason",
    "result",
    "outcome",
    "result_unit_id",
    "rating",
    "rating_comment",
    "flagged",
    "reject_reason",
    "redirect_to",
    "merged_into_id",
    "created_at",
    "updated_at",
    "closed_at",
]
EVENT_COLUMNS = [
    "case_id", "transition", "from_status", "to_status", "actor_id", "actor_unit_id", "note", "public", "created_at",
    "handling_unit_id", "reply_due_at",
]  # fmt: skip


def _cumulative(table):
    items = [item for item, _w in table]
    acc = list(itertools.accumulate(w for _i, w in table))
    return items, [a / acc[-1] for a in acc]


def _pick(rng_random, items, cum):
    return items[bisect.bisect_left(cum, rng_random())]


# Database ---------------------------------------------------------------------------------------


def analyze(tables: list[str] | None = None) -> None:
    """VACUUM ANALYZE (PostgreSQL) the given tables, or the whole database; SQLite: ANALYZE.

    What autovacuum does to a real database after bulk writes: fresh statistics (the planner
    otherwise guesses, e.g. one region under a path prefix), and a visibility map that lets the
    boards' counts be index-only scans."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if tables is None:
                cursor.execute("VACUUM ANALYZE")
                # Flush what the bulk writes and the vacuum dirtied now, so the timed renders do
                # not race a checkpoint (a steady-state database is not writing gigabytes).
                cursor.execute("CHECKPOINT")
            for table in tables or []:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
        else:
            cursor.execute("ANALYZE")


#: {table: (columns, values of the columns after the generated ones for one row)}, by check_columns().
PLANS: dict[str, tuple[list[str], object]] = {}


def check_columns() -> None:
    """Plan the bulk writes before anything is written: the generated columns plus what the
    models fill by themselves; stop, naming the column, on one the bench cannot fill."""
    from cases.models import Case, CaseEvent

    for model, generated in ((Case, CASE_COLUMNS), (CaseEvent, EVENT_COLUMNS)):
        try:
            columns, fill = bulk_plan(model, generated)
        except UnfillableColumn as exc:
            sys.exit(f"bench: {exc}")
        PLANS[model._meta.db_table] = (columns, fill)
        defaulted = columns[len(generated) :]
        if defaulted:
            print(f"  {model._meta.db_table}: from the model's defaults: {', '.join(defaulted)}", flush=True)


def with_defaults(table: str, rows):
    """``rows`` (generated columns only) extended with the model's defaults; the plan's columns."""
    columns, fill = PLANS[table]
    return columns, (row + fill() for row in rows)


# Generation -------------------------------------------------------------------------------------


class World:
    """The directory as the generator needs it, and the routing decision per kind of claim."""

    def __init__(self, now: datetime):
        from cases.services import _number_prefix
        from demo.cases import CHANNELS, STORIES
        from routing.dispatch import current_index
        from routing.models import MatterType, Region, RoutingRule, Unit
        from routing.roles import DISPATCH_ROLE

        self.now = now
        self.index = current_index()
        self.matters = list(MatterType.objects.exclude(parent=None).filter(active=True).order_by("code"))
        places = list(Region.objects.filter(level__in=["village", "grid"]).order_by("code"))
        self.places = places
        self.gaoming = [r for r in places if r.code.startswith("440608")]
        self.channels, self.channel_cum = _cumulative([(str(c), w) for c, w in CHANNELS])
        self.stories = STORIES
        units = {u.code: u for u in Unit.objects.select_related("region")}
        self.unit_id = {code: u.id for code, u in units.items()}
        self.centre: dict[str, tuple[int, str]] = {}
        for region in places:
            code = self.index.nearest_with_role(region.code, DISPATCH_ROLE)
            self.centre[region.code] = (units[code].id, _number_prefix(units[code]))
        # Claims that decide alike: the party-count thresholds and the channels the rules name.
        self.thresholds = sorted({1, *RoutingRule.objects.values_list("min_parties", flat=True)})
        named = {c for chans in RoutingRule.objects.values_list("channels", flat=True) for c in (chans or [])}
        self.named_channels = named
        self.other_channel = next((c for c in self.channels if c not in named), None)
        self.decisions: dict[tuple, tuple[int | None, str, bool, int | None]] = {}
        self.story_cache: dict[tuple[str, str], list[str]] = {}

    def decide(self, matter, region, people: int, channel: str) -> tuple[int | None, str, bool, int | None]:
        """(lead unit id or None, rule id, queued?, the town 综治中心 for a manual dispatch)."""
        bucket = self.thresholds[bisect.bisect_right(self.thresholds, people) - 1]
        chan = channel if channel in self.named_channels or self.other_channel is None else self.other_channel
        key = (matter.code, region.code, bucket, chan)
        found = self.decisions.get(key)
        if found is None:
            d = self.index.decide(matter=matter.code, region=region.code, parties=bucket, channel=chan)
            town = self.index.nearest_with_role(region.code, "comprehensive_centre")
            town_id = self.unit_id.get(town) if town else None
            lead = None if d.queue else self.unit_id.get(d.lead)
            found = self.decisions[key] = (lead, d.rule or "", bool(d.queue), town_id)
        return found

    def story(self, rng: random.Random, matter, region, people: int) -> str:
        key = (matter.code, region.code)
        texts = self.story_cache.get(key)
        if texts is None:
            options = self.stories.get(matter.code) or [f"反映{matter.name}问题，希望有关部门尽快处理。"]
            texts = self.story_cache[key] = [t.format(place=region.name, n="{n}") for t in options]
        text = rng.choice(texts)
        return text.replace("{n}", str(max(people, 2))) if "{n}" in text else text


def generate(world: World, start_id: int, count: int, rng: random.Random, events_out: list):
    """Yield ``count`` case rows (CASE_COLUMNS order) with ids from ``start_id``; append events."""
    now_ts = world.now.timestamp()
    vendor_pg = connection.vendor == "postgresql"

    if vendor_pg:

        def dt(ts):
            return None if ts is None else datetime.fromtimestamp(ts, UTC)
    else:

        def dt(ts):  # how Django stores an aware datetime in SQLite: naive UTC text
            return None if ts is None else str(datetime.fromtimestamp(ts, UTC).replace(tzinfo=None))

    r = rng.random
    statuses, status_cum = _cumulative(STATUS_PLAN)
    levels, level_cum = _cumulative(LEVEL_PLAN)
    outcomes, outcome_cum = _cumulative(OUTCOMES)
    ratings, rating_cum = _cumulative(RATINGS)
    channels, channel_cum = world.channels, world.channel_cum
    matters, places, gaoming = world.matters, world.places, world.gaoming
    people_choices = [1, 1, 1, 1, 2, 3, 5, 12, 30]
    prepaid_choices = [1, 40, 403]
    work = 7 / 5  # calendar days per working day, near enough for a clock
    review_days = settings.CASE_REVIEW_DAYS * work
    feedback_days = float(settings.CASE_AUTO_CLOSE_DAYS)
    year_ago_2 = 730 * DAY
    results = {
        "resolved": "经协调，涉事方已整改完毕，当事人表示认可。",
        "mediated": "组织双方调解，达成调解协议，对方已支付全部款项。",
        "explained": "已向当事人解释相关政策和办理途径，当事人表示理解。",
        "referred": "该事项需通过诉讼途径解决，已引导当事人向人民法院起诉。",
        "unresolvable": "受客观条件限制暂无法解决，已向当事人说明情况。",
    }
    for case_id in range(start_id, start_id + count):
        status = _pick(r, statuses, status_cum)
        channel = _pick(r, channels, channel_cum)
        region = rng.choice(gaoming) if r() < 0.6 else rng.choice(places)
        matter = rng.choice(matters)
        people = rng.choice(prepaid_choices if matter.code == "consumer.prepaid" else people_choices)
        lead, rule_id, queued, town = world.decide(matter, region, people, channel)
        if queued:  # the centre's manual dispatch queue; the dispatcher sends it to the town
            lead = town
        centre_id, prefix = world.centre[region.code]
        description = world.story(rng, matter, region, people)
        title = f"{matter.name}：{description[:30]}{'…' if len(description) > 30 else ''}"
        lead_unit = result_unit = None
        result = outcome = rating = rating_comment = reject_reason = redirect_to = pause_reason = ""
        started = due = blue = yellow = paused = closed = None
        merged_into = None
        flagged = False
        returned_by = None
        if status in OPEN:
            if status in ("submitted", "accepted"):
                window = matter.accept_days * work
            elif status == "dispatched":
                window = matter.sign_days * work
            elif status == "handling":
                window = matter.handle_days * work
            elif status == "reviewing":
                window = review_days
            else:
                window = feedback_days
            window *= DAY
            level = _pick(r, levels, level_cum)
            low, high = LEVEL_SPAN[level]
            used = low + (high - low) * r()
            started = now_ts - used * window
            due = started + window
            blue, yellow = started + 0.5 * window, started + 0.8 * window
            before = {"submitted": 0, "accepted": 1, "dispatched": 2, "handling": 4, "reviewing": 15, "feedback": 18}
            created = started - before[status] * DAY * r() if status != "submitted" else started
            if status == "handling" and r() < PAUSED_SHARE:
                paused = started + (now_ts - started) * r()
                pause_reason = "等待鉴定结论"
            if status not in ("submitted", "accepted"):
                lead_unit = lead
            if status in ("reviewing", "feedback"):
                outcome = _pick(r, outcomes, outcome_cum)
                result, result_unit = results[outcome], lead
            updated = started
        else:
            if status == "rejected":
                took = DAY * (0.05 + 1.5 * r())
            elif status in ("withdrawn", "merged"):
                took = DAY * (0.2 + 10 * r())
            else:  # closed: a few days to several weeks, a long tail
                took = DAY * min(90.0, 1 + rng.expovariate(1 / 12))
            # Two years of cases, the recent months busier (density falls linearly to a third).
            age = year_ago_2 * ((1 - math.sqrt(r())) if r() < 0.5 else r())
            # The closing time follows the age distribution (not clamped to "just now", which
            # would pile thousands of closings onto today).
            closed = now_ts - max(age, 3600)
            created = closed - took
            started, updated = closed, closed
            if status == "closed":
                if r() < 0.15:  # 即接即办: resolved at the window by the centre
                    outcome, result_unit = "resolved", centre_id
                else:
                    outcome = _pick(r, outcomes, outcome_cum)
                    lead_unit = result_unit = lead
                result = results[outcome]
                if r() < 0.7:
                    rating = _pick(r, ratings, rating_cum)
                    rating_comment = "处理及时，感谢" if rating == "satisfied" else ""
                    flagged = rating == "unsatisfied" and r() < 0.5
            elif status == "rejected":
                reject_reason = "该事项已进入诉讼程序，依法不属于本平台受理范围"
                redirect_to = "请关注人民法院的审理进展"
            elif status == "withdrawn":
                lead_unit = lead if r() < 0.5 else None
            else:
                merged_into = case_id - 1 - int(r() * 500)
                if merged_into < 1:
                    merged_into = None
            if r() < RED_HISTORY_SHARE:
                events_out.append(
                    (case_id, "warning_red", "handling", "handling", None, lead_unit or centre_id,
                     "本环节已超期", False, dt(created + took * (0.5 + 0.5 * r())), lead_unit, None)
                )  # fmt: skip
        if status != "submitted" and lead is not None and r() < RETURN_SHARE:
            returned_by = lead
            when = min(created + DAY * (0.2 + 2 * r()), now_ts - 60)
            events_out.append(
                (case_id, "return_case", "dispatched", "accepted", None, returned_by,
                 "经核实不属于本单位职责范围，请中心重新分派", True, dt(when), None, None)
            )  # fmt: skip
        year = datetime.fromtimestamp(created, UTC).year
        yield (
            case_id, f"{prefix}-{year}-B{case_id:07d}", title, description, status, channel, matter.id, region.id,
            "", people, centre_id, lead_unit, rule_id, "", queued, "[]",
            dt(started), dt(due), False, dt(blue), dt(yellow), "none",
            None, dt(paused), pause_reason, result, outcome, result_unit, rating,
            rating_comment, flagged, reject_reason, redirect_to, merged_into, dt(created), dt(updated),
            dt(closed),
        )  # fmt: skip


def load_cases(world: World, start_id: int, count: int, rng: random.Random, *, similar: bool = False) -> dict:
    """Write ``count`` cases and their events; with ``similar``, index the new cases for the
    similarity engine too (the bulk writes bypass the ``post_save`` that indexes a case)."""
    from cases.models import Case

    started = time.perf_counter()
    events: list = []
    written = write_rows("cases_case", *with_defaults("cases_case", generate(world, start_id, count, rng, events)))
    cases_s = time.perf_counter() - started
    mark = time.perf_counter()
    written_events = write_rows("cases_caseevent", *with_defaults("cases_caseevent", events))
    events_s = time.perf_counter() - mark
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Case]):
                cursor.execute(sql)
    similar_s = None
    if similar:
        from similar.index import index_rebuild

        mark = time.perf_counter()
        index_rebuild(only_missing=True)  # and the term statistics
        similar_s = time.perf_counter() - mark
        print(f"  similarity index: {count:,} cases in {similar_s:.1f}s", flush=True)
    mark = time.perf_counter()
    analyze()  # every table: the directory's too, which the boards join (its statistics matter)
    analyze_s = time.perf_counter() - mark
    return {
        "similar_s": similar_s,
        "cases": written,
        "events": written_events,
        "cases_s": cases_s,
        "events_s": events_s,
        "analyze_s": analyze_s,
    }


# The sweep --------------------------------------------------------------------------------------


def _open_sql() -> str:
    return ", ".join(f"'{s}'" for s in OPEN)


def reset_levels(now: datetime) -> None:
    """Back to "levels not yet computed": every open case none, no change time; the events and
    messages of a sweep at ``now`` deleted."""
    from cases.models import CaseEvent
    from notifications.models import OutboxMessage

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE cases_case SET warning_level = 'none', warning_changed_at = NULL "
            f"WHERE status IN ({_open_sql()}) AND (warning_level <> 'none' OR warning_changed_at IS NOT NULL)"
        )
    CaseEvent.objects.filter(created_at=now, transition__in=["warning_blue", "warning_yellow", "warning_red"]).delete()
    OutboxMessage.objects.filter(created_at=now, kind__startswith="warning_").delete()
    analyze(["cases_case", "cases_caseevent", "notifications_outboxmessage"])


def baseline_statement(now: datetime, *, literal: bool) -> tuple[str, list]:
    where = f"WHERE status IN ({_open_sql()}) AND paused_at IS NULL"
    if literal:
        return f"UPDATE cases_case SET warning_level = warning_level {where}", []
    t = connection.ops.adapt_datetimefield_value(now)
    return (
        "UPDATE cases_case SET warning_level = CASE "
        "WHEN stage_due_at <= %s THEN 'red' WHEN yellow_at <= %s THEN 'yellow' "
        "WHEN blue_at <= %s THEN 'blue' ELSE 'none' END, warning_changed_at = %s " + where,
        [t, t, t, t],
    )


def time_baseline(now: datetime, *, literal: bool) -> tuple[float, int]:
    sql, params = baseline_statement(now, literal=literal)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.rowcount
    return time.perf_counter() - started, rows


def time_sweep(now: datetime):
    from supervision.services import warnings_sweep

    started = time.perf_counter()
    result = warnings_sweep(now=now)
    return time.perf_counter() - started, result


def time_risk_scan(now: datetime):
    """The daily risk scan (研判预警, issue #15) from no warnings: its grouped queries over the
    windows' cases (eight weeks and a week for the surges, thirty days for the rest)."""
    from notifications.models import OutboxMessage
    from supervision.models import RiskWarning
    from supervision.risk.services import risk_scan

    RiskWarning.objects.all().delete()  # those the tasks of the N/10 boards raised
    OutboxMessage.objects.filter(kind="risk_warning").delete()
    started = time.perf_counter()
    result = risk_scan(now=now)
    return time.perf_counter() - started, result


def explain_sweep(now: datetime) -> None:
    """EXPLAIN ANALYZE every statement of one sweep, in order, then roll it all back."""
    from django.test.utils import CaptureQueriesContext

    from supervision.services import warnings_sweep

    reset_levels(now)
    with CaptureQueriesContext(connection) as captured:
        try:
            with transaction.atomic():
                warnings_sweep(now=now)
                raise _Rollback
        except _Rollback:
            pass
    statements = [
        q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    print("\n-- EXPLAIN of the sweep's statements (rolled back) --")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                print(f"\n{sql[:400]}{' …' if len(sql) > 400 else ''}")
                cursor.execute(prefix + sql)
                for row in cursor.fetchall():
                    print("   ", " ".join(str(c) for c in row))
            raise _Rollback
    except _Rollback:
        pass
    reset_levels(now)
    warnings_sweep(now=now)  # leave the levels computed, as after the timed sweep


class _Rollback(Exception):
    pass


def level_counts() -> dict[str, int]:
    from django.db.models import Count

    from cases.models import Case

    rows = (
        Case.objects.filter(status__in=OPEN, paused_at__isnull=True)
        .values("warning_level")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["warning_level"]: row["n"] for row in rows}


# Boards -----------------------------------------------------------------------------------------


def discard_derived_rows() -> None:
    """Empty every supervision table other than the 督办 orders (and their event links) and the
    warning thresholds: what is there is derived from the cases (e.g. a daily KPI snapshot) and,
    after the top-up, describes the N/10 data set. The scheduled tasks then rebuild it, as on a
    database that had held N cases all along."""
    from django.apps import apps

    from supervision.models import SupervisionOrder, SupervisionOrderEvent, WarningThresholds

    kept = {SupervisionOrder, SupervisionOrderEvent, WarningThresholds}  # orders, and configuration
    tables = [m._meta.db_table for m in apps.get_app_config("supervision").get_models() if m not in kept]
    if not tables:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
    print(f"  emptied derived tables: {', '.join(tables)}")


def run_supervision_tasks(notes: list[str]) -> None:
    """Other supervision tasks the q2 scheduler runs (e.g. the KPI snapshot), until they have
    caught up: a task that returns a positive count (work done; it may stop at a time budget and
    go on at its next run) is run again, up to ``TASK_RUNS`` times — the state a scheduler that has
    been running for a while leaves."""
    from importlib import import_module

    from config.schedules import SCHEDULES

    for spec in SCHEDULES:
        if not spec.func.startswith("supervision.") or spec.func.endswith(".warnings_sweep"):
            continue
        module, _dot, name = spec.func.rpartition(".")
        started = time.perf_counter()
        runs = 0
        try:
            task = getattr(import_module(module), name)
            while runs < TASK_RUNS:
                runs += 1
                done = task()
                if not isinstance(done, int) or isinstance(done, bool) or done <= 0:
                    break
        except Exception as exc:  # a board that fails is reported, not fatal
            notes.append(f"task {spec.func} failed: {exc!r}")
        else:
            print(f"  ran {spec.func} ×{runs} in {time.perf_counter() - started:.1f}s", flush=True)


def measure_board(name: str, client, renders: int, notes: list[str]) -> tuple[float | None, int | None]:
    """p95 (ms) over ``renders`` renders and the query count of one render; (None, None) when the
    board does not answer 200 yet."""
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse(f"supervision:{name}")
    try:
        response = client.get(url)  # warm-up
    except Exception as exc:
        notes.append(f"{name} board: {url} raised {exc!r} — reported as null")
        return None, None
    if response.status_code != 200:
        why = "not implemented yet" if response.status_code == 404 else "not available"
        notes.append(f"{name} board: {url} answered HTTP {response.status_code} ({why}) — reported as null")
        return None, None
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured.captured_queries)  # now: the next request clears the connection's log
    timings = []
    for _ in range(renders):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    timings.sort()
    p95 = timings[max(0, math.ceil(0.95 * len(timings)) - 1)]
    return p95, queries


def measure_boards(label: str, renders: int, notes: list[str]) -> dict:
    from django.test import Client

    from accounts.models import User

    run_supervision_tasks(notes)
    started = time.perf_counter()
    analyze()  # the whole database, after the sweep and the tasks wrote to it (as autovacuum would)
    print(f"  vacuum analyze {time.perf_counter() - started:.1f}s", flush=True)
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="fs_supervisor"))
    out = {}
    for name in ("overdue", "kpi"):
        p95, queries = measure_board(name, client, renders, notes)
        out[name] = (p95, queries)
        shown = "n/a (not available)" if p95 is None else f"p95 {p95:7.1f} ms, {queries} queries"
        print(f"  {label}: {name:<7} board {shown}", flush=True)
    return out


# Main -------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, help="cases (default 1,000,000 on PostgreSQL, 100,000 on SQLite)")
    parser.add_argument("--renders", type=int, default=RENDERS, help="timed renders per board (default 20)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN the sweep's statements (also on a miss)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--similar-index",
        action="store_true",
        help="also index the generated cases for the similarity engine (similar.index.index_rebuild), "
        "so the data left behind answers 类案 / duplicate queries; not needed by the boards",
    )
    args = parser.parse_args()
    vendor = connection.vendor
    n = args.n or (1_000_000 if vendor == "postgresql" else 100_000)
    small = max(1, n // 10)
    where = settings.DATABASES["default"]["NAME"]
    print(f"database: {vendor} ({where}); N = {n:,}, N/10 = {small:,}", flush=True)
    check_columns()
    total_started = time.perf_counter()
    wipe_and_migrate()
    # The boards are rendered as production renders them: hashed static names from the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    now = datetime.now(UTC).replace(microsecond=0)
    rng = random.Random(args.seed)
    world = World(now)
    notes: list[str] = []

    # 1. N/10 ---------------------------------------------------------------------------------
    info = load_cases(world, 1, small, rng, similar=args.similar_index)
    print(
        f"generated {info['cases']:,} cases in {info['cases_s']:.1f}s, {info['events']:,} events in "
        f"{info['events_s']:.1f}s, analyze {info['analyze_s']:.1f}s",
        flush=True,
    )
    seconds, _result = time_sweep(now)  # untimed for the results: the small board needs levels
    print(f"  sweep at N/10 (for the boards): {seconds:.2f}s", flush=True)
    boards_small = measure_boards("N/10", args.renders, notes)

    # 2. Top up to N --------------------------------------------------------------------------
    info = load_cases(world, small + 1, n - small, rng, similar=args.similar_index)
    print(
        f"topped up {info['cases']:,} cases in {info['cases_s']:.1f}s, {info['events']:,} events in "
        f"{info['events_s']:.1f}s, analyze {info['analyze_s']:.1f}s",
        flush=True,
    )
    reset_levels(now)
    literal_s, literal_rows = time_baseline(now, literal=True)
    reset_levels(now)
    baseline_s, baseline_rows = time_baseline(now, literal=False)
    reset_levels(now)
    sweep_s, result = time_sweep(now)
    counts = level_counts()
    changed = {str(level): count for level, count in result.changed.items()}
    running = sum(counts.values()) or 1
    print(
        f"  sweep: {sweep_s:.3f}s — changed {changed}, {result.events:,} events, "
        f"{result.notifications:,} messages; baseline {baseline_s:.3f}s ({baseline_rows:,} rows); "
        f"literal no-op UPDATE {literal_s:.3f}s ({literal_rows:,} rows)",
        flush=True,
    )
    print(
        "  levels after the sweep (open, running): "
        + ", ".join(f"{k} {v:,} ({100 * v / running:.0f} %)" for k, v in sorted(counts.items()))
    )
    analyze(["cases_case", "cases_caseevent", "notifications_outboxmessage"])  # as autovacuum would
    # For information: the scheduler's next run, a minute later (a few cases cross a threshold).
    minute_s, minute = time_sweep(now + timedelta(minutes=1))
    print(
        f"  next-minute sweep (not a target): {minute_s:.3f}s — {minute.total} changes, {minute.events} events, "
        f"{minute.notifications} messages",
        flush=True,
    )
    risk_s, risk = time_risk_scan(now)
    print(f"  risk scan: {risk_s:.3f}s — warnings {risk.created}, {risk.notifications} messages", flush=True)
    discard_derived_rows()
    boards_large = measure_boards("N", args.renders, notes)
    ratio = sweep_s / baseline_s if baseline_s > 0 else None

    def growth(name):
        big, little = boards_large[name][0], boards_small[name][0]
        return None if big is None or little is None or little <= 0 else big / little

    results = {
        "sweep_s": round(sweep_s, 4),
        "sweep_baseline_s": round(baseline_s, 4),
        "sweep_ratio": None if ratio is None else round(ratio, 2),
        "overdue_board_p95_ms": _r(boards_large["overdue"][0], 1),
        "kpi_board_p95_ms": _r(boards_large["kpi"][0], 1),
        "overdue_board_growth": _r(growth("overdue"), 2),
        "kpi_board_growth": _r(growth("kpi"), 2),
        "overdue_board_queries": boards_large["overdue"][1],
        "kpi_board_queries": boards_large["kpi"][1],
        "risk_scan_s": round(risk_s, 4),
        "n_cases": n,
        "vendor": vendor,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    extra = {
        "literal_s": literal_s,
        "literal_ratio": sweep_s / literal_s if literal_s > 0 else None,
        "minute_s": minute_s,
    }
    ok = print_table(results, boards_small, vendor, n, extra)
    for note in dict.fromkeys(notes):  # once each, in order
        print(f"note: {note}")
    print(f"wrote {RESULTS.relative_to(ROOT)}; whole run {time.perf_counter() - total_started:.0f}s")
    if args.explain or (ratio is not None and ratio > 3):
        explain_sweep(now)
    return 0 if ok else 1


def _r(value, digits):
    return None if value is None else round(value, digits)


def print_table(results: dict, boards_small: dict, vendor: str, n: int, extra: dict) -> bool:
    big_pg = vendor == "postgresql" and n >= 1_000_000
    rows = [
        ("sweep_s", results["sweep_s"], ""),
        ("sweep_baseline_s", results["sweep_baseline_s"], ""),
        ("sweep_ratio", results["sweep_ratio"], "≤ 3"),
        ("  no-op UPDATE (info)", _r(extra["literal_s"], 4), "brief's literal baseline"),
        ("  ratio to it (info)", _r(extra["literal_ratio"], 2), ""),
        ("  next minute (info)", _r(extra["minute_s"], 4), "the scheduler's next run"),
        ("overdue_board_p95_ms", results["overdue_board_p95_ms"], "≤ 500" if big_pg else "(≤ 500 at 1M on PG)"),
        ("  at N/10", _r(boards_small["overdue"][0], 1), ""),
        ("kpi_board_p95_ms", results["kpi_board_p95_ms"], "≤ 500" if big_pg else "(≤ 500 at 1M on PG)"),
        ("  at N/10", _r(boards_small["kpi"][0], 1), ""),
        ("overdue_board_growth", results["overdue_board_growth"], "≤ 2"),
        ("kpi_board_growth", results["kpi_board_growth"], "≤ 2"),
        ("overdue_board_queries", results["overdue_board_queries"], ""),
        ("  at N/10", boards_small["overdue"][1], ""),
        ("kpi_board_queries", results["kpi_board_queries"], ""),
        ("  at N/10", boards_small["kpi"][1], ""),
        ("risk_scan_s", results["risk_scan_s"], "≤ 10" if big_pg else "(≤ 10 at 1M on PG)"),
        ("n_cases", f"{n:,}", ""),
        ("vendor", vendor, ""),
    ]
    checks = {
        "sweep_ratio": lambda v: v <= 3,
        "overdue_board_growth": lambda v: v <= 2,
        "kpi_board_growth": lambda v: v <= 2,
    }
    if big_pg:
        checks["overdue_board_p95_ms"] = checks["kpi_board_p95_ms"] = lambda v: v <= 500
        checks["risk_scan_s"] = lambda v: v <= 10
    ok = True
    print()
    print(f"{'metric':<24}{'value':>14}  {'target':<22}")
    print("-" * 66)
    for key, value, target in rows:
        verdict = ""
        if key in checks:
            if value is None:
                verdict = "n/a"
            elif checks[key](value):
                verdict = "ok"
            else:
                verdict, ok = "MISSED", False
        shown = "null" if value is None else str(value)
        print(f"{key:<24}{shown:>14}  {target:<22}{verdict}")
    print("-" * 66)
    print("targets met" if ok else "TARGET MISSED")
    return ok


if __name__ == "__main__":
    sys.exit(main())
