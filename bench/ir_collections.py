"""Test collections for bench/relevance.py: documents, queries and relevance judgments.

* Cranfield and CISI: the classic SMART-format collections (aeronautics and information
  science abstracts, long natural-language queries, many judged documents per query).
  Cranfield's ``cran.qry`` numbers its queries with gaps while ``cranqrel`` numbers them
  1..225 in order, so queries are matched by position; grades 1..4 count as relevant.
* BBC and Reuters: news, as known-item search. Each story's headline is the query and the
  story is indexed without it (a file of body text only, as an article saved without its
  headline), so the headline's words must be found in the text, in other forms and among
  other stories on the same subjects; the relevant documents are the story and any story
  with the same text (both sets hold duplicates). Headlines make realistic news queries
  (short, names and abbreviations: "U.S. SAYS ..."), need no human judging, and cannot
  have been tuned on, since nothing of them is indexed. Reuters takes the first
  ``REUTERS_FILES`` files of Reuters-21578, stories with a headline of three words or more
  and a text of at least 200 characters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REUTERS_FILES = 2


@dataclass
class Collection:
    """Documents (id -> title, body), queries (id, text) and judgments."""

    name: str
    docs: dict[str, tuple[str, str]] = field(default_factory=dict)
    queries: list[tuple[str, str]] = field(default_factory=list)
    qrels: dict[str, dict[str, float]] = field(default_factory=dict)
    #: ranks worth keeping per query
    depth: int = 1000

    @property
    def judged(self) -> list[tuple[str, str]]:
        return [(qid, text) for qid, text in self.queries if self.qrels.get(qid)]


def read_smart(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """Records of a SMART file: ``.I id`` then sections ``.T``, ``.A``, ``.W``, ``.X``..."""
    record: dict[str, list[str]] = {}
    number = ""
    section = ""
    for line in path.read_text(encoding="latin-1").splitlines():
        marker = re.match(r"^\.([A-Z])\b\s*(.*)$", line)
        if marker and marker[1] == "I":
            if number:
                yield number, {key: "\n".join(value).strip() for key, value in record.items()}
            number, record, section = marker[2].strip(), {}, ""
        elif marker:
            section = marker[1]
            record.setdefault(section, [])
            if marker[2].strip():
                record[section].append(marker[2])
        elif section:
            record[section].append(line)
    if number:
        yield number, {key: "\n".join(value).strip() for key, value in record.items()}


def cranfield(root: Path) -> Collection:
    coll = Collection("Cranfield")
    for number, parts in read_smart(root / "cran.all.1400"):
        coll.docs[number] = (parts.get("T", ""), parts.get("W", ""))
    for position, (_, parts) in enumerate(read_smart(root / "cran.qry"), start=1):
        coll.queries.append((str(position), parts.get("W", "")))
    for line in (root / "cranqrel").read_text().splitlines():
        qid, doc, grade = line.split()[:3]
        if int(grade) in (1, 2, 3, 4):
            coll.qrels.setdefault(qid, {})[doc] = 1.0
    return coll


def cisi(root: Path) -> Collection:
    coll = Collection("CISI")
    for number, parts in read_smart(root / "CISI.ALL"):
        coll.docs[number] = (parts.get("T", ""), parts.get("W", ""))
    for number, parts in read_smart(root / "CISI.QRY"):
        coll.queries.append((number, parts.get("W", "")))
    for line in (root / "CISI.REL").read_text().splitlines():
        fields = line.split()
        if len(fields) >= 2:
            coll.qrels.setdefault(fields[0], {})[fields[1]] = 1.0
    return coll


def bbc(root: Path) -> Collection:
    stories = []
    for path in sorted(root.glob("*/*.txt")):
        title, _, body = path.read_bytes().decode("utf-8", "replace").strip().partition("\n")
        stories.append((title.strip(), body.strip()))
    return known_items("BBC", stories)


def reuters(root: Path) -> Collection:
    stories = []
    for path in sorted(root.glob("reut2-*.sgm"))[:REUTERS_FILES]:
        text = path.read_text(encoding="latin-1")
        for story in text.split("<REUTERS")[1:]:
            title = re.search(r"<TITLE>(.*?)</TITLE>", story, re.DOTALL)
            body = re.search(r"<BODY>(.*?)</BODY>", story, re.DOTALL)
            if title and body:
                clean_body = re.sub(r"\s*Reuter\s*(&#3;)?\s*$", "", body[1])
                stories.append((_sgml(title[1]), _sgml(clean_body)))
    return known_items(
        "Reuters", [(t, b) for t, b in stories if len(t.split()) >= 3 and len(b) >= 200]
    )


def _sgml(text: str) -> str:
    return html.unescape(re.sub(r"&#\d+;", " ", text)).strip()


def known_items(name: str, stories: list[tuple[str, str]]) -> Collection:
    """Headline as the query, the text without it as the document; stories with the same
    text are relevant to each other's headlines, and a headline is asked once."""
    coll = Collection(name, depth=100)
    same_text: dict[str, list[str]] = {}
    for number, (_, body) in enumerate(stories, start=1):
        coll.docs[str(number)] = ("", body)
        same_text.setdefault(" ".join(body.split()), []).append(str(number))
    asked: dict[str, str] = {}
    for number, (title, body) in enumerate(stories, start=1):
        key = " ".join(title.lower().split())
        if not key:
            continue
        qid = asked.setdefault(key, str(number))
        if qid == str(number):
            coll.queries.append((qid, title))
        for doc in same_text[" ".join(body.split())]:
            coll.qrels.setdefault(qid, {})[doc] = 1.0
    return coll


COLLECTIONS: dict[str, tuple[str, Callable[[Path], Collection]]] = {
    "cranfield": ("data/ir/cranfield", cranfield),
    "cisi": ("data/ir/cisi", cisi),
    "bbc": ("data/bbc-news", bbc),
    "reuters": ("data/reuters21578", reuters),
}
