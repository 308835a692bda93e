"""Full-text search for `cari/`: Pagefind indexes the post pages of a built site.

Pagefind (PyPI `pagefind[bin]`) reads the finished HTML and writes a static index into
`pagefind/` beside it: many small files that the browser fetches as a reader types, so
search works on any static host with no server. Only post pages are indexed: Pagefind
reads only the files of `layout.POST_PAGES` (reading the listings too took it 4.1 s instead
of 2.4 s on 1,160 posts), and their `<article>` carries `data-pagefind-body`.
The post template also tags each page with the filters `mapel`, `guru` and `kelas`, the
`tanggal` sort, and the `title` and `tanggal` metadata that `assets/cari.js` shows.

A large site's index comes in parts (`plan_parts`): Pagefind holds about 170 KB a page in
memory while it indexes, and indexes the whole of what it is given again for any change.
Each part is a bundle folder of its own (`pagefind/`, `pagefind-2/`, ...) that
`assets/cari.js` merges in the browser with Pagefind's `mergeIndex`.

The build runs this on the staging folder of `write.write_output`, before the swap, so a
published output never holds a half-written index: each part as soon as its post pages
are written, while the rest of the site is made (generator/indexing.py). The bundled
binary is run as a subprocess with a deadline rather than through Pagefind's async Python
API: the API's service waits without a timeout for an answer, so a binary that dies in
the middle of a request hangs the build (see docs/decisions.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from generator.children import child_setup
from generator.errors import CatalogueError
from generator.layout import POST_FOLDERS, POST_PAGES
from generator.models import Post

BUNDLE = "pagefind"
"""The folder of the output that holds the index and Pagefind's scripts."""
FILTERS = ("mapel", "guru", "kelas")
"""Filter keys, as the post template writes them and `cari.js` asks for them."""
TIMEOUT = 300.0
"""Seconds the indexer may take for one part; the example school (68 posts, 320 pages)
takes 0.3 s, a part of 5,000 posts about 9 s."""
PART_PAGES = 4000
"""Post pages a part of the index holds on average, once a site has more than this.

Pagefind needs about 170 KB of memory a page (bench/RESULTS.md): one index of a
district's 90,000 posts took 12.9 GB, more than a CI runner has, and 200 s again for any
change. Parts of about 4,000 pages stay under 1 GB, and an edit re-indexes only its own.
The price is paid by the reader: a word search in 19 parts took 40-50% more bytes and
4-6 times the requests of one index. A school's few thousand posts stay one index."""


@dataclass(frozen=True)
class Part:
    """One bundle of the search index: the post pages of some teachers."""

    bundle: str
    """Its folder in the output."""
    teachers: tuple[str, ...]
    pages: int
    glob: str
    """The post pages Pagefind reads for it, relative to the output."""


