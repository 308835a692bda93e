"""Read a teacher's feed (a file in the site folder, or a URL) into `Entry` records.

feedparser parses RSS and Atom; JSON Feed, which feedparser 6.0 does not read, is mapped
by hand (it is plain JSON with documented fields). All HTML is sanitized here, before
anything is stored, and titles, categories and names become plain text.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import httpx

from generator import __version__
from generator.models import Entry, Teacher
from generator.sanitize import first_image, plain_text, sanitize_html, summarize

USER_AGENT = f"Mading/{__version__} (school portal feed reader)"
MAX_FEED_BYTES = 10 * 1024 * 1024
TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class FeedResult:
    """What reading one teacher's feed gave: entries, or the reason there are none."""

    teacher: str
    source: str
    entries: tuple[Entry, ...] = ()
    title: str = ""
    home_page: str | None = None
    feed_url: str | None = None
    error: str | None = None


class FeedError(Exception):
    """The feed could not be read or parsed; the message says why, for the report."""


def is_url(source: str) -> bool:
    """A `blog:` value on the web, as opposed to a feed file in the site folder."""
    return "://" in source


def read_feed(teacher: Teacher, site_root: Path) -> FeedResult:
    """Read `teacher.blog` and parse it; never raises for a bad feed, it reports it."""
    source = teacher.blog or ""
    try:
        if is_url(source):
            data, base_url = fetch_url(source), source
        else:
            path = (site_root / source).resolve()
            if not path.is_relative_to(site_root.resolve()):
                raise FeedError("feed file is outside the site folder")
            data, base_url = path.read_bytes(), None
        return parse_feed(teacher.slug, source, data, base_url)
    except (FeedError, OSError, httpx.HTTPError) as exc:
        return FeedResult(teacher.slug, source, error=f"{type(exc).__name__}: {exc}")


def fetch_url(url: str) -> bytes:
    """GET `url` with a timeout and a size cap; the body is streamed and cut at the cap."""
    headers = {"User-Agent": USER_AGENT}
    with httpx.stream("GET", url, headers=headers, timeout=TIMEOUT_SECONDS,
                      follow_redirects=True) as response:
        response.raise_for_status()
        body = bytearray()
        for chunk in response.iter_bytes():
            body.extend(chunk)
            if len(body) > MAX_FEED_BYTES:
                raise FeedError(f"response larger than {MAX_FEED_BYTES} bytes")
        return bytes(body)


def parse_feed(teacher: str, source: str, data: bytes, base_url: str | None) -> FeedResult:
    """Parse feed bytes of any supported format into sanitized entries."""
    if data.lstrip()[:1] == b"{":
        return _parse_json_feed(teacher, source, data)
    # feedparser's own sanitizer drops every iframe (lesson videos); nh3 cleans instead.
    parsed = feedparser.parse(data, response_headers={"content-location": base_url or ""},
                              sanitize_html=False)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        reason = parsed.get("bozo_exception") or "no entries"
        raise FeedError(f"not a feed: {reason}")
    feed = parsed.feed
    home = feed.get("link") or base_url
    entries = tuple(_entry_from_feedparser(teacher, e, home) for e in parsed.entries)
    self_link = next((link.get("href") for link in feed.get("links", [])
                      if link.get("rel") == "self"), None)
    return FeedResult(teacher, source, entries, plain_text(feed.get("title", "")), home,
                      self_link or base_url)


def _entry_from_feedparser(teacher: str, e: Any, home: str | None) -> Entry:
    link = e.get("link") or None
    base = link or home
    if e.get("yt_videoid"):
        content = _youtube_html(e["yt_videoid"], e.get("media_description") or e.get("summary", ""))
    elif e.get("content"):
        content = e["content"][0].get("value", "")
    else:
        content = e.get("summary", "")
    html = sanitize_html(content, base)
    # dict.get: FeedParserDict.get would map a missing `updated` to `published`, with a warning.
    updated = _struct_time(dict.get(e, "updated_parsed"))
    published = _struct_time(dict.get(e, "published_parsed")) or updated
    title = plain_text(e.get("title", "")) or summarize(html, words=8)
    categories = tuple(plain_text(t.get("term") or t.get("label") or "") for t in e.get("tags", []))
    return Entry(
        teacher=teacher,
        entry_id=e.get("id") or link or _content_id(title, content),
        origin="feed",
        title=title,
        published=published or datetime.now(UTC),
        updated=updated,
        content_html=html,
        link=link,
        summary=summarize(e.get("summary", "") if e.get("content") else html),
        categories=tuple(c for c in categories if c),
        author=plain_text(e.get("author", "")),
        image=_feed_image(e) or first_image(html),
    )


def _youtube_html(video_id: str, description: str) -> str:
    """A YouTube channel feed has no HTML body: embed the video above its description."""
    paragraphs = "".join(f"<p>{plain_text(p)}</p>" for p in description.split("\n\n") if p.strip())
    return (f'<iframe src="https://www.youtube-nocookie.com/embed/{video_id}" width="560" '
            f'height="315" title="YouTube" allowfullscreen></iframe>{paragraphs}')


def _feed_image(e: Any) -> str | None:
    """The featured image a feed declares: media:thumbnail, media:content, an enclosure."""
    for thumbnail in e.get("media_thumbnail", []):
        if thumbnail.get("url"):
            return str(thumbnail["url"])
    for media in e.get("media_content", []):
        if media.get("medium") == "image" or str(media.get("type", "")).startswith("image/"):
            return str(media["url"])
    for link in e.get("links", []):
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return str(link["href"])
    return None


def _struct_time(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), UTC)


def _content_id(*parts: str) -> str:
    return "sha1:" + hashlib.sha1("\0".join(parts).encode()).hexdigest()


def _parse_json_feed(teacher: str, source: str, data: bytes) -> FeedResult:
    try:
        feed = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedError(f"not valid JSON: {exc}") from None
    if not isinstance(feed, dict) or not str(feed.get("version", "")).startswith(
            "https://jsonfeed.org/version/"):
        raise FeedError("JSON without a JSON Feed version")
    home = feed.get("home_page_url") if isinstance(feed.get("home_page_url"), str) else None
    entries = []
    items = feed.get("items")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        link = item.get("url") if isinstance(item.get("url"), str) else None
        content = str(item.get("content_html") or "")
        if not content and item.get("content_text"):
            content = "".join(f"<p>{plain_text(str(p))}</p>"
                              for p in str(item["content_text"]).split("\n\n"))
        html = sanitize_html(content, link or home)
        title = plain_text(str(item.get("title") or "")) or summarize(html, words=8)
        tags = _list(item.get("tags"))
        authors = _list(item.get("authors"))
        entries.append(Entry(
            teacher=teacher,
            entry_id=str(item.get("id") or link or _content_id(title, content)),
            origin="feed",
            title=title,
            published=_iso_date(item.get("date_published")) or datetime.now(UTC),
            updated=_iso_date(item.get("date_modified")),
            content_html=html,
            link=link,
            summary=plain_text(str(item.get("summary") or "")) or summarize(html),
            categories=tuple(plain_text(str(t)) for t in tags if str(t).strip()),
            author=plain_text(str(authors[0].get("name", ""))) if authors
            and isinstance(authors[0], dict) else "",
            image=str(item["image"]) if isinstance(item.get("image"), str) else first_image(html),
        ))
    title = plain_text(str(feed.get("title") or ""))
    feed_url = feed.get("feed_url") if isinstance(feed.get("feed_url"), str) else None
    return FeedResult(teacher, source, tuple(entries), title, home, feed_url)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _iso_date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
