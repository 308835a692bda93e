"""The search index of a build, made while the rest of the site is written (issue 23).

Pagefind reads only post pages, and `render.site_files` makes each part's post pages
first, followed by that part's checkpoint; `write.write_output` tells `Indexing` when a
checkpoint is reached and the part's pages are on disk. The part is then settled at once:
its previous bundle linked in when none of its pages changed, the bundle the build cache
keeps for the same pages restored (a CI run), or Pagefind started on it, which runs
while the build goes on rendering and writing. On a school of 1,160 posts that is the
1.6 s of Pagefind beside the school's listings, feeds and calendars; on a district, each
part's beside the next parts' pages.

One Pagefind runs at a time: a part takes about 650 MB of memory (generator/search.py).
If one fails, the index is left out whole, and a warning says why.
"""

from __future__ import annotations

import shutil
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from generator.i18n import Translator
from generator.incremental.kept_output import KeptOutput
from generator.layout import is_post_page
from generator.models import Checkpoint, Site
from generator.search import IndexRun, Part, SearchError, bundle_digest, index_is_current
from generator.write import link_tree


class Indexing:
    """The parts of one build's index, settled as their checkpoints are reached, and all
    finished before the swap (`finish`).

    While none of a part's pages is new or changed and none is gone, its previous bundle
    is linked in as it is, unless the index was found changed or gone (not `sound`). A
    part whose pages are those of a bundle the cache keeps (a CI run, with no previous
    output) gets that bundle (the pages told by what the page memo says they were `made`
    from, not read back). Else Pagefind indexes it, and the cache keeps the bundle.
    """

    def __init__(self, site: Site, output: Path, parts: Sequence[Part], sound: bool,
                 kept: KeptOutput, made: Callable[[str], str | None],
                 warnings: list[str]) -> None:
        self._site = site
        self._output = output
        self._parts = {part.bundle: part for part in parts}
        self._sound = sound
        self._kept = kept
        self._made = made
        self._warnings = warnings
        self._settled: set[str] = set()
        self._waiting: deque[tuple[Part, str]] = deque()
        """Parts for Pagefind, with their digests, in the order they were reached."""
        self._running: tuple[Part, str, IndexRun] | None = None
        self._changed: set[str] = set()
        """Teachers with a post page rewritten, among the first `_seen` rewritten paths."""
        self._seen = 0
        self._failure: SearchError | None = None

    def __enter__(self) -> Indexing:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        """A build that stops midway stops its Pagefind too."""
        if self._running is not None:
            self._running[2].stop()
            self._running = None

    def reached(self, checkpoint: Checkpoint, staging: Path, rewritten: list[str]) -> None:
        """The pages of the part `checkpoint` names are all in `staging`: settle it."""
        part = self._parts.get(checkpoint.name)
        if part is not None and part.bundle not in self._settled:
            self._settle(part, staging, rewritten)
        self._go_on(staging, wait=False)

    def finish(self, staging: Path, rewritten: list[str]) -> None:
        """Settle the parts whose checkpoints were passed before anything was staged, and
        wait for every Pagefind; on a failure, leave the index out whole."""
        for part in self._parts.values():
            if part.bundle not in self._settled:
                self._settle(part, staging, rewritten)
        while self._running is not None or (self._waiting and self._failure is None):
            self._go_on(staging, wait=True)
        if self._failure is not None:
            for part in self._parts.values():
                shutil.rmtree(staging / part.bundle, ignore_errors=True)
            self._warnings.extend(problem.message for problem in self._failure.problems_in(
                Translator(self._site.school.language)))

    def _settle(self, part: Part, staging: Path, rewritten: list[str]) -> None:
        self._settled.add(part.bundle)
        if self._failure is not None:
            return
        for path in rewritten[self._seen:]:
            if is_post_page(path):
                self._changed.add(path.split("/")[1])
        self._seen = len(rewritten)
        previous = self._output / part.bundle
        if previous.is_dir() and self._sound and self._changed.isdisjoint(part.teachers) \
                and index_is_current(previous, part.pages):
            link_tree(previous, staging / part.bundle)
            return
        language = self._site.school.language
        digest = bundle_digest(staging, part, language, self._made)
        if not self._kept.restore_bundle(part.bundle, digest, staging / part.bundle):
            self._waiting.append((part, digest))

    def _go_on(self, staging: Path, wait: bool) -> None:
        """Take in the Pagefind that ran, once it is done (waiting for it if `wait`), and
        start the next."""
        if self._running is not None:
            part, digest, run = self._running
            if run.running() and not wait:
                return
            self._running = None
            try:
                run.wait()
                self._kept.keep_bundle(part.bundle, digest, staging / part.bundle)
            except SearchError as exc:
                self._failure = self._failure or exc
            finally:
                run.stop()
        if self._waiting and self._failure is None:
            part, digest = self._waiting.popleft()
            try:
                self._running = (part, digest, IndexRun(staging, self._site.school.language,
                                                        part))
            except SearchError as exc:
                self._failure = exc
