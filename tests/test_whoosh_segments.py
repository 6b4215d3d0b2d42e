"""The array segment writer against Whoosh's own writer: the same articles give indexes that
read the same, field for field, posting for posting, search for search.

Whoosh's writer (``add_document``, one commit per batch) is the oracle. Every generated
batch of articles goes into one index through it and into another through
``whoosh_segments``; both are then read through Whoosh's readers and compared in
everything a reader shows: stored fields, terms and their statistics, postings (documents,
weights, positions, block statistics), field lengths, columns, deletions, and the answers
of searches through Whoosh's matchers and through the archive's array evaluator (hits,
scores, snippets, facets, timeline). The same holds after documents are deleted, after
Whoosh merges the segments, and when Whoosh's writer adds segments of its own beside ours.
"""

from __future__ import annotations

import io
import itertools
import pickle
import random
import re
import struct
import tempfile
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import fields, formats, index
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.filedb.structfile import StructFile
from whoosh.matching import FilterMatcher
from whoosh.util.numeric import length_to_byte

from archive.config import Settings
from archive.engines.whoosh import compat
from archive.engines.whoosh.arrays import ArrayCache
from archive.engines.whoosh.compile import Compiler
from archive.engines.whoosh.rank import weighting
from archive.engines.whoosh.schema import schema, spelling_analyzer, to_document
from archive.engines.whoosh.search import run_search
from archive.engines.whoosh.segments.analysis import Analyser, UnsupportedField
from archive.engines.whoosh.segments.builder import SegmentBuilder, commit, length_bytes
from archive.engines.whoosh.segments.chains import Words
from archive.engines.whoosh.segments.files import (
    lengths_column,
    numeric_column,
    terms_file,
    varbytes_column,
)
from archive.engines.whoosh.segments.postings import WHOOSH_LAYOUT, Layout
from archive.engines.whoosh.segments.streams import position_values
from archive.models import Article, PubDate, SearchRequest
from archive.query import parse

compat.apply()

LATE = ("copy", "group")
WORDS = [
    "treaty", "talks", "Koizumi", "Putin", "harbour", "oil", "prices", "running", "runs",
    "the", "of", "and", "a", "I", "2002", "1.5", "U.S.", "e.g.", "naïve", "café", "São",
    "Paulo", "İstanbul", "Straße", "STRASSE", "ﬁnance", "ΑΣ", "Σ", "don't", "can’t",
    "東京都", "北京大学", "東", "한국어", "ｶﾀｶﾅ", "a東京b", "x*y", "—", ",", ".", "\n",
]  # fmt: skip
TEXT = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=40).map(" ".join)
#: a very long body now and then: thousands of positions, blocks of many postings
LONG = st.builds(lambda text, times: " ".join([text] * times), TEXT, st.integers(50, 400))
LAYOUTS = [Layout(), Layout(block=128), WHOOSH_LAYOUT, Layout(block=4, compression=1)]


@st.composite
def articles(draw: Any, count: int) -> list[Article]:
    out = []
    for number in range(count):
        published = None
        if draw(st.booleans()):
            when = datetime(1987, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 10**6)))
            published = PubDate(when, draw(st.sampled_from(["second", "day", "year"])), "")
        tags = tuple(
            draw(st.lists(st.sampled_from(["oil", "Asia, Pacific", "a,b", "東京"]), max_size=3))
        )
        out.append(
            Article(
                id=f"a{number:04d}",
                title=draw(TEXT),
                body=draw(st.one_of(TEXT, TEXT, TEXT, LONG)),
                byline=draw(st.sampled_from([None, "Kyodo", "Jane Doe", "José Núñez"])),
                source=draw(st.sampled_from([None, "Reuters", "Japan Times", ""])),
                language=draw(st.sampled_from([None, "en", "ja"])),
                published=published,
                tags=tags,
            )
        )
    return out


