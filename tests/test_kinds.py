"""Kinds beyond materi, tugas and pengumuman, and series followed from post to post
(issue 25 item 4): a working group's lesson plans (RPP) and PTK cycles."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.build import build
from tests.test_config import problems, site_dir

__all__ = ["site_dir"]  # the fixture, used by name

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
KINDS = """\
kinds:
  - {name: rpp, label: RPP, aliases: [modul ajar, rencana pelaksanaan pembelajaran]}
  - {name: ptk, label: PTK, aliases: [penelitian tindakan kelas]}
"""


def add_series(site: Path) -> None:
    site.write_text(site.read_text() + KINDS)
    folder = site.parent / "content" / "sari"
    for day, cycle, kind in ((10, 2, "PTK"), (3, 1, "penelitian tindakan kelas"),
                             (17, 3, "ptk")):
        (folder / f"2026-11-{day:02d}-siklus-{cycle}.md").write_text(
            f"---\ntitle: Siklus {cycle}\ndate: 2026-11-{day:02d}\nkind: {kind}\n"
            "series: PTK Kelas X\n---\n\nCatatan siklus.\n")
    (folder / "2026-11-12-rpp.md").write_text(
        "---\ntitle: RPP Persamaan\ndate: 2026-11-12\nkind: Modul Ajar\n---\n\nIsi.\n")


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import FIXTURES, copy_site

    root = tmp_path_factory.mktemp("kinds")
    site = copy_site(FIXTURES / "tiny", root / "site")
    add_series(site)
    report = build(site, root / "public", offline=True, now=NOW)
    assert report.problems == ()
    return root / "public"


def test_a_declared_kind_is_shown_by_its_label(output: Path) -> None:
    page = (output / "guru" / "sari" / "2026-11-12-rpp" / "index.html").read_text()
    assert '<span class="badge rpp">RPP</span>' in page
    listing = (output / "guru" / "sari" / "index.html").read_text()
    assert '<span class="badge ptk">PTK</span>' in listing


def test_a_series_is_followed_from_post_to_post(output: Path) -> None:
    base = output / "guru" / "sari"
    link = '<a rel="{}" href="../../../guru/sari/2026-11-{}/index.html">{}</a>'
    first = (base / "2026-11-03-siklus-1" / "index.html").read_text()
    second = (base / "2026-11-10-siklus-2" / "index.html").read_text()
    third = (base / "2026-11-17-siklus-3" / "index.html").read_text()
    assert "Seri “PTK Kelas X”: bagian 1 dari 3" in first
    assert 'rel="prev"' not in first
    assert link.format("next", "10-siklus-2", "Siklus 2 →") in first
    assert "bagian 2 dari 3" in second
    assert link.format("prev", "03-siklus-1", "← Siklus 1") in second
    assert link.format("next", "17-siklus-3", "Siklus 3 →") in second
    assert "bagian 3 dari 3" in third and 'rel="next"' not in third
    other = (base / "2026-11-12-rpp" / "index.html").read_text()
    assert 'class="series' not in other


def test_the_json_feed_carries_kind_and_series(output: Path) -> None:
    feed = json.loads((output / "guru" / "sari" / "feed.json").read_text())
    items = {item["title"]: item["_mading"] for item in feed["items"]}
    assert items["Siklus 2"] == {"kind": "ptk", "classes": ["X-1", "X-2"],
                                 "series": "PTK Kelas X",
                                 "teacher": {"slug": "sari", "name": "Sari Wulandari, S.Pd.",
                                             "school": "SMA Uji Coba"}}
    assert items["RPP Persamaan"]["kind"] == "rpp"
    index = json.loads((output / "portal.json").read_text())
    assert index["kinds"][0] == {"name": "rpp", "label": "RPP",
                                 "aliases": ["modul ajar", "rencana pelaksanaan pembelajaran"]}


def test_a_post_of_an_undeclared_kind_names_the_declared_ones(tiny_site: Path) -> None:
    tiny_site.write_text(tiny_site.read_text() + KINDS)
    post = tiny_site.parent / "content" / "sari" / "2026-11-12-x.md"
    post.write_text("---\ntitle: X\ndate: 2026-11-12\nkind: lesson study\n---\n\nIsi.\n")
    from generator.config import load_site
    from generator.sources.content import read_content

    found = [str(p) for p in read_content(load_site(tiny_site), now=NOW).problems]
    assert len(found) == 1 and found[0].startswith("content/sari/2026-11-12-x.md:4:")
    assert "materi, tugas, pengumuman, rpp, ptk" in found[0]


def test_kinds_mistakes_are_located(site_dir: Path) -> None:
    assert problems("""\
        school: {name: SMA}
        kinds:
          - {name: RPP Baru}
          - {name: ptk, alias: [x]}
          - {name: lesson-study, aliases: [tugas]}
          - {name: rpp, aliases: [ptk]}
        """) == [
        "site.yml:3: 'kinds.name': 'RPP Baru' hanya boleh berisi huruf kecil, angka, dan "
        "tanda hubung (contoh: sari-wulandari)",
        "site.yml:4: kunci 'kinds.alias' tidak dikenal (maksud Anda: 'aliases'?)",
        "site.yml:5: 'tugas' sudah dipakai untuk jenis 'tugas'; setiap nama, label, dan alias "
        "jenis hanya boleh menunjuk satu jenis",
        "site.yml:6: 'ptk' sudah dipakai untuk jenis 'ptk'; setiap nama, label, dan alias "
        "jenis hanya boleh menunjuk satu jenis",
    ]
