"""The build, in three stages:

- load: site.yml -> `Site`;
- gather: fetch, content, archive, collect -> `Portal`; every read happens here;
- publish: render, index, write.

Incremental building (generator/incremental/) is asked once before whether the output
is current, and told once after what the build left; in between, the stages use the
memos it hands out. Beside the build, generator/tasks.py runs the other commands.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from generator.archive import Archive
from generator.collect import Readings, collect, current_feeds
from generator.config import DEFAULT_URL, load_corrections, load_site
from generator.errors import InputError, Problem, display_path
from generator.i18n import Translator
from generator.incremental.clock import TimeValues
from generator.incremental.fingerprint import code_fingerprint
from generator.incremental.last_build import LastBuild, Made
from generator.incremental.memo import PostMemo
from generator.indexing import Indexing
from generator.layout import Layout
from generator.models import (
    DEFAULT_LIMITS,
    MAX_TAGS,
    Corrections,
    Entry,
    FeedFile,
    FeedResult,
    FeedStatus,
    FetchLimits,
    Portal,
    Site,
    WebFeed,
)
from generator.picture_copies import prepare_pictures, stored_picture
from generator.pictures import Pictures
from generator.report import unused_corrections
from generator.schema import did_you_mean
from generator.search import plan_parts
from generator.sources.content import read_content
from generator.sources.feeds import read_feeds
from generator.sources.images import (
    DEFAULT_IMAGE_LIMITS,
    ImageLimits,
    ImageStore,
    bound_storage,
    fetch_images,
)
from generator.sources.portals import federated_site
from generator.theme import theme_dir
from generator.write import OutputBudget, output_lock, refuse_output, write_output


@dataclass(frozen=True)
class BuildReport:
    """What a build did and what needs a human's attention."""

    problems: tuple[Problem, ...]
    """Mistakes in the input (content files): exit code 2."""
    feeds: tuple[FeedStatus, ...]
    language: str
    pages: int = 0
    rewritten: int = 0
    """Files whose content changed; the others kept their modification time."""
    rendered: int = 0
    """Pages and feeds made this time; the others were the previous build's, unchanged."""
    posts: int = 0
    warnings: tuple[str, ...] = ()
    """Built, but not everything: search could not be indexed (still exit 0)."""
    current: bool = False
    """The previous output was found current: no post was read, nothing rendered."""
    local_url: bool = False
    """Built for the local address: site.yml has no `url:` and none was given."""

    @property
    def broken_feeds(self) -> tuple[FeedStatus, ...]:
        return tuple(f for f in self.feeds if f.error)


def fetch(site: Site, offline: bool = False, now: datetime | None = None,
          limits: FetchLimits = DEFAULT_LIMITS,
          image_limits: ImageLimits = DEFAULT_IMAGE_LIMITS) -> list[FeedResult]:
    """Read every teacher's feed and store what it holds in the archive.

    Offline, feeds on the web are skipped; feed files in the site folder are still read.
    """
    with Archive(site.archive_file) as archive:
        remembered = {status.teacher: status for status in archive.feed_statuses()}
        results = read_feeds(site.teachers, site.root, remembered, offline, limits,
                             site.embed_hosts, code_fingerprint())
        archive.store(results, now or datetime.now(UTC), limits)
    if site.images.local and not offline:
        # The pictures of the posts just read, once each, by content (issue 27).
        store = ImageStore(site.images_dir)
        # Feed files of the site folder are the school's own: their pictures are shown
        # from where they are.
        on_web = {t.slug for t in site.teachers if isinstance(t.blog, WebFeed)}
        fetch_images(store, [entry for result in results if result.teacher in on_web
                             for entry in result.entries], limits, image_limits, now)
        bound_storage(store, image_limits,
                      keep_sized=partial(stored_picture, store))
    return results


