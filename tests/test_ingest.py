"""Feed ingestion end to end: `build` against real servers on 127.0.0.1 and a real archive.

Each hostile case first builds once with a good feed, then serves the bad answer, and
checks what the issue promises: the build goes on, the stored posts stay on the portal,
and `mading report` names the problem.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from generator.archive import Archive
from generator.build import BuildReport, build, fetch
from generator.config import load_site
from generator.models import FeedNote, FetchLimits
from tests.slow_server import misbehaving_server

T1 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
T2 = T1 + timedelta(hours=6)
T3 = T2 + timedelta(hours=6)
QUICK = FetchLimits(timeout=2.0, deadline=20.0)


def item(n: int, title: str | None = None, date: str | None = "auto",
         guid: str | None = "auto") -> str:
    """One RSS item of Pak Budi's blog; `n` picks its day in November 2026."""
    parts = [f"<title>{title or f'Materi {n}'}</title>",
             f"<link>https://pakbudi.example/2026/11/materi-{n}/</link>"]
    if guid == "auto":
        parts.append(f'<guid isPermaLink="false">https://pakbudi.example/?p={n}</guid>')
    elif guid is not None:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    if date == "auto":
        parts.append(f"<pubDate>{n:02d} Nov 2026 08:00:00 +0700</pubDate>")
    elif date is not None:
        parts.append(f"<pubDate>{date}</pubDate>")
    parts.append(f"<category>Fisika</category><description>Isi materi {n}.</description>")
    return "<item>" + "".join(parts) + "</item>"


def rss(*items: str, encoding: str = "UTF-8") -> str:
    return (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
            "<title>Fisika Pak Budi</title><link>https://pakbudi.example/</link>"
            + "".join(items) + "</channel></rss>")


SITE = """\
school:
  name: SMA Uji Coba
  url: https://uji.sch.id/
subjects:
  - name: Fisika
  - name: Matematika
teachers:
  - name: Budi Santoso, S.Si.
    slug: budi
    subjects: [Fisika]
    blog: {budi}
  - name: Sari Wulandari, S.Pd.
    slug: sari
    subjects: [Matematika]
    blog: {sari}
"""


class School:
    """A site folder whose two teachers blog on the test's HTTP server."""

    def __init__(self, folder: Path, server: HTTPServer, budi: str = "/budi/feed/") -> None:
        self.folder = folder
        self.server = server
        folder.mkdir(parents=True, exist_ok=True)
        self.config = folder / "site.yml"
        self.config.write_text(SITE.format(budi=server.url_for(budi),
                                           sari=server.url_for("/sari/feed/")))
        self.output = folder / "public"
        self.sari_feed = rss(item(5, "Persamaan Kuadrat"))
        self.serve_budi(rss())

    def serve_budi(self, body: str | bytes, path: str = "/budi/feed/", **options: object) -> None:
        """Answer Budi's feed with `body` (and Sari's with hers) from now on."""
        self.server.clear()
        self.server.expect_request("/sari/feed/").respond_with_data(self.sari_feed)
        self.server.expect_request(path).respond_with_data(body, **options)  # type: ignore[arg-type]
        self._budi = (body, path, options)

    def serve_sari(self, body: str) -> None:
        self.sari_feed = body
        body_budi, path, options = self._budi
        self.serve_budi(body_budi, path, **options)

    def build(self, now: datetime, limits: FetchLimits = QUICK) -> BuildReport:
        return build(self.config, self.output, now=now, limits=limits)

    def page(self, path: str) -> str:
        return (self.output / path).read_text(encoding="utf-8")

    def has_post(self, slug: str, teacher: str = "budi") -> bool:
        return (self.output / "guru" / teacher / slug / "index.html").is_file()


@pytest.fixture
def school(tmp_path: Path, httpserver: HTTPServer,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[School]:
    monkeypatch.chdir(tmp_path)
    yield School(tmp_path / "site", httpserver)


def mading(school: School, *args: str) -> subprocess.CompletedProcess[str]:
    # As of the last build of each test, whatever today's date is.
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(T3.timestamp()))}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=school.folder,
                          capture_output=True, text=True, timeout=60, env=env)


# -- the archive keeps every post --------------------------------------------------------


def test_posts_that_scroll_out_of_the_feed_stay(school: School) -> None:
    school.serve_budi(rss(item(3), item(2), item(1)))
    school.build(T1)
    school.serve_budi(rss(item(6), item(5), item(4)))  # the blog shows only its latest 3
    report = school.build(T2)
    assert report.broken_feeds == ()
    for n in range(1, 7):
        assert school.has_post(f"2026-11-{n:02d}-materi-{n}"), n


