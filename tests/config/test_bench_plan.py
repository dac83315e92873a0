"""The benches' bulk writes (scripts/bench_db.py ``bulk_plan``): every column the bench does not
generate is filled from the model's own defaults, and one it cannot fill stops it, named."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import NOT_PROVIDED

from cases.models import Case, CaseEvent

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_db.py"
_spec = importlib.util.spec_from_file_location("bench_db_under_test", SCRIPT)
bench_db = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_db)

#: What a bench must generate for a case: the NOT NULL columns without a default.
REQUIRED = [
    "id", "number", "title", "description", "channel", "matter_id", "region_id", "centre_id", "created_at",
    "updated_at",
]  # fmt: skip


def test_the_columns_a_bench_does_not_generate_come_from_the_model_defaults():
    columns, fill = bench_db.bulk_plan(Case, REQUIRED)
    assert columns[: len(REQUIRED)] == REQUIRED
    values = dict(zip(columns[len(REQUIRED) :], fill(), strict=True))
    assert values["status"] == "submitted"
    assert values["repeat_count"] == 1  # issue #13
    assert values["severity"] == "general"  # issue #15
    assert values["lead_unit_id"] is None  # nullable
    assert values["address"] == ""  # blank text
    every = {f.column for f in Case._meta.concrete_fields}
    # All of them, or left to the database's own default.
    left_to_db = every - set(columns)
    assert all(Case._meta.get_field(_name(c)).db_default is not NOT_PROVIDED for c in left_to_db)


def _name(column: str) -> str:
    return next(f.name for f in Case._meta.concrete_fields if f.column == column)


def test_a_column_it_cannot_fill_stops_the_bench_and_is_named():
    generated = [c for c in REQUIRED if c != "matter_id"]
    with pytest.raises(bench_db.UnfillableColumn, match=r"cases_case: the bench cannot fill matter_id \(ForeignKey"):
        bench_db.bulk_plan(Case, generated)
    with pytest.raises(bench_db.UnfillableColumn, match=r"case_id .*transition"):
        bench_db.bulk_plan(CaseEvent, ["created_at", "to_status"])


def test_a_generated_column_the_model_no_longer_has_is_named():
    with pytest.raises(bench_db.UnfillableColumn, match="warning_colour, which the model no longer has"):
        bench_db.bulk_plan(Case, [*REQUIRED, "warning_colour"])


def test_a_row_written_with_the_plan_reads_back_as_a_case(demo):
    from routing.models import MatterType, Region, Unit

    matter = MatterType.objects.exclude(parent=None).filter(active=True).order_by("code").first()
    region = Region.objects.filter(level="village").order_by("code").first()
    centre = Unit.objects.order_by("code").first()
    now = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    stamp = connection.ops.adapt_datetimefield_value(now)
    generated = (
        900_001, "BENCH-0001", "工资拖欠", "工地拖欠工资三个月。", "web", matter.id, region.id, centre.id, stamp, stamp,
    )  # fmt: skip
    columns, fill = bench_db.bulk_plan(Case, REQUIRED)
    quote = connection.ops.quote_name
    sql = f"INSERT INTO cases_case ({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [generated + fill()])
    case = Case.objects.get(number="BENCH-0001")
    assert (case.status, case.repeat_count, case.severity, case.severity_reasons) == ("submitted", 1, "general", [])
    assert case.created_at == now
