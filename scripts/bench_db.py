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
