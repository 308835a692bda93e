"""The machine-readable outputs: Atom, JSON Feed 1.1, OPML blogroll, sitemap, robots.txt.

Built with ElementTree and json rather than templates so that escaping and
well-formedness are the library's job. All URLs here are absolute, from `school.url`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from datetime import datetime
from xml.etree import ElementTree as ET

from generator.layout import Layout
from generator.models import Portal, Post, WebFeed, pages_here

ATOM_NS = "http://www.w3.org/2005/Atom"
EXTENSION = "_mading"
"""The JSON Feed items' extension object: kind, classes, deadline and series of a post,
and its teacher (slug, name, school), for the portals that read this one (issue 25)."""
FEED_LIMIT = 30


def absolute(portal: Portal, path: str) -> str:
    """The public URL of a path in the output; `index.html` is left to the server."""
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    return portal.site.school.url + path


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold, even escaped. ElementTree writes them anyway, and one
in a name or title (site.yml and front matter may spell them `"\x0c"`) would make every
feed reader refuse the whole feed (tests/test_xss.py)."""


_IFRAME = re.compile(r"<iframe\b([^>]*)>.*?</iframe>", re.DOTALL)
_IFRAME_ATTRIBUTE = re.compile(r'\s(src|title)="([^"]*)"')
"""Read sanitized HTML, as nh3 writes it (`generator/sanitize.py`)."""
_YOUTUBE_EMBED = re.compile(
    r"https://www\.youtube(?:-nocookie)?\.com/embed/([A-Za-z0-9_-]{6,20})(?:[?#]|$)")


def feed_html(fragment: str) -> str:
    """A post's sanitized HTML as a feed carries it: each embed becomes a link to its page
    (a YouTube video's watch page), named by the embed's title. Feed readers show no
    iframes, and the W3C validator warned "content should not contain iframe tag" on
    every feed (issue 26)."""

    def link(match: re.Match[str]) -> str:
        attributes = dict(_IFRAME_ATTRIBUTE.findall(match.group(1)))
        source = html.unescape(attributes.get("src", ""))
        if not source:
            return ""
        video = _YOUTUBE_EMBED.match(source)
        address = html.escape(f"https://www.youtube.com/watch?v={video.group(1)}"
                              if video else source)
        return f'<p><a href="{address}">{attributes.get("title") or address}</a></p>'

    return _IFRAME.sub(link, fragment)


def _xml(root: ET.Element) -> bytes:
    for element in root.iter():
        if element.text:
            element.text = _NOT_XML.sub("", element.text)
        element.attrib = {name: _NOT_XML.sub("", value) for name, value in element.attrib.items()}
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _updated(posts: Sequence[Post], portal: Portal) -> datetime:
    """The newest change among `posts`; for an empty listing, the portal's newest: a date
    that moves only when posts do, so an unchanged rebuild leaves the file as it is."""
    newest = max((p.updated or p.published for p in posts), default=None)
    if newest is None:
        newest = max((p.updated or p.published for p in portal.posts[:50]),
                     default=portal.generated)
    return newest


