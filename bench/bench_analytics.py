"""Text intelligence on the shared evaluation data (../shared/data/tipdm2020c): routing, near-duplicates,
index lookup at a million petitions, common-issue groups. Every figure is measured in this run, each
beside a baseline measured in the same run.

1. Routing (7 level-1 classes, ``messages_labeled.csv``, 3,088 rows): stratified 5-fold cross-validation
   with near-duplicate groups kept within one fold (``StratifiedGroupKFold``; groups are the connected
   components of pairs with character 5-gram Jaccard >= 0.8, the data README's definition). The app's
   model (``xinfang.analytics.router``: char 1-2-gram + jieba word TF-IDF, balanced linear SVM, Platt
   calibration) against a plain TF-IDF (jieba words) + ``LinearSVC()`` baseline, on the same folds:
   macro-F1, accuracy, per-class F1; then the prediction time per message.

2. Near-duplicates on 200 pairs of ``messages_hot.csv`` labelled by hand (``bench/data/hot_pairs.csv``,
   message ids and labels only; how they were drawn and judged is in bench/README.md). The app's method
   (MinHash LSH band keys, then the exact 3-gram Jaccard >= ``NEAR_DUPLICATE`` on the stored 3-gram sets)
   against the exhaustive
   character 5-gram Jaccard >= 0.8 baseline: precision and recall on the labelled pairs.

3. Lookup against an index of ``INDEX_SIZE`` petitions synthesised from the real texts (sentences of
   random real messages recombined, coded places and numbers changed), bulk-loaded as an import would
   (stages timed: texts, petitions, fingerprints, index rows, indexes built after). Lookup =
   ``selectors.index_matches``: one indexed query returns the candidates sharing band keys (most shared
   first, sizes that cannot reach the threshold skipped) with their stored 3-gram sets, re-scored exactly
   in numpy. For variants of indexed petitions and for unseen texts: p50/p95/p99 in wall and in CPU time
   (``ServerClock``; target p95 < 20 ms) and the load average. Baselines in the same run: the previous
   lookup (top 50 by shared keys, texts fetched and re-tokenised) on the same queries, and a naive scan
   (precise Jaccard against every text) of a ``NAIVE_SAMPLE`` sample, scaled to the full index.

4. Common-issue groups in ``messages_hot.csv`` (``xinfang.analytics.issues``): the top groups with their
   sizes, people (distinct users), likes and key terms (message ids and terms only, no text).

Set ``BENCH_ANALYTICS_INDEX`` to change the index size (e.g. 100000 for a quick run), and
``BENCH_ANALYTICS_PARTS`` to run some parts only (e.g. ``pairs,issues``; all: routing,pairs,issues,index).
"""

from __future__ import annotations

import csv
import datetime as dt
import multiprocessing
import os
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from bench.common import REPO_ROOT, ServerClock, compare, figure, format_seconds, heading, timed
from xinfang.accounts.demo import build_demo_users
from xinfang.analytics import fingerprints, issues, router, selectors
from xinfang.analytics.models import TextBand
from xinfang.analytics.text import normalize, shingles, similarity, tokenize
from xinfang.orgs.demo import build_demo_tree
from xinfang.orgs.models import Unit
from xinfang.petitions.models import Petition, Petitioner

DATA = REPO_ROOT.parent / "shared" / "data" / "tipdm2020c"
PAIRS = Path(__file__).resolve().parent / "data" / "hot_pairs.csv"
INDEX_SIZE = int(os.environ.get("BENCH_ANALYTICS_INDEX", "1000000"))
NAIVE_SAMPLE = 20_000
QUERIES = 500
NAIVE_QUERIES = 20
TARGET_P95 = 0.020
SEED = 2020
BATCH = 5000
LOAD_WORKERS = int(os.environ.get("BENCH_ANALYTICS_WORKERS", "2"))  # processes generating rows while loading


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- 1. routing ---------------------------------------------------------------------------------------


