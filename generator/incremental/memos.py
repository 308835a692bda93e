"""The memos `generator.build` hands to render and content reading, kept in the build cache.

They implement the protocols of `generator.incremental.memo`; render and the sources see
only those, never this module, the cache file or the previous output.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

from generator.incremental.cache import BuildCache, PageRecord
from generator.incremental.clock import TimeValues
from generator.incremental.fingerprint import code_fingerprint
from generator.incremental.memo import Call
from generator.models import Entry, OutputFile


def _key(inputs: bytes) -> str:
    """A key of `inputs` that also changes with Mading's code, theme and libraries."""
    return hashlib.sha256(code_fingerprint().encode() + b"\0" + inputs).hexdigest()


class PostCache:
    """The posts the last build read, as the build cache keeps them: a `memo.PostMemo`."""

    def __init__(self, cache: BuildCache) -> None:
        self._cache = cache

    def key(self, source: bytes) -> str:
        return _key(source)

    def get(self, keys: Mapping[str, str]) -> dict[str, Entry]:
        known = self._cache.post_keys()
        unchanged = {path for path, key in keys.items() if known.get(path) == key}
        return dict(self._cache.posts(unchanged))

    def put(self, read: Mapping[str, tuple[str, Entry]], current: Collection[str]) -> None:
        self._cache.update_posts(read, set(current))


class PageCache:
    """The pages the last build wrote in `output`, and those of this build: a
    `memo.PageMemo`.

    A page is reused when its key is the same, what it showed of the clock reads the same
    as of `clock`, and its file is the very one the last build left (size, modification
    time, inode: nobody changed it since).
    """

    def __init__(self, previous: Mapping[str, PageRecord], output: Path,
                 clock: TimeValues) -> None:
        self.previous = previous
        """The last build's pages, by path."""
        self.output = output
        self._clock = clock
        self._made: dict[str, tuple[str, tuple[Call, ...]]] = {}

    def key(self, page: bytes) -> str:
        return _key(page)

    def reuse(self, path: str, key: str) -> OutputFile | None:
        record = self.previous.get(path)
        if record is None or record.key != key:
            return None
        if any(self._clock.replay(name, argument) != result
               for name, argument, result in record.calls):
            return None
        if not self._unchanged(path, record):
            return None
        self._made[path] = (key, record.calls)
        return OutputFile(path, source=self.output / path, unchanged=True)

    def record(self, path: str, key: str, calls: Sequence[Call]) -> None:
        self._made[path] = (key, tuple(calls))

    def pages(self) -> dict[str, tuple[str, tuple[Call, ...]]]:
        """{path: (key, calls)} of every page this build made or reused, for the next.

        A page reused where its notes could not reach this memo (a forked worker's) is
        still the last build's file, untouched: its record holds, and is kept."""
        kept = dict(self._made)
        for path, record in self.previous.items():
            if path not in kept and self._unchanged(path, record):
                kept[path] = (record.key, record.calls)
        return kept

    def _unchanged(self, path: str, record: PageRecord) -> bool:
        try:
            stat = (self.output / path).stat()
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns, stat.st_ino) == \
            (record.size, record.mtime_ns, record.inode)


def distinct_calls(pages: Iterable[tuple[str, tuple[Call, ...]]]) -> tuple[Call, ...]:
    """The time-dependent values the pages showed, each once, sorted: a district's
    240,000 pages show some 30,000, replayed once each (`Snapshot.calls`)."""
    return tuple(sorted({call for _key, calls in pages for call in calls}))
