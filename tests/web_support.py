"""A small archive for the web tests: the seeds plus articles with every kind of metadata.

Twenty-five rice-harvest reports spread over 2003 (two sources, two bylines, tags) give
facets, a monthly timeline and three pages of results; a few more add other years, a second
language, an undated article and one whose every field is hostile markup.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from archive.config import Settings
from archive.core import Archive
from tests.conftest import SEEDS

HARVESTS = 25
HOSTILE_TITLE = '<script>alert("title")</script> Evil & "quoted" rice'
HOSTILE_BYLINE = '"><img src=x onerror=alert(1)>'
HOSTILE_SOURCE = "Evil <b>Source</b>"
HOSTILE_URL = "javascript:alert(document.cookie)"


def article(title: str, body: str, **meta: str) -> str:
    """A text file with a metadata header, as the plain-text parser reads it."""
    header = "".join(f"{key.capitalize()}: {value}\n" for key, value in meta.items())
    return f"Title: {title}\n{header}\n{body}\n"


def write_corpus(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, HARVESTS + 1):
        month = (n - 1) % 12 + 1
        source = "Asahi" if n % 2 else "Mainichi"
        byline = "Jane Doe" if n % 3 else "Taro Yamada"
        (folder / f"harvest-{n:02d}.txt").write_text(
            article(
                f"Rice harvest report number {n}",
                f"Farmers in Hokkaido reported a strong rice harvest in report {n}.\n\n"
                "Prices fell as the harvesting season ended and warehouses filled.",
                date=f"2003-{month:02d}-{n % 28 + 1:02d}",
                source=source,
                byline=byline,
                tags="farming, japan",
                language="en",
                url=f"https://news.example.com/harvest/{n}",
            ),
            encoding="utf-8",
        )
    (folder / "older.txt").write_text(
        article(
            "Drought threatens the rice crop",
            "A long drought worried rice farmers in Niigata.",
            date="2001-07-04",
            source="Asahi",
            byline="Jane Doe",
            tags="farming, weather",
        ),
        encoding="utf-8",
    )
    (folder / "german.txt").write_text(
        article(
            "Reisernte in Bayern",
            "Die Bauern in Bayern melden eine gute Reisernte.",
            date="2002-09-10",
            source="Süddeutsche",
            byline="Max Müller",
            tags="europe",
            language="de",
        ),
        encoding="utf-8",
    )
    (folder / "typhoon.txt").write_text(
        article(
            "Typhoon season begins early",
            "The first typhoon of the season reached Okinawa.",
            date="1996-08-20",
            source="Kyodo",
            tags="weather",
        ),
        encoding="utf-8",
    )
    (folder / "undated.txt").write_text(
        article(
            "Undated note on fisheries",
            "Fisheries in the north had a quiet year.",
            source="Mainichi",
        ),
        encoding="utf-8",
    )
    (folder / "hostile.txt").write_text(
        article(
            HOSTILE_TITLE,
            'Body with <script>alert("body")</script> and <b>bold</b> rice markup.\n\n'
            "Second paragraph mentions the hostile harvest.",
            date="2003-06-15",
            source=HOSTILE_SOURCE,
            byline=HOSTILE_BYLINE,
            tags="<i>tag</i>, farming",
            url=HOSTILE_URL,
        ),
        encoding="utf-8",
    )


def build_archive(root: Path) -> Archive:
    """An archive in ``root`` holding the seeds and the corpus above."""
    write_corpus(root / "articles")
    archive = Archive(Settings(data_dir=root / "data", trusted_hosts=()))
    report = archive.index([SEEDS, root / "articles"])
    assert report.failed == 0, report.failures
    return archive


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, dict[str, str | None]]] = []
        self._open: list[tuple[str, dict[str, str | None], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open.append((dict(attrs).get("href") or "", dict(attrs), []))

    def handle_data(self, data: str) -> None:
        for _, _, text in self._open:
            text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            href, attrs, text = self._open.pop()
            self.found.append((href, " ".join("".join(text).split()), attrs))


def links(html: str) -> list[tuple[str, str, dict[str, str | None]]]:
    """Every ``<a>`` of a page: (href, visible text, attributes), in document order."""
    parser = _Links()
    parser.feed(html)
    return parser.found


def link_to(html: str, text: str) -> str:
    """The href of the first link whose text starts with ``text``."""
    for href, label, _ in links(html):
        if label.startswith(text):
            return href
    raise AssertionError(f"no link {text!r} on the page")


#: text files with agency statuses among their tags: file name -> (title, tags)
HELD_STORIES = {
    "strike-ends.txt": ("Port strike ends", "shipping"),
    "strike-deal.txt": ("Port strike deal under embargo", "shipping, not-for-publication"),
    "strike-schedule.txt": ("Port strike schedule for editors", "service-message"),
    "strike-harbour.txt": ("Harbour reopens after the strike", "shipping"),
}


def write_held_corpus(folder: Path) -> None:
    """Four strike reports, one withheld by its agency and one a service message."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, (name, (title, tags)) in enumerate(HELD_STORIES.items(), start=1):
        (folder / name).write_text(
            article(
                title,
                f"{title}. The dockers' union and the port authority met in Hamburg.",
                date=f"2024-05-0{n}",
                source="Wire",
                tags=tags,
            ),
            encoding="utf-8",
        )