def _documents(articles: list[Article], copies: dict[int, int]) -> tuple[list[dict], list[dict]]:
    """The documents as a parsing worker makes them (no story groups yet) and as they end
    up (some articles copies of earlier ones)."""
    provisional = [to_document(article) for article in articles]
    final = []
    for number, article in enumerate(articles):
        group = articles[copies[number]].id if number in copies else None
        final.append(to_document(Article(**{**vars(article), "group": group})))
    return provisional, final


def _whoosh_index(folder: str, batches: list[list[dict]]) -> Any:
    ix = index.create_in(folder, schema())
    for documents in batches:
        writer = ix.writer()
        for document in documents:
            writer.add_document(**document)
        writer.commit(merge=False)
    return ix


def _array_index(folder: str, batches: list[tuple[list[dict], list[dict]]], layout: Layout) -> Any:
    ix = index.create_in(folder, schema())
    worker, main = Analyser(ix.schema, late=LATE), Analyser(ix.schema, late=LATE)
    builder = SegmentBuilder(ix.schema, layout)
    for provisional, final in batches:
        half = len(provisional) // 2
        for part in (slice(0, half), slice(half, None)):  # two worker batches per segment
            analysed = worker.analyse(provisional[part])
            main.complete(analysed, {name: [d.get(name) for d in final[part]] for name in LATE})
            builder.add(analysed)
        commit(ix, [builder.write(ix)])
    return ix


def snapshot(ix: Any, blocks: bool) -> dict[str, Any]:
    """Everything Whoosh's readers show of an index."""
    ix = index.open_dir(ix.storage.folder)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        size = reader.doc_count_all()
        shown: dict[str, Any] = {
            "counts": (reader.doc_count(), size),
            "segments": [segment.doc_count_all() for segment in ix._segments()],
            "deleted": [reader.is_deleted(n) for n in range(size)],
            "stored": [reader.stored_fields(n) for n in range(size)],
            "fields": sorted(reader.indexed_field_names()),
        }
        for name, field in ix.schema.items():
            if field.scorable:
                shown[f"length {name}"] = [reader.doc_field_length(n, name) for n in range(size)]
                shown[f"total {name}"] = (reader.field_length(name), _longest(reader, name))
            if field.column_type is not None and reader.has_column(name):
                shown[f"column {name}"] = list(reader.column_reader(name, translate=False))
        for number, (leaf, _) in enumerate(searcher.leaf_searchers()):
            shown.update(_terms(leaf.reader(), number, blocks))
    return shown


def _terms(reader: Any, segment: int, blocks: bool) -> dict[str, Any]:
    """One segment's terms, their statistics and postings."""
    shown = {}
    for fieldname, text in reader.all_terms():
        info = reader.term_info(fieldname, text)
        shown[f"{segment} term {fieldname} {text!r}"] = (
            info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
            info.max_weight(), info.min_id(), info.max_id(),
        )  # fmt: skip
        postings, matcher = [], reader.postings(fieldname, text)
        while matcher.is_active():
            posting = (matcher.id(), matcher.weight(), matcher.value())
            if blocks:
                inner = matcher.child if isinstance(matcher, FilterMatcher) else matcher
                posting += (
                    inner.block_min_length(), inner.block_max_length(),
                    inner.block_max_weight(), inner.block_max_id(),
                )  # fmt: skip
            postings.append(posting)
            matcher.next()
        shown[f"{segment} postings {fieldname} {text!r}"] = postings
    return shown


def _longest(reader: Any, name: str) -> int | None:
    try:
        return reader.max_field_length(name)
    except TypeError:  # Whoosh's answer when no document has the field
        return None


QUERIES = [
    "oil", "koizumi putin", '"oil prices"', "talks OR treaty -harbour", "run*", "東京",
    '"北京 大学"', "sao paulo", "title:treaty", "byline:kyodo", "source:reuters", "tags:asia",
    "year:1987", "date:[1987-01-01 TO 1987-06-30]", "language:ja", "istanbul", "strasse",
]  # fmt: skip


