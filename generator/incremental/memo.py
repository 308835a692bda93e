"""The narrow doors through which render and the sources use incremental building.

Render and the sources import this module and nothing else of `generator.incremental`:
they are handed a memo by `generator.build` and never open SQLite or read the previous
output themselves, so that they stay pure enough to test in memory (a memo that
remembers nothing is a valid memo).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from generator.models import Entry, FeedStatus, OutputFile

Call = tuple[str, str, str]
"""One time-dependent value a page showed: (name, argument, what it read)."""


def shown(value: object) -> str:
    """A value as a record of what a page showed: times by their ISO text, since the same
    instant may come with another tzinfo class (read afresh, or from the cache)."""
    if isinstance(value, FeedStatus):
        # What a page may show of a feed; not the fetch's bookkeeping (validators, the time
        # of the last success), which changes at every fetch (docs/decisions.md).
        value = (value.source, value.home_page, value.feed_url, value.title, value.error)
    return value.isoformat() if isinstance(value, datetime) else repr(value)


class Clock(Protocol):
    """The values pages show that depend on the build's clock (`3 hari lagi`, the
    "active" badge, the build's date). Render shows them and notes each call, so that
    the memo can tell later whether a page still reads the same."""

    def relative(self, value: datetime) -> str: ...

    def active(self, teacher: str) -> bool: ...

    def build_date(self, style: str) -> str: ...

    def today(self) -> str: ...


class PageMemo(Protocol):
    """What render may reuse of the last build's pages, and what it records of this one."""

    def key(self, page: bytes) -> str:
        """The key of a page whose own inputs (path, template, context, site, theme,
        layout) hash to `page`; it also changes with Mading's code and libraries."""
        ...

    def reuse(self, path: str, key: str) -> OutputFile | None:
        """The last build's file at `path`, when it was made under `key`, what it showed
        of the clock reads the same now, and nobody has changed it since; else None."""
        ...

    def reused(self, path: str, key: str) -> None:
        """Note that another process (a forked render worker) reused the page at `path`
        under `key`, as `reuse` there said: it is this build's page too."""
        ...

    def record(self, path: str, key: str, calls: Sequence[Call]) -> None:
        """Remember this build's page at `path`, made under `key`, having shown `calls`."""
        ...


class CompiledMemo(Protocol):
    """The theme's compiled templates, kept between builds: compiling them costs a build
    0.25 s, and a new process starts with none."""

    def compiled(self, key: str) -> bytes | None:
        """The compiled template kept under `key` (Jinja's bytecode, which carries the
        checksum of its source), or None."""
        ...

    def keep_compiled(self, key: str, code: bytes) -> None:
        """Keep the compiled template `code` under `key`."""
        ...


class PostMemo(Protocol):
    """What content reading may reuse of the last build's posts."""

    def key(self, source: bytes) -> str:
        """The key of a post whose file, neighbours and site hash to `source`; it also
        changes with Mading's code and libraries."""
        ...

    def get(self, keys: Mapping[str, str]) -> dict[str, Entry]:
        """The posts kept for these paths, each only if kept under the key given."""
        ...

    def put(self, read: Mapping[str, tuple[str, Entry]], current: Collection[str]) -> None:
        """Keep the posts just `read` (path to key and post); forget paths not `current`."""
        ...
