"""Wire copies: fingerprints, grouping at indexing, and one hit per story in searches."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from archive.config import Settings
from archive.core import Archive
from archive.engines import open_engine
from archive.indexing.catalog import Catalog
from archive.indexing.dedup import Deduper
from archive.indexing.fingerprints import fingerprint, same_story
from archive.models import Article, PubDate, SearchRequest
from archive.query import build

PARAGRAPHS = [
    "TOKYO, June 27 - Prime Minister Junichiro Koizumi said on Thursday that Japan and "
    "Russia would speed up talks on a peace treaty after he met President Vladimir Putin.",
    "The two leaders agreed that officials would meet again in the autumn to discuss the "
    "dispute over four islands off Hokkaido seized by Soviet troops at the end of the war.",
    "Koizumi said he would visit Moscow early next year if the talks made progress, and "
    "that economic cooperation in Siberia and the Far East would be part of the package.",
    "Putin told reporters that both sides wanted a solution acceptable to their peoples "
    "and that the question of the islands should not block trade and investment.",
]
BODY = "\n\n".join(PARAGRAPHS)


def story(article_id, title, body, day="2002-06-27", **fields):
    when = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return Article(
        article_id,
        title,
        body,
        published=PubDate(when, "day", day),
        source_path=f"/{article_id}",
        **fields,
    )


def test_edited_copies_are_the_same_story():
    original = fingerprint(story("a", "Koizumi and Putin agree", BODY))
    trimmed = fingerprint(story("b", "Koizumi and Putin agree", "\n\n".join(PARAGRAPHS[:3])))
    retitled = fingerprint(story("c", "Japan, Russia to speed up treaty talks", BODY))
    reordered = fingerprint(story("d", "x", "\n\n".join(reversed(PARAGRAPHS))))
    for copy in (trimmed, retitled, reordered):
        assert same_story(original, copy)


def test_other_stories_and_template_stories_are_not_copies():
    original = fingerprint(story("a", "Koizumi and Putin agree", BODY))
    other = fingerprint(story("b", "Weather", "Rain is expected across Kyushu on Friday. " * 5))
    assert not same_story(original, other)
    # the same words with other figures: a daily report, not a copy
    report = (
        "The Federal Reserve arranged {} billion dlrs of customer repurchase agreements, "
        "a Fed spokesman said. Dealers said federal funds were trading at {} pct when the Fed "
        "began its temporary and indirect supply of reserves to the banking system today."
    )
    monday = fingerprint(story("c", "Fed adds reserves", report.format("1.5", "6-1/8")))
    tuesday = fingerprint(story("d", "Fed adds reserves", report.format("2.0", "6-3/16")))
    assert not same_story(monday, tuesday)


def test_copies_are_published_within_days_of_each_other():
    first = fingerprint(story("a", "t", BODY, day="2002-06-27"))
    much_later = fingerprint(story("b", "t", BODY, day="2002-09-27"))
    assert not same_story(first, much_later)


def test_short_texts_must_match_exactly():
    notice = "Qtly div 30 cts vs 30 cts prior. Pay April 30. Record April Three."
    a = fingerprint(story("a", "J.P. STEVENS SETS PAYOUT", notice))
    b = fingerprint(story("b", "MOORE FINANCIAL SETS PAYOUT", notice))
    assert not same_story(a, b)
    assert same_story(a, fingerprint(story("c", "J.P. STEVENS SETS PAYOUT", notice)))


def open_deduper(data_dir):
    return Deduper(Catalog(data_dir / "catalog.sqlite3"))


def test_deduper_groups_and_remembers(tmp_path):
    deduper = open_deduper(tmp_path)
    out = deduper.assign(
        [
            story("a", "Koizumi and Putin agree", BODY),
            story("b", "Japan, Russia to speed up treaty talks", BODY, day="2002-06-28"),
            story("c", "Weather", "Rain is expected across Kyushu on Friday. " * 5),
        ]
    )
    assert [article.group for article in out] == ["a", "a", "c"]
    deduper.catalog.commit()
    deduper.catalog.close()
    again = open_deduper(tmp_path)
    late = again.assign([story("d", "Putin, Koizumi", "\n\n".join(PARAGRAPHS[1:]))])
    assert late[0].group == "a"
    again.forget(["a", "b", "d"])
    assert again.assign([story("e", "Koizumi", BODY)])[0].group == "e"
    again.catalog.rollback()
    again.catalog.close()


@pytest.fixture
def engine(tmp_path):
    deduper = open_deduper(tmp_path)
    articles = deduper.assign(
        [
            story("late", "Koizumi and Putin agree", BODY, day="2002-06-28", source="Times"),
            story("early", "Japan, Russia to speed up talks", BODY, source="Kyodo"),
            story("other", "Koizumi on taxes", "Koizumi spoke about taxes. " * 6, source="Kyodo"),
        ]
    )
    deduper.catalog.commit()
    deduper.catalog.close()
    engine = open_engine(Settings(data_dir=tmp_path))
    with engine.writer(timeout=5) as writer:
        writer.add(articles)
    yield engine
    engine.close()


def search(engine, q, **kwargs):
    request = SearchRequest(q=q, **kwargs)
    return engine.search(build(request), request)


def test_results_show_one_hit_per_story_the_earliest_copy(engine):
    page = search(engine, "koizumi")
    assert page.total == 2
    assert {hit.id: hit.copies for hit in page.hits} == {"early": 1, "other": 0}
    sources = {v.value: v.count for f in page.facets if f.name == "source" for v in f.values}
    assert sources == {"Kyodo": 2}


def test_all_copies_on_request_counted_in_facets(engine):
    page = search(engine, "koizumi", copies=True)
    assert page.total == 3 and {hit.id for hit in page.hits} == {"early", "late", "other"}
    sources = {v.value: v.count for f in page.facets if f.name == "source" for v in f.values}
    assert sources == {"Kyodo": 2, "Times": 1}
    assert sum(bucket.count for bucket in page.timeline) == 3


def test_a_copy_that_alone_matches_still_stands_for_its_story(engine):
    page = search(engine, '"Koizumi and Putin agree"')
    assert [hit.id for hit in page.hits] == ["late"]


def test_the_group_is_stored(engine):
    # "late" was indexed first and heads the group; "early" joined it
    assert engine.get("late").group is None and engine.get("early").group == "late"


# the separate fingerprint file of earlier versions ---------------------------------------

#: the tables earlier versions kept in ``dedup.sqlite3`` (scheme 3)
OLD_SCHEMA = """
CREATE TABLE prints (doc INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, grp TEXT NOT NULL,
    exact TEXT NOT NULL, size INTEGER NOT NULL, day INTEGER, figures TEXT NOT NULL,
    signature BLOB NOT NULL);
