"""Wire copies: fingerprints, grouping at indexing, and one hit per story in searches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from archive.config import Settings
from archive.engines import open_engine
from archive.indexing.dedup import Deduper, fingerprint, open_deduper, same_story
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
    deduper.commit()
    deduper.close()
    again = Deduper(tmp_path / "dedup.sqlite3")
    late = again.assign([story("d", "Putin, Koizumi", "\n\n".join(PARAGRAPHS[1:]))])
    assert late[0].group == "a"
    again.forget(["a", "b", "d"])
    assert again.assign([story("e", "Koizumi", BODY)])[0].group == "e"
    again.rollback()
    again.close()


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
    deduper.commit()
    deduper.close()
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
