"""Plumbing shared by the benchmarks: a throwaway database, Django setup, timing and printing.

A benchmark must never touch the developer's ``var/xinfang.sqlite3`` nor a configured
``DATABASE_URL``: every run gets a fresh database that is dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SETTINGS_MODULE = "config.settings"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEVELOPER_DATABASE = REPO_ROOT / "var" / "xinfang.sqlite3"


@contextmanager
def _throwaway_url() -> Iterator[str]:
    """Yield the URL of a new empty database and remove that database afterwards."""
    server_url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if not server_url:
        directory = tempfile.mkdtemp(prefix="xinfang-bench-")
        try:
            yield f"sqlite:///{directory}/bench.sqlite3"
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return

    import psycopg
    from psycopg import sql

    name = f"xinfang_bench_{os.getpid()}_{secrets.token_hex(3)}"
    parts = urlsplit(server_url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit("BENCH_DATABASE_URL must be a postgres:// URL")
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _point_django_at(url: str) -> None:
    """Configure Django for ``url``: before setup through DATABASE_URL, afterwards by swapping NAME."""
    import dj_database_url
    import django
    from django.apps import apps

    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    if not apps.ready:
        os.environ["DATABASE_URL"] = url
        django.setup()
    else:
        from django.conf import settings
        from django.db import connections

        wanted = dj_database_url.parse(url)
        current = settings.DATABASES["default"]
        if wanted["ENGINE"] != current["ENGINE"]:
            raise RuntimeError("cannot switch database engines inside one benchmark process")
        connections["default"].close()
        for key in ("NAME", "HOST", "PORT", "USER", "PASSWORD"):
            if key in wanted:
                current[key] = wanted[key]
                connections["default"].settings_dict[key] = wanted[key]

    from django.conf import settings
    from django.db import connections

    # Query logging under DEBUG would distort timings and grow without bound.
    settings.DEBUG = False
    name = str(connections["default"].settings_dict["NAME"])
    expected = str(dj_database_url.parse(url)["NAME"])
    if name != expected or Path(name).resolve() == DEVELOPER_DATABASE.resolve():
        raise RuntimeError(f"refusing to benchmark against {name}")


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Set Django up on a fresh, migrated database; yield a description; drop it afterwards."""
    previous = os.environ.get("DATABASE_URL")
    with _throwaway_url() as url:
        try:
            _point_django_at(url)
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)
            yield database_description()
        finally:
            from django.db import connections

            connections.close_all()
            if previous is None:
                os.environ.pop("DATABASE_URL", None)
            else:
                os.environ["DATABASE_URL"] = previous


def database_description() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    version = row[0] if row else "?"
    return f"PostgreSQL {version} (database {connection.settings_dict['NAME']})"


# Measuring ----------------------------------------------------------------------------------------


class ServerClock:
    """CPU seconds spent serving: this process, plus the PostgreSQL backend that answers its queries.

    On a shared machine wall time also counts the time a process waited for a free CPU (on 2 cores with
    a load average of 5 it roughly doubles); CPU time does not. The backend is local, so its CPU time is
    read from ``/proc/<pid>/schedstat`` (nanoseconds on CPU); SQLite runs inside this process. Parallel
    query workers of PostgreSQL are not counted (the plans measured here do not use them).
    """

    def __init__(self) -> None:
        from django.db import connection

        self._backend: Path | None = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                path = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")
            self._backend = path if path.exists() else None

    @property
    def counts_database(self) -> bool:
        from django.db import connection

        return connection.vendor == "sqlite" or self._backend is not None

    def now(self) -> float:
        seconds = time.process_time()
        if self._backend is not None:
            seconds += int(self._backend.read_text().split()[0]) / 1e9
        return seconds


def median_times(fn: Callable[[], object], *, runs: int = 7, warmup: int = 1) -> tuple[float, float]:
    """Median wall time and median server CPU time (``ServerClock``) of ``runs`` calls after ``warmup``."""
    for _ in range(warmup):
        fn()
    clock = ServerClock()
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = clock.now(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(clock.now() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def median_seconds(fn: Callable[[], object], *, runs: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``runs`` calls after ``warmup`` untimed ones (caches and plans warm)."""
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def count_queries(fn: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def format_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds * 1_000_000:.0f} µs"


def heading(text: str) -> None:
    print(f"\n== {text}", flush=True)


def figure(label: str, value: str) -> None:
    print(f"  {label:<58} {value}", flush=True)


def compare(
    label: str,
    *,
    measured: float,
    baseline: float,
    measured_name: str,
    baseline_name: str,
    measured_queries: int | None = None,
    baseline_queries: int | None = None,
) -> float:
    """Print a measured time beside its baseline and the ratio baseline/measured; return the ratio."""
    ratio = baseline / measured if measured > 0 else float("inf")

    def queries(count: int | None) -> str:
        return f" ({count} queries)" if count is not None else ""

    print(f"  {label}", flush=True)
    print(f"    {measured_name:<44} {format_seconds(measured):>10}{queries(measured_queries)}")
    print(f"    {baseline_name:<44} {format_seconds(baseline):>10}{queries(baseline_queries)}")
    print(f"    ratio baseline / measured {ratio:>30.1f}x", flush=True)
    return ratio