def test_archive_survives_a_fresh_working_copy(school: School, tmp_path: Path) -> None:
    """A scheduled CI build starts on a fresh runner from the exported archive."""
    school.serve_budi(rss(item(2), item(1)))
    school.build(T1)
    export = tmp_path / "archive.jsonl"
    assert mading(school, "archive", "export", str(export)).returncode == 0
    # A fresh clone: the site files without .mading/ or public/.
    fresh = tmp_path / "fresh"
    shutil.copytree(school.folder, fresh, ignore=shutil.ignore_patterns(".mading", "public"))
    imported = subprocess.run([sys.executable, "-m", "generator", "archive", "import",
                               str(export)], cwd=fresh, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("3 tulisan")  # two of Budi, one of Sari
    school.serve_budi(rss(item(4), item(3)))
    build(fresh / "site.yml", fresh / "public", now=T2, limits=QUICK)
    for n in (1, 2, 3, 4):
        assert (fresh / "public" / f"guru/budi/2026-11-{n:02d}-materi-{n}/index.html").is_file()


def test_edited_post_is_updated_not_duplicated(school: School) -> None:
    school.serve_budi(rss(item(2, "Hukum Newton"), item(1)))
    school.build(T1)
    school.serve_budi(rss(item(2, "Hukum Newton (diperbaiki)"), item(1)))
    report = school.build(T2)
    assert report.posts == 3  # Budi's two and Sari's one
    page = school.page("guru/budi/2026-11-02-hukum-newton/index.html")
    assert "Hukum Newton (diperbaiki)" in page


def test_entry_that_loses_or_gains_its_id_but_keeps_its_link_is_the_same_post(
        school: School) -> None:
    """A blog that changes platform or plugin drops its items' ids, or gives ids to items
    that had none: their links still say which post is which."""
    school.serve_budi(rss(item(1, guid=None)))
    school.build(T1)
    school.serve_budi(rss(item(1, guid="tag:pakbudi.example,2026:post-1")))
    assert school.build(T2).posts == 2
    school.serve_budi(rss(item(1, guid=None)))
    assert school.build(T3).posts == 2


def test_entry_with_a_new_id_and_the_same_link_is_a_post_of_its_own(school: School) -> None:
    """Identity is the id when there is one (issue 26): a link is shared by items that
    are not the same post (a blog whose items all link to its home page)."""
    school.serve_budi(rss(item(1, "Materi Satu", guid="a")))
    school.build(T1)
    school.serve_budi(rss(item(1, "Materi Dua", guid="b"), item(1, "Materi Satu", guid="a")))
    assert school.build(T2).posts == 3
    assert school.has_post("2026-11-01-materi-satu")
    assert school.has_post("2026-11-01-materi-dua")


def test_removed_teacher_leaves_the_site_but_not_the_archive(school: School) -> None:
    school.serve_budi(rss(item(1)))
    school.build(T1)
    config = school.config.read_text()
    school.config.write_text(config[:config.index("  - name: Budi")]
                             + config[config.index("  - name: Sari"):])
    school.build(T2)
    assert not (school.output / "guru" / "budi").exists()
    with Archive(school.folder / ".mading" / "archive.sqlite") as archive:
        assert [e.title for e in archive.entries() if e.teacher == "budi"] == ["Materi 1"]


def test_blog_added_late_keeps_its_own_dates(school: School) -> None:
    school.serve_budi(rss(item(20, "Terbaru"), item(19)))
    school.build(T1)
    # Sari's blog joins with a back catalogue from September: it must not flood the top.
    school.serve_sari(rss(*(item(n, f"Lama {n}", date=f"{n:02d} Sep 2026 08:00:00 +0700")
                            for n in range(1, 11))))
    school.build(T2)
    home = school.page("index.html")
    assert home.index("Terbaru") < home.index("Lama 10")
    assert school.has_post("2026-09-01-lama-1", "sari")


# -- conditional GET and discovery ---------------------------------------------------------


def test_unchanged_feed_costs_one_304_and_no_parsing(school: School) -> None:
    def with_etag(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"rev-1"':
            return Response(status=304)
        return Response(rss(item(1)), headers={"ETag": '"rev-1"'},
                        content_type="application/rss+xml")

    school.server.clear()
    school.server.expect_request("/sari/feed/").respond_with_data(school.sari_feed)
    school.server.expect_request("/budi/feed/").respond_with_handler(with_etag)
    site = load_site(school.config)
    first = {r.teacher: r for r in fetch(site, now=T1, limits=QUICK)}
    second = {r.teacher: r for r in fetch(site, now=T2, limits=QUICK)}
    assert first["budi"].entries and not first["budi"].not_modified
    assert second["budi"].not_modified and second["budi"].entries == ()
    assert second["budi"].received == 0
    budi_requests = [r for r, _ in school.server.log if r.path == "/budi/feed/"]
    assert budi_requests[-1].headers["If-None-Match"] == '"rev-1"'
    school.build(T3)
    assert school.has_post("2026-11-01-materi-1")


def test_feed_behind_a_home_page_is_found_and_remembered(
        tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    school = School(tmp_path / "site", httpserver, budi="/budi/")
    home = ('<html><head><link rel="alternate" type="application/rss+xml" '
            'href="/budi/feed/"></head><body>Blog Pak Budi</body></html>')
    school.serve_budi(home, path="/budi/", content_type="text/html")
    school.server.expect_request("/budi/feed/").respond_with_data(rss(item(1)))
    school.build(T1)
    assert school.has_post("2026-11-01-materi-1")
    check = mading(school, "check")
    assert f"budi: Budi Santoso, S.Si. — feed: {httpserver.url_for('/budi/')} → " \
           f"{httpserver.url_for('/budi/feed/')}" in check.stdout
    school.server.log.clear()
    school.build(T2)
    assert [r.path for r, _ in school.server.log if r.path.startswith("/budi")] == ["/budi/feed/"]


# -- hostile and broken feeds --------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>
<guid>x</guid></item></channel></rss>"""


def xxe(secret: Path) -> str:
    return (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
            '<rss version="2.0"><channel><title>Blog</title><item><title>&xxe;</title>'
            "<guid>xxe</guid><description>&xxe;</description></item></channel></rss>")


def redirect_loop(school: School) -> None:
    school.serve_budi("", status=302, headers={"Location": school.server.url_for("/budi/feed/")})


HOSTILE: dict[str, tuple[Callable[[School, Path], None], str]] = {
    "http-404": (lambda s, _: s.serve_budi("Not Found", status=404), "HTTP 404"),
    "http-410": (lambda s, _: s.serve_budi("Gone", status=410), "HTTP 410"),
    "http-500": (lambda s, _: s.serve_budi("Error", status=500), "HTTP 500"),
    "redirect-loop": (lambda s, _: redirect_loop(s), "more than 5 redirects"),
    "html-page": (lambda s, _: s.serve_budi("<!doctype html><html><body>Maaf, blog sedang "
                                            "perbaikan</body></html>",
                                            content_type="text/html"), "not a feed"),
    "malformed-xml": (lambda s, _: s.serve_budi(rss(item(7))[:-40]), "cut off"),
    "billion-laughs": (lambda s, _: s.serve_budi(BILLION_LAUGHS), "declares XML entities"),
    "xxe": (lambda s, secret: s.serve_budi(xxe(secret)), "declares XML entities"),
    "gzip-bomb": (lambda s, _: s.serve_budi(gzip.compress(b" " * (40 * 1024 * 1024)),
                                            headers={"Content-Encoding": "gzip"}),
                  "larger than 10 MB"),
    "oversized": (lambda s, _: s.serve_budi(rss(item(1)) + " " * (11 * 1024 * 1024)),
                  "larger than 10 MB"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_feed_never_fails_the_build_nor_erases_posts(
        school: School, tmp_path: Path, case: str) -> None:
    school.serve_budi(rss(item(2), item(1)))
    school.build(T1)
    secret = tmp_path / "rahasia.txt"
    secret.write_text("KATA-SANDI-RAHASIA")
    serve, expected = HOSTILE[case]
    serve(school, secret)

    report = school.build(T2)

    assert report.problems == ()
    [broken] = report.broken_feeds
    assert broken.teacher == "budi" and expected in (broken.error or "")
    assert school.has_post("2026-11-01-materi-1") and school.has_post("2026-11-02-materi-2")
    assert school.has_post("2026-11-05-persamaan-kuadrat", "sari")
    for page in school.output.rglob("*.html"):
        assert "KATA-SANDI-RAHASIA" not in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("mode", ["hang", "trickle", "close"])
def test_servers_that_hang_never_fail_the_build(
        tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch,
        mode: str) -> None:
    monkeypatch.chdir(tmp_path)
    with misbehaving_server(mode) as url:
        school = School(tmp_path / "site", httpserver)
        school.config.write_text(school.config.read_text().replace(
            httpserver.url_for("/budi/feed/"), url + "feed/"))
        report = school.build(T1, FetchLimits(timeout=1.0, deadline=10.0))
    [broken] = report.broken_feeds
    assert broken.teacher == "budi"
    assert school.has_post("2026-11-05-persamaan-kuadrat", "sari")


def test_connection_refused_is_reported(school: School) -> None:
    with misbehaving_server("close") as url:
        pass  # closed again: nothing listens on that port any more
    school.config.write_text(school.config.read_text().replace(
        school.server.url_for("/budi/feed/"), url))
    [broken] = school.build(T1).broken_feeds
    assert "ConnectError" in (broken.error or "")


def test_report_names_teacher_feed_problem_since_and_last_success(school: School) -> None:
    school.serve_budi(rss(item(1)))
    school.build(T1)
    school.serve_budi("Error", status=500)
    school.build(T2)
    school.build(T3)
    result = mading(school, "report")
    assert result.returncode == 0
    [line] = [x for x in result.stdout.splitlines() if x.startswith("budi — ")]
    assert line == (f"budi — {school.server.url_for('/budi/feed/')} — BERMASALAH: HTTP 500 "
                    "INTERNAL SERVER ERROR — sejak Jumat, 20 November 2026 16.00 — terakhir "
                    "berhasil Jumat, 20 November 2026 10.00 — tulisan terakhir Minggu, "
                    "1 November 2026 08.00")
    assert mading(school, "report", "--strict").returncode == 1
    assert mading(school, "build", "--strict").returncode == 1
    assert mading(school, "build").returncode == 0


# -- what feeds get wrong inside -------------------------------------------------------------


def test_wrong_and_missing_encodings_are_read(school: School) -> None:
    latin1 = rss(item(1, "Kafé di Sekolah"), encoding="ISO-8859-1").encode("iso-8859-1")
    school.serve_budi(latin1)
    school.build(T1)
    assert "Kafé di Sekolah" in school.page("guru/budi/index.html")
    # Windows-1252 curly quotes in a feed that declares ISO-8859-1, as old blogs do.
    quoted = "\u201cKutipan\u201d \u2013 Bab 2"  # curly quotes and an en dash
    cp1252 = rss(item(2, quoted), encoding="ISO-8859-1").encode("cp1252")
    school.serve_budi(cp1252)
    school.build(T2)
    assert quoted in school.page("guru/budi/index.html")
    # No declaration at all: the HTTP header's charset is the only clue.
    bare = rss(item(3, "Señal Bab 3")).replace('<?xml version="1.0" encoding="UTF-8"?>', "")
    school.serve_budi(bare.encode("iso-8859-1"),
                      content_type="application/rss+xml; charset=iso-8859-1")
    school.build(T3)
    assert "Señal Bab 3" in school.page("guru/budi/index.html")


def test_undated_and_future_dated_items(school: School) -> None:
    school.serve_budi(rss(item(1, "Tanpa Tanggal", date=None),
                          item(2, "Dari Masa Depan", date="01 Jan 2031 08:00:00 +0700")))
    school.build(T1)
    school.build(T2)
    # Both are shown under the day they were first seen (20 November, in Jakarta).
    assert school.has_post("2026-11-20-tanpa-tanggal")
    assert school.has_post("2026-11-20-dari-masa-depan")
    assert "2031" not in school.page("guru/budi/index.html")


def test_duplicate_ids_in_one_feed_make_one_post(school: School) -> None:
    school.serve_budi(rss(item(2, "Versi A", guid="sama"), item(1, "Versi B", guid="sama")))
    report = school.build(T1)
    assert report.broken_feeds == ()
    assert report.posts == 2  # one of Budi's, one of Sari's


def test_parsing_in_worker_processes_gives_the_same_posts(
        school: School, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large updates parse in a process pool; the posts must be exactly the same."""
    from generator.sources import feeds

    school.serve_budi(rss(item(3), item(2, "Hukum Newton"), item(1)))
    site = load_site(school.config)
    inline = {r.teacher: r for r in fetch(site, now=T1, limits=QUICK)}
    monkeypatch.setattr(feeds, "PARALLEL_PARSE_FROM", 1)
    school.server.clear()
    school.serve_budi(rss(item(3), item(2, "Hukum Newton"), item(1)))
    pooled = {r.teacher: r for r in fetch(load_site(school.config), now=T2, limits=QUICK)}
    assert pooled["budi"].entries == inline["budi"].entries
    assert [e.title for e in pooled["sari"].entries] == ["Persamaan Kuadrat"]


@pytest.mark.parametrize("pool_from", [1, 100], ids=["workers", "in-process"])
def test_only_the_feed_files_that_changed_are_parsed_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool_from: int) -> None:
    """Unchanged feed files are found "not modified" before any worker starts; the
    changed ones are parsed, each result with its own teacher, in the teachers' order."""
    from generator.sources import feeds

    monkeypatch.setattr(feeds, "PARALLEL_PARSE_FROM", pool_from)
    slugs = ["ani", "budi", "citra", "dodi"]
    (tmp_path / "feeds").mkdir()
    teachers = "".join(f"  - name: Guru {slug}\n    slug: {slug}\n    subjects: [Fisika]\n"
                       f"    blog: feeds/{slug}.xml\n" for slug in slugs)
    config = tmp_path / "site.yml"
    config.write_text(SITE.split("teachers:")[0] + "teachers:\n" + teachers)
    for slug in slugs:
        (tmp_path / "feeds" / f"{slug}.xml").write_text(rss(item(1, f"Lama {slug}")))
    site = load_site(config)
    first = fetch(site, offline=True, now=T1)
    assert [(r.teacher, [e.title for e in r.entries]) for r in first] == \
        [(slug, [f"Lama {slug}"]) for slug in slugs]

    for slug in ("budi", "dodi"):
        (tmp_path / "feeds" / f"{slug}.xml").write_text(rss(item(2, f"Baru {slug}")))
    second = fetch(site, offline=True, now=T2)

    assert [(r.teacher, r.not_modified, [e.title for e in r.entries]) for r in second] == [
        ("ani", True, []), ("budi", False, ["Baru budi"]),
        ("citra", True, []), ("dodi", False, ["Baru dodi"])]


# -- the archive's growth is bounded (issue 26) ---------------------------------------------

SMALL = replace(QUICK, max_new_entries=3, max_entries=7)
"""Small bounds, so that a test needs a few items, not thousands."""


def budi_stored(school: School) -> tuple[set[str], tuple[FeedNote, ...]]:
    """The titles the archive holds for Budi, and the notes of his feed's last update."""
    with Archive(school.folder / ".mading" / "archive.sqlite") as archive:
        titles = {e.title for e in archive.entries() if e.teacher == "budi"}
        (status,) = [s for s in archive.feed_statuses() if s.teacher == "budi"]
    return titles, status.notes


def test_new_posts_are_bounded_per_update_and_per_teacher(school: School) -> None:
    site = load_site(school.config)
    # A blog moved in whole: an update stores the newest 3 of its 5 posts, the next the rest.
    school.serve_budi(rss(*(item(n) for n in range(5, 0, -1))))
    fetch(site, now=T1, limits=SMALL)
    cut = FeedNote("hostile_data.note_new_items_cut", 2, 3)
    assert budi_stored(school) == ({"Materi 5", "Materi 4", "Materi 3"}, (cut,))
    fetch(site, now=T2, limits=SMALL)
    moved_in = {f"Materi {n}" for n in range(1, 6)}
    assert budi_stored(school) == (moved_in, ())
    # A feed that makes up 20 posts at each update: 3 are new enough, 2 fit, then none.
    school.serve_budi(rss(*(item(n, f"Palsu {n}") for n in range(25, 5, -1))))
    fetch(site, now=T3, limits=SMALL)
    assert budi_stored(school) == (moved_in | {"Palsu 25", "Palsu 24"}, (
        FeedNote("hostile_data.note_new_items_cut", 17, 3),
        FeedNote("hostile_data.note_teacher_full", 1, 7)))
    fetch(site, now=T3 + timedelta(hours=1), limits=SMALL)
    titles, notes = budi_stored(school)
    assert titles == moved_in | {"Palsu 25", "Palsu 24"}  # nothing stored is dropped
    assert notes == (FeedNote("hostile_data.note_new_items_cut", 15, 3),
                     FeedNote("hostile_data.note_teacher_full", 3, 7))
    # The school is told, in its language.
    shown = mading(school, "report")
    assert shown.returncode == 0
    assert "3 tulisan baru tidak disimpan: arsip menyimpan paling banyak 7 tulisan per guru" \
        in shown.stdout
    built = subprocess.run([sys.executable, "-m", "generator", "build", "--offline"],
                           cwd=school.folder, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0
    assert "catatan: feed guru 'budi'" in built.stderr


def test_a_normal_blog_keeps_every_post_over_the_years(school: School) -> None:
    """A WordPress feed shows its latest 10; over many updates every post stays."""
    site = load_site(school.config)
    for update in range(21):
        school.serve_budi(rss(*(item(n) for n in range(update + 10, update, -1))))
        fetch(site, now=T1 + timedelta(days=update), limits=QUICK)
    titles, notes = budi_stored(school)
    assert titles == {f"Materi {n}" for n in range(1, 31)}
    assert notes == ()
