"""A cluster portal over school portals (issue 25), end to end.

Two school portals are built from the tiny fixture and served on 127.0.0.1; a cluster's
site.yml names them, and its build reads only their `portal.json` and JSON Feeds. Then
one school's portal goes down: the cluster keeps its posts and the report names it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.build import build
from generator.cli import main
from generator.federation import IndexRefused, parse_index
from tests.browser import chromium, phone_page, serve_folder
from tests.conftest import FIXTURES, copy_site
from tests.site_checks import broken_relative_links, reparse_feeds

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SCHEMA = Path(__file__).parent.parent / "docs" / "schema" / "portal.schema.json"


@dataclass
class Cluster:
    root: Path
    config: Path
    output: Path
    schools: dict[str, str]
    """Slug -> the served school portal's address."""
    down: ExitStack
    """Closing it stops the second school's server."""


def school_site(root: Path, name: str) -> Path:
    site = copy_site(FIXTURES / "tiny", root)
    site.write_text(site.read_text().replace("SMA Uji Coba", name))
    return site


def with_ptk(site: Path) -> Path:
    """A school that declares PTK and writes two cycles of it, a series."""
    site.write_text(site.read_text() + "kinds: [{name: ptk, label: PTK}]\n")
    for cycle in (1, 2):
        (site.parent / "content" / "sari" / f"2026-11-1{cycle}-siklus-{cycle}.md").write_text(
            f"---\ntitle: Siklus {cycle}\ndate: 2026-11-1{cycle}\nkind: ptk\n"
            "series: PTK Kelas X\n---\n\nCatatan.\n")
    return site


