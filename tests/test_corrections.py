"""koreksi.yml: the school corrects what was read from a blog post (issue 20).

Loaded and checked like site.yml (`koreksi.yml:LINE: message`, did-you-mean); a bad
correction is left out and the build still done, with exit code 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from textwrap import dedent
from zoneinfo import ZoneInfo

from generator.collect import collect
from generator.config import load_corrections, load_site
from generator.models import Correction, Corrections, Entry, School, Site, Teacher, pack_html
from generator.serve import snapshot

JAKARTA = ZoneInfo("Asia/Jakarta")
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=JAKARTA)
STATISTIKA = "https://pakbudi.example/2026/11/12/pr-statistika/"
NEWTON = "https://pakbudi.example/2026/11/10/hukum-newton/"


def write(site_yml: Path, text: str) -> None:
    (site_yml.parent / "koreksi.yml").write_text(dedent(text), encoding="utf-8")


def corrections_of(site_yml: Path, text: str) -> tuple[Corrections, list[str]]:
    write(site_yml, text)
    corrections, problems = load_corrections(load_site(site_yml))
    return corrections, [str(p) for p in problems]


# -- loading ------------------------------------------------------------------------------


def test_no_file_means_no_corrections(tiny_site: Path) -> None:
    assert load_corrections(load_site(tiny_site)) == (Corrections(), [])


def test_a_valid_file(tiny_site: Path) -> None:
    corrections, problems = corrections_of(tiny_site, f"""\
        # Koreksi dari sekolah
        {STATISTIKA}:
          due: 2026-11-20
          classes: [xi-1, X 2]
        {NEWTON}:
          kind: tugas
          due: 2026-11-18 07:30
        https://pakbudi.example/lama/:
          hidden: true
        """)
    assert problems == []
    statistika, newton, old = corrections.items
    assert statistika == Correction(
        address=STATISTIKA, due=datetime(2026, 11, 20, 23, 59, tzinfo=JAKARTA),
        due_all_day=True, classes=("XI-1", "X-2"), line=2)
    assert (newton.kind, newton.due, newton.due_all_day) == (
        "tugas", datetime(2026, 11, 18, 7, 30, tzinfo=JAKARTA), False)
    assert old.hidden
    # The address as a browser may give it: another scheme, no last slash.
    assert corrections.of("http://PAKBUDI.example/2026/11/12/pr-statistika") == statistika


def test_every_mistake_with_its_line_and_a_suggestion(tiny_site: Path) -> None:
    corrections, problems = corrections_of(tiny_site, f"""\
        {STATISTIKA}:
          kelas: [X-1]
          kind: tgas
        {NEWTON}:
          due: 18 Desember
          classes: [XII-1]
        bukan-alamat:
          hidden: ya
        https://pakbudi.example/kosong/:
        https://pakbudi.example/baik/:
          due: 2026-12-18
        """)
    assert problems == [
        "koreksi.yml:2: kunci 'kelas' tidak dikenal (maksud Anda: 'classes'?)",
        "koreksi.yml:3: jenis 'tgas' tidak dikenal; pilih materi, tugas, atau pengumuman "
        "(maksud Anda: 'tugas'?)",
        "koreksi.yml:5: tanggal '18 Desember' tidak bisa dibaca; tulis misalnya 2026-12-18 "
        "atau 2026-12-18 23:59",
        "koreksi.yml:6: kelas 'XII-1' belum ada di daftar 'classes' site.yml "
        "(maksud Anda: 'XI-1'?)",
        "koreksi.yml:7: 'bukan-alamat' bukan alamat tulisan; salin alamat lengkapnya dari "
        "peramban, misalnya https://namaguru.blogspot.com/2026/12/tugas.html",
        "koreksi.yml:8: 'hidden' harus true atau false, bukan 'ya'",
        "koreksi.yml:9: koreksi untuk 'https://pakbudi.example/kosong/' harus berupa "
        "kumpulan kunci seperti 'due: 2026-12-18' (kunci: kind, due, classes, hidden)",
    ]
    # The correct one still applies.
    assert [c.address for c in corrections.items] == ["https://pakbudi.example/baik/"]


def test_a_yaml_mistake_is_located(tiny_site: Path) -> None:
    _, problems = corrections_of(tiny_site, f"""\
        {STATISTIKA}:
          due: "2026-11-20
        """)
    assert problems and problems[0].startswith("koreksi.yml:2: penulisan YAML salah")


def test_a_file_that_is_not_a_mapping(tiny_site: Path) -> None:
    _, problems = corrections_of(tiny_site, "- https://pakbudi.example/\n")
    assert problems[0].startswith("koreksi.yml:1: koreksi ditulis per alamat tulisan")


# -- in collect ---------------------------------------------------------------------------


def _site() -> Site:
    return Site(school=School("SMA Uji", "https://uji.sch.id/", "id", "Asia/Jakarta"),
                subjects=(), classes=("X IPA 1", "X IPA 2"),
                teachers=(Teacher("Sari", "sari", (), ("X IPA 1",)),),
                root=Path("/sekolah"), config_file=Path("/sekolah/site.yml"))


def _entry(title: str, text: str) -> Entry:
    link = f"https://sari.example/{title.lower().replace(' ', '-')}/"
    return Entry(teacher="sari", entry_id=link, origin="feed", title=title, published=MONDAY,
                 html=pack_html(f"<p>{text}</p>"), link=link)


def test_corrections_win_over_the_reading() -> None:
    read = _entry("Tugas SPLDV", "Dikumpulkan besok melalui Google Classroom.")
    materi = _entry("Materi Vektor", "Pelajari bab vektor.")
    hidden = _entry("Tugas Lama", "Dikumpulkan besok.")
    demoted = _entry("Tugas Salah", "Dikumpulkan besok.")
    corrections = Corrections((
        Correction(read.link or "", due=datetime(2026, 12, 18, 10, 0, tzinfo=JAKARTA),
                   classes=("X IPA 2",)),
        Correction(materi.link or "", due=datetime(2026, 12, 11, 23, 59, tzinfo=JAKARTA),
                   due_all_day=True),
        Correction(hidden.link or "", hidden=True),
        Correction(demoted.link or "", kind="pengumuman"),
    ))
    portal = collect(_site(), [read, materi, hidden, demoted], [], [], MONDAY, corrections)
    posts = {post.title: post for post in portal.posts}
    assert "Tugas Lama" not in posts
    spldv = posts["Tugas SPLDV"]
    assert (spldv.kind, spldv.due, spldv.due_all_day, spldv.due_read, spldv.classes,
            spldv.hand_in) == ("tugas", datetime(2026, 12, 18, 10, 0, tzinfo=JAKARTA), False,
                               False, ("X IPA 2",), "melalui Google Classroom")
    vektor = posts["Materi Vektor"]  # a deadline makes it an assignment
    assert (vektor.kind, vektor.due_all_day, vektor.due_read) == ("tugas", True, False)
    salah = posts["Tugas Salah"]
    assert (salah.kind, salah.due, salah.due_read) == ("pengumuman", None, False)
    assert portal.unused_corrections == ()  # the hidden one was used too


def test_a_correction_for_an_address_no_post_has_is_unused() -> None:
    typo = Correction("https://sari.example/tugas-spdlv/", due=MONDAY, line=4)
    portal = collect(_site(), [_entry("Tugas SPLDV", "Dikumpulkan besok.")], [], [], MONDAY,
                     Corrections((typo,)))
    assert portal.unused_corrections == (typo,)


# -- the commands -------------------------------------------------------------------------


def test_serve_rebuilds_when_the_corrections_change(tiny_site: Path) -> None:
    before = snapshot(tiny_site)
    write(tiny_site, f"{STATISTIKA}:\n  due: 2026-11-20\n")
    assert snapshot(tiny_site) != before


def mading(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The build's clock: 15 November 2026, days after the feed's posts.
    moment = int(datetime(2026, 11, 15, tzinfo=JAKARTA).timestamp())
    environment = {**os.environ, "SOURCE_DATE_EPOCH": str(moment)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env=environment)


def test_a_bad_corrections_file_fails_the_build_with_its_lines_but_builds(
        tiny_site: Path) -> None:
    write(tiny_site, f"""\
        {STATISTIKA}:
          due: 2026-11-20 07:00
        {NEWTON}:
          kind: tgas
        """)
    result = mading("build", "--offline", "--output", "public", cwd=tiny_site.parent)
    assert result.returncode == 2, result.stderr
    assert "koreksi.yml:4: jenis 'tgas' tidak dikenal" in result.stderr
    assert "Traceback" not in result.stderr
    assert (tiny_site.parent / "public" / "index.html").is_file()
    check = mading("check", cwd=tiny_site.parent)
    assert check.returncode == 2 and "koreksi.yml:4:" in check.stderr


def test_a_correction_no_post_matches_is_a_problem_of_its_line(tiny_site: Path) -> None:
    write(tiny_site, """\
        # alamat salah ketik
        https://pakbudi.example/2026/11/12/pr-statstika/:
          due: 2026-11-20
        """)
    result = mading("build", "--offline", "--output", "public", cwd=tiny_site.parent)
    assert result.returncode == 2, result.stderr
    assert ("koreksi.yml:2: tidak ada tulisan blog dengan alamat "
            "https://pakbudi.example/2026/11/12/pr-statstika/") in result.stderr
    assert (tiny_site.parent / "public" / "index.html").is_file()


def test_the_report_lists_blog_assignments_and_marks_corrected_ones(tiny_site: Path) -> None:
    write(tiny_site, f"""\
        {STATISTIKA}:
          due: 2026-11-20 07:00
        """)
    assert mading("fetch", cwd=tiny_site.parent).returncode == 0
    result = mading("report", cwd=tiny_site.parent)
    assert result.returncode == 0, result.stderr
    section = result.stdout.split("Tugas dari blog guru", 1)[1]
    assert "(1)" in section.splitlines()[0]
    assert ("budi — PR Statistika — Jumat, 20 November 2026 07.00 — XI-1 — "
            f"dikoreksi sekolah — {STATISTIKA}") in section
