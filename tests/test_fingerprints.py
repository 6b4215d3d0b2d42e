"""The copy fingerprints' MinHash against datasketch's, the reference it reproduces."""

from __future__ import annotations

import zlib

import datasketch
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.indexing import fingerprints
from archive.indexing.fingerprints import NUM_PERM, SEED, minhash


def reference(shingles: list[bytes]) -> bytes:
    """datasketch 2.0's affine32 MinHash with CRC-32, as fingerprints were made with it."""
    sketch = datasketch.MinHash(
        num_perm=NUM_PERM, seed=SEED, hashfunc=zlib.crc32, scheme="affine32"
    )
    sketch.update_batch(shingles)
    return np.asarray(sketch.hashvalues, dtype=np.uint32).tobytes()


def test_the_permutations_are_datasketchs():
    a, b = datasketch.MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations
    ours = fingerprints._permutations()
    assert (ours[0] == a).all() and (ours[1] == b).all()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=300))
def test_the_signature_is_datasketchs(shingles):
    assert minhash(iter(shingles)) == reference(shingles)


def test_a_long_text_keeps_its_signature():
    shingles = [f"word{n} word{n + 1} word{n + 2}".encode() for n in range(20_000)]
    assert minhash(iter(shingles)) == reference(shingles)