def cluster_yml(schools: dict[str, str]) -> str:
    lines = ["school:", "  name: Gugus Uji", "  url: https://gugus.example/", "schools:"]
    names = {"sma1": "SMA Uji Coba", "sma2": "SMA Dua"}
    lines += [f"  - {{name: {names[slug]}, slug: {slug}, portal: '{url}'}}"
              for slug, url in schools.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("federation")
    with ExitStack() as up, ExitStack() as down:
        schools = {}
        for slug, name, stack in (("sma1", "SMA Uji Coba", up), ("sma2", "SMA Dua", down)):
            public = root / f"{slug}-public"
            public.mkdir()
            url = stack.enter_context(serve_folder(public))
            site = school_site(root / slug, name)
            report = build(with_ptk(site) if slug == "sma1" else site, public, offline=True,
                           now=NOW, url=url)
            assert report.problems == ()
            schools[slug] = url
        config = root / "gugus" / "site.yml"
        config.parent.mkdir()
        config.write_text(cluster_yml(schools))
        report = build(config, root / "gugus-public", now=NOW)
        assert report.problems == () and not report.broken_feeds, report.broken_feeds
        assert report.warnings == ()  # search indexed
        yield Cluster(root, config, root / "gugus-public", schools, down)


def test_a_school_portal_publishes_its_index(tmp_path: Path) -> None:
    site = school_site(tmp_path / "site", "SMA Uji Coba")
    build(site, tmp_path / "public", offline=True, now=NOW)
    data = json.loads((tmp_path / "public" / "portal.json").read_text())
    assert data["format"] == "mading-portal" and data["version"] == 1
    assert data["school"] == {"name": "SMA Uji Coba", "url": "https://uji.sch.id/portal/",
                              "language": "id", "timezone": "Asia/Jakarta"}
    assert [s["name"] for s in data["subjects"]] == ["Matematika", "Fisika", "Bahasa Inggris"]
    assert [c["name"] for c in data["classes"]] == ["X-1", "X-2", "XI-1"]
    budi = next(t for t in data["teachers"] if t["slug"] == "budi")
    assert budi == {"name": "Budi Santoso, S.Si.", "slug": "budi",
                    "subjects": ["Fisika", "Matematika"], "classes": ["XI-1"],
                    "page": "https://uji.sch.id/portal/guru/budi/",
                    "feed": "https://uji.sch.id/portal/guru/budi/feed.json"}
    # Every teacher's feed named there is one the build wrote.
    for teacher in data["teachers"]:
        path = teacher["feed"].removeprefix("https://uji.sch.id/portal/")
        assert (tmp_path / "public" / path).is_file()
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(SCHEMA),
         str(tmp_path / "public" / "portal.json")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_index_is_kept_by_a_rebuild_and_follows_site_yml(tmp_path: Path) -> None:
    site = school_site(tmp_path / "site", "SMA Uji Coba")
    public = tmp_path / "public"
    build(site, public, offline=True, now=NOW)
    before = (public / "portal.json").stat()
    build(site, public, offline=True, now=NOW + timedelta(minutes=5))
    assert (public / "portal.json").stat().st_mtime_ns == before.st_mtime_ns
    site.write_text(site.read_text().replace("  - name: Fisika\n",
                                             "  - name: Fisika\n  - name: Kimia\n"))
    build(site, public, offline=True, now=NOW + timedelta(minutes=10))
    data = json.loads((public / "portal.json").read_text())
    assert "Kimia" in [s["name"] for s in data["subjects"]]


def test_the_cluster_has_both_schools_posts(cluster: Cluster) -> None:
    guru = cluster.output / "guru"
    for slug in ("sma1", "sma2"):
        # The same teacher slug in two schools: two teachers, never one.
        assert (guru / f"{slug}-sari" / "2026-11-18-persamaan-kuadrat" / "index.html").is_file()
        assert (guru / f"{slug}-budi" / "index.html").is_file()
        assert (guru / f"{slug}-rina-kartika" / "index.html").is_file()
    home = (cluster.output / "index.html").read_text()
    assert "Persamaan Kuadrat" in home


def test_a_post_page_names_its_school_portal_page_canonical(cluster: Cluster) -> None:
    for slug, url in cluster.schools.items():
        page = (cluster.output / "guru" / f"{slug}-sari" / "2026-11-18-persamaan-kuadrat" /
                "index.html").read_text()
        assert f'<link rel="canonical" href="{url}guru/sari/2026-11-18-persamaan-kuadrat/">' in page


def test_the_cluster_has_a_page_per_school(cluster: Cluster) -> None:
    index = (cluster.output / "sekolah" / "index.html").read_text()
    for slug in ("sma1", "sma2"):
        assert f'href="../sekolah/{slug}/index.html"' in index
    assert "SMA Uji Coba" in index and "SMA Dua" in index
    page = (cluster.output / "sekolah" / "sma2" / "index.html").read_text()
    assert "SMA Dua" in page and cluster.schools["sma2"] in page
    assert "../../guru/sma2-sari/2026-11-18-persamaan-kuadrat/index.html" in page
    assert "sma1-sari" not in page
    feed = json.loads((cluster.output / "sekolah" / "sma2" / "feed.json").read_text())
    assert feed["items"] and all("/guru/sma2-" in item["url"] for item in feed["items"])


def test_the_cluster_has_no_broken_link_and_sound_feeds(cluster: Cluster) -> None:
    assert broken_relative_links(cluster.output) == []
    counts = reparse_feeds(cluster.output)
    assert counts["feed.xml"] >= 8 and counts["sekolah/sma1/feed.json"] >= 4


def test_a_phone_goes_from_the_menu_to_a_school_and_its_post(cluster: Cluster) -> None:
    # In headless Chromium, JavaScript off, on the served cluster portal.
    with serve_folder(cluster.output) as url, chromium() as browser, \
            phone_page(browser) as page:
        page.goto(url)
        page.get_by_role("link", name="Sekolah", exact=True).click()
        page.get_by_role("link", name="SMA Dua", exact=True).click()
        assert page.url == f"{url}sekolah/sma2/index.html"
        assert page.get_by_role("link", name="Portal sekolah").get_attribute("href") \
            == cluster.schools["sma2"]
        page.get_by_role("link", name="Persamaan Kuadrat", exact=True).click()
        assert page.url == f"{url}guru/sma2-sari/2026-11-18-persamaan-kuadrat/index.html"
        canonical = page.locator('link[rel="canonical"]').get_attribute("href")
        assert canonical == f"{cluster.schools['sma2']}guru/sari/2026-11-18-persamaan-kuadrat/"


def test_the_cluster_directory_is_grouped_by_school(cluster: Cluster) -> None:
    page = (cluster.output / "guru" / "index.html").read_text()
    headings = re.findall(r"<h2>([^<]*)</h2>", page)
    assert headings == ["SMA Uji Coba", "SMA Dua"]


def test_subjects_and_classes_come_from_the_schools(cluster: Cluster) -> None:
    subjects = sorted(p.name for p in (cluster.output / "mapel").iterdir() if p.is_dir())
    assert subjects == ["bahasa-inggris", "fisika", "matematika"]
    classes = sorted(p.name for p in (cluster.output / "kelas").iterdir() if p.is_dir())
    assert classes == ["x-1", "x-2", "xi-1"]
    listing = (cluster.output / "mapel" / "matematika" / "index.html").read_text()
    assert "sma1-sari" in listing and "sma2-sari" in listing


def test_an_assignment_keeps_what_its_school_said(cluster: Cluster) -> None:
    # Kind, classes and the deadline from the school's front matter, through the JSON
    # Feed's `_mading` extension: in the cluster's assignments and class calendars.
    tugas = (cluster.output / "tugas" / "index.html").read_text()
    assert tugas.count("Tugas Persamaan Kuadrat") == 4  # two schools, classes
    calendar = (cluster.output / "kelas" / "x-2" / "tugas.ics").read_text()
    assert calendar.count("DTSTART;VALUE=DATE:20261201") == 2
    page = (cluster.output / "guru" / "sma1-sari" / "2026-11-19-tugas-kuadrat" /
            "index.html").read_text()
    assert "Dikumpulkan paling lambat Selasa, 1 Desember 2026" in page


def test_the_cluster_is_searched_over_every_school(cluster: Cluster) -> None:
    fragments = list((cluster.output / "pagefind" / "fragment").iterdir())
    assert len(fragments) == len(list((cluster.output / "guru").glob("*/20*/index.html")))
    assert len(fragments) >= 8


def test_a_hostile_index_cannot_point_the_cluster_elsewhere() -> None:
    # Feeds are fetched only under the portal's address, the one host site.yml trusts.
    teacher = {"name": "Sari", "slug": "sari", "subjects": [], "classes": [],
               "page": "http://169.254.169.254/latest/"}
    data = {"format": "mading-portal", "version": 1,
            "school": {"name": "SD", "url": "https://sd.example/"},
            "teachers": [{**teacher, "feed": "http://169.254.169.254/feed.json"},
                         {**teacher, "slug": "own", "feed": "https://sd.example/guru/own/feed.json"},
                         {**teacher, "slug": "../x", "feed": "http://10.0.0.1/g/x/feed.json"}]}
    index = parse_index(json.dumps(data).encode(), "http://127.0.0.1:9/sd/")
    # Its own address is read where site.yml says the portal is.
    assert [(t.slug, t.feed) for t in index.teachers] == [
        ("own", "http://127.0.0.1:9/sd/guru/own/feed.json")]
    for bad, reason in ((b"[]", "not a Mading portal index"),
                        (json.dumps({**data, "version": 2}).encode(), "version 2"),
                        (b"{", "not valid JSON"),
                        (json.dumps({**data, "school": {}}).encode(), "names no school")):
        with pytest.raises(IndexRefused, match=reason):
            parse_index(bad, "http://127.0.0.1:9/sd/")


def test_the_archive_export_carries_the_schools_indexes(cluster: Cluster, tmp_path: Path) -> None:
    exported = tmp_path / "archive.jsonl"
    assert main(["archive", "export", str(exported), "--config", str(cluster.config)]) == 0
    records = [json.loads(line) for line in exported.read_text().splitlines()]
    portals = [r["portal"] for r in records if "portal" in r]
    assert [p["school"] for p in portals] == ["sma1", "sma2"]
    # A fresh runner, offline, from the export alone: the same teachers and posts.
    fresh = tmp_path / "fresh" / "site.yml"
    fresh.parent.mkdir()
    fresh.write_text(cluster.config.read_text())
    assert main(["archive", "import", str(exported), "--config", str(fresh)]) == 0
    report = build(fresh, tmp_path / "public", offline=True, now=NOW)
    assert (tmp_path / "public" / "guru" / "sma2-sari" / "2026-11-18-persamaan-kuadrat" /
            "index.html").is_file()
    assert report.posts == len(list((cluster.output / "guru").glob("*/20*/index.html")))


def test_a_schools_kinds_and_series_carry_over(cluster: Cluster) -> None:
    base = cluster.output / "guru" / "sma1-sari"
    second = (base / "2026-11-12-siklus-2" / "index.html").read_text()
    assert '<span class="badge ptk">PTK</span>' in second
    assert "Seri “PTK Kelas X”: bagian 2 dari 2" in second
    assert '<a rel="prev" href="../../../guru/sma1-sari/2026-11-11-siklus-1/index.html">' \
        in second


def test_the_cluster_publishes_its_own_index(cluster: Cluster) -> None:
    data = (cluster.output / "portal.json").read_bytes()
    index = parse_index(data, "https://gugus.example/")
    assert index.name == "Gugus Uji"
    assert {t.slug for t in index.teachers} >= {"sma1-sari", "sma2-sari"}


def test_an_unchanged_cluster_rebuild_reads_again_and_renders_nothing(cluster: Cluster) -> None:
    report = build(cluster.config, cluster.output, now=NOW + timedelta(minutes=5))
    assert report.current and not report.broken_feeds


def test_a_school_down_keeps_its_posts_and_is_reported(
        cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    cluster.down.close()
    report = build(cluster.config, cluster.output, now=NOW + timedelta(hours=1))
    assert report.broken_feeds
    assert {f.teacher for f in report.broken_feeds} == {"sma2-budi", "sma2-rina-kartika",
                                                        "sma2-sari"}
    post = cluster.output / "guru" / "sma2-sari" / "2026-11-18-persamaan-kuadrat"
    assert (post / "index.html").is_file()
    assert (cluster.output / "sekolah" / "sma2" / "index.html").is_file()
    capsys.readouterr()
    code = main(["report", "--config", str(cluster.config)])
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("SMA Dua"))
    assert "portal sekolah tidak terbaca" in line, out
    assert cluster.schools["sma2"] + "portal.json" in line
    school_one = next(line for line in out.splitlines() if line.startswith("SMA Uji Coba"))
    assert "tidak terbaca" not in school_one
    assert code == 0
    assert main(["report", "--strict", "--config", str(cluster.config)]) == 1
