"""One hit per story on Whoosh: hiding the later copies of each group among a search's matches.

Indexing gives every article a ``group`` id (``archive.indexing.dedup``): its own id, or the id of
the story it copies. Among a search's matches, every member of a group but the earliest is
left out, so ranking, totals, facets and the timeline all count one article per story. The
earliest copy is the first published; undated copies come after dated ones, and equal
times go to the lower document number.
"""

from __future__ import annotations

import numpy as np

from archive.engines.whoosh.arrays import View
from archive.engines.whoosh.evaluate import Matches


def one_per_story(view: View, matches: Matches) -> Matches:
    """``matches`` without the later copies of any story."""
    if "group" not in view.searcher.schema or not len(matches):
        return matches
    groups, _ = view.column("group")
    shared = view.shared_groups()
    candidates = matches.docs[shared[groups[matches.docs]]]
    if len(candidates) < 2:
        return matches
    undated = 1 - view.numbers("dated")[candidates]
    when = view.numbers("ts")[candidates]
    mine = groups[candidates]
    order = np.lexsort((candidates, when, undated, mine))
    sorted_groups = mine[order]
    later = np.ones(len(order), dtype=bool)
    later[0] = False
    later[1:] = sorted_groups[1:] == sorted_groups[:-1]
    hidden = candidates[order[later]]
    if not len(hidden):
        return matches
    return matches.take(~np.isin(matches.docs, hidden, assume_unique=True))


def group_size(view: View, docnum: int) -> int:
    """How many live articles of the index belong to the group of document ``docnum``."""
    if "group" not in view.searcher.schema:
        return 1
    groups, _ = view.column("group")
    return max(1, int(view.group_sizes()[groups[docnum]]))