def searches(ix: Any) -> list[Any]:
    """The answers to ``QUERIES``: Whoosh's matches and scores, and the archive's pages."""
    ix = index.open_dir(ix.storage.folder)
    compiler = Compiler(ix.schema)
    answers = []
    with ix.searcher(weighting=weighting()) as searcher:
        for text in QUERIES:
            query = compiler.compile(parse(text))
            found = [
                (hit.docnum, round(hit.score, 9)) for hit in searcher.search(query, limit=None)
            ]
            for copies in (False, True):
                request = SearchRequest(q=text, per_page=50, copies=copies)
                page = run_search(searcher, query, request, Settings(), ArrayCache())
                answers.append((text, found, page.total, page.hits, page.facets, page.timeline))
        answers.append(sorted(searcher.lexicon("words")))
        range_query = wq.NumericRange("ts", 536_000_000, 560_000_000)
        answers.append(sorted(hit.docnum for hit in searcher.search(range_query, limit=None)))
    return answers


def _same(whoosh: Any, ours: Any, layout: Layout) -> None:
    blocks = layout.block == 128
    expected, found = snapshot(whoosh, blocks), snapshot(ours, blocks)
    assert found.keys() == expected.keys()
    for key in expected:
        assert found[key] == expected[key], key
    assert searches(ours) == searches(whoosh)


def _delete(ix: Any, ids: list[str]) -> None:
    writer = ix.writer()
    for article_id in ids:
        writer.delete_by_term("id", article_id)
    writer.commit(merge=False)


def _add_and_merge(ix: Any, more: list[dict]) -> None:
    """Add documents through Whoosh's writer, then merge every segment into one."""
    writer = ix.writer()
    for document in more:
        writer.add_document(**document)
    writer.commit(merge=False)
    ix.optimize()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), layout=st.sampled_from(LAYOUTS))
def test_segments_read_as_whoosh_writes_them(data: Any, layout: Layout) -> None:
    sizes = data.draw(st.lists(st.integers(1, 12), min_size=1, max_size=3))
    everything = data.draw(articles(sum(sizes) + 3))
    extra, stories = everything[-3:], everything[:-3]
    copies = {
        number: data.draw(st.integers(0, number - 1))
        for number in range(1, len(stories))
        if data.draw(st.booleans())
    }
    provisional, final = _documents(stories, copies)
    bounds = list(itertools.accumulate(sizes, initial=0))
    batches = [(provisional[a:b], final[a:b]) for a, b in itertools.pairwise(bounds)]
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        whoosh = _whoosh_index(one, [final for _, final in batches])
        ours = _array_index(two, batches, layout)
        _same(whoosh, ours, layout)
        gone = data.draw(st.lists(st.sampled_from([a.id for a in stories]), max_size=4))
        more = [to_document(Article(**{**vars(a), "id": f"more-{a.id}"})) for a in extra]
        for ix in (whoosh, ours):
            _delete(ix, gone)
        _same(whoosh, ours, layout)
        for ix in (whoosh, ours):
            _add_and_merge(ix, more)
        _same(whoosh, ours, WHOOSH_LAYOUT)


# the parts, against the Whoosh code that writes them -------------------------------------


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.one_of(TEXT, st.none()), min_size=1, max_size=8))
def test_analysis_gives_what_the_fields_index(values: list[str | None]) -> None:
    ix_schema = schema()
    # the words as written with positions too: their filter keeps each word's position
    ix_schema.add("surface", fields.TEXT(analyzer=spelling_analyzer()))
    analyser = Analyser(ix_schema)
    names = ["title", "body", "words", "body_words", "surface", "byline", "source", "tags"]
    names += ["tags_exact", "id", "day"]
    documents = [{name: value for name in names} for value in values]
    batch = analyser.analyse(documents)
    for name in names:
        field = ix_schema[name]
        expected = {}
        for number, value in enumerate(values):
            if value is not None:
                for text, freq, weight, encoded in field.index(value):
                    expected[(number, text)] = (freq, weight, encoded)
        found = {}
        if name in batch.fields:
            postings = batch.fields[name]
            for at in range(len(postings.term)):
                encoded = _value(postings, at, field)
                key = (int(postings.doc[at]), postings.terms[postings.term[at]])
                found[key] = (int(postings.freq[at]), float(postings.weights()[at]), encoded)
        assert found == expected, name
        if field.scorable:
            lengths = [
                sum(f for (n, _), (f, _, _) in expected.items() if n == d)
                for d in range(len(values))
            ]
            assert batch.lengths[name].tolist() == lengths


