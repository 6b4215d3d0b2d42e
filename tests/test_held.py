"""Held articles (not for publication, embargoed, service messages) on both engines.

Every search leaves them out and says how many it left out; ``include_held`` or a tag
filter naming a held status brings them back; ``Archive.article`` shows them. Real agency
items from ``../shared`` (the held ones the parsers find there, and dpa's item whose
notepad keeps only a part of itself from publication) and generated articles; a property
test holds the default answer to the include-held answer minus the held articles.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.config import Settings
from archive.core import Archive
from archive.models import HELD_TAGS, Article, PubDate, SearchPage, SearchRequest
from archive.query import includes_held, question
from tests import opensearch_support

ENGINES = ["whoosh", pytest.param("opensearch", marks=pytest.mark.opensearch)]
AGENCY = "data/formats/agency"
#: real agency items in ../shared that say of themselves that they are held, as the
#: parsers read them: a NewsML-G2 embargo, a PA NewsML 1.x embargo, an NITF withheld item,
#: a Reuters NewsML-G2 item cancelled
REAL_HELD = {
    "LISTING 1 A NewsML-G2 News Item.xml": ("embargoed",),
    "pa3.xml": ("embargoed",),
    "nitf-fishing.xml": ("not-for-publication",),
    "tag_reuters.com_2016_newsml_L1N14N0FF_version_1542761538": ("not-for-publication",),
}
#: real items to publish; dpa's notepad ends "the following information is not for
#: publication" (its contacts), which says nothing of the item
REAL_PUBLISHABLE = ("dpa.xml", "ap.xml", "afp.xml")
#: generated articles: (id, held tags, title); the rest of each is shared
GENERATED = [
    ("g1", (), "Port strike ends"),
    ("g2", ("service-message",), "Port strike schedule for editors"),
    ("g3", ("not-for-publication", "embargoed"), "Port strike deal under embargo"),
    ("g4", (), "Harbour reopens after strike"),
    ("g5", ("service-message",), "Test message"),
]


def _settings(request: pytest.FixtureRequest, engine: str, data_dir) -> Settings:
    if engine == "opensearch":
        url = request.getfixturevalue("opensearch_url")
        return opensearch_support.settings(url, data_dir)
    return Settings(data_dir=data_dir, engine=engine)


def _generated(n: int, key: str, tags: tuple[str, ...], title: str) -> Article:
    day = f"2024-05-{n + 1:02d}"
    return Article(
        id=key,
        title=title,
        body=f"{title}. The dockers' union and the port authority met in Hamburg.",
        published=PubDate(datetime.fromisoformat(day).replace(tzinfo=UTC), "day", day),
        source="Wire",
        tags=("shipping", *tags),
        source_path=f"/generated/{key}.txt",
    )


@pytest.fixture(params=ENGINES)
def archive(request, tmp_path, shared):
    """An archive of the real agency items and the generated articles."""
    archive = Archive(_settings(request, request.param, tmp_path / "data"))
    folder = shared / AGENCY
    archive.index([folder / name for name in (*REAL_HELD, *REAL_PUBLISHABLE)])
    with archive.engine.writer(timeout=5) as writer:
        writer.add(_generated(n, *item) for n, item in enumerate(GENERATED))
    yield archive
    if request.param == "opensearch":
        archive.engine.drop()
    archive.close()


def search(archive: Archive, q: str = "", **fields) -> SearchPage:
    return archive.search(SearchRequest(q=q, per_page=100, copies=True, **fields))


def ids(page) -> set[str]:
    return {hit.id for hit in page.hits}


def name(archive: Archive, article_id: str) -> str:
    """A generated article's id, a real one's file name."""
    if article_id.startswith("g"):
        return article_id
    return archive.article(article_id).source_path.rsplit("/", 1)[-1]


def held_ids(archive: Archive) -> dict[str, tuple[str, ...]]:
    page = search(archive, include_held=True)
    return {hit.id: hit.held for hit in page.hits if hit.held}


def test_the_real_held_items_are_recognised(archive):
    found = held_ids(archive)
    named = {name(archive, key): held for key, held in found.items()}
    assert {key: held for key, held in named.items() if key in REAL_HELD} == REAL_HELD
    generated = {key: tags for key, tags, _ in GENERATED if tags}
    assert {key: held for key, held in found.items() if key.startswith("g")} == generated


def test_a_default_search_leaves_held_articles_out_and_counts_them(archive):
    held = held_ids(archive)
    page = search(archive)
    everything = search(archive, include_held=True)
    assert not ids(page) & set(held) and not page.held_included
    assert ids(page) == ids(everything) - set(held)
    assert page.held == len(held) and page.total + page.held == everything.total
    statuses = {value.value: value.count for value in page.held_statuses}
    assert statuses == {
        tag: sum(tag in tags for tags in held.values())
        for tag in HELD_TAGS
        if any(tag in tags for tags in held.values())
    }
    assert everything.held == 0 and everything.held_included
    assert set(REAL_PUBLISHABLE) <= {name(archive, hit.id) for hit in page.hits}


def test_explanations_do_not_give_the_held_articles_exclusion_as_a_reason(archive):
    page = search(archive, "strike -harbour", explain=True)
    assert page.hits and page.held
    for hit in page.hits:
        reasons = {(m.field, m.word) for m in hit.explain}
        assert ("not", "harbour") in reasons  # the person's own NOT is still a reason
        assert not any(m.field == "not" and "embargoed" in m.word for m in hit.explain)
        assert sum(m.score for m in hit.explain) == pytest.approx(hit.score, rel=1e-5)


def test_words_of_a_held_article_find_it_only_when_asked(archive):
    page = search(archive, "Norfolk tide")  # the NITF item withheld by its agency
    assert page.total == 0 and page.held == 1
    assert [(v.value, v.count) for v in page.held_statuses] == [("not-for-publication", 1)]
    shown = search(archive, "Norfolk tide", include_held=True)
    (hit,) = shown.hits
    assert hit.held == ("not-for-publication",) and shown.held == 0


@pytest.mark.parametrize(
    ("q", "tags", "expected"),
    [
        ("", ("embargoed",), {"g3", "LISTING 1 A NewsML-G2 News Item.xml", "pa3.xml"}),
        ("tag:embargoed", (), {"g3", "LISTING 1 A NewsML-G2 News Item.xml", "pa3.xml"}),
        ("tags:service-message", (), {"g2", "g5"}),
        ('tag:"service message" strike', (), {"g2"}),
        ("port strike", ("not-for-publication",), {"g3"}),
    ],
)
def test_naming_a_held_status_includes_held_articles(archive, q, tags, expected):
    page = search(archive, q, tags=tags)
    assert {name(archive, hit.id) for hit in page.hits} == expected
    assert page.held == 0 and page.held_included


def test_taking_a_status_away_leaves_the_others_out_still(archive):
    page = search(archive, "strike -tag:embargoed")
    assert ids(page) == {"g1", "g4"} and page.held == 1  # g2, a service message (g3 is embargoed)
    assert ids(search(archive, "strike -tag:embargoed", include_held=True)) == {"g1", "g2", "g4"}


def test_export_and_timeline_leave_held_articles_out(archive):
    exported = {hit.id for hit in archive.export(SearchRequest(q="strike", copies=True))}
    assert exported == {"g1", "g4"}
    request = SearchRequest(q="strike", copies=True, include_held=True)
    assert {hit.id for hit in archive.export(request)} == {"g1", "g2", "g3", "g4"}
    may = {"date_from": date(2024, 5, 1), "date_to": date(2024, 5, 31)}
    counted = sum(bucket.count for bucket in search(archive, "strike", **may).timeline)
    included = search(archive, "strike", include_held=True, **may).timeline
    assert counted == 2 and sum(bucket.count for bucket in included) == 4


def test_a_held_article_is_shown_with_its_status(archive):
    shown = archive.article("g3")
    assert shown.held == ("not-for-publication", "embargoed")
    assert shown.to_dict()["held"] == ["not-for-publication", "embargoed"]
    assert archive.article("g1").held == ()


WORDS = ["port", "strike", "harbour", "editors", "embargo", "message", "hamburg", "deal"]
TERM = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(lambda word: f"-{word}"),
    st.sampled_from(HELD_TAGS).map(lambda tag: f"tag:{tag}"),
    st.sampled_from(HELD_TAGS).map(lambda tag: f"-tag:{tag}"),
)
QUERY = st.lists(TERM, max_size=3).flatmap(
    lambda terms: st.sampled_from([" ".join(terms), " OR ".join(terms)])
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=QUERY, tags=st.lists(st.sampled_from(["shipping", *HELD_TAGS]), max_size=1))
def test_the_default_answer_is_the_whole_answer_without_the_held_articles(archive, q, tags):
    request = SearchRequest(q=q, tags=tuple(tags), per_page=100, copies=True, strict=True)
    default = archive.search(request)
    everything = archive.search(replace(request, include_held=True))
    assert everything.held == 0 and everything.held_included
    held = {hit.id: hit.held for hit in everything.hits if hit.held}
    if includes_held(request, question(request)):
        assert ids(default) == ids(everything) and default.held == 0 and default.held_included
        return
    assert ids(default) == ids(everything) - set(held)
    assert default.total + default.held == everything.total
    assert default.held == len(held)
    assert {value.value: value.count for value in default.held_statuses} == {
        tag: count
        for tag in HELD_TAGS
        if (count := sum(tag in statuses for statuses in held.values()))
    }


def test_related_articles_and_completions_leave_held_articles_out(archive):
    related = {hit.id for hit in archive.similar("g1", limit=10)}
    assert related and not related & set(held_ids(archive))
    assert "g4" in related  # the other strike report to publish
    titles = {key for key, _ in archive.complete("port str", limit=10).titles}
    assert titles == {"g1"}  # g2 and g3 are held


def test_the_cli_says_what_it_left_out_and_shows_a_held_article(tmp_path):
    from click.testing import CliRunner

    import cli
    from tests.web_support import write_held_corpus

    write_held_corpus(tmp_path / "corpus")
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    assert runner.invoke(cli.main, [*data, "index", "-q", str(tmp_path / "corpus")]).exit_code == 0
    found = runner.invoke(cli.main, [*data, "search", "strike"]).output
    assert "2 articles match" in found and "under embargo" not in found
    assert (
        "2 matching articles marked by their agency were left out: 1 not for publication, "
        "1 service message (--include-held shows them)"
    ) in found
    everything = runner.invoke(cli.main, [*data, "search", "strike", "--include-held"]).output
    assert "4 articles match" in everything and "left out" not in everything
    line = next(line for line in everything.splitlines() if "under embargo" in line)
    assert line.endswith("[Not for publication (agency status)]")
    article_id = everything.split("under embargo")[1].split(" · id ")[1].split()[0]
    shown = runner.invoke(cli.main, [*data, "show", article_id]).output
    assert shown.splitlines()[0] == "NOT FOR PUBLICATION (AGENCY STATUS)"
    as_json = runner.invoke(cli.main, [*data, "search", "strike", "--json"]).output
    assert '"left_out": 2' in as_json
    tagged = runner.invoke(cli.main, [*data, "search", "--tag", "service-message"]).output
    assert "1 article matches" in tagged and "schedule for editors" in tagged
    for extra, count in (([], 2), (["--include-held"], 4)):
        cited = runner.invoke(cli.main, [*data, "cite", "strike", *extra, "--json"]).output
        assert json.loads(cited)["count"] == count
        compact = json.loads(cited)["compact"]
        assert runner.invoke(cli.main, [*data, "cite", "--check", compact]).exit_code == 0


def test_research_leaves_held_articles_out_unless_asked_and_cites_which(archive):
    plain = archive.research.cite(SearchRequest(q="strike", copies=True))
    held = archive.research.cite(SearchRequest(q="strike", copies=True, include_held=True))
    assert (plain.count, held.count) == (2, 4)
    assert "include_held=1" in held.compact() and "include_held" not in plain.compact()
    assert archive.research.check(held.compact()).holds
    assert archive.research.check(held.to_dict()["compact"]).now.count == 4
    may = {"date_from": date(2024, 5, 1), "date_to": date(2024, 5, 31)}
    for include in (False, True):
        asked = SearchRequest(q="strike", include_held=include, copies=True, **may)
        (point,) = archive.research.compare([asked], "month").series[0].points
        everything = search(archive, include_held=include, **may).total
        assert (point.count, point.total) == (4 if include else 2, everything)
