"""Read a teacher's feed (a file in the site folder, or a URL) into `Entry` records.

feedparser parses RSS and Atom; JSON Feed, which feedparser 6.0 does not read, is mapped
by hand (it is plain JSON with documented fields). All HTML is sanitized here, before
anything is stored, and titles, categories and names become plain text.
"""

from __future__ import annotations

import calendar
import hashlib
import html as html_lib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax import SAXParseException

from generator.addresses import web_url
from generator.dates import in_range
from generator.federation import item_teacher, school_fields
from generator.models import (
    DEFAULT_LIMITS,
    Entry,
    FeedFile,
    FeedNote,
    FeedResult,
    FeedStatus,
    FetchLimits,
    Teacher,
    WebFeed,
    pack_html,
)
from generator.paths import inside, is_hidden, usable
from generator.pool import Pool, WorkerStopped
from generator.sanitize import EMBED_HOSTS, first_image, plain_text, sanitize_html, summarize
from generator.sources.fetch import AddressPolicy, Fetched, FetchFailure, FetchRequest, fetch_all
from generator.sources.images import Attached, attached_pictures_html

PARALLEL_PARSE_FROM = 40
"""From this many feeds on the web, parsing goes to worker processes (their start costs
about half a second, which a few feeds do not repay)."""
ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
"""Feeds have no use for their own XML entities; declaring them is how entity-expansion
("billion laughs") and external-entity (XXE) attacks start, so such a feed is refused
before any XML parser sees it."""
_TRUNCATED = ("no element found", "unclosed token", "unclosed CDATA section")
"""expat's messages for XML that stops early: a download cut off mid-feed."""
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{6,20}")
MAX_CATEGORIES = 50
"""Categories kept per item, in the feed's order: enough for a subject, classes, a kind
and the labels a post shows (`models.MAX_TAGS`), not the 10,000 of a prank (issue 26)."""


class FeedError(Exception):
    """The feed could not be read or parsed; the message says why, for the report."""


def read_feeds(teachers: Sequence[Teacher], site_root: Path,
               statuses: Mapping[str, FeedStatus] | None = None, offline: bool = False,
               limits: FetchLimits = DEFAULT_LIMITS,
               embed_hosts: tuple[str, ...] = EMBED_HOSTS, code: str = "") -> list[FeedResult]:
    """Read the feeds of `teachers`: files from the site folder, URLs over HTTP at once.

    `statuses` is what the archive remembers (the feed found behind a blog's home page,
    the validators for conditional GET). Offline, feeds on the web are skipped. Never
    raises for a bad feed: each one ends as a `FeedResult`, with `error` set if it failed.
    `code` is the code's fingerprint (the build's, generator/incremental/fingerprint.py):
    a feed file read by other code is read again.
    """
    statuses = statuses or {}
    results: list[FeedResult] = []
    requests: list[FetchRequest] = []
    sources: dict[str, str] = {}
    files: list[tuple[str, str, FeedStatus | None]] = []
    for teacher in teachers:
        if isinstance(teacher.blog, FeedFile):
            files.append((teacher.slug, teacher.blog.path, statuses.get(teacher.slug)))
        elif isinstance(teacher.blog, WebFeed) and not offline:
            requests.append(plan_request(teacher.slug, teacher.blog.url,
                                         statuses.get(teacher.slug)))
            sources[teacher.slug] = teacher.blog.url
    # Feed files as they were at the last update need no parsing: found here, at once.
    read = [_read_file(*file, site_root, embed_hosts, code) for file in files]
    changed = [file for file in read if isinstance(file, _FeedFile)]
    # Many feeds: parse each in a worker process as soon as it arrives, on every core,
    # while the slower servers are still being waited for. Few: parse them here.
    # "spawn": no fork of a process that may hold threads and connections.
    parse = partial(_parse, sources, embed_hosts)
    parsing: dict[str, int] = {}
    workers: Pool[_FeedFile | Fetched, FeedResult] | None = (
        Pool(parse, os.cpu_count() or 1, "spawn")
        if max(len(requests), len(changed)) >= PARALLEL_PARSE_FROM else None)
    with workers or nullcontext():
        if workers is not None and len(changed) >= PARALLEL_PARSE_FROM:
            given = [workers.give(file) for file in changed]
            parsed = (_taken(workers, number, file, parse)
                      for number, file in zip(given, changed, strict=True))
        else:
            parsed = (parse(file) for file in changed)
        results.extend(next(parsed) if isinstance(file, _FeedFile) else file for file in read)

        def parse_when_fetched(fetched: Fetched | FetchFailure) -> None:
            if workers is not None and isinstance(fetched, Fetched) and fetched.body:
                parsing[fetched.key] = workers.give(fetched)

        # Only the hosts site.yml names may be internal: not a feed address the archive
        # remembers, nor a redirect's or a home page's link (issue 26).
        policy = AddressPolicy.trusting(list(sources.values()))
        for fetched in fetch_all(requests, limits, parse_when_fetched, policy):
            if workers is not None and isinstance(fetched, Fetched) and \
                    fetched.key in parsing:
                results.append(_taken(workers, parsing[fetched.key], fetched, parse))
            else:
                results.append(_from_response(fetched, sources[fetched.key], embed_hosts))
    return results


