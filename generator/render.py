"""Render the portal: every page, feed and file of the URL layout, as `OutputFile`s.

Pure: takes a `Portal` and a theme folder, returns bytes; writing is the next stage.
Every internal link is relative (`root` is `../` repeated to the page's depth) and names
`index.html` explicitly, so the output works from any sub-path and opened from disk.
Listings (school, subject, class, teacher, month, tag) are paginated and given their feeds
in one place, `_listing`.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import multiprocessing
import os
import pickle
import re
from collections import Counter, OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property, partial
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.dates import format_time
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from generator import calendars, syndication
from generator.children import child_setup
from generator.dates import recent
from generator.federation_pages import kind_label, series_of, teacher_groups
from generator.federation_pages import school_parts as federation_parts
from generator.i18n import Translator
from generator.incremental.cache import PageRecord
from generator.incremental.clock import TimeValues
from generator.incremental.fingerprint import code_fingerprint
from generator.incremental.memo import shown
from generator.layout import Layout, class_slug
from generator.models import (
    FeedStatus,
    OutputFile,
    Portal,
    Post,
    Subject,
    Teacher,
    personal_name,
)
from generator.render_images import (
    Labels,
    Picture,
    Pictures,
    attachment_html,
    localize,
    picture_key,
)
from generator.search import plan_parts
from generator.slugs import fold
from generator.wall_pages import school_parts as wall_parts
from generator.wall_pages import teacher_files as wall_files
from generator.wall_pages import template_globals as wall_globals

HOME_LATEST = 12
HOME_PER_SUBJECT = 3
HOME_ASSIGNMENTS = 5
FRAGMENT_CACHE_SIZE = 10_000
LISTED_TAGS = 30
"""Labels listed on each page of a teacher's micro-site; past that, a link to all of them."""
LISTED_MONTHS = 36
"""Months listed on each page of a teacher's micro-site (the latest); past that, a link to
all of them."""
"""Macro results kept for reuse (a post's card is about 1 KB): a district has 90,000
posts, each with a card or two."""
_ROOT = "<\0root\0>"
"""Where a cached fragment's links start, replaced by each page's `root`. A raw `<` never
comes out of autoescaped text and an HTML parser never emits NUL, so only `href` and
`root` put it in a fragment."""
T = TypeVar("T")