def build(config_file: Path, output: Path, offline: bool = False,
          now: datetime | None = None, limits: FetchLimits = DEFAULT_LIMITS,
          teacher: str | None = None, url: str | None = None,
          require_url: bool = False, image_limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
          readings: Readings | None = None,
          on_gathered: Callable[[Gathered], None] | None = None) -> BuildReport:
    """Build the portal for `config_file` into `output`; with `teacher`, only that
    teacher's micro-site. `url` is the portal's address (`--url`) in place of site.yml's;
    with `require_url`, a site with neither is refused (issue 21): its feeds would point
    at this computer. `mading serve` keeps its `readings` from build to build, and is
    handed what was gathered (`on_gathered`; gathered also when the output is current,
    the posts then all from the build cache): it shows a saved post from that portal
    before it builds again (issue 23).

    Raises:
        InputError: `site.yml` is unusable, `teacher` is not one of its teachers, the
            address is required and missing, or `output` would replace the site's own
            files; nothing is built.
    """
    now = now or datetime.now(UTC)
    # Load: site.yml -> Site.
    site, local_url = load(config_file, now, offline, limits, url, require_url, teacher)
    _refuse_unsafe_output(site, output)
    # Gather: the feeds into the archive; then, unless the output is current, the posts.
    fetch(site, offline=offline, now=now, limits=limits, image_limits=image_limits)
    with _only_build(site, output) as output, \
            LastBuild(site, output, teacher, now, *_archive_state(site)) as last:
        snapshot = last.current()
        if snapshot is not None:
            if on_gathered is not None:  # the posts from the memo: serve holds the portal
                on_gathered(gather(site, last.posts, now, offline, limits, image_limits,
                                   readings))
            return BuildReport(problems=snapshot.problems, language=site.school.language,
                               feeds=current_feeds(site, last.statuses), pages=snapshot.pages,
                               posts=snapshot.posts, current=True, local_url=local_url)
        gathered = gather(site, last.posts, now, offline, limits, image_limits, readings)
        if on_gathered is not None:
            on_gathered(gathered)
        # Publish: render, index, write.
        report, made = publish(gathered, last, output, teacher)
        del gathered  # the portal is let go before the output is listed
        last.record(made)
    return replace(report, local_url=local_url)


def load(config_file: Path, now: datetime, offline: bool = False,
         limits: FetchLimits = DEFAULT_LIMITS, url: str | None = None,
         require_url: bool = False, teacher: str | None = None) -> tuple[Site, bool]:
    """The site to build, at `url` if given; and whether it is built for the local address
    (site.yml has no `url:` and none was given).

    A cluster or district gets its schools' teachers, from their portals (issue 25).

    Raises:
        InputError: as `build` says.
    """
    site = federated_site(load_site(config_file), offline, now, limits)
    _ = Translator(site.school.language)
    local_url = False
    if url is not None:
        site = replace(site, school=replace(site.school, url=url))
    elif site.school.url == DEFAULT_URL:
        if require_url:
            raise InputError([Problem(display_path(site.config_file),
                                      _("firstweek.url.required"))])
        local_url = True
    if teacher is not None and teacher not in {t.slug for t in site.teachers}:
        slugs = [t.slug for t in site.teachers]
        raise InputError([Problem("--teacher", _(
            "firstweek.cli.unknown_teacher", slug=teacher, hint=did_you_mean(teacher, slugs, _),
            slugs=", ".join(slugs)))])
    return site, local_url


@dataclass(frozen=True)
class Gathered:
    """Everything a build reads, read before anything is rendered."""

    portal: Portal
    problems: tuple[Problem, ...]
    """Mistakes in content files and koreksi.yml: exit code 2."""
    pictures: Pictures
    warnings: tuple[str, ...]
    scheduled: datetime | None
    """The first Markdown post dated after the build, if any."""


def gather(site: Site, posts: PostMemo | None, now: datetime, offline: bool = False,
           limits: FetchLimits = DEFAULT_LIMITS, image_limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
           readings: Readings | None = None) -> Gathered:
    """The portal of the archive's and the Markdown posts (those of the `posts` memo
    taken from it), with the school's corrections, and the pictures its pages show."""
    content = read_content(site, posts, now)
    scheduled = min((entry.published for entry in content.entries
                     if not entry.draft and entry.published > now), default=None)
    if site.images.local and not offline:
        # Pictures on the web and videos' thumbnails in Markdown posts (`mading fetch`
        # reads no Markdown): fetched once, like a feed's.
        fetch_images(ImageStore(site.images_dir), content.entries, limits, image_limits, now)
    corrections, correction_problems = load_corrections(site)
    portal = load_portal(site, now, content.entries, corrections, readings)
    _ = Translator(site.school.language)
    problems = (*content.problems, *correction_problems,
                *unused_corrections(portal, display_path(site.corrections_file), _))
    del content  # the posts live on in the portal; the entries need not
    warnings = (_("hostile_web.tags_cut", teachers=", ".join(portal.tags_cut),
                  limit=MAX_TAGS),) if portal.tags_cut else ()
    pictures = prepare_pictures(portal.posts, ImageStore(site.images_dir),
                                local=site.images.local)
    return Gathered(portal, problems, pictures, warnings, scheduled)


