"""Administrative tree at province scale: import, subtree and ancestor queries.

Builds a province of about 20,000 units (1 province, 16 cities, 105 counties, 1,250 towns,
18,000 villages, a few organs per city and county) through the importer, then compares:

- the importer's bulk path against ``unit_create`` (treebeard ``add_child``) row by row, on one city;
- ``selectors.subtree`` (one prefix scan on the materialised path) against walking
  ``get_children()`` level by level, for a county and for a city;
- ``selectors.ancestors`` (one query on computed paths) against a ``get_parent()`` chain.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from functools import partial
from typing import Any

from django.db import connection

from bench.common import compare, count_queries, figure, format_seconds, median_seconds, timed
from xinfang.core.xlsx import build_xlsx
from xinfang.orgs import selectors
from xinfang.orgs.importer import FIELDS, read_table, rows_from_records, units_import, units_import_file
from xinfang.orgs.models import Unit, UnitKind
from xinfang.orgs.services import unit_create

MAX_PATH = 255
CITIES = 16
COUNTIES = 105
TOWNS = 1250
VILLAGES = 18000
CITY_ORGANS = [("xfj", "信访局", UnitKind.PETITION_OFFICE), ("jw", "纪委监委", UnitKind.DISCIPLINE)]
COUNTY_ORGANS = [
    ("xfj", "信访局", UnitKind.PETITION_OFFICE),
    ("rsj", "人力资源和社会保障局", UnitKind.DEPARTMENT),
    ("zjj", "住房和城乡建设局", UnitKind.DEPARTMENT),
    ("jw", "纪委监委", UnitKind.DISCIPLINE),
    ("zfw", "政法委员会", UnitKind.POLITICAL_LEGAL),
]


def spread(total: int, buckets: int) -> list[int]:
    """``total`` items over ``buckets`` as evenly as possible (the first buckets take the remainder)."""
    base, extra = divmod(total, buckets)
    return [base + (1 if index < extra else 0) for index in range(buckets)]


def province_records(prefix: str, *, cities: int = CITIES) -> list[dict[str, str]]:
    """Rows of a generated province, parents first; fewer ``cities`` shrink every level in proportion."""
    counties_per_city = spread(COUNTIES * cities // CITIES, cities)
    towns_per_county = spread(TOWNS * cities // CITIES, sum(counties_per_city))
    villages_per_town = spread(VILLAGES * cities // CITIES, sum(towns_per_county))
    records = [
        {"code": prefix, "name": f"{prefix}省", "kind": "省", "parent_code": "", "division_code": "990000"}
    ]
    county_index = town_index = 0

    def organs(parent: str, parent_name: str, organs: list[tuple[str, str, UnitKind]]) -> None:
        for suffix, name, kind in organs:
            records.append(
                {
                    "code": f"{parent}-{suffix}",
                    "name": parent_name + name,
                    "kind": kind.value,
                    "parent_code": parent,
                }
            )

    for c, county_count in enumerate(counties_per_city):
        city, city_name = f"{prefix}-{c:02d}", f"{prefix}第{c}市"
        records.append({"code": city, "name": city_name, "kind": "市", "parent_code": prefix})
        organs(city, city_name, CITY_ORGANS)
        for x in range(county_count):
            county, county_name = f"{city}-{x:02d}", f"{city_name}第{x}县"
            records.append({"code": county, "name": county_name, "kind": "县", "parent_code": city})
            organs(county, county_name, COUNTY_ORGANS)
            for z in range(towns_per_county[county_index]):
                town = f"{county}-{z:02d}"
                records.append(
                    {"code": town, "name": f"{county_name}第{z}镇", "kind": "镇", "parent_code": county}
                )
                for v in range(villages_per_town[town_index]):
                    records.append(
                        {
                            "code": f"{town}-{v:02d}",
                            "name": f"第{z}镇第{v}村",
                            "kind": "村",
                            "parent_code": town,
                        }
                    )
                town_index += 1
            county_index += 1
    return records


def xlsx_of(records: list[dict[str, str]]) -> bytes:
    """A workbook as the site's own exports write it (shared strings, like Excel's)."""
    return build_xlsx(
        title="units", headers=FIELDS, rows=([r.get(name, "") for name in FIELDS] for r in records)
    )


def csv_of(records: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FIELDS)
    writer.writerows([r.get(name, "") for name in FIELDS] for r in records)
    return buffer.getvalue().encode()


def naive_subtree_ids(root: Unit) -> list[int]:
    """The baseline: ask each node for its children, level by level, as code without the path would."""
    ids = [root.pk]
    frontier = [root]
    while frontier:
        next_level: list[Unit] = []
        for node in frontier:
            for child in Unit.objects.get_children(node):
                ids.append(child.pk)
                next_level.append(child)
        frontier = next_level
    return ids


def selector_subtree_ids(root: Unit) -> tuple[int, list[int]]:
    qs = selectors.subtree(root)
    return qs.count(), list(qs.values_list("id", flat=True))


def range_subtree_ids(root: Unit) -> tuple[int, list[int]]:
    """The same subtree as a BETWEEN range on path, which SQLite can answer from the path index.

    SQLite's LIKE is case-insensitive, so ``path LIKE 'prefix%'`` (Django's startswith) scans the
    whole index; a range on the same column is an index search. PostgreSQL uses the
    varchar_pattern_ops index for either form.
    """
    upper = root.path + Unit.alphabet[-1] * (MAX_PATH - len(root.path))
    qs = Unit.objects.filter(path__range=(root.path, upper))
    return qs.count(), list(qs.values_list("id", flat=True))


def naive_ancestor_ids(unit: Unit) -> list[int]:
    chain: list[int] = []
    node: Any = unit
    while (node := Unit.objects.get_parent(node, update=True)) is not None:
        chain.append(node.pk)
    return list(reversed(chain))


def selector_ancestor_ids(unit: Unit) -> list[int]:
    return [ancestor.pk for ancestor in selectors.ancestors(unit)]


def village_label(village: Unit) -> str:
    return "".join(unit.name for unit in selectors.ancestors(village, include_self=True))


def compare_import(prefix: str) -> None:
    """One city's rows through the importer vs the same rows through unit_create one by one."""
    bulk_records = province_records(f"{prefix}a", cities=1)
    slow_records = province_records(f"{prefix}b", cities=1)
    bulk_seconds, report = timed(lambda: units_import(rows=rows_from_records(bulk_records)))
    assert getattr(report, "applied", False), report

    def one_by_one() -> None:
        by_code: dict[str, Unit] = {}
        for record in slow_records:  # already parent-first
            by_code[record["code"]] = unit_create(
                name=record["name"],
                kind=_kind(record["kind"]),
                code=record["code"],
                parent=by_code.get(record["parent_code"]),
                division_code=record.get("division_code", ""),
            )

    slow_seconds, _ = timed(one_by_one)
    compare(
        f"import of one generated city ({len(bulk_records):,} units, parents first)",
        measured=bulk_seconds,
        baseline=slow_seconds,
        measured_name="importer (bulk_create, computed paths)",
        baseline_name="unit_create per row (treebeard add_child)",
    )


