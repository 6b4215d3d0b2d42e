"""Source keys: one printable, unambiguous name per source, and the seed of its article ids.

A file's key is its absolute path; a member of a container is keyed
``container!member`` (``outer.zip!inner.zip!story.txt`` for nested archives). Keys go
into the catalog, the summaries and ``show``, so they are made of printable text, and
no two sources share one whatever their names:

* a backslash is written ``\\\\`` and a ``!`` that belongs to a name ``\\!``, so a bare
  ``!`` always separates a container from its member (the file ``a.zip!m.txt`` is
  ``a.zip\\!m.txt``, the member ``m.txt`` of ``a.zip`` is ``a.zip!m.txt``);
* a byte of a name that is not UTF-8 is ``\\xNN`` (the file system's bytes, kept
  losslessly); a control character (a newline, say) is ``\\n``, ``\\t``, ``\\r`` or
  ``\\uNNNN``, so a name never forges a line of output;
* in a member's name ``#`` is ``\\#``: a container that repeats a name keys its second
  copy ``name#2``.

``path_of`` turns a file's key back into the path to open. Article ids (``seed``) come
from a file's path exactly as before keys were escaped, so the ids of files never
change; a member's id comes from its key, marked so that it can never equal a path.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

#: separates a container's key from the name of one of its members
MEMBER = "!"
_SIMPLE = {"\\": "\\\\", "!": "\\!", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSIMPLE = {v[1]: k for k, v in _SIMPLE.items()} | {"#": "#"}
_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|.)", re.DOTALL)
#: what ``escape`` changes (Cc, Cs, Zl and Zp characters, and the marks)
_SPECIAL = re.compile(r"[\\!\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
#: a bare ``!``: one not written ``\!`` (an even run of backslashes before it)
_SEPARATOR = re.compile(r"(?<!\\)((?:\\\\)*)!")


def escape(name: str, member: bool = False) -> str:
    """``name`` (a path, or with ``member`` a member's name) as key text."""
    if not _SPECIAL.search(name) and not (member and "#" in name):
        return name
    out = []
    for char in name:
        if char in _SIMPLE:
            out.append(_SIMPLE[char])
        elif member and char == "#":
            out.append("\\#")
        elif "\udc80" <= char <= "\udcff":  # a byte that is not UTF-8 (surrogateescape)
            out.append(f"\\x{ord(char) - 0xDC00:02x}")
        elif unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def unescape(text: str) -> str:
    """The name that ``escape`` made ``text`` of."""

    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] == "x" and len(code) == 3:
            return chr(0xDC00 + int(code[1:], 16))
        if code[0] == "u" and len(code) == 5:
            return chr(int(code[1:], 16))
        return _UNSIMPLE.get(code, code)

    return _ESCAPE.sub(one, text)


def file_key(path: str) -> str:
    """The key of the file at ``path`` (absolute, as the walk found it)."""
    return escape(path)


def member_key(container: str, name: str, copy: int = 1) -> str:
    """The key of member ``name`` of the container keyed ``container`` (its ``copy``-th
    member of that name)."""
    return f"{container}{MEMBER}{escape(name, member=True)}" + (f"#{copy}" if copy > 1 else "")


def parts(key: str) -> list[str]:
    """A key cut at its separators: the file's key, then each member's (still escaped)."""
    if MEMBER not in key:
        return [key]
    pieces: list[str] = []
    start = 0
    for match in _SEPARATOR.finditer(key):
        end = match.end() - 1
        pieces.append(key[start:end])
        start = end + 1
    pieces.append(key[start:])
    return pieces


def file_of(key: str) -> str:
    """The key of the file a source lives in: itself, or its outermost container."""
    return parts(key)[0]


def is_member(key: str) -> bool:
    return len(parts(key)) > 1


def path_of(key: str) -> str:
    """The path to open for a file's key (for a member's key, its container's path)."""
    return unescape(file_of(key))


def name_of(key: str) -> str:
    """The file or member name at the end of ``key``, for sniffing by extension."""
    pieces = parts(key)
    last = pieces[-1]
    if len(pieces) > 1:
        last = re.sub(r"(?<!\\)#\d+$", "", last)  # the mark of a repeated name
    return unescape(last).replace("\\", "/").rsplit("/", 1)[-1]


def seed(key: str) -> str:
    """What a source's article ids are made from (see ``ingest.articles.stable_id``).

    A file's ids come from its path as it was always spelled; a member's from its key
    after a NUL, which no path holds, so a member and a file never share an id.
    """
    return "\x00" + key if is_member(key) else path_of(key)


def under(key: str, roots: Sequence[str]) -> bool:
    """Whether the source ``key`` lies in (or is) one of the file keys ``roots``."""
    path = path_of(key)
    for root in map(path_of, roots):
        if path == root or path.startswith(root.rstrip("/") + "/"):
            return True
    return False


def legacy(path: str, file: str) -> str:
    """The key for a source an earlier catalog named ``path`` in ``file``.

    Earlier catalogs wrote paths unescaped and members as ``file!member!member``;
    a ``!`` after the file's path is read as a separator, as nested archives are the
    common case. What this gets wrong is only a name: the next run that reads the
    container keys its members anew.
    """
    key = file_key(file)
    if path == file or not path.startswith(file + MEMBER):
        return key if path == file else file_key(path)
    for name in path[len(file) + 1 :].split(MEMBER):
        copy = 1
        found = re.fullmatch(r"(.*)#(\d+)", name)
        if found and int(found.group(2)) > 1:
            name, copy = found.group(1), int(found.group(2))
        key = member_key(key, name, copy)
    return key
