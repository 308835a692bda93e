"""The theme's templates for one build: a Jinja environment of its own, whose filters and
globals show this build's portal in the site's language, time zone and layout.

One environment per build, so nothing of a build outlives it. Compiling the templates
is a quarter of a small site's build and `mading serve` builds again on every save, so
their compiled code is kept for the life of the process (`_COMPILED`), keyed by each
template's source: an environment then loads a template in a few microseconds. A new
process finds them in the build cache (`CompiledMemo`), where the first build kept them.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from functools import cached_property, partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

from babel.dates import format_time
from babel.numbers import format_decimal
from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket
from markupsafe import escape

from generator import calendars, syndication
from generator.incremental.memo import Clock, CompiledMemo
from generator.layout import class_slug
from generator.models import FeedStatus, Post, Teacher
from generator.pictures import Picture
from generator.render.assets import asset_names
from generator.render.federation_pages import kind_label
from generator.render.fragments import Fragments, relative_link
from generator.render.pictures import Labels, attachment_html, localize
from generator.render.plan import Page, Plan
from generator.render.wall_pages import template_globals as wall_globals
from generator.render.watch import Watch


class _CompiledTemplates(BytecodeCache):
    """Templates' compiled code in memory, by template; Jinja compares the source's
    checksum, so a changed template is compiled again."""

    LIMIT = 200
    """Templates kept: a theme has about twenty; tests make themes of their own."""

    def __init__(self) -> None:
        self._code: OrderedDict[str, bytes] = OrderedDict()

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            self._code.move_to_end(bucket.key)
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()
        self._code.move_to_end(bucket.key)
        if len(self._code) > self.LIMIT:
            self._code.popitem(last=False)


_COMPILED = _CompiledTemplates()


class _KeptTemplates(BytecodeCache):
    """The process's compiled templates, and behind them those the build cache keeps."""

    def __init__(self, kept: CompiledMemo) -> None:
        self._kept = kept

    def load_bytecode(self, bucket: Bucket) -> None:
        _COMPILED.load_bytecode(bucket)
        if bucket.code is None:
            code = self._kept.compiled(bucket.key)
            if code is not None:
                bucket.bytecode_from_string(code)  # left empty if its source changed
                if bucket.code is not None:
                    _COMPILED.dump_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        _COMPILED.dump_bytecode(bucket)
        self._kept.keep_compiled(bucket.key, bucket.bytecode_to_string())


def environment(theme: Path, kept: CompiledMemo | None = None) -> Environment:
    """A new Jinja environment for the templates of `theme`, compiled once for the
    process, and once for every build with the build cache `kept`."""
    return Environment(
        loader=FileSystemLoader(theme / "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_COMPILED if kept is None else _KeptTemplates(kept),
    )


class Templates:
    """The theme's templates with what they call: dates in the site's language and time
    zone, what the build's clock shows (noted in `watch`), links, pictures, fragments."""

    def __init__(self, plan: Plan, theme: Path, clock: Clock, watch: Watch,
                 compiled: CompiledMemo | None = None) -> None:
        self.plan = plan
        self.clock = clock
        self.watch = watch
        self.zone = plan.zone
        self.language = plan.site.school.language
        self._ = plan._
        portal, site, layout = plan.portal, plan.site, plan.layout
        self.environment = environment(theme, compiled)
        self.fragments = Fragments(self.environment, watch)
        self.environment.filters.update(
            date=self.format_date, isodate=self.iso_date, relative=self.relative,
            due_date=self.due_date, filesize=self.file_size)
        self.environment.globals.update(
            _=self._, site=site, school=site.school, url=layout,
            portal=_WatchedPortal(plan, watch), index=_WatchedIndex(plan, watch),
            standalone=layout.standalone is not None,
            kind_label=partial(kind_label, site, self._), class_slug=class_slug,
            address=partial(syndication.absolute, portal),
            active=self.active, share_link=self.share_link, month_name=plan.month_name,
            build_date=self.build_date,
            page_content=self.page_content, attachment_picture=self.attachment_picture,
            cached=self.fragments.cached,
            asset=asset_names(theme).get,
            content_security_policy=content_security_policy(
                site.embed_hosts, hotlink=not site.images.local),
            **wall_globals(portal, layout, self.today),
        )

    def render(self, page: Page) -> bytes:
        """The HTML of `page`."""
        root = page.root

        def href(target: str) -> str:
            return relative_link(root, target)
        return self.environment.get_template(page.template).render(
            root=root, href=href, page_path=page.path, **page.context).encode("utf-8")

    def load(self) -> None:
        """Load every template now (before forking the workers, which then share them)."""
        for name in self.environment.list_templates():
            self.environment.get_template(name)

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
        return self.watch.note("relative", value.isoformat(), self.clock.relative(value))

    def build_date(self, style: str = "long") -> str:
        return self.watch.note("build_date", style, self.clock.build_date(style))

    def today(self) -> str:
        """The build's day: what the pages of a week are made for (generator/wall.py)."""
        return self.watch.note("today", "", self.clock.today())

    def active(self, teacher: Teacher) -> bool:
        return self.watch.note("active", teacher.slug, self.clock.active(teacher.slug))

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
                      time=format_time(local, "short", locale=self.language),
                      zone=format_time(local, "z", locale="id"))

    def file_size(self, size: int) -> str:
        """`120 KB`, `2,4 MB`: rounded and in the site's number format."""
        if size < 1024 * 1024:
            return f"{max(1, round(size / 1024))} KB"
        return format_decimal(round(size / (1024 * 1024), 1), locale=self.language) + " MB"

    def share_link(self, post: Post) -> str:
        """A plain WhatsApp link (no script, no tracker) with the title, due date and URL."""
        lines = [post.title]
        if post.kind == "tugas" and post.due:
            lines.append(self._("theme.post.due", date=self.due_date(post)))
        lines.append(syndication.absolute(self.plan.portal, self.plan.layout.post(post)))
        return "https://wa.me/?text=" + quote("\n".join(lines), safe="")


class _WatchedIndex:
    """The `index` templates see: the post index, with what they read of it noted."""

    def __init__(self, plan: Plan, watch: Watch) -> None:
        self._index, self._watch = plan.index, watch

    def last_post(self, teacher: Teacher) -> datetime | None:
        return self._watch.note("last_post", teacher.slug, self._index.last_post(teacher))

    def __getattr__(self, name: str) -> Any:
        self._watch.volatile()
        return getattr(self._index, name)


class _WatchedPortal:
    """The `portal` templates see, likewise."""

    def __init__(self, plan: Plan, watch: Watch) -> None:
        self._portal, self._watch = plan.portal, watch

    def feed_of(self, teacher: str) -> FeedStatus | None:
        return self._watch.note("feed_of", teacher, self._portal.feed_of(teacher))

    def __getattr__(self, name: str) -> Any:
        self._watch.volatile()
        return getattr(self._portal, name)


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