def _parse(sources: Mapping[str, str], embed_hosts: tuple[str, ...],
           given: _FeedFile | Fetched) -> FeedResult:
    """A changed feed file, or a fetched feed of `sources` (teacher: blog), parsed."""
    if isinstance(given, _FeedFile):
        return _parse_file(given, embed_hosts)
    return _from_response(given, sources[given.key], embed_hosts)


def _taken(workers: Pool[_FeedFile | Fetched, FeedResult], number: int,
           given: _FeedFile | Fetched, parse: Callable[[_FeedFile | Fetched], FeedResult]
           ) -> FeedResult:
    """The worker's result, or the feed parsed here when a worker ended (the
    out-of-memory killer, a signal), even as the pool started: one dead worker must not
    cost the whole update."""
    try:
        return workers.take(number)
    except WorkerStopped:
        return parse(given)


def read_feed(teacher: Teacher, site_root: Path,
              limits: FetchLimits = DEFAULT_LIMITS) -> FeedResult:
    """Read one teacher's feed, as `read_feeds` does for many."""
    [result] = read_feeds([teacher], site_root, limits=limits)
    return result


def plan_request(teacher: str, blog: str, status: FeedStatus | None) -> FetchRequest:
    """What to ask for a blog: the feed remembered for it, with validators, if that worked
    last time; otherwise the blog's address, with discovery."""
    if status and status.source == blog and status.feed_url and not status.error:
        return FetchRequest(teacher, status.feed_url, etag=status.etag,
                            last_modified=status.last_modified)
    return FetchRequest(teacher, blog, discover=True)


@dataclass(frozen=True)
class _FeedFile:
    """A feed file that changed since the last update: to be parsed."""

    teacher: str
    source: str
    data: bytes
    etag: str


_parsed_files: dict[tuple[object, ...], FeedResult] = {}


def _read_file(teacher: str, source: str, status: FeedStatus | None, site_root: Path,
               embed_hosts: tuple[str, ...], code: str) -> FeedResult | _FeedFile:
    """A feed file of the site folder: its result when it is unusable or unchanged, else
    the file to parse.

    As a web feed answers 304, a file whose content (and the code and settings it is
    read with) is the same as at the last update is "not modified": the archive already
    holds its entries. The hash serves as the file's ETag.
    """
    try:
        # site.yml was checked when it was read, but the file may have changed since
        # (`mading serve`), so the checks are made again on the path read.
        if not usable(source):
            raise FeedError("not a usable file name (a control character, or too long)")
        path = inside(site_root, source)
        if path is None:
            raise FeedError("feed file is outside the site folder")
        if is_hidden(path, site_root):
            raise FeedError("feed file is a hidden file, which is never published")
        data = path.read_bytes()
    except (FeedError, OSError, ValueError) as exc:
        return FeedResult(teacher, source, error=f"{type(exc).__name__}: {exc}")
    digest = hashlib.sha256(f"{code}\0{embed_hosts!r}\0".encode() + data)
    etag = f"sha256:{digest.hexdigest()}"
    if status is not None and status.source == source and status.etag == etag and \
            not status.error:
        return FeedResult(teacher, source, etag=etag, not_modified=True)
    return _FeedFile(teacher, source, data, etag)


def _parse_file(file: _FeedFile, embed_hosts: tuple[str, ...]) -> FeedResult:
    """A changed feed file parsed, once per content (`mading serve` reads it again)."""
    key = (file.teacher, file.source, file.etag)
    if key not in _parsed_files:
        if len(_parsed_files) > 1024:
            _parsed_files.clear()
        try:
            parsed = parse_feed(file.teacher, file.source, file.data, None,
                                embed_hosts=embed_hosts)
        except (FeedError, ValueError) as exc:
            return FeedResult(file.teacher, file.source, error=f"{type(exc).__name__}: {exc}")
        _parsed_files[key] = replace(parsed, etag=file.etag)
    return _parsed_files[key]