CREATE INDEX prints_exact ON prints(exact);
CREATE TABLE bands (band INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (band, doc))
    WITHOUT ROWID;
"""


def old_file(data_dir, articles, version=3):
    """A ``dedup.sqlite3`` as earlier versions left it, holding ``articles`` (id, group)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(data_dir / "dedup.sqlite3")
    db.executescript(f"{OLD_SCHEMA} PRAGMA user_version = {version};")
    for article, group in articles:
        fp = fingerprint(article)
        doc = db.execute(
            "INSERT INTO prints (id, grp, exact, size, day, figures, signature) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article.id, group, fp.exact, fp.size, fp.day, fp.figures, fp.signature),
        ).lastrowid
        db.executemany("INSERT INTO bands VALUES (?, ?)", [(b, doc) for b in fp.bands()])
    db.commit()
    db.close()
    return data_dir / "dedup.sqlite3"


def test_an_old_fingerprint_file_is_moved_into_the_catalog(tmp_path):
    old = old_file(
        tmp_path,
        [(story("a", "Koizumi and Putin agree", BODY), "a"), (story("b", "x", BODY), "a")],
    )
    deduper = open_deduper(tmp_path)
    assert not old.exists()
    assert deduper.group("a") == deduper.group("b") == "a"
    copy = deduper.assign([story("c", "Putin, Koizumi", "\n\n".join(PARAGRAPHS[1:]))])
    assert copy[0].group == "a"
    deduper.catalog.rollback()
    # a file left by a crash after the copy was committed adds nothing a second time
    old_file(tmp_path, [(story("a", "Koizumi and Putin agree", BODY), "a")])
    again = Deduper(deduper.catalog)
    assert again.db.execute("SELECT COUNT(*) FROM fingerprints").fetchone()[0] == 2
    assert again.db.execute("SELECT COUNT(*) FROM fingerprint_bands").fetchone()[0] == 2 * 42
    assert not old.exists()
    deduper.catalog.close()


def test_old_fingerprints_that_cannot_be_used_are_reported_not_lost_silently(tmp_path, caplog):
    old = old_file(tmp_path, [(story("a", "Koizumi and Putin agree", BODY), "a")], version=2)
    open_deduper(tmp_path).catalog.close()
    assert "1 copy fingerprints in" in caplog.text and "newsarchive reindex" in caplog.text
    assert not old.exists()
    caplog.clear()
    old.write_bytes(b"not a database at all" * 100)
    deduper = open_deduper(tmp_path)
    assert "cannot be read" in caplog.text and "newsarchive reindex" in caplog.text
    assert old.exists()  # kept for whoever wants to look at it
    assert deduper.assign([story("d", "Koizumi", BODY)])[0].group == "d"
    deduper.catalog.close()


def test_indexing_a_data_directory_with_an_unreadable_old_file_works(tmp_path, caplog):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Koizumi and Putin agree\n\n" + BODY)
    (tmp_path / "in" / "b.txt").write_text("Japan, Russia to speed up talks\n\n" + BODY)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "dedup.sqlite3").write_bytes(b"\0garbage" * 500)
    with Archive(Settings(data_dir=tmp_path / "data")) as archive:
        report = archive.index([tmp_path / "in"])
        assert (report.new, report.failed) == (2, 0)
        assert archive.search(SearchRequest(q="koizumi")).total == 1  # one story, two copies
    assert "cannot be read" in caplog.text
