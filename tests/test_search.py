"""Search (`cari/`): the Pagefind index the build writes, and the page in real Chromium."""

from __future__ import annotations

import gzip
import html
import json
import os
import shutil
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from generator import search
from generator.build import build
from generator.cli import main
from generator.config import load_site
from generator.i18n import Translator
from generator.incremental.kept_output import KeptOutput
from generator.indexing import Indexing
from generator.layout import POST_PAGES, is_post_page
from generator.models import Checkpoint, OutputFile
from generator.render import PASSING
from generator.search import Part, SearchError, bundles_in, index_site
from generator.write import write_output
from tests.browser import chromium, serve_folder
from tests.conftest import FIXTURES, copy_example, copy_site
from tests.serving import wait_for

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TINY_POSTS = 5
"""Published posts of tests/fixtures/tiny (its draft is left out)."""


def languages(output: Path) -> dict[str, Any]:
    """What Pagefind says it indexed, per language."""
    entry = json.loads((output / "pagefind/pagefind-entry.json").read_text())
    return dict(entry["languages"])


def fake_pagefind(folder: Path, script: str) -> Path:
    """An executable standing in for Pagefind's binary."""
    path = folder / "fake-pagefind"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.parametrize("posts", ["guru", "tulisan"])
def test_a_bundles_digest_changes_with_every_page_pagefind_reads(tmp_path: Path,
                                                                posts: str) -> None:
    """The build cache gives back a kept bundle only for the same digest
    (generator/incremental/kept_output.py): a post page that Pagefind reads and the digest
    did not would bring back a stale index. `tulisan/` holds a province's posts read
    from a district's summary (issue 25)."""
    page = tmp_path / posts / "sari" / "2026-11-18-kuadrat" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<article data-pagefind-body>Persamaan kuadrat</article>")
    part = search.Part(search.BUNDLE, ("sari",), 1, POST_PAGES)
    before = search.bundle_digest(tmp_path, part, "id")
    page.write_text("<article data-pagefind-body>Persamaan kuadrat, diperbaiki</article>")
    assert search.bundle_digest(tmp_path, part, "id") != before
    assert is_post_page(page.relative_to(tmp_path).as_posix())


def test_a_bundles_digest_takes_what_a_page_was_made_from_for_its_bytes(
        tmp_path: Path) -> None:
    """A build knows what each page was made from (its key in the page memo and what it
    showed of the clock): the digest goes by that, and reads only the pages it does not
    know (generator/build.py); a page made from something else digests differently."""
    pages = [tmp_path / "guru" / "sari" / name / "index.html" for name in ("satu", "dua")]
    for page in pages:
        page.parent.mkdir(parents=True)
        page.write_text("<article data-pagefind-body>Persamaan kuadrat</article>")
    part = search.Part(search.BUNDLE, ("sari",), 2, POST_PAGES)
    sources = {"guru/sari/satu/index.html": "key-1:[]"}
    before = search.bundle_digest(tmp_path, part, "id", sources.get)
    assert before != search.bundle_digest(tmp_path, part, "id")
    pages[0].write_bytes(b"never read")
    assert search.bundle_digest(tmp_path, part, "id", sources.get) == before
    pages[1].write_bytes(b"read, since nothing is known of it")
    assert search.bundle_digest(tmp_path, part, "id", sources.get) != before
    pages[1].write_text("<article data-pagefind-body>Persamaan kuadrat</article>")
    assert search.bundle_digest(tmp_path, part, "id", sources.get) == before
    sources["guru/sari/satu/index.html"] = "key-2:[]"
    assert search.bundle_digest(tmp_path, part, "id", sources.get) != before