def _from_response(fetched: Fetched | FetchFailure, source: str,
                   embed_hosts: tuple[str, ...]) -> FeedResult:
    if isinstance(fetched, FetchFailure):
        return FeedResult(fetched.key, source, error=fetched.reason)
    answer = FeedResult(fetched.key, source, feed_url=fetched.url, etag=fetched.etag,
                        last_modified=fetched.last_modified, received=fetched.received,
                        not_modified=fetched.not_modified)
    if fetched.body is None:
        return answer
    try:
        parsed = parse_feed(fetched.key, source, fetched.body, fetched.url,
                            fetched.content_type, embed_hosts)
    except (FeedError, ValueError) as exc:
        return replace(answer, error=f"{type(exc).__name__}: {exc}")
    # The address the feed was fetched from is the one to remember, not its self link.
    return replace(answer, entries=parsed.entries, title=parsed.title,
                   home_page=parsed.home_page, undated=parsed.undated, notes=parsed.notes,
                   idless=parsed.idless)


def parse_feed(teacher: str, source: str, data: bytes, base_url: str | None,
               content_type: str = "", embed_hosts: tuple[str, ...] = EMBED_HOSTS
               ) -> FeedResult:
    """Parse feed bytes of any supported format into sanitized entries.

    `content_type` is the HTTP header, whose charset feedparser weighs against the XML
    declaration when a blog gets its encoding wrong.
    """
    if data.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"{":
        return _parse_json_feed(teacher, source, data, embed_hosts)
    if ENTITY_DECLARATION.search(data[:65536]):
        raise FeedError("the feed declares XML entities, which feeds never need: refused")
    headers = {"content-location": base_url or ""}
    if content_type:
        headers["content-type"] = content_type
    # feedparser's own sanitizer drops every iframe (lesson videos); nh3 cleans instead.
    # Relative links are resolved by our sanitizer against each post's own address;
    # feedparser's own resolution re-parses every post's HTML and was a quarter of the
    # parse time in the fetch benchmark (bench/RESULTS.md).
    import feedparser  # here: a build whose feeds are all as last time never loads it

    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)
    # .get: for an empty document (a 200 with no body) feedparser sets no `version` at
    # all, and attribute access would raise AttributeError (found by fuzz/, issue 8).
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "no entries"
        raise FeedError(f"not a feed: {reason}")
    problem = parsed.get("bozo_exception")
    # Small slips (a bare `&`, `&nbsp;`, an undeclared `media:` prefix) are common in real
    # feeds and feedparser's lenient parser reads them well. A feed that stops early is
    # different: its last item is cut in half (no guid, so a new id; half a post) and would
    # stay in the archive for good.
    if isinstance(problem, SAXParseException) and problem.getMessage() in _TRUNCATED:
        raise FeedError(f"feed is cut off: {problem}")
    feed = parsed.feed
    home = web_url(feed.get("link"), base_url) or web_url(base_url, None)
    read = [_entry_from_feedparser(teacher, e, home, embed_hosts) for e in parsed.entries]
    self_link = next((link.get("href") for link in feed.get("links", [])
                      if link.get("rel") == "self"), None)
    return FeedResult(teacher, source, tuple(entry for entry, _dates in read),
                      plain_text(feed.get("title", "")), home,
                      web_url(self_link, base_url) or web_url(base_url, None),
                      undated=frozenset(entry.entry_id for entry, dates in read if not dates.dated),
                      notes=_date_notes(dates for _entry, dates in read),
                      idless=frozenset(entry.entry_id for entry, e in
                                       zip((entry for entry, _dates in read), parsed.entries,
                                           strict=True) if not e.get("id")))


def as_read(entry: Entry, embed_hosts: tuple[str, ...] = EMBED_HOSTS) -> Entry:
    """An entry that comes from elsewhere than a feed (an archive export), checked as a
    feed's entry is when it is read here: its HTML through the sanitizer, its link and
    image http(s) only.

    The export lives in Git, on a branch that CI imports at every run: an edited one must
    not put on the portal what no feed could (issue 8). Cleaning what the sanitizer
    already cleaned changes nothing, so an honest entry is stored byte for byte as it was
    (but for table cell alignment: tests/test_paths.py). Text (title, summary,
    author, categories) is not cleaned again: every page and feed escapes it, and
    cleaning the text of a title about `<p>` tags would eat them.
    """
    link = web_url(entry.link, None)
    return replace(entry, link=link, image=web_url(entry.image, link),
                   html=pack_html(sanitize_html(entry.content_html, link, embed_hosts)))


