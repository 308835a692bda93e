"""The pages students use (issue: subjects, classes, assignments, directory, micro-sites).

Built from the tiny fixture with a few more posts, a page size of 5 and a fixed 'now'.
"""

from __future__ import annotations

import gzip
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest

from generator.build import build
from generator.errors import InputError
from tests.conftest import FIXTURES, copy_site
from tests.site_checks import broken_relative_links, reparse_feeds

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10.00 in Jakarta


def add_posts(site: Path) -> None:
    """Twelve more materials for Sari (X-1 and X-2 alternately) and two assignments."""
    folder = site.parent / "content" / "sari"
    for day in range(1, 13):
        cls = "X-1" if day % 2 else "X-2"
        (folder / f"2026-10-{day:02d}-materi-{day}.md").write_text(
            f"---\ntitle: Materi {day}\ndate: 2026-10-{day:02d}\nclasses: [{cls}]\n"
            f"tags: [aljabar]\n---\n\nIsi materi {day}.\n")
    (folder / "2026-11-21-tugas-besok.md").write_text(
        "---\ntitle: Tugas Besok\ndate: 2026-11-21\nkind: tugas\ndue: 2026-11-24 07:00\n"
        "classes: [X-2]\n---\n\nKerjakan.\n")
    (folder / "2026-11-01-tugas-lewat.md").write_text(
        "---\ntitle: Tugas Lewat\ndate: 2026-11-01\nkind: tugas\ndue: 2026-11-05\n"
        "classes: [X-1]\n---\n\nSudah lewat.\n")


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("portal")
    site = copy_site(FIXTURES / "tiny", root / "site")
    site.write_text(site.read_text() + "portal:\n  page_size: 5\n  active_days: 14\n")
    add_posts(site)
    report = build(site, root / "public", offline=True, now=NOW)
    assert report.problems == ()
    return root / "public"


def read(output: Path, path: str) -> str:
    return (output / path).read_text(encoding="utf-8")


def titles(html: str) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', html)


def test_subject_listing_is_paginated_newest_first(output: Path) -> None:
    # Matematika: Sari's 16 posts + Budi's "PR Statistika" = 17 -> 4 pages of 5.
    first = read(output, "mapel/matematika/index.html")
    assert titles(first) == ["Tugas Besok", "Tugas Persamaan Kuadrat", "Persamaan Kuadrat",
                             "PR Statistika", "Tugas Lewat"]
    assert "Halaman 1 dari 4" in first
    assert 'rel="next" href="../../mapel/matematika/halaman/2/index.html"' in first
    last = read(output, "mapel/matematika/halaman/4/index.html")
    assert titles(last) == ["Materi 2", "Materi 1"]
    assert 'rel="prev" href="../../../../mapel/matematika/halaman/3/index.html"' in last
    assert not (output / "mapel/matematika/halaman/5").exists()


def test_subject_narrows_by_class_with_plain_links(output: Path) -> None:
    page = read(output, "mapel/matematika/index.html")
    assert 'href="../../mapel/matematika/kelas/x-1/index.html">X-1</a>' in page
    narrowed = read(output, "mapel/matematika/kelas/x-2/index.html")
    assert "Tugas Besok" in narrowed and "Materi 12" in narrowed
    assert "Materi 1<" not in narrowed  # an X-1 post
    assert 'aria-current="page">X-2</a>' in narrowed


def test_class_page_shows_upcoming_assignments_first(output: Path) -> None:
    page = read(output, "kelas/x-2/index.html")
    upcoming = page.split('id="tugas-kelas"')[1].split("</section>")[0]
    assert "Tugas Besok" in upcoming and "Tugas Lewat" not in upcoming


def test_assignments_by_class_with_date_and_time_left(output: Path) -> None:
    page = read(output, "tugas/index.html")
    upcoming, past = page.split("Sudah lewat batas waktu")
    x2 = upcoming.split("<h3>Kelas X-2</h3>")[1].split("</section>")[0]
    assert "Tugas Besok" in x2
    # Due Tuesday 24 November 07.00 in Jakarta; built Monday 23 November 10.00.
    assert "Selasa, 24 November 2026 pukul 07.00 WIB" in x2
    assert 'data-due="2026-11-24T07:00+07:00">dalam 21 jam</span>' in x2
    assert "Tugas Lewat" in past.split("<h3>Kelas X-1</h3>")[1]
    # Due 5 November 23.59: 17 days and 10 hours before the build.
    assert ">17 hari yang lalu</span>" in past
    assert re.search(r'<script src="\.\./assets/waktu\.[0-9a-f]{10}\.js" defer></script>', page)


