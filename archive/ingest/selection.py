"""Which files of a folder a run reads: ``--include`` and ``--exclude`` glob patterns.

A pattern is matched, ignoring case, against a file's path relative to the folder the user
gave (``/`` between folders on every system):

* a pattern without a ``/`` is matched against the file's name, at any depth
  (``*.sha256``, ``README.*``);
* a pattern with a ``/`` is matched against the whole relative path; ``*`` and ``?`` stay
  inside one folder name and ``**`` spans any number of folders (``drafts/**``,
  ``**/2002-*/*.txt``).

A file is read when it matches one of the include patterns (or none are given) and none of
the exclude patterns. Hidden files and folders are never read; a file named on the command
line is always read, whatever the patterns say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from archive.errors import ArchiveError


@dataclass
class Selection:
    """The include and exclude patterns of one run, and how many files they left out."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    #: files found in a folder that the patterns left out
    skipped: int = 0
    _include: list[re.Pattern[str]] = field(default_factory=list, repr=False)
    _exclude: list[re.Pattern[str]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._include = [compile_glob(p) for p in self.include]
        self._exclude = [compile_glob(p) for p in self.exclude]

    def wants(self, relative: str) -> bool:
        """Whether the file at ``relative`` (a ``/``-separated path below the folder given)
        is read; counts it as skipped when it is not."""
        name = relative.rsplit("/", 1)[-1]
        chosen = not self._include or _any(self._include, self.include, relative, name)
        if chosen and not _any(self._exclude, self.exclude, relative, name):
            return True
        self.skipped += 1
        return False


def _any(compiled: list[re.Pattern[str]], raw: Iterable[str], relative: str, name: str) -> bool:
    return any(
        regex.fullmatch(relative if "/" in pattern else name)
        for regex, pattern in zip(compiled, raw, strict=True)
    )


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The regular expression of a glob pattern (see the module's docstring);
    ``ArchiveError`` for an empty pattern or an unclosed ``[``."""
    text = pattern.strip().lstrip("/")
    if not text:
        raise ArchiveError("an include or exclude pattern is empty")
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if text.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if text.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = text.find("]", i + 2)
            if end < 0:
                raise ArchiveError(f"the pattern {pattern!r} has a '[' that is not closed")
            body = text[i + 1 : end]
            negate = body.startswith("!")
            body = re.escape(body[1:] if negate else body).replace("\\-", "-")
            out.append(f"[{'^' if negate else ''}{body}]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out), re.IGNORECASE)
