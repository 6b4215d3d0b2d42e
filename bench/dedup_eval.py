"""Precision and recall of wire-copy grouping on Reuters-21578 plus perturbed copies.

Usage: ``python bench/dedup_eval.py [--shared PATH] [--copies N] [--seed S]``

The labelled set:

* every story of Reuters-21578, parsed by the archive's own Reuters parser;
* its real repeats, labelled without MinHash: stories with the same body words (case and
  punctuation aside; for a body under 40 words, whose text alone does not identify a
  story, also the same headline words), and re-sends with small edits: stories published
  within two days of each other whose bodies open with the same eight words (after the
  dateline), agree character by character (difflib ratio >= 0.8, or the shorter one
  found at least 90% inside the longer) and give the same figures (a daily report or a
  dividend notice repeats its words with new figures and is a new story); under 40 body
  words the headlines must also agree;
* ``--copies`` perturbed copies of randomly chosen stories of at least 60 words, each
  labelled with its original: trimmed (the last third or so cut), re-headlined (a new
  headline), paragraphs reordered, or re-headlined and trimmed together.

All articles go through ``archive.indexing.dedup.Deduper`` in a shuffled order, as they would reach
an index. Precision and recall are counted over pairs of articles: a pair is predicted
when both get the same group id and true when both have the same label.
"""

from __future__ import annotations

import argparse
import difflib
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import needs  # noqa: E402

needs.need_project()

from archive.indexing.catalog import Catalog  # noqa: E402
from archive.indexing.dedup import Deduper  # noqa: E402
from archive.indexing.fingerprints import SHORT_BODY, words  # noqa: E402
from archive.ingest.articles import SourceDoc, content_hash  # noqa: E402
from archive.ingest.formats import reuters  # noqa: E402
from archive.models import Article  # noqa: E402

HEADLINE_PREFIXES = ("UPDATE 1-", "RPT-", "CORRECTED-", "WRAPUP-", "FOCUS-")


def read_reuters(folder: Path) -> list[Article]:
    articles = []
    for path in sorted(folder.glob("*.sgm")):
        data = path.read_bytes()
        doc = SourceDoc(str(path), data, content_hash(data))
        articles.extend(item for item in reuters.parse(doc) if isinstance(item, Article))
    return articles


def _resent(a: Article, b: Article) -> bool:
    if a.published and b.published and abs((a.published.value - b.published.value).days) > 2:
        return False
    left, right = " ".join(words(a.body)), " ".join(words(b.body))
    short, long = sorted((left.split(), right.split()), key=len)
    if len(short) < SHORT_BODY and words(a.title) != words(b.title):
        return False
    figures = {w for w in short if w[0].isdigit()}
    if len(figures - {w for w in long if w[0].isdigit()}) > 0.1 * len(figures):
        return False
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    if matcher.ratio() >= 0.8:
        return True
    shared = sum(block.size for block in matcher.get_matching_blocks())
    return shared >= 0.9 * min(len(left), len(right))


def real_labels(articles: list[Article]) -> dict[str, str]:
    """Each story's label: the id of the first story of its repeats (union-find)."""
    parent = {a.id: a.id for a in articles}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(a: str, b: str) -> None:
        parent[root(b)] = root(a)

    exact: dict[tuple[str, ...], str] = {}
    blocks: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        join(exact.setdefault(real_label(article), article.id), article.id)
        lede = words(article.body.split(" - ", 1)[-1])[:8]
        if len(lede) == 8:
            blocks[" ".join(lede)].append(article)
    for block in blocks.values():
        for i, a in enumerate(block):
            for b in block[i + 1 :]:
                if root(a.id) != root(b.id) and _resent(a, b):
                    join(a.id, b.id)
    return {article.id: root(article.id) for article in articles}


def real_label(article: Article) -> tuple[str, ...]:
    body = words(article.body)
    if len(body) < SHORT_BODY:
        return ("short", " ".join(words(article.title)), " ".join(body))
    return ("body", " ".join(body))


def paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n\n") if p.strip()]


def trimmed(body: str, rng: random.Random) -> str:
    parts = paragraphs(body)
    if len(parts) >= 3:
        keep = max(2, round(len(parts) * rng.uniform(0.6, 0.8)))
        return "\n\n".join(parts[:keep])
    tokens = body.split()
    return " ".join(tokens[: max(30, round(len(tokens) * rng.uniform(0.6, 0.8)))])


