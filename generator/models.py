"""The records passed from stage to stage.

Every record is a frozen dataclass: a stage receives records, returns new ones and never
mutates what it was given (see ../shared/STYLE.md, "Immutable typed records").
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

Kind = str
"""`materi`, `tugas`, `pengumuman`, or a kind site.yml declares (`kinds:`, issue 25)."""
KINDS: tuple[Kind, ...] = ("materi", "tugas", "pengumuman")
Origin = Literal["feed", "markdown"]


@dataclass(frozen=True)
class School:
    name: str
    url: str
    language: str
    timezone: str
    description: str = ""


@dataclass(frozen=True)
class Subject:
    name: str
    slug: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class WebFeed:
    """A `blog:` on the web: the blog's home page (its feed is looked for there) or its
    feed's own address. Config checked it is an absolute http(s) URL."""

    url: str

    def __str__(self) -> str:
        return self.url


@dataclass(frozen=True)
class FeedFile:
    """A `blog:` that is a feed file in the site folder (an export of a blog, a feed
    made by another tool). Config checked it exists inside the folder and is not hidden."""

    path: str
    """As site.yml writes it, relative to the site folder: the archive keeps it as the
    feed's source, so a rebuild knows the file it read last time."""

    def __str__(self) -> str:
        return self.path


Blog = WebFeed | FeedFile
"""What a teacher's `blog:` names; decided once, by config (issue 22)."""


@dataclass(frozen=True)
class Teacher:
    name: str
    slug: str
    subjects: tuple[str, ...] = ()
    """Slugs of the subjects this teacher teaches."""
    classes: tuple[str, ...] = ()
    blog: Blog | None = None
    """Where the teacher's posts are read from; None for a teacher who writes only
    Markdown in `content/`."""
    photo: Path | None = None
    """Absolute path of the photo file, already checked to exist inside the site folder."""
    photo_content: bytes | None = None
    """What is published for the photo when it is not the file itself: an SVG, cleaned."""
    bio: str = ""
    links: tuple[str, ...] = ()
    """Other places to reach the teacher: a school e-mail form, a YouTube channel, …"""
    school: str | None = None
    """On a cluster or district portal, the slug of the school whose portal this teacher
    was read from (`schools:` in site.yml, issue 25); None on a school's own portal."""
    home: str | None = None
    """The teacher's page on the portal that builds it, when this portal builds none for
    them: a teacher of a portal read as a summary (issue 25). Every link to them goes
    there; None for a teacher whose pages are this portal's."""

    @property
    def initials(self) -> str:
        """Two letters for the avatar of a teacher without a photo, titles left out."""
        words = personal_name(self.name).split()
        return "".join(w[0] for w in words[:2]).upper() or self.name[:1].upper()


def pages_here(teachers: Iterable[Teacher]) -> list[Teacher]:
    """The `teachers` this portal builds pages for: not those of a portal read as a
    summary, whose pages stay on their own portal (`Teacher.home`)."""
    return [teacher for teacher in teachers if teacher.home is None]


def personal_name(name: str) -> str:
    """`Drs. H. Ahmad Fauzi, M.Pd.` -> `Ahmad Fauzi`: the name without academic titles."""
    words = [w for w in name.split(",")[0].split() if w[:1].isalpha() and not w.endswith(".")]
    return " ".join(words) or name


@dataclass(frozen=True)
class KindSpec:
    """A kind of post beyond materi, tugas and pengumuman that site.yml declares
    (`kinds:`, issue 25): lesson plans (RPP), classroom action research (PTK)…"""

    name: str
    """A slug: what front matter's `kind:` says, and the badge's class."""
    label: str
    """What the pages show."""
    aliases: tuple[str, ...] = ()
    """Blog labels and front matter words that mean this kind."""


@dataclass(frozen=True)
class SchoolPortal:
    """A school portal a cluster or district portal reads (`schools:` in site.yml)."""

    name: str
    slug: str
    portal: str
    """The school portal's address, ending in `/`: its `portal.json` is read there."""
    summary: bool = False
    """Read as a summary (`read: ringkas`): the index and the portal's own `feed.json`,
    not each teacher's feed; how a province reads its districts."""


