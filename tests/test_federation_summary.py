"""A province over a district in summary mode (`read: ringkas`, issue 25), end to end.

Two school portals are built from the tiny fixture and served on 127.0.0.1; a district
is built over them and served by pytest-httpserver, which counts what is asked of it; a
province's site.yml names the district with `read: ringkas`, and its build reads the
district's `portal.json` and its own `feed.json`, one feed, never its teachers' feeds.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from generator.build import build
from generator.cli import main
from generator.config import load_site
from generator.sources.feeds import parse_feed
from tests.browser import serve_folder
from tests.site_checks import broken_relative_links
from tests.test_config import problems, site_dir
from tests.test_federation import NOW, cluster_yml, school_site

__all__ = ["site_dir"]  # the fixture, used by name


@dataclass
class Served:
    """A folder served under `/d1/` that can be taken down, answering If-None-Match."""

    folder: Path
    down: bool = False
    asked: list[str] = field(default_factory=list)

    def answer(self, request: Request) -> Response:
        self.asked.append(request.path)
        if self.down:
            return Response("down for maintenance", status=503)
        path = self.folder / request.path.removeprefix("/d1/")
        if request.path.endswith("/"):
            path = path / "index.html"
        if not path.is_file():
            return Response("not found", status=404)
        data = path.read_bytes()
        tag = f'"{hashlib.sha256(data).hexdigest()[:16]}"'
        if request.headers.get("If-None-Match") == tag:
            return Response(status=304, headers={"ETag": tag})
        kind = "application/json" if path.suffix == ".json" else "text/html"
        return Response(data, content_type=kind, headers={"ETag": tag})


@dataclass
class Province:
    config: Path
    output: Path
    district: str
    """The district portal's address."""
    served: Served


def province_yml(district: str, read: str = "ringkas") -> str:
    return ("school:\n  name: Provinsi Uji\n  url: https://provinsi.example/\nschools:\n"
            f"  - {{name: Kabupaten Satu, slug: d1, portal: '{district}', read: {read}}}\n")


def with_picture(site: Path) -> None:
    """A photo in a post: a copy is made at each level, from the level below."""
    post = site.parent / "content" / "sari" / "2026-11-18-persamaan-kuadrat.md"
    post.write_text(post.read_text() + "\n![Papan tulis kelas](papan.png)\n")
    Image.new("RGB", (1200, 900), (200, 60, 40)).save(post.parent / "papan.png", "PNG")


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Province]:
    root = tmp_path_factory.mktemp("province")
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    with ExitStack() as stack:
        stack.callback(server.stop)
        schools = {}
        for slug, name in (("sma1", "SMA Uji Coba"), ("sma2", "SMA Dua")):
            public = root / f"{slug}-public"
            public.mkdir()
            url = stack.enter_context(serve_folder(public))
            site = school_site(root / slug, name)
            if slug == "sma1":
                with_picture(site)
            build(site, public, offline=True, now=NOW, url=url)
            schools[slug] = url
        district = server.url_for("/d1/")
        config = root / "d1" / "site.yml"
        config.parent.mkdir()
        config.write_text(cluster_yml(schools))
        report = build(config, root / "d1-public", now=NOW, url=district)
        assert report.problems == () and not report.broken_feeds
        served = Served(root / "d1-public")
        server.expect_request(re.compile("^/d1/")).respond_with_handler(served.answer)
        province_config = root / "provinsi" / "site.yml"
        province_config.parent.mkdir()
        province_config.write_text(province_yml(district))
        report = build(province_config, root / "provinsi-public", now=NOW)
        assert report.problems == (), report.problems
        yield Province(province_config, root / "provinsi-public", district, served)


def test_a_portal_feed_names_each_posts_teacher_and_school(province: Province) -> None:
    feed = json.loads((province.served.folder / "feed.json").read_text())
    teachers = {item["_mading"]["teacher"]["slug"]: item["_mading"]["teacher"]
                for item in feed["items"]}
    assert teachers["sma2-sari"]["school"] == "SMA Dua"
    assert teachers["sma1-sari"]["school"] == "SMA Uji Coba"
    assert teachers["sma1-budi"]["name"] == "Budi Santoso, S.Si."


def test_the_province_reads_one_index_and_one_feed_per_district(province: Province) -> None:
    assert sorted(province.served.asked) == ["/d1/feed.json", "/d1/portal.json"]
    province.served.asked.clear()
    report = build(province.config, province.output, now=NOW + timedelta(minutes=5))
    # Again: the same two, answered 304, and nothing to render.
    assert sorted(province.served.asked) == ["/d1/feed.json", "/d1/portal.json"]
    assert report.current


def test_the_districts_posts_are_attributed_to_their_teachers(province: Province) -> None:
    read = province.output / "tulisan"
    for school in ("sma1", "sma2"):
        post = read / f"d1-{school}-sari" / "2026-11-18-persamaan-kuadrat" / "index.html"
        page = post.read_text()
        canonical = f"{province.district}guru/{school}-sari/2026-11-18-persamaan-kuadrat/"
        assert f'<link rel="canonical" href="{canonical}">' in page
        # The byline and "more from" lead to the teacher's page on the district portal.
        teacher = f'href="{province.district}guru/{school}-sari/"'
        assert page.count(teacher) == 2, page


