"""Schools whose every user-controlled field holds the XSS corpus, written as real files.

Two sites, so that every page stays small enough to open them all in a browser:

- `write_school_site`: the fields a site has one of hold every vector at once: the
  school's name and description, one subject (name; every vector is also an alias), one
  class, one teacher (name, bio, links, an SVG photo holding a script); `school.url` is
  a vector that passes validation (1108). No posts.
- `write_posts_site`: one feed item and one Markdown post per vector, and the vectors in
  groups of `CHUNK` naming subjects, classes, teachers, categories and tags.
  - **feeds**: every field of an item holds its vector (title, body, summary, link,
    enclosure URL and type, media image, author, JSON Feed attachments); its categories
    hold its group. The body formats take turns (RSS `content:encoded`, RSS `description`
    alone, Atom `content`, Atom `summary` alone, JSON Feed `content_html`): `write_feed`
    writes any of them with every vector, and tests/test_xss.py checks that all five hand
    the sanitizer the same text, so each vector built once stands for all five.
    Text-only bodies (JSON Feed `content_text`, a YouTube video's description) hold a
    group each: they are escaped, not parsed.
  - **content/**: front matter title, summary, subjects (the vector, an alias), class,
    tags, an attachment named after the vector where a file can be; the body has the
    vector as a Markdown link, `<link>`, image, reference link, inline and display math,
    and raw HTML, in that order (raw HTML last: an unclosed tag would swallow the rest).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

from tests.xss import Vector

CHUNK = 30
NOW = datetime(2026, 11, 15, 0, 0, tzinfo=UTC)
SCHOOL_URL_VECTOR = 1108
FEED_KINDS = ("rss-content", "rss-description", "atom-content", "atom-summary", "json-html")
"""Body formats, taken in turn by the vectors."""
FEED_TEACHERS = {"rss": "feeds/rss.xml", "atom": "feeds/atom.xml", "json": "feeds/feed.json",
                 "teks": "feeds/teks.json", "yt": "feeds/yt.xml"}
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = {"content": "http://purl.org/rss/1.0/modules/content/",
       "dc": "http://purl.org/dc/elements/1.1/", "media": "http://search.yahoo.com/mrss/",
       "atom": "http://www.w3.org/2005/Atom", "yt": "http://www.youtube.com/xml/schemas/2015"}


@dataclass(frozen=True)
class Plan:
    """What `write_site` put where, for the tests' expectations."""

    site_yml: Path
    vectors: tuple[Vector, ...]
    feed_kind: dict[int, str]
    """Vector ID -> the body format that carries it."""
    attachments: tuple[int, ...]
    """Vectors that are a post's attachment file name."""
    photos: tuple[str, ...]
    links: tuple[str, ...]
    """Teachers' links that site.yml validation accepted."""
    markdown_posts: int


def chunks(vectors: list[Vector]) -> list[list[Vector]]:
    return [vectors[i:i + CHUNK] for i in range(0, len(vectors), CHUNK)]


def joined(vectors: list[Vector], separator: str = " ") -> str:
    return separator.join(v.payload for v in vectors)


def yaml_string(text: str) -> str:
    """`text` as a YAML double-quoted scalar: every character survives, escapes included."""
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def xml_text(text: str) -> str:
    """XML 1.0 cannot hold control characters even escaped: they are written as HTML
    character references instead (`&#0;`), which HTML parsers read as the same mistake."""
    return _XML_ILLEGAL.sub(lambda m: f"&#{ord(m.group(0))};", text)


def file_name(vector: Vector) -> str | None:
    """The vector as a file name, when a file can be called that (as site.yml and front
    matter accept: printable, no folder, not too long)."""
    name = vector.payload
    if "/" in name or not name.isprintable() or name.strip() != name or \
            name in (".", "..") or len(name.encode()) > 200 or name.endswith(".md"):
        return None
    return name


