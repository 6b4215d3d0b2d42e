"""Reading aids on Whoosh: related articles, spelling suggestions and autocomplete.

* ``similar``: the words that characterise an article (frequent in it, rare in the archive,
  weighted tf x idf) become a query; the article and its own copies are left out and
  other copies collapse as in any search.
* ``suggest``: a query word the archive does not hold is replaced by the closest word it
  does hold (``archive.search.spelling.closest``), first among the headline words as
  written, then among the body's.
* ``complete``: headline words starting with the last word typed, the most frequent
  first, and headlines matching everything typed so far.

Related articles and headlines are found and ranked by the array evaluator (``evaluate``),
as searches are; an article's words are read through ``forms``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from whoosh import query as wq
from whoosh.searching import Searcher

from archive.config import Settings
from archive.engines.whoosh.arrays import ArrayCache, view
from archive.engines.whoosh.evaluate import evaluate, ranked
from archive.engines.whoosh.expand import bound_expansions
from archive.engines.whoosh.forms import forms
from archive.engines.whoosh.rank import FieldsTerm
from archive.engines.whoosh.schema import FIELD_BOOSTS
from archive.engines.whoosh.search import run_search
from archive.errors import ArticleNotFound
from archive.models import Completion, Hit, SearchRequest
from archive.querytree import DEFAULT_FIELDS
from archive.search.expansion import idf
from archive.search.spelling import closest, max_edits

#: characteristic words of an article that make up its "more like this" query
SIMILAR_WORDS = 25
#: characters of an article read for its characteristic words
SIMILAR_CHARS = 20_000


def similar(
    searcher: Searcher,
    article_id: str,
    limit: int,
    settings: Settings,
    cache: ArrayCache | None = None,
) -> tuple[Hit, ...]:
    """Articles about what ``article_id`` is about, best first, without its copies."""
    docnum = searcher.document_number(id=article_id)
    if docnum is None:
        raise ArticleNotFound(f"no article has the id {article_id!r}")
    query = similar_query(searcher, docnum)
    if query is None:
        return ()
    request = SearchRequest(per_page=limit, facets=False, timeline=False)
    return run_search(searcher, query, request, settings, cache).hits


def similar_query(searcher: Searcher, docnum: int) -> wq.Query | None:
    """The "more like this" query of article ``docnum``: its characteristic words, the
    article and its copies left out; ``None`` when it has no word worth searching."""
    stored = searcher.stored_fields(docnum)
    article_id = stored["id"]
    text = f"{stored.get('title', '')}\n{stored.get('body', '')[:SIMILAR_CHARS]}"
    counts: Counter[str] = forms(searcher).counts(text)
    total = searcher.doc_count_all()
    weights = {
        word: count * idf(searcher.doc_frequency("body", word), total)
        for word, count in counts.items()
        if searcher.doc_frequency("body", word) > 1
    }
    best = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:SIMILAR_WORDS]
    if not best:
        return None
    top = best[0][1] or 1.0
    fields = {name: FIELD_BOOSTS.get(name, 1.0) for name in DEFAULT_FIELDS}
    words = wq.Or([FieldsTerm(fields, word, boost=weight / top) for word, weight in best])
    group = stored.get("group") or article_id
    return wq.AndNot(words, wq.Or([wq.Term("id", article_id), wq.Term("group", group)]))


def suggest(searcher: Searcher, words: Sequence[str]) -> dict[str, str]:
    """Corrections for the words the archive does not hold: word -> suggested word."""
    reader = searcher.reader()
    spelling = searcher.schema["words"].analyzer
    stemming = searcher.schema["body"].analyzer
    out: dict[str, str] = {}
    for word in words:
        plain = [t.text for t in spelling(word)]
        stems = [t.text for t in stemming(word)]
        if len(plain) != 1 or len(stems) != 1 or not plain[0].isalpha():
            continue
        if reader.doc_frequency("words", plain[0]) or reader.doc_frequency("body", stems[0]):
            continue
        better = _closest(reader, "words", plain[0])
        if better is None and "body_words" in searcher.schema:
            better = _closest(reader, "body_words", plain[0])
        elif better is None:  # an index written before the body's words as written
            better = _closest(reader, "body", stems[0])
        if better:
            out[word] = better
    return out


def _closest(reader: object, field: str, text: str) -> str | None:
    """The index word of ``field`` nearest ``text`` (``spelling.closest``)."""
    found = {
        word.decode("utf-8") if isinstance(word, bytes) else str(word)
        for word in reader.terms_within(field, text, max_edits(text), prefix=1)  # type: ignore[attr-defined]
    }
    frequencies = ((word, int(reader.doc_frequency(field, word))) for word in sorted(found))  # type: ignore[attr-defined]
    return closest(text, frequencies)


def complete(
    searcher: Searcher, prefix: str, limit: int, cache: ArrayCache | None = None
) -> Completion:
    """Ways to finish ``prefix``: queries ending in a headline word, and matching headlines."""
    typed = prefix.split()
    if not typed or prefix.endswith(" "):
        head, last = " ".join(typed), ""
    else:
        head, last = " ".join(typed[:-1]), typed[-1]
    analyzer = searcher.schema["words"].analyzer
    stem = "".join(t.text for t in analyzer(last, removestops=False)) if last else ""
    reader = searcher.reader()
    queries: list[str] = []
    if stem:
        frequent = sorted(
            (
                (-reader.doc_frequency("words", word), word.decode("utf-8"))
                for word in reader.expand_prefix("words", stem)
            ),
        )[: limit * 4]
        start = f"{head} " if head else ""
        queries = [f"{start}{word}" for _, word in frequent][:limit]
    titles: list[tuple[str, str]] = []
    query = completion_query(searcher, prefix)
    if query is not None:
        arrays = view(searcher, cache or ArrayCache())
        matches = evaluate(arrays, bound_expansions(query, reader))
        for docnum in matches.docs[ranked(arrays, matches, "relevance", limit)].tolist():
            stored = searcher.stored_fields(docnum)
            titles.append((stored["id"], stored.get("title", "")))
    return Completion(prefix=prefix, queries=tuple(queries), titles=tuple(titles))


def completion_query(searcher: Searcher, prefix: str) -> wq.Query | None:
    """The headlines that match what is typed: every headline word typed, and a headline
    word starting with the last one (unless a space follows it)."""
    typed = prefix.split()
    if not typed:
        return None
    last = "" if prefix.endswith(" ") else typed[-1]
    head = " ".join(typed if not last else typed[:-1])
    analyzer = searcher.schema["words"].analyzer
    parts: list[wq.Query] = [wq.Term("words", t.text) for t in analyzer(head)]
    stem = "".join(t.text for t in analyzer(last, removestops=False)) if last else ""
    if stem:
        parts.append(wq.Prefix("words", stem))
    return wq.And(parts) if parts else None
