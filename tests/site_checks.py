"""Checks on a built output folder, shared by the tiny-site and example-school tests."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)


def links_of(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def broken_relative_links(output: Path) -> list[str]:
    """Every relative href/src in the output's HTML that names no file of the output."""
    broken = []
    for page in sorted(output.rglob("*.html")):
        if page.name == "404.html":
            continue  # links through the absolute site URL on purpose
        for link in links_of(page):
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("#", "//")):
                continue
            assert not link.startswith("/"), f"{page}: root-relative link {link}"
            target = (page.parent / unquote(parts.path)).resolve()
            if link.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.is_file() or not target.is_relative_to(output.resolve()):
                broken.append(f"{page.relative_to(output)} -> {link}")
    return broken


def reparse_feeds(output: Path) -> dict[str, int]:
    """Parse every feed.xml with feedparser and every feed.json as JSON Feed 1.1.

    Returns the number of entries of each feed, by path; fails on any invalid feed.
    """
    counts: dict[str, int] = {}
    for path in sorted(output.rglob("feed.xml")):
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        assert parsed.version == "atom10", path
        for entry in parsed.entries:
            assert entry.link.startswith("http"), path
            assert entry.get("published_parsed"), path
        counts[str(path.relative_to(output))] = len(parsed.entries)
    for path in sorted(output.rglob("feed.json")):
        feed = json.loads(path.read_text(encoding="utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1", path
        assert feed["title"] and feed["home_page_url"].startswith("http"), path
        assert feed["feed_url"].endswith("feed.json"), path
        for item in feed["items"]:
            assert item["id"] and item["url"].startswith("http"), path
            assert "content_html" in item or "content_text" in item, path
        counts[str(path.relative_to(output))] = len(feed["items"])
    return counts