@dataclass(frozen=True)
class _Dates:
    """How an item's dates were read."""

    dated: bool
    """It has a usable date of its own: else it is dated when read (`undated`)."""
    refused: bool
    """It gave a date out of range (`generator/dates.py`), read as no date (issue 26)."""


def _read_dates(published: datetime | None, updated: datetime | None,
                given: bool) -> tuple[datetime, datetime | None, _Dates]:
    """(published, updated, how) of an item whose feed gave these dates (`given`: it gave
    at least one): a date out of range is no date, and an item without one is dated now."""
    published = published if in_range(published) else None
    updated = updated if in_range(updated) else None
    dated = published is not None or updated is not None
    return (published or updated or datetime.now(UTC), updated,
            _Dates(dated, given and not dated))


def _date_notes(dates: Iterable[_Dates]) -> tuple[FeedNote, ...]:
    refused = sum(how.refused for how in dates)
    return (FeedNote("hostile_data.note_dates_refused", refused),) if refused else ()


def _entry_from_feedparser(teacher: str, e: Any, home: str | None,
                           embed_hosts: tuple[str, ...]) -> tuple[Entry, _Dates]:
    raw_link = e.get("link") or None
    link = web_url(raw_link, home)
    base = link or home
    video_id = e.get("yt_videoid")
    # `or ""`: feedparser's lenient parser can leave a field present but None (an element
    # cut by a stray `<![CDATA[`), which the sanitizer refuses (found by fuzz/, issue 8).
    summary = e.get("summary") or ""
    if isinstance(video_id, str) and _YOUTUBE_ID.fullmatch(video_id):
        content = _youtube_html(video_id, e.get("media_description") or summary)
    elif e.get("content"):
        content = e["content"][0].get("value") or ""
    else:
        content = summary
    enclosures = [link for link in e.get("links", []) if link.get("rel") == "enclosure"]
    html = _with_attached(sanitize_html(content, base, embed_hosts),
                          _attached(enclosures, "href", "type", base), base, embed_hosts)
    # dict.get: FeedParserDict.get would map a missing `updated` to `published`, with a warning.
    given_updated = dict.get(e, "updated_parsed")
    given_published = dict.get(e, "published_parsed")
    published, updated, dates = _read_dates(
        _struct_time(given_published), _struct_time(given_updated),
        bool(given_published or given_updated))
    title = plain_text(e.get("title") or "") or summarize(html, words=8)
    categories = tuple(plain_text(t.get("term") or t.get("label") or "")
                       for t in e.get("tags", [])[:MAX_CATEGORIES])
    return Entry(
        teacher=teacher,
        entry_id=e.get("id") or raw_link or _content_id(title, content),
        origin="feed",
        title=title,
        published=published,
        updated=updated,
        html=pack_html(html),
        link=link,
        summary=summarize(summary if e.get("content") else html),
        categories=tuple(c for c in categories if c),
        author=plain_text(e.get("author") or ""),
        image=_feed_image(e, base) or first_image(html),
    ), dates


def _attached(files: list[Any], url_key: str, type_key: str,
              base: str | None) -> list[Attached]:
    """The files an item attaches: RSS and Atom enclosures (feedparser's links with
    `rel="enclosure"`: `href`, `type`) or JSON Feed attachments (`url`, `mime_type`)."""
    return [Attached(url, str(file.get(type_key) or ""), plain_text(str(file.get("title") or "")))
            for file in files if isinstance(file, dict)
            and (url := web_url(file.get(url_key), base))]


def _with_attached(html: str, attached: list[Attached], base: str | None,
                   embed_hosts: tuple[str, ...]) -> str:
    """A post's sanitized HTML with the pictures its item attaches shown after it."""
    extra = attached_pictures_html(html, attached)
    return html + sanitize_html(extra, base, embed_hosts) if extra else html


def _youtube_html(video_id: str, description: str) -> str:
    """A YouTube channel feed has no HTML body: embed the video above its description."""
    return (f'<iframe src="https://www.youtube-nocookie.com/embed/{video_id}" width="560" '
            f'height="315" title="YouTube" allowfullscreen></iframe>{_text_html(description)}')