def write_school_site(root: Path, vectors: list[Vector], accepted_links: set[str]) -> Plan:
    """The site whose single-valued fields hold every vector (see the module's doc).

    `accepted_links` are the URL candidates that site.yml validation accepts (see
    `link_candidates`): the others would stop the build, so they are checked on their own.
    """
    root.mkdir(parents=True)
    (root / "img").mkdir()
    links = [c for v in vectors for c in link_candidates(v) if c in accepted_links]
    photo = _photo(root, "guru", vectors)
    everything = joined(vectors)
    school_url = next(v.payload for v in vectors if v.id == SCHOOL_URL_VECTOR)
    (root / "site.yml").write_text(
        "school:\n"
        f"  name: {yaml_string('SMA XSS ' + everything)}\n"
        f"  url: {yaml_string(school_url)}\n"
        f"  description: {yaml_string(everything)}\n"
        "subjects:\n"
        f"  - name: {yaml_string(everything)}\n    slug: semua\n"
        f"    aliases: [{', '.join(yaml_string(v.payload) for v in vectors)}]\n"
        f"classes: [{yaml_string('K ' + everything)}]\n"
        "teachers:\n"
        f"  - name: {yaml_string(everything)}\n    slug: guru\n    subjects: [semua]\n"
        f"    classes: [{yaml_string('K ' + everything)}]\n"
        f"    bio: {yaml_string(everything)}\n    photo: {yaml_string(photo)}\n"
        f"    links: [{', '.join(yaml_string(link) for link in links)}]\n",
        encoding="utf-8")
    return Plan(root / "site.yml", tuple(vectors), {}, (), (photo,), tuple(links), 0)


def write_posts_site(root: Path, vectors: list[Vector], accepted_links: set[str]) -> Plan:
    """The site of one feed item and one Markdown post per vector (see the module's doc)."""
    root.mkdir(parents=True)
    groups = chunks(vectors)
    (root / "feeds").mkdir()
    (root / "img").mkdir()
    photos = []
    links: list[str] = []
    teachers = []
    for number, group in enumerate(groups):
        teacher_links = [c for v in group for c in link_candidates(v) if c in accepted_links]
        links += teacher_links
        photo = _photo(root, f"p{number}", group)
        photos.append(photo)
        teachers.append(
            f"  - name: {yaml_string(joined(group))}\n    slug: p{number}\n"
            f"    subjects: [s{number}]\n"
            f"    classes: [{yaml_string(class_name(number, groups))}]\n"
            f"    bio: {yaml_string(joined(group))}\n    photo: {yaml_string(photo)}\n"
            f"    links: [{', '.join(yaml_string(link) for link in teacher_links)}]\n")
    for number, (slug, path) in enumerate(FEED_TEACHERS.items()):
        group = groups[number % len(groups)]
        teachers.append(f"  - name: {yaml_string(f'Guru {slug} ' + joined(group))}\n"
                        f"    slug: {slug}\n    blog: {path}\n")
    teachers.append("  - name: Guru Markdown\n    slug: md\n")
    subjects = "".join(
        f"  - name: {yaml_string(f'Mapel {number} ' + joined(group))}\n    slug: s{number}\n"
        f"    aliases: [{', '.join(yaml_string(v.payload) for v in group)}]\n"
        for number, group in enumerate(groups))
    classes = ", ".join(yaml_string(class_name(n, groups)) for n in range(len(groups)))
    school_url = next(v.payload for v in vectors if v.id == SCHOOL_URL_VECTOR)
    (root / "site.yml").write_text(
        "school:\n  name: SMA Uji XSS\n"
        f"  url: {yaml_string(school_url)}\n"
        f"subjects:\n{subjects}"
        f"classes: [{classes}]\n"
        "portal:\n  page_size: 200\n"
        f"teachers:\n{''.join(teachers)}", encoding="utf-8")
    kinds = {v.id: FEED_KINDS[n % len(FEED_KINDS)] for n, v in enumerate(vectors)}
    homes = {v.id: v.payload for v in vectors if v.id in (1107, 1108, 1109)}
    for slug, kind_prefix, home in (("rss", "rss", 1109), ("atom", "atom", 1107),
                                    ("json", "json", 1108)):
        mine = [v for v in vectors if kinds[v.id].startswith(kind_prefix)]
        write_feed(root / FEED_TEACHERS[slug], vectors, mine, kinds, homes[home])
    _write_text_feeds(root, groups)
    attachments = _write_markdown(root / "content" / "md", groups)
    return Plan(root / "site.yml", tuple(vectors), kinds, attachments, tuple(photos),
                tuple(links), len(vectors))


def class_name(number: int, groups: list[list[Vector]]) -> str:
    return f"K{number} " + joined(groups[number])


