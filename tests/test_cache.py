"""The build cache (generator/incremental/cache.py), on a real SQLite file.

Whole builds through the cache (a damaged file, a deleted output) are in
test_incremental.py; here is what a build cannot show: how the cache reads.
"""

from __future__ import annotations

import random
import sqlite3
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.incremental.cache import BuildCache
from generator.incremental.files import Listing, listing_digest
from generator.models import Entry, pack_html

POSTS = 100
WORDS = 8000
"""About 50 KB of HTML a post: 5 MB of rows in all."""


def entry(number: int, words: random.Random) -> Entry:
    text = " ".join(words.choice(["soal", "latihan", "kuadrat", "akar", str(number)])
                    for _ in range(WORDS))
    return Entry(teacher="sari", entry_id=f"post-{number}", origin="markdown",
                 title=f"Latihan {number}", published=datetime(2026, 11, 2, tzinfo=UTC),
                 html=pack_html(f"<p>{text}</p>"))


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Path, dict[str, Entry]]:
    """A cache file holding `POSTS` posts, and those posts by path."""
    words = random.Random(7)
    posts = {f"content/sari/latihan-{n}.md": entry(n, words) for n in range(POSTS)}
    path = tmp_path / "cache.sqlite"
    with BuildCache(path) as cache:
        cache.update_posts({p: ("key", e) for p, e in posts.items()}, set(posts))
    return path, posts


def test_cached_posts_are_read_one_row_at_a_time(
        stored: tuple[Path, dict[str, Entry]]) -> None:
    """A district's cache holds 72,000 posts: all their rows at once cost 400 MB."""
    path, posts = stored
    with BuildCache(path) as cache:
        tracemalloc.start()
        try:
            given = cache.posts(set(posts))
            first_path, first = next(given)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert first == posts[first_path]
        # One row read, parsed and packed holds about ten times its HTML; all of them, a
        # hundred times.
        assert peak < POSTS * len(first.content_html) / 5
        assert len(list(given)) == POSTS - 1


def test_a_cache_failing_midway_gives_what_it_read_and_starts_afresh(
        stored: tuple[Path, dict[str, Entry]]) -> None:
    path, posts = stored
    size = path.stat().st_size
    with path.open("r+b") as damaged:
        damaged.seek(size // 2)
        damaged.write(b"\xff" * 40_000)
    with BuildCache(path) as cache:
        given = dict(cache.posts(set(posts)))
        assert 0 < len(given) < POSTS
        assert all(posts[p] == e for p, e in given.items())
        assert cache.post_keys() == {}  # the rest is read from the posts' files again
        cache.update_posts({"content/sari/baru.md": ("key", posts[next(iter(posts))])},
                           {"content/sari/baru.md"})
        assert list(cache.post_keys()) == ["content/sari/baru.md"]


@pytest.mark.parametrize("html", ["<p>teks</p>", None, 7])
def test_a_post_whose_kept_html_is_not_bytes_is_read_again(
        stored: tuple[Path, dict[str, Entry]], html: object) -> None:
    path, posts = stored
    spoiled = next(iter(posts))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE posts SET html = ? WHERE path = ?", (html, spoiled))
    with BuildCache(path) as cache:
        given = dict(cache.posts(set(posts)))
    assert set(given) == set(posts) - {spoiled}


def test_the_output_is_kept_as_its_walk_goes_by(tmp_path: Path) -> None:
    """A district's build ends by passing 550,000 files and folders to the cache: noted
    and stored one at a time, not held whole (about 120 MB at the build's peak)."""
    output = tmp_path / "public"
    count = 100_000
    walk = ((f"guru/t{n % 3000}/post-{n}/index.html", (n, n * 7, n + 1)) for n in range(count))
    pages = {"guru/t1/post-1/index.html": ("key-1", (("relative", "x", "'1 hari'"),)),
             "gone.html": ("key-gone", ())}
    listing = Listing()
    with BuildCache(tmp_path / "cache.sqlite") as cache:
        tracemalloc.start()
        cache.keep_output(output, pages, listing.noted(walk))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        cache.keep_snapshot(output, "{}", listing.paths())
        assert listing.complete
        records = cache.pages(output)
        files = cache.files(output)
        listed = cache.listed(output)
    # Held whole, the pairs alone take about 28 MB here.
    assert peak < 4_000_000, f"peak {peak:,} B"
    assert len(files) == count and files["guru/t5/post-5/index.html"] == (5, 35, 6)
    # A page takes its file's state; a page whose file is not there is not kept.
    assert set(records) == {"guru/t1/post-1/index.html"}
    kept = records["guru/t1/post-1/index.html"]
    assert (kept.key, kept.calls, kept.size, kept.mtime_ns, kept.inode) == \
        ("key-1", (("relative", "x", "'1 hari'"),), 1, 7, 2)
    # The listing comes back in the walk's order, and its digest is the walk's.
    assert listed == [f"guru/t{n % 3000}/post-{n}/index.html" for n in range(count)]
    assert listing.digest() == listing_digest((path, files[path]) for path in listed)


def test_a_walk_cut_short_is_not_a_complete_listing() -> None:
    listing = Listing()
    walk = listing.noted((f"{n}.html", (n, n, n)) for n in range(10))
    for _ in zip(range(3), walk, strict=False):
        pass
    assert not listing.complete


def test_the_files_of_some_folders_are_read_without_the_rest(tmp_path: Path) -> None:
    """The index's soundness check reads its bundles' rows only: names that sort next to
    a bundle's (`pagefind-2`, `pagefind.txt`, `pagefind-20/`) are other files."""
    output = tmp_path / "site"
    walk = [(path, (n, n, n)) for n, path in enumerate([
        "", "index.html", "pagefind.txt", "pagefind/", "pagefind/pagefind.js",
        "pagefind/index/", "pagefind-2/", "pagefind-2/fragment/", "pagefind-20/",
        "pagefind-20/pagefind.js", "pagefind0.html", "guru/", "guru/sari/index.html"])]
    with BuildCache(tmp_path / "cache.sqlite") as cache:
        cache.keep_output(output, {}, iter(walk))
        under = cache.files(output, under=("pagefind", "pagefind-2"))
        assert cache.files(output, under=()) == {}
        assert len(cache.files(output)) == len(walk)
    assert under == {path: state for path, state in walk if path in {
        "pagefind/", "pagefind/pagefind.js", "pagefind/index/", "pagefind-2/",
        "pagefind-2/fragment/"}}
