"""Full-text search for `cari/`: Pagefind indexes the post pages of a built site.

Pagefind (PyPI `pagefind[bin]`) reads the finished HTML and writes a static index into
`pagefind/` beside it: many small files that the browser fetches as a reader types, so
search works on any static host with no server. Only post pages are indexed: Pagefind
reads only the files of `layout.POST_PAGES` (reading the listings too took it 4.1 s instead
of 2.4 s on 1,160 posts), and their `<article>` carries `data-pagefind-body`.
The post template also tags each page with the filters `mapel`, `guru` and `kelas`, the
`tanggal` sort, and the `title` and `tanggal` metadata that `assets/cari.js` shows.

The build runs this on the staging folder of `write.write_output`, before the swap
(`build.build` passes it as `finish`), so a published output never holds a half-written
index. The bundled binary is run as a subprocess with a deadline rather than through
Pagefind's async Python API: the API's service waits without a timeout for an answer, so a
binary that dies in the middle of a request hangs the build (see docs/decisions.md).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

from generator.errors import MadingError
from generator.layout import POST_PAGES

BUNDLE = "pagefind"
"""The folder of the output that holds the index and Pagefind's scripts."""
FILTERS = ("mapel", "guru", "kelas")
"""Filter keys, as the post template writes them and `cari.js` asks for them."""
TIMEOUT = 300.0
"""Seconds the indexer may take; the example school (68 posts, 320 pages) takes 0.3 s."""


class SearchError(MadingError):
    """The index could not be built; carries a catalogue message for the build's report."""

    def __init__(self, message_id: str, **values: object) -> None:
        super().__init__(message_id, values)
        self.message_id = message_id
        self.values = values


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


def index_site(folder: Path, language: str, timeout: float = TIMEOUT) -> None:
    """Write the search index of the site built in `folder` into `folder/pagefind/`.

    `language` is the school's (`id` or `en`): it picks the stemmer, for the whole site,
    whatever a page says. Result URLs keep `index.html`, like every other link of the
    portal.

    Raises:
        SearchError: Pagefind is missing, failed or took too long; whatever it had
            written is removed.
    """
    binary = pagefind_binary()
    if binary is None:
        raise SearchError("cli.search.missing")
    _remove_bundle(folder)  # Pagefind adds to what is there; the index is made whole
    command = [str(binary), "--site", str(folder), "--output-subdir", BUNDLE,
               "--force-language", language, "--keep-index-url", "--glob", POST_PAGES]
    try:
        result = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise SearchError("cli.search.missing") from None
    except subprocess.TimeoutExpired:
        _remove_bundle(folder)
        raise SearchError("cli.search.timeout", seconds=round(timeout)) from None
    except OSError as exc:
        raise SearchError("cli.search.failed", detail=exc.strerror or str(exc)) from None
    if result.returncode != 0 or not (folder / BUNDLE / "pagefind.js").is_file():
        _remove_bundle(folder)
        raise SearchError("cli.search.failed", detail=_last_line(result.stdout + result.stderr)
                          or f"exit {result.returncode}")


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


def _remove_bundle(folder: Path) -> None:
    shutil.rmtree(folder / BUNDLE, ignore_errors=True)


def _last_line(output: str) -> str:
    """Pagefind's own message, which it prints last (`Error: ...`)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error")]
    return (errors or lines or [""])[-1]
