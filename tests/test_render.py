"""Rendering shortcuts that must not show: fragments reused across pages, worker processes.

Each is compared with the plain way of rendering the same portal: the files, the records
the next build relies on (what the page memo is told) and the count of pages rendered.
"""

from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from generator import pool
from generator.build import fetch, load_portal
from generator.config import load_site
from generator.incremental.clock import TimeValues
from generator.layout import Layout
from generator.models import Checkpoint, OutputFile, Portal
from generator.render import PASSING, NoReuse, Renderer, fragments, parallel, site_files
from generator.render.plan import page
from generator.theme import theme_dir
from tests.conftest import copy_example

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Portal:
    """The example school, collected once."""
    site = load_site(copy_example(tmp_path_factory.mktemp("example")))
    fetch(site, offline=True, now=NOW)
    return load_portal(site, NOW)


def renderer(portal: Portal, theme: Path, memo: NoReuse) -> Renderer:
    clock = TimeValues(portal.site, portal.generated, portal.newest_posts.get,
                       portal.feed_of)
    return Renderer(portal, theme, Layout(), memo, clock)


def rendered(portal: Portal) -> tuple[list[tuple[str, bytes]], dict[str, Any], int]:
    """Every file of the portal in order, with the records the memo was given and the
    renderer's count."""
    memo = NoReuse()
    r = renderer(portal, theme_dir(), memo)
    files = [(f.path, f.content if f.content is not None else f"copy of {f.source}".encode())
             for f in site_files(r)]
    return files, memo.records, r.rendered


def test_reused_fragments_give_the_pages_and_records_of_rendering_each_afresh(
        portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    reused = rendered(portal)
    monkeypatch.setattr(fragments, "FRAGMENT_CACHE_SIZE", 0)  # every fragment made again
    afresh = rendered(portal)
    assert any(b'class="relative"' in content for _path, content in reused[0])
    assert reused == afresh


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="the workers are forked")
def test_a_district_is_rendered_by_one_worker_to_keep_its_memory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each forked worker comes to copy most of the portal: past `ONE_WORKER_FROM` posts,
    one renders beside the build (issue 25's 1 GB), below it one per core."""
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 4)
    assert parallel.workers_for(parallel.PARALLEL_RENDER_FROM - 1, 100) == 0
    assert parallel.workers_for(parallel.PARALLEL_RENDER_FROM, 100) == 4
    assert parallel.workers_for(parallel.PARALLEL_RENDER_FROM, 3) == 3
    assert parallel.workers_for(parallel.ONE_WORKER_FROM, 100) == 1
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    assert parallel.workers_for(parallel.ONE_WORKER_FROM, 100) == 0


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="the workers are forked")
def test_worker_processes_give_the_files_records_and_count_of_one_process(
        portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    one = rendered(portal)
    monkeypatch.setattr(parallel, "PARALLEL_RENDER_FROM", 1)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    started: list[str] = []
    get_context = multiprocessing.get_context

    def spied(method: str) -> Any:
        started.append(method)
        return get_context(method)
    monkeypatch.setattr(pool.multiprocessing, "get_context", spied)
    assert rendered(portal) == one
    assert started == ["fork"]


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="the workers are forked")
def test_workers_render_only_a_few_runs_ahead_of_the_writing(
        portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    """A district's pages must not pile up in the main process while it writes: while
    the writer holds the first file, only the runs out and the one given next are
    handed to the workers. (Counted where they are handed out: a worker whose result
    outgrows its pipe waits there, so counting the runs rendered depends on the runs'
    sizes.)"""
    monkeypatch.setattr(parallel, "PARALLEL_RENDER_FROM", 1)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    given: list[int] = []
    give = pool.Pool.give

    def counted(self: pool.Pool[Any, Any], item: Any) -> int:
        given.append(item)
        return give(self, item)

    monkeypatch.setattr(pool.Pool, "give", counted)
    bound = 2 * pool.RUNS_OUT_PER_WORKER + 1  # the runs out, and the one given out next
    files = site_files(renderer(portal, theme_dir(), NoReuse()))
    next(files)  # the writer takes one file and stops there
    time.sleep(0.5)  # a pool that gave more while the writer waits would have by now
    assert len(given) == bound
    rest = sum(1 for _file in files)
    assert rest > 100
    assert len(given) > bound


def test_each_group_of_teachers_ends_at_its_checkpoint(portal: Portal) -> None:
    """Pagefind starts on a part at its checkpoint: every file under the part's folders
    comes before it, none after, and the other groups' teachers are not held back."""
    slugs = sorted({post.teacher.slug for post in portal.posts})
    groups = [("pagefind", slugs[::2]), ("pagefind-2", slugs[1::2])]
    files = list(site_files(renderer(portal, theme_dir(), NoReuse()), groups))
    marks = {file.name: at for at, file in enumerate(files)
             if isinstance(file, Checkpoint) and file.name}
    assert list(marks) == ["pagefind", "pagefind-2"]
    for name, teachers in groups:
        mine = [at for at, file in enumerate(files) if isinstance(file, OutputFile)
                and file.path.split("/")[:2] in (["guru", t] for t in teachers)]
        assert len(mine) > 10 * len(teachers)
        assert max(mine) < marks[name]
    first = files[:marks["pagefind"]]
    assert not any(isinstance(file, OutputFile) and file.path.startswith(
        tuple(f"guru/{slug}/" for slug in slugs[1::2])) for file in first)
    # The school's own pages come after the teachers', beside the index being made.
    home = [at for at, file in enumerate(files)
            if isinstance(file, OutputFile) and file.path == "index.html"]
    assert home and home[0] > marks["pagefind-2"]
    # Each of the school's parts is followed by a checkpoint of no part, where a part
    # waiting for Pagefind may start.
    passing = [at for at, file in enumerate(files) if file == PASSING]
    assert len(passing) > 10 and min(passing) > home[0] and max(passing) == len(files) - 1


def test_a_fragment_takes_each_page_s_root_and_what_it_noted(
        portal: Portal, tmp_path: Path) -> None:
    """A theme's own fragment: its links lead from each page that shows it, its time
    left is noted by each, and reading the whole portal makes each page volatile."""
    templates = tmp_path / "theme" / "templates"
    templates.mkdir(parents=True)
    (templates / "_macros.html").write_text(
        '{% macro left(post) %}<a href="{{ href(url.post(post)) }}">'
        "{{ post.due|relative }}</a>{% endmacro %}\n"
        "{% macro upcoming() %}{{ index.upcoming|length }}{% endmacro %}\n")
    (templates / "left.html").write_text('{{ cached("left", post) }}')
    (templates / "upcoming.html").write_text('{{ cached("upcoming") }}')
    memo = NoReuse()
    r = renderer(portal, tmp_path / "theme", memo)
    post = next(p for p in portal.posts if p.due is not None and p.due > NOW + timedelta(days=1))
    top = r.make(page("index.html", "left.html", post=post))
    deep = r.make(page("mapel/fisika/index.html", "left.html", post=post))
    assert top.content is not None and deep.content is not None
    link = f'href="{r.layout.post(post)}index.html"'
    assert link in top.content.decode()
    assert f'href="../../{r.layout.post(post)}index.html"' in deep.content.decode()
    assert memo.records["index.html"][1] == memo.records["mapel/fisika/index.html"][1] != ()
    r.make(page("a/index.html", "upcoming.html"))
    r.make(page("b/index.html", "upcoming.html"))
    assert "a/index.html" not in memo.records and "b/index.html" not in memo.records