@dataclass(frozen=True)
class Pager:
    """One page of a listing."""

    base: str
    number: int
    count: int
    posts: tuple[Post, ...]

    @property
    def previous(self) -> str | None:
        return Layout.page(self.base, self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return Layout.page(self.base, self.number + 1) if self.number < self.count else None


@dataclass(frozen=True)
class PostIndex:
    """The portal's posts grouped every way the pages need them, computed once."""

    by_subject: dict[str, list[Post]] = field(default_factory=lambda: defaultdict(list))
    by_class: dict[str, list[Post]] = field(default_factory=lambda: defaultdict(list))
    by_teacher: dict[str, list[Post]] = field(default_factory=lambda: defaultdict(list))
    upcoming: list[Post] = field(default_factory=list)
    """Assignments not yet due, nearest first."""
    past: list[Post] = field(default_factory=list)
    """Assignments past their due date, most recent first."""
    recent: list[Post] = field(default_factory=list)
    """The `past` ones due within `dates.RECENT_PAST`: calendars and class pages keep
    these."""

    @classmethod
    def of(cls, portal: Portal) -> PostIndex:
        index = cls()
        for post in portal.posts:
            index.by_teacher[post.teacher.slug].append(post)
            for subject in post.subjects:
                index.by_subject[subject.slug].append(post)
            for name in post.classes:
                index.by_class[name].append(post)
            if post.kind == "tugas" and post.due is not None:
                (index.upcoming if post.due >= portal.generated else index.past).append(post)
        index.upcoming.sort(key=lambda p: (p.due, p.title))
        index.past.sort(key=lambda p: (p.due, p.title), reverse=True)
        index.recent.extend(p for p in index.past
                            if p.due is not None and recent(p.due, portal.generated))
        return index

    def last_post(self, teacher: Teacher) -> datetime | None:
        posts = self.by_teacher.get(teacher.slug)
        return posts[0].published if posts else None

    def last_posts(self) -> dict[str, datetime]:
        """{teacher's slug: the date of their newest post}, for those who have one."""
        return {slug: posts[0].published for slug, posts in self.by_teacher.items() if posts}


class Renderer:
    """One Jinja environment per build, with the site's language, time zone and layout.

    Incremental: given the `previous` build's page records and its `output` folder, a page
    whose inputs (its context, the site, the code and theme) hash to the same key, and
    whose time-dependent values (`3 hari lagi`, the "active" badge…) read the same, is not
    rendered again: the previous file is taken as it is. `records` describes this build's
    pages for the next one; `rendered` counts the pages whose template ran.
    """

    def __init__(self, portal: Portal, theme: Path, layout: Layout,
                 previous: Mapping[str, PageRecord] | None = None,
                 output: Path | None = None, pictures: Pictures | None = None) -> None:
        self.portal = portal
        self.pictures: Pictures = pictures or {}
        """Each post's right-sized pictures (generator/render_images.py)."""
        self.site = portal.site
        self.theme = theme
        self.layout = layout
        self.index = PostIndex.of(portal)
        self.zone = ZoneInfo(self.site.school.timezone)
        self._ = Translator(self.site.school.language)
        self.previous = previous or {}
        self.output = output
        self.records: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]] = {}
        self.rendered = 0
        self.volatile = 0
        """Pages rendered without a record (inputs that cannot be hashed, or a read of the
        portal that was not noted): made again at every build."""
        self.clock = TimeValues(self.site, portal.generated, self.index.last_posts().get,
                                portal.feed_of)
        self._watch = _Watch()
        self._digest = hashlib.sha256(
            f"{code_fingerprint()}\0{theme}\0{self.site!r}\0{layout!r}".encode())
        self._post_digests: dict[int, bytes] = {}
        self._fragments: OrderedDict[tuple[Any, ...], _Fragment] = OrderedDict()
        self.env = theme_environment(theme)
        self._filters: dict[str, Any] = dict(
            date=self.format_date, isodate=self.iso_date, relative=self.relative,
            due_date=self.due_date, filesize=self.file_size)
        self._globals: dict[str, Any] = dict(
            _=self._, site=self.site, school=self.site.school, url=layout,
            portal=_WatchedPortal(self), index=_WatchedIndex(self),
            standalone=layout.standalone is not None,
            kind_label=partial(kind_label, self.site, self._), class_slug=class_slug,
            address=partial(syndication.absolute, portal),
            active=self.active, share_link=self.share_link, month_name=self.month_name,
            build_date=self.build_date,
            page_content=self.page_content, attachment_picture=self.attachment_picture,
            cached=self.cached,
            asset=_asset_names(theme).get,
            content_security_policy=content_security_policy(
                self.site.embed_hosts, hotlink=not self.site.images.local),
            **wall_globals(self),
        )
        self.env.filters.update(self._filters)
        self.env.globals.update(self._globals)

    def close(self) -> None:
        """Take this build's filters and globals out of the theme's environment.

        The environment outlives the build (`theme_environment`), and what this renderer
        put in it leads back to the renderer: left there, it would keep the portal (a
        district's 90,000 posts) and the page records alive while the build lists its
        output, and in `mading serve` until the next rebuild. What a newer renderer set
        in the meantime is left as it is.
        """
        for names, ours in ((self.env.filters, self._filters), (self.env.globals, self._globals)):
            for name, value in ours.items():
                if names.get(name) is value:
                    del names[name]

    def page_content(self, post: Post, pictures: Sequence[Picture] = ()) -> str:
        """`page_content` with the post's pictures right-sized and its videos as
        facades that load the player on a tap (issue 27)."""
        return localize(page_content(post), pictures, post.title, self._labels)

    def attachment_picture(self, name: str, pictures: Sequence[Picture] = ()) -> str:
        """An attached photo's right-sized picture, linking the file (issue 27)."""
        return attachment_html(name, pictures, self._labels)

    @cached_property
    def _labels(self) -> Labels:
        return Labels(missing=self._("lowdata.picture_missing"),
                      missing_alt=self._("lowdata.picture_missing_alt", alt="{alt}"),
                      play=self._("lowdata.play_video", title="{title}"))

    def format_date(self, value: datetime, style: str = "medium") -> str:
        return self._.date(value.astimezone(self.zone), style)

    def iso_date(self, value: datetime) -> str:
        return value.astimezone(self.zone).isoformat(timespec="minutes")

    def relative(self, value: datetime) -> str:
        """`dalam 3 hari` / `3 hari yang lalu`: as of the build; the page's script keeps
        it current between builds."""
        return self._watch.note("relative", value.isoformat(), self.clock.relative(value))

    def build_date(self, style: str = "long") -> str:
        return self._watch.note("build_date", style, self.clock.build_date(style))

    def due_date(self, value: Post | datetime) -> str:
        """A post's deadline: `Jumat, 18 Desember 2026` for a whole day
        (`calendars.names_a_day`), else `Jumat, 18 Desember 2026 pukul 23.59 WIB`. Given
        a bare time instead of a post, 23:59 reads as a whole day, as front matter keeps
        its dates."""
        if isinstance(value, Post):
            if value.due is None:
                return ""
            whole_day, local = calendars.names_a_day(value), \
                value.due.astimezone(self.zone)
        else:
            local = value.astimezone(self.zone)
            whole_day = (local.hour, local.minute) == (23, 59)
        if whole_day:
            return self._.date(local, "full")
        # The time as the language writes it (23.59, 11:59 PM); the zone as Indonesians
        # write it (WIB, WITA, WIT) in either language: Babel's English gives an offset.
        return self._("theme_tugas.at_time", date=self._.date(local, "full"),
                      time=format_time(local, "short", locale=self.site.school.language),
                      zone=format_time(local, "z", locale="id"))

    def file_size(self, size: int) -> str:
        """`120 KB`, `2,4 MB`: rounded and in the site's number format."""
        if size < 1024 * 1024:
            return f"{max(1, round(size / 1024))} KB"
        return format_decimal(round(size / (1024 * 1024), 1), locale=self.site.school.language) \
            + " MB"

    def month_name(self, month: str) -> str:
        """`2026-11` -> `November 2026` in the site's language."""
        year, number = month.split("-")
        return self._.month(datetime(int(year), int(number), 1, tzinfo=self.zone))

    def active(self, teacher: Teacher) -> bool:
        return self._watch.note("active", teacher.slug, self.clock.active(teacher.slug))

    def share_link(self, post: Post) -> str:
        """A plain WhatsApp link (no script, no tracker) with the title, due date and URL."""
        lines = [post.title]
        if post.kind == "tugas" and post.due:
            lines.append(self._("theme.post.due", date=self.due_date(post)))
        lines.append(syndication.absolute(self.portal, self.layout.post(post)))
        return "https://wa.me/?text=" + quote("\n".join(lines), safe="")

    @pass_context
    def cached(self, context: Context, macro: str, *args: Any) -> Markup:
        """What the `_macros.html` macro `macro` renders for `args`, rendered once per
        build and reused on every page that shows it.

        A post's card is on some eight listings (its teacher's page, a month, labels,
        subjects, classes, home), a teacher's profile and archive links on each of their
        month and label pages, the site's header on every page: rendering them again was
        most of a listing's cost. The macro is rendered with `_ROOT` for the page's
        `root`, which each page puts back. What it showed of the clock (`relative` in a
        card) is noted again on every page that shows it, so those pages are made again
        when that changes. `args` are compared by value, posts by identity (the portal's
        posts live as long as the renderer).
        """
        key = (macro, *(id(a) if isinstance(a, Post) else _frozen(a) for a in args))
        fragment = self._fragments.get(key)
        if fragment is not None:
            self._fragments.move_to_end(key)
            self._watch.repeat(fragment.noted)
        else:
            mark = self._watch.mark()
            html = str(getattr(self._root_macros, macro)(*args))
            fragment = _Fragment(args, html, self._watch.since(mark))
            if self._watch.watching:  # outside a page, what it showed was not noted
                self._fragments[key] = fragment
                if len(self._fragments) > FRAGMENT_CACHE_SIZE:
                    self._fragments.popitem(last=False)
        return Markup(fragment.html.replace(_ROOT, escape(context["root"])))

    @cached_property
    def _root_macros(self) -> Any:
        """The theme's macros as a page whose root is `_ROOT` sees them."""
        return self.env.get_template("_macros.html").make_module(
            {"root": Markup(_ROOT), "href": lambda target: Markup(_ROOT) + _index(target)})

    def page(self, path: str, template: str, root: str | None = None,
             **context: Any) -> OutputFile:
        """Render `template` to `path`; `root` leads from that page back to the site root."""
        if root is None:
            root = "../" * path.count("/")

        def href(target: str) -> str:
            return root + _index(target)

        def render() -> bytes:
            html = self.env.get_template(template).render(root=root, href=href,
                                                          page_path=path, **context)
            return html.encode("utf-8")
        return self.file(path, (template, root, context), render)

    def file(self, path: str, inputs: object, produce: Callable[[], bytes]) -> OutputFile:
        """The file at `path`, made by `produce` from `inputs`, or the previous build's
        when its inputs are the same."""
        key = self._key(path, inputs)
        reused = self._reuse(path, key)
        if reused is not None:
            return reused
        self._watch.start()
        content = produce()
        calls = self._watch.stop()
        self.rendered += 1
        if key is not None and calls is not None:
            self.records[path] = (key, calls)
        else:
            self.volatile += 1
        return OutputFile(path, content)

    def _key(self, path: str, inputs: object) -> str | None:
        digest = self._digest.copy()
        digest.update(path.encode())
        try:
            self._fingerprint(inputs, digest)
        except _Unknown:
            return None
        return digest.hexdigest()

    def _reuse(self, path: str, key: str | None) -> OutputFile | None:
        record = self.previous.get(path)
        if key is None or record is None or record.key != key or self.output is None:
            return None
        if any(self.clock.replay(name, argument) != result
               for name, argument, result in record.calls):
            return None
        previous = self.output / path
        try:
            stat = previous.stat()
        except OSError:
            return None
        if (stat.st_size, stat.st_mtime_ns, stat.st_ino) != \
                (record.size, record.mtime_ns, record.inode):
            return None  # changed by someone else since
        self.records[path] = (key, record.calls)
        return OutputFile(path, source=previous, unchanged=True)

    def _fingerprint(self, value: object, digest: Any) -> None:
        """Feed `value` into `digest`: what a page shows of it, not its identity."""
        # Plain values and lists of them by their repr; `Markup` and other subclasses too.
        if _plain(value) or isinstance(value, str | int | float | bool | None):
            digest.update(f"{type(value).__name__}:{value!r};".encode())
        elif isinstance(value, Pager):
            # A listing's posts by their digests alone: hashed once per page they are on.
            digest.update(f"Pager:{value.base!r}:{value.number}:{value.count}:"
                          f"{len(value.posts)}:".encode())
            digest.update(b"".join(map(self._post_digest, value.posts)))
        elif isinstance(value, Post):
            digest.update(self._post_digest(value))
        elif isinstance(value, list | tuple):
            digest.update(b"[")
            for item in value:
                self._fingerprint(item, digest)
            digest.update(b"]")
        elif isinstance(value, dict):
            digest.update(b"{")
            for item_key, item in sorted(value.items(), key=lambda kv: repr(kv[0])):
                self._fingerprint(item_key, digest)
                self._fingerprint(item, digest)
            digest.update(b"}")
        elif isinstance(value, Teacher | Subject):
            # The site's own records: their whole content is in the site's digest.
            digest.update(f"{type(value).__name__}:{value.slug};".encode())
        elif isinstance(value, datetime):
            digest.update(value.isoformat().encode())
        elif isinstance(value, FeedStatus):
            digest.update(shown(value).encode())
        elif isinstance(value, Picture):
            # Paths of the store and sizes: a new or resized copy changes the page.
            digest.update(repr(value).encode())
        else:
            raise _Unknown(type(value).__name__)

    def _post_digest(self, post: Post) -> bytes:
        known = self._post_digests.get(id(post))
        if known is None:
            # Times by their ISO text: a post read afresh and the same post from the cache
            # carry the same instant in different tzinfo classes. The HTML by its
            # compressed bytes, as kept: the same bytes are the same HTML.
            fields = [value.isoformat() if isinstance(value, datetime) else value
                      for value in (getattr(post, f.name) for f in dataclasses.fields(post)
                                    if f.name not in ("teacher", "subjects"))]
            known = self._post_digests[id(post)] = hashlib.blake2b(pickle.dumps(
                (post.teacher.slug, [s.slug for s in post.subjects], fields),
                protocol=5)).digest()
        return known