def link_candidates(vector: Vector) -> list[str]:
    """The vector as a teacher's link, as given and after a web address."""
    return [vector.payload, "https://guru.example/" + vector.payload]


def post_date(vector: Vector) -> datetime:
    """A date of its own for every post, all in November 2026 (one archive month per
    teacher) and before `NOW` (a feed's date in the future is replaced by the time it
    was read)."""
    date = datetime(2026, 11, 1, 7, 30, tzinfo=UTC) + timedelta(minutes=30 * (vector.id - 1000))
    assert date < NOW, "more vectors than days before NOW: move NOW"
    return date


def _photo(root: Path, name: str, group: list[Vector]) -> str:
    """An SVG photo holding a script that must never run: the portal shows photos with
    <img>, where SVG scripts do not run, and publishes them cleaned (issue 26; a photo
    named with a vector as its extension, as before, is no image and is refused)."""
    path = f"img/{name}.svg"
    (root / path).write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(\'photo\')" width="8" '
        f'height="8"><script>alert({group[0].id})</script><rect width="8" height="8"/></svg>',
        encoding="utf-8")
    return path


def _feed_group(vector: Vector, vectors: list[Vector]) -> str:
    index = vectors.index(vector) // CHUNK
    return f"G{index} " + joined(vectors[index * CHUNK:(index + 1) * CHUNK])


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _write_xml(path: Path, root: ET.Element) -> None:
    for prefix, uri in _NS.items():
        ET.register_namespace(prefix, uri)
    path.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def write_feed(path: Path, vectors: list[Vector], items: list[Vector], kinds: dict[int, str],
               home: str) -> None:
    """A feed of `items`, one per vector, each in its body format `kinds[id]` (all of one
    of RSS, Atom, JSON Feed); `vectors` gives the groups for categories; `home` is the
    feed's home page link."""
    formats = {kinds[v.id].split("-")[0] for v in items}
    assert len(formats) == 1, formats
    writer = {"rss": _write_rss, "atom": _write_atom, "json": _write_json}[formats.pop()]
    writer(path, vectors, items, kinds, home)


def _write_rss(path: Path, vectors: list[Vector], items: list[Vector], kinds: dict[int, str],
               home: str) -> None:
    c, dc, media = (f"{{{_NS[p]}}}" for p in ("content", "dc", "media"))
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _sub(channel, "title", "Blog RSS " + joined(vectors))
    _sub(channel, "link", home)
    _sub(channel, "description", joined(vectors))
    for vector in items:
        v = vector.payload
        item = ET.SubElement(channel, "item")
        _sub(item, "title", v)
        _sub(item, "link", v)
        _sub(item, "guid", f"rss-{vector.id}", isPermaLink="false")
        _sub(item, "pubDate", post_date(vector).strftime("%a, %d %b %Y %H:%M:%S +0000"))
        _sub(item, "category", _feed_group(vector, vectors))
        _sub(item, f"{dc}creator", v)
        _sub(item, "enclosure", url=v, type=v, length="1")
        _sub(item, f"{media}thumbnail", url=v)
        _sub(item, f"{media}content", url=v, medium="image", type=v)
        _sub(item, "description", v)
        if kinds[vector.id] == "rss-content":
            _sub(item, f"{c}encoded", v)
    _write_xml(path, rss)


def _write_atom(path: Path, vectors: list[Vector], items: list[Vector], kinds: dict[int, str],
                home: str) -> None:
    a = f"{{{_NS['atom']}}}"
    feed = ET.Element(f"{a}feed")
    _sub(feed, f"{a}title", "Blog Atom " + joined(vectors), type="html")
    _sub(feed, f"{a}link", href=home)
    _sub(feed, f"{a}id", "urn:xss:atom")
    _sub(feed, f"{a}updated", NOW.isoformat())
    for vector in items:
        v = vector.payload
        entry = ET.SubElement(feed, f"{a}entry")
        _sub(entry, f"{a}title", v, type="html")
        _sub(entry, f"{a}id", f"urn:xss:{vector.id}")
        _sub(entry, f"{a}link", rel="alternate", href=v)
        _sub(entry, f"{a}link", rel="enclosure", href=v, type=v)
        _sub(entry, f"{a}published", post_date(vector).isoformat())
        _sub(entry, f"{a}updated", post_date(vector).isoformat())
        author = _sub(entry, f"{a}author")
        _sub(author, f"{a}name", v)
        _sub(author, f"{a}uri", v)
        _sub(entry, f"{a}category", term=_feed_group(vector, vectors), label=v)
        _sub(entry, f"{a}summary", v, type="html")
        if kinds[vector.id] == "atom-content":
            _sub(entry, f"{a}content", v, type="html")
    _write_xml(path, feed)


