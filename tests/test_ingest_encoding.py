"""Decoding: bytes always become text; whether they are text at all is a separate question."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.ingest.text.encoding import decode, is_text


def test_utf8_stray_latin1_and_declared_charsets():
    assert decode("café".encode()) == "café"
    assert decode(b"caf\xc3\xa9 and caf\xe9") == "café and café"
    assert decode("Привет".encode("cp1251"), declared="windows-1251") == "Привет"
    assert decode(b"\xff\xfeA\x00") == "A"


def test_random_high_bytes_are_not_text_but_legacy_text_is():
    rng = random.Random(7)
    assert not is_text(bytes(rng.randrange(0x80, 0x100) for _ in range(2000)))
    assert is_text("Привет мир, это обычный текст. ".encode("cp1251") * 20)
    assert is_text(b"plain ascii") and is_text(b"caf\xc3\xa9 caf\xe9")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.sampled_from([None, "utf-8", "latin-1", "bogus", "utf-16"]))
def test_any_bytes_decode_and_is_text_answers(data, declared):
    assert isinstance(decode(data, declared), str)
    assert isinstance(is_text(data), bool)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_utf8_text_round_trips(text):
    data = text.encode("utf-8", errors="surrogatepass")
    if "\ufeff" not in text[:1] and not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert decode(data) == text
        assert is_text(data)