def test_build_indexes_every_post_and_nothing_else(tiny_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "public"
    report = build(tiny_site, output, offline=True, now=NOW)
    assert report.warnings == ()
    bundle = output / "pagefind"
    for name in ("pagefind.js", "wasm.id.pagefind"):
        assert (bundle / name).is_file(), name
    [(language, indexed)] = languages(output).items()
    assert (language, indexed["wasm"], indexed["page_count"]) == ("id", "id", TINY_POSTS)
    assert len(list((bundle / "fragment").glob("*.pf_fragment"))) == TINY_POSTS
    assert list((bundle / "index").glob("*.pf_index"))
    assert list((bundle / "filter").glob("*.pf_filter"))
    # No staging or retired folder is left beside the output (only the builds' lock).
    assert sorted(p.name for p in tmp_path.iterdir()) == [".public.lock", "public", "site"]


def test_post_pages_carry_the_filters(tiny_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    page = (output / "guru/budi/2026-11-10-hukum-newton-gaya-gesek/index.html").read_text()
    assert '<article class="post" data-pagefind-body>' in page
    assert 'data-pagefind-filter="guru">Budi Santoso, S.Si.</a>' in page
    assert 'data-pagefind-filter="kelas">XI-1</a>' in page
    assert '<span data-pagefind-filter="mapel"><a class="subject"' in page
    assert "script-src 'self' 'wasm-unsafe-eval';" in html.unescape(page)
    home = (output / "index.html").read_text()
    assert "data-pagefind-body" not in home
    assert 'href="cari/index.html">Cari</a>' in home


def test_english_school_gets_an_english_index_and_page(tiny_site: Path, tmp_path: Path) -> None:
    tiny_site.write_text(tiny_site.read_text().replace("language: id", "language: en"))
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    assert list(languages(output)) == ["en"]
    page = (output / "cari/index.html").read_text()
    assert '<html lang="en">' in page
    assert "<h1>Search posts</h1>" in page and "All subjects" in page
    assert "Mata pelajaran" not in page


def test_teacher_micro_site_has_no_search(tiny_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "public"
    report = build(tiny_site, output, offline=True, now=NOW, teacher="sari")
    assert (output / "index.html").is_file()
    assert not (output / "pagefind").exists()
    assert not (output / "cari").exists()
    assert report.warnings == ()


def test_missing_pagefind_is_a_warning_and_the_site_is_still_built(
        tiny_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    output = tmp_path / "public"
    code = main(["build", "--offline", "--output", str(output)])
    err = capsys.readouterr().err
    assert code == 0
    assert err.strip() == Translator("id")("cli.search.missing")
    assert "Traceback" not in err
    assert (output / "index.html").is_file() and (output / "cari/index.html").is_file()
    assert not (output / "pagefind").exists()


def test_failing_pagefind_leaves_no_half_written_index(
        tiny_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    assert (output / "pagefind/pagefind.js").is_file()
    # A binary that writes part of a bundle, then fails the way Pagefind reports errors.
    binary = fake_pagefind(tmp_path, 'mkdir -p "$2/pagefind/index"\ntouch "$2/pagefind/x"\n'
                           'echo "Error: Pagefind was not able to build an index."\nexit 1\n')
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary))
    # A changed post: with no page changed the previous index would be kept as it is.
    post = tiny_site.parent / "content" / "sari" / "2026-11-18-persamaan-kuadrat.md"
    post.write_text(post.read_text() + "\nTambahan.\n")
    report = build(tiny_site, output, offline=True, now=NOW)
    assert report.warnings == (Translator("id")(
        "cli.search.failed", detail="Error: Pagefind was not able to build an index."),)
    assert (output / "cari/index.html").is_file()
    assert not (output / "pagefind").exists()


def test_a_part_that_fails_leaves_out_the_whole_index(
        tiny_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        small_parts: None) -> None:
    """Half an index would find some posts and silently not others: none is published,
    and cari/ says search is unavailable."""
    real = search.pagefind_binary()
    binary = fake_pagefind(tmp_path, 'case "$*" in *pagefind-3*) echo "Error: rusak"; exit 1;; '
                           f'esac\nexec "{real}" "$@"\n')
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(binary))
    output = tmp_path / "public"
    report = build(tiny_site, output, offline=True, now=NOW)
    assert report.warnings == (Translator("id")("cli.search.failed", detail="Error: rusak"),)
    assert bundles_in(output) == ()
    assert (output / "cari/index.html").is_file()


def test_a_hanging_pagefind_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    (site / "pagefind").mkdir(parents=True)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(tmp_path, "exec sleep 30\n")))
    with pytest.raises(SearchError) as caught:
        index_site(site, "id", timeout=1)
    assert (caught.value.message_id, caught.value.values) == ("cli.search.timeout",
                                                              {"seconds": 1})
    assert not (site / "pagefind").exists()