def near_duplicate_groups(texts: list[str]) -> np.ndarray:
    """Connected components of pairs with character 5-gram Jaccard >= 0.8 (exhaustive, sparse)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import CountVectorizer

    grams = CountVectorizer(analyzer="char", ngram_range=(5, 5), preprocessor=normalize, binary=True)
    matrix = grams.fit_transform(texts)
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    inter = (matrix @ matrix.T).tocoo()
    rows, cols = [], []
    for i, j, v in zip(inter.row, inter.col, inter.data, strict=True):
        if i < j and v / (sizes[i] + sizes[j] - v) >= 0.8:
            rows.append(i)
            cols.append(j)
    graph = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(texts)))
    count, labels = connected_components(graph, directed=False)
    figure(
        "near-duplicate pairs (5-gram Jaccard >= 0.8)", f"{len(rows)} pairs, {len(texts) - count} merged rows"
    )
    return labels


def baseline_model():  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    words = TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False)
    return Pipeline([("tfidf", words), ("svm", LinearSVC())])


def routing() -> None:
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedGroupKFold

    heading("1. routing: stratified 5-fold CV, near-duplicate groups within a fold (messages_labeled.csv)")
    rows = read("messages_labeled.csv")
    texts = [r["subject"] + r["body"] for r in rows]
    truth = np.array([r["category"] for r in rows])
    seconds, _ = timed(lambda: [tokenize(t) for t in texts])
    figure(
        "rows", f"{len(rows):,} in {len(set(truth))} classes; jieba on all texts {format_seconds(seconds)}"
    )
    groups = near_duplicate_groups(texts)
    folds = list(StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=0).split(texts, truth, groups))
    ours = np.empty(len(rows), dtype=object)
    base = np.empty(len(rows), dtype=object)
    fit_ours = fit_base = 0.0
    for train, test in folds:
        start = time.perf_counter()
        model, _labels, _dropped = router.fit([router.Example(texts[i], truth[i]) for i in train])
        fit_ours += time.perf_counter() - start
        ours[test] = [p.best.level1 for p in router.predict(model, [texts[i] for i in test])]
        start = time.perf_counter()
        plain = baseline_model().fit([texts[i] for i in train], truth[train])
        fit_base += time.perf_counter() - start
        base[test] = plain.predict([texts[i] for i in test])
    classes = sorted(set(truth))
    scores = {}
    for name, predicted in (("app", ours.astype(str)), ("baseline", base.astype(str))):
        scores[name] = (
            f1_score(truth, predicted, average="macro"),
            accuracy_score(truth, predicted),
            f1_score(truth, predicted, labels=classes, average=None),
        )
    for name, label, seconds in (
        ("app", "app model (char 1-2 + words, balanced SVM, calibrated)", fit_ours),
        ("baseline", "baseline (TF-IDF words + LinearSVC)", fit_base),
    ):
        f1, accuracy, _per_class = scores[name]
        figure(label, f"macro-F1 {f1:.4f}  accuracy {accuracy:.4f}  (5 fits {format_seconds(seconds)})")
    app, base_scores = scores["app"], scores["baseline"]
    gain = f"macro-F1 {app[0] - base_scores[0]:+.4f}, accuracy {app[1] - base_scores[1]:+.4f}"
    figure("difference app - baseline", gain)
    figure("target macro-F1 > 0.93", "PASS" if scores["app"][0] > 0.93 else "not reached")
    print(f"    {'class':<16} {'rows':>5} {'app F1':>8} {'baseline F1':>12}")
    counts = Counter(truth)
    for index, label in enumerate(classes):
        print(f"    {label:<14} {counts[label]:>5} {app[2][index]:>8.4f} {base_scores[2][index]:>12.4f}")

    model, _labels, _dropped = router.fit([router.Example(t, c) for t, c in zip(texts, truth, strict=True)])
    plain = baseline_model().fit(texts, truth)
    sample = random.Random(SEED).sample(texts, 300)
    router.predict(model, sample[:5])
    per_app = [timed(lambda t=t: router.predict(model, [t]))[0] for t in sample]
    per_base = [timed(lambda t=t: plain.predict([t]))[0] for t in sample]
    compare(
        "prediction time per message (one message per call, median of 300)",
        measured=statistics.median(per_app),
        baseline=statistics.median(per_base),
        measured_name="app model (with probabilities)",
        baseline_name="baseline LinearSVC (label only)",
    )
    batch, _ = timed(lambda: router.predict(model, texts))
    figure(
        "app model, all 3,088 in one call",
        f"{format_seconds(batch)} ({format_seconds(batch / len(texts))} a message)",
    )


# --- 2. near-duplicates on labelled pairs ----------------------------------------------------------


def near_duplicate_pairs() -> None:
    heading("2. near-duplicates: 200 hand-labelled pairs of messages_hot.csv (bench/data/hot_pairs.csv)")
    rows = {r["message_id"]: r for r in read("messages_hot.csv")}
    with PAIRS.open(encoding="utf-8", newline="") as handle:
        labelled = list(csv.DictReader(handle))
    text = {key: r["subject"] + r["body"] for key, r in rows.items()}
    keys = {key: set(fingerprints.text_keys(t)) for key, t in text.items()}
    # What the index stores and re-scores: the exact 3-gram sets as sorted codes.
    codes = {key: fingerprints.gram_codes(t) for key, t in text.items()}

    def stored(r: dict[str, str]) -> float:
        return fingerprints.jaccard(codes[r["message_id_a"]], codes[r["message_id_b"]])

    five = {key: shingles(t, 5) for key, t in text.items()}
    truth = [row["same_matter"] == "1" for row in labelled]
    figure("labelled pairs", f"{len(labelled)} ({sum(truth)} same matter, {len(truth) - sum(truth)} not)")

    def report(name: str, predicted: list[bool]) -> None:
        hits = sum(p and t for p, t in zip(predicted, truth, strict=True))
        precision = hits / max(1, sum(predicted))
        recall = hits / max(1, sum(truth))
        figure(name, f"precision {precision:.3f}  recall {recall:.3f}  ({sum(predicted)} predicted)")

    def jaccard5(a: str, b: str) -> float:
        left, right = five[a], five[b]
        return len(left & right) / max(1, len(left | right))

    report(
        "baseline: exhaustive 5-gram Jaccard >= 0.8",
        [jaccard5(r["message_id_a"], r["message_id_b"]) >= 0.8 for r in labelled],
    )
    equal = sum(stored(r) == similarity(text[r["message_id_a"]], text[r["message_id_b"]]) for r in labelled)
    figure("stored 3-gram set score == text similarity", f"{equal} of {len(labelled)} pairs")
    for threshold in sorted({0.3, 0.4, 0.5, selectors.NEAR_DUPLICATE}):
        lsh = [
            bool(keys[r["message_id_a"]] & keys[r["message_id_b"]]) and stored(r) >= threshold
            for r in labelled
        ]
        exact = [similarity(text[r["message_id_a"]], text[r["message_id_b"]]) >= threshold for r in labelled]
        mark = " (the app's threshold)" if threshold == selectors.NEAR_DUPLICATE else ""
        report(f"app: LSH candidates + 3-gram Jaccard >= {threshold}{mark}", lsh)
        report(f"  same score, exhaustive (no LSH) >= {threshold}", exact)
    collide = sum(
        bool(keys[r["message_id_a"]] & keys[r["message_id_b"]]) for r in labelled if r["same_matter"] == "1"
    )
    figure("labelled 'same matter' pairs sharing a band key", f"{collide} of {sum(truth)}")


# --- 3. lookup at a million -------------------------------------------------------------------------

CODED = re.compile(r"[A-Z]\d{0,2}[市县区]")
SENTENCE = re.compile(r"(?<=[。！？；])")


def sentence_pool() -> list[str]:
    pool: list[str] = []
    for name in ("messages_hot.csv", "messages_replies.csv", "messages_labeled.csv"):
        for row in read(name):
            pool.extend(s for s in SENTENCE.split(row.get("body", "")) if len(s) >= 8)
    return pool


def synthesise(rng: random.Random, pool: list[str]) -> tuple[str, str]:
    """A new petition text: 2-5 sentences of random real messages, places and numbers changed."""
    body = "".join(rng.choice(pool) for _ in range(rng.randint(2, 5)))
    body = CODED.sub(lambda m: f"{rng.choice('ABCDEFGHJK')}{rng.randint(1, 9)}{m.group(0)[-1]}", body)
    body = re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), body)
    return body[:18], body


def mutate(rng: random.Random, text: str) -> str:
    """A re-sent letter: a few characters changed, a phrase added."""
    chars = list(text)
    for _ in range(max(1, len(chars) // 40)):
        chars[rng.randrange(len(chars))] = rng.choice("的了在是和有我们请求尽快")
    return "".join(chars) + rng.choice(["", "至今仍未解决。", "请领导重视！"])


def _sqlite_pragmas(cursor: Any, *, bulk: bool) -> None:
    """The throwaway bench database only: no journal, no fsync, a large cache while loading; the app's own
    settings (WAL, synchronous=NORMAL, the default cache) again for the lookups."""
    if bulk:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-400000", "temp_store=MEMORY"):
            cursor.execute(f"PRAGMA {pragma}")
    else:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-2000", "temp_store=DEFAULT"):
            cursor.execute(f"PRAGMA {pragma}")


def _secondary_indexes(cursor: Any, tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes of ``tables`` that back no constraint, to drop and rebuild."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [tables],
        )
    else:
        marks = ", ".join(["%s"] * len(tables))
        cursor.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
            f"AND tbl_name IN ({marks})",
            tables,
        )
    return [(name, sql) for name, sql in cursor.fetchall()]


def _write_rows(cursor: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Many rows at once: COPY on PostgreSQL, one prepared INSERT run by executemany on SQLite."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


@dataclass
class LoadPlan:
    """What the worker processes of the load need (inherited through fork)."""

    pool: list[str]
    columns: list[str]
    template: list[Any]
    varying: dict[str, int]  # column -> position in ``template``
    first_id: int
    now: dt.datetime


_PLAN: LoadPlan | None = None


def _petition_template(
    place: Unit, desk: Unit, person: Petitioner, now: dt.datetime
) -> tuple[list[str], list[Any]]:
    """The columns and database values of a generated petition, from the model itself (defaults included)."""
    model = Petition(
        number="B",
        query_code="Q",
        state="closed",
        channel="online",
        subject="",
        request="",
        place=place,
        principal=person,
        registering_unit=desk,
        current_unit=desk,
        received_at=now,
    )
    fields = Petition._meta.concrete_fields
    values = [field.get_db_prep_save(field.pre_save(model, add=True), connection) for field in fields]
    return [field.column for field in fields], values


def _load_batch(offset: int) -> dict[str, Any]:
    """One batch of generated rows (run in a worker): petitions, index entries and band keys, with ids."""
    plan = _PLAN
    assert plan is not None
    cpu = time.process_time()
    rng = random.Random(SEED * 1_000_003 + offset)
    size = min(BATCH, INDEX_SIZE - offset)
    texts = [synthesise(rng, plan.pool) for _ in range(size)]
    ids = range(plan.first_id + offset, plan.first_id + offset + size)
    petitions = []
    at = plan.varying
    for i, (pk, (subject, body)) in enumerate(zip(ids, texts, strict=True)):
        row = list(plan.template)
        row[at["id"]] = pk
        row[at["number"]] = f"B-{offset + i:07d}"
        row[at["query_code"]] = f"Q{offset + i:09d}"
        row[at["subject"]] = subject
        row[at["request"]] = body
        row[at["received_at"]] = connection.ops.adapt_datetimefield_value(
            plan.now - dt.timedelta(minutes=offset + i)
        )
        petitions.append(tuple(row))
    text_seconds = time.process_time() - cpu
    prints = fingerprints.many_fingerprints(f"{subject} {body} " for subject, body in texts)  # petition_text
    stamp = connection.ops.adapt_datetimefield_value(plan.now)
    entries = [(pk, f.digest, f.size, f.packed, stamp) for pk, f in zip(ids, prints, strict=True)]
    bands = [(key, pk) for pk, f in zip(ids, prints, strict=True) for key in set(f.keys)]
    return {
        "petitions": petitions,
        "entries": entries,
        "bands": bands,
        "kept": [f"{s} {b} " for s, b in texts[:: max(1, INDEX_SIZE // NAIVE_SAMPLE)]],
        "texts cpu": text_seconds,
        "fingerprints cpu": time.process_time() - cpu - text_seconds,
    }


def load_index(pool: list[str]) -> tuple[list[str], dict[str, float]]:
    """INDEX_SIZE petitions, their index entries (3-gram sets) and band keys, bulk-written the way an
    import would: secondary indexes dropped and built after the load; rows generated and fingerprinted
    (``fingerprints.many_fingerprints``) in ``LOAD_WORKERS`` worker processes while this one writes;
    COPY on PostgreSQL, one prepared executemany a table and batch on SQLite (journal and fsync off for
    this throwaway file). Returns a sample of the texts and the seconds of each stage."""
    global _PLAN
    build_demo_tree()
    build_demo_users()
    place = Unit.objects.get(code="ah-la-ja-wc-npy")
    desk = Unit.objects.get(code="ah-la-ja-xfj")
    person = Petitioner.objects.create(name="基准测试")
    now = timezone.now()
    columns, template = _petition_template(place, desk, person, now)
    first_id = (Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    varying = {name: columns.index(name) for name in ("id", "number", "query_code", "subject", "request")}
    varying["received_at"] = columns.index("received_at")
    _PLAN = LoadPlan(pool, columns, template, varying, first_id, now)
    kept: list[str] = []
    held: list[np.ndarray] = []  # SQLite: (key, petition) rows, written sorted after the load
    names = ("write petitions", "write petitions cpu", "write index rows", "write index rows cpu")
    stages = dict.fromkeys(
        (*names, "sorted keys", "indexes after", "analyze", "texts cpu", "fingerprints cpu"), 0.0
    )
    clock = ServerClock()
    tables = ["petitions_petition", "analytics_textband", "analytics_textfingerprint"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The bench's own generated rows reference existing rows by construction: no per-row
            # foreign-key triggers while loading (superuser of the throwaway database).
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("ALTER TABLE analytics_textband DROP CONSTRAINT analytics_band_key_petition")
        else:
            # SQLite keeps the (key, petition) constraint as an automatic index that cannot be dropped:
            # the keys are collected (numpy) and written at the end sorted by (key, petition), so that
            # the index is appended to in order instead of updated at random 20 million times.
            _sqlite_pragmas(cursor, bulk=True)
        deferred = _secondary_indexes(cursor, tables)
        for name, _sql in deferred:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    entry_columns = ["petition_id", "text_hash", "shingles", "grams", "indexed_at"]
    start = time.perf_counter()
    context = multiprocessing.get_context("fork")
    with context.Pool(LOAD_WORKERS) as workers:
        for number, batch in enumerate(workers.imap(_load_batch, range(0, INDEX_SIZE, BATCH))):
            with transaction.atomic(), connection.cursor() as cursor:
                began, cpu = time.perf_counter(), clock.now()
                _write_rows(cursor, "petitions_petition", columns, batch["petitions"])
                stages["write petitions"] += time.perf_counter() - began
                stages["write petitions cpu"] += clock.now() - cpu
                began, cpu = time.perf_counter(), clock.now()
                _write_rows(cursor, "analytics_textfingerprint", entry_columns, batch["entries"])
                if connection.vendor == "postgresql":
                    _write_rows(cursor, "analytics_textband", ["key", "petition_id"], batch["bands"])
                else:
                    held.append(np.array(batch["bands"], dtype=np.int64))
                stages["write index rows"] += time.perf_counter() - began
                stages["write index rows cpu"] += clock.now() - cpu
            kept.extend(batch["kept"])
            stages["texts cpu"] += batch["texts cpu"]
            stages["fingerprints cpu"] += batch["fingerprints cpu"]
            if number % 40 == 0:
                done = min(INDEX_SIZE, (number + 1) * BATCH)
                print(f"    … {done:,} petitions ({format_seconds(time.perf_counter() - start)})", flush=True)
    with connection.cursor() as cursor:
        began = time.perf_counter()
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute(
                "ALTER TABLE analytics_textband "
                "ADD CONSTRAINT analytics_band_key_petition UNIQUE (key, petition_id)"
            )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('petitions_petition', 'id'), "
                "(SELECT MAX(id) FROM petitions_petition))"
            )
        else:
            rows = np.concatenate(held)
            held.clear()
            rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
            # Through a plain staging table: one INSERT … SELECT updates the AUTOINCREMENT counter
            # once, where an executemany into the real table would update it for every row.
            cursor.execute("CREATE TABLE bench_band_stage (key bigint NOT NULL, petition_id bigint NOT NULL)")
            for low in range(0, len(rows), 500_000):
                part = rows[low : low + 500_000]
                with transaction.atomic():
                    _write_rows(cursor, "bench_band_stage", ["key", "petition_id"], part.tolist())
            del rows
            cursor.execute(
                "INSERT INTO analytics_textband (key, petition_id) "
                "SELECT key, petition_id FROM bench_band_stage ORDER BY rowid"
            )
            cursor.execute("DROP TABLE bench_band_stage")
        stages["sorted keys"] = time.perf_counter() - began
        began = time.perf_counter()
        for _name, sql in deferred:
            cursor.execute(sql)
        stages["indexes after"] = time.perf_counter() - began
        began = time.perf_counter()
        if connection.vendor == "sqlite":
            _sqlite_pragmas(cursor, bulk=False)
            cursor.execute("PRAGMA analysis_limit=1000")  # statistics from a sample of each index
        cursor.execute("ANALYZE")
        stages["analyze"] = time.perf_counter() - began
    stages["total"] = time.perf_counter() - start
    return kept, stages


def lookup(text: str) -> list[selectors.Match]:
    """What a lookup of the app does: the candidates and their 3-gram sets in one query, exact re-score."""
    return selectors.index_matches(text)


def text_lookup(text: str) -> list[selectors.Match]:
    """The baseline: the previous lookup, which fetched the candidates' texts and re-tokenised them (top
    50 by shared keys, no size bound)."""
    ids = [
        row["petition_id"]
        for row in TextBand.objects.filter(key__in=fingerprints.text_keys(text))
        .values("petition_id")
        .annotate(hits=Count("key"))
        .order_by("-hits", "-petition_id")[: selectors.CANDIDATES]
    ]
    matches = []
    rows = Petition.objects.filter(pk__in=ids).values_list("pk", "subject", "request", "facts")
    for pk, subject, request, facts in rows:
        score = similarity(text, f"{subject} {request} {facts}")
        if score >= selectors.NEAR_DUPLICATE:
            matches.append(selectors.Match(pk, score))
    return sorted(matches, key=lambda m: (-m.score, -m.petition_id))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def spread(values: list[float]) -> str:
    return " / ".join(format_seconds(percentile(values, q)) for q in (0.5, 0.95, 0.99))


def measure(
    fn: Callable[[str], list[selectors.Match]], texts: list[str]
) -> tuple[list[float], list[float], list]:
    """Wall and server CPU time (``ServerClock``) of each call, and each result."""
    clock = ServerClock()
    walls, cpus, results = [], [], []
    for text in texts:
        cpu, began = clock.now(), time.perf_counter()
        results.append(fn(text))
        walls.append(time.perf_counter() - began)
        cpus.append(clock.now() - cpu)
    return walls, cpus, results


def explain_candidates(text: str) -> list[str]:
    found = fingerprints.fingerprint(text)
    keys = sorted(set(found.keys))
    low, high = fingerprints.size_bounds(found.size, selectors.NEAR_DUPLICATE)
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(
            prefix + selectors._candidate_sql(len(keys), 0), [*keys, low, high, selectors.CANDIDATES]
        )
        rows = cursor.fetchall()
    return [str(row[-1]) for row in rows]


def million() -> None:
    heading(f"3. lookup against an index of {INDEX_SIZE:,} synthesised petitions")
    load = os.getloadavg()
    figure("load average at the start (1 / 5 / 15 min)", " / ".join(f"{x:.2f}" for x in load))
    rng = random.Random(SEED)
    pool = sentence_pool()
    figure("sentences of real messages to recombine", f"{len(pool):,}")
    sample, stages = load_index(pool)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM analytics_textband")
        band_rows = cursor.fetchone()[0]
    figure(
        "loaded",
        f"{Petition.objects.count():,} petitions, {band_rows:,} band keys "
        f"in {format_seconds(stages['total'])}",
    )
    figure(
        "  of which",
        ", ".join(f"{name} {format_seconds(stages[name])}" for name in stages if name != "total")
        + f" ({LOAD_WORKERS} worker processes)",
    )
    variants = [mutate(rng, rng.choice(sample)) for _ in range(QUERIES // 2)]
    unseen = ["{} {}".format(*synthesise(rng, pool)) for _ in range(QUERIES - len(variants))]
    queries = variants + unseen
    for line in explain_candidates(queries[0]):
        figure("candidates query plan", line)
    for text in variants[:10]:
        lookup(text)
        text_lookup(text)
    walls, cpus, results = measure(lookup, queries)
    base_walls, base_cpus, base_results = measure(text_lookup, queries)
    candidates = [len(selectors.index_candidates(text)) for text in queries]
    figure(
        "lookups",
        f"{len(walls)} ({len(variants)} re-sent variants of indexed petitions, {len(unseen)} unseen)",
    )
    figure("load average after the lookups (1 / 5 / 15 min)", " / ".join(f"{x:.2f}" for x in os.getloadavg()))
    clock_note = "" if ServerClock().counts_database else " (database backend not counted)"
    figure("app lookup, wall p50 / p95 / p99", spread(walls))
    figure(f"app lookup, CPU p50 / p95 / p99{clock_note}", spread(cpus))
    figure("baseline text re-score, wall p50 / p95 / p99", spread(base_walls))
    figure(f"baseline text re-score, CPU p50 / p95 / p99{clock_note}", spread(base_cpus))
    figure(
        f"target p95 < {format_seconds(TARGET_P95)} (wall / CPU)",
        " / ".join("PASS" if percentile(v, 0.95) < TARGET_P95 else "FAIL" for v in (walls, cpus)),
    )
    found_variants = sum(
        1 for text, matches in zip(queries, results, strict=True) if text in variants and matches
    )
    figure("variants whose original was found", f"{found_variants} of {len(variants)}")
    same = sum(
        1
        for ours, theirs in zip(results, base_results, strict=True)
        if {m.petition_id: round(m.score, 12) for m in theirs}.items()
        <= {m.petition_id: round(m.score, 12) for m in ours}.items()
    )
    figure("lookups finding every match of the baseline, same scores", f"{same} of {len(queries)}")
    figure(
        "candidates re-scored per lookup (median / max)",
        f"{statistics.median(candidates)} / {max(candidates)}",
    )
    compare(
        "lookup p95 (wall): stored 3-gram sets vs the texts re-scored",
        measured=percentile(walls, 0.95),
        baseline=percentile(base_walls, 0.95),
        measured_name="app (index_matches)",
        baseline_name="baseline (fetch texts, re-tokenise)",
    )

    naive_texts = sample[:NAIVE_SAMPLE]
    grams = [shingles(t) for t in naive_texts]

    def naive(text: str) -> int:
        mine = shingles(text)
        return sum(
            1 for other in grams if len(mine & other) / max(1, len(mine | other)) >= selectors.NEAR_DUPLICATE
        )

    naive_times = [
        timed(lambda t=t: naive(t))[0]
        for t in (variants[: NAIVE_QUERIES // 2] + unseen[: NAIVE_QUERIES // 2])
    ]
    per_query = statistics.median(naive_times)
    figure(
        f"naive scan of {len(naive_texts):,} texts in memory",
        f"{format_seconds(per_query)} a lookup (median of {len(naive_times)})",
    )
    compare(
        f"lookup at {INDEX_SIZE:,}: index vs naive scan scaled from the sample",
        measured=percentile(walls, 0.5),
        baseline=per_query * INDEX_SIZE / len(naive_texts),
        measured_name="index (p50)",
        baseline_name=f"naive scan x {INDEX_SIZE / len(naive_texts):.0f} (extrapolated)",
    )


# --- 4. common issues ----------------------------------------------------------------------------


def common_issues() -> None:
    heading("4. common-issue groups in messages_hot.csv (ids and key terms only)")
    rows = read("messages_hot.csv")
    seen: set[tuple[str, str, str]] = set()
    items = []
    for row in rows:
        twin = (row["subject"], row["body"], row["posted_at"])
        if twin in seen:  # one post stored twice under two ids (data README): counted once
            continue
        seen.add(twin)
        items.append(
            issues.IssueItem(
                id=row["message_id"],
                text=row["subject"] + row["body"],
                person=row["user_id"],
                at=dt.datetime.fromisoformat(row["posted_at"]),
                likes=int(row["likes"] or 0),
            )
        )
    today = max(item.at for item in items).date()
    seconds, groups = timed(lambda: issues.group_items(items, today=today))
    assert isinstance(groups, list)
    figure("messages (one post stored twice counted once)", f"{len(items):,} of {len(rows):,}")
    figure(
        "groups with >= 2 users",
        f"{len(groups)} in {format_seconds(seconds)}; largest {max(g.size for g in groups)} messages",
    )
    print(f"    {'rank':<4} {'msgs':>4} {'users':>5} {'likes':>6}  key terms / place              first ids")
    for rank, group in enumerate(groups[:10], start=1):
        ids = ",".join(str(i) for i in group.ids[:4]) + ("…" if group.size > 4 else "")
        print(
            f"    {rank:<4} {group.size:>4} {group.petitioners:>5} {group.support:>6}  {group.name:<30} {ids}"
        )


def run() -> None:
    if not (DATA / "messages_labeled.csv").exists():
        figure("shared data", f"not found at {DATA}: benchmark skipped")
        return
    parts = {"routing": routing, "pairs": near_duplicate_pairs, "issues": common_issues, "index": million}
    wanted = os.environ.get("BENCH_ANALYTICS_PARTS", ",".join(parts)).split(",")
    for name in wanted:
        parts[name.strip()]()
