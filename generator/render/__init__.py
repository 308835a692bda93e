"""Render the portal: every page, feed and file of the URL layout, as `OutputFile`s.

Pure: takes a `Portal`, a theme folder and a `Layout`, and returns bytes; writing is the
next stage. The page plan (`pages`, `plan`) says what to make from what; the theme's
templates (`jinja`, `fragments`) make the pages; each page's inputs are digested (`keys`)
and a page memo handed in by the build (generator/incremental/memo.py) says whether the
last build's file can stand, and keeps what each page showed of the clock (`watch`). A
big portal renders in forked workers (`parallel`).

Every internal link is relative (`root` is `../` repeated to the page's depth) and names
`index.html` explicitly, so the output works from any sub-path and opened from disk.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path

from generator import pool
from generator.incremental.memo import Call, Clock, CompiledMemo, PageMemo
from generator.layout import POST_FOLDERS, Layout
from generator.models import Checkpoint, OutputFile, Portal, Post
from generator.pictures import Pictures
from generator.render import parallel
from generator.render.assets import asset_files
from generator.render.jinja import Templates, content_security_policy
from generator.render.keys import NoReuse, PageKeys
from generator.render.pages import (
    LISTED_MONTHS,
    LISTED_TAGS,
    micro_site_pages,
    post_files,
    site_pages,
)
from generator.render.plan import Made, Page, Part, Plan, Spec
from generator.render.watch import Watch

__all__ = ["LISTED_MONTHS", "LISTED_TAGS", "NoReuse", "Renderer", "content_security_policy",
           "post_page_files", "site_files", "teacher_site_files"]

RUN_PARTS = 8
"""Teachers rendered together, as one run of a worker: a run's pages are held whole
until they are written."""

_Noted = tuple[str, str, tuple[Call, ...] | None]
"""A page a worker reused (path, key, None) or recorded (path, key, calls)."""
PASSING = Checkpoint("", ())
"""A checkpoint of no part: what waits for the one before it may go on there."""
Run = Sequence[Part] | Checkpoint
"""Parts rendered together, in one worker; or a checkpoint, passed on in its place."""


class Renderer:
    """Makes the files of one build's page plan.

    Incremental through `memo`: a page whose inputs digest to a key the memo knows, and
    whose values of the clock (`3 hari lagi`, the "active" badge…) read the same, is not
    rendered again: the memo gives the last build's file. Every page rendered is recorded
    in the memo with what it showed of `clock`. `rendered` counts the pages whose
    template ran; `volatile` those that could not be recorded. The templates compiled are
    kept in `compiled`, where the next build's process finds them.
    """

    def __init__(self, portal: Portal, theme: Path, layout: Layout, memo: PageMemo,
                 clock: Clock, pictures: Pictures | None = None,
                 compiled: CompiledMemo | None = None) -> None:
        self.plan = Plan(portal, layout, pictures)
        self.portal = portal
        self.site = portal.site
        self.theme = theme
        self.layout = layout
        self.index = self.plan.index
        self.memo = memo
        self.rendered = 0
        self.volatile = 0
        """Pages rendered without a record (inputs that cannot be hashed, or a read of the
        portal that was not noted): made again at every build."""
        self._watch = Watch()
        self._keys = PageKeys(theme, self.site, layout)
        self.templates = Templates(self.plan, theme, clock, self._watch, compiled)

    def make(self, spec: Spec) -> OutputFile:
        """The file `spec` plans."""
        if isinstance(spec, Page):
            return self.file(spec.path, (spec.template, spec.root, spec.context),
                             partial(self.templates.render, spec))
        if isinstance(spec, Made):
            return self.file(spec.path, spec.inputs, spec.produce)
        return spec

    def file(self, path: str, inputs: object, produce: Callable[[], bytes]) -> OutputFile:
        """The file at `path`, made by `produce` from `inputs`, or the last build's when
        the memo finds it made from the same."""
        digest = self._keys.digest(path, inputs)
        key = None if digest is None else self.memo.key(digest)
        if key is not None:
            reused = self.memo.reuse(path, key)
            if reused is not None:
                return reused
        self._watch.start()
        content = produce()
        calls = self._watch.stop()
        self.rendered += 1
        if key is not None and calls is not None:
            self.memo.record(path, key, calls)
        else:
            self.volatile += 1
        return OutputFile(path, content)

    def runs(self, runs: Sequence[Run]) -> Iterator[OutputFile | Checkpoint]:
        """The files of the parts in `runs`, in order, with their checkpoints; for a big
        portal, spread over the machine's cores, each run in a forked worker
        (generator/pool.py)."""
        workers = parallel.workers_for(len(self.portal.posts), len(runs))
        if workers == 0:
            for run in runs:
                if isinstance(run, Checkpoint):
                    yield run
                else:
                    yield from self._made(run)
            return
        self.templates.load()  # once, shared with every worker
        memo = self.memo
        for files, noted, rendered, volatile in pool.in_order(
                partial(self._in_worker, runs, memo), len(runs), workers):
            for path, key, calls in noted:
                # The memo as the worker left it: the last build's pages it reused, this
                # build's it recorded.
                if calls is None:
                    memo.reused(path, key)
                else:
                    memo.record(path, key, calls)
            self.rendered += rendered
            self.volatile += volatile
            yield from files

    def _made(self, run: Iterable[Part]) -> Iterator[OutputFile]:
        for part in run:
            for spec in part():
                yield self.make(spec)

    def _in_worker(self, runs: Sequence[Run], memo: PageMemo, number: int
                   ) -> tuple[list[OutputFile | Checkpoint], list[_Noted], int, int]:
        """Run `number` of `runs`, in a forked worker: its files, what it asked of the
        memo for the build's process to tell its own memo, and its counts."""
        run = runs[number]
        if isinstance(run, Checkpoint):
            return [run], [], 0, 0
        noting = self.memo = _NotingMemo(memo)
        self.rendered = self.volatile = 0
        files: list[OutputFile | Checkpoint] = list(self._made(run))
        return files, noting.noted, self.rendered, self.volatile


