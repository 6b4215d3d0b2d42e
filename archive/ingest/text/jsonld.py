"""JSON-LD in web pages: the schema.org objects a page declares about itself."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml.html import HtmlElement

#: schema.org types whose JSON-LD object describes the article itself
ARTICLE_TYPES = frozenset(
    [
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
        "SatiricalArticle",
        "SocialMediaPosting",
        "DiscussionForumPosting",
        "AdvertiserContentArticle",
    ]
)
#: wrappers some pages put around a script's JSON (XHTML's CDATA section, an old comment)
_WRAPPER = re.compile(r"^\s*(?://\s*)?(?:<!\[CDATA\[|<!--)|(?://\s*)?(?:\]\]>|-->)\s*$")
#: a script larger than this is not metadata; skipping it bounds the work per page
MAX_JSONLD_CHARS = 2_000_000


def objects(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD scripts, ``@graph`` members included."""
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = script.text
        if not text or len(text) > MAX_JSONLD_CHARS:
            continue
        try:
            data = json.loads(_WRAPPER.sub("", text).strip().rstrip(";"), strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])


def article_object(tree: HtmlElement) -> dict[str, Any]:
    """The first JSON-LD object typed as an article, or an empty dict."""
    for item in objects(tree):
        kinds = item.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(k, str) and k.split("/")[-1] in ARTICLE_TYPES for k in kinds):
            return item
    return {}