@dataclass(frozen=True)
class PortalSettings:
    """How the portal lists things (`portal:` in site.yml)."""

    page_size: int = 20
    """Posts per page on subject, class and teacher listings."""
    active_days: int = 30
    """A teacher who posted within this many days gets the 'active' badge."""


@dataclass(frozen=True)
class ImageSettings:
    """What becomes of posts' pictures (`images:` in site.yml, issue 27)."""

    local: bool = True
    """Keep a copy of each feed picture and show right-sized copies of it; off, pictures
    are shown from the teachers' blogs (for a host with little space)."""


@dataclass(frozen=True)
class Site:
    """A validated `site.yml`: everything later stages need to know about the school."""

    school: School
    subjects: tuple[Subject, ...]
    classes: tuple[str, ...]
    teachers: tuple[Teacher, ...]
    root: Path
    """The folder holding `site.yml`; relative paths in the config resolve against it."""
    config_file: Path
    class_aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(class, its other names) for the classes of site.yml that have aliases: the names
    teachers' labels and posts may use (`XI IPA 3` for `XI MIPA 3`)."""
    embed_hosts: tuple[str, ...] = ("www.youtube.com", "www.youtube-nocookie.com")
    """Hosts whose iframes (videos, slides) may appear in posts; also the CSP's frame-src."""
    portal: PortalSettings = PortalSettings()
    images: ImageSettings = ImageSettings()
    schools: tuple[SchoolPortal, ...] = ()
    """The school portals this portal is built over (a cluster or district, issue 25)."""
    kinds: tuple[KindSpec, ...] = ()
    """Kinds of post beyond `KINDS` (issue 25)."""

    @property
    def kind_names(self) -> tuple[str, ...]:
        return KINDS + tuple(k.name for k in self.kinds)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def archive_file(self) -> Path:
        return self.root / ".mading" / "archive.sqlite"

    @property
    def corrections_file(self) -> Path:
        """`koreksi.yml` beside site.yml: the school's corrections of blog posts (issue 20)."""
        return self.root / "koreksi.yml"

    @property
    def images_dir(self) -> Path:
        """Posts' pictures by content hash and their resized copies, kept like the
        archive (generator/sources/images.py)."""
        return self.root / ".mading" / "images"

    @property
    def cache_file(self) -> Path:
        """What builds can compute again (generator/cache.py); safe to delete."""
        return self.root / ".mading" / "cache.sqlite"

    def subject(self, slug: str) -> Subject:
        return next(s for s in self.subjects if s.slug == slug)

    def teacher(self, slug: str) -> Teacher:
        return next(t for t in self.teachers if t.slug == slug)