def _write_json(path: Path, vectors: list[Vector], items: list[Vector], kinds: dict[int, str],
                home: str) -> None:
    path.write_text(json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Blog JSON " + joined(vectors),
        "home_page_url": home, "feed_url": vectors[0].payload,
        "items": [{
            "id": f"json-{vector.id}", "url": v, "external_url": v, "title": v,
            "content_html": v, "summary": v, "image": v, "banner_image": v,
            "date_published": post_date(vector).isoformat(),
            "tags": [_feed_group(vector, vectors)],
            "authors": [{"name": v, "url": v, "avatar": v}],
            "attachments": [{"url": v, "mime_type": v, "title": v}],
        } for vector in items for v in (vector.payload,)]}), encoding="utf-8")


def _write_text_feeds(root: Path, groups: list[list[Vector]]) -> None:
    """Bodies that are plain text: a JSON Feed `content_text`, a YouTube description."""
    items = [{"id": f"teks-{n}", "title": joined(g), "content_text": joined(g, "\n\n"),
              "date_published": post_date(g[0]).isoformat()} for n, g in enumerate(groups)]
    (root / FEED_TEACHERS["teks"]).write_text(json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Teks", "items": items}),
        encoding="utf-8")
    a, media, yt = (f"{{{_NS[p]}}}" for p in ("atom", "media", "yt"))
    feed = ET.Element(f"{a}feed")
    _sub(feed, f"{a}title", "YouTube")
    _sub(feed, f"{a}id", "urn:xss:yt")
    _sub(feed, f"{a}updated", NOW.isoformat())
    for number, group in enumerate(groups):
        entry = ET.SubElement(feed, f"{a}entry")
        _sub(entry, f"{a}id", f"yt:video:vid{number:08d}")
        _sub(entry, f"{yt}videoId", f"vid{number:08d}")
        _sub(entry, f"{a}title", joined(group))
        _sub(entry, f"{a}published", post_date(group[0]).isoformat())
        media_group = _sub(entry, f"{media}group")
        _sub(media_group, f"{media}description", joined(group, "\n"))
    _write_xml(root / FEED_TEACHERS["yt"], feed)


def _write_markdown(folder: Path, groups: list[list[Vector]]) -> tuple[int, ...]:
    folder.mkdir(parents=True)
    attachments = []
    for number, group in enumerate(groups):
        for vector in group:
            v = vector.payload
            attachment = file_name(vector)
            if attachment:
                # A worksheet named after the vector: a real PDF, the type a post may
                # publish (issue 26: an HTML or script attachment is refused).
                attachment += ".pdf"
                (folder / attachment).write_bytes(b"%PDF-1.4\nlembar kerja")
                attachments.append(vector.id)
            due = post_date(vector) + timedelta(days=(vector.id % 3) * 7 - 7)
            (folder / f"{vector.id}.md").write_text(
                "---\n"
                f"title: {yaml_string(v)}\n"
                f"date: {post_date(vector):%Y-%m-%d %H:%M}\n"
                f"subjects: [{yaml_string(v)}]\n"
                f"classes: [{yaml_string(class_name(number, groups))}]\n"
                "kind: tugas\n"
                f"due: {due:%Y-%m-%d}\n"
                f"tags: [{yaml_string(f'T{number} ' + joined(group))}]\n"
                f"summary: {yaml_string(v)}\n"
                + (f"attachments: [{yaml_string(attachment)}]\n" if attachment else "")
                + "---\n\n"
                f"[tautan]({v}) [tautan kedua](<{v}>) ![gambar]({v}) [rujukan][r{vector.id}]\n\n"
                f"${v}$\n\n$$\n{v}\n$$\n\n"
                f"[r{vector.id}]: {v}\n\n"
                f"{v}\n", encoding="utf-8")
    return tuple(attachments)