def test_a_checkpoint_is_reached_with_the_files_before_it_on_disk(tmp_path: Path) -> None:
    """Pagefind is started at a checkpoint (issue 23): the post pages before it are on
    disk, and in a spare folder nothing else is left under its folders; what comes
    after it is not written yet."""
    output = tmp_path / "public"
    gone = OutputFile("guru/sari/lama/index.html", b"a post since removed")
    write_output([gone, OutputFile("index.html", b"home")], output)
    write_output([OutputFile("index.html", b"home, again")], output)  # leaves a spare
    seen: list[tuple[str, list[str], list[str], bytes]] = []

    def reached(checkpoint: Checkpoint, staging: Path, rewritten: list[str]) -> None:
        seen.append((checkpoint.name, sorted(p.relative_to(staging).as_posix()
                                             for p in (staging / "guru").rglob("*")
                                             if p.is_file()),
                     list(rewritten), (staging / "index.html").read_bytes()))

    post = OutputFile("guru/sari/baru/index.html", b"a new post")
    write_output([post, Checkpoint("pagefind", ("guru/sari",)),
                  OutputFile("index.html", b"home, with the new post")], output,
                 finish=lambda staging, rewritten: None, reached=reached)
    # The spare is the first output: its home page is the old one until it is replaced.
    assert seen == [("pagefind", [post.path], [post.path], b"home")]
    assert (output / "index.html").read_bytes() == b"home, with the new post"
    assert not (output / gone.path).exists()


def test_a_build_stopped_while_pagefind_runs_stops_it(
        tiny_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that fails after Pagefind started (a full disk, a budget passed) leaves
    no Pagefind behind."""
    started = tmp_path / "started"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(
        tmp_path, f'echo $$ > "{started}.new"\nmv "{started}.new" "{started}"\n'
        'exec sleep 60\n')))
    staging = tmp_path / "staging"
    (staging / "guru" / "sari").mkdir(parents=True)
    part = Part("pagefind", ("sari",), 1, POST_PAGES)
    indexing = Indexing(load_site(tiny_site), tmp_path / "public", [part], True,
                        KeptOutput(tmp_path / "cache.sqlite"), lambda path: None, [])
    with pytest.raises(OSError), indexing:
        indexing.reached(Checkpoint("pagefind", ("guru/sari",)), staging, [])
        wait_for(started.exists, timeout=30)
        raise OSError(28, "No space left on device")
    with pytest.raises(ProcessLookupError):
        os.kill(int(started.read_text()), 0)


def test_a_part_waiting_for_pagefind_starts_at_the_next_checkpoint(
        tiny_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One Pagefind at a time: a part reached while another is indexed waits, and starts
    at a checkpoint after that one ended (on a district, during the school's pages),
    not only once every page is written."""
    said = tmp_path / "said"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(
        tmp_path, f'echo "start $4" >> "{said}"\nmkdir -p "$2/$4"\ntouch "$2/$4/pagefind.js"\n'
        f'sleep 0.5\necho "end $4" >> "{said}"\n')))
    staging = tmp_path / "staging"
    parts = [Part("pagefind", ("sari",), 1, POST_PAGES), Part("pagefind-2", ("budi",), 1,
                                                             POST_PAGES)]
    indexing = Indexing(load_site(tiny_site), tmp_path / "public", parts, True,
                        KeptOutput(tmp_path / "cache.sqlite"), lambda path: None, [])

    def lines() -> list[str]:
        return said.read_text().splitlines() if said.exists() else []

    def passing_starts_the_second() -> bool:
        indexing.reached(PASSING, staging, [])
        return "start pagefind-2" in lines()

    with indexing:
        indexing.reached(Checkpoint("pagefind", ("guru/sari",)), staging, [])
        indexing.reached(Checkpoint("pagefind-2", ("guru/budi",)), staging, [])
        wait_for(lambda: "end pagefind" in lines())
        assert "start pagefind-2" not in lines()  # waiting: nothing has taken the first in
        wait_for(passing_starts_the_second)
        indexing.finish(staging, [])
    assert (staging / "pagefind-2" / "pagefind.js").is_file()


def test_a_failing_finish_swaps_nothing_in(tmp_path: Path) -> None:
    output = tmp_path / "public"
    write_output([OutputFile("index.html", b"old")], output)

    def fail(staging: Path, rewritten: list[str]) -> None:
        assert (staging / "index.html").read_bytes() == b"new"
        assert rewritten == ["index.html"]
        raise RuntimeError("index failed")

    with pytest.raises(RuntimeError):
        write_output([OutputFile("index.html", b"new")], output, finish=fail)
    assert (output / "index.html").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_the_post_page_glob_names_exactly_the_pages_to_index(tmp_path: Path) -> None:
    """Pagefind reads only `layout.POST_PAGES`: a post page outside it would not be found,
    and a listing inside it would be read for nothing."""
    copy_example(tmp_path)
    output = tmp_path / "public"
    build(tmp_path / "site.yml", output, offline=True, now=NOW)
    pages = {p.relative_to(output).as_posix(): "data-pagefind-body" in p.read_text()
             for p in output.rglob("*.html") if "pagefind" not in p.parts}
    indexed = {path for path, body in pages.items() if body}
    assert len(indexed) == 71  # the example's posts (tests/test_example.py)
    assert {path for path in pages if is_post_page(path)} == indexed


