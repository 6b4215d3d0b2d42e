"""Real collections end to end: the whole BBC folder indexes without a failure."""

from __future__ import annotations

from archive.config import Settings
from archive.core import Archive
from archive.models import SearchRequest

TOPICS = ("business", "entertainment", "politics", "sport", "tech")


def test_whole_bbc_folder_indexes_with_zero_failures(shared, tmp_path):
    folders = [shared / "data" / "bbc-news" / topic for topic in TOPICS]
    with Archive(Settings(data_dir=tmp_path)) as archive:
        report = archive.index(folders)
        assert (report.seen, report.new, report.failed) == (2225, 2225, 0)
        assert archive.stats().articles == 2225
        page = archive.search(SearchRequest(q="Chelsea Mutu"))
        assert page.hits[0].title == "Chelsea sack Mutu"
        assert archive.check().ok
        again = archive.index(folders)
        assert (again.unchanged, again.articles_written) == (2225, 0)
