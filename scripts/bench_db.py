"""Which database a bench may wipe (``make bench``, ``make bench-intake``): never the one in
DATABASE_URL; a PostgreSQL database named by BENCH_DATABASE_URL, or else a scratch SQLite file
under var/. Call before ``django.setup()``."""

from __future__ import annotations

import os
import shutil
import sys
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
