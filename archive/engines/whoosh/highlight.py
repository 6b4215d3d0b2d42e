"""Snippets on Whoosh: the best passages of an article with the query's words marked.

Whoosh's highlighter analyses the whole article for every hit: on a results page that was
a third of the time. Analysis is word by word (lower case, stop words, accents, stems) for
any text without Chinese, Japanese or Korean, so the analysed form of each distinct word
is remembered and a text is split with the tokenizer's own pattern; the passages are then
chosen by Whoosh's fragmenter and scorer exactly as before. A word the analyser turns into
several tokens (CJK bigrams) sends its text down Whoosh's full path.
"""

from __future__ import annotations

import threading
from typing import Any

from whoosh import highlight
from whoosh.analysis import RegexTokenizer
from whoosh.searching import Searcher

from archive.engines.snippets import merge_runs
from archive.models import SnippetPart

SNIPPET_CHARS = 220
#: characters of context around the marked words
SURROUND = 70
#: distinct words whose analysed form is remembered
KNOWN_WORDS = 200_000
#: attribute under which a searcher keeps its snippet maker (it dies with the searcher)
_MAKER = "_newsarchive_snippets"


def snippet(text: str, words: set[str], searcher: Searcher) -> tuple[SnippetPart, ...]:
    """The best passages of ``text`` with the matched words marked; the lede when none match."""
    flat = " ".join(text.split())
    parts: tuple[SnippetPart, ...] = ()
    if words:
        parts = _maker(searcher).passages(flat, frozenset(words))
    if not parts:
        lede = flat[:SNIPPET_CHARS]
        if len(flat) > SNIPPET_CHARS:
            lede = lede.rsplit(" ", 1)[0] + " …"
        parts = (SnippetPart(lede),) if lede else ()
    return parts


class _Maker:
    """Passages for one analyser, remembering the analysed form of each word seen."""

    def __init__(self, analyzer: Any) -> None:
        self.analyzer = analyzer
        first = getattr(analyzer, "items", [analyzer])[0]
        plain = isinstance(first, RegexTokenizer) and not first.gaps
        self.pattern = first.expression if plain else None
        self.forms: dict[str, str | None] = {}
        self.lock = threading.Lock()

    def passages(self, text: str, words: frozenset[str]) -> tuple[SnippetPart, ...]:
        tokens = self._tokens(text, words)
        if tokens is None:  # Whoosh's own path
            analysed = self.analyzer(text, chars=True, mode="query", removestops=False)
            tokens = highlight.set_matched_filter(analysed, words)
        fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SURROUND)
        fragments = highlight.top_fragments(
            fragmenter.fragment_tokens(text, tokens),
            2,
            highlight.BasicFragmentScorer(),
            highlight.FIRST,
        )
        return _PartsFormatter()(text, fragments) or ()

    def _tokens(self, text: str, words: frozenset[str]) -> list[_Token] | None:
        """The text's tokens as the analyser would give them, or ``None`` when a word
        analyses to other than one token."""
        if self.pattern is None:
            return None
        tokens = []
        forms = self.forms
        for match in self.pattern.finditer(text):
            word = match.group()
            form = forms.get(word, "")
            if form == "":
                form = self._form(word)
            if form is None:
                return None
            tokens.append(_Token(match.start(), match.end(), form, form in words))
        return tokens

    def _form(self, word: str) -> str | None:
        found = [token.text for token in self.analyzer(word, mode="query", removestops=False)]
        form = found[0] if len(found) == 1 and found[0] else None
        with self.lock:
            if len(self.forms) < KNOWN_WORDS:
                self.forms[word] = form
        return form


class _Token:
    """What Whoosh's fragmenter and scorer read of a token."""

    __slots__ = ("boost", "endchar", "matched", "startchar", "text")

    def __init__(self, startchar: int, endchar: int, text: str, matched: bool) -> None:
        self.startchar = startchar
        self.endchar = endchar
        self.text = text
        self.matched = matched
        self.boost = 1.0

    def copy(self) -> _Token:
        return self


def _maker(searcher: Searcher) -> _Maker:
    maker = getattr(searcher, _MAKER, None)
    if maker is None:
        maker = _Maker(searcher.schema["body"].analyzer)
        setattr(searcher, _MAKER, maker)
    return maker


class _PartsFormatter(highlight.Formatter):
    """Formats fragments as ``SnippetPart`` runs, so adapters escape and mark them safely."""

    def format_fragment(self, fragment: Any, replace: bool = False) -> list[SnippetPart]:
        text = fragment.text
        parts: list[SnippetPart] = []
        index = fragment.startchar
        for token in fragment.matches:
            if token.startchar is None or token.startchar < index:
                continue
            if token.startchar > index:
                parts.append(SnippetPart(text[index : token.startchar]))
            parts.append(SnippetPart(text[token.startchar : token.endchar], True))
            index = token.endchar
        parts.append(SnippetPart(text[index : fragment.endchar]))
        return parts

    def format(self, fragments: list[Any], replace: bool = False) -> tuple[SnippetPart, ...]:
        """Fragments in text order, with an ellipsis wherever text was left out."""
        parts: list[SnippetPart] = []
        end = 0
        for fragment in fragments:
            if fragment.startchar > end:
                parts.append(SnippetPart(" … " if parts else "… "))
            parts.extend(self.format_fragment(fragment, replace))
            end = fragment.endchar
        if fragments and end < len(fragments[-1].text):
            parts.append(SnippetPart(" …"))
        return merge_runs(parts)