def _kind(text: str) -> str:
    from xinfang.orgs.importer import parse_kind

    kind = parse_kind(text)
    assert kind is not None, text
    return kind


def run() -> None:
    records = province_records("b")
    random.Random(2026).shuffle(records)  # children before parents, as real exports often are
    kinds = Counter(_kind(record["kind"]) for record in records)
    content = xlsx_of(records)
    figure(
        "generated rows", f"{len(records):,}  " + ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items()))
    )

    seconds, _ = timed(lambda: read_table(filename="province.xlsx", content=content))
    figure("  reading the XLSX alone (openpyxl, read-only mode)", format_seconds(seconds))
    seconds, _ = timed(lambda: read_table(filename="province.csv", content=csv_of(records)))
    figure("  reading the same rows as CSV", format_seconds(seconds))
    seconds, report = timed(lambda: units_import_file(filename="province.xlsx", content=content))
    assert getattr(report, "applied", False), getattr(report, "row_errors", [])[:5]
    figure(f"import {len(records):,} rows from XLSX (read + validate + write)", format_seconds(seconds))
    seconds, report = timed(lambda: units_import_file(filename="province.xlsx", content=content))
    figure("re-import of the same file (all unchanged)", format_seconds(seconds))
    assert getattr(report, "unchanged", 0) == len(records), report
    figure("units in the database", f"{Unit.objects.count():,}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE orgs_unit")  # as autovacuum would shortly after a bulk load

    compare_import("c")

    city = Unit.objects.get(code="b-00")
    county = Unit.objects.get(code="b-00-00")
    village = (
        Unit.objects.filter(path__startswith=county.path, kind=UnitKind.VILLAGE).order_by("-path").first()
    )
    assert village is not None
    for label, root, runs in (("county", county, 15), ("city", city, 5)):
        size, ids = selector_subtree_ids(root)
        assert sorted(ids) == sorted(naive_subtree_ids(root)) and size == len(ids)
        compare(
            f"subtree of a {label} ({root.name}, {size:,} units): count + ids",
            measured=median_seconds(partial(selector_subtree_ids, root), runs=runs),
            baseline=median_seconds(partial(naive_subtree_ids, root), runs=runs),
            measured_name="selectors.subtree (path prefix)",
            baseline_name="get_children() level by level",
            measured_queries=count_queries(partial(selector_subtree_ids, root)),
            baseline_queries=count_queries(partial(naive_subtree_ids, root)),
        )
        assert range_subtree_ids(root) == (size, ids)
        figure(
            "    for comparison: the same as a path BETWEEN range",
            format_seconds(median_seconds(partial(range_subtree_ids, root), runs=runs)),
        )
    assert selector_ancestor_ids(village) == naive_ancestor_ids(village)
    compare(
        f"ancestors of a village ({village_label(village)}, depth {village.depth})",
        measured=median_seconds(lambda: selector_ancestor_ids(village), runs=51),
        baseline=median_seconds(lambda: naive_ancestor_ids(village), runs=51),
        measured_name="selectors.ancestors (paths from the path)",
        baseline_name="get_parent() chain",
        measured_queries=count_queries(lambda: selector_ancestor_ids(village)),
        baseline_queries=count_queries(lambda: naive_ancestor_ids(village)),
    )
