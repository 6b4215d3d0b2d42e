"""Wire copies: the same story published more than once, found at indexing and grouped.

An agency story is republished by many outlets and re-sent with small edits: a new
headline, a trimmed tail, paragraphs in another order. Each article gets a *fingerprint*:

* an exact key, the hash of its words (case, accents, punctuation and spacing ignored);
* a MinHash signature (datasketch) of its word 3-shingles, which estimates how much of
  their text two articles share without comparing the texts.

The body alone is fingerprinted, so a new headline does not hide a copy; a short body
(a dividend notice, a one-line brief) carries too little evidence by itself and its
headline joins its fingerprint. Two articles are copies when their exact keys agree, or
when they share at least half of their shingles (Jaccard >= 0.5), or when nearly all of
the shorter one's shingles are in the longer one (a trimmed copy) and they share at least
a third. Candidates are found with locality-sensitive hashing: the signature is cut into
bands and articles sharing any band are compared, so a new article is checked against a
handful of others, never against the whole archive.

``Deduper`` keeps every indexed article's fingerprint in ``dedup.sqlite3`` in the data
directory and gives each article a group id: the group of the copy it matches best, or
its own id when it matches none. The engine stores the group id; searches show one hit
per group unless asked for every copy.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from archive.errors import ArchiveError
from archive.models import Article
from archive.storage import disk_writes

log = logging.getLogger(__name__)

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
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93],
    dtype=np.uint64,
)
#: SQLite page cache of the fingerprint file, in KiB
CACHE_KB = 64 * 1024
#: the fingerprint scheme; a file made by another version is emptied and refilled
VERSION = 3

SCHEMA = """
CREATE TABLE IF NOT EXISTS prints (
    doc INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    grp TEXT NOT NULL,
    exact TEXT NOT NULL,
    size INTEGER NOT NULL,
    day INTEGER,
    figures TEXT NOT NULL,
    signature BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS prints_exact ON prints(exact);
CREATE TABLE IF NOT EXISTS bands (
    band INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (band, doc)
) WITHOUT ROWID;
"""


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
        return np.frombuffer(self.signature, dtype=np.uint32)

    def bands(self) -> list[int]:
        """One signed 64-bit key per band (SQLite integers are signed): the band's values
        and its number mixed by multiplication, in 64-bit arithmetic that wraps."""
        rows = self.values()[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
        keys = np.arange(1, BANDS + 1, dtype=np.uint64) * _MIX[0]
        for column in range(ROWS):
            keys = (keys ^ rows[:, column]) * _MIX[column + 1]
        return [int(key) for key in keys.view(np.int64)]


@lru_cache(maxsize=1)
def _permutations() -> Any:
    """The MinHash permutations of the scheme, made once per process.

    datasketch (and the scipy it imports, a third of a second) is loaded only by a
    process that fingerprints: the parsing workers, not a run with nothing to parse.
    """
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED).permutations


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
    from datasketch import MinHash

    sketch = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=zlib.crc32,
        permutations=_permutations(),
        scheme="affine32",
    )
    sketch.update_batch([shingle.encode() for shingle in shingles])
    signature = np.asarray(sketch.hashvalues, dtype=np.uint32).tobytes()
    day = article.published.value.toordinal() - EPOCH if article.published else None
    figures = " ".join(sorted({token for token in tokens if not token.isalpha()}))
    return Fingerprint(exact, signature, len(shingles), day, figures)


def resemblance(a: Fingerprint, b: Fingerprint) -> tuple[float, float]:
    """Estimated (Jaccard similarity, containment of the smaller in the larger)."""
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


class Deduper:
    """Assigns group ids to articles, remembering fingerprints in one SQLite file.

    Changes are part of an open transaction until ``commit``; call it after the engine
    has committed the same articles (a fingerprint of an article the engine never got is
    harmless: at worst it lends a group id to a later copy).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            if self._db.execute("PRAGMA user_version").fetchone()[0] != VERSION:
                self._db.executescript(
                    "DROP TABLE IF EXISTS prints; DROP TABLE IF EXISTS bands; "
                    f"{SCHEMA} PRAGMA user_version = {VERSION};"
                )
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(f"PRAGMA cache_size = -{CACHE_KB}")
        except sqlite3.Error as exc:
            raise ArchiveError(f"the copy fingerprints in {path} cannot be opened: {exc}") from exc
        self._open = False

    def close(self) -> None:
        self.rollback()
        self._db.close()

    def _guard(self) -> AbstractContextManager[None]:
        """A write the disk refuses drops the whole transaction and is our error."""
        return disk_writes(f"the copy fingerprints {self.path}", self.path, undo=self.rollback)

    def _begin(self) -> None:
        if not self._open:
            self._db.execute("BEGIN")
            self._open = True

    def commit(self) -> None:
        with self._guard():
            if self._open:
                self._db.execute("COMMIT")
                self._open = False

    def rollback(self) -> None:
        self._open = False
        if self._db.in_transaction:
            with suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def assign(
        self, articles: Sequence[Article], prints: Sequence[Fingerprint] | None = None
    ) -> list[Article]:
        """The articles with their group ids set; ``prints`` may hold their fingerprints
        computed elsewhere (in the parsing processes)."""
        out = []
        with self._guard():
            self._begin()
            for index, article in enumerate(articles):
                fp = prints[index] if prints is not None else fingerprint(article)
                bands = fp.bands()
                self._remove([article.id])
                group = self._match(fp, bands) or article.id
                self._insert(article.id, group, fp, bands)
                out.append(replace(article, group=group))
        return out

    def forget(self, ids: Iterable[str]) -> None:
        """Drop the fingerprints of deleted articles."""
        with self._guard():
            self._begin()
            self._remove(list(ids))

    def group(self, article_id: str) -> str | None:
        row = self._db.execute("SELECT grp FROM prints WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def _match(self, fp: Fingerprint, bands: list[int]) -> str | None:
        marks = ",".join("?" * len(bands))
        rows = self._db.execute(
            f"SELECT doc, grp, exact, size, signature, day, figures FROM prints WHERE exact = ? "
            f"UNION ALL SELECT p.doc, p.grp, p.exact, p.size, p.signature, p.day, p.figures "
            f"FROM bands b "
            f"JOIN prints p ON p.doc = b.doc WHERE b.band IN ({marks})",
            [fp.exact, *bands],
        ).fetchall()
        best: tuple[float, str] | None = None
        seen = set()
        for doc, group, exact, size, signature, day, figures in rows:
            if doc in seen:
                continue
            seen.add(doc)
            other = Fingerprint(exact, signature, size, day, figures)
            if same_story(fp, other):
                score = 2.0 if exact == fp.exact else resemblance(fp, other)[0]
                if best is None or score > best[0]:
                    best = (score, group)
        return best[1] if best else None

    def _insert(self, article_id: str, group: str, fp: Fingerprint, bands: list[int]) -> None:
        doc = self._db.execute(
            "INSERT INTO prints (id, grp, exact, size, day, figures, signature) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article_id, group, fp.exact, fp.size, fp.day, fp.figures, fp.signature),
        ).lastrowid
        self._db.executemany(
            "INSERT INTO bands (band, doc) VALUES (?, ?)", [(b, doc) for b in bands]
        )

    def _remove(self, ids: list[str]) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT doc, signature FROM prints WHERE id IN ({marks})", chunk
            ).fetchall()
            for doc, signature in rows:
                keys = Fingerprint("", signature, 0).bands()
                self._db.executemany(
                    "DELETE FROM bands WHERE band = ? AND doc = ?", [(key, doc) for key in keys]
                )
                self._db.execute("DELETE FROM prints WHERE doc = ?", (doc,))


def open_deduper(data_dir: Path) -> Deduper:
    """The deduper of the archive in ``data_dir``."""
    return Deduper(data_dir / "dedup.sqlite3")
