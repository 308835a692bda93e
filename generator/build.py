"""The build, as the pipeline reads: config -> sources -> archive -> collect -> render -> write."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from generator.archive import Archive
from generator.cache import BuildCache
from generator.clock import TimeValues, next_change
from generator.collect import collect, current_feeds
from generator.config import DEFAULT_URL, load_corrections, load_site
from generator.errors import InputError, Problem, display_path
from generator.freshness import (
    FileState,
    Listing,
    Snapshot,
    input_digest,
    listing_digest,
    stat_listed,
    walk_files,
)
from generator.i18n import Translator
from generator.layout import Layout, is_post_page
from generator.models import MAX_TAGS, Corrections, Entry, FeedStatus, Portal, Site
from generator.render_images import prepare_pictures, stored_picture
from generator.report import unused_corrections
from generator.schema import did_you_mean
from generator.search import (
    SearchError,
    bundles_in,
    index_is_current,
    index_site,
    plan_parts,
)
from generator.sources.content import read_content
from generator.sources.feeds import FeedResult, is_url, read_feeds
from generator.sources.fetch import DEFAULT_LIMITS, FetchLimits
from generator.sources.images import (
    DEFAULT_IMAGE_LIMITS,
    ImageLimits,
    ImageStore,
    bound_storage,
    fetch_images,
)
from generator.sources.portals import federated_site
from generator.theme import theme_dir
from generator.write import OutputBudget, link_tree, output_lock, refuse_output, write_output


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
                             site.embed_hosts)
        archive.store(results, now or datetime.now(UTC), limits)
    if site.images.local and not offline:
        # The pictures of the posts just read, once each, by content (issue 27).
        store = ImageStore(site.images_dir)
        # Feed files of the site folder are the school's own: their pictures are shown
        # from where they are.
        fetch_images(store, [entry for result in results if is_url(result.source)
                             for entry in result.entries], limits, image_limits, now)
        bound_storage(store, image_limits,
                      keep_sized=partial(stored_picture, store))
    return results


def build(config_file: Path, output: Path, offline: bool = False,
          now: datetime | None = None, limits: FetchLimits = DEFAULT_LIMITS,
          teacher: str | None = None, reindex: bool = True, url: str | None = None,
          require_url: bool = False,
          image_limits: ImageLimits = DEFAULT_IMAGE_LIMITS) -> BuildReport:
    """Build the portal for `config_file` into `output`; with `teacher`, only that
    teacher's micro-site, as a standalone site. Without `reindex`, the search index of
    the previous output is carried over as it is (`mading serve`'s quick rebuilds).
    `url` is the portal's address (`--url`, which CI takes from GitHub Pages), in place
    of site.yml's `url:`; with `require_url`, a site with neither is refused (issue 21):
    its feeds, sitemap and share links would point at this computer.

    Raises:
        InputError: `site.yml` is unusable, `teacher` is not one of its teachers, the
            address is required and missing, or `output` would replace the site's own
            files; nothing is built.
    """
    now = now or datetime.now(UTC)
    # A cluster or district: its schools' teachers, from their portals (issue 25).
    site = federated_site(load_site(config_file), offline, now, limits)
    local_url = False
    if url is not None:
        site = replace(site, school=replace(site.school, url=url))
    elif site.school.url == DEFAULT_URL:
        if require_url:
            _ = Translator(site.school.language)
            raise InputError([Problem(display_path(site.config_file),
                                      _("firstweek.url.required"))])
        local_url = True
    if teacher is not None and teacher not in {t.slug for t in site.teachers}:
        _ = Translator(site.school.language)
        slugs = [t.slug for t in site.teachers]
        raise InputError([Problem("--teacher", _(
            "firstweek.cli.unknown_teacher", slug=teacher, hint=did_you_mean(teacher, slugs, _),
            slugs=", ".join(slugs)))])
    _refuse_unsafe_output(site, output)
    fetch(site, offline=offline, now=now, limits=limits, image_limits=image_limits)
    shown = display_path(output)
    output = output.resolve()

    def waiting() -> None:
        print(Translator(site.school.language)("hostile_ops.output_busy", output=shown),
              file=sys.stderr, flush=True)

    # One build at a time writes an output, and keeps what the cache says of it (issue 26).
    with output_lock(output, waiting), BuildCache(site.cache_file) as cache:
        with Archive(site.archive_file) as archive:
            revision, statuses = archive.revision(), archive.feed_statuses()
        inputs = input_digest(site, revision, statuses, teacher)
        current, index_sound = _current_output(site, cache, output, inputs, now, statuses)
        if current is not None:
            return replace(current, local_url=local_url)
        # Imported only now: an up-to-date build never loads Jinja and the templates' code.
        from generator.render import Renderer, site_files, teacher_site_files

        cache.keep_snapshot(output, None)  # until this build is complete
        content = read_content(site, cache, now)
        scheduled = min((entry.published for entry in content.entries
                         if not entry.draft and entry.published > now), default=None)
        if site.images.local and not offline:
            # Pictures on the web and videos' thumbnails in Markdown posts (`mading
            # fetch` reads no Markdown): fetched once, like a feed's.
            fetch_images(ImageStore(site.images_dir), content.entries, limits, image_limits,
                         now)
        corrections, correction_problems = load_corrections(site)
        portal = load_portal(site, now, content.entries, corrections)
        problems = (*content.problems, *correction_problems,
                    *unused_corrections(portal, display_path(site.corrections_file),
                                        Translator(site.school.language)))
        del content  # the posts live on in the portal; the entries need not
        pictures = prepare_pictures(portal.posts, ImageStore(site.images_dir),
                                    local=site.images.local)
        layout = Layout() if teacher is None else Layout(standalone=teacher)
        renderer = Renderer(portal, theme_dir(), layout, previous=cache.pages(output),
                            output=output, pictures=pictures)
        warnings: list[str] = []
        if portal.tags_cut:
            warnings.append(Translator(site.school.language)(
                "hostile_web.tags_cut", teachers=", ".join(portal.tags_cut), limit=MAX_TAGS))

        parts = plan_parts(portal.posts)
        budget = OutputBudget(posts=len(portal.posts))

        def index_search(staging: Path, rewritten: list[str]) -> None:
            """Index the posts before the swap; without search the rest is still published.

            The index holds the post pages only, in `parts`. While none of a part's pages
            is new or changed and none is gone (or for serve's quick rebuilds), its
            previous bundle is linked in as it is, unless files of the index were found
            changed or gone. If a part fails, the index is left out whole.
            """
            changed = {path.split("/")[1] for path in rewritten if is_post_page(path)}
            for part in parts:
                previous = output / part.bundle
                if previous.is_dir() and index_sound and (not reindex or (
                        changed.isdisjoint(part.teachers)
                        and index_is_current(previous, part.pages))):
                    link_tree(previous, staging / part.bundle)
                    continue
                try:
                    index_site(staging, site.school.language, part)
                except SearchError as exc:
                    for other in parts:
                        shutil.rmtree(staging / other.bundle, ignore_errors=True)
                    warnings.extend(problem.message for problem in exc.problems_in(
                        Translator(site.school.language)))
                    return

        with closing(renderer):
            if teacher is None:
                # With no post page to index, Pagefind would index every page instead.
                # A damaged index is not a folder finish writes, but files to replace.
                written = write_output(site_files(renderer), output,
                                       finish=index_search if portal.posts else None,
                                       finished=[part.bundle for part in parts]
                                       if index_sound else (), budget=budget)
            else:
                # A micro-site is one teacher's posts, browsed by month and label; it has
                # no cari/ page, so no index (docs/decisions.md).
                written = write_output(teacher_site_files(renderer), output, budget=budget)
        report = BuildReport(problems=problems, feeds=portal.feeds,
                             warnings=tuple(warnings),
                             language=site.school.language, pages=written.files,
                             rewritten=written.rewritten, rendered=renderer.rendered,
                             posts=len(portal.posts), local_url=local_url)
        snapshot = None
        if renderer.volatile == 0 and not warnings and portal.posts:
            snapshot = Snapshot(
                inputs=inputs, generated=now,
                horizon=next_change((p.due for p in portal.posts if p.due), now),
                last_posts=renderer.index.last_posts(), problems=problems,
                posts=len(portal.posts),
                calls=tuple(sorted({call for _, calls in renderer.records.values()
                                    for call in calls})),
                pages=written.files, scheduled=scheduled)
        records = renderer.records
        del renderer, portal  # not needed past here
        listing = Listing()
        cache.keep_output(output, records, listing.noted(_walk_output(output)))
        if snapshot is not None and listing.complete:
            snapshot = replace(snapshot, output=listing.digest())
            cache.keep_snapshot(output, snapshot.dumps(), listing.paths())
    return report


def _current_output(site: Site, cache: BuildCache, output: Path, inputs: str, now: datetime,
                    statuses: list[FeedStatus]) -> tuple[BuildReport | None, bool]:
    """The report of a build that finds the previous output current (nothing read,
    rendered or written), or None when the build must run (generator/freshness.py); and
    whether the search index is as the last build left it, as far as this tells."""
    kept = cache.snapshot(output)
    if kept is None:
        return None, True
    try:
        snapshot = Snapshot.loads(kept)
    except (ValueError, KeyError, TypeError):
        return None, True
    if snapshot.inputs != inputs or not snapshot.holds_at(now):
        return None, True
    clock = TimeValues(site, now, snapshot.last_posts.get,
                       {status.teacher: status for status in statuses}.get)
    if not all(clock.replay(name, argument) == result
               for name, argument, result in snapshot.calls):
        return None, True
    if listing_digest(stat_listed(output, cache.listed(output))) != snapshot.output:
        bundles = bundles_in(output)
        found = {path: state for path, state in _walk_output(output)
                 if path.split("/")[0] in bundles}
        return None, found == cache.files(output, under=bundles)
    return BuildReport(problems=snapshot.problems, feeds=current_feeds(site, statuses),
                       language=site.school.language,
                       pages=snapshot.pages, posts=snapshot.posts, current=True), True


def _walk_output(output: Path) -> Iterator[tuple[str, FileState]]:
    """Every file and folder of the output, as the last build recorded them and the next
    compares them (`freshness.stat_listed`); the search index's bundles by their folders."""
    return walk_files(output, generated=bundles_in(output), folders=True)


def _refuse_unsafe_output(site: Site, output: Path) -> None:
    """The swap replaces the whole output folder: it must not hold the site (issue 8).

    Raises:
        InputError: `output` is, holds or lies in one of the site's own files.
    """
    inputs = [site.config_file, site.content_dir, site.archive_file.parent, theme_dir(),
              *(t.photo for t in site.teachers if t.photo is not None),
              *(site.root / t.blog for t in site.teachers if t.blog and not is_url(t.blog))]
    refusal = refuse_output(output, inputs)
    if refusal is not None:
        _ = Translator(site.school.language)
        raise InputError([Problem("--output", _(refusal[0], output=str(output),
                                                input=refusal[1]))])


def load_portal(site: Site, now: datetime, markdown: Sequence[Entry] | None = None,
                corrections: Corrections | None = None) -> Portal:
    """Collect the portal from the archive, the Markdown posts and the school's
    corrections (koreksi.yml, the valid ones), without fetching."""
    if markdown is None:
        markdown = read_content(site, now=now).entries
    if corrections is None:
        corrections = load_corrections(site)[0]
    with Archive(site.archive_file) as archive:
        feed_entries, statuses = archive.entries(), archive.feed_statuses()
    return collect(site, feed_entries, markdown, statuses, now, corrections)