_PLAIN = frozenset({str, int, float, bool, type(None)})
"""Types whose repr is what a page shows of them (exactly these: not `Markup`)."""


def _plain(value: object) -> bool:
    """Whether `value` is a string, number or None, or a list or tuple of them (or of
    tuples of them), like a teacher's labels and months: its repr says all of it."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    return (kind is list or kind is tuple) and isinstance(value, list | tuple) and all(
        type(item) in _PLAIN or
        (type(item) is tuple and all(type(part) in _PLAIN for part in item))
        for item in value)


def _index(target: str) -> str:
    """A folder's link names its `index.html`: opened from disk, a folder is a listing."""
    return target + ("index.html" if target == "" or target.endswith("/") else "")


def _frozen(value: Any) -> Any:
    """`value` as part of a dictionary key: lists as tuples."""
    return tuple(map(_frozen, value)) if isinstance(value, list) else value


@dataclass(frozen=True)
class _Fragment:
    """A macro's HTML as `Renderer.cached` keeps it."""

    args: tuple[Any, ...]
    """Kept so that a post's `id` in the cache's key stays that post's."""
    html: str
    noted: _Noted


class _Unknown(Exception):
    """A value whose content cannot be hashed: the page is always rendered."""


@dataclass(frozen=True)
class _Noted:
    """What a part of a page (a fragment: a card, the header) noted while it rendered."""

    calls: tuple[tuple[str, str, str], ...]
    volatile: bool


