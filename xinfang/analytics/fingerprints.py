"""MinHash signatures and LSH band keys of petition texts (近似重复 index), computed without the database.

A text's character 3-gram set is summarised by ``NUM_PERM`` MinHash values (datasketch); the values are
cut into ``BANDS`` bands of ``ROWS`` and each band is hashed to one signed 64-bit key. Two texts share at
least one key with probability 1 - (1 - s^ROWS)^BANDS for Jaccard similarity s: with 20 bands of 3 rows
that is 0.42 at s = 0.3, 0.73 at 0.4, 0.92 at 0.5, 0.99 at 0.6, while texts on other matters (s ≈ 0.05)
collide about once in 400; the candidates sharing the most keys are re-scored first. (16 bands of 4
rows were tried first: they lost too many pairs labelled "same matter" at s = 0.3-0.5; see
bench_analytics.py.) Keys go into an indexed table (``TextBand``), so a lookup is one indexed
``key IN (…)`` query whatever the size of the history, followed by a precise re-score of the few
candidates on their text.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash

from .text import normalize, shingles

BANDS = 20
ROWS = 3
NUM_PERM = BANDS * ROWS
SEED = 20230214  # fixed: keys must not change between processes or releases
SCHEME = "affine32"  # datasketch 2's permutation scheme; keys computed with another scheme never match
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)


def _hash32(data: bytes) -> int:
    return zlib.crc32(data)


def signature(text: str) -> np.ndarray | None:
    """The MinHash values of the text's shingles, or None for a text with no letters at all."""
    grams = shingles(text)
    if not grams:
        return None
    minhash = MinHash(
        num_perm=NUM_PERM, seed=SEED, hashfunc=_hash32, permutations=_TEMPLATE.permutations, scheme=SCHEME
    )
    minhash.update_batch([gram.encode() for gram in grams])
    return minhash.hashvalues


def band_keys(values: np.ndarray | None) -> list[int]:
    """One signed 64-bit key per band; the band number is part of the key so bands never collide."""
    if values is None:
        return []
    rows = values.astype("<u4")
    keys = []
    for band in range(BANDS):
        chunk = bytes([band]) + rows[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def text_keys(text: str) -> list[int]:
    return band_keys(signature(text))


def text_hash(text: str) -> str:
    """A digest of the normalised text: an index entry is rebuilt only when it changes."""
    return hashlib.sha1(normalize(text).encode(), usedforsecurity=False).hexdigest()


def candidate_probability(similarity: float) -> float:
    """The chance that two texts of this Jaccard similarity share at least one band key."""
    return 1.0 - (1.0 - similarity**ROWS) ** BANDS


def many_keys(texts: Iterable[str]) -> list[list[int]]:
    return [text_keys(text) for text in texts]
