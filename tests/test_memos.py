"""The memos a build hands to render and content reading (generator/incremental/memos.py),
on a real cache file and real files; and the readings collect is handed.

Whole builds through them are in test_incremental.py; here is what a build does not
show one by one: when a page is reused, and what is kept for the next build.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from jinja2 import Environment

from generator.classes import ClassIndex
from generator.collect import Readings
from generator.config import load_site
from generator.incremental.cache import BuildCache
from generator.incremental.clock import TimeValues
from generator.incremental.kept_output import KeptOutput
from generator.incremental.memo import PageMemo, PostMemo, shown
from generator.incremental.memos import PageCache, PostCache
from generator.models import Entry, Site, pack_html
from generator.render import jinja
from generator.render.jinja import environment

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def site(tiny_site: Path) -> Site:
    return load_site(tiny_site)


def clock(site: Site, now: datetime = NOW) -> TimeValues:
    return TimeValues(site, now, {}.get, {}.get)


def kept_pages(site: Site, output: Path, now: datetime = NOW) -> PageCache:
    """A page memo of the last build of `output`, as the next build as of `now` gets it."""
    with BuildCache(site.cache_file) as cache:
        return PageCache(cache.pages(output), output, clock(site, now))


def keep(site: Site, output: Path, memo: PageCache) -> None:
    """What a build does at its end: keep its pages with the state of their files."""
    files = [(path.relative_to(output).as_posix(), (s.st_size, s.st_mtime_ns, s.st_ino))
             for path in sorted(output.rglob("*")) if path.is_file()
             for s in (path.stat(),)]
    with BuildCache(site.cache_file) as cache:
        cache.keep_output(output, memo.pages(), iter(files))


@pytest.fixture
def built(site: Site, tmp_path: Path) -> tuple[Path, str]:
    """An output whose page `tugas.html` showed "in 3 days" for `DUE`; and its key."""
    output = tmp_path / "public"
    output.mkdir()
    (output / "tugas.html").write_text("dalam 3 hari")
    memo = kept_pages(site, output)
    key = memo.key(b"tugas page inputs")
    relative = clock(site).relative(DUE)
    memo.record("tugas.html", key, [("relative", DUE.isoformat(), shown(relative))])
    keep(site, output, memo)
    return output, key


def test_a_page_whose_key_clock_and_file_are_as_they_were_is_reused(
        site: Site, built: tuple[Path, str]) -> None:
    output, key = built
    memo: PageMemo = kept_pages(site, output, NOW + timedelta(hours=1))
    reused = memo.reuse("tugas.html", key)
    assert reused is not None and reused.unchanged
    assert reused.source == output / "tugas.html"
    assert memo.reuse("tugas.html", memo.key(b"other inputs")) is None
    assert memo.reuse("lain.html", key) is None


def test_a_page_whose_clock_reads_differently_now_is_not_reused(
        site: Site, built: tuple[Path, str]) -> None:
    output, key = built
    assert kept_pages(site, output, NOW + timedelta(days=1)).reuse("tugas.html", key) is None


def test_a_page_changed_since_by_someone_else_is_not_reused(
        site: Site, built: tuple[Path, str]) -> None:
    output, key = built
    page = output / "tugas.html"
    stat = page.stat()
    page.write_text("diubah!!!!!!")  # the same size, the same time: another inode or not
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert kept_pages(site, output).reuse("tugas.html", key) is None


def test_the_next_build_keeps_the_pages_made_and_reused_and_forgets_the_others(
        site: Site, built: tuple[Path, str]) -> None:
    output, key = built
    (output / "baru.html").write_text("baru")
    (output / "lama.html").write_text("lama")
    memo = kept_pages(site, output)
    memo.record("lama.html", memo.key(b"lama"), [])
    keep(site, output, memo)
    # Next: tugas.html is reused, baru.html made, lama.html made again by other code.
    memo = kept_pages(site, output)
    assert memo.reuse("tugas.html", key) is not None
    memo.record("baru.html", memo.key(b"baru"), [("build_date", "long", "'x'")])
    (output / "lama.html").unlink()
    (output / "lama.html").write_text("lama, lain")
    assert set(memo.pages()) == {"tugas.html", "baru.html"}
    assert memo.pages()["baru.html"] == (memo.key(b"baru"), (("build_date", "long", "'x'"),))


def test_a_page_reused_out_of_the_memos_sight_keeps_its_record(
        site: Site, built: tuple[Path, str]) -> None:
    """A page reused in a forked worker: its note stays in the worker. Its file is the
    one the record describes, so the record still holds."""
    output, key = built
    memo = kept_pages(site, output)
    assert memo.pages() == {"tugas.html": (key, (("relative", DUE.isoformat(),
                                                   shown(clock(site).relative(DUE))),))}


def test_a_page_key_changes_with_its_inputs_only(site: Site, tmp_path: Path) -> None:
    memo = kept_pages(site, tmp_path)
    assert memo.key(b"a") == kept_pages(site, tmp_path).key(b"a") != memo.key(b"b")


def entry(title: str) -> Entry:
    return Entry(teacher="sari", entry_id=f"content/sari/{title}.md", origin="markdown",
                 title=title, published=NOW, html=pack_html(f"<p>{title}</p>"))


def test_the_post_memo_gives_posts_kept_under_the_same_key_only(site: Site) -> None:
    with BuildCache(site.cache_file) as cache:
        memo: PostMemo = PostCache(cache)
        one, two = memo.key(b"one"), memo.key(b"two")
        memo.put({"a.md": (one, entry("a")), "b.md": (two, entry("b"))}, ["a.md", "b.md"])
        assert memo.get({"a.md": one, "b.md": memo.key(b"two, edited")}) == \
            {"a.md": entry("a")}
        memo.put({}, ["b.md"])  # a.md was deleted
        assert memo.get({"a.md": one, "b.md": two}) == {"b.md": entry("b")}


def test_readings_are_taken_again_for_the_same_text_and_made_again_for_another() -> None:
    readings = Readings()
    classes = ClassIndex.build(())
    readings.made_with(classes)
    zone = ZoneInfo("Asia/Jakarta")
    html = pack_html("<p>Kumpulkan besok.</p>")

    def read(text: bytes) -> object:
        return readings.reading("id-1", "Tugas", text, NOW, zone, classes, (), None, ())

    first = read(html)
    assert read(html) is first
    assert read(pack_html("<p>Kumpulkan lusa.</p>")) is not first


def compiling(environment: Environment) -> list[str]:
    """The names of the templates `environment` compiles from their source from now on."""
    names: list[str] = []
    compile_source = environment.compile

    def counted(source: str, name: str | None = None, filename: str | None = None,
                raw: bool = False, defer_init: bool = False) -> Any:
        names.append(name or "")
        return compile_source(source, name, filename, raw, defer_init)
    environment.compile = counted  # type: ignore[method-assign]
    return names


def test_a_new_process_takes_the_templates_the_last_build_compiled_from_the_cache(
        site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    post = theme / "templates" / "post.html"
    post.write_text("<h1>{{ title }}</h1>\n", encoding="utf-8")
    with BuildCache(site.cache_file):  # the cache file, with its tables
        pass
    kept = KeptOutput(site.cache_file)
    first = environment(theme, kept)
    first_compiled = compiling(first)
    first.get_template("post.html")
    assert first_compiled == ["post.html"]

    # A new process: nothing compiled in its memory, the cache file as the build left it.
    monkeypatch.setattr(jinja, "_COMPILED", jinja._CompiledTemplates())
    second = environment(theme, KeptOutput(site.cache_file))
    second_compiled = compiling(second)
    second.get_template("post.html")
    assert second_compiled == []

    # A template changed since is compiled from its new source, not taken from the cache.
    post.write_text("<h2>{{ title }}</h2>\n", encoding="utf-8")
    monkeypatch.setattr(jinja, "_COMPILED", jinja._CompiledTemplates())
    third = environment(theme, KeptOutput(site.cache_file))
    third_compiled = compiling(third)
    assert third.get_template("post.html").render(title="Tugas") == "<h2>Tugas</h2>"
    assert third_compiled == ["post.html"]
