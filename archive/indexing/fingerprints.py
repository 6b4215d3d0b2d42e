"""Fingerprints of an article's text, to tell copies of one story from other stories.

An agency story is republished by many outlets and re-sent with small edits: a new
headline, a trimmed tail, paragraphs in another order. Each article gets a *fingerprint*:

* an exact key, the hash of its words (case, accents, punctuation and spacing ignored);
* a MinHash signature of its word 3-shingles, which estimates how much of their text two
  articles share without comparing the texts.

The body alone is fingerprinted, so a new headline does not hide a copy; a short body
(a dividend notice, a one-line brief) carries too little evidence by itself and its
headline joins its fingerprint. Two articles are copies when their exact keys agree, or
when they share at least half of their shingles (Jaccard >= 0.5), or when nearly all of
the shorter one's shingles are in the longer one (a trimmed copy) and they share at least
a third. Everything here is a pure function of the article, computed in the parsing
processes; ``dedup`` keeps the fingerprints and finds the copies.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from archive.models import Article

if TYPE_CHECKING:
    import numpy as np

NUM_PERM = 126
#: the signature is cut into BANDS bands of ROWS values; articles sharing a band are compared
BANDS, ROWS = 42, 3
SHINGLE = 3
#: below this many body words the headline joins the fingerprint
SHORT_BODY = 40
#: least estimated Jaccard similarity of two copies
SIMILAR = 0.5
#: a shorter text at least this contained in a longer one is a (trimmed) copy...
CONTAINED = 0.85
#: ...when they also share at least this much
CONTAINED_SIMILAR = 0.3
#: texts with fewer shingles than this are copies only when their words are identical
MIN_SHINGLES = 20
#: share of the shorter copy's figures the longer must hold
FIGURES_KEPT = 0.9
#: copies of a story are published within this many days of one another; a template
#: story (a daily market report, a dividend notice) recurs with nearly the same words
WINDOW_DAYS = 2
SEED = 20_250_101
EPOCH = date(1970, 1, 1).toordinal()
_WORD = re.compile(r"\w+")
#: odd 64-bit multipliers for mixing a band's values into one key
_MIX = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93)
#: the fingerprint scheme; fingerprints kept by another version are not comparable
VERSION = 3


@dataclass(frozen=True)
class Fingerprint:
    """What copy detection keeps of an article: its exact key, signature and shingle count."""

    exact: str
    signature: bytes
    size: int
    #: the publication day (days since 1970-01-01), None when undated
    day: int | None = None
    #: the distinct figures and other words that are not all letters (G8, F16)
    figures: str = ""

    def values(self) -> np.ndarray:
        import numpy as np  # here, not at the top: only runs that compare fingerprints pay

        return np.frombuffer(self.signature, dtype=np.uint32)

    def bands(self) -> list[int]:
        """One signed 64-bit key per band (SQLite integers are signed): the band's values
        and its number mixed by multiplication, in 64-bit arithmetic that wraps."""
        import numpy as np

        mix = np.array(_MIX, dtype=np.uint64)
        rows = self.values()[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
        keys = np.arange(1, BANDS + 1, dtype=np.uint64) * mix[0]
        for column in range(ROWS):
            keys = (keys ^ rows[:, column]) * mix[column + 1]
        return [int(key) for key in keys.view(np.int64)]


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The scheme's NUM_PERM affine permutations ``h -> a * h + b (mod 2**32)``, ``a`` odd
    (so each is a bijection), drawn from SEED once per process."""
    import numpy as np

    draw = np.random.RandomState(SEED)
    a = draw.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = draw.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def minhash(shingles: Iterable[bytes]) -> bytes:
    """The MinHash signature of ``shingles``: for each permutation, the least permuted
    hash of any shingle, as NUM_PERM unsigned 32-bit values.

    A shingle's hash is its CRC-32 mixed by MurmurHash3's 32-bit finalizer; this is
    datasketch 2.0's ``affine32`` scheme with ``zlib.crc32`` as hash function, value for
    value (tests/test_fingerprints.py compares them), without importing datasketch and
    the scipy it loads.
    """
    import numpy as np

    hashes = np.fromiter((zlib.crc32(shingle) for shingle in shingles), dtype=np.uint32)
    if not len(hashes):
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32).tobytes()
    hashes ^= hashes >> np.uint32(16)
    hashes *= np.uint32(0x85EBCA6B)
    hashes ^= hashes >> np.uint32(13)
    hashes *= np.uint32(0xC2B2AE35)
    hashes ^= hashes >> np.uint32(16)
    a, b = _permutations()
    permuted = hashes[:, None] * a + b  # uint32 arithmetic wraps: modulo 2**32
    return permuted.min(axis=0).tobytes()


def words(text: str) -> list[str]:
    """Lower-cased words with accents folded; punctuation and spacing ignored."""
    folded = text.casefold()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _WORD.findall(folded)


def fingerprint(article: Article) -> Fingerprint:
    """The article's fingerprint (a pure function: safe to compute in worker processes)."""
    tokens = words(article.body)
    if len(tokens) < SHORT_BODY:
        tokens = words(article.title) + tokens
    exact = hashlib.blake2b(" ".join(tokens).encode(), digest_size=16).hexdigest()
    if len(tokens) < SHINGLE:
        shingles = {" ".join(tokens)}
    else:
        shingles = {" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}
    signature = minhash(shingle.encode() for shingle in shingles)
    day = article.published.value.toordinal() - EPOCH if article.published else None
    figures = " ".join(sorted({token for token in tokens if not token.isalpha()}))
    return Fingerprint(exact, signature, len(shingles), day, figures)


def resemblance(a: Fingerprint, b: Fingerprint) -> tuple[float, float]:
    """Estimated (Jaccard similarity, containment of the smaller in the larger)."""
    import numpy as np

    jaccard = float(np.mean(a.values() == b.values()))
    shared = jaccard * (a.size + b.size) / (1 + jaccard)
    return jaccard, min(1.0, shared / max(min(a.size, b.size), 1))


def same_story(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether two fingerprints belong to copies of one story."""
    if a.day is not None and b.day is not None and abs(a.day - b.day) > WINDOW_DAYS:
        return False
    if a.exact == b.exact:
        return True
    if min(a.size, b.size) < MIN_SHINGLES or not _same_figures(a, b):
        return False
    jaccard, contained = resemblance(a, b)
    return jaccard >= SIMILAR or (contained >= CONTAINED and jaccard >= CONTAINED_SIMILAR)


def _same_figures(a: Fingerprint, b: Fingerprint) -> bool:
    """A copy may cut, reorder or re-headline a story but keeps its figures: nearly all
    figures of the shorter text are in the longer (a daily report, an hourly price table
    or a dividend notice repeats the words with new figures)."""
    short, long = (a, b) if a.size <= b.size else (b, a)
    mine = set(short.figures.split())
    if not mine:
        return True
    missing = len(mine - set(long.figures.split()))
    return missing <= len(mine) * (1 - FIGURES_KEPT)