class _Watch:
    """The time-dependent values the page being rendered showed.

    A page that reads anything else outside its context (for example every subject's
    post count) is marked volatile: rendered in every build.
    """

    def __init__(self) -> None:
        self._calls: list[tuple[str, str, str]] | None = None
        self._volatile = False

    @property
    def watching(self) -> bool:
        return self._calls is not None

    def start(self) -> None:
        self._calls, self._volatile = [], False

    def mark(self) -> tuple[int, bool]:
        """Where a part of the page starts; `since` then tells what that part noted
        (the page's volatile flag is set aside meanwhile)."""
        mark = (len(self._calls or ()), self._volatile)
        self._volatile = False
        return mark

    def since(self, mark: tuple[int, bool]) -> _Noted:
        noted = _Noted(tuple((self._calls or [])[mark[0]:]), self._volatile)
        self._volatile = self._volatile or mark[1]
        return noted

    def repeat(self, noted: _Noted) -> None:
        """Note again what a part of a page noted when it was first rendered."""
        if self._calls is not None:
            self._calls.extend(noted.calls)
        self._volatile = self._volatile or noted.volatile

    def stop(self) -> tuple[tuple[str, str, str], ...] | None:
        """The values noted since `start`, or None if the page is volatile."""
        calls, self._calls = self._calls, None
        return None if self._volatile or calls is None else tuple(dict.fromkeys(calls))

    def note(self, name: str, argument: str, result: T) -> T:
        if self._calls is not None:
            self._calls.append((name, argument, shown(result)))
        return result

    def volatile(self) -> None:
        self._volatile = True


class _WatchedIndex:
    """The `index` templates see: the post index, with what they read of it noted."""

    def __init__(self, renderer: Renderer) -> None:
        self._renderer = renderer

    def last_post(self, teacher: Teacher) -> datetime | None:
        return self._renderer._watch.note("last_post", teacher.slug,
                                          self._renderer.clock.last_post(teacher.slug))

    def __getattr__(self, name: str) -> Any:
        self._renderer._watch.volatile()
        return getattr(self._renderer.index, name)


