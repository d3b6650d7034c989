"""The routing model (分类分办): which content category a petition belongs to, from its text.

Features: TF-IDF of character 1-2-grams (robust to segmentation errors, names and coded places) joined
with TF-IDF of jieba words (with a user dictionary of petition terms). On the shared evaluation data
this scored as well as 1-3-grams with word bigrams (bench/bench_analytics.py), with fewer features.
Classifier: a linear SVM (one-vs-rest, balanced class weights), calibrated with Platt scaling
(``CalibratedClassifierCV``) so that each suggestion carries a probability that staff can read as a
confidence. Labels are level-1 categories; a level-2 category becomes its own label where the
training data holds at least ``LEVEL2_MIN_ROWS`` examples of it ("level 2 where data allows"), and the
level-1 confidence is then the sum over its labels.

Nothing here touches the database or the file system: ``store.py`` keeps trained models as versioned
files, ``services.py``/``selectors.py`` feed it petitions.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from .text import normalize, tokenize

SEPARATOR = "/"
LEVEL2_MIN_ROWS = 10
MIN_ROWS_PER_LABEL = 3  # calibration needs a few examples of every label
ALTERNATIVES = 3
HOLDOUT_SHARE = 0.2
# Per feature family: enough for the vocabulary of a county's petitions, small enough that one message
# is vectorised in about a millisecond (the IDF weighting costs time in proportion to the features).
MAX_FEATURES = 60_000


@dataclass(frozen=True)
class Example:
    text: str
    level1: str
    level2: str = ""
    weight: float = 1.0


@dataclass
class Choice:
    level1: str
    probability: float
    level2: str = ""
    level2_probability: float = 0.0


@dataclass
class Prediction:
    best: Choice
    alternatives: list[Choice] = field(default_factory=list)


def features() -> FeatureUnion:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=(1, 2),
                    preprocessor=normalize,
                    sublinear_tf=True,
                    min_df=2,
                    max_features=MAX_FEATURES,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    tokenizer=tokenize,
                    token_pattern=None,
                    lowercase=False,
                    ngram_range=(1, 1),
                    sublinear_tf=True,
                    min_df=2,
                    max_features=MAX_FEATURES,
                ),
            ),
        ]
    )


def pipeline(smallest_label: int) -> Pipeline:
    folds = max(2, min(3, smallest_label))
    svm = LinearSVC(C=0.5, class_weight="balanced")
    # One SVM fitted on all rows, its calibration learnt out-of-fold: one classifier to run per message.
    calibrated = CalibratedClassifierCV(svm, cv=folds, method="sigmoid", ensemble=False)
    return Pipeline([("features", features()), ("classify", calibrated)])


def labels_of(examples: Sequence[Example]) -> list[str]:
    """Level-2 labels where there are enough rows of that level-2 category, level 1 elsewhere."""
    level2_counts = Counter((e.level1, e.level2) for e in examples if e.level2)
    return [
        f"{e.level1}{SEPARATOR}{e.level2}"
        if e.level2 and level2_counts[(e.level1, e.level2)] >= LEVEL2_MIN_ROWS
        else e.level1
        for e in examples
    ]


def data_hash(examples: Sequence[Example]) -> str:
    digest = hashlib.sha256()
    for line in sorted(f"{e.level1}\t{e.level2}\t{e.weight}\t{normalize(e.text)}" for e in examples):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass
class Trained:
    model: Pipeline
    labels: list[str]
    rows: int
    dropped: dict[str, int]
    scores: dict[str, Any]
    seconds: float


def _usable(examples: Sequence[Example]) -> tuple[list[Example], list[str], dict[str, int]]:
    labels = labels_of(examples)
    counts = Counter(labels)
    dropped = {label: n for label, n in counts.items() if n < MIN_ROWS_PER_LABEL}
    kept = [(e, label) for e, label in zip(examples, labels, strict=True) if label not in dropped]
    return [e for e, _l in kept], [label for _e, label in kept], dropped


def fit(examples: Sequence[Example]) -> tuple[Pipeline, list[str], dict[str, int]]:
    usable, labels, dropped = _usable(examples)
    if len(set(labels)) < 2:
        raise ValueError("at least two categories with a few examples each are needed")
    model = pipeline(min(Counter(labels).values()))
    weights = np.array([e.weight for e in usable])
    model.fit([e.text for e in usable], labels, classify__sample_weight=weights)
    return model, labels, dropped


def evaluate(examples: Sequence[Example], *, seed: int = 0) -> dict[str, Any]:
    """Macro-F1, accuracy and per-class F1 (level 1) on a stratified hold-out of ``HOLDOUT_SHARE``."""
    usable, labels, _dropped = _usable(examples)
    counts = Counter(labels)
    if len(counts) < 2 or min(counts.values()) < 2 * MIN_ROWS_PER_LABEL:
        return {"note": "too few examples per category for a hold-out score"}
    train, test = train_test_split(
        list(range(len(usable))), test_size=HOLDOUT_SHARE, stratify=labels, random_state=seed
    )
    model, _l, _d = fit([usable[i] for i in train])
    predicted = [level1_of(label) for label in model.predict([usable[i].text for i in test])]
    truth = [usable[i].level1 for i in test]
    classes = sorted(set(truth))
    per_class = f1_score(truth, predicted, labels=classes, average=None, zero_division=0)
    return {
        "method": f"stratified hold-out {HOLDOUT_SHARE:.0%}",
        "test_rows": len(test),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "per_class_f1": {c: round(float(v), 4) for c, v in zip(classes, per_class, strict=True)},
    }


def train(examples: Sequence[Example], *, with_scores: bool = True) -> Trained:
    start = time.perf_counter()
    scores = evaluate(examples) if with_scores else {"note": "not evaluated"}
    model, labels, dropped = fit(examples)
    return Trained(
        model=model,
        labels=sorted(set(labels)),
        rows=len(labels),
        dropped=dropped,
        scores=scores,
        seconds=round(time.perf_counter() - start, 2),
    )


def level1_of(label: str) -> str:
    return label.split(SEPARATOR, 1)[0]


def predict(model: Pipeline, texts: Sequence[str]) -> list[Prediction]:
    """The best level-1 category (and level 2 where the model knows it) with the next alternatives."""
    import sklearn

    # The pipeline was validated when it was fitted; per-call validation costs more than the prediction.
    with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        probabilities = model.predict_proba(list(texts))
    classes = [str(c) for c in model.classes_]
    results = []
    for row in probabilities:
        by_level1: dict[str, float] = {}
        best_child: dict[str, tuple[str, float]] = {}
        for label, p in zip(classes, row, strict=True):
            level1, _sep, level2 = label.partition(SEPARATOR)
            by_level1[level1] = by_level1.get(level1, 0.0) + float(p)
            if level2 and float(p) > best_child.get(level1, ("", 0.0))[1]:
                best_child[level1] = (level2, float(p))
        ranked = sorted(by_level1.items(), key=lambda item: -item[1])
        choices = []
        for level1, p in ranked[: ALTERNATIVES + 1]:
            level2, p2 = best_child.get(level1, ("", 0.0))
            choices.append(
                Choice(level1=level1, probability=round(p, 4), level2=level2, level2_probability=round(p2, 4))
            )
        results.append(Prediction(best=choices[0], alternatives=choices[1:]))
    return results