def plan_parts(posts: Iterable[Post]) -> tuple[Part, ...]:
    """The parts of the site's index, the first holding Pagefind's scripts.

    A teacher's posts are all in one part, picked by a hash of the teacher's slug: a part
    keeps its teachers while the site grows, so that a new or edited post re-indexes one
    part. Only a change in the number of parts (every `PART_PAGES` posts) moves them all.
    """
    counts = Counter(post.teacher.slug for post in posts)
    total = sum(counts.values())
    number = max(1, -(-total // PART_PAGES))
    if number == 1:
        return (Part(BUNDLE, tuple(sorted(counts)), total, POST_PAGES),)
    groups: defaultdict[int, list[str]] = defaultdict(list)
    for slug in sorted(counts):
        digest = hashlib.sha256(slug.encode()).digest()
        groups[int.from_bytes(digest[:8], "big") % number].append(slug)
    parts = []
    for position, bucket in enumerate(sorted(groups)):
        slugs = groups[bucket]
        teachers = slugs[0] if len(slugs) == 1 else "{" + ",".join(slugs) + "}"
        parts.append(Part(BUNDLE if position == 0 else f"{BUNDLE}-{bucket + 1}", tuple(slugs),
                          sum(counts[slug] for slug in slugs),
                          POST_PAGES.replace("*", teachers, 1)))
    return tuple(parts)


def bundles_in(folder: Path) -> tuple[str, ...]:
    """The bundle folders of the index `folder` holds, as `plan_parts` names them."""
    try:
        names = os.listdir(folder)
    except OSError:
        return ()
    return tuple(sorted(name for name in names if re.fullmatch(rf"{BUNDLE}(-\d+)?", name)))


class SearchError(CatalogueError):
    """The index could not be built; the build reports it as a warning, in the site's
    language."""


def pagefind_binary() -> Path | None:
    """The Pagefind executable: `PAGEFIND_BINARY_PATH`, else the one `pagefind[bin]`
    installed, else `pagefind` on the PATH; None when there is none."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    try:
        return get_executable()
    except FileNotFoundError:  # pagefind_bin installed without its binary
        return None


def index_site(folder: Path, language: str, part: Part | None = None,
               timeout: float = TIMEOUT) -> None:
    """Write the search index of the site built in `folder` into `folder/pagefind/`; with
    `part`, that part's into its bundle folder.

    `language` is the school's (`id` or `en`): it picks the stemmer, for the whole site,
    whatever a page says. Result URLs keep `index.html`, like every other link of the
    portal.

    Raises:
        SearchError: Pagefind is missing, failed or took too long; whatever it had
            written is removed.
    """
    with IndexRun(folder, language, part, timeout) as run:
        run.wait()


class IndexRun:
    """Pagefind writing one bundle of the index (`index_site`), in a process of its own,
    started at once: the build goes on making the rest of the site meanwhile. Leaving the
    block stops it if it still runs.

    Raises (starting, or in `wait`):
        SearchError: as `index_site` says.
    """

    def __init__(self, folder: Path, language: str, part: Part | None = None,
                 timeout: float = TIMEOUT) -> None:
        binary = pagefind_binary()
        if binary is None:
            raise SearchError("cli.search.missing")
        self._folder = folder
        self._bundle, glob = (part.bundle, part.glob) if part else (BUNDLE, POST_PAGES)
        self._timeout = timeout
        # Pagefind adds to what is there; the index is made whole.
        _remove_bundle(folder, self._bundle)
        command = [str(binary), "--site", str(folder), "--output-subdir", self._bundle,
                   "--force-language", language, "--keep-index-url", "--glob", glob]
        # Its words go to a file: a pipe nobody reads while the build renders could fill.
        self._said = tempfile.TemporaryFile()  # noqa: SIM115 (closed by `stop`)
        self._deadline = time.monotonic() + timeout
        try:
            self._process = subprocess.Popen(command, stdout=self._said,
                                             stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL,
                                             preexec_fn=child_setup())
        except FileNotFoundError:
            self._said.close()
            raise SearchError("cli.search.missing") from None
        except OSError as exc:
            self._said.close()
            raise SearchError("cli.search.failed", detail=exc.strerror or str(exc)) from None

    def __enter__(self) -> IndexRun:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        """End Pagefind if it still runs (what it wrote is the caller's to remove)."""
        if self.running():
            self._process.kill()
            self._process.wait()
        self._said.close()

    def running(self) -> bool:
        return self._process.poll() is None

    def wait(self) -> None:
        """Wait until the bundle is written, at most until the deadline.

        Raises:
            SearchError: Pagefind failed or took too long; what it wrote is removed.
        """
        try:
            code = self._process.wait(timeout=max(0.0, self._deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            _remove_bundle(self._folder, self._bundle)
            raise SearchError("cli.search.timeout", seconds=round(self._timeout)) from None
        if code != 0 or not (self._folder / self._bundle / "pagefind.js").is_file():
            _remove_bundle(self._folder, self._bundle)
            self._said.seek(0)
            said = self._said.read().decode("utf-8", errors="replace")
            raise SearchError("cli.search.failed", detail=_last_line(said) or f"exit {code}")


def bundle_digest(folder: Path, part: Part, language: str,
                  made: Callable[[str], str | None] = lambda path: None) -> str:
    """A digest of what the bundle of `part` is made from, in the site built in `folder`:
    its post pages (paths and bytes), the language and the Pagefind installed. Two builds
    with the same digest may share one index (generator/incremental/kept_output.py).

    `made` gives, for a page's path, what this build made it from (its key in the page
    memo and what it showed of the clock), which stands for its bytes: a CI run of a
    district wrote 90,000 post pages and read them all back only for this. A page it
    gives nothing for is read.
    """
    digest = hashlib.sha256(f"{part.bundle}\0{part.glob}\0{language}\0".encode())
    with contextlib.suppress(metadata.PackageNotFoundError):
        digest.update(metadata.version("pagefind_bin").encode())
    for teacher in part.teachers:
        for posts in POST_FOLDERS:  # every page Pagefind reads for the part's teachers
            for page in sorted((folder / posts / teacher).glob("*/index.html")):
                path = f"{posts}{teacher}/{page.parent.name}/index.html"
                source = made(path)
                if source is not None:
                    digest.update(f"\0{path}\0made\0{source}".encode())
                    continue
                try:
                    content = page.read_bytes()
                except OSError:
                    continue
                digest.update(f"\0{path}\0{len(content)}\0".encode())
                digest.update(content)
    return digest.hexdigest()


def index_is_current(bundle: Path, pages: int) -> bool:
    """Whether the index in `bundle` still covers the site, given that no post page is
    new or changed: it holds `pages` pages (none was removed) and was written by the
    Pagefind installed now. Pagefind's output differs between runs over the same pages,
    so an index made again for nothing would be uploaded again at every deploy.
    """
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        indexed = sum(language["page_count"] for language in entry["languages"].values())
        return bool(entry["version"] == metadata.version("pagefind_bin") and indexed == pages)
    except (OSError, ValueError, KeyError, TypeError, AttributeError,
            metadata.PackageNotFoundError):
        return False


def _remove_bundle(folder: Path, bundle: str) -> None:
    shutil.rmtree(folder / bundle, ignore_errors=True)


def _last_line(output: str) -> str:
    """Pagefind's own message, which it prints last (`Error: ...`)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error")]
    return (errors or lines or [""])[-1]