def test_a_summarys_teachers_get_no_pages_on_the_province(province: Province) -> None:
    # Not a micro-site, feed, poster or calendar: their folder is their district's.
    assert sorted(p.name for p in (province.output / "guru").iterdir()) == [
        "index.html", "mapel", "terbaru"]
    assert not list(province.output.rglob("poster/d1-*"))
    portal = json.loads((province.output / "portal.json").read_text())
    assert portal["teachers"] == []
    sitemap = (province.output / "sitemap.xml").read_text()
    assert "/guru/d1-" not in sitemap and "tulisan/d1-sma1-sari/" in sitemap
    assert broken_relative_links(province.output) == []


def test_the_directory_leads_to_each_districts_own(province: Province) -> None:
    directory = (province.output / "guru" / "index.html").read_text()
    # The district with its count of teachers and a link to its directory; no teacher's
    # card (the district lists 5 teachers, who are on its own directory).
    assert re.findall(r"<h2>([^<]*)</h2>", directory) == ["Guru kabupaten/kota"]
    assert f'<a href="{province.district}guru/" rel="external">Direktori guru</a>' \
        in directory
    teachers = len(json.loads((province.served.folder / "portal.json").read_text())["teachers"])
    assert f"Kabupaten Satu · {teachers} guru" in directory
    assert "Rina Kartika" not in directory and 'class="person' not in directory
    for view in ("mapel", "terbaru"):
        assert "Rina Kartika" not in (province.output / "guru" / view / "index.html").read_text()
    district = (province.output / "sekolah" / "d1" / "index.html").read_text()
    assert f'<a href="{province.district}guru/" rel="external">' in district
    assert "Rina Kartika" not in district.split("<h2")[0]


def test_the_province_searches_the_posts_it_read(province: Province) -> None:
    fragments = [json.loads(gzip.decompress(f.read_bytes())[12:])["url"] for f in
                 (province.output / "pagefind" / "fragment").glob("*.pf_fragment")]
    posts = sorted(p.relative_to(province.output).as_posix() for p in
                   (province.output / "tulisan").glob("*/*/index.html"))
    assert posts and sorted(url.removeprefix("/") for url in fragments) == posts
    search = (province.output / "cari" / "index.html").read_text()
    assert f'{province.district}guru/sma1-sari/' in search


def test_a_posts_picture_is_the_provinces_own_copy(province: Province) -> None:
    page = (province.output / "tulisan" / "d1-sma1-sari" / "2026-11-18-persamaan-kuadrat" /
            "index.html").read_text()
    pictures = re.findall(r'<img[^>]*alt="Papan tulis kelas"[^>]*>', page)
    assert pictures, page
    source = re.search(r'src="([^"]+)"', pictures[0])
    assert source and not source.group(1).startswith("http"), pictures
    path = (province.output / "tulisan" / "d1-sma1-sari" / "2026-11-18-persamaan-kuadrat" /
            source.group(1)).resolve()
    assert path.is_file() and path.is_relative_to(province.output.resolve())


def test_the_province_lists_its_district_and_its_recent_posts(province: Province) -> None:
    index = (province.output / "sekolah" / "index.html").read_text()
    assert 'href="../sekolah/d1/index.html"' in index and "Kabupaten Satu" in index
    page = (province.output / "sekolah" / "d1" / "index.html").read_text()
    assert province.district in page
    assert "../../tulisan/d1-sma2-sari/2026-11-18-persamaan-kuadrat/index.html" in page
    assert broken_relative_links(province.output) == []


def test_a_district_down_keeps_its_posts_and_is_reported(
        province: Province, capsys: pytest.CaptureFixture[str]) -> None:
    province.served.down = True
    try:
        build(province.config, province.output, now=NOW + timedelta(hours=1))
        post = province.output / "tulisan" / "d1-sma1-sari" / "2026-11-18-persamaan-kuadrat"
        assert (post / "index.html").is_file()
        capsys.readouterr()
        main(["report", "--config", str(province.config)])
        out = capsys.readouterr().out
        line = next(line for line in out.splitlines() if line.startswith("Kabupaten Satu"))
        assert "portal sekolah tidak terbaca" in line, out
        # Its teachers are its one line, not a line each ("only Markdown posts").
        assert "hanya tulisan Markdown" not in out
        assert main(["report", "--strict", "--config", str(province.config)]) == 1
    finally:
        province.served.down = False


def test_a_summary_feed_down_alone_names_its_portal(province: Province,
                                                    tmp_path: Path) -> None:
    # The index answers, the feed does not: the district is still named, with the feed.
    copy = tmp_path / "d1"
    shutil.copytree(province.served.folder, copy)
    (copy / "feed.json").unlink()
    folder, province.served.folder = province.served.folder, copy
    try:
        build(province.config, province.output, now=NOW + timedelta(hours=2))
        assert main(["report", "--strict", "--config", str(province.config)]) == 1
    finally:
        province.served.folder = folder


