"""Which database a bench may wipe (``make bench``, ``make bench-intake``): never the one in
DATABASE_URL; a PostgreSQL database named by BENCH_DATABASE_URL, or else a scratch SQLite file
under var/. Call before ``django.setup()``. And ``bulk_plan``: the columns of a bulk insert that
the model fills by itself (its field defaults), so a new column does not break a bench."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_database(scratch: str, *, relative: bool = False) -> None:
    """Point DATABASE_URL at BENCH_DATABASE_URL, or YIKOUBAN_VAR_DIR at an emptied ``var/<scratch>``
    (given relative to the project root when ``relative``, for processes started from there)."""
    real = os.environ.pop("DATABASE_URL", None)
    bench = os.environ.get("BENCH_DATABASE_URL")
    if bench:
        if not bench.startswith(("postgres://", "postgresql://")):
            sys.exit("BENCH_DATABASE_URL must be a PostgreSQL URL (postgres://…); unset it to use scratch SQLite.")
        if bench == real:
            sys.exit("BENCH_DATABASE_URL is DATABASE_URL: the bench wipes its database; give it a scratch one.")
        os.environ["DATABASE_URL"] = bench
        return
    folder = ROOT / "var" / scratch
    shutil.rmtree(folder, ignore_errors=True)
    os.environ["YIKOUBAN_VAR_DIR"] = str(folder.relative_to(ROOT) if relative else folder)


def wipe_and_migrate() -> None:
    """Empty the bench database, migrate it and load the demo directory and accounts (after
    ``django.setup()``)."""
    from django.core.management import call_command
    from django.db import connection

    from demo.people import load_demo

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            tables = [row[0] for row in cursor.fetchall()]
            if tables:
                cursor.execute("DROP TABLE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " CASCADE")
    call_command("migrate", verbosity=0, interactive=False)
    load_demo()


class UnfillableColumn(Exception):
    """A NOT NULL column the bench neither generates nor can fill from the model (its message names it)."""


def bulk_plan(model, generated: list[str], *, connection=None) -> tuple[list[str], Callable[[], tuple]]:
    """The columns of a bulk ``INSERT``/``COPY`` into ``model``'s table: ``generated`` (the columns
    the bench computes per row, in its rows' order) followed by every other concrete column the
    model fills by itself, and a function giving those columns' values for one row (to append to
    each generated row). What the model fills by itself, the way a ``Model()`` saved with
    ``save()`` would:

    * a ``default`` (the field's own, prepared by the field for the database; a callable default
      of a unique field is called per row, any other once);
    * a ``db_default`` only: the column is left out and the database applies it;
    * a nullable column: NULL; a ``blank=True`` text column: ''; an auto primary key: left out.

    Anything else (NOT NULL, no default, not blank, e.g. a new required foreign key) and any
    ``generated`` column the model no longer has raise ``UnfillableColumn`` naming them, so the bench
    stops before writing instead of failing half-way on a constraint."""
    from enum import Enum

    from django.db import connection as default_connection
    from django.db.models import NOT_PROVIDED

    connection = connection or default_connection
    table = model._meta.db_table
    fields = {f.column: f for f in model._meta.concrete_fields}
    unknown = [c for c in generated if c not in fields]
    if unknown:
        raise UnfillableColumn(
            f"{table}: the bench generates {', '.join(unknown)}, which the model no longer has "
            f"(renamed or removed?): update the bench's column list"
        )

    def prepared(field, value):
        if isinstance(value, Enum):  # TextChoices / IntegerChoices: the plain value, for COPY too
            value = value.value
        return field.get_db_prep_save(value, connection)

    extra: list[str] = []
    constant: list = []
    per_row: list[tuple[int, object]] = []  # (position in extra, field) of defaults called per row
    missing: list[str] = []
    for column, field in fields.items():
        if column in generated:
            continue
        if field.primary_key and field.auto_created:
            continue  # the sequence gives it
        if field.has_default():
            if callable(field.default) and field.unique:
                per_row.append((len(extra), field))
                constant.append(None)
            elif field.unique:
                missing.append(f"{column} (unique, one default for every row)")
                continue
            else:
                constant.append(prepared(field, field.get_default()))
            extra.append(column)
        elif field.db_default is not NOT_PROVIDED:
            continue  # the database fills it
        elif field.null:
            extra.append(column)
            constant.append(None)
        elif field.empty_strings_allowed and field.blank and not field.unique:
            extra.append(column)
            constant.append(prepared(field, ""))
        else:
            missing.append(f"{column} ({type(field).__name__}, NOT NULL, no default)")
    if missing:
        raise UnfillableColumn(
            f"{table}: the bench cannot fill {'; '.join(missing)} — generate it in the bench "
            f"(add it to the bench's column list and its rows) or give the field a default"
        )
    values = tuple(constant)
    if not per_row:
        return [*generated, *extra], lambda: values

    def row_values() -> tuple:
        row = list(values)
        for at, field in per_row:
            row[at] = prepared(field, field.get_default())
        return tuple(row)

    return [*generated, *extra], row_values


def write_rows(table: str, columns: list[str], rows, *, batch: int = 10_000) -> int:
    """Bulk insert of generated rows: COPY on PostgreSQL, ``executemany`` in batches on SQLite."""
    from django.db import connection, transaction

    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    count = 0
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with transaction.atomic(), connection.connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            with cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    with transaction.atomic(), connection.cursor() as cursor:
        pending = []
        for row in rows:
            pending.append(row)
            if len(pending) >= batch:
                cursor.executemany(sql, pending)
                count += len(pending)
                pending.clear()
        if pending:
            cursor.executemany(sql, pending)
            count += len(pending)
    return count