class _WatchedPortal:
    """The `portal` templates see, likewise."""

    def __init__(self, renderer: Renderer) -> None:
        self._renderer = renderer

    def feed_of(self, teacher: str) -> FeedStatus | None:
        status = self._renderer.portal.feed_of(teacher)
        return self._renderer._watch.note("feed_of", teacher, status)

    def __getattr__(self, name: str) -> Any:
        self._renderer._watch.volatile()
        return getattr(self._renderer.portal, name)


_SCROLLER = re.compile(r"<(table|pre)\b")
_UNTITLED_IFRAME = re.compile(r"<iframe\b(?![^>]*\stitle=)")


def page_content(post: Post) -> str:
    """A post's stored HTML as its page shows it.

    Wide tables and code scroll sideways on phones, so they must be reachable by keyboard
    (WCAG 2.1.1); an embed without a title is named after the post. Done here, not in the
    sanitizer, because the archive already holds sanitized HTML. The inserted `tabindex=0`
    carries no quotes on purpose: it cannot close an attribute it might land in.
    """
    html = _SCROLLER.sub(r"<\1 tabindex=0", post.content_html)
    return _UNTITLED_IFRAME.sub(lambda m: f'<iframe title="{escape(post.title)}"', html)


@cache
def theme_environment(theme: Path) -> Environment:
    """The Jinja environment of a theme, kept for the life of the process.

    Compiling the templates is a quarter of a small site's build; `mading serve` rebuilds
    on every save, so the compiled templates are kept (Jinja still reloads a template whose
    file changed). Each build sets its own globals and filters before rendering; builds run
    one at a time.
    """
    return Environment(
        loader=FileSystemLoader(theme / "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def content_security_policy(embed_hosts: tuple[str, ...], hotlink: bool = False) -> str:
    """The pages' CSP: scripts, styles and pictures from the site only, frames from the
    embed hosts.

    Pictures come from the site: posts show the portal's copies of their blogs' pictures
    (issue 27), so no page asks another host for anything before a tap. With `hotlink`
    (site.yml `images: {local: false}`) they come from any web host, as the blogs serve
    them.
    `'wasm-unsafe-eval'` lets search (cari/) compile Pagefind's WebAssembly, which comes
    from the site too; it allows no JavaScript eval (docs/decisions.md).
    """
    frames = " ".join(f"https://{host}" for host in embed_hosts) or "'none'"
    images = "'self' https: http:" if hotlink else "'self'"
    return (f"default-src 'self'; img-src {images}; "
            f"frame-src {frames}; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
            "object-src 'none'; "
            "base-uri 'none'; form-action 'none'")


def by_month(posts: Sequence[Post], zone: str) -> list[tuple[str, int]]:
    """[(`2026-11`, number of posts), ...], newest month first."""
    counts: dict[str, int] = {}
    for post in posts:
        month = post.published.astimezone(ZoneInfo(zone)).strftime("%Y-%m")
        counts[month] = counts.get(month, 0) + 1
    return sorted(counts.items(), reverse=True)


def render_site(portal: Portal, theme: Path) -> list[OutputFile]:
    """Every file of the built portal."""
    with closing(Renderer(portal, theme, Layout())) as renderer:
        return list(site_files(renderer))


def render_teacher_site(portal: Portal, theme: Path, slug: str) -> list[OutputFile]:
    """One teacher's micro-site as a complete site of its own (`build --teacher`)."""
    with closing(Renderer(portal, theme, Layout(standalone=slug))) as renderer:
        return list(teacher_site_files(renderer))


def site_files(r: Renderer) -> Iterator[OutputFile]:
    """Every file of the portal, one at a time: a district's pages are not all held.

    The parts are rendered in runs: each of the school's parts alone (a district's subject
    holds thousands of listing pages), the teachers `RUN_PARTS` at a time."""
    school: list[Part] = [*_school_parts(r), partial(_assets, r.theme)]
    teachers: list[Part] = [partial(_teacher_files, r, teacher) for teacher in r.site.teachers]
    runs = [[part] for part in school] + [teachers[start:start + RUN_PARTS]
                                          for start in range(0, len(teachers), RUN_PARTS)]
    yield from _render_parts(r, runs)


Part = Callable[[], Iterator[OutputFile]]
"""A piece of the portal that renders on its own: a subject's listings, a teacher's pages."""

PARALLEL_RENDER_FROM = 1000
"""From this many posts, the portal's parts are rendered in worker processes."""
RUN_PARTS = 8
"""Teachers rendered together, as one task of a worker: a run's pages are held whole
until they are written."""
RUNS_OUT_PER_WORKER = 2
"""Runs given out ahead of the writing, per worker: one to render while one is sent."""


def _render_parts(r: Renderer, runs: Sequence[Sequence[Part]]) -> Iterator[OutputFile]:
    """The files of the parts in `runs`, in order; for a big portal, spread over the
    machine's cores.

    The workers are forked: they start with this renderer (the portal, the compiled
    templates) already in memory, which no other way of starting them gives for free.
    Each renders a run and sends back its files and their records, in order; the
    school's listings go to the workers too, so no core waits while they render. Only a
    few runs are out at a time: workers that rendered ahead of the writing would leave
    their pages waiting in this process's memory (a district's whole output).
    """
    workers = min(os.cpu_count() or 1, len(runs))
    if len(r.portal.posts) < PARALLEL_RENDER_FROM or workers < 2 or \
            "fork" not in multiprocessing.get_all_start_methods():
        for run in runs:
            for part in run:
                yield from part()
        return
    numbers = iter(range(len(runs)))
    _forked.append((r, runs))
    # Out of the collector's sight, the portal's objects stay shared with the workers:
    # a collection in a worker would otherwise touch, and so copy, every page of them.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers,
                                                      initializer=child_setup()) as pool:
            out = deque(pool.apply_async(_render_run, (number,))
                        for number in islice(numbers, workers * RUNS_OUT_PER_WORKER))
            while out:
                files, records, rendered, volatile = out.popleft().get()
                out.extend(pool.apply_async(_render_run, (number,))
                           for number in islice(numbers, 1))
                r.records.update(records)
                r.rendered += rendered
                r.volatile += volatile
                yield from files
    finally:
        gc.unfreeze()
        _forked.pop()


_forked: list[tuple[Renderer, Sequence[Sequence[Part]]]] = []
"""The renderer and the runs a forked worker inherited."""


def _render_run(number: int) -> tuple[list[OutputFile], dict[str, Any], int, int]:
    r, runs = _forked[-1]
    r.records, r.rendered, r.volatile = {}, 0, 0
    files = [file for part in runs[number] for file in part()]
    return files, r.records, r.rendered, r.volatile


def teacher_site_files(r: Renderer) -> Iterator[OutputFile]:
    assert r.layout.standalone is not None
    yield from _teacher_files(r, r.site.teacher(r.layout.standalone))
    yield from _assets(r.theme)
    yield r.page("404.html", "404.html", root="")
    yield OutputFile("robots.txt", b"User-agent: *\nAllow: /\n")


def _listing(r: Renderer, base: str, template: str, title: str, posts: Sequence[Post],
             feeds: bool = True, **context: Any) -> Iterator[OutputFile]:
    """A paginated listing of `posts` at `base`, and its Atom and JSON feeds."""
    size = r.site.portal.page_size
    chunks = [tuple(posts[i:i + size]) for i in range(0, len(posts), size)] or [()]
    for number, chunk in enumerate(chunks, start=1):
        pager = Pager(base, number, len(chunks), chunk)
        yield r.page(Layout.page(base, number) + "index.html", template, title=title,
                     pager=pager, feed_base=base if feeds else None, **context)
    if feeds:
        yield from _feeds(r, base, title, posts)


def _feeds(r: Renderer, base: str, title: str, posts: Sequence[Post]) -> Iterator[OutputFile]:
    """The Atom and JSON feeds of a listing; an empty one is dated by the portal's newest
    posts."""
    shown = (title, posts[:syndication.FEED_LIMIT], () if posts else r.portal.posts[:50])
    yield r.file(base + "feed.xml", ("atom", *shown),
                 lambda: syndication.atom(r.portal, r.layout, base, title, posts))
    yield r.file(base + "feed.json", ("json", *shown),
                 lambda: syndication.json_feed(r.portal, r.layout, base, title, posts))


def _school_parts(r: Renderer) -> list[Part]:
    """The school's pages, in parts: the home page, each subject, each class, the rest."""
    site = r.site
    teaching = {s.slug: [t for t in site.teachers if s.slug in t.subjects]
                for s in site.subjects}
    return [partial(_home_files, r, teaching),
            *(partial(_subject_files, r, subject, teaching) for subject in site.subjects),
            partial(_classes_index, r),
            *(partial(_class_files, r, name)
              for name in _class_names(site.classes, r.index.by_class)),
            partial(_directory_files, r, teaching),
            *wall_parts(r), *federation_parts(r)]


def _home_files(r: Renderer, teaching: Mapping[str, list[Teacher]]) -> Iterator[OutputFile]:
    portal, site, index = r.portal, r.site, r.index
    yield r.page("index.html", "home.html", latest=portal.posts[:HOME_LATEST],
                 upcoming=index.upcoming[:HOME_ASSIGNMENTS],
                 sections=[(s, index.by_subject[s.slug][:HOME_PER_SUBJECT])
                           for s in site.subjects if index.by_subject[s.slug]])
    yield from _feeds(r, "", site.school.name, portal.posts)
    yield r.page("mapel/index.html", "subjects.html", teaching=teaching,
                 counts={s.slug: len(index.by_subject[s.slug]) for s in site.subjects})


def _subject_files(r: Renderer, subject: Subject,
                   teaching: Mapping[str, list[Teacher]]) -> Iterator[OutputFile]:
    """A subject's listing, and the same narrowed to each class that has its posts."""
    posts = r.index.by_subject[subject.slug]
    classes = [c for c in _class_names(r.site.classes, r.index.by_class)
               if any(c in p.classes for p in posts)]
    yield from _listing(r, Layout.subject(subject.slug), "subject.html", subject.name,
                        posts, subject=subject, teachers=teaching[subject.slug],
                        classes=classes, narrowed=None)
    for name in classes:
        narrowed = [p for p in posts if name in p.classes]
        yield from _listing(r, Layout.subject_class(subject.slug, name), "subject.html",
                            r._("page.subject_class_title", subject=subject.name, name=name),
                            narrowed, feeds=False, subject=subject,
                            teachers=teaching[subject.slug], classes=classes, narrowed=name)


def _classes_index(r: Renderer) -> Iterator[OutputFile]:
    yield r.page("kelas/index.html", "classes.html",
                 counts={name: len(r.index.by_class[name])
                         for name in _class_names(r.site.classes, r.index.by_class)})


def _class_files(r: Renderer, name: str) -> Iterator[OutputFile]:
    """A class's listing, which always says what is due (or that nothing is), with the
    deadlines of `dates.RECENT_PAST` under "past"; and the class's calendar."""
    base = Layout.klass(name)
    upcoming = [p for p in r.index.upcoming if name in p.classes]
    past = [p for p in r.index.recent if name in p.classes]
    yield from _listing(r, base, "class.html",
                        r._("page.class_title", name=name), r.index.by_class[name],
                        name=name, upcoming=upcoming, past=past)
    yield from _calendar(r, base, name, upcoming + past)


def _calendar(r: Renderer, base: str, name: str | None,
              posts: Sequence[Post]) -> Iterator[OutputFile]:
    """The calendar (`tugas.ics`) at `base` of the deadlines of `posts`: upcoming and
    recent ones, so it changes as time moves them (see `clock.next_change`)."""
    yield r.file(base + "tugas.ics", ("ics", name, posts),
                 lambda: calendars.calendar(r.portal, r.layout, base, name, posts))


def _directory_files(r: Renderer,
                     teaching: Mapping[str, list[Teacher]]) -> Iterator[OutputFile]:
    """Assignments, the teachers' directory, search, 404 and the portal-wide files."""
    portal, site, index = r.portal, r.site, r.index
    yield r.page("tugas/index.html", "assignments.html",
                 upcoming=_by_class(index.upcoming, site.classes),
                 past=_by_class(index.past, site.classes),
                 classes=_class_names(site.classes, index.by_class))
    yield from _calendar(r, "tugas/", None, index.upcoming + index.recent)
    people = sorted(site.teachers, key=lambda t: fold(personal_name(t.name)))
    yield r.page("guru/index.html", "teachers.html", view="name",
                 groups=teacher_groups(site, people))
    yield r.page("guru/mapel/index.html", "teachers.html", view="subject",
                 groups=[(s.name, teaching[s.slug]) for s in site.subjects
                         if teaching[s.slug]])
    latest_first = sorted(site.teachers, key=lambda t: (
        index.last_post(t) is None, -(index.last_post(t) or portal.generated).timestamp()))
    yield r.page("guru/terbaru/index.html", "teachers.html", view="latest",
                 groups=[(None, latest_first)])
    # Search (Pagefind, indexed after writing: generator/search.py, in its parts); the
    # filters offer only what some post has, each value with its listing page (also the
    # page's links to browse by).
    subjects = [s for s in site.subjects if index.by_subject[s.slug]]
    teachers = [t for t in people if index.by_teacher.get(t.slug)]
    classes = [c for c in _class_names(site.classes, index.by_class) if index.by_class[c]]
    yield r.page("cari/index.html", "search.html",
                 bundles=[part.bundle for part in plan_parts(portal.posts)],
                 choices={"mapel": [(s.name, r.layout.subject(s.slug)) for s in subjects],
                          "guru": [(t.name, r.layout.teacher(t)) for t in teachers],
                          "kelas": [(c, r.layout.klass(c)) for c in classes]})
    # Hosts serve 404.html at whatever address was missing, so relative links cannot work
    # there: this one page links through the site's absolute URL.
    yield r.page("404.html", "404.html", root=site.school.url)
    yield OutputFile("blogroll.opml", syndication.opml(portal))
    yield r.file("sitemap.xml", ("sitemap", portal.posts),
                 lambda: syndication.sitemap(portal, r.layout))
    yield OutputFile("robots.txt", syndication.robots(site.school.url))


def _teacher_files(r: Renderer, teacher: Teacher) -> Iterator[OutputFile]:
    posts = r.index.by_teacher.get(teacher.slug, [])
    base = r.layout.teacher(teacher)
    months = by_month(posts, r.site.school.timezone)
    tags = sorted({tag for p in posts for tag in p.tags}, key=str.casefold)
    listed = _listed_tags(posts, tags)
    # Every page of the micro-site lists the teacher's labels and months: all of them on
    # each of their thousands of label pages made the output grow as the square of the
    # labels (issue 26). Past LISTED_TAGS labels (the most used are listed) or
    # LISTED_MONTHS months (the latest), the pages link to an index of all.
    context: dict[str, Any] = {"teacher": teacher, "feed": r.portal.feed_of(teacher.slug),
                               "subjects": [r.site.subject(s) for s in teacher.subjects],
                               "months": months[:LISTED_MONTHS], "tags": listed,
                               "all_months": len(months) > LISTED_MONTHS,
                               "all_tags": len(listed) < len(tags)}
    yield from _listing(r, base, "teacher.html", teacher.name, posts, heading=None, **context)
    by_month_of: dict[str, list[Post]] = defaultdict(list)
    by_tag: dict[str, list[Post]] = defaultdict(list)
    for post in posts:  # one pass: a filter per month and per label was their product
        by_month_of[post.published.astimezone(r.zone).strftime("%Y-%m")].append(post)
        for tag in dict.fromkeys(post.tags):
            by_tag[tag].append(post)
    if len(months) > LISTED_MONTHS:
        yield r.page(r.layout.months(teacher) + "index.html", "archive.html", teacher=teacher,
                     heading=r._("theme.teacher.archive"),
                     links=[(f"{r.month_name(month)} ({count})", r.layout.month(teacher, month))
                            for month, count in months])
    for month, _count in months:
        yield from _listing(r, r.layout.month(teacher, month), "teacher.html", teacher.name,
                            by_month_of[month], feeds=False, heading=_month_title(r, month),
                            **context)
    if len(listed) < len(tags):
        yield r.page(r.layout.tags(teacher) + "index.html", "archive.html", teacher=teacher,
                     heading=r._("hostile_web.all_tags"),
                     links=[(tag, r.layout.tag(teacher, tag)) for tag in tags])
    for tag in tags:
        yield from _listing(r, r.layout.tag(teacher, tag), "teacher.html", teacher.name,
                            by_tag[tag], feeds=False, heading=r._("page.tag_title", tag=tag),
                            **context)
    yield from wall_files(r, teacher)
    photo = r.layout.photo(teacher)
    if photo and teacher.photo_content is not None:
        yield OutputFile(photo, teacher.photo_content)  # an SVG, cleaned (issue 26)
    elif photo and teacher.photo:
        yield OutputFile(photo, source=teacher.photo)
    in_series = series_of(posts)
    for post in posts:
        path = r.layout.post(post)
        pictures = r.pictures.get(picture_key(post), ())
        yield r.page(path + "index.html", "post.html", post=post, pictures=pictures,
                     video=_VIDEO.search(post.content_html) is not None,
                     series=in_series.get(id(post)))
        cleaned = dict(post.cleaned)
        names = set()
        for asset in {*post.assets, *(a.path for a in post.attachments)}:
            names.add(asset.name)
            if str(asset) in cleaned:  # an SVG: its cleaned copy, never the file (issue 26)
                yield OutputFile(path + asset.name, cleaned[str(asset)])
            else:
                yield OutputFile(path + asset.name, source=asset)
        for picture in pictures:
            for copy in picture.files:
                if copy.name not in names:
                    names.add(copy.name)
                    yield OutputFile(path + copy.name, source=copy.file)


def _listed_tags(posts: Sequence[Post], tags: list[str]) -> list[str]:
    """The labels a teacher's pages list: all of them up to `LISTED_TAGS`, else the
    `LISTED_TAGS` most used (in name order)."""
    if len(tags) <= LISTED_TAGS:
        return tags
    used = Counter(tag for post in posts for tag in post.tags)
    top = sorted(tags, key=lambda tag: -used[tag])[:LISTED_TAGS]  # stable: by name on ties
    return sorted(top, key=str.casefold)


def _month_title(r: Renderer, month: str) -> str:
    return r._("page.month_title", month=r.month_name(month))


def _by_class(posts: list[Post], declared: tuple[str, ...]) -> list[tuple[str | None, list[Post]]]:
    """Assignments grouped by class in the school's order; those for no class come last."""
    groups: dict[str | None, list[Post]] = {}
    for post in posts:
        for name in post.classes or (None,):
            groups.setdefault(name, []).append(post)
    order = {name: number for number, name in enumerate(declared)}
    return sorted(groups.items(), key=lambda g: (g[0] is None, order.get(g[0] or "", 999),
                                                 g[0] or ""))


_VIDEO = re.compile(r'<iframe\b[^>]*?\ssrc="https://www\.youtube(?:-nocookie)?\.com/embed/')


def _assets(theme: Path) -> Iterator[OutputFile]:
    static = theme / "static"
    for asset in sorted(static.rglob("*")):
        if asset.is_file():
            name = asset.relative_to(static).as_posix()
            yield OutputFile(f"assets/{asset_name(name, theme)}", source=asset)


def asset_name(name: str, theme: Path) -> str:
    """`style.css` -> `style.3f2a9c1d0b.css`: a theme's script or stylesheet named by its
    content, so that a host may let phones keep it a year and a new version is still
    fetched at once (issue 27). Other files (the favicon) keep their names."""
    return _asset_names(theme).get(name, name)


@cache
def _asset_names_of(theme: Path, stamp: tuple[tuple[str, int, int], ...]) -> dict[str, str]:
    names = {}
    for name, _size, _mtime in stamp:
        if name.endswith((".css", ".js")):
            digest = hashlib.sha256((theme / "static" / name).read_bytes()).hexdigest()[:10]
            stem, _, suffix = name.rpartition(".")
            names[name] = f"{stem}.{digest}.{suffix}"
    return names


def _asset_names(theme: Path) -> dict[str, str]:
    static = theme / "static"
    stamp = tuple(sorted((p.relative_to(static).as_posix(), p.stat().st_size,
                          p.stat().st_mtime_ns) for p in static.rglob("*") if p.is_file()))
    return _asset_names_of(theme, stamp)


def _class_names(declared: tuple[str, ...], used: dict[str, list[Post]]) -> list[str]:
    return list(declared) + sorted(name for name in used if name not in declared)
