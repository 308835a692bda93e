"""Addresses read from outside (a feed, an archive export) made safe to link to.

Neutral ground: the feed reader and the archive's import both need it, and neither may
import the other (issue 22).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit


def web_url(value: object, base: str | None) -> str | None:
    """`value` as an absolute http(s) URL (resolved against `base`), or None.

    Links and images a feed declares outside its HTML end up in `href` and `src` attributes
    of our pages: a `javascript:` link there would run on the portal's own origin.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        url = urljoin(base, value.strip()) if base else value.strip()
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unclosed IPv6 bracket, a port that is not a number...
        return None
    return url if valid and url.isprintable() and " " not in url else None