def _value(postings: Any, at: int, field: Any) -> bytes:
    if postings.values is not None:  # a pickled bytes object
        data, starts = postings.values
        return pickle.loads(b"\x80\x04" + data[starts[at] : starts[at + 1]].tobytes() + b".")
    if field.format.fixed_value_size() == 0:
        return b""
    return struct.pack("!I", int(postings.freq[at]))


def _written(make: Any) -> bytes:
    """What a Whoosh writer object writes into a StructFile given to ``make``."""
    buffer = io.BytesIO()
    handle = StructFile(buffer)
    handle.close = lambda: None  # keep the buffer readable
    make(handle)
    return buffer.getvalue()


@settings(max_examples=30, deadline=None)
@given(
    keys=st.sets(st.binary(min_size=1, max_size=12), max_size=300),
    value=st.binary(min_size=3, max_size=3),
)
def test_terms_file_is_whoosh_ordered_hash_file(keys: set[bytes], value: bytes) -> None:
    ordered = sorted(keys)
    fieldmap = {"body": 0, "title": 1}

    def whoosh(handle: Any) -> None:
        writer = OrderedHashWriter(handle)
        writer.extras["fieldmap"] = fieldmap
        for key in ordered:
            writer.add(key, value)
        writer.close()

    rows = np.frombuffer(value * len(ordered), dtype=np.uint8).reshape(-1, 3)
    assert terms_file(ordered, rows, fieldmap) == _written(whoosh)


@pytest.mark.parametrize("count", [0, 5, 40_000])
def test_columns_are_whoosh_columns(count: int) -> None:
    rng = random.Random(count)
    texts = [rng.choice([None, b"", b"x" * rng.randrange(400)]) for _ in range(count)]
    numbers = [rng.choice([None, 0, 255, rng.randrange(2**64)]) for _ in range(count)]
    lengths = np.array([rng.choice([0, 1, 7, 200_000]) for _ in range(count)], dtype=np.int64)
    for column, values, ours in (
        (VarBytesColumn(), texts, varbytes_column(texts, count)),
        (
            NumericColumn("Q", default=255),
            numbers,
            numeric_column(NumericColumn("Q", 255), numbers),
        ),
        (
            LENGTHS_COLUMN,
            [int(b) or None for b in length_bytes(lengths)],
            lengths_column(length_bytes(lengths)),
        ),
    ):

        def whoosh(handle: Any, column: Any = column, values: Any = values) -> None:
            writer = column.writer(handle)
            for docnum, value in enumerate(values):
                if value is not None:
                    writer.add(docnum, value)
            writer.finish(count)

        assert ours == _written(whoosh)


def test_length_bytes_are_whoosh_length_bytes() -> None:
    lengths = np.arange(0, 300_000)
    expected = [length_to_byte(int(length)) for length in lengths]
    assert length_bytes(lengths).tolist() == expected


@settings(max_examples=50, deadline=None)
@given(
    lists=st.lists(
        st.sets(st.integers(0, 3_000_000), min_size=1, max_size=2100), min_size=1, max_size=4
    )
)
def test_position_values_are_whoosh_positions(lists: list[set[int]]) -> None:
    positions = [sorted(found) for found in lists]
    data, starts = position_values(
        np.array([p for found in positions for p in found], dtype=np.int64),
        np.array([len(found) for found in positions]),
    )
    encode = formats.Positions().encode
    for number, found in enumerate(positions):
        assert data[starts[number] : starts[number + 1]].tobytes() == encode(found)


# whole indexes: long documents, other schemas, deletions, interrupted commits -------------