def _text_html(text: str) -> str:
    """Plain text (a video description, JSON Feed's `content_text`) as paragraphs.

    The text is escaped, not stripped of tags: in plain text `<br>` is something a
    teacher wrote about, not markup.
    """
    paragraphs = (p.strip() for p in text.replace("\r\n", "\n").split("\n\n"))
    return "".join("<p>" + "<br>".join(html_lib.escape(line) for line in p.split("\n")) + "</p>"
                   for p in paragraphs if p)


def _feed_image(e: Any, base: str | None) -> str | None:
    """The featured image a feed declares: media:thumbnail, media:content, an enclosure."""
    candidates = [t.get("url") for t in e.get("media_thumbnail", [])]
    candidates += [m.get("url") for m in e.get("media_content", [])
                   if m.get("medium") == "image" or str(m.get("type", "")).startswith("image/")]
    candidates += [link.get("href") for link in e.get("links", [])
                   if link.get("rel") == "enclosure"
                   and str(link.get("type", "")).startswith("image/")]
    urls = (web_url(c, base) for c in candidates)
    return next((url for url in urls if url and not _is_avatar(url)), None)


def _is_avatar(url: str) -> bool:
    """WordPress.com adds the author's Gravatar as `media:content` to every item; it is a
    face, not a picture of the post."""
    host = urlsplit(url).hostname or ""
    return host == "gravatar.com" or host.endswith(".gravatar.com")


def _struct_time(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (ValueError, OverflowError, OSError):  # a year the calendar does not hold
        return None


def _content_id(*parts: str) -> str:
    return "sha1:" + hashlib.sha1("\0".join(parts).encode()).hexdigest()


def _parse_json_feed(teacher: str, source: str, data: bytes,
                     embed_hosts: tuple[str, ...]) -> FeedResult:
    try:
        feed = json.loads(data)
    # RecursionError: `[[[[…` thousands deep (found by fuzz/, issue 8).
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise FeedError(f"not valid JSON: {exc}") from None
    if not isinstance(feed, dict) or not str(feed.get("version", "")).startswith(
            "https://jsonfeed.org/version/"):
        raise FeedError("JSON without a JSON Feed version")
    home = web_url(feed.get("home_page_url"), None)
    entries = []
    undated = set()
    idless = set()
    read: list[_Dates] = []
    items = feed.get("items")
    for item in items if isinstance(items, list) else []:
        owner = item_teacher(item, teacher) if isinstance(item, dict) else None
        if owner is None:  # not an item, or a summary's item of no teacher (issue 25)
            continue
        raw_link = item.get("url") if isinstance(item.get("url"), str) else None
        link = web_url(raw_link, home)
        content = str(item.get("content_html") or "")
        if not content and item.get("content_text"):
            content = _text_html(str(item["content_text"]))
        html = _with_attached(
            sanitize_html(content, link or home, embed_hosts),
            _attached(_list(item.get("attachments")), "url", "mime_type", link or home),
            link or home, embed_hosts)
        title = plain_text(str(item.get("title") or "")) or summarize(html, words=8)
        tags = _list(item.get("tags"))[:MAX_CATEGORIES]
        authors = _list(item.get("authors"))
        entry_id = str(item.get("id") or raw_link or _content_id(title, content))
        if not item.get("id"):
            idless.add(entry_id)
        published, updated, dates = _read_dates(
            _iso_date(item.get("date_published")), _iso_date(item.get("date_modified")),
            isinstance(item.get("date_published"), str)
            or isinstance(item.get("date_modified"), str))
        read.append(dates)
        if not dates.dated:
            undated.add(entry_id)
        entries.append(Entry(
            teacher=owner,
            entry_id=entry_id,
            origin="feed",
            title=title,
            published=published,
            updated=updated,
            html=pack_html(html),
            link=link,
            summary=plain_text(str(item.get("summary") or "")) or summarize(html),
            categories=tuple(plain_text(str(t)) for t in tags if str(t).strip()),
            author=plain_text(str(authors[0].get("name", ""))) if authors
            and isinstance(authors[0], dict) else "",
            image=web_url(item.get("image"), link or home) or first_image(html),
            **school_fields(item),  # a school portal's kind, classes, deadline (issue 25)
        ))
    title = plain_text(str(feed.get("title") or ""))
    return FeedResult(teacher, source, tuple(entries), title, home,
                      web_url(feed.get("feed_url"), None), undated=frozenset(undated),
                      notes=_date_notes(read), idless=frozenset(idless))


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
