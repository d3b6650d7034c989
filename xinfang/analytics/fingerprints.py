"""MinHash signatures, LSH band keys and exact 3-gram sets of petition texts (近似重复 index), no database.

A text's character 3-gram set is summarised by ``NUM_PERM`` MinHash values (datasketch's "affine32"
scheme over the CRC-32 of each gram's UTF-8); the values are cut into ``BANDS`` bands of ``ROWS`` and
each band is hashed to one signed 64-bit key. Two texts share at least one key with probability
1 - (1 - s^ROWS)^BANDS for Jaccard similarity s: with 20 bands of 3 rows that is 0.42 at s = 0.3, 0.73
at 0.4, 0.92 at 0.5, 0.99 at 0.6, while texts on other matters (s ≈ 0.05) collide about once in 400; the
candidates sharing the most keys are re-scored first. (16 bands of 4 rows were tried first: they lost
too many pairs labelled "same matter" at s = 0.3-0.5; see bench_analytics.py.) Keys go into an indexed
table (``TextBand``), so a lookup is one indexed ``key IN (…)`` query whatever the size of the history.

The re-score is exact and needs neither the text nor a tokeniser: every character left by
``text.normalize`` is in the Basic Multilingual Plane (0-9, a-z, CJK), so a 3-gram is written exactly as
one 48-bit integer (three UTF-16 code units), and a text's gram set as the sorted array of those integers
(``gram_codes``; 6 bytes a gram when stored, ``pack``/``unpack``). The Jaccard similarity of two such
arrays is the Jaccard similarity of the two shingle sets, bit for bit (``text.similarity``).

Everything is vectorised with numpy (CRC-32 by table, MurmurHash3 finaliser, affine permutations), with
the same values as datasketch's ``MinHash.update_batch`` (``datasketch_signature`` is kept as the
reference the tests compare with), so ``many_fingerprints`` indexes thousands of texts a second.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from .text import SHINGLE_SIZE, normalize, shingles

BANDS = 20
ROWS = 3
NUM_PERM = BANDS * ROWS
SEED = 20230214  # fixed: keys must not change between processes or releases
SCHEME = "affine32"  # datasketch 2's permutation scheme; keys computed with another scheme never match
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
_A = _TEMPLATE.permutations[0].astype(np.uint32)
_B = _TEMPLATE.permutations[1].astype(np.uint32)
GRAM_BYTES = 6  # a stored gram: three UTF-16 code units, little-endian
_EMPTY = np.zeros(0, dtype=np.uint64)
CHUNK = 500  # texts per vectorised step of ``many_fingerprints``

assert SHINGLE_SIZE == 3, "gram codes pack exactly three characters"


def _crc_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1).astype(np.uint32)
    return table


_CRC = _crc_table()
_BAND_PREFIX = [bytes([band]) for band in range(BANDS)]


# --- grams -------------------------------------------------------------------------------------------


def _codes(plain: str) -> np.ndarray:
    if not plain:
        return _EMPTY
    units = np.frombuffer(plain.encode("utf-16-le"), dtype="<u2").astype(np.uint64)
    if len(units) <= SHINGLE_SIZE:
        units = np.concatenate([units, np.zeros(SHINGLE_SIZE - len(units), dtype=np.uint64)])
    codes = np.sort((units[:-2] << np.uint64(32)) | (units[1:-1] << np.uint64(16)) | units[2:])
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))]


def gram_codes(text: str) -> np.ndarray:
    """The text's character 3-grams (``text.shingles``) as sorted unique 48-bit integers (uint64).

    A text of at most three characters is one gram, padded with zero code units, which no normalised
    character has, so it never equals a real 3-gram.
    """
    return _codes(normalize(text))


def decode_gram(code: int) -> str:
    """The gram an integer stands for (tests and debugging)."""
    units = [(code >> shift) & 0xFFFF for shift in (32, 16, 0)]
    return "".join(chr(u) for u in units if u)


def pack(codes: np.ndarray) -> bytes:
    """Sorted gram codes as 6 bytes each (what ``TextFingerprint.grams`` stores)."""
    return codes.astype("<u8").view(np.uint8).reshape(-1, 8)[:, :GRAM_BYTES].tobytes()


def unpack(data: bytes | memoryview | None) -> np.ndarray:
    if not data:
        return _EMPTY
    raw = np.frombuffer(bytes(data), dtype=np.uint8).reshape(-1, GRAM_BYTES)
    wide = np.zeros((len(raw), 8), dtype=np.uint8)
    wide[:, :GRAM_BYTES] = raw
    return wide.view("<u8").ravel().astype(np.uint64)


def jaccard(left: np.ndarray, right: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted gram-code arrays (0 when either is empty)."""
    if not len(left) or not len(right):
        return 0.0
    common = int(np.intersect1d(left, right, assume_unique=True).size)
    return common / (len(left) + len(right) - common)