def atom(portal: Portal, layout: Layout, base: str, title: str, posts: Sequence[Post]) -> bytes:
    """An Atom 1.0 feed of `posts` for the page at `base`."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        element.text = text
        return element

    school = portal.site.school
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": school.language})
    sub(feed, "id", absolute(portal, base))
    sub(feed, "title", title if title == school.name else f"{title} · {school.name}")
    sub(feed, "updated", _updated(posts, portal).isoformat())
    sub(feed, "link", rel="self", type="application/atom+xml",
        href=absolute(portal, base + "feed.xml"))
    sub(feed, "link", rel="alternate", type="text/html", href=absolute(portal, base))
    sub(feed, "generator", "Mading")
    for post in posts[:FEED_LIMIT]:
        entry = sub(feed, "entry")
        address = absolute(portal, layout.post(post))
        sub(entry, "id", address)
        sub(entry, "title", post.title)
        sub(entry, "link", rel="alternate", type="text/html", href=address)
        if post.link:
            sub(entry, "link", rel="related", type="text/html", href=post.link)
        sub(entry, "published", post.published.isoformat())
        sub(entry, "updated", (post.updated or post.published).isoformat())
        sub(sub(entry, "author"), "name", post.teacher.name)
        for subject in post.subjects:
            sub(entry, "category", term=subject.slug, label=subject.name)
        if post.summary:
            sub(entry, "summary", post.summary)
        sub(entry, "content", feed_html(post.content_html), type="html")
    return _xml(feed)


def json_feed(portal: Portal, layout: Layout, base: str, title: str,
              posts: Sequence[Post]) -> bytes:
    """A JSON Feed 1.1 of `posts` for the page at `base`."""
    school = portal.site.school
    schools = {s.slug: s.name for s in portal.site.schools}
    items = []
    for post in posts[:FEED_LIMIT]:
        item: dict[str, object] = {
            "id": absolute(portal, layout.post(post)),
            "url": absolute(portal, layout.post(post)),
            "title": post.title,
            "content_html": feed_html(post.content_html),
            "date_published": post.published.isoformat(),
            "authors": [{"name": post.teacher.name}],
            "tags": [s.name for s in post.subjects] + list(post.tags),
        }
        if post.link:
            item["external_url"] = post.link
        if post.summary:
            item["summary"] = post.summary
        if post.updated:
            item["date_modified"] = post.updated.isoformat()
        if post.image:
            item["image"] = post.image
        # What a cluster or district portal reading this feed keeps as the school said
        # it (issue 25; a JSON Feed extension, ignored by other readers).
        # The teacher, so that a province reading a district's own feed.json as a summary
        # can attribute and group its posts (issue 25).
        teacher = post.teacher
        extension: dict[str, object] = {
            "kind": post.kind, "classes": list(post.classes),
            "teacher": {"slug": teacher.slug, "name": teacher.name,
                        "school": schools.get(teacher.school or "", school.name)}}
        if post.due is not None:
            extension.update(due=post.due.isoformat(), due_all_day=post.due_all_day)
        if post.series:
            extension["series"] = post.series
        item[EXTENSION] = extension
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title if title == school.name else f"{title} · {school.name}",
        "home_page_url": absolute(portal, base),
        "feed_url": absolute(portal, base + "feed.json"),
        "language": school.language,
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def opml(portal: Portal) -> bytes:
    """The blogroll: every teacher's original blog and, where known, its feed."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = portal.site.school.name
    # Dated by the newest post, not the build: a rebuild with nothing new leaves it as is.
    ET.SubElement(head, "dateCreated").text = _updated(portal.posts, portal).strftime(
        "%a, %d %b %Y %H:%M:%S %z")
    body = ET.SubElement(root, "body")
    for teacher in portal.site.teachers:
        status = portal.feed_of(teacher.slug)
        if status is None:
            continue
        attrs = {"text": teacher.name, "title": status.title or teacher.name}
        xml_url = status.feed_url or (teacher.blog.url if isinstance(teacher.blog, WebFeed)
                                      else None)
        if xml_url:
            attrs.update(type="rss", xmlUrl=xml_url)
        if status.home_page:
            attrs["htmlUrl"] = status.home_page
        ET.SubElement(body, "outline", attrs)
    return _xml(root)


def sitemap(portal: Portal, layout: Layout) -> bytes:
    """Every HTML page of the portal, with the date of its newest post where it has one."""
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}urlset")
    site = portal.site
    pages = ["", "mapel/", "kelas/", "tugas/", "guru/"]
    pages += [layout.subject(s.slug) for s in site.subjects]
    pages += [layout.klass(c) for c in site.classes]
    pages += [layout.teacher(t) for t in pages_here(site.teachers)]
    for page in pages:
        url = ET.SubElement(root, f"{{{ns}}}url")
        ET.SubElement(url, f"{{{ns}}}loc").text = absolute(portal, page)
    for post in portal.posts:
        url = ET.SubElement(root, f"{{{ns}}}url")
        ET.SubElement(url, f"{{{ns}}}loc").text = absolute(portal, layout.post(post))
        modified = post.updated or post.published
        ET.SubElement(url, f"{{{ns}}}lastmod").text = modified.date().isoformat()
    return _xml(root)


def robots(base_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n".encode()