def entry_inode(output: Path, bundle: str = "pagefind") -> int:
    return (output / bundle / "pagefind-entry.json").stat().st_ino


def test_the_index_is_made_again_only_when_a_post_page_changes(
        tiny_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    first = entry_inode(output)

    # The "active" badges of the teacher lists change; no post page does: the index stays.
    config = tiny_site.read_text()
    tiny_site.write_text(config + "portal:\n  active_days: 1\n")
    report = build(tiny_site, output, offline=True, now=NOW)
    assert report.rewritten > 0 and entry_inode(output) == first

    post = tiny_site.parent / "content/sari/2026-11-18-persamaan-kuadrat.md"
    post.write_text(post.read_text() + "\nKata baru: zirkonium.\n")
    build(tiny_site, output, offline=True, now=NOW)
    assert entry_inode(output) != first
    fragments = (output / "pagefind" / "fragment").glob("*.pf_fragment")
    assert any("zirkonium" in gzip.decompress(f.read_bytes()).decode(errors="replace")
               for f in fragments)

    # A post gone: its page is no longer indexed.
    post.unlink()
    build(tiny_site, output, offline=True, now=NOW)
    assert languages(output)["id"]["page_count"] == TINY_POSTS - 1


def test_a_damaged_index_made_again_in_a_spare_folder_is_published(
        tiny_site: Path, tmp_path: Path) -> None:
    """An output changed by hand (a post page gone, the index edited) is built again and
    its index made again from scratch. When that build starts from the spare folder, the
    bundle Pagefind writes at the checkpoint stays (the spare's leftovers are removed
    before the swap; the new bundle must not be)."""
    output = tmp_path / "public"
    post = tiny_site.parent / "content/sari/2026-11-18-persamaan-kuadrat.md"
    build(tiny_site, output, offline=True, now=NOW)
    post.write_text(post.read_text() + "\nKata baru: zirkonium.\n")
    build(tiny_site, output, offline=True, now=NOW)  # retires the first output: the spare
    entry = output / "pagefind" / "pagefind-entry.json"
    damaged = entry.read_text().replace('"page_count"', '"pages"')
    entry.unlink()  # hard-linked into the spare: write a new inode
    entry.write_text(damaged)
    (output / "guru/sari/2026-11-18-persamaan-kuadrat/index.html").unlink()
    report = build(tiny_site, output, offline=True, now=NOW)
    assert report.warnings == ()
    assert (output / "guru/sari/2026-11-18-persamaan-kuadrat/index.html").is_file()
    assert (output / "pagefind" / "pagefind.js").is_file()
    assert languages(output)["id"]["page_count"] == TINY_POSTS


def test_an_index_by_another_pagefind_is_made_again(tiny_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    entry = output / "pagefind" / "pagefind-entry.json"
    data = json.loads(entry.read_text())
    entry.unlink()  # hard-linked into the cache of unchanged files: write a new inode
    entry.write_text(json.dumps({**data, "version": "0.0.1"}))
    tiny_site.write_text(tiny_site.read_text() + "portal:\n  active_days: 1\n")
    build(tiny_site, output, offline=True, now=NOW)
    assert json.loads(entry.read_text())["version"] == data["version"]


PARTS = ("pagefind", "pagefind-3")
"""The tiny fixture's index with `PART_PAGES` at 2: 5 posts make 3 buckets, and the
hash of the slugs puts Sari's 2 posts in the first, Budi's and Rina's 3 in the third."""


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "PART_PAGES", 2)


def part_urls(output: Path, bundle: str) -> list[str]:
    """The pages a bundle's index holds, by the URLs its fragments carry."""
    return sorted(json.loads(gzip.decompress(fragment.read_bytes())[12:])["url"]
                  for fragment in (output / bundle / "fragment").glob("*.pf_fragment"))


def test_a_large_site_is_indexed_in_parts(tiny_site: Path, tmp_path: Path,
                                          small_parts: None) -> None:
    output = tmp_path / "public"
    report = build(tiny_site, output, offline=True, now=NOW)
    assert report.warnings == ()
    assert bundles_in(output) == PARTS
    assert [page.split("/")[2] for page in part_urls(output, "pagefind")] == ["sari"] * 2
    assert sorted(page.split("/")[2] for page in part_urls(output, "pagefind-3")) == \
        ["budi", "budi", "rina-kartika"]
    for bundle in PARTS:
        assert (output / bundle / "pagefind.js").is_file()
    form = (output / "cari/index.html").read_text()
    assert 'data-bundle="../pagefind/pagefind.js"' in form
    assert 'data-merge="../pagefind-3/ "' in form


def test_an_edit_indexes_only_its_own_part_again(tiny_site: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 small_parts: None) -> None:
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    inodes = {bundle: entry_inode(output, bundle) for bundle in PARTS}
    post = tiny_site.parent / "content/sari/2026-11-18-persamaan-kuadrat.md"
    post.write_text(post.read_text() + "\nKata baru: zirkonium.\n")
    build(tiny_site, output, offline=True, now=NOW)
    assert entry_inode(output, "pagefind") != inodes["pagefind"]
    assert entry_inode(output, "pagefind-3") == inodes["pagefind-3"]
    assert any("zirkonium" in gzip.decompress(f.read_bytes()).decode(errors="replace")
               for f in (output / "pagefind/fragment").glob("*.pf_fragment"))

    # Fewer posts than a part holds: one index again, and no part left behind.
    monkeypatch.setattr(search, "PART_PAGES", 4000)
    post.write_text(post.read_text() + "\nSatu kalimat lagi.\n")
    build(tiny_site, output, offline=True, now=NOW)
    assert bundles_in(output) == ("pagefind",)
    assert languages(output)["id"]["page_count"] == TINY_POSTS
    assert 'data-merge=""' in (output / "cari/index.html").read_text()


def test_indexing_the_example_school_is_quick(tmp_path: Path) -> None:
    """Every build indexes: on the example school (71 posts, 434 files) it takes about
    0.3 s; far more means something is wrong."""
    copy_example(tmp_path)
    output = tmp_path / "public"
    report = build(tmp_path / "site.yml", output, offline=True, now=NOW)
    assert report.warnings == () and report.posts == 71
    assert languages(output)["id"]["page_count"] == report.posts
    shutil.rmtree(output / "pagefind")
    started = time.perf_counter()
    index_site(output, "id")
    assert time.perf_counter() - started < 5
    assert languages(output)["id"]["page_count"] == report.posts


# --- In Chromium -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("search")
    out = root / "www" / "sekolah"
    report = build(copy_site(FIXTURES / "tiny", root / "site"), out, offline=True, now=NOW)
    assert report.warnings == ()
    return out


@pytest.fixture(scope="module")
def served(output: Path) -> Iterator[str]:
    """The output served from a sub-path, as on GitHub Pages project sites."""
    with serve_folder(output.parent) as url:
        yield url + "sekolah/"


def open_page(browser: Browser, javascript: bool = True) -> Iterator[Page]:
    """A phone-sized page; console errors (CSP violations included) fail the test."""
    context = browser.new_context(viewport={"width": 360, "height": 740},
                                  java_script_enabled=javascript)
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from open_page(browser)


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    yield from open_page(browser, javascript=False)


def expect_results(page: Page, titles: list[str]) -> None:
    """Exactly these results, in any order, and the count announced."""
    expect(page.get_by_role("status")).to_have_text(f"Ditemukan {len(titles)} tulisan.")
    assert sorted(page.locator(".search-results h2").all_inner_texts()) == sorted(titles)


@pytest.mark.browser
def test_a_word_finds_the_one_post_that_has_it(page: Page, served: str) -> None:
    page.goto(served + "cari/index.html")
    page.get_by_label("Kata yang dicari").fill("gesek")
    expect_results(page, ["Hukum Newton & Gaya Gesek"])
    expect(page.locator(".search-fallback")).to_be_hidden()
    link = page.get_by_role("link", name="Hukum Newton & Gaya Gesek")
    assert link.evaluate("a => a.href") == (
        served + "guru/budi/2026-11-10-hukum-newton-gaya-gesek/index.html")


@pytest.mark.browser
def test_pagefind_loads_on_the_first_focus_not_with_the_page(page: Page, served: str) -> None:
    """Issue 27: a student who opens cari/ and leaves downloads none of Pagefind."""
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(served + "cari/index.html", wait_until="networkidle")
    expect(page.get_by_role("search")).to_be_visible()
    assert [url for url in fetched if "pagefind" in url] == []
    with page.expect_request(lambda request: request.url.endswith("pagefind.js")):
        page.get_by_label("Kata yang dicari").focus()
    page.get_by_label("Kata yang dicari").fill("gesek")
    expect_results(page, ["Hukum Newton & Gaya Gesek"])


@pytest.mark.browser
def test_a_subject_filter_narrows_the_results(page: Page, served: str) -> None:
    page.goto(served + "cari/index.html")
    page.get_by_label("Kata yang dicari").fill("november")  # every post's date
    expect_results(page, ["Persamaan Kuadrat", "Tugas Persamaan Kuadrat",
                          "Hukum Newton & Gaya Gesek", "PR Statistika", "Recount Text"])
    page.get_by_label("Mata pelajaran").select_option("Fisika")
    expect_results(page, ["Hukum Newton & Gaya Gesek"])
    assert page.url.endswith("cari/index.html?q=november&mapel=Fisika")


@pytest.mark.browser
def test_filters_alone_list_posts_and_survive_a_reload(page: Page, served: str) -> None:
    page.goto(served + "cari/index.html?guru=Sari+Wulandari%2C+S.Pd.&kelas=X-2")
    expect_results(page, ["Tugas Persamaan Kuadrat"])
    assert page.get_by_label("Guru").input_value() == "Sari Wulandari, S.Pd."


@pytest.mark.browser
def test_without_javascript_the_page_offers_links(page_without_js: Page, served: str) -> None:
    page = page_without_js
    page.goto(served + "cari/index.html")
    expect(page.get_by_text("Pencarian memerlukan JavaScript.")).to_be_visible()
    expect(page.get_by_role("search")).to_be_hidden()
    page.locator(".search-fallback").get_by_role("link", name="Fisika").click()
    assert page.url == served + "mapel/fisika/index.html"


@pytest.mark.browser
def test_from_disk_the_page_says_search_needs_a_web_address(page: Page, output: Path) -> None:
    page.goto((output / "cari/index.html").as_uri())
    expect(page.get_by_text("hanya berjalan bila portal dibuka lewat alamat web")).to_be_visible()
    expect(page.get_by_text("Pencarian memerlukan JavaScript.")).to_be_hidden()
    expect(page.get_by_role("search")).to_be_hidden()
    expect(page.locator(".search-fallback").get_by_role("link", name="Fisika")).to_be_visible()


@pytest.fixture(scope="module")
def served_in_parts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The tiny site with its index in `PARTS`, served from a sub-path."""
    root = tmp_path_factory.mktemp("search-parts")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(search, "PART_PAGES", 2)
        output = root / "www" / "sekolah"
        report = build(copy_site(FIXTURES / "tiny", root / "site"), output, offline=True,
                       now=NOW)
    assert report.warnings == () and bundles_in(output) == PARTS
    with serve_folder(output.parent) as url:
        yield url + "sekolah/"


@pytest.mark.browser
def test_a_search_in_parts_finds_posts_of_every_part(page: Page, served_in_parts: str) -> None:
    page.goto(served_in_parts + "cari/index.html?q=november")
    expect_results(page, ["Persamaan Kuadrat", "Tugas Persamaan Kuadrat",
                          "Hukum Newton & Gaya Gesek", "PR Statistika", "Recount Text"])
    # A result of the merged part links to its page under the sub-path.
    link = page.get_by_role("link", name="Hukum Newton & Gaya Gesek")
    assert link.evaluate("a => a.href") == (
        served_in_parts + "guru/budi/2026-11-10-hukum-newton-gaya-gesek/index.html")
    page.goto(served_in_parts + "cari/index.html?q=november&mapel=Fisika")
    expect_results(page, ["Hukum Newton & Gaya Gesek"])


@pytest.mark.browser
def test_in_parts_filters_alone_offer_their_listing_pages(page: Page,
                                                          served_in_parts: str) -> None:
    """Filters with no word would make Pagefind fetch every word of every part (76 MB
    for a district's classes): the listing pages of the chosen values are offered."""
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(served_in_parts + "cari/index.html?guru=Sari+Wulandari%2C+S.Pd.&kelas=X-2")
    expect(page.get_by_role("status")).to_have_text(Translator("id")("theme.search.browse"))
    links = page.locator(".search-browse a")
    expect(links).to_have_text(["Sari Wulandari, S.Pd.", "X-2"])
    expect(page.locator(".search-results")).to_be_hidden()
    assert not [url for url in fetched if url.endswith((".pf_index", ".pf_fragment"))]
    links.last.click()
    assert page.url == served_in_parts + "kelas/x-2/index.html"