@dataclass(frozen=True)
class Attachment:
    """A file a teacher attached to a post (a worksheet, slides), copied beside its page."""

    path: Path
    size: int
    """Bytes, shown so a student on prepaid data knows before downloading."""
    kind: str
    """A short type label: `PDF`, `DOCX`, `PPTX`, `JPG`…"""

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Entry:
    """One post as a source produced it: from a teacher's feed or a Markdown file.

    Its HTML is already sanitized, and kept compressed (`pack_html`) as the post will
    keep it. Feed entries carry raw `categories` and leave `subjects`, `classes` and `kind`
    empty for collect to classify; Markdown entries carry what the teacher wrote in the
    front matter.
    """

    teacher: str
    entry_id: str
    origin: Origin
    title: str
    published: datetime
    html: bytes
    """`pack_html` of the sanitized HTML: a district's 90,000 entries are all held while
    the posts are collected."""
    updated: datetime | None = None
    link: str | None = None
    summary: str = ""
    categories: tuple[str, ...] = ()
    author: str = ""
    image: str | None = None
    subjects: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    kind: Kind | None = None
    due: datetime | None = None
    due_all_day: bool = False
    """`due` names a day, not a time (shown and put in calendars as a whole day)."""
    draft: bool = False
    series: str = ""
    """The series the post belongs to (PTK cycle 1, cycle 2…): followed from post to post."""
    slug: str | None = None
    """Set by Markdown entries (from the file name); feed entries get one in collect."""
    assets: tuple[Path, ...] = ()
    """Files next to a Markdown post that its HTML refers to, copied beside its page."""
    attachments: tuple[Attachment, ...] = ()
    cleaned: tuple[tuple[str, bytes], ...] = ()
    """(path, content) of the assets and attachments published as cleaned rather than
    copied: SVG images (generator/filetypes.py, issue 26). By the whole path as text: not
    its name, which would be the very string object the path holds, and pickled once
    (render's post digests) when read afresh but twice when read from the cache."""

    @property
    def content_html(self) -> str:
        return unpack_html(self.html)

    def as_data(self, with_html: bool = True) -> dict[str, Any]:
        """The entry as JSON-ready data (times as ISO text, paths as strings, the HTML as
        `content_html` text): the one format the archive and the build cache store. The
        build cache keeps the HTML beside it as it is held (`html`), hence `with_html`."""
        data = asdict(self)
        del data["html"]
        if with_html:
            data["content_html"] = self.content_html
        for key in ("published", "updated", "due"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        data["assets"] = [str(path) for path in self.assets]
        data["attachments"] = [[str(a.path), a.size, a.kind] for a in self.attachments]
        data["cleaned"] = [[path, content.decode()] for path, content in self.cleaned]
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any], html: bytes | None = None) -> Entry:
        """The entry `as_data` gave (a missing key takes its default); without its
        `content_html`, with the `html` it was given."""
        data = dict(data)
        for key in ("published", "updated", "due"):
            data[key] = datetime.fromisoformat(data[key]) if data.get(key) else None
        for key in ("categories", "subjects", "classes"):
            data[key] = tuple(data.get(key) or ())
        data["assets"] = tuple(Path(path) for path in data.get("assets") or ())
        data["attachments"] = tuple(Attachment(Path(path), size, kind)
                                    for path, size, kind in data.get("attachments") or ())
        data["cleaned"] = tuple((path, content.encode())
                                for path, content in data.get("cleaned") or ())
        if html is None:
            text = data.pop("content_html")
            if not isinstance(text, str):
                raise TypeError(f"content_html is {type(text).__name__}, not text")
            html = pack_html(text)
        elif not isinstance(html, bytes):
            raise TypeError(f"html is {type(html).__name__}, not bytes")
        return cls(html=html, **data)


MAX_TAGS = 20
"""Labels a post may have. Each label is a page of the teacher's micro-site: one post with
10,000 tags wrote 10,010 pages and 7.1 GB (issue 26). A Markdown post with more is
refused; a feed's post keeps its first ones."""


@dataclass(frozen=True)
class Post:
    """A post ready to show: classified, with its own address on the portal."""

    teacher: Teacher
    slug: str
    title: str
    published: datetime
    html: bytes
    """The sanitized HTML, compressed (`pack_html`): while a district's pages render,
    its 90,000 posts' HTML was most of what the build held, and only a post's own page
    and the feeds that list it read it (`content_html`)."""
    summary: str
    subjects: tuple[Subject, ...]
    classes: tuple[str, ...]
    kind: Kind
    tags: tuple[str, ...] = ()
    due: datetime | None = None
    due_all_day: bool = False
    """`due` names a day, not a time: 23:59 of that day, shown without a time."""
    due_read: bool = False
    """The deadline (and kind and classes) were read from the post's text by
    generator/assignments.py, not stated by the teacher's front matter or the school's
    corrections: the post page says so and links the original."""
    hand_in: str = ""
    """Where to hand the assignment in, as read from the text ("melalui Google Classroom")."""
    series: str = ""
    """The series the post belongs to, as its teacher named it (issue 25)."""
    updated: datetime | None = None
    link: str | None = None
    image: str | None = None
    origin: Origin = "markdown"
    assets: tuple[Path, ...] = field(default=())
    attachments: tuple[Attachment, ...] = field(default=())
    cleaned: tuple[tuple[str, bytes], ...] = field(default=())

    @property
    def content_html(self) -> str:
        return unpack_html(self.html)


