"""Fuzz feed parsing: any bytes a blog serves give entries or a reported error.

`feeds.parse_feed` must return a `FeedResult` or raise what its callers turn into a broken
feed in the report (`FeedError`, `ValueError`: see `feeds._from_response` and
`feeds._read_file`); anything else would stop the whole update. Every address it keeps
(links, home page, feed URL) must be http(s), and images http(s) or relative: they end
up in `href` and `src`.

Generated: RSS 2.0, Atom and JSON Feed documents whose fields hold random text, entities
(declared ones are refused on purpose), CDATA, HTML, wrong types (JSON), bad dates and bad
addresses; then re-encoded (UTF-8, UTF-16, Latin-1, Shift-JIS…, with an XML declaration
and an HTTP charset that agree or not), truncated, or mutated byte by byte. Discovery of
the feed behind a home page (`fetch.feed_links`, `fetch.looks_like_feed`) gets the same
bytes, as an HTML page with `<link rel="alternate">` tags.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from urllib.parse import urlsplit

from fuzzlib import TRICKY_TEXT, cli_stack, mutated, texts, tricky_texts
from hypothesis import given
from hypothesis import strategies as st

from generator.models import FeedResult
from generator.sources.feeds import FeedError, parse_feed
from generator.sources.fetch import feed_links, looks_like_feed

ENTITIES = ("&amp;", "&lt;", "&nbsp;", "&eacute;", "&#0;", "&#x0;", "&#xD800;", "&#1114112;",
            "&#x1F600;", "&foo;", "&", "&#;", "&#x;", "]]>", "<![CDATA[", "<!--", "-->")
HTML = ("<p>paragraf</p>", "<a href='javascript:alert(1)'>x</a>", "<img src=x onerror=y>",
        "<iframe src='https://www.youtube.com/embed/abc'></iframe>", "<script>x</script>",
        "<a href='/relatif'>r</a>", "<img src='//cdn.example/a.png'>", "<svg onload=x>",
        "<table><tr><td>1", "<math><mi>x</mi></math>", "<style>*{}</style>", "<b>")
URLS = (
    *(t for t in TRICKY_TEXT if ":" in t or "/" in t),
    "https://guru.example/2026/11/materi/", "/relatif/", "//cdn.example/x.png",
    "data:text/html,x", "vbscript:x", " https://spasi.example/ ", "https://a.example/\x00",
    "http://[fe80::1%25eth0]/", "https://gravatar.com/avatar/x", "mailto:a@b.c")
DATES = ("Fri, 20 Nov 2026 07:30:00 +0700", "2026-11-20T07:30:00Z", "2026-11-20",
         "Mon, 31 Feb 2026 99:99:99 GMT", "0000-00-00T00:00:00Z", "9999-12-31T23:59:59+14:00",
         "yesterday", "", "1e10", "Sun, 01 Jan 0001 00:00:00 +9999", "2026-11-20T07:30:00+25:00")

xml_text = (tricky_texts.map(escape) | st.sampled_from(ENTITIES + HTML)
            | st.lists(st.sampled_from(ENTITIES + HTML) | texts.map(escape), max_size=4
                       ).map("".join))
urls = st.sampled_from(URLS) | texts
dates = st.sampled_from(DATES) | texts


def element(tag: str, content: st.SearchStrategy[str], attrs: str = "") -> st.SearchStrategy[str]:
    return content.map(lambda c: f"<{tag}{attrs}>{c}</{tag}>")


def cdata(value: str) -> str:
    return f"<![CDATA[{value}]]>"


@st.composite
def rss(draw: st.DrawFn) -> str:
    def field(tag: str, content: st.SearchStrategy[str]) -> str:
        return draw(element(tag, content)) if draw(st.booleans()) else ""

    items = []
    for _ in range(draw(st.integers(0, 4))):
        parts = [
            field("title", xml_text), field("link", urls.map(escape)),
            draw(st.sampled_from(("", ' isPermaLink="false"', ' isPermaLink="true"'))).join(
                ("<guid", f">{escape(draw(urls))}</guid>")) if draw(st.booleans()) else "",
            field("pubDate", dates.map(escape)), field("dc:date", dates.map(escape)),
            field("description", xml_text | st.sampled_from(HTML).map(cdata)),
            field("content:encoded", xml_text | st.sampled_from(HTML).map(cdata)),
            *(draw(element("category", xml_text)) for _ in range(draw(st.integers(0, 3)))),
            field("author", xml_text), field("dc:creator", xml_text),
            f'<enclosure url="{escape(draw(urls))}" type="{escape(draw(tricky_texts))}" '
            f'length="{escape(draw(tricky_texts))}"/>' if draw(st.booleans()) else "",
            f'<media:thumbnail url="{escape(draw(urls))}"/>' if draw(st.booleans()) else "",
            f'<media:content url="{escape(draw(urls))}" medium="image"/>'
            if draw(st.booleans()) else "",
        ]
        items.append("<item>" + "".join(draw(st.permutations(parts))) + "</item>")
    channel = (field("title", xml_text) + field("link", urls.map(escape))
               + (f'<atom:link rel="self" href="{escape(draw(urls))}"/>'
                  if draw(st.booleans()) else ""))
    return ('<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:media="http://search.yahoo.com/mrss/"><channel>'
            + channel + "".join(items) + "</channel></rss>")


@st.composite
def atom(draw: st.DrawFn) -> str:
    def text_construct(tag: str) -> str:
        kind = draw(st.sampled_from(("", ' type="text"', ' type="html"', ' type="xhtml"',
                                     ' type="bogus"')))
        body = draw(xml_text)
        if kind == ' type="xhtml"':
            body = f'<div xmlns="http://www.w3.org/1999/xhtml">{draw(st.sampled_from(HTML))}</div>'
        return f"<{tag}{kind}>{body}</{tag}>"

    def link(rel: str) -> str:
        return (f'<link rel="{rel}" href="{escape(draw(urls))}" '
                f'type="{escape(draw(tricky_texts))}"/>')

    entries = []
    for _ in range(draw(st.integers(0, 4))):
        parts = [
            f"<id>{escape(draw(urls))}</id>" if draw(st.booleans()) else "",
            text_construct("title") if draw(st.booleans()) else "",
            link("alternate") if draw(st.booleans()) else "",
            link("enclosure") if draw(st.booleans()) else "",
            f"<published>{escape(draw(dates))}</published>" if draw(st.booleans()) else "",
            f"<updated>{escape(draw(dates))}</updated>" if draw(st.booleans()) else "",
            text_construct("summary") if draw(st.booleans()) else "",
            text_construct("content") if draw(st.booleans()) else "",
            f"<author><name>{draw(xml_text)}</name></author>" if draw(st.booleans()) else "",
            f'<category term="{escape(draw(tricky_texts))}" '
            f'label="{escape(draw(tricky_texts))}"/>' if draw(st.booleans()) else "",
            f"<yt:videoId>{escape(draw(tricky_texts))}</yt:videoId>"
            f"<media:group><media:description>{draw(xml_text)}</media:description>"
            f"</media:group>" if draw(st.booleans()) else "",
        ]
        entries.append("<entry>" + "".join(draw(st.permutations(parts))) + "</entry>")
    head = (text_construct("title") if draw(st.booleans()) else "") + (
        link("alternate") if draw(st.booleans()) else "") + (
        link("self") if draw(st.booleans()) else "")
    return ('<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:yt="http://www.youtube.com/xml/schemas/2015" '
            'xmlns:media="http://search.yahoo.com/mrss/">' + head + "".join(entries) + "</feed>")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | tricky_texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky_texts, inner,
                                                                   max_size=3),
    max_leaves=8)


def maybe(plausible: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return plausible | json_values


json_item = st.fixed_dictionaries({}, optional={
    "id": maybe(urls), "url": maybe(urls), "external_url": maybe(urls), "title": maybe(xml_text),
    "content_html": maybe(st.sampled_from(HTML) | xml_text), "content_text": maybe(texts),
    "summary": maybe(texts), "image": maybe(urls), "banner_image": maybe(urls),
    "date_published": maybe(dates), "date_modified": maybe(dates),
    "tags": maybe(st.lists(tricky_texts | json_values, max_size=3)),
    "authors": maybe(st.lists(st.fixed_dictionaries({}, optional={"name": maybe(texts)})
                              | json_values, max_size=2)),
})
json_feed = st.fixed_dictionaries({}, optional={
    "version": maybe(st.sampled_from(("https://jsonfeed.org/version/1.1",
                                      "https://jsonfeed.org/version/1", "1.1"))),
    "title": maybe(texts), "home_page_url": maybe(urls), "feed_url": maybe(urls),
    "items": maybe(st.lists(json_item | json_values, max_size=4)),
}).map(lambda feed: json.dumps(feed, ensure_ascii=False))

ENCODINGS = ("utf-8", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "ascii",
             "shift_jis", "koi8-r", "gb18030")
CONTENT_TYPES = ("", "application/rss+xml", "application/atom+xml; charset=utf-8",
                 "text/xml", "text/xml; charset=iso-8859-1", "application/xml; charset=utf-16",
                 "text/html", "application/json", "application/feed+json; charset=bogus",
                 "text/plain; charset=")


@st.composite
def documents(draw: st.DrawFn) -> tuple[bytes, str]:
    """A feed document as bytes on the wire, and the Content-Type it came with."""
    fmt = draw(st.sampled_from(("rss", "atom", "json")))
    text = draw({"rss": rss(), "atom": atom(), "json": json_feed}[fmt])
    encoding = draw(st.sampled_from(ENCODINGS))
    if fmt != "json" and draw(st.integers(0, 3)):
        declared = draw(st.sampled_from((encoding, *ENCODINGS, "bogus", "")))
        text = f'<?xml version="1.0" encoding="{declared}"?>\n' + text
    data = text.encode(encoding, errors=draw(st.sampled_from(("xmlcharrefreplace", "replace"))))
    if draw(st.integers(0, 4)) == 0:
        data = b"\xef\xbb\xbf" + data
    change = draw(st.integers(0, 6))
    if change == 0:
        data = data[:draw(st.integers(0, len(data)))]
    elif change == 1:
        data = draw(mutated(st.just(data)))
    elif change == 2:  # nested thousands deep, in front of the document
        depth = draw(st.integers(1, 100_000))
        data = draw(st.sampled_from((b"[", b'{"a":', b"<a>", b"<![CDATA["))) * depth + data
    return data, draw(st.sampled_from(CONTENT_TYPES))


base_urls = st.none() | st.sampled_from(("https://guru.example/feed/", "http://[::1",
                                         "https://guru.example:99999/", "")) | urls


def web_or_none(value: str | None) -> bool:
    return value is None or urlsplit(value).scheme in ("http", "https")


@given(documents(), base_urls)
def test_parse_feed(document: tuple[bytes, str], base_url: str | None) -> None:
    data, content_type = document
    try:
        with cli_stack():
            result = parse_feed("guru", "https://guru.example/", data, base_url, content_type)
    except (FeedError, ValueError):
        return  # reported as a broken feed by the callers
    assert isinstance(result, FeedResult)
    assert web_or_none(result.home_page) and web_or_none(result.feed_url)
    for entry in result.entries:
        # An image taken from the sanitized HTML may stay relative when the feed gives no
        # address to resolve it against; it must never carry another scheme.
        assert web_or_none(entry.link)
        assert entry.image is None or urlsplit(entry.image).scheme in ("", "http", "https")
        assert isinstance(entry.published, datetime) and entry.published.tzinfo is not None
        assert isinstance(entry.title, str) and isinstance(entry.entry_id, str)


LINK_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "text/html", "APPLICATION/RSS+XML; charset=utf-8", "")


@given(st.lists(st.tuples(urls, st.sampled_from(LINK_TYPES), st.sampled_from(
    ("alternate", "ALTERNATE feed", "alternate home", "stylesheet", "")))), documents(),
       st.sampled_from(("https://guru.example/", "https://guru.example/blog/page?x=1")))
def test_discovery(links: list[tuple[str, str, str]], document: tuple[bytes, str],
                   base_url: str) -> None:
    """A home page's feed links: only http(s) addresses, and no exception."""
    page = "".join(f'<link rel="{rel}" type="{kind}" href="{escape(href)}">'
                   for href, kind, rel in links)
    data, content_type = document
    html = f"<html><head>{page}</head><body>{data.decode('utf-8', 'replace')}</body></html>"
    with cli_stack():
        looks_like_feed(data, content_type)
        found = feed_links(html, base_url)
    for link in found:
        assert urlsplit(link).scheme in ("http", "https")
