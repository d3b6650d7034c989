"""Assessment at province scale: a city leader's dashboard and a county's league table of its towns.

PostgreSQL only (on SQLite it prints why and stops): the harness gives it a throwaway database
(``BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make bench``), dropped afterwards.

**Data** (generated in the database with ``INSERT … SELECT generate_series`` and ``COPY``; the ORM is
far too slow for this): a province of about 21,000 units (16 cities, 105 counties, 1,250 towns, 18,000
villages, petition offices and departments); 200,000 petitioners; 2,000,000 petitions received evenly
over the last five years, each about a village, registered by its county's petition bureau and handled
by a county department, in the state its own timeline has reached today (registered, forwarded, in
handling, replied, evaluated, under review or closed; a few stuck and overdue); with the clocks the
indicators read (forwarding, notice, handling, evaluation window, review), the evaluations (satisfied,
basically satisfied, dissatisfied), review requests, repeat and bypass flags and supervisions, and the
unit links that jurisdiction reads. Foreign-key checks and secondary indexes are switched off while
loading and rebuilt afterwards, then ``ANALYZE``.

**Measured**, through Django's test ``Client`` (the whole middleware stack) or the service:

1. the leader dashboard of a city (~125,000 petitions, this year), read through the fast path (the
   monthly fact table), against the same page read straight from the records (the indicators'
   QuerySets over the raw tables: the naive query); both pages must show the same figures;
2. the league table of a county's towns: computing a published scheme (on-time completion,
   satisfaction, one-time resolution, timely acceptance, repeat rate, supervision deductions) through
   the fast path against the same computation over the raw tables; both give the same scores;
3. the full build of the fact table and an incremental refresh after 200 petitions changed.

Target: each of 1 and 2 under 300 ms on the fast path. Times are medians after a warm-up (the naive
reads run fewer times: they take seconds).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench.common import ServerClock, figure, format_seconds, heading, median_times, timed

# BENCH_ASSESSMENT_PETITIONS makes a smaller province's petitions (a quick run to find failures); the
# figures reported are those of the full 2,000,000.
PETITIONS = int(os.environ.get("BENCH_ASSESSMENT_PETITIONS", "2000000"))
PETITIONERS = max(1, min(200_000, PETITIONS // 10))
YEARS = 5
CITIES, COUNTIES, TOWNS, VILLAGES = 16, 105, 1250, 18000
TARGET_SECONDS = 0.300
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEP = 4
BIG_TABLES = (
    "petitions_petition",
    "petitions_clock",
    "petitions_petitionunit",
    "petitions_evaluation",
    "petitions_petitioner",
    "petitions_appeal",
    "petitions_supervision",
)


def spread(total: int, buckets: int) -> list[int]:
    base, extra = divmod(total, buckets)
    return [base + (1 if index < extra else 0) for index in range(buckets)]


def step(index: int) -> str:
    digits = ""
    while index:
        index, rest = divmod(index, 36)
        digits = ALPHABET[rest] + digits
    return digits.rjust(STEP, "0")


# --- units -------------------------------------------------------------------------------------------


def _units() -> list[tuple[Any, ...]]:
    """(path, depth, numchild, name, kind, level, division_code, code, function) of the whole province."""
    rows: list[tuple[Any, ...]] = []

    def add(
        path: str, name: str, kind: str, level: int, code: str, function: str = "", children: int = 0
    ) -> None:
        rows.append((path, len(path) // STEP, children, name, kind, level, "", code, function))

    counties = spread(COUNTIES, CITIES)
    towns = spread(TOWNS, COUNTIES)
    villages = spread(VILLAGES, TOWNS)
    province = step(1)
    add(province, "基准省", "province", 1, "bp", children=CITIES)
    county_index = town_index = 0
    for c in range(CITIES):
        city = province + step(c + 1)
        add(city, f"第{c}市", "city", 2, f"bp-{c}", children=1 + counties[c])
        add(city + step(1), f"第{c}市信访局", "petition_office", 2, f"bp-{c}-xfj", "xfj")
        for x in range(counties[c]):
            county = city + step(x + 2)
            n_towns = towns[county_index]
            county_code = f"bp-{c}-{x}"
            add(county, f"第{c}市第{x}县", "county", 3, county_code, children=3 + n_towns)
            for i, (suffix, name, kind) in enumerate(
                (
                    ("xfj", "信访局", "petition_office"),
                    ("rsj", "人社局", "department"),
                    ("jw", "纪委监委", "discipline"),
                )
            ):
                add(county + step(i + 1), f"第{c}市第{x}县{name}", kind, 3, f"{county_code}-{suffix}", suffix)
            for z in range(n_towns):
                town = county + step(z + 4)
                n_villages = villages[town_index]
                town_code = f"{county_code}-{z}"
                add(town, f"{county_code}第{z}镇", "town", 4, town_code, children=1 + n_villages)
                add(
                    town + step(1),
                    f"{county_code}第{z}镇信访办",
                    "petition_office",
                    4,
                    f"{town_code}-xfb",
                    "xfb",
                )
                for v in range(n_villages):
                    add(town + step(v + 2), f"{town_code}第{v}村", "village", 5, f"{town_code}-{v}")
                town_index += 1
            county_index += 1
    return rows


def load_units() -> None:
    rows = _units()
    columns = (
        "path, depth, numchild, name, kind, level, division_code, code, function, is_active, address, phone"
    )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY orgs_unit ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, True, "", ""))
        # Each village with the county organs that register and handle its petitions.
        cursor.execute(
            """
            CREATE UNLOGGED TABLE bench_place AS
            SELECT row_number() OVER (ORDER BY v.path) - 1 AS idx, v.id AS place_id, v.path AS place_path,
                   xfj.id AS xfj_id, xfj.path AS xfj_path, rsj.id AS rsj_id, rsj.path AS rsj_path,
                   county.id AS county_id
            FROM orgs_unit v
            JOIN orgs_unit county ON county.path = substr(v.path, 1, 12)
            JOIN orgs_unit xfj ON xfj.path = county.path || '0001'
            JOIN orgs_unit rsj ON rsj.path = county.path || '0002'
            WHERE v.kind = 'village'
            """
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_place (idx)")


# --- petitions and what the indicators read ---------------------------------------------------------


def _drop_indexes() -> list[str]:
    """Drop the secondary indexes of the big tables (kept: primary keys and unique constraints)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """,
            [list(BIG_TABLES)],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def load_petitions(today: dt.date) -> None:
    start = today - dt.timedelta(days=365 * YEARS)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no FK triggers while loading
        cursor.execute("SELECT setseed(0.2026)")
        cursor.execute(
            """
            INSERT INTO petitions_petitioner (
                kind, name, id_number, id_number_hash, phone, phone_hash, address,
                                              created_at)
            SELECT 'person', '信访人' || g, '', '', '', '', '', now() FROM generate_series(1, %s) g
            """,
            [PETITIONERS],
        )
        cursor.execute("SELECT min(id) FROM petitions_petitioner")
        first_petitioner = cursor.fetchone()[0]
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM petitions_category WHERE parent_id IS NULL")
        categories = cursor.fetchone()[0]
        # The plan of every petition: its place and the day offsets its timeline reached.
        cursor.execute(
            """
            CREATE UNLOGGED TABLE bench_plan AS
            SELECT g, (g::bigint * 7919) %% %(villages)s AS place_idx,
                   (%(start)s::timestamptz
                    + ((g - 1)::bigint * %(span)s::bigint / %(n)s) * interval '1 second'
                    + (random() * 8 + 8) * interval '1 hour') AS received_at,
                   CASE WHEN random() < 0.03 THEN 16 + floor(random() * 10)
                        ELSE floor(random() * 11) END::int AS fwd,
                   (CASE WHEN random() < 0.02 THEN 16 + floor(random() * 5)
                         ELSE floor(random() * 4) END)::int AS acc_gap,
                   (CASE WHEN random() < 0.12 THEN 61 + floor(random() * 30)
                         ELSE 20 + floor(random() * 36) END)::int
                       AS reply_gap,
                   random() < 0.01 AS stuck,
                   random() < 0.70 AS rated,
                   random() AS rating_r,
                   (1 + floor(random() * 13))::int AS eval_gap,
                   (31 + floor(random() * 15))::int AS close_gap,
                   random() < 0.02 AS appeal,
                   random() < 0.85 AS first_time,
                   random() < 0.06 AS repeat,
                   random() AS bypass_r,
                   random() < 0.004 AS supervised,
                   (%(categories)s::bigint[])[1 + floor(random() * %(ncat)s)::int] AS category_id,
                   %(first)s + (g %% %(petitioners)s) AS principal_id
            FROM generate_series(1, %(n)s) g
            """,
            {
                "villages": VILLAGES,
                "start": dt.datetime.combine(start, dt.time(), tzinfo=timezone.get_current_timezone()),
                "span": (365 * YEARS - 1) * 86400,
                "n": PETITIONS,
                "categories": categories,
                "ncat": len(categories),
                "first": first_petitioner,
                "petitioners": PETITIONERS,
            },
        )
        # Days of each step, and the state the timeline has reached today.
        cursor.execute(
            """
            CREATE UNLOGGED TABLE bench_flow AS
            SELECT p.*, bp.place_id, bp.place_path, bp.xfj_id, bp.xfj_path, bp.rsj_id, bp.rsj_path,
                   bp.county_id,
                   d.day AS recv_day, d.day + p.fwd AS fwd_day, d.day + p.fwd + p.acc_gap AS acc_day,
                   d.day + p.fwd + p.acc_gap + p.reply_gap AS reply_day,
                   d.day + p.fwd + p.acc_gap + p.reply_gap + p.eval_gap AS eval_day,
                   d.day + p.fwd + p.acc_gap + p.reply_gap + p.close_gap AS close_day,
                   CASE
                     WHEN %(today)s < d.day + p.fwd THEN 'registered'
                     WHEN %(today)s < d.day + p.fwd + p.acc_gap THEN 'forwarded'
                     WHEN p.stuck OR %(today)s < d.day + p.fwd + p.acc_gap + p.reply_gap THEN 'in_handling'
                     WHEN p.appeal AND %(today)s >= d.day + p.fwd + p.acc_gap + p.reply_gap + 10
                          THEN 'review_requested'
                     WHEN p.rated AND %(today)s >= d.day + p.fwd + p.acc_gap + p.reply_gap + p.eval_gap
                          AND %(today)s < d.day + p.fwd + p.acc_gap + p.reply_gap + p.close_gap
                          THEN 'evaluated'
                     WHEN %(today)s < d.day + p.fwd + p.acc_gap + p.reply_gap + p.close_gap THEN 'replied'
                     ELSE 'closed'
                   END AS state
            FROM bench_plan p
            JOIN bench_place bp ON bp.idx = p.place_idx
            CROSS JOIN LATERAL (SELECT (p.received_at AT TIME ZONE 'Asia/Shanghai')::date AS day) d
            """,
            {"today": today},
        )
        cursor.execute(
            """
            INSERT INTO petitions_petition (
                number, query_code, state, version, channel, petition_type, category_id, subject, request,
                facts,
                place_id, principal_id, people_count, representative_count, is_anonymous, accused_description,
                received_at, registered_at, registering_unit_id, current_unit_id, handling_unit_id,
                accepted_at,
                notice_sent_on, notice_exemption, replied_on, closed_at, diverted_procedure, is_first_time,
                is_repeat, is_bypass, bypass_destination_level, is_collective, is_threat, is_urgent_major,
                is_law_related, is_supervised, created_at, updated_at)
            SELECT 'B' || g, 'Q' || g, state, 1, (ARRAY['visit','letter','online','phone'])[1 + g % 4],
                   'grievance', category_id, '基准事项' || g, '请求处理', '', place_id, principal_id,
                   1, 0, false, '',
                   received_at, received_at, xfj_id,
                   CASE WHEN state = 'registered' THEN xfj_id WHEN state = 'review_requested' THEN county_id
                        ELSE rsj_id END,
                   CASE WHEN state = 'registered' THEN NULL ELSE rsj_id END,
                   CASE WHEN state IN ('registered','forwarded') THEN NULL ELSE acc_day + time '10:00' END,
                   CASE WHEN state IN ('registered','forwarded') THEN NULL ELSE acc_day END, '',
                   CASE WHEN state IN ('registered','forwarded','in_handling') THEN NULL ELSE reply_day END,
                   CASE WHEN state = 'closed' THEN close_day + time '11:00' END, '',
                   first_time, repeat AND g > 1000, bypass_r < 0.015,
                   CASE WHEN bypass_r < 0.005 THEN 1 WHEN bypass_r < 0.015 THEN 2 END,
                   false, false, false, false, supervised, received_at, received_at
            FROM bench_flow
            """
        )
        cursor.execute("SELECT min(id) FROM petitions_petition")
        first_petition = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE petitions_petition SET repeat_of_id = id - 997 WHERE is_repeat AND id - 997 >= %s",
            [first_petition],
        )
        cursor.execute("ALTER TABLE bench_flow ADD COLUMN petition_id bigint")
        # Ids follow no order of the plan: each petition is found by its number.
        cursor.execute(
            "UPDATE bench_flow f SET petition_id = p.id FROM petitions_petition p WHERE p.number = 'B' || f.g"
        )
        _clocks(cursor, today)
        cursor.execute(
            """
            INSERT INTO petitions_evaluation (petition_id, rating, comment, at, via_portal)
            SELECT petition_id,
                   CASE WHEN rating_r < 0.7 THEN 'satisfied' WHEN rating_r < 0.9 THEN 'basically'
                        ELSE 'dissatisfied' END,
                   '', eval_day + time '15:00', true
            FROM bench_flow WHERE rated AND state IN ('evaluated', 'closed') AND NOT appeal
            """
        )
        cursor.execute(
            """
            INSERT INTO petitions_appeal (petition_id, level, requested_on, unit_id, grounds, hearing_days)
            SELECT petition_id, 'review', reply_day + 10, county_id, '不服处理意见', 0
            FROM bench_flow WHERE state = 'review_requested'
            """
        )
        cursor.execute(
            """
            INSERT INTO petitions_supervision (
                petition_id, kind, by_unit_id, to_unit_id, reason, due_on, reply,
                                               created_at)
            SELECT petition_id, CASE WHEN g %% 3 = 0 THEN 'listed' ELSE 'supervise' END, xfj_id, rsj_id,
                   '超期未办结', acc_day + 75, '', acc_day + time '09:00' + interval '61 days'
            FROM bench_flow WHERE supervised AND reply_gap > 60 AND acc_day + 61 <= %s
            """,
            [today],
        )
        cursor.execute(
            """
            INSERT INTO petitions_petitionunit (petition_id, unit_id, unit_path, role, created_at)
            SELECT petition_id, place_id, place_path, 'place', received_at FROM bench_flow
            UNION ALL
            SELECT petition_id, rsj_id, rsj_path, 'forwarded_to', received_at FROM bench_flow
            WHERE state <> 'registered'
            """
        )
        cursor.execute("SET session_replication_role = DEFAULT")


def _clocks(cursor: Any, today: dt.date) -> None:
    """The forwarding, notice, handling, evaluation-window and review clocks, with how each ended."""
    cursor.execute(
        """
        INSERT INTO petitions_clock (petition_id, kind, unit_id, started_on, due_on, status, stopped_at,
                                     extended_days, excluded_days)
        SELECT petition_id, 'forward', xfj_id, recv_day, recv_day + 15,
               CASE WHEN state = 'registered' THEN 'running' WHEN fwd <= 15 THEN 'met' ELSE 'missed' END,
               CASE WHEN state = 'registered' THEN NULL ELSE fwd_day + time '10:00' END, 0, 0
        FROM bench_flow
        UNION ALL
        SELECT petition_id, 'notice', rsj_id, fwd_day, fwd_day + 15,
               CASE WHEN state = 'forwarded' THEN 'running' WHEN acc_gap <= 15 THEN 'met' ELSE 'missed' END,
               CASE WHEN state = 'forwarded' THEN NULL ELSE acc_day + time '10:00' END, 0, 0
        FROM bench_flow WHERE state <> 'registered'
        UNION ALL
        SELECT petition_id, 'handling', rsj_id, acc_day, acc_day + 60,
               CASE WHEN state = 'in_handling' THEN 'running' WHEN reply_gap <= 60 THEN 'met'
                    ELSE 'missed' END,
               CASE WHEN state = 'in_handling' THEN NULL ELSE reply_day + time '10:00' END, 0, 0
        FROM bench_flow WHERE state NOT IN ('registered', 'forwarded')
        UNION ALL
        SELECT petition_id, 'evaluation_window', rsj_id, reply_day, reply_day + 15,
               CASE WHEN appeal AND state = 'review_requested' THEN 'met'
                    WHEN rated AND state IN ('evaluated', 'closed') THEN 'met'
                    WHEN state = 'closed' THEN 'cancelled' ELSE 'running' END,
               CASE WHEN appeal AND state = 'review_requested' THEN reply_day + 10 + time '10:00'
                    WHEN rated AND state IN ('evaluated', 'closed') THEN eval_day + time '15:00'
                    WHEN state = 'closed' THEN close_day + time '11:00' END, 0, 0
        FROM bench_flow WHERE state IN ('replied', 'evaluated', 'closed', 'review_requested')
        UNION ALL
        SELECT petition_id, 'review_decision', county_id, reply_day + 10, reply_day + 40, 'running', NULL,
               0, 0
        FROM bench_flow WHERE state = 'review_requested'
        """
    )


def rebuild_indexes(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for definition in definitions:
            cursor.execute(definition)
        cursor.execute("DROP TABLE bench_plan")
        cursor.execute("ANALYZE")


# --- the people and the scheme -----------------------------------------------------------------------


def people() -> dict[str, Any]:
    from xinfang.accounts.models import Membership, Role, User
    from xinfang.orgs.models import Unit

    city = Unit.objects.get(code="bp-0")
    county = Unit.objects.get(code="bp-0-0")
    leader = User.objects.create(username="bench_city_leader", full_name="市领导")
    Membership.objects.create(user=leader, unit=city, role=Role.LEADER)
    county_leader = User.objects.create(username="bench_county_leader", full_name="县领导")
    Membership.objects.create(user=county_leader, unit=county, role=Role.LEADER)
    return {"city": city, "county": county, "leader": leader, "county_leader": county_leader}


def scheme(county: Any, user: Any, year: int) -> Any:
    from xinfang.assessment import services
    from xinfang.assessment.models import ItemRule, SubjectKind

    items = [
        services.ItemData("on_time", Decimal(30), ItemRule.TARGET, Decimal(95), Decimal(60)),
        services.ItemData("satisfaction", Decimal(25), ItemRule.TARGET, Decimal(90), Decimal(60)),
        services.ItemData("one_time", Decimal(20), ItemRule.TARGET, Decimal(85), Decimal(50)),
        services.ItemData("timely_acceptance", Decimal(15), ItemRule.TARGET, Decimal(95), Decimal(60)),
        services.ItemData("repeat", Decimal(10), ItemRule.TARGET, Decimal(5), Decimal(30)),
        services.ItemData("supervision", Decimal(10), ItemRule.DEDUCT, per_count=Decimal(2)),
    ]
    data = services.SchemeData(
        name=f"{year}年度基层党建工作考核",
        year=year,
        area=county,
        subject_kind=SubjectKind.TOWN,
        total_points=Decimal(100),
        petition_share=Decimal(18),
        items=items,
        red_list_min=Decimal(90),
        black_list_below=Decimal(60),
    )
    created = services.scheme_create(user=user, data=data)
    return services.scheme_publish(scheme_id=created.pk, user=user)


# --- measuring -----------------------------------------------------------------------------------------


BIG = re.compile(r'<p class="dash-big"><a href="[^"]+">([^<]+)</a>')


def dashboard(client: Client) -> str:
    response = client.get("/dashboard/", {"period": "year"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def facts_off(today: dt.date) -> None:
    """Make the fact table hold another day, so that every reader falls back to the records."""
    from xinfang.assessment.models import FactState

    FactState.objects.filter(key="default").update(as_of=today - dt.timedelta(days=1))


def facts_on(today: dt.date) -> None:
    from xinfang.assessment.models import FactState

    FactState.objects.filter(key="default").update(as_of=today)


@dataclass(frozen=True)
class Times:
    """Wall time and server CPU time (``ServerClock``: this process plus its PostgreSQL backend)."""

    wall: float
    cpu: float
    how: str


def once(fn: Callable[[], object]) -> tuple[Times, object]:
    clock = ServerClock()
    cpu, start = clock.now(), time.perf_counter()
    result = fn()
    return Times(time.perf_counter() - start, clock.now() - cpu, "1 run"), result


def repeated(fn: Callable[[], object], *, runs: int, warmup: int) -> Times:
    wall, cpu = median_times(fn, runs=runs, warmup=warmup)
    return Times(wall, cpu, f"median of {runs} after {warmup} warm-up")


def slow_runs(fn: Callable[[], object], runs: int) -> Times:
    """A naive read that takes seconds: ``runs`` runs in all, no warm-up (median)."""
    measured = [once(fn)[0] for _ in range(runs)]
    return Times(
        statistics.median(t.wall for t in measured),
        statistics.median(t.cpu for t in measured),
        f"median of {runs}" if runs > 1 else "1 run",
    )


def both(times: Times) -> str:
    return f"{format_seconds(times.cpu)} server CPU, {format_seconds(times.wall)} wall"


def verdict(seconds: float) -> str:
    return "PASS" if seconds < TARGET_SECONDS else "FAIL"


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} (1 / 5 min) on {os.cpu_count()} CPUs"


@dataclass(frozen=True)
class Result:
    label: str
    fast: Times
    naive: Times | None

    @property
    def ratio(self) -> float | None:
        if self.naive is None:
            return None
        return self.naive.cpu / self.fast.cpu if self.fast.cpu > 0 else float("inf")


def compared(label: str, fast: Times, naive: Times | None, results: list[Result]) -> None:
    """Print the fast path beside the naive baseline (server CPU and wall), the ratio and the verdict."""
    result = Result(label, fast, naive)
    print(f"  {label}")
    print(f"    {'fast path (monthly fact table), ' + fast.how:<58} {both(fast)}")
    if naive is not None:
        print(f"    {'naive: QuerySets over raw tables, ' + naive.how:<58} {both(naive)}")
        print(f"    ratio naive / fast (server CPU) {result.ratio:>26.1f}x")
    print(f"    target < {format_seconds(TARGET_SECONDS)} server CPU: {verdict(fast.cpu)}", flush=True)
    results.append(result)


def run() -> None:
    if connection.vendor != "postgresql":
        print(
            "  skipped: bench_assessment needs PostgreSQL (2 million petitions); run it with\n"
            "  BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench assessment"
        )
        return
    from xinfang.assessment import services
    from xinfang.assessment.facts import facts_refresh
    from xinfang.petitions.models import Petition
    from xinfang.petitions.taxonomy import load_default_taxonomy

    today = timezone.localdate()
    heading("generating the province")
    figure("machine", load())
    seconds, _ = timed(load_units)
    figure("units (COPY)", format_seconds(seconds))
    load_default_taxonomy()
    definitions = _drop_indexes()
    seconds, _ = timed(lambda: load_petitions(today))
    figure(
        f"{PETITIONS:,} petitions with clocks, evaluations, links (INSERT … SELECT)", format_seconds(seconds)
    )
    seconds, _ = timed(lambda: rebuild_indexes(definitions))
    figure("indexes rebuilt and ANALYZE", format_seconds(seconds))
    with connection.cursor() as cursor:
        for table in ("orgs_unit", *BIG_TABLES):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            figure(f"rows in {table}", f"{cursor.fetchone()[0]:,}")
    who = people()

    heading("fact table")
    times, result = once(lambda: facts_refresh(today=today, full=True))
    figure("full build of the fact table", both(times))
    figure("fact rows", f"{result.rows:,}")  # type: ignore[attr-defined]
    # The matters of a busy day: the 200 most recently received ones still in handling.
    recent = Petition.objects.filter(state="in_handling").order_by("-received_at")
    changed = list(recent.values_list("pk", flat=True)[:200])
    Petition.objects.filter(pk__in=changed).update(updated_at=timezone.now())
    times, result = once(lambda: facts_refresh(today=today))
    figure(f"incremental refresh after {len(changed)} petitions changed", both(times))
    cells = f"{result.cells:,} in {result.grains:,} units"  # type: ignore[attr-defined]
    figure("  (unit, month) cells recomputed", cells)
    results: list[Result] = []

    heading(f"dashboard of {who['city'].name} (a city, this year)")
    client = Client()
    client.force_login(who["leader"])
    with transaction.atomic():
        fast_page = dashboard(client)
        fast = repeated(lambda: dashboard(client), runs=7, warmup=1)
        facts_off(today)
        pages: list[str] = []
        naive = slow_runs(lambda: pages.append(dashboard(client)), runs=1)  # seconds to minutes: once
        facts_on(today)
        transaction.set_rollback(True)
    same = BIG.findall(fast_page) == BIG.findall(pages[0])
    figure(
        "headline figures identical on both paths",
        "yes" if same else f"NO {BIG.findall(fast_page)} vs {BIG.findall(pages[0])}",
    )
    compared("leader dashboard of a city (GET /dashboard/?period=year)", fast, naive, results)

    heading(f"league table of the towns of {who['county'].name}")
    published = scheme(who["county"], who["county_leader"], today.year)
    runs: list[Any] = []

    def compute(use_facts: bool) -> None:
        runs.append(
            services.scheme_compute(scheme_id=published.pk, user=None, today=today, use_facts=use_facts)
        )

    fast = repeated(lambda: compute(True), runs=7, warmup=1)
    naive = slow_runs(lambda: compute(False), runs=3)
    by_source = {
        run.source: sorted((s.unit_id, s.petition_score, s.rank) for s in run.scores.all()) for run in runs
    }
    figure("towns ranked", str(runs[-1].scores.count()))
    figure(
        "scores identical on both paths",
        "yes" if by_source.get("facts") == by_source.get("records") else "NO",
    )
    compared("computing the league table (scheme_compute: every town, every item)", fast, naive, results)
    client.force_login(who["county_leader"])
    page = repeated(lambda: client.get(f"/assessment/schemes/{published.pk}/"), runs=7, warmup=1)
    compared("the league table page (reading the computed run)", page, None, results)

    heading(f"summary: target {format_seconds(TARGET_SECONDS)} of server CPU on the fast path")
    if not ServerClock().counts_database:
        print("  (the database backend's CPU time could not be read: server CPU is this process only)")
    print(
        f"  {'measured':<52} {'fast CPU':>10} {'fast wall':>10} {'naive CPU':>10}"
        f" {'naive wall':>10} {'ratio':>8}"
    )
    for r in results:
        naive_cpu = format_seconds(r.naive.cpu) if r.naive else "—"
        naive_wall = format_seconds(r.naive.wall) if r.naive else "—"
        ratio = f"{r.ratio:7.1f}x" if r.ratio is not None else "—"
        busy = "  (wall over: machine busy)" if r.fast.wall >= TARGET_SECONDS > r.fast.cpu else ""
        print(
            f"  {r.label[:52]:<52} {format_seconds(r.fast.cpu):>10} {format_seconds(r.fast.wall):>10}"
            f" {naive_cpu:>10} {naive_wall:>10} {ratio:>8}  {verdict(r.fast.cpu)}{busy}"
        )
    figure("machine", load())
    figure("date", timezone.localtime().strftime("%Y-%m-%d %H:%M %Z"))