def unpack_many(blobs: Sequence[bytes | memoryview]) -> tuple[np.ndarray, np.ndarray]:
    """All stored gram arrays at once: the concatenated codes and each array's number of grams."""
    sizes = np.fromiter((len(b) // GRAM_BYTES for b in blobs), dtype=np.int64, count=len(blobs))
    return unpack(b"".join(bytes(b) for b in blobs)), sizes


def jaccard_packed(query: np.ndarray, blobs: Sequence[bytes | memoryview]) -> np.ndarray:
    """Exact Jaccard similarity of ``query`` (sorted codes) with each stored gram array, in one pass."""
    scores = np.zeros(len(blobs))
    if not len(query) or not len(blobs):
        return scores
    flat, sizes = unpack_many(blobs)
    filled = sizes > 0
    if not len(flat):
        return scores
    at = np.minimum(np.searchsorted(query, flat), len(query) - 1)
    hits = (query[at] == flat).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes[filled])[:-1]])
    common = np.add.reduceat(hits, starts)
    scores[filled] = common / (len(query) + sizes[filled] - common)
    return scores


def size_bounds(size: int, threshold: float) -> tuple[int, int]:
    """Gram counts a text must have to reach ``threshold`` with one of ``size`` grams (J <= min/max)."""
    if threshold <= 0:
        return 0, 2**31 - 1
    low = int(np.ceil(size * threshold - 1e-9))
    high = int(np.floor(size / threshold + 1e-9))
    return max(1, low), min(high, 2**31 - 1)


# --- MinHash -----------------------------------------------------------------------------------------


def _utf8_crc32(codes: np.ndarray) -> np.ndarray:
    """zlib.crc32 of each gram's UTF-8 bytes, computed from the gram codes by table, all at once."""
    crc = np.full(len(codes), 0xFFFFFFFF, dtype=np.uint32)
    for shift in (32, 16, 0):
        unit = ((codes >> np.uint64(shift)) & np.uint64(0xFFFF)).astype(np.uint32)
        length = np.where(unit == 0, 0, np.where(unit < 0x80, 1, np.where(unit < 0x800, 2, 3)))
        lead = np.where(length == 1, unit, np.where(length == 2, 0xC0 | (unit >> 6), 0xE0 | (unit >> 12)))
        middle = np.where(length == 2, 0x80 | (unit & 0x3F), 0x80 | ((unit >> 6) & 0x3F))
        last = 0x80 | (unit & 0x3F)
        for step, byte in enumerate((lead, middle, last)):
            active = length > step
            mixed = _CRC[(crc ^ byte.astype(np.uint32)) & 0xFF] ^ (crc >> np.uint32(8))
            crc = np.where(active, mixed, crc)
    return crc ^ np.uint32(0xFFFFFFFF)


def _fmix32(hv: np.ndarray) -> np.ndarray:
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def _permuted(hv: np.ndarray) -> np.ndarray:
    """The (grams x NUM_PERM) permuted values a * h + b mod 2^32 of datasketch's affine32 scheme."""
    out = np.empty((len(hv), NUM_PERM), dtype=np.uint32)
    with np.errstate(over="ignore"):
        np.multiply(hv[:, None], _A[None, :], out=out)
        np.add(out, _B[None, :], out=out)
    return out


