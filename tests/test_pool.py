"""Mading's own worker pools (generator/pool.py, issue 23): results in order whatever the
number of workers, and a worker killed (SIGKILL, as the out-of-memory killer does) at
any time, even as the pool starts, is neither waited for forever nor left behind.

The workers are killed from outside, as the kernel would: a thread of this test watches
the children of this process in /proc and kills the first one it is told to."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from generator import pool
from generator.children import CHILD_NAME
from generator.config import load_site
from generator.i18n import Translator
from generator.models import FetchLimits, Teacher, WebFeed
from generator.pool import Pool, WorkerStopped, in_order
from generator.sources import content, feeds
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not Path(f"/proc/{os.getpid()}/task").is_dir(),
                                reason="the workers are watched in /proc")


def children() -> set[int]:
    """The processes this test's main thread started (the pools are started there)."""
    me = os.getpid()
    return set(map(int, Path(f"/proc/{me}/task/{me}/children").read_text().split()))


def read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError:
        return b""


def starting(pid: int) -> bool:
    """A "spawn" worker that has only just become Python: not yet tied to the build."""
    return b"spawn_main" in read(f"/proc/{pid}/cmdline") and \
        read(f"/proc/{pid}/comm").strip() != CHILD_NAME


def working(pid: int) -> bool:
    """A worker that has sent back at least one result (all a worker writes goes to its
    pipe) and still runs."""
    return read(f"/proc/{pid}/comm").strip() == CHILD_NAME and \
        b"\nwchar: 0\n" not in read(f"/proc/{pid}/io")


def any_new(pid: int) -> bool:
    return b"resource_tracker" not in read(f"/proc/{pid}/cmdline")


class Killer(threading.Thread):
    """Kills, with SIGKILL, the first new child of this process that `chosen` picks."""

    def __init__(self, chosen: Callable[[int], bool]) -> None:
        super().__init__(daemon=True)
        self.chosen = chosen
        self.before = children()
        self.killed: int | None = None
        self.finished = threading.Event()

    def run(self) -> None:
        while not self.finished.is_set():
            for pid in children() - self.before:
                if self.chosen(pid):
                    os.kill(pid, signal.SIGKILL)
                    self.killed = pid
                    return
            time.sleep(0.0005)


@contextmanager
def killing(chosen: Callable[[int], bool]) -> Iterator[Killer]:
    """Run the body while a `Killer` watches; fail it if it hangs; then check that it
    left no child behind (a zombie, never collected, counts as left)."""
    killer = Killer(chosen)

    def hung(_signal: int, _frame: object) -> None:
        raise TimeoutError("the pool hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    killer.start()
    try:
        yield killer
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        killer.finished.set()
        killer.join()
    assert killer.killed is not None, "no worker was killed"
    assert multiprocessing.active_children() == []
    assert {pid for pid in children() - killer.before if any_new(pid)} == set()


def square(number: int) -> int:
    return number * number


def slow_square(number: int) -> int:
    time.sleep(0.01)
    return number * number


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_results_do_not_depend_on_the_workers_or_how_they_start(
        workers: int, start: pool.Start) -> None:
    assert list(in_order(square, 25, workers, start)) == [n * n for n in range(25)]
    with Pool(square, workers, start) as squares:
        given = [squares.give(n) for n in reversed(range(25))]
        assert [squares.take(number) for number in reversed(given)] == \
            [n * n for n in range(25)]
    assert multiprocessing.active_children() == []


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="the workers are forked")
def test_the_pool_gives_results_in_order_from_what_its_workers_inherit() -> None:
    """The work is a closure: the workers find it in what the fork copied, not in a
    module's globals; results come back in order, whichever worker made them."""
    parents = [os.getpid()] * 12
    shown = list(in_order(lambda n: (n * n, parents[n], os.getpid()), 12, 2))
    assert [square for square, _parent, _worker in shown] == [n * n for n in range(12)]
    assert {parent for _square, parent, _worker in shown} == {os.getpid()}
    assert os.getpid() not in {worker for _square, _parent, worker in shown}


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="the workers are forked")
def test_a_failing_run_raises_in_the_build_and_a_dead_worker_is_not_waited_for() -> None:
    def failing(number: int) -> int:
        if number == 3:
            raise ValueError("run 3")
        return number

    with pytest.raises(ValueError, match="run 3"):
        list(in_order(failing, 8, 2))

    def dying(number: int) -> int:
        if number == 3:
            os._exit(9)  # as a worker ends that breaks down
        return number

    started = time.monotonic()
    with pytest.raises(WorkerStopped) as stopped:
        list(in_order(dying, 8, 2))
    assert time.monotonic() - started < 30
    [problem] = stopped.value.problems_in(Translator("en"))
    assert "stopped unexpectedly (exit code 9)" in problem.message
    [problem] = stopped.value.problems_in(Translator("id"))
    assert "berhenti tanpa diduga (kode keluar 9)" in problem.message
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_a_worker_killed_as_the_pool_starts_stops_it_with_a_clear_error(
        start: pool.Start) -> None:
    chosen = any_new if start == "fork" else starting
    with killing(chosen), pytest.raises(WorkerStopped) as stopped:
        list(in_order(slow_square, 200, 2, start))
    [problem] = stopped.value.problems_in(Translator("en"))
    assert problem.message.startswith("a worker process of the build was killed (SIGKILL)")
    [problem] = stopped.value.problems_in(Translator("id"))
    assert problem.message.startswith("sebuah proses pekerja build dihentikan paksa (SIGKILL)")


POSTS = 300


