"""The writer's patches write the same index as Whoosh's own code, posting for posting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: builds an index of made-up stories (two segments, one merged into the other) and prints
#: a digest of every term, posting (with its positions and block statistics), stored
#: document and field length; ``patched`` installs the archive's Whoosh patches first
BUILD = r"""
import hashlib, random, shutil, sys, tempfile
from whoosh import index
if sys.argv[1] == "patched":
    from archive.engines.whoosh import compat
    compat.apply()
from archive.engines.whoosh.schema import schema, to_document
from archive.models import Article

words = ["treaty", "talks", "Koizumi", "Putin", "harbour", "東京都", "São", "the", "of", "2002"]
rng = random.Random(5)
folder = tempfile.mkdtemp()
ix = index.create_in(folder, schema())
for part in range(2):
    writer = ix.writer(limitmb=1)
    for n in range(150):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(0, 400)))
        article = Article(f"{part}-{n}", rng.choice(words).title(), body, byline="Kyodo")
        writer.add_document(**to_document(article))
    writer.commit(optimize=part == 1)
digest = hashlib.sha256()
with ix.searcher() as searcher:
    reader = searcher.reader()
    for field, text in reader.all_terms():
        digest.update(repr((field, text, reader.doc_frequency(field, text))).encode())
        postings = reader.postings(field, text)
        while postings.is_active():
            block = (postings.block_min_length(), postings.block_max_length())
            posting = (postings.id(), postings.weight(), postings.value(), block)
            digest.update(repr(posting).encode())
            postings.next()
    for docnum, stored in reader.iter_docs():
        lengths = [reader.doc_field_length(docnum, f) for f in ("title", "body", "words")]
        digest.update(repr((docnum, sorted(stored.items()), lengths)).encode())
    count = reader.doc_count()
ix.close()
shutil.rmtree(folder)
print(count, digest.hexdigest())
"""


def build(mode: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", BUILD, mode],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    return done.stdout.strip()


def test_patched_writer_writes_the_same_index_as_whoosh():
    patched = build("patched")
    assert patched.startswith("300 ")
    assert patched == build("plain")