def _build_both(
    folder: Any, documents: list[dict], ix_schema: Any, layout: Layout, stored_level: int = 3
) -> tuple[Any, Any]:
    whoosh = index.create_in(str(folder / "whoosh"), ix_schema)
    writer = whoosh.writer()
    for document in documents:
        writer.add_document(**document)
    writer.commit()
    ours = index.create_in(str(folder / "ours"), ix_schema)
    builder = SegmentBuilder(ix_schema, layout)
    builder.add(Analyser(ix_schema, stored_level=stored_level).analyse(documents))
    commit(ours, [builder.write(ours)])
    return whoosh, ours


@pytest.mark.parametrize("layout", [Layout(), Layout(block=128, compression=1)], ids=str)
def test_long_documents_and_common_words(tmp_path: Any, layout: Layout) -> None:
    """Positions past 65,535, lengths past the largest length byte, terms in thousands of
    documents (many blocks, large document number gaps)."""
    rng = random.Random(3)
    words = [w for w in WORDS if w.strip()]
    articles = [
        Article(f"long{n}", "oil " * (n % 50), " ".join(rng.choice(words) for _ in range(n % 97)))
        for n in range(1500)
    ]
    articles.append(Article("huge", "huge", " ".join(rng.choice(words) for _ in range(140_000))))
    for folder in ("whoosh", "ours"):
        (tmp_path / folder).mkdir()
    whoosh, ours = _build_both(tmp_path, [to_document(a) for a in articles], schema(), layout)
    _same(whoosh, ours, layout)


def test_any_schema_through_its_fields(tmp_path: Any) -> None:
    """Field types, analysers and formats the archive's schema does not use go through the
    same comparison: unstemmed text, characters, floats, dates, booleans, stored-only."""
    from whoosh import analysis, fields

    ix_schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        plain=fields.TEXT(analyzer=analysis.StandardAnalyzer(), stored=True),
        exact=fields.TEXT(analyzer=analysis.RegexTokenizer() | analysis.LowercaseFilter()),
        chars=fields.TEXT(chars=True),
        stems=fields.TEXT(analyzer=analysis.StemmingAnalyzer()),
        ngrams=fields.NGRAMWORDS(),
        keywords=fields.KEYWORD(lowercase=True, scorable=True, sortable=True),
        price=fields.NUMERIC(float, stored=True),  # (Whoosh cannot sort floats)
        when=fields.DATETIME(sortable=True),
        flag=fields.BOOLEAN(stored=True),
        note=fields.STORED,
    )
    rng = random.Random(9)
    documents = []
    for number in range(300):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(0, 30)))
        document: dict[str, Any] = {"id": f"d{number}", "plain": text, "exact": text, "stems": text}
        document.update(chars=text, ngrams=text[:30], keywords=" ".join(rng.sample(WORDS, 2)))
        if rng.random() < 0.7:
            document.update(price=rng.random() * 100, when=datetime(2002, 6, 1 + number % 28))
        document.update(flag=rng.random() < 0.5, note={"n": number})
        documents.append(document)
    for folder in ("whoosh", "ours"):
        (tmp_path / folder).mkdir()
    whoosh, ours = _build_both(tmp_path, documents, ix_schema, Layout(block=128), stored_level=0)
    expected, found = snapshot(whoosh, True), snapshot(ours, True)
    assert found == expected


def test_commit_deletes_by_term_in_earlier_segments(tmp_path: Any) -> None:
    articles = [Article(f"a{n}", "oil", f"prices {n}") for n in range(40)]
    documents = [to_document(a) for a in articles]
    whoosh = _whoosh_index(str(tmp_path), [documents[:20]])
    writer = whoosh.writer()
    for article in articles[:25]:
        writer.delete_by_term("id", article.id)
    for document in documents[20:]:
        writer.add_document(**document)
    writer.commit(merge=False)
    (tmp_path / "ours").mkdir()
    ours = index.create_in(str(tmp_path / "ours"), schema())
    builder = SegmentBuilder(ours.schema)
    builder.add(Analyser(ours.schema).analyse(documents[:20]))
    commit(ours, [builder.write(ours)])
    builder.add(Analyser(ours.schema).analyse(documents[20:]))
    commit(ours, [builder.write(ours)], {"id": [a.id for a in articles[:25]]})
    _same(whoosh, ours, Layout())
    # ids 20 to 24 are in the new segment, which a commit's deletions leave alone
    assert index.open_dir(ours.storage.folder).doc_count() == 20


