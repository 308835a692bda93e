"""The memos `generator.build` hands to render and content reading, kept in the build cache.

They implement the protocols of `generator.incremental.memo`; render and the sources see
only those, never this module, the cache file or the previous output.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from generator.incremental.cache import BuildCache, PageRecord
from generator.incremental.clock import TimeValues
from generator.incremental.fingerprint import code_fingerprint
from generator.incremental.kept_output import KeptOutput
from generator.incremental.memo import Call
from generator.models import Checkpoint, Entry, OutputFile


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

    A page is reused when its key is the same and what it showed of the clock reads the
    same as of `clock`: its file is then linked when it is the very one the last build
    left (size, modification time, inode: nobody changed it since), or else written from
    the `store`, where the builds keep what they rendered (a CI run finds no output).
    """

    def __init__(self, previous: Mapping[str, PageRecord], output: Path,
                 clock: TimeValues, store: KeptOutput | None = None) -> None:
        self.previous = previous
        """The last build's pages, by path."""
        self.output = output
        self._clock = clock
        self._store = store
        self._made: dict[str, tuple[str, tuple[Call, ...]]] = {}
        self._stored: set[str] = set()
        """Paths of the pages written from the store: kept there already."""

    def key(self, page: bytes) -> str:
        return _key(page)

    def reuse(self, path: str, key: str) -> OutputFile | None:
        record = self.previous.get(path)
        if record is None or record.key != key:
            return None
        if any(self._clock.replay(name, argument) != result
               for name, argument, result in record.calls):
            return None
        if self._unchanged(path, record):
            self._made[path] = (key, record.calls)
            return OutputFile(path, source=self.output / path, unchanged=True)
        content = self._store.page(key) if self._store is not None else None
        if content is None:
            return None
        self._made[path] = (key, record.calls)
        self._stored.add(path)
        return OutputFile(path, content)

    def reused(self, path: str, key: str) -> None:
        record = self.previous.get(path)
        if record is not None and record.key == key:
            self._made[path] = (key, record.calls)
            self._stored.add(path)

    def record(self, path: str, key: str, calls: Sequence[Call]) -> None:
        self._made[path] = (key, tuple(calls))

    def stored(self, files: Iterable[OutputFile | Checkpoint]
               ) -> Iterator[OutputFile | Checkpoint]:
        """`files`, passed on as they come (checkpoints too); each page rendered and
        recorded among them is kept in the store on the way (a page the memo did not
        record is made again at every build, and not kept)."""
        for file in files:
            if isinstance(file, Checkpoint):
                yield file
                continue
            made = self._made.get(file.path)
            if made is not None and file.content is not None and self._store is not None \
                    and file.path not in self._stored:
                self._store.keep_page(made[0], file.content)
            yield file
        if self._store is not None:
            self._store.flush()

    def made(self, path: str) -> str | None:
        """What this build made the page at `path` from, when it made or reused it under
        a key: the key and what the page showed of the clock, which decide its bytes as
        they decide its reuse. None for a page made without a record."""
        made = self._made.get(path)
        return None if made is None else f"{made[0]}:{json.dumps(made[1])}"

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