def test_a_wrong_read_value_gets_a_clear_message(site_dir: Path) -> None:
    assert problems("""\
        school: {name: Provinsi}
        schools:
          - name: Kabupaten Satu
            portal: https://d1.example/
            read: ringkasan
          - name: Kabupaten Dua
            portal: https://d2.example/
            read: summary
          - name: Kabupaten Tiga
            portal: https://d3.example/
            read: [guru]
        """) == [
        "site.yml:5: 'schools.read': 'ringkasan' tidak dikenal (maksud Anda: 'ringkas'?). "
        "Tulis 'ringkas' untuk membaca portal itu dari feed.json-nya sendiri (tulisan "
        "terbarunya; cara provinsi membaca kabupaten/kota), atau 'guru' (bawaan) untuk "
        "membaca feed setiap gurunya",
        "site.yml:11: 'schools.read': '['guru']' tidak dikenal. Tulis 'ringkas' untuk "
        "membaca portal itu dari feed.json-nya sendiri (tulisan terbarunya; cara provinsi "
        "membaca kabupaten/kota), atau 'guru' (bawaan) untuk membaca feed setiap gurunya",
    ]


def test_the_message_is_in_english_for_an_english_site(site_dir: Path) -> None:
    found = problems("""\
        school: {name: Province, language: en}
        schools:
          - {name: District One, portal: 'https://d1.example/', read: everything}
        """)
    assert found == [
        "site.yml:3: 'schools.read': 'everything' is not known. Write 'summary' to read "
        "that portal from its own feed.json (its latest posts; how a province reads its "
        "districts), or 'teachers' (the default) to read every teacher's feed"]


def test_a_summary_item_goes_to_the_teacher_it_names_or_nowhere() -> None:
    # A district's feed.json is hostile until read: an item naming no teacher, or one
    # whose slug is not a slug, is no one's post; a teacher's own feed is theirs alone.
    def item(number: int, teacher: object) -> dict[str, object]:
        return {"id": f"https://d1.example/p{number}/", "url": f"https://d1.example/p{number}/",
                "title": f"Tulisan {number}", "content_html": "<p>Isi.</p>",
                "date_published": "2026-11-20T07:00:00+07:00",
                "_mading": {"kind": "materi", "classes": [], "teacher": teacher}}
    feed = {"version": "https://jsonfeed.org/version/1.1", "items": [
        item(1, {"slug": "sma1-sari", "name": "Sari", "school": "SMA Uji Coba"}),
        item(2, {"slug": "../../etc", "name": "X"}), item(3, "sma1-sari"), item(4, None),
        {**item(5, {}), "_mading": "not an object"}]}
    data = json.dumps(feed).encode()
    summary = parse_feed("d1/feed.json", "https://d1.example/feed.json", data, None)
    assert [(e.teacher, e.title) for e in summary.entries] == [("d1-sma1-sari", "Tulisan 1")]
    own = parse_feed("sari", "https://d1.example/feed.json", data, None)
    assert {e.teacher for e in own.entries} == {"sari"} and len(own.entries) == 5


def test_the_province_example_reads_its_districts_as_summaries() -> None:
    site = load_site(Path(__file__).parent.parent / "docs" / "deploy" / "province-site.yml")
    assert [(s.slug, s.summary) for s in site.schools] == [
        ("jember", True), ("banyuwangi", True), ("bondowoso", True)]


def test_the_provinces_archive_export_carries_the_summaries(province: Province,
                                                            tmp_path: Path) -> None:
    # As docs/deploy/province.yml keeps it between runs: exported, then imported on a
    # fresh runner, which builds the same posts offline.
    exported = tmp_path / "archive.jsonl"
    assert main(["archive", "export", str(exported), "--config", str(province.config)]) == 0
    fresh = tmp_path / "fresh" / "site.yml"
    fresh.parent.mkdir()
    fresh.write_text(province.config.read_text())
    assert main(["archive", "import", str(exported), "--config", str(fresh)]) == 0
    report = build(fresh, tmp_path / "public", offline=True, now=NOW)
    assert (tmp_path / "public" / "tulisan" / "d1-sma2-sari" / "2026-11-18-persamaan-kuadrat" /
            "index.html").is_file()
    assert report.posts == len(list((province.output / "tulisan").glob("*/20*/index.html")))


def test_a_district_read_teacher_by_teacher_keeps_their_pages(province: Province,
                                                             tmp_path: Path) -> None:
    # The same district read in the default mode: each teacher a micro-site, as before.
    config = tmp_path / "site.yml"
    config.write_text(province_yml(province.district, read="guru"))
    build(config, tmp_path / "public", now=NOW)
    teacher = tmp_path / "public" / "guru" / "d1-sma1-sari"
    assert (teacher / "index.html").is_file() and (teacher / "feed.json").is_file()
    assert (teacher / "2026-11-18-persamaan-kuadrat" / "index.html").is_file()
    assert (tmp_path / "public" / "poster" / "index.html").is_file()
    assert not (tmp_path / "public" / "tulisan").exists()
    directory = (tmp_path / "public" / "guru" / "index.html").read_text()
    assert 'href="../guru/d1-sma2-rina-kartika/index.html"' in directory