def test_an_unpublished_segment_is_invisible_and_cleaned_up(tmp_path: Any) -> None:
    """A segment written but not committed (a crash before the table of contents is
    replaced) leaves the index as it was; the next commit removes its file."""
    ix = index.create_in(str(tmp_path), schema())
    analyser, builder = Analyser(ix.schema), SegmentBuilder(ix.schema)
    builder.add(analyser.analyse([to_document(Article("a", "oil", "prices"))]))
    commit(ix, [builder.write(ix)])
    builder.add(analyser.analyse([to_document(Article("b", "gold", "prices"))]))
    orphan = builder.write(ix)
    assert orphan is not None
    assert index.open_dir(str(tmp_path)).doc_count() == 1
    builder.add(analyser.analyse([to_document(Article("c", "tin", "prices"))]))
    commit(ix, [builder.write(ix)])
    reopened = index.open_dir(str(tmp_path))
    assert reopened.doc_count() == 2
    assert reopened.latest_generation() == 2
    names = set(reopened.storage.list())
    assert orphan.make_filename(".seg") not in names
    assert names == {"_MAIN_2.toc", *(s.make_filename(".seg") for s in reopened._segments())}


def test_unsupported_features_are_refused() -> None:
    from whoosh import fields

    with pytest.raises(UnsupportedField, match="vectors"):
        Analyser(fields.Schema(text=fields.TEXT(vector=True)))
    analyser = Analyser(schema())
    with pytest.raises(UnsupportedField, match="boosts"):
        analyser.analyse([{"id": "a", "_boost": 2.0}])
    with pytest.raises(UnsupportedField, match="no field"):
        analyser.analyse([{"nope": "a"}])


@settings(max_examples=100, deadline=None)
@given(
    bits=st.sampled_from([8, 16, 32, 64]),
    signed=st.booleans(),
    step=st.sampled_from([0, 1, 4, 8]),
    data=st.data(),
)
def test_numbers_give_whoosh_trie_terms(bits: int, signed: bool, step: int, data: Any) -> None:
    from whoosh import fields

    field = fields.NUMERIC(int, bits=bits, signed=signed, shift_step=step)
    numbers = st.integers(field.min_value, field.max_value)
    values = data.draw(st.lists(numbers, min_size=1, max_size=20))
    batch = Analyser(fields.Schema(n=field)).analyse([{"n": value} for value in values])
    found = sorted(
        (batch.fields["n"].terms[t], int(d)) for t, d in zip(*_pairs(batch), strict=True)
    )
    expected = sorted((text, d) for d, v in enumerate(values) for text, *_ in field.index(v))
    assert found == expected
    assert batch.fields["n"].terms == sorted(batch.fields["n"].terms)


def _pairs(batch: Any) -> tuple[list[int], list[int]]:
    return batch.fields["n"].term.tolist(), batch.fields["n"].doc.tolist()


@settings(max_examples=200, deadline=None)
@given(
    pattern=st.sampled_from(
        [r"[\w\*]+(\.?[\w\*]+)*", r"\w+(\.?\w+)*", r"[^,]+", r"[(]x(y)+", r"[]()]+(z)", r"[^](]+"]
    ),
    text=st.one_of(TEXT, st.text(alphabet="ayxz()[],.*_ \\é東", max_size=30)),
)
def test_tokenizer_expressions_find_what_whoosh_finds(pattern: str, text: str) -> None:
    expression = re.compile(pattern)
    assert Words(expression)(text) == [m.group(0) for m in expression.finditer(text)]