def pack_html(html: str) -> bytes:
    """HTML as entries and posts keep it: UTF-8, compressed about five times at zlib's
    fastest."""
    return zlib.compress(html.encode(), 1)


def unpack_html(packed: bytes) -> str:
    return zlib.decompress(packed).decode()


@dataclass(frozen=True)
class FeedNote:
    """What the last update of a feed left out or changed, for `mading report` (issue 26):
    `message_id` names a message of the `hostile_data` catalogue table, about `count`
    items (and the `limit` that cut them, if any)."""

    message_id: str
    count: int
    limit: int = 0


@dataclass(frozen=True)
class FeedStatus:
    """How a teacher's feed fared, as the archive remembers it across runs."""

    teacher: str
    source: str
    home_page: str | None = None
    feed_url: str | None = None
    """The feed's own URL, when known (for the blogroll)."""
    title: str = ""
    error: str | None = None
    error_since: datetime | None = None
    last_success: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    """Validators from the last successful fetch, sent back for conditional GET."""
    notes: tuple[FeedNote, ...] = ()
    """What the last update that read the feed left out or changed (issue 26)."""


@dataclass(frozen=True)
class FeedResult:
    """What reading one teacher's feed gave: entries, or the reason there are none."""

    teacher: str
    source: str
    """The `blog:` as site.yml writes it (`str(Blog)`), which the archive keeps."""
    entries: tuple[Entry, ...] = ()
    title: str = ""
    home_page: str | None = None
    feed_url: str | None = None
    error: str | None = None
    undated: frozenset[str] = frozenset()
    """Ids of entries the feed gives no date for: their `published` is the time they were
    read, so the archive keeps the date it first stored for them."""
    not_modified: bool = False
    """The server answered 304: nothing changed since the last update, nothing parsed."""
    etag: str | None = None
    last_modified: str | None = None
    received: int = 0
    """Bytes read from the network for this feed."""
    notes: tuple[FeedNote, ...] = ()
    """What reading the feed left out or changed: dates out of range (issue 26)."""
    idless: frozenset[str] = frozenset()
    """Ids of entries the feed gives no id for: their `entry_id` is their link (or a hash
    of their text), so the archive may know them by their link (issue 26)."""