def add_posts(site_file: Path, count: int, text: str) -> None:
    for n in range(count):
        (site_file.parent / "content" / "sari" / f"2026-11-22-latihan-{n}.md").write_text(
            f"---\ntitle: Latihan {n}\ndate: 2026-11-22\n---\n" + text * 200 + "\n")


RENDERING_BUILD = """
import sys
import generator.render.parallel
generator.render.parallel.PARALLEL_RENDER_FROM = 50  # forked rendering workers, under 1,000 posts
from generator.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def rendering(pid: int) -> bool:
    """A forked rendering worker of `RENDERING_BUILD`, tied to the build."""
    return b"PARALLEL_RENDER_FROM" in read(f"/proc/{pid}/cmdline") and \
        read(f"/proc/{pid}/comm").strip() == CHILD_NAME


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="the rendering workers are forked")
def test_a_killed_rendering_worker_stops_the_build_and_leaves_the_output(
        tiny_site: Path) -> None:
    """A rendering worker's pages cannot be made up for here (the build would not know
    which were lost): the build stops with the message, exits 2, and the output is the
    last build's."""
    add_posts(tiny_site, 80, "Kerjakan soal berikut. ")
    command = [sys.executable, "-c", RENDERING_BUILD, "build", "--offline"]
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run(command, cwd=tiny_site.parent, env=environment, check=True,
                   capture_output=True)
    public = tiny_site.parent / "public"
    before = {p: p.read_bytes() for p in public.rglob("*") if p.is_file()}
    add_posts(tiny_site, 80, "Kerjakan soal berikut dengan teliti. ")
    build = subprocess.Popen(command, cwd=tiny_site.parent, env=environment,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    killed = None
    while killed is None and build.poll() is None:
        for pid in Path(f"/proc/{build.pid}/task/{build.pid}/children").read_text().split():
            if rendering(int(pid)):
                os.kill(int(pid), signal.SIGKILL)
                killed = pid
                break
        time.sleep(0.001)
    output = build.communicate(timeout=120)[0].decode()
    assert killed is not None, "no rendering worker was seen"
    assert build.returncode == 2, output
    assert "sebuah proses pekerja build dihentikan paksa (SIGKILL) sebelum pekerjaannya " \
        "selesai" in output
    assert {p: p.read_bytes() for p in public.rglob("*") if p.is_file()} == before


# --- the reading pools: a killed worker costs nothing ---------------------------------------

@pytest.fixture
def many_posts(tiny_site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny site with `POSTS` posts of Sari's more, read by two workers."""
    monkeypatch.setattr(content.os, "cpu_count", lambda: 2)
    add_posts(tiny_site, POSTS, "Kerjakan soal berikut dengan teliti. ")
    return tiny_site


def read_alone(site_file: Path, monkeypatch: pytest.MonkeyPatch) -> content.ContentResult:
    with monkeypatch.context() as alone:
        alone.setattr(content, "PARALLEL_READ_FROM", 10**9)
        return content.read_content(load_site(site_file))


@pytest.mark.parametrize("moment", [starting, working], ids=["as-it-starts", "mid-work"])
def test_a_killed_post_reading_worker_costs_no_post(
        many_posts: Path, monkeypatch: pytest.MonkeyPatch,
        moment: Callable[[int], bool]) -> None:
    alone = read_alone(many_posts, monkeypatch)
    assert len(alone.entries) > POSTS
    with killing(moment):
        pooled = content.read_content(load_site(many_posts))
    assert pooled == alone


FEEDS = 60


def rss(n: int) -> str:
    items = "".join(
        f"<item><title>Materi {n}.{i}</title><link>http://guru-{n}.example/{i}</link>"
        f"<guid>guru-{n}-{i}</guid><pubDate>Mon, {1 + i % 28:02d} Nov 2026 08:00:00 +0700"
        f"</pubDate><description>&lt;p&gt;{'Latihan soal. ' * 80}&lt;/p&gt;</description>"
        "</item>" for i in range(30))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Guru {n}</title>'
            f"<link>http://guru-{n}.example/</link>{items}</channel></rss>")


@pytest.fixture
def many_feeds(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> list[Teacher]:
    """`FEEDS` teachers, each with a feed on a server here, parsed by two workers."""
    monkeypatch.setattr(feeds.os, "cpu_count", lambda: 2)

    def feed(request: Request) -> Response:
        time.sleep(0.01)  # the parsing overlaps the fetching
        number = int(request.path.removeprefix("/guru-").removesuffix(".xml"))
        return Response(rss(number), content_type="application/rss+xml")

    teachers = []
    for n in range(FEEDS):
        httpserver.expect_request(f"/guru-{n}.xml").respond_with_handler(feed)
        teachers.append(Teacher(f"Guru {n}", f"guru-{n}",
                                blog=WebFeed(httpserver.url_for(f"/guru-{n}.xml"))))
    return teachers


@pytest.mark.parametrize("moment", [starting, working], ids=["as-it-starts", "mid-work"])
def test_a_killed_feed_parsing_worker_costs_no_feed(
        many_feeds: list[Teacher], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        moment: Callable[[int], bool]) -> None:
    limits = FetchLimits(concurrency=4)
    with monkeypatch.context() as alone:
        alone.setattr(feeds, "PARALLEL_PARSE_FROM", 10**9)
        expected = {r.teacher: (r.error, r.entries)
                    for r in feeds.read_feeds(many_feeds, tmp_path, limits=limits)}
    assert all(error is None and len(entries) == 30 for error, entries in expected.values())
    with killing(moment):
        pooled = feeds.read_feeds(many_feeds, tmp_path, limits=limits)
    assert {r.teacher: (r.error, r.entries) for r in pooled} == expected