def test_directory_views_and_activity_badge(output: Path) -> None:
    by_name = read(output, "guru/index.html")
    names = re.findall(r'class="name" href="[^"]+">([^<]+)<', by_name)
    assert names == ["Budi Santoso, S.Si.", "Rina Kartika, S.Pd.", "Sari Wulandari, S.Pd."]
    by_subject = read(output, "guru/mapel/index.html")
    assert re.findall(r"<h2>([^<]+)</h2>", by_subject) == ["Matematika", "Fisika",
                                                          "Bahasa Inggris"]
    latest = read(output, "guru/terbaru/index.html")
    assert re.findall(r'class="name" href="[^"]+">([^<]+)<', latest)[0] == \
        "Sari Wulandari, S.Pd."
    # active_days: 14. Sari posted 21 Nov, Budi 12 Nov (11 days), Rina 5 Nov (18 days).
    active = re.findall(r'>([^<]+)</a>\s*<span class="badge aktif">', by_name)
    assert active == ["Budi Santoso, S.Si.", "Sari Wulandari, S.Pd."]


def test_micro_site_has_profile_archive_by_month_and_tags(output: Path) -> None:
    home = read(output, "guru/sari/index.html")
    assert "Guru matematika sejak 2009." in home
    assert '<a href="../../guru/sari/arsip/2026-10/index.html">Oktober 2026</a> (12)' in home
    assert '<a href="../../guru/sari/label/aljabar/index.html">aljabar</a>' in home
    october = read(output, "guru/sari/arsip/2026-10/index.html")
    assert "<h1>Tulisan Oktober 2026</h1>" in october
    assert "Halaman 1 dari 3" in october
    tag = read(output, "guru/sari/label/aljabar/index.html")
    assert "Persamaan Kuadrat" in tag  # tagged aljabar in the fixture


def test_share_link_carries_title_due_date_and_url(output: Path) -> None:
    page = read(output, "guru/sari/2026-11-21-tugas-besok/index.html")
    [link] = re.findall(r'href="(https://wa\.me/\?text=[^"]+)"', page)
    assert unquote(link.split("text=")[1]) == (
        "Tugas Besok\nDikumpulkan paling lambat Selasa, 24 November 2026 pukul 07.00 WIB\n"
        "https://uji.sch.id/portal/guru/sari/2026-11-21-tugas-besok/")


def test_every_listing_feed_reparses_and_links_hold(output: Path) -> None:
    counts = reparse_feeds(output)
    # six materials, Tugas Besok, Tugas Persamaan Kuadrat, and Rina's
    # Recount Text, categorised "kelas X" (every class of grade X).
    assert counts["kelas/x-2/feed.xml"] == 9
    assert broken_relative_links(output) == []


def test_home_page_with_css_is_under_30_kb_gzipped(output: Path) -> None:
    home = (output / "index.html").read_bytes()
    [css] = [path.read_bytes() for path in (output / "assets").glob("style.*.css")]
    [script] = [path.read_bytes() for path in (output / "assets").glob("waktu.*.js")]
    assert len(gzip.compress(home + css + script)) <= 30 * 1024


def test_standalone_teacher_site(tiny_site: Path, tmp_path: Path) -> None:
    add_posts(tiny_site)
    out = tmp_path / "sari-site"
    build(tiny_site, out, offline=True, now=NOW, teacher="sari")
    home = read(out, "index.html")
    assert "<h1>Sari Wulandari, S.Pd.</h1>" in home
    assert (out / "2026-11-18-persamaan-kuadrat" / "index.html").is_file()
    assert (out / "2026-11-18-persamaan-kuadrat" / "grafik.svg").is_file()
    assert (out / "feed.xml").is_file() and (out / "404.html").is_file()
    assert (out / "foto.svg").is_file()
    assert not (out / "guru").exists() and not (out / "mapel").exists()
    assert broken_relative_links(out) == []
    assert reparse_feeds(out)["feed.xml"] == 16  # every post of Sari's but the draft


def test_standalone_build_of_an_unknown_teacher_is_refused(tiny_site: Path,
                                                          tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        build(tiny_site, tmp_path / "x", offline=True, teacher="sary")
    assert [str(p) for p in caught.value.problems] == [
        "--teacher: tidak ada guru dengan slug 'sary' di site.yml (maksud Anda: 'sari'?); "
        "slug guru yang ada: sari, budi, rina-kartika"]
    assert not (tmp_path / "x").exists()


def test_reserved_names_do_not_collide_with_posts(tiny_site: Path, tmp_path: Path) -> None:
    shutil.copy(tiny_site.parent / "content" / "sari" / "2026-11-19-tugas-kuadrat.md",
                tiny_site.parent / "content" / "sari" / "arsip.md")
    out = tmp_path / "public"
    build(tiny_site, out, offline=True, now=NOW)
    assert (out / "guru" / "sari" / "arsip-2" / "index.html").is_file()