@dataclass(frozen=True)
class FetchLimits:
    """How much an update may cost; the defaults suit a school on a CI runner.

    One record for the fetch (requests, bytes, time) and the archive (entries it takes
    from one update): both bound the same update, and neither imports the other.
    """

    concurrency: int = 64
    """Requests in flight at once. Feeds that hang hold a slot for the whole timeout: with
    64, the 5% of 1,000 feeds that hang in the benchmark cost one timeout, not two."""
    timeout: float = 10.0
    """Seconds for one request, from connecting to the last byte."""
    deadline: float = 180.0
    """Seconds for an update of up to `concurrency` feeds; requests still running then
    are abandoned. A larger update gets more (`deadline_for`)."""
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    max_new_entries: int = 500
    """New posts the archive stores from one feed in one update: the newest; the others
    are new again at the next update, so a blog moved in whole fills in over a few
    updates, while a feed that invents 80,000 posts per update cannot (issue 26)."""
    max_entries: int = 5_000
    """Posts the archive keeps per teacher's feed (a post a day for 13 years): past it,
    new posts are not stored, and said so. Nothing stored is ever dropped to make room:
    the archive holds what the blogs no longer show."""

    def deadline_for(self, requests: int) -> float:
        """Seconds for an update of `requests` feeds: `deadline` for the first
        `concurrency` of them, and one `timeout` more for each further round of slots.

        Past `concurrency` feeds wait for a slot, and a round of slots may take a whole
        timeout: with a fixed deadline, a district's 10,000 healthy but slow feeds
        would have had their last thousands abandoned (issue 23), while a school's
        update keeps the deadline it always had.
        """
        rounds = -(-requests // self.concurrency)
        return self.deadline + max(0, rounds - 1) * self.timeout


DEFAULT_LIMITS = FetchLimits()


@dataclass(frozen=True)
class PortalStatus:
    """A school portal's index (`portal.json`) as the archive keeps it for a cluster or
    district (issue 25): the last one read, and how the last reading fared."""

    school: str
    """The school's slug in `schools:`."""
    source: str
    """The index's address."""
    data: str | None = None
    """The last index read whole, as it came; kept while the portal is down."""
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    error_since: datetime | None = None
    last_success: datetime | None = None


@dataclass(frozen=True)
class Portal:
    """Everything render needs: the site, its posts newest first, and its feeds' status."""

    site: Site
    posts: tuple[Post, ...]
    feeds: tuple[FeedStatus, ...]
    generated: datetime
    tags_cut: tuple[str, ...] = ()
    """Teachers (slugs) with a feed post of more than `MAX_TAGS` labels: it keeps the
    first ones, and the build says so."""
    unused_corrections: tuple[Correction, ...] = ()
    """Corrections of koreksi.yml whose address no feed post has: a mistyped address."""

    def feed_of(self, teacher: str) -> FeedStatus | None:
        return self._feeds_by_teacher.get(teacher)

    @cached_property
    def newest_posts(self) -> dict[str, datetime]:
        """{teacher's slug: the date of their newest post}, for those who have one: what
        the clock's "active" badges, the build's snapshot and `mading report` read."""
        newest: dict[str, datetime] = {}
        for post in self.posts:  # newest first: the first seen per teacher is the newest
            newest.setdefault(post.teacher.slug, post.published)
        return newest

    @cached_property
    def _feeds_by_teacher(self) -> dict[str, FeedStatus]:
        # A district's pages ask for 3,000 teachers' feeds, each among 3,000.
        return {status.teacher: status for status in self.feeds}


@dataclass(frozen=True)
class OutputFile:
    """One file of the built site: bytes to write, or a source file to copy."""

    path: str
    """POSIX path relative to the output root."""
    content: bytes | None = None
    source: Path | None = None
    unchanged: bool = False
    """`source` is this very file in the previous output, known to be up to date."""


@dataclass(frozen=True)
class Checkpoint:
    """A point among a build's files: every file under `folders` (relative to the output)
    comes before it, so that what reads those folders (a part of the search index) can
    start while the rest is made, writing the top-level folder `name` (its bundle). One
    with no name and no folders only marks time passing: a part that waited for the one
    before it can start there."""

    name: str
    folders: tuple[str, ...]


@dataclass(frozen=True)
class Correction:
    """What the school says of one blog post, over what was read from it (`koreksi.yml`)."""

    address: str
    """The post's address on its blog (its feed's link)."""
    kind: Kind | None = None
    due: datetime | None = None
    due_all_day: bool = False
    classes: tuple[str, ...] | None = None
    hidden: bool = False
    line: int | None = None
    """Where it is in koreksi.yml, for the report."""


@dataclass(frozen=True)
class Corrections:
    """Every correction of `koreksi.yml`, by the address of the post it corrects."""

    items: tuple[Correction, ...] = ()

    def of(self, address: str | None) -> Correction | None:
        if not address:
            return None
        return self._by_address.get(correction_key(address))

    @cached_property
    def _by_address(self) -> dict[str, Correction]:
        return {correction_key(c.address): c for c in self.items}


def correction_key(address: str) -> str:
    """`https://Blog.example/post/` and `http://blog.example/post` name one post: a school
    copies addresses from the browser, which drops or adds the scheme and the last slash."""
    scheme, _, rest = address.strip().partition("://")
    host, _, path = (rest or scheme).partition("/")
    return f"{host.lower()}/{path.rstrip('/')}"
