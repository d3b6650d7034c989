"""Training data for the routing model: petitions with a category (corrections weigh more), or a CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from xinfang.petitions.models import Petition

from . import router, store
from .models import RoutingCorrection

# A row a member of staff corrected counts this much more than one nobody looked at again.
CORRECTION_WEIGHT = 3.0
CSV_COLUMNS = ("text", "category")


class TrainingDataError(ValueError):
    pass


def examples_from_database() -> list[router.Example]:
    corrected = set(RoutingCorrection.objects.values_list("petition_id", flat=True))
    examples = []
    rows = Petition.objects.filter(category__isnull=False).select_related("category__parent__parent")
    for petition in rows.iterator(chunk_size=2000):
        names = []
        node = petition.category
        while node is not None:
            names.append(node.name)
            node = node.parent
        names.reverse()
        examples.append(
            router.Example(
                text=f"{petition.subject} {petition.request} {petition.facts}",
                level1=names[0],
                level2=names[1] if len(names) > 1 else "",
                weight=CORRECTION_WEIGHT if petition.pk in corrected else 1.0,
            )
        )
    return examples


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            return list(reader.fieldnames or []), rows
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise TrainingDataError(f"cannot read {path}: {exc}") from exc


def examples_from_csv(path: Path) -> list[router.Example]:
    """Rows with ``text`` and ``category`` (a level-1 name, or ``level1/level2``)."""
    columns, rows = read_csv_rows(path)
    missing = [c for c in CSV_COLUMNS if c not in columns]
    if missing:
        raise TrainingDataError(f"{path} has no column(s) {', '.join(missing)}; found: {', '.join(columns)}")
    examples = []
    for row in rows:
        text, category = (row.get("text") or "").strip(), (row.get("category") or "").strip()
        if not text or not category:
            continue
        level1, _sep, level2 = (part.strip() for part in category.partition("/"))
        examples.append(router.Example(text=text, level1=level1, level2=level2))
    return examples


def train_and_store(
    examples: list[router.Example], *, source: str, with_scores: bool = True
) -> store.ModelVersion:
    if len(examples) < 2 * router.MIN_ROWS_PER_LABEL:
        raise TrainingDataError(f"only {len(examples)} labelled rows: too few to train on")
    try:
        trained = router.train(examples, with_scores=with_scores)
    except ValueError as exc:
        raise TrainingDataError(str(exc)) from exc
    corrections = sum(1 for e in examples if e.weight > 1)
    return store.save(
        trained, source=source, data_hash=router.data_hash(examples), extra={"corrections": corrections}
    )
