"""The analysed form of each word of a text, fast: for snippets, feedback and related articles.

Running Whoosh's analyser over a whole article for every hit, every feedback document and
every "more like this" was a large part of their cost. Analysis is word by word (lower
case, stop words, accents, stems) for any text without Chinese, Japanese or Korean, so the
analysed form of each distinct word is remembered and a text is split with the tokenizer's
own pattern. A word the analyser turns into other than one token (CJK bigrams) sends the
text down the analyser's full path, which gives the same tokens
(tests/test_whoosh_highlight.py).
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from whoosh.searching import Searcher

from archive.search.highlight import Token

#: distinct words whose analysed form is remembered
KNOWN_WORDS = 200_000
#: attribute under which a searcher keeps its forms, by field (they die with the searcher)
_FORMS = "_newsarchive_forms"

#: a word's analysed form and whether it is a stop word (None: several tokens)
Form = tuple[str, bool] | None


class Forms:
    """Analysed forms for one analyser, remembering the form of each word seen."""

    def __init__(self, analyzer: Any) -> None:
        self.analyzer = analyzer
        first = getattr(analyzer, "items", [analyzer])[0]
        expression = getattr(first, "expression", None)
        self.pattern = expression if not getattr(first, "gaps", True) else None
        self.known: dict[str, Form] = {}
        self.lock = threading.Lock()

    def tokens(self, text: str, matched: frozenset[str]) -> list[Token]:
        """Every word of ``text`` (stop words too), matched when its form is in ``matched``."""
        found = self._fast(text)
        if found is None:
            analysed = self.analyzer(text, chars=True, mode="query", removestops=False)
            return [Token(t.startchar, t.endchar, t.text, t.text in matched) for t in analysed]
        return [Token(start, end, form, form in matched) for start, end, form, _ in found]

    def counts(self, text: str) -> Counter[str]:
        """How often each indexed form occurs in ``text`` (stop words left out), as the
        analyser indexes it."""
        found = self._fast(text)
        if found is None:
            return Counter(token.text for token in self.analyzer(text))
        return Counter(form for _, _, form, stopped in found if not stopped)

    def _fast(self, text: str) -> list[tuple[int, int, str, bool]] | None:
        """The words of ``text`` with their remembered forms, or ``None`` when the pattern
        is unknown or a word analyses to other than one token."""
        if self.pattern is None:
            return None
        out = []
        known = self.known
        for match in self.pattern.finditer(text):
            word = match.group()
            form = known[word] if word in known else self._form(word)
            if form is None:
                return None
            out.append((match.start(), match.end(), form[0], form[1]))
        return out

    def _form(self, word: str) -> Form:
        found = list(self.analyzer(word, mode="query", removestops=False))
        form = (found[0].text, bool(found[0].stopped)) if len(found) == 1 else None
        if form is not None and not form[0]:
            form = None
        with self.lock:
            if len(self.known) < KNOWN_WORDS:
                self.known[word] = form
        return form


def forms(searcher: Searcher, field: str = "body") -> Forms:
    """The searcher's forms of the analyser of ``field`` (the body's stems by default, or
    the words as written of ``body_words``), made on first use."""
    known: dict[str, Forms] | None = getattr(searcher, _FORMS, None)
    if known is None:
        known = {}
        setattr(searcher, _FORMS, known)
    found = known.get(field)
    if found is None:
        found = known[field] = Forms(searcher.schema[field].analyzer)
    return found
