"""The language an article is written in, when its source does not say.

Detection uses py3langid (a Naive Bayes model over byte n-grams, shipped inside the
package; about a third of a millisecond per article), restricted to the languages news
archives commonly hold so rare look-alike labels do not win on short or numeric texts.
A text with too few letters, or a guess the model is not sure of, stays undetected:
no language is better than a wrong one.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import lru_cache
from typing import Any

from archive.models import Article

log = logging.getLogger(__name__)

#: ISO 639-1 codes the detector may answer
LANGUAGES = (
    "af",
    "ar",
    "bg",
    "bn",
    "ca",
    "cs",
    "cy",
    "da",
    "de",
    "el",
    "en",
    "es",
    "et",
    "fa",
    "fi",
    "fr",
    "ga",
    "gu",
    "he",
    "hi",
    "hr",
    "hu",
    "id",
    "it",
    "ja",
    "kn",
    "ko",
    "lt",
    "lv",
    "mk",
    "ml",
    "mr",
    "ms",
    "mt",
    "ne",
    "nl",
    "no",
    "pa",
    "pl",
    "pt",
    "ro",
    "ru",
    "sk",
    "sl",
    "so",
    "sq",
    "sv",
    "sw",
    "ta",
    "te",
    "th",
    "tl",
    "tr",
    "uk",
    "ur",
    "vi",
    "zh",
)
#: fewer letters than this are not enough to tell a language
MIN_LETTERS = 20
#: least probability of the best language
MIN_CONFIDENCE = 0.5
#: characters of an article read (the headline and the lede are plenty)
SAMPLE_CHARS = 2000


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """The model, loaded once per process (worker processes each load their own)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([code for code in LANGUAGES if code in identifier.nb_classes])
    return identifier


def detect(text: str) -> str | None:
    """The ISO 639-1 code of the language of ``text``, or None when it cannot be told."""
    sample = text[:SAMPLE_CHARS]
    if sum(1 for ch in sample if ch.isalpha()) < MIN_LETTERS:
        return None
    language, probability = _identifier().classify(sample)
    return str(language) if probability >= MIN_CONFIDENCE else None


def with_language(article: Article) -> Article:
    """The article with its language set: the source's own word, else the detected one."""
    if article.language:
        return article
    language = detect(f"{article.title}\n{article.body}")
    return replace(article, language=language) if language else article
