"""Mading's own pools of worker processes: rendering a big portal, reading many posts,
parsing many feeds (issue 23).

Not `concurrent.futures.ProcessPoolExecutor`: a worker of that pool killed while the pool
is still starting makes it raise or hang, and may leave an orphan. Here each worker has
a pipe of its own, and the pool waits on the pipes and on the workers' ends (their
sentinels) together, in the thread that uses it: a worker that ends, at any time, is
seen at once and becomes `WorkerStopped`; leaving the pool ends and collects every
worker, whatever happened. No thread is started beside the build.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterator
from itertools import islice
from multiprocessing.connection import Connection, wait
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar

from generator.children import child_setup
from generator.errors import CatalogueError

Start = Literal["fork", "spawn"]
"""How workers start. "fork": with the parent's memory (the build's renderer, for free);
"spawn": a fresh interpreter, for a process that may hold threads and connections."""
RUNS_OUT_PER_WORKER = 2
"""Small items (numbers) `in_order` gives a worker ahead: one to work on while one is
sent."""
Item = TypeVar("Item")
Result = TypeVar("Result")


class WorkerStopped(CatalogueError):
    """A worker process ended before its work was done (killed by a signal, by the
    out-of-memory killer): its results will never come."""

    def __init__(self, exitcode: int | None) -> None:
        if exitcode is not None and exitcode < 0:
            number = -exitcode
            name = signal.Signals(number).name if number in set(signal.Signals) else number
            super().__init__("pool.worker_killed", signal=name)
        else:
            super().__init__("pool.worker_ended", code="?" if exitcode is None else exitcode)
        self.exitcode = exitcode


def _serve(work: Callable[[Any], Any] | None, tasks: Connection,
           setup: Callable[[], None]) -> None:
    """A worker: `work` (when None, the first thing received) on each (number, item)
    received, the outcome sent back."""
    setup()
    try:
        work = work or tasks.recv()
    except EOFError:
        return
    while True:
        try:
            number, item = tasks.recv()
        except EOFError:  # the pool is gone
            return
        try:
            outcome: tuple[int, bool, Any] = (number, True, work(item))
        except Exception as error:  # raised where the result is taken, as it is
            outcome = (number, False, error)
        tasks.send(outcome)


class Pool(Generic[Item, Result]):
    """`workers` processes, each computing `work(item)` for the items given to the pool.

    `give` never blocks for long and never raises: an item waits in this process until
    a worker is free. At most `ahead` items are out per worker: with one, neither side
    ever waits on a full pipe while the other waits on it; more only for small items (a
    number), which a pipe takes without waiting. `take` waits for an item's
    result and raises what `work` raised; once a worker has ended, it raises
    `WorkerStopped` for every result not in yet.

    With "spawn", `work` and the items are pickled; with "fork", `work` may be a
    closure, found by the workers in what the fork copied.
    """

    def __init__(self, work: Callable[[Item], Result], workers: int, start: Start,
                 ahead: int = 1) -> None:
        self._work = work
        self._start = start
        self._ahead = ahead
        self._count = workers
        self._workers: list[Any] = []
        self._pipes: list[Connection] = []
        self._out: list[int] = []
        self._waiting: deque[tuple[int, Item]] = deque()
        self._done: dict[int, tuple[bool, Any]] = {}
        self._given = 0
        self._stopped: WorkerStopped | None = None

    def __enter__(self) -> Pool[Item, Result]:
        context = (multiprocessing.get_context("fork") if self._start == "fork"
                   else multiprocessing.get_context("spawn"))
        setup = child_setup()
        if self._start == "fork":
            # Out of the collector's sight, what the workers inherit stays shared with
            # them: a collection in a worker would otherwise touch, and so copy, every
            # page of it.
            gc.freeze()
        # "spawn" sends the work through the pipe once every worker has started, so
        # that a start writes only a few bytes, at once (a worker killed while a long
        # start message is written makes `start` fail and loses the process), and the
        # workers get ready together.
        inherited = self._work if self._start == "fork" else None
        try:
            for _ in range(self._count):
                mine, theirs = context.Pipe()
                self._pipes.append(mine)
                self._out.append(0)
                worker = context.Process(target=_serve, args=(inherited, theirs, setup),
                                         daemon=True)
                self._workers.append(worker)
                try:
                    worker.start()
                except OSError:  # killed before "spawn" wrote it its few bytes
                    self._workers.pop()
                    self._pipes.pop().close()
                    self._stopped = WorkerStopped(None)
                    break
                finally:
                    theirs.close()
            for pipe, worker in zip(self._pipes, self._workers, strict=True):
                if inherited is None and self._stopped is None:
                    try:
                        pipe.send(self._work)
                    except OSError:  # killed as it started: its pipe has no reader
                        self._stopped = self._ended(worker)
        except BaseException:
            self._end()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._end()

    def give(self, item: Item) -> int:
        """Hand `item` to a worker as soon as one is free; the number to `take` its
        result by."""
        number = self._given
        self._given += 1
        self._waiting.append((number, item))
        if self._stopped is None:
            try:
                self._receive(block=False)
                self._send()
            except WorkerStopped as stopped:
                self._stopped = stopped
        return number

    def take(self, number: int) -> Result:
        """The result of the item given as `number`, waited for.

        Raises:
            WorkerStopped: a worker ended before the result came.
            Exception: what `work` raised for that item.
        """
        while number not in self._done:
            if self._stopped is not None:
                raise self._stopped
            try:
                self._send()
                self._receive(block=True)
            except WorkerStopped as stopped:
                self._stopped = stopped
        ok, value = self._done.pop(number)
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def _send(self) -> None:
        for index, pipe in enumerate(self._pipes):
            while self._waiting and self._out[index] < self._ahead:
                try:
                    pipe.send(self._waiting.popleft())
                except OSError:  # the worker is gone: its pipe has no reader
                    raise self._ended(self._workers[index]) from None
                self._out[index] += 1

    def _receive(self, block: bool) -> None:
        """Take in every result that is ready, waiting for one if `block`.

        Raises:
            WorkerStopped: a worker ended (its results sent before are taken in first).
        """
        sentinels = {worker.sentinel: worker for worker in self._workers}
        ready = wait([*self._pipes, *sentinels], timeout=None if block else 0)
        for index, pipe in enumerate(self._pipes):
            while pipe in ready and pipe.poll():
                try:
                    number, ok, value = pipe.recv()
                except (EOFError, OSError):
                    raise self._ended(self._workers[index]) from None
                self._done[number] = (ok, value)
                self._out[index] -= 1
        for sentinel in ready:
            if sentinel in sentinels:
                raise self._ended(sentinels[sentinel])

    @staticmethod
    def _ended(worker: Any) -> WorkerStopped:
        worker.join()  # it has ended, or is ending: this collects its exit code
        return WorkerStopped(worker.exitcode)

    def _end(self) -> None:
        """End every worker and collect it: none is left behind, whatever happened."""
        for worker in self._workers:
            if worker.is_alive():
                worker.terminate()
        for worker in self._workers:
            if worker.pid is not None:
                worker.join()
        for pipe in self._pipes:
            pipe.close()
        if self._start == "fork":
            gc.unfreeze()


def in_order(work: Callable[[int], Result], count: int, workers: int,
             start: Start = "fork") -> Iterator[Result]:
    """`work(0)` to `work(count - 1)`, each computed in one of `workers` processes,
    given in order.

    Only `RUNS_OUT_PER_WORKER` numbers per worker are out at a time: workers that worked
    ahead of the caller would leave their results waiting in this process's memory (a
    district's whole output, for rendering). An exception in `work` is raised here; a
    worker that ends raises `WorkerStopped` rather than leaving its result waited for.
    """
    numbers = iter(range(count))
    with Pool(work, workers, start, ahead=RUNS_OUT_PER_WORKER) as pool:
        for number in islice(numbers, workers * RUNS_OUT_PER_WORKER):
            pool.give(number)
        for number in range(count):
            result = pool.take(number)
            for given in islice(numbers, 1):
                pool.give(given)
            yield result
