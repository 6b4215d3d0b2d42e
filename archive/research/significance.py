"""How much a term characterises a set of articles against the archive.

For a term found in ``a`` of the ``A`` articles of the foreground (the matches) and in ``b``
of the ``B`` articles of the background (the whole archive, the foreground included):

* ``g2``: Dunning's log-likelihood ratio G² on the 2x2 table of the foreground against the
  rest of the archive (Dunning 1993; Rayson and Garside 2000). It weighs how much more
  often the term occurs in the foreground against how often it occurs at all, so neither
  rare names nor common words win by default. Above 10.83 the difference is significant
  at p < 0.001.
* ``jlh``: Elasticsearch's default for ``significant_terms``: (fg% - bg%) x fg% / bg%.
  It rewards terms that are rare in the archive strongly.

Only terms relatively more frequent in the foreground than in the archive score above zero.
Both functions take numpy arrays (one value per term) so an engine can score a whole
vocabulary at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from archive.errors import QueryError
from archive.models.research import SCORES


def check_score(name: str) -> str:
    if name not in SCORES:
        raise QueryError(f"the score must be one of: {', '.join(SCORES)} (not {name[:20]!r})")
    return name


def scores(name: str, fg: np.ndarray, fg_size: int, bg: np.ndarray, bg_size: int) -> np.ndarray:
    """The score ``name`` of every term (0 for those not over-represented)."""
    fg = np.asarray(fg, dtype=np.float64)
    bg = np.asarray(bg, dtype=np.float64)
    if fg_size <= 0 or bg_size <= 0:
        return np.zeros(len(fg))
    return g2(fg, fg_size, bg, bg_size) if name == "g2" else jlh(fg, fg_size, bg, bg_size)


def jlh(fg: np.ndarray, fg_size: int, bg: np.ndarray, bg_size: int) -> np.ndarray:
    """(fg% - bg%) * fg% / bg%, as Elasticsearch's ``JLHScore``; 0 where fg% <= bg%."""
    fg_share = fg / fg_size
    bg_share = np.maximum(bg, 1.0) / bg_size  # a term is in the background if it is anywhere
    change = fg_share - bg_share
    return np.where(change > 0, change * fg_share / bg_share, 0.0)


def g2(fg: np.ndarray, fg_size: int, bg: np.ndarray, bg_size: int) -> np.ndarray:
    """Log-likelihood G² of the foreground against the rest of the background; 0 where the
    term is not relatively more frequent in the foreground."""
    rest_size = max(bg_size - fg_size, 0)
    a = fg
    b = fg_size - fg
    c = np.maximum(bg - fg, 0.0)  # the rest of the archive
    d = np.maximum(rest_size - c, 0.0)
    total = fg_size + rest_size
    with_term = a + c
    without_term = b + d
    score = 2 * (
        _part(a, fg_size * with_term / total)
        + _part(b, fg_size * without_term / total)
        + _part(c, rest_size * with_term / total)
        + _part(d, rest_size * without_term / total)
    )
    over = a * max(rest_size, 1) > c * fg_size if rest_size else a > 0
    return np.where(over, np.maximum(score, 0.0), 0.0)


def _part(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """O * ln(O / E), 0 where O is 0."""
    safe = np.where(observed > 0, observed, 1.0)
    ratio = np.where(expected > 0, safe / np.where(expected > 0, expected, 1.0), 1.0)
    return np.where(observed > 0, observed * np.log(ratio), 0.0)


def best(
    name: str,
    fg: np.ndarray,
    fg_size: int,
    bg: np.ndarray,
    bg_size: int,
    limit: int,
    min_count: int = 1,
    terms: Sequence[str] | None = None,
) -> np.ndarray:
    """Positions of the ``limit`` best-scoring terms found in at least ``min_count``
    foreground articles, best first; equal scores in the order of ``terms`` (the terms
    themselves), else of position."""
    found = scores(name, fg, fg_size, bg, bg_size)
    found = np.where(np.asarray(fg) >= min_count, found, 0.0)
    candidates = np.flatnonzero(found > 0)
    if terms is None:
        order = candidates[np.lexsort((candidates, -found[candidates]))]
        return order[:limit]
    ranked = sorted(candidates.tolist(), key=lambda at: (-found[at], terms[at]))
    return np.asarray(ranked[:limit], dtype=np.int64)
