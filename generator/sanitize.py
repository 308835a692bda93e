"""The allow-list that all foreign HTML passes before it is stored or shown.

nh3 (Rust's ammonia) does the parsing and cleaning; this module only decides what is
allowed. Feed HTML and teachers' Markdown output go through the same function.
"""

from __future__ import annotations

import html
import re
from copy import deepcopy
from urllib.parse import urljoin, urlsplit

import nh3

EMBED_HOSTS = ("www.youtube.com", "youtube.com", "www.youtube-nocookie.com")
"""Hosts whose iframes may stay in a post: lesson videos are mostly on YouTube."""

_TAGS = (set(nh3.ALLOWED_TAGS) | {"iframe"}) - {"area", "map"}
_ATTRIBUTES = deepcopy(nh3.ALLOWED_ATTRIBUTES)
_ATTRIBUTES["iframe"] = {"src", "width", "height", "title", "allow", "allowfullscreen"}
_ATTRIBUTES["img"] = {"src", "alt", "width", "height", "title"}
_ATTRIBUTES["th"] = {"colspan", "rowspan", "scope", "align", "style"}
_ATTRIBUTES["td"] = {"colspan", "rowspan", "align", "style"}
for _tag in ("div", "span", "code", "pre", "p"):
    _ATTRIBUTES.setdefault(_tag, set()).add("class")
_URL_ATTRIBUTES = {"href", "src", "cite"}
_SRCLESS_IFRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>.*?</iframe>", re.DOTALL)
_FIRST_IMG = re.compile(r"<img[^>]*?\ssrc=\"([^\"]+)\"")


def sanitize_html(fragment: str, base_url: str | None = None,
                  embed_hosts: tuple[str, ...] = EMBED_HOSTS) -> str:
    """Clean `fragment` for display on the portal.

    Relative links and images are resolved against `base_url` (the post's own address) so
    they keep working on the portal; iframes survive only from `embed_hosts`; images and
    iframes load lazily; links to other sites get `rel="noopener noreferrer"`.
    """

    def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
        if attribute in _URL_ATTRIBUTES and base_url:
            value = urljoin(base_url, value.strip())
        if tag == "iframe" and attribute == "src":
            parts = urlsplit(value)
            return value if parts.scheme == "https" and parts.hostname in embed_hosts else None
        if attribute == "style":
            # Only cell alignment, which Markdown tables emit as `text-align: ...`.
            match = re.fullmatch(r"\s*text-align:\s*(left|right|center)\s*;?\s*", value)
            return f"text-align: {match.group(1)}" if match else None
        return value

    cleaned = nh3.clean(
        fragment,
        tags=_TAGS,
        clean_content_tags={"script", "style", "template", "noscript", "textarea", "select"},
        attributes=_ATTRIBUTES,
        attribute_filter=keep_attribute,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"img": {"loading": "lazy"},
                                  "iframe": {"loading": "lazy",
                                             "referrerpolicy": "strict-origin"}},
    )
    return _SRCLESS_IFRAME.sub("", cleaned)


def plain_text(fragment: str) -> str:
    """Text with every tag removed and entities decoded: for titles, names, categories."""
    text = html.unescape(nh3.clean(fragment, tags=set()))
    return " ".join(text.split())


def first_image(fragment: str) -> str | None:
    """The `src` of the first image in sanitized HTML: a post's featured image fallback."""
    match = _FIRST_IMG.search(fragment)
    return html.unescape(match.group(1)) if match else None


def summarize(fragment: str, words: int = 40) -> str:
    """The first `words` words of the text of `fragment`, for post cards and feeds."""
    text = plain_text(re.sub(r"<(/p|br|/li|/h\d)[^>]*>", " ", fragment))
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
