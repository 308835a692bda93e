"""Files created by threads of the build's process while it goes on (issue 23).

Creating a file is the system's work (an inode and a folder entry), done without the GIL:
on this machine's ext4 a district's CI run, which makes 400,000 files and renders none,
spent most of its time there in one thread, with the second core half idle.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

WRITER_THREADS = 2
"""Threads of the build's process that create its files."""
WRITES_AHEAD = 64
"""Files given to the threads and not yet written: what they hold is a few pages."""


class FileWriter:
    """Creates files in threads of this process while the caller goes on (making the
    next page, linking the unchanged ones).

    The threads start at the first file (a build that writes nothing starts
    none), after the render workers were forked, and are joined when the block ends.
    Pagefind may be started while they live (generator/indexing.py): what its process
    runs before Pagefind (`children.child_setup`) loads nothing.

    Leaving the block waits for every file and raises the first error (`OSError`);
    leaving it on an exception drops the files not yet begun and waits for the others,
    so that nothing is written into a folder the caller then removes.
    """

    def __init__(self, threads: int = WRITER_THREADS) -> None:
        self._threads = threads
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque[Future[None]] = deque()

    def __enter__(self) -> FileWriter:
        return self

    def write(self, path: str, content: bytes) -> None:
        """Create the file `path` (its folder exists) holding `content`, soon.

        Raises:
            OSError: an earlier file could not be written.
        """
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="mading-write")
        self._pending.append(self._pool.submit(_create, path, content))
        while len(self._pending) > WRITES_AHEAD:
            self._pending.popleft().result()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        pool.shutdown(wait=True, cancel_futures=kind is not None)
        pending, self._pending = self._pending, deque()
        if kind is None:
            for future in pending:
                future.result()

    def wait(self) -> None:
        """Wait until every file given so far is written.

        Raises:
            OSError: a file could not be written.
        """
        while self._pending:
            self._pending.popleft().result()


def _create(path: str, content: bytes) -> None:
    with open(path, "wb") as out:
        out.write(content)