def reordered(body: str, rng: random.Random) -> str:
    parts = paragraphs(body)
    if len(parts) < 2:
        sentences = [s for s in body.replace("\n", " ").split(". ") if s]
        rng.shuffle(sentences)
        return ". ".join(sentences)
    shuffled = parts[:]
    while shuffled == parts:
        rng.shuffle(shuffled)
    return "\n\n".join(shuffled)


def reheadlined(title: str, rng: random.Random) -> str:
    tokens = title.split()
    rng.shuffle(tokens)
    return rng.choice(HEADLINE_PREFIXES) + " ".join(tokens[: max(3, len(tokens) - 2)]).lower()


def perturb(article: Article, number: int, rng: random.Random) -> tuple[str, Article]:
    kind = rng.choice(("trimmed", "re-headlined", "reordered", "re-headlined+trimmed"))
    title, body = article.title, article.body
    if "trimmed" in kind:
        body = trimmed(body, rng)
    if "re-headlined" in kind:
        title = reheadlined(title, rng)
    if kind == "reordered":
        body = reordered(body, rng)
    return kind, replace(article, id=f"copy{number:06d}", title=title, body=body)


def labelled_set(
    articles: list[Article], copies: int, rng: random.Random
) -> tuple[list[Article], dict[str, str], Counter[str]]:
    """Articles to index and each one's true label; with the count of each perturbation."""
    labels = real_labels(articles)
    eligible = [a for a in articles if len(words(a.body)) >= 60]
    kinds: Counter[str] = Counter()
    extra = []
    for number, original in enumerate(rng.sample(eligible, min(copies, len(eligible)))):
        kind, copy = perturb(original, number, rng)
        kinds[kind] += 1
        labels[copy.id] = labels[original.id]
        extra.append(copy)
    everything = articles + extra
    rng.shuffle(everything)
    return everything, labels, kinds


def pairs(groups: dict[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for article_id, group in groups.items():
        members[group].append(article_id)
    out = set()
    for ids in members.values():
        ids.sort()
        out.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return out


def evaluate(articles: Iterable[Article], labels: dict[str, str]) -> tuple[float, float, dict]:
    with tempfile.TemporaryDirectory() as temp:
        catalog = Catalog(Path(temp) / "catalog.sqlite3")
        deduper = Deduper(catalog)
        predicted: dict[str, str] = {}
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= 1000:
                predicted.update((a.id, a.group or a.id) for a in deduper.assign(batch))
                batch = []
        predicted.update((a.id, a.group or a.id) for a in deduper.assign(batch))
        catalog.commit()
        catalog.close()
    found, true = pairs(predicted), pairs(labels)
    hits = len(found & true)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(true) if true else 1.0
    return precision, recall, {"predicted": found, "true": true}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    needs.add_argument(parser)
    parser.add_argument("--copies", type=int, default=2000, help="perturbed copies to add")
    parser.add_argument("--seed", type=int, default=1987)
    parser.add_argument("--show", type=int, default=0, help="print this many wrong pairs")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    reuters = args.shared / "data" / "reuters21578"
    needs.need(parser, reuters / "reut2-000.sgm", "Reuters-21578")
    originals = read_reuters(reuters)
    articles, labels, kinds = labelled_set(originals, args.copies, rng)
    started = time.perf_counter()
    precision, recall, detail = evaluate(articles, labels)
    seconds = time.perf_counter() - started
    by_id = {a.id: a for a in articles}
    for name, wrong in (
        ("false pair", detail["predicted"] - detail["true"]),
        ("missed pair", detail["true"] - detail["predicted"]),
    ):
        for a, b in sorted(wrong)[: args.show]:
            print(f"{name}: {by_id[a].title!r} / {by_id[b].title!r}")
            print(f"   {by_id[a].body[:150]!r}\n   {by_id[b].body[:150]!r}")
    real = len(pairs({i: labels[i] for i in labels if not i.startswith("copy")}))
    made = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    print(
        f"articles {len(articles)} (Reuters {len(originals)}, "
        f"perturbed copies {sum(kinds.values())}: {made})"
    )
    print(
        f"true pairs {len(detail['true'])} ({real} among real repeats), "
        f"predicted pairs {len(detail['predicted'])}"
    )
    print(f"{'precision':>10} {'recall':>8} {'secs':>6}")
    print(f"{precision:10.3f} {recall:8.3f} {seconds:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