def publish(gathered: Gathered, last: LastBuild, output: Path, teacher: str | None = None
            ) -> tuple[BuildReport, Made]:
    """Render the portal (`teacher`'s micro-site alone, if given), index its posts for
    search and swap it all into `output`; and what the next build decides by."""
    # Imported only now: an up-to-date build never loads Jinja and the templates' code.
    from generator.render import Renderer, site_files, teacher_site_files

    portal, site = gathered.portal, gathered.portal.site
    clock = TimeValues(site, portal.generated, portal.newest_posts.get, portal.feed_of)
    pages = last.pages(clock)
    layout = Layout() if teacher is None else Layout(standalone=teacher)
    renderer = Renderer(portal, theme_dir(), layout, pages, clock, gathered.pictures,
                        last.kept)
    warnings = list(gathered.warnings)
    parts = plan_parts(portal.posts)
    budget = OutputBudget(posts=len(portal.posts))
    if teacher is None:
        with Indexing(site, output, parts, last.index_sound, last.kept, pages.made,
                      warnings) as indexing:
            groups = [(part.bundle, part.teachers) for part in parts]
            # With no post page to index, Pagefind would index every page instead.
            # A damaged index is not a folder finish writes, but files to replace.
            written = write_output(pages.stored(site_files(renderer, groups)), output,
                                   finish=indexing.finish if portal.posts else None,
                                   finished=[part.bundle for part in parts]
                                   if last.index_sound else (), budget=budget,
                                   reached=indexing.reached if portal.posts else None)
    else:
        # A micro-site is one teacher's posts, browsed by month and label; it has no
        # cari/ page, so no index (docs/decisions.md).
        written = write_output(pages.stored(teacher_site_files(renderer)), output,
                               budget=budget)
    report = BuildReport(problems=gathered.problems, feeds=portal.feeds,
                         warnings=tuple(warnings), language=site.school.language,
                         pages=written.files, rewritten=written.rewritten,
                         rendered=renderer.rendered, posts=len(portal.posts))
    return report, Made.of(portal, problems=gathered.problems,
                           pages=written.files, scheduled=gathered.scheduled,
                           complete=renderer.volatile == 0 and not warnings
                           and bool(portal.posts))


def _archive_state(site: Site) -> tuple[int, list[FeedStatus]]:
    """The archive's revision and its feeds' statuses: what the build's inputs include."""
    with Archive(site.archive_file) as archive:
        return archive.revision(), archive.feed_statuses()


@contextmanager
def _only_build(site: Site, output: Path) -> Iterator[Path]:
    """One build at a time writes an output (issue 26): while another does, this one says
    so and waits. Gives the output's absolute path."""
    shown, output = display_path(output), output.resolve()

    def waiting() -> None:
        print(Translator(site.school.language)("hostile_ops.output_busy", output=shown),
              file=sys.stderr, flush=True)

    with output_lock(output, waiting):
        yield output


def _refuse_unsafe_output(site: Site, output: Path) -> None:
    """The swap replaces the whole output folder: it must not hold the site (issue 8).

    Raises:
        InputError: `output` is, holds or lies in one of the site's own files.
    """
    inputs = [site.config_file, site.content_dir, site.archive_file.parent, theme_dir(),
              *(t.photo for t in site.teachers if t.photo is not None),
              *(site.root / t.blog.path for t in site.teachers if isinstance(t.blog, FeedFile))]
    refusal = refuse_output(output, inputs)
    if refusal is not None:
        _ = Translator(site.school.language)
        raise InputError([Problem("--output", _(refusal[0], output=str(output),
                                                input=refusal[1]))])


def load_portal(site: Site, now: datetime, markdown: Sequence[Entry] | None = None,
                corrections: Corrections | None = None,
                readings: Readings | None = None) -> Portal:
    """Collect the portal from the archive, the Markdown posts and the school's
    corrections (koreksi.yml, the valid ones), without fetching."""
    if markdown is None:
        markdown = read_content(site, now=now).entries
    if corrections is None:
        corrections = load_corrections(site)[0]
    with Archive(site.archive_file) as archive:
        feed_entries, statuses = archive.entries(), archive.feed_statuses()
    return collect(site, feed_entries, markdown, statuses, now, corrections, readings)
