"""End-to-end build of the tiny fixture site: URL layout, links, feeds, outputs."""

from __future__ import annotations

import gc
import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.build import build
from generator.models import Post
from tests.conftest import FIXTURES, copy_site
from tests.site_checks import broken_relative_links, reparse_feeds

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build shared by the read-only tests of this module."""
    root = tmp_path_factory.mktemp("tiny")
    out = root / "public"
    report = build(copy_site(FIXTURES / "tiny", root / "site"), out, offline=True, now=NOW)
    assert report.problems == ()
    assert report.broken_feeds == ()
    return out


LAYOUT = [
    "index.html", "404.html", "robots.txt", "sitemap.xml", "blogroll.opml",
    "feed.xml", "feed.json", "assets/favicon.svg",
    "mapel/index.html", "mapel/matematika/index.html", "mapel/matematika/feed.xml",
    "mapel/matematika/feed.json", "mapel/fisika/index.html", "mapel/bahasa-inggris/index.html",
    "guru/index.html", "guru/sari/index.html", "guru/sari/feed.xml", "guru/sari/feed.json",
    "guru/sari/foto.svg", "guru/budi/index.html", "guru/rina-kartika/index.html",
    "guru/sari/2026-11-18-persamaan-kuadrat/index.html",
    "guru/sari/2026-11-18-persamaan-kuadrat/grafik.svg",
    "guru/budi/2026-11-10-hukum-newton-gaya-gesek/index.html",
    "kelas/index.html", "kelas/x-1/index.html", "kelas/xi-1/feed.xml", "tugas/index.html",
]


@pytest.mark.parametrize("path", LAYOUT)
def test_url_layout(output: Path, path: str) -> None:
    assert (output / path).is_file()


def test_draft_is_not_published(output: Path) -> None:
    assert not (output / "guru/sari/2026-11-20-draf").exists()
    assert "Draf Belum Siap" not in (output / "guru/sari/index.html").read_text()


def test_no_broken_relative_links(output: Path) -> None:
    assert broken_relative_links(output) == []


def test_every_feed_reparses(output: Path) -> None:
    counts = reparse_feeds(output)
    assert counts["feed.xml"] == 5
    assert counts["feed.json"] == 5
    assert counts["guru/sari/feed.xml"] == 2
    # Budi's "PR Statistika" is tagged MTK: it is on Matematika, not on Fisika.
    assert counts["mapel/fisika/feed.xml"] == 1
    assert counts["mapel/matematika/feed.json"] == 3


def test_feeds_carry_absolute_urls_from_school_url(output: Path) -> None:
    feed = json.loads((output / "guru/budi/feed.json").read_text())
    urls = [item["url"] for item in feed["items"]]
    assert urls == [
        "https://uji.sch.id/portal/guru/budi/2026-11-12-pr-statistika/",
        "https://uji.sch.id/portal/guru/budi/2026-11-10-hukum-newton-gaya-gesek/",
    ]
    assert feed["items"][1]["external_url"] == "https://pakbudi.example/2026/11/10/hukum-newton/"


def test_sitemap_lists_pages_with_absolute_urls(output: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ET.parse(output / "sitemap.xml").getroot()
    locations = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    assert "https://uji.sch.id/portal/" in locations
    assert "https://uji.sch.id/portal/guru/sari/2026-11-18-persamaan-kuadrat/" in locations
    assert all(loc and loc.startswith("https://uji.sch.id/portal/") for loc in locations)
    assert "Sitemap: https://uji.sch.id/portal/sitemap.xml" in (output / "robots.txt").read_text()


def test_blogroll_lists_original_feeds(output: Path) -> None:
    outlines = ET.parse(output / "blogroll.opml").getroot().findall("body/outline")
    by_name = {o.get("text"): o for o in outlines}
    assert set(by_name) == {"Budi Santoso, S.Si.", "Rina Kartika, S.Pd."}
    assert by_name["Budi Santoso, S.Si."].get("xmlUrl") == "https://pakbudi.example/feed/"
    assert by_name["Rina Kartika, S.Pd."].get("htmlUrl") == "https://missrina.example/"


def test_assignment_shows_due_date_in_indonesian(output: Path) -> None:
    page = (output / "guru/sari/2026-11-19-tugas-kuadrat/index.html").read_text()
    assert "Dikumpulkan paling lambat Selasa, 1 Desember 2026" in page
    assignments = (output / "tugas/index.html").read_text()
    upcoming, past = assignments.split("Sudah lewat batas waktu")
    assert "Tugas Persamaan Kuadrat" in upcoming
    assert "Tugas Persamaan Kuadrat" not in past


def test_not_found_page_links_through_absolute_site_url(output: Path) -> None:
    page = (output / "404.html").read_text()
    assert re.search(r'href="https://uji\.sch\.id/portal/assets/style\.[0-9a-f]{10}\.css"', page)


def test_rebuild_replaces_output_and_leaves_no_staging_folders(
        tiny_site: Path, tmp_path: Path) -> None:
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    (output / "stale.html").write_text("old")
    build(tiny_site, output, offline=True, now=NOW)
    assert not (output / "stale.html").exists()
    assert (output / "index.html").is_file()
    # The retired output is kept as the next build's staging folder (generator/write.py).
    leftovers = [p.name for p in output.parent.iterdir()
                 if p.name.startswith(".public") and p.name != ".public.lock"]
    assert leftovers == [".public.spare"]
    assert (output.parent / ".public.spare" / "stale.html").is_file()
    # Built in the spare folder, which held stale.html: removed there too.
    (output / "stale.html").write_text("old")
    build(tiny_site, output, offline=True, now=NOW)
    assert not (output / "stale.html").exists()


def test_a_finished_build_lets_go_of_its_posts(tiny_site: Path, tmp_path: Path) -> None:
    """The theme's environment outlives a build; what the build put in it must not keep
    the posts alive (a district's 90,000, while its output is listed and recorded)."""
    def posts_alive() -> set[int]:
        return {id(o) for o in gc.get_objects() if isinstance(o, Post)}

    gc.collect()
    before = posts_alive()
    report = build(tiny_site, tmp_path / "public", offline=True, now=NOW)
    assert report.posts > 0
    gc.collect()
    assert posts_alive() - before == set()


def test_english_site_uses_english_strings_and_dates(tiny_site: Path, tmp_path: Path) -> None:
    config = tiny_site.read_text().replace("language: id", "language: en")
    tiny_site.write_text(config)
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    home = (output / "index.html").read_text()
    assert '<html lang="en">' in home
    assert ">Home</a>" in home and ">Beranda</a>" not in home
    page = (output / "guru/sari/2026-11-19-tugas-kuadrat/index.html").read_text()
    assert "Due Tuesday, 1 December 2026" in page
    assert json.loads((output / "feed.json").read_text())["language"] == "en"


def test_embed_hosts_from_site_yml_reach_sanitizer_and_csp(tiny_site: Path,
                                                         tmp_path: Path) -> None:
    tiny_site.write_text(tiny_site.read_text() + "embeds: [docs.google.com]\n")
    post = tiny_site.parent / "content" / "sari" / "2026-11-21-slide.md"
    post.write_text("---\ntitle: Slide\ndate: 2026-11-21\n---\n\n"
                    '<iframe src="https://docs.google.com/presentation/d/abc/embed"></iframe>\n'
                    '<iframe src="https://www.youtube.com/embed/abc123"></iframe>\n')
    output = tmp_path / "public"
    build(tiny_site, output, offline=True, now=NOW)
    page = (output / "guru/sari/2026-11-21-slide/index.html").read_text()
    assert 'src="https://docs.google.com/presentation/d/abc/embed"' in page
    assert "youtube.com/embed" not in page  # the list replaces the default
    assert "frame-src https://docs.google.com;" in page
    budi = (output / "guru/budi/2026-11-10-hukum-newton-gaya-gesek/index.html").read_text()
    assert "<iframe" not in budi


def test_default_csp_allows_only_youtube_frames(output: Path) -> None:
    page = html.unescape((output / "index.html").read_text())
    assert ("frame-src https://www.youtube.com https://www.youtube-nocookie.com; "
            "style-src 'self'; script-src 'self'") in page