def _mixed(codes: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return _fmix32(_utf8_crc32(codes))


def _minima(hv: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """MinHash values of many texts at once: ``hv`` holds the mixed hashes of text after text, each text
    starting at ``starts``. One permutation at a time keeps the temporaries in cache."""
    minima = np.empty((len(starts), NUM_PERM), dtype=np.uint32)
    scratch = np.empty(len(hv), dtype=np.uint32)
    with np.errstate(over="ignore"):
        for k in range(NUM_PERM):
            np.multiply(hv, _A[k], out=scratch)
            np.add(scratch, _B[k], out=scratch)
            minima[:, k] = np.minimum.reduceat(scratch, starts)
    return minima


def signature_of_codes(codes: np.ndarray) -> np.ndarray | None:
    if not len(codes):
        return None
    return _permuted(_mixed(codes)).min(axis=0)


def _signature_plain(plain: str) -> np.ndarray | None:
    """One text: CRC-32 by zlib gram by gram (fewer numpy calls than the table for a single text)."""
    if not plain:
        return None
    if len(plain) <= SHINGLE_SIZE:
        grams = {plain}
    else:
        grams = {plain[i : i + SHINGLE_SIZE] for i in range(len(plain) - SHINGLE_SIZE + 1)}
    crcs = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint32, count=len(grams))
    with np.errstate(over="ignore"):
        return _permuted(_fmix32(crcs)).min(axis=0)


def signature(text: str) -> np.ndarray | None:
    """The MinHash values of the text's shingles, or None for a text with no letters at all."""
    return _signature_plain(normalize(text))


def _hash32(data: bytes) -> int:
    return zlib.crc32(data)


def datasketch_signature(text: str) -> np.ndarray | None:
    """The same values through datasketch itself, one gram at a time (the reference; slow)."""
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
    rows = values.astype("<u4").tobytes()
    width = ROWS * 4
    chunks = [_BAND_PREFIX[band] + rows[band * width : (band + 1) * width] for band in range(BANDS)]
    digests = [hashlib.blake2b(chunk, digest_size=8).digest() for chunk in chunks]
    return [int.from_bytes(digest, "little", signed=True) for digest in digests]


def text_keys(text: str) -> list[int]:
    return band_keys(signature(text))


def _digest(plain: str) -> str:
    return hashlib.sha1(plain.encode(), usedforsecurity=False).hexdigest()


def text_hash(text: str) -> str:
    """A digest of the normalised text: an index entry is rebuilt only when it changes."""
    return _digest(normalize(text))


def candidate_probability(similarity: float) -> float:
    """The chance that two texts of this Jaccard similarity share at least one band key."""
    return 1.0 - (1.0 - similarity**ROWS) ** BANDS


@dataclass(frozen=True)
class Fingerprint:
    """What the index keeps of one text: its sorted gram codes, its band keys and its digest."""

    codes: np.ndarray
    keys: list[int]
    digest: str = ""

    @property
    def size(self) -> int:
        return len(self.codes)

    @property
    def packed(self) -> bytes:
        return pack(self.codes)


def fingerprint(text: str) -> Fingerprint:
    plain = normalize(text)
    return Fingerprint(_codes(plain), band_keys(_signature_plain(plain)), _digest(plain))


_MASK48 = np.uint64((1 << 48) - 1)


def _chunk(plains: list[str]) -> list[Fingerprint]:
    """Fingerprints of a few hundred normalised texts with a fixed number of numpy calls: every text's
    grams are tagged with the text's position in the high 16 bits, so one sort gives each text's sorted
    unique grams, and one ``minimum.reduceat`` each text's MinHash values."""
    filled = [i for i, plain in enumerate(plains) if plain]
    found = [Fingerprint(_EMPTY, [], _digest(plain)) for plain in plains]
    if not filled:
        return found
    padded = [plains[i].ljust(SHINGLE_SIZE, "\0") for i in filled]  # as in _codes: one padded gram
    lengths = np.fromiter((len(p) for p in padded), dtype=np.int64, count=len(padded))
    units = np.frombuffer("".join(padded).encode("utf-16-le"), dtype="<u2").astype(np.uint64)
    codes = (units[:-2] << np.uint64(32)) | (units[1:-1] << np.uint64(16)) | units[2:]
    owner = np.repeat(np.arange(len(padded), dtype=np.uint64), lengths)[:-2]
    ends = np.cumsum(lengths)
    within = np.arange(len(codes)) <= (ends - SHINGLE_SIZE)[owner.astype(np.int64)]
    tagged = np.sort((owner[within] << np.uint64(48)) | codes[within])
    tagged = tagged[np.concatenate(([True], tagged[1:] != tagged[:-1]))]
    flat = tagged & _MASK48
    bounds = np.searchsorted(tagged >> np.uint64(48), np.arange(len(padded) + 1, dtype=np.uint64))
    minima = _minima(_mixed(flat), bounds[:-1])
    packed = pack(flat)
    for row, i in enumerate(filled):
        low, high = int(bounds[row]), int(bounds[row + 1])
        found[i] = _Packed(
            flat[low:high],
            band_keys(minima[row]),
            found[i].digest,
            packed[low * GRAM_BYTES : high * GRAM_BYTES],
        )
    return found


@dataclass(frozen=True)
class _Packed(Fingerprint):
    packed_bytes: bytes = b""

    @property
    def packed(self) -> bytes:
        return self.packed_bytes


def many_fingerprints(texts: Iterable[str]) -> list[Fingerprint]:
    """Fingerprints of many texts, a chunk of texts at a time (the same values as one by one)."""
    plains = [normalize(text) for text in texts]
    found: list[Fingerprint] = []
    for start in range(0, len(plains), CHUNK):
        found.extend(_chunk(plains[start : start + CHUNK]))
    return found


def many_keys(texts: Iterable[str]) -> list[list[int]]:
    return [f.keys for f in many_fingerprints(texts)]