class _NotingMemo:
    """The build's memo as a worker sees it: what the worker reused and recorded is noted,
    and told to the build's memo in the build's process (`Renderer.runs`)."""

    def __init__(self, memo: PageMemo) -> None:
        self._memo = memo
        self.noted: list[_Noted] = []

    def key(self, page: bytes) -> str:
        return self._memo.key(page)

    def reuse(self, path: str, key: str) -> OutputFile | None:
        reused = self._memo.reuse(path, key)
        if reused is not None:
            self.noted.append((path, key, None))
        return reused

    def reused(self, path: str, key: str) -> None:
        self.noted.append((path, key, None))

    def record(self, path: str, key: str, calls: Sequence[Call]) -> None:
        self.noted.append((path, key, tuple(calls)))


def site_files(r: Renderer, groups: Sequence[tuple[str, Collection[str]]] = ()
               ) -> Iterator[OutputFile | Checkpoint]:
    """Every file of the portal, one at a time: a district's pages are not all held.

    The teachers come first, `groups` of them (name, slugs) one after the other, each
    followed by its `Checkpoint`: the parts of the search index, which Pagefind can read
    while the rest is made. Then the teachers in no group, then the school's parts, each
    followed by `PASSING` when there are groups.

    The parts are rendered in runs: the teachers `RUN_PARTS` at a time, each of the
    school's parts alone (a district's subject holds thousands of listing pages)."""
    pages = site_pages(r.plan)
    teachers = dict(pages.teachers)
    runs: list[Run] = []
    for name, slugs in groups:
        runs += _teacher_runs([teachers.pop(slug) for slug in slugs if slug in teachers])
        runs.append(Checkpoint(name, tuple(f"{folder}{slug}" for slug in slugs
                                           for folder in POST_FOLDERS)))
    runs += _teacher_runs(list(teachers.values()))
    school: list[Part] = [*pages.school, partial(asset_files, r.theme)]
    for part in school:
        # A district's school parts take a minute: a part of the index waiting for
        # Pagefind starts at the next of these, not after them all.
        runs += [[part], PASSING] if groups else [[part]]
    yield from r.runs(runs)


def _teacher_runs(parts: Sequence[Part]) -> list[Run]:
    return [parts[start:start + RUN_PARTS] for start in range(0, len(parts), RUN_PARTS)]


def post_page_files(r: Renderer, post: Post) -> Iterator[OutputFile]:
    """The page and files of one of the portal's posts, as `site_files` makes them."""
    for spec in post_files(r.plan, post):
        yield r.make(spec)


def teacher_site_files(r: Renderer) -> Iterator[OutputFile | Checkpoint]:
    """One teacher's micro-site as a complete site of its own (`build --teacher`)."""
    yield from r.runs([[partial(micro_site_pages, r.plan), partial(asset_files, r.theme)]])
