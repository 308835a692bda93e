"""The example school at the repository root, built as a student would see it.

Expected values are written by hand from the example's own files (site.yml, feeds/,
content/), never computed by the code under test.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from ruamel.yaml import YAML

from generator.build import build
from tests.conftest import REPO, copy_example
from tests.site_checks import broken_relative_links, reparse_feeds

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
ATOM = "http://www.w3.org/2005/Atom"
"""The example's own day: its assignments are due around it, whatever today is."""


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example built from a copy, so the build's archive stays out of the repo."""
    root = tmp_path_factory.mktemp("example")
    copy_example(root)
    report = build(root / "site.yml", root / "public", offline=True, now=NOW)
    assert report.problems == ()
    assert report.broken_feeds == ()
    assert report.posts == 71  # 47 feed items + 25 Markdown posts - 1 draft
    return root / "public"


def page(output: Path, path: str) -> str:
    return (output / path).read_text(encoding="utf-8")


def times_in(html: str) -> list[datetime]:
    return [datetime.fromisoformat(t) for t in re.findall(r'<time datetime="([^"]+)"', html)]


def test_directory_lists_every_teacher_of_site_yml(output: Path) -> None:
    teachers = YAML(typ="safe").load((REPO / "site.yml").read_text())["teachers"]
    directory = page(output, "guru/index.html")
    assert len(teachers) == 14
    for teacher in teachers:
        assert f">{teacher['name']}</a>" in directory


def test_directory_shows_photo_or_initials_and_last_post(output: Path) -> None:
    directory = page(output, "guru/index.html")
    assert 'src="../guru/sari/foto.svg"' in directory
    assert ">BS</span>" in directory  # Drs. Bambang Sutrisno, M.Pd. has no photo
    assert "Belum ada tulisan" in directory  # Lukman Hakim has neither blog nor posts


def test_home_shows_newest_posts_first(output: Path) -> None:
    latest = page(output, "index.html").split('id="terbaru"')[1].split('id="per-mapel"')[0]
    dates = times_in(latest)
    assert len(dates) == 12
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("path", ["mapel/matematika/index.html", "guru/sari/index.html",
                                  "kelas/x-ipa-1/index.html", "mapel/geografi/index.html"])
def test_lists_are_newest_first(output: Path, path: str) -> None:
    dates = times_in(page(output, path))
    assert len(dates) >= 3
    assert dates == sorted(dates, reverse=True)


def test_subject_page_gathers_feed_and_markdown_teachers(output: Path) -> None:
    matematika = page(output, "mapel/matematika/index.html")
    assert "Trigonometri: Perbandingan pada Segitiga Siku-Siku" in matematika  # Sari, WordPress
    assert "Persamaan Lingkaran" in matematika  # Endang, Markdown


def test_post_tagged_for_one_subject_stays_off_the_teachers_other_subject(output: Path) -> None:
    # Pak Yusuf teaches Geografi and Sosiologi; this post is categorised Geografi only.
    assert "Dinamika Litosfer" in page(output, "mapel/geografi/index.html")
    assert "Dinamika Litosfer" not in page(output, "mapel/sosiologi/index.html")
    # His evacuation-drill announcement names no subject: it goes to both of his.
    assert "Simulasi Evakuasi Gempa Bumi" in page(output, "mapel/sosiologi/index.html")


def test_assignment_shows_its_due_date(output: Path) -> None:
    assignments = page(output, "tugas/index.html")
    upcoming, past = assignments.split("Sudah lewat batas waktu")
    # Due 18 December 2026 for XI MIPA 1, XI MIPA 2 and XI IPS 1: listed under each.
    for name in ("XI MIPA 1", "XI MIPA 2", "XI IPS 1"):
        group = upcoming.split(f"<h3>Kelas {name}</h3>")[1].split("<h3>")[0]
        assert "Tugas: Laporan Kunjungan Museum" in group
        assert "Jumat, 18 Desember 2026" in group
    assert "<h3>Kelas X IPA 1</h3>" in upcoming
    assert "Tugas: Laporan Kunjungan Museum" not in upcoming.split("<h3>Kelas X IPA 1</h3>")[1] \
        .split("<h3>")[0]
    assert "Tugas: Menyetarakan Persamaan Reaksi" in past  # due 26 October 2026
    post = page(output, "guru/wahyu/2026-11-20-laporan-kunjungan-museum/index.html")
    assert "Dikumpulkan paling lambat Jumat, 18 Desember 2026" in post


def test_draft_is_not_published(output: Path) -> None:
    assert "kisi-kisi-pas-matematika-xi" not in page(output, "guru/endang/index.html")
    assert not list(output.glob("guru/endang/*kisi-kisi-pas-matematika-xi*"))


def test_foreign_html_is_sanitized_and_videos_kept(output: Path) -> None:
    pages = "".join(p.read_text(encoding="utf-8") for p in output.glob("guru/*/*/index.html"))
    assert "platform.twitter.com" not in pages
    # The theme's own script is the only one on any page.
    scripts = re.findall(r"<script[^>]*>", pages)
    assert {re.sub(r"\.[0-9a-f]{10}\.js", ".js", script) for script in scripts} == {
        '<script src="../../../assets/waktu.js" defer>',
        '<script src="../../../assets/video.js" defer>'}  # videos play on a tap (issue 27)
    assert "www.google.com/maps" not in pages  # iframes only from YouTube
    # Videos are links to YouTube that load its player only on a tap (issue 27).
    assert "<iframe" not in pages
    assert 'data-player="https://www.youtube-nocookie.com/embed/' in pages


def test_every_feed_reparses(output: Path) -> None:
    counts = reparse_feeds(output)
    assert counts["feed.xml"] == 30  # capped
    assert counts["guru/bayu/feed.json"] == 7


def test_feeds_link_to_videos_instead_of_embedding_them(output: Path) -> None:
    """The W3C validator warned "content should not contain iframe tag" on every feed.xml
    (issue 26): the feeds carry a link to the video's page, named by the embed's title."""
    feeds = sorted([*output.rglob("feed.xml"), *output.rglob("feed.json")])
    assert len(feeds) > 20
    assert [feed for feed in feeds if "iframe" in feed.read_text(encoding="utf-8")] == []
    atom = ET.parse(output / "guru/yusuf/feed.xml").getroot()
    contents = [content.text or "" for content in atom.iter(f"{{{ATOM}}}content")]
    assert any('<p><a href="https://www.youtube.com/watch?v=Lp3vD8xKq1s">Animasi Gerak '
               "Lempeng Tektonik dan Terjadinya Gempa Bumi</a></p>" in text for text in contents)
    items = json.loads(page(output, "feed.json"))["items"]
    assert any('<a href="https://www.youtube.com/watch?v=tZ1fB7rMe5i">YouTube</a>'
               in item["content_html"] for item in items)
    # The pages keep the video, as a link that loads the player on a tap (issue 27).
    assert 'data-player="https://www.youtube-nocookie.com/embed/Lp3vD8xKq1s' in "".join(
        page(output, str(path.relative_to(output)))
        for path in (output / "guru/yusuf").rglob("index.html"))


def test_no_broken_relative_links(output: Path) -> None:
    assert broken_relative_links(output) == []
