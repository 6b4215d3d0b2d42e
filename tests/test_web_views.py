"""What the results page links to (``web.views``) and the timeline's geometry (``web.timeline``)."""

from __future__ import annotations

from datetime import date

from archive.models import Bucket, SearchPage, SearchRequest
from web.timeline import timeline_view
from web.views import href_for, results_view

HREF = href_for("/search")


def pager_labels(page: int, total: int) -> list[str]:
    view = results_view(SearchPage(SearchRequest(q="x", page=page), total, ()), HREF, str)
    return ["…" if link is None else link.label for link in view.pager.pages]


def test_pager_shows_the_ends_and_a_window_around_the_current_page():
    assert pager_labels(1, 5) == []
    assert pager_labels(1, 30) == ["1", "2", "3"]
    assert pager_labels(10, 500) == ["1", "…", "8", "9", "10", "11", "12", "…", "50"]
    assert pager_labels(50, 500) == ["1", "…", "48", "49", "50"]


def test_pager_never_links_beyond_what_the_archive_serves():
    view = results_view(SearchPage(SearchRequest(q="x"), 5_000_000, ()), HREF, str)
    assert view.pager.pages[-1].label == "10001"


def test_previous_and_next():
    view = results_view(SearchPage(SearchRequest(q="x", page=2), 30, ()), HREF, str)
    assert view.pager.previous.href == "/search?q=x"
    assert view.pager.next.href == "/search?q=x&page=3"


def buckets(*counts: int) -> tuple[Bucket, ...]:
    return tuple(
        Bucket(str(1990 + n), date(1990 + n, 1, 1), date(1991 + n, 1, 1), count)
        for n, count in enumerate(counts)
    )


def test_timeline_bars_scale_to_the_peak_and_skip_empty_buckets():
    page = SearchPage(SearchRequest(), 9, (), timeline=buckets(4, 0, 8, 1), timeline_unit="year")
    view = timeline_view(page, lambda start, end: f"{start}/{end}")
    assert view is not None
    assert [bar.label for bar in view.bars] == ["1990", "1992", "1993"]
    assert [bar.height for bar in view.bars] == [50.0, 100.0, 12.5]
    assert view.bars[1].y == 0 and view.bars[1].slot_x == 20
    assert view.bars[1].width == round(8.5 * 4 / 12, 2)  # few buckets: bars stay slim
    assert view.bars[0].href == "1990-01-01/1991-01-01"
    assert view.width == 40 and view.peak == 8
    assert view.caption == "Matching articles per year, 1990 to 1993"
    assert view.bars[2].description == "1993: 1 article"


def test_tiny_bars_stay_visible_and_empty_timelines_are_not_drawn():
    page = SearchPage(SearchRequest(), 1, (), timeline=buckets(1000, 1), timeline_unit="year")
    assert timeline_view(page, lambda s, e: "")
    assert timeline_view(page, lambda s, e: "").bars[1].height == 2.0
    assert timeline_view(SearchPage(SearchRequest(), 0, ()), lambda s, e: "") is None
    empty = SearchPage(SearchRequest(), 0, (), timeline=buckets(0, 0), timeline_unit="year")
    assert timeline_view(empty, lambda s, e: "") is None
    single = SearchPage(SearchRequest(), 3, (), timeline=buckets(3), timeline_unit="year")
    assert timeline_view(single, lambda s, e: "") is None
