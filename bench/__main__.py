"""``python -m bench [name ...]``: run each (or the named) ``bench_<name>.run()`` on a fresh database."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

from bench.common import format_seconds, heading, throwaway_database

PREFIX = "bench_"


def discover() -> list[str]:
    """Benchmark names found beside this file, without importing them (Django is not set up yet)."""
    found = pkgutil.iter_modules([str(Path(__file__).resolve().parent)])
    return sorted(info.name.removeprefix(PREFIX) for info in found if info.name.startswith(PREFIX))


def main(argv: list[str]) -> int:
    available = discover()
    if any(arg in {"-h", "--help"} for arg in argv):
        print(f"usage: python -m bench [{' | '.join(available)} ...]")
        print("Set BENCH_DATABASE_URL=postgres://user@host:port/maintenance_db to run on PostgreSQL.")
        return 0
    names = argv or available
    unknown = [name for name in names if name not in available]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr
        )
        return 2
    for name in names:
        with throwaway_database() as database:
            heading(f"benchmark {name} on {database}")
            module = importlib.import_module(f"bench.{PREFIX}{name}")
            start = time.perf_counter()
            module.run()
            print(f"  (benchmark {name} took {format_seconds(time.perf_counter() - start)})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
