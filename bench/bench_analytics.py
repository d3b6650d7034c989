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
   (MinHash LSH band keys, then the precise 3-gram Jaccard >= ``NEAR_DUPLICATE``) against the exhaustive
   character 5-gram Jaccard >= 0.8 baseline: precision and recall on the labelled pairs.

3. Lookup against an index of ``INDEX_SIZE`` petitions synthesised from the real texts (sentences of
   random real messages recombined, coded places and numbers changed): the band keys in the
   ``TextBand`` table, the texts in real ``Petition`` rows. Lookup = ``selectors.index_candidates`` (one
   indexed query) + ``selectors.rescore`` (fetch and re-score the candidates), for variants of indexed
   petitions and for unseen texts: p50/p95/p99 (target p95 < 20 ms). Baseline: a naive scan (precise
   Jaccard against every text) of a ``NAIVE_SAMPLE`` sample, with the time scaled to the full index.

4. Common-issue groups in ``messages_hot.csv`` (``xinfang.analytics.issues``): the top groups with their
   sizes, people (distinct users), likes and key terms (message ids and terms only, no text).

Set ``BENCH_ANALYTICS_INDEX`` to change the index size (e.g. 100000 for a quick run), and
``BENCH_ANALYTICS_PARTS`` to run some parts only (e.g. ``pairs,issues``; all: routing,pairs,issues,index).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import re
import statistics
import time
from collections import Counter
from pathlib import Path

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from bench.common import REPO_ROOT, compare, figure, format_seconds, heading, timed
from xinfang.accounts.demo import build_demo_users
from xinfang.analytics import fingerprints, issues, router, selectors
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
    for threshold in sorted({0.3, 0.4, 0.5, selectors.NEAR_DUPLICATE}):
        lsh = [
            bool(keys[r["message_id_a"]] & keys[r["message_id_b"]])
            and similarity(text[r["message_id_a"]], text[r["message_id_b"]]) >= threshold
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


def load_index(rng: random.Random, pool: list[str]) -> tuple[list[str], float, float]:
    """INDEX_SIZE petitions and their band keys, bulk-written; returns a sample of their texts."""
    build_demo_tree()
    build_demo_users()
    place = Unit.objects.get(code="ah-la-ja-wc-npy")
    desk = Unit.objects.get(code="ah-la-ja-xfj")
    person = Petitioner.objects.create(name="基准测试")
    now = timezone.now()
    kept: list[str] = []
    key_seconds = 0.0
    band_sql = "INSERT INTO analytics_textband (key, petition_id) VALUES (%s, %s)"
    # Loading without the indexes and building them afterwards is how a bulk import would do it.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE analytics_textband DROP CONSTRAINT analytics_band_key_petition")
        else:
            cursor.execute("DROP INDEX IF EXISTS analytics_band_key_petition")
        cursor.execute("DROP INDEX IF EXISTS analytics_band_petition")
    start = time.perf_counter()
    for offset in range(0, INDEX_SIZE, BATCH):
        texts = [synthesise(rng, pool) for _ in range(min(BATCH, INDEX_SIZE - offset))]
        with transaction.atomic():
            made = Petition.objects.bulk_create(
                [
                    Petition(
                        number=f"B-{offset + i:07d}",
                        query_code=f"Q{offset + i:09d}",
                        state="closed",
                        channel="online",
                        subject=subject,
                        request=body,
                        place=place,
                        principal=person,
                        registering_unit=desk,
                        current_unit=desk,
                        received_at=now - dt.timedelta(minutes=offset + i),
                    )
                    for i, (subject, body) in enumerate(texts)
                ],
                batch_size=1000,
            )
            began = time.perf_counter()
            bands = [
                (key, petition.pk)
                for petition, (subject, body) in zip(made, texts, strict=True)
                for key in set(fingerprints.text_keys(f"{subject} {body} "))
            ]
            key_seconds += time.perf_counter() - began
            with connection.cursor() as cursor:
                cursor.executemany(band_sql, bands)
        kept.extend(f"{s} {b} " for s, b in texts[:: max(1, INDEX_SIZE // NAIVE_SAMPLE)])
        if (offset // BATCH) % 40 == 0:
            print(
                f"    … {offset + len(texts):,} petitions ({format_seconds(time.perf_counter() - start)})",
                flush=True,
            )
    load_seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        began = time.perf_counter()
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE analytics_textband "
                "ADD CONSTRAINT analytics_band_key_petition UNIQUE (key, petition_id)"
            )
        else:
            cursor.execute(
                "CREATE UNIQUE INDEX analytics_band_key_petition ON analytics_textband (key, petition_id)"
            )
        cursor.execute("CREATE INDEX analytics_band_petition ON analytics_textband (petition_id)")
        cursor.execute("ANALYZE")
        index_seconds = time.perf_counter() - began
    figure("band-key index built after the load", format_seconds(index_seconds))
    return kept, load_seconds, key_seconds


def lookup(text: str) -> list[selectors.Match]:
    ids = selectors.index_candidates(text)
    return selectors.rescore(text, Petition.objects.filter(pk__in=ids), threshold=selectors.NEAR_DUPLICATE)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def million() -> None:
    heading(f"3. lookup against an index of {INDEX_SIZE:,} synthesised petitions")
    rng = random.Random(SEED)
    pool = sentence_pool()
    figure("sentences of real messages to recombine", f"{len(pool):,}")
    sample, load_seconds, key_seconds = load_index(rng, pool)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM analytics_textband")
        band_rows = cursor.fetchone()[0]
    figure(
        "loaded",
        f"{Petition.objects.count():,} petitions, {band_rows:,} band keys in {format_seconds(load_seconds)} "
        f"(MinHash and keys {format_seconds(key_seconds)})",
    )
    variants = [mutate(rng, rng.choice(sample)) for _ in range(QUERIES // 2)]
    unseen = ["{} {}".format(*synthesise(rng, pool)) for _ in range(QUERIES - len(variants))]
    for text in variants[:10]:
        lookup(text)
    times: list[float] = []
    found_variants = 0
    candidates: list[int] = []
    for text in variants + unseen:
        seconds, matches = timed(lambda text=text: lookup(text))
        times.append(seconds)
        candidates.append(len(selectors.index_candidates(text)))
        if text in variants and matches:
            found_variants += 1
    figure(
        "lookups",
        f"{len(times)} ({len(variants)} re-sent variants of indexed petitions, {len(unseen)} unseen)",
    )
    figure(
        "latency p50 / p95 / p99", " / ".join(format_seconds(percentile(times, q)) for q in (0.5, 0.95, 0.99))
    )
    figure(
        f"target p95 < {format_seconds(TARGET_P95)}",
        "PASS" if percentile(times, 0.95) < TARGET_P95 else "FAIL",
    )
    figure("variants whose original was found", f"{found_variants} of {len(variants)}")
    figure(
        "candidates re-scored per lookup (median / max)",
        f"{statistics.median(candidates)} / {max(candidates)}",
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
        measured=percentile(times, 0.5),
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
