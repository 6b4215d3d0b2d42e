"""Source keys: printable, unambiguous, reversible; ids of files as they always were."""

from __future__ import annotations

import hashlib
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from archive.ingest import keys
from archive.ingest.articles import stable_id

#: names as a file system gives them: any character but NUL and "/", bytes that are not
#: UTF-8 as surrogate escapes
_names = st.text(
    st.one_of(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"),
        st.sampled_from(["!", "#", "\\", "\n", "\udcff", "\udc80"]),
    ),
    min_size=1,
    max_size=12,
)
_paths = st.lists(_names, min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts))


@given(_paths)
def test_a_file_key_is_printable_and_gives_its_path_back(path):
    key = keys.file_key(path)
    assert not any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in key)
    assert keys.path_of(key) == path
    assert not keys.is_member(key)
    assert keys.seed(key) == path


@given(_paths, st.lists(st.tuples(_names, st.integers(1, 3)), min_size=1, max_size=3))
def test_a_member_key_names_its_file_and_never_equals_a_file_key(path, members):
    key = keys.file_key(path)
    for name, copy in members:
        key = keys.member_key(key, name, copy)
    assert keys.is_member(key)
    assert keys.file_of(key) == keys.file_key(path)
    assert keys.path_of(key) == path
    assert len(keys.parts(key)) == len(members) + 1
    # no file, whatever its name, has this key, or the seed of its ids
    assert keys.file_key(keys.unescape(key)) != key
    assert keys.seed(key) != keys.unescape(key)


@given(_paths, _paths)
def test_distinct_paths_have_distinct_keys(first, second):
    if first != second:
        assert keys.file_key(first) != keys.file_key(second)


def test_the_file_named_like_a_member_and_the_member_differ():
    container = keys.file_key("/x/a.zip")
    member = keys.member_key(container, "m1.txt")
    beside = keys.file_key("/x/a.zip!m1.txt")
    assert member == "/x/a.zip!m1.txt" and beside == "/x/a.zip\\!m1.txt"
    assert stable_id(keys.seed(member)) != stable_id(keys.seed(beside))
    # repeated member names and a member named like the repeat mark stay apart too
    assert keys.member_key(container, "m#2") != keys.member_key(container, "m", 2)
    assert keys.member_key(container, "x!y") != keys.member_key(
        keys.member_key(container, "x"), "y"
    )


def test_ids_of_files_are_what_they_always_were():
    # the formula of every earlier version: blake2b(path NUL record), 8 bytes
    for path, record in (("/a/x.txt", ""), ("/news/wire.xml", "guid-1"), ("/a b/é!.txt", "")):
        old = hashlib.blake2b(f"{path}\x00{record}".encode(), digest_size=8).hexdigest()
        assert stable_id(keys.seed(keys.file_key(path)), record) == old


def test_names_are_shown_with_escapes():
    assert keys.file_key("/x/new\nline\ttab") == "/x/new\\nline\\ttab"
    assert keys.file_key("/x/\udcffbyte") == "/x/\\xffbyte"
    assert keys.file_key("/x/back\\slash") == "/x/back\\\\slash"
    assert keys.file_key("/x/esc\x1b[31m") == "/x/esc\\u001b[31m"
    assert keys.name_of(keys.member_key("/x/a.tar", "dir/story.txt", 2)) == "story.txt"


def test_legacy_names_become_keys():
    assert keys.legacy("/x/a.txt", "/x/a.txt") == "/x/a.txt"
    assert keys.legacy("/x/wow!.txt", "/x/wow!.txt") == "/x/wow\\!.txt"
    assert keys.legacy("/x/a.zip!in.zip!m.txt#2", "/x/a.zip") == keys.member_key(
        keys.member_key("/x/a.zip", "in.zip"), "m.txt", 2
    )
