"""Teachers' Markdown posts: what a valid front matter becomes, and the exact message for
every kind of mistake (`content/<teacher>/<file>.md:LINE: message`, LINE counted in the whole
file). A bad post is left out and reported; the other posts still build.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from textwrap import dedent
from zoneinfo import ZoneInfo

import pytest

from generator.config import load_site
from generator.incremental.cache import BuildCache
from generator.incremental.memos import PostCache
from generator.models import Entry
from generator.sources.content import read_content

GOOD_POSTS = ("content/sari/2026-11-18-persamaan-kuadrat.md",
              "content/sari/2026-11-19-tugas-kuadrat.md", "content/sari/2026-11-20-draf.md")
JAKARTA = ZoneInfo("Asia/Jakarta")


def write_post(site_yml: Path, text: str, where: str = "sari/x.md") -> Path:
    path = site_yml.parent / "content" / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")
    return path


def set_school(site_yml: Path, key: str, value: str) -> None:
    """Change one `school:` setting of the tiny site (it sets language and timezone)."""
    lines = site_yml.read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(f"  {key}:"))
    lines[index] = f"  {key}: {value}\n"
    site_yml.write_text("".join(lines))


def problems(site_yml: Path, text: str, where: str = "sari/x.md") -> list[str]:
    """The lines a user sees once `text` is saved as `content/<where>` in the tiny site."""
    write_post(site_yml, text, where)
    result = read_content(load_site(site_yml))
    assert sorted(e.entry_id for e in result.entries) == list(GOOD_POSTS)
    return [str(p) for p in result.problems]


def read_post(site_yml: Path, text: str) -> Entry:
    write_post(site_yml, text)
    result = read_content(load_site(site_yml))
    assert result.problems == ()
    return next(e for e in result.entries if e.entry_id == "content/sari/x.md")


def mading(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
            for p in folder.rglob("*")}


# --- valid posts --------------------------------------------------------------------------

def test_defaults_come_from_the_teacher(tiny_site: Path) -> None:
    entry = read_post(tiny_site, """\
        ---
        title: Latihan Soal
        date: 2026-11-20
        ---
        Kerjakan **semua** soal.
        """)
    assert (entry.teacher, entry.slug, entry.title) == ("sari", "x", "Latihan Soal")
    assert entry.published == datetime(2026, 11, 20, 0, 0, tzinfo=JAKARTA)
    assert entry.published.isoformat() == "2026-11-20T00:00:00+07:00"
    assert (entry.subjects, entry.classes) == (("matematika",), ("X-1", "X-2"))
    assert (entry.kind, entry.due, entry.draft, entry.categories) == ("materi", None, False, ())
    assert "<strong>semua</strong>" in entry.content_html


def test_time_and_due_date_are_in_the_school_time_zone(tiny_site: Path) -> None:
    entry = read_post(tiny_site, """\
        ---
        title: Tugas Latihan
        date: 2026-11-20 07:30
        kind: tugas
        due: 2026-12-01
        ---
        """)
    assert entry.published.isoformat() == "2026-11-20T07:30:00+07:00"
    assert entry.due is not None
    assert entry.due.isoformat() == "2026-12-01T23:59:00+07:00"  # the end of that day
    assert entry.due_all_day  # a day, shown without a time (issue 20)
    assert entry.kind == "tugas"


def test_dates_follow_the_configured_time_zone(tiny_site: Path) -> None:
    set_school(tiny_site, "timezone", "Asia/Jayapura")
    entry = read_post(tiny_site, """\
        ---
        title: Tugas Latihan
        date: 2026-11-20 07:30
        kind: tugas
        due: 2026-12-01 10:00
        ---
        """)
    assert entry.published.isoformat() == "2026-11-20T07:30:00+09:00"
    assert entry.due is not None
    assert entry.due.isoformat() == "2026-12-01T10:00:00+09:00"
    assert not entry.due_all_day


def test_subjects_and_classes_by_alias_and_any_case(tiny_site: Path) -> None:
    entry = read_post(tiny_site, """\
        ---
        title: Vektor
        date: 2026-11-20
        subjects: [MTK, fisika, matematika wajib]
        classes:
          - x-1
          - XI-1
        kind: Pengumuman
        tags: [vektor, aljabar]
        summary: Ringkasan singkat.
        draft: true
        ---
        """)
    assert (entry.subjects, entry.classes) == (("matematika", "fisika"), ("X-1", "XI-1"))
    assert (entry.kind, entry.categories, entry.summary) == (
        "pengumuman", ("vektor", "aljabar"), "Ringkasan singkat.")
    assert entry.draft is True


def test_the_fixture_draft_is_read_as_a_draft(tiny_site: Path) -> None:
    entries = {e.entry_id: e for e in read_content(load_site(tiny_site)).entries}
    assert [e.draft for e in (entries[p] for p in GOOD_POSTS)] == [False, False, True]


# --- one kind of mistake at a time ----------------------------------------------------------

YAML = "penulisan YAML salah: "
COLON = (YAML + 'ada titik dua (:) yang tidak diharapkan; jika isian memuat titik dua, apit '
         'dengan tanda kutip, misalnya title: "Tugas: Statistika"; periksa juga apakah baris '
         'ini menjorok lebih dalam dari baris sebelumnya')
BAD_DATE = ("bukan tanggal yang benar; tulis TAHUN-BULAN-TANGGAL, misalnya 2026-11-20 atau "
            "2026-11-20 07:30")

MISTAKES = [
    pytest.param("""\
        # Persamaan Kuadrat

        Bentuk umum persamaan kuadrat.
        """, [
        "content/sari/x.md:1: tulisan harus diawali front matter: baris '---', lalu 'title:' "
        "dan 'date:', lalu '---' lagi",
    ], id="no-front-matter"),
    pytest.param("""\
        ---
        title: Persamaan Kuadrat
        date: 2026-11-20

        Bentuk umum persamaan kuadrat.
        """, [
        "content/sari/x.md:1: front matter yang dibuka dengan '---' di baris 1 belum ditutup; "
        "tambahkan baris '---' setelah kunci terakhir",
    ], id="unclosed-front-matter"),
    pytest.param("""\
        ---
        title: Persamaan Kuadrat
        date: 2026-11-20
          kind: materi
        ---
        """, [
        "content/sari/x.md:4: " + COLON,
    ], id="yaml-indentation"),
    pytest.param("""\
        ---
        title: Bab 1: Persamaan Kuadrat
        date: 2026-11-20
        ---
        """, [
        "content/sari/x.md:2: " + COLON,
    ], id="yaml-colon-in-title"),
    pytest.param("""\
        ---
        title: Persamaan Kuadrat
        date 2026-11-20
        kind: materi
        ---
        """, [
        "content/sari/x.md:3: " + YAML + "baris ini tidak berbentuk 'kunci: isi'; tambahkan "
        "titik dua dan spasi setelah nama kunci",
    ], id="yaml-missing-colon"),
    pytest.param("""\
        ---
        title: Persamaan Kuadrat
        date: 2026-11-20
        subjects: [Matematika]
        classes: [X-1]
        tags: [aljabar, kuadrat
        ---
        """, [
        "content/sari/x.md:6: " + YAML + "daftar yang dibuka dengan '[' di baris ini tidak "
        "ditutup dengan benar; pisahkan butirnya dengan koma dan tutup dengan ']', misalnya "
        "tags: [rumus, latihan]",
    ], id="yaml-unclosed-bracket"),
    pytest.param("""\
        ---
        - Persamaan Kuadrat
        ---
        """, [
        "content/sari/x.md:2: front matter harus berupa kunci seperti 'title: Judul tulisan'",
    ], id="front-matter-not-keys"),
    pytest.param("""\
        ---
        date: 2026-11-20
        ---
        """, [
        "content/sari/x.md:2: 'title' wajib diisi, misalnya: title: Persamaan Kuadrat",
    ], id="missing-title"),
    pytest.param("""\
        ---
        title: [Persamaan, Kuadrat]
        date: 2026-11-20
        ---
        """, ["content/sari/x.md:2: 'title' harus berupa teks"], id="title-not-text"),
    pytest.param("""\
        ---
        title: Persamaan Kuadrat
        ---
        """, [
        "content/sari/x.md:2: 'date' wajib diisi, misalnya: date: 2026-11-20 atau "
        "date: 2026-11-20 07:30",
    ], id="missing-date"),
    pytest.param("""\
        ---
        title: Persamaan Kuadrat
        date: 2026-11-20
        subjects: [Matematka]
        ---
        """, [
        "content/sari/x.md:4: mata pelajaran 'Matematka' belum ada di site.yml "
        "(maksud Anda: 'Matematika'?)",
    ], id="misspelled-subject"),
    pytest.param("""\
        ---
        title: Persamaan Kuadrat
        date: 2026-11-20
        subjects:
          - Fisika
          - Kimia
        ---
        """, [
        "content/sari/x.md:6: mata pelajaran 'Kimia' belum ada di site.yml",
    ], id="unknown-subject-in-block-list"),
    pytest.param("""\
        ---
        title: Persamaan Kuadrat
        date: 2026-11-20
        classes: [X-1, XII-1]
        ---
        """, [
        "content/sari/x.md:4: kelas 'XII-1' belum ada di site.yml (maksud Anda: 'XI-1'?)",
    ], id="unknown-class"),
    pytest.param("""\
        ---
        tittle: Persamaan Kuadrat
        date: 2026-11-20
        ---
        """, [
        "content/sari/x.md:2: 'title' wajib diisi, misalnya: title: Persamaan Kuadrat",
        "content/sari/x.md:2: kunci 'tittle' tidak dikenal (maksud Anda: 'title'?)",
    ], id="unknown-key"),
    pytest.param("""\
        ---
        title: Persamaan Kuadrat
        date: 2026-11-20
        kind: ujian
        ---
        """, [
        "content/sari/x.md:4: 'kind': 'ujian' tidak dikenal; pilih salah satu: materi, tugas, "
        "pengumuman",
    ], id="bad-kind"),
    pytest.param("""\
        ---
        title: Persamaan Kuadrat
        date: 2026-11-20
        draft: "ya"
        ---
        """, ["content/sari/x.md:4: 'draft' harus true atau false, bukan 'ya'"], id="draft-ya"),
    pytest.param("""\
        ---
        title: Tugas Persamaan Kuadrat
        date: 2026-11-20
        kind: tugas
        ---
        """, [
        "content/sari/x.md:4: tulisan dengan kind: tugas perlu batas waktu; tambahkan "
        "misalnya: due: 2026-12-01",
    ], id="tugas-without-due"),
    pytest.param("""\
        ---
        title: Tugas Persamaan Kuadrat
        date: 2026-11-20
        kind: tugas
        due:
        ---
        """, [
        "content/sari/x.md:4: tulisan dengan kind: tugas perlu batas waktu; tambahkan "
        "misalnya: due: 2026-12-01",
    ], id="tugas-with-empty-due"),
    pytest.param("""\
        ---
        title: Tugas Persamaan Kuadrat
        date: 2026-11-20
        kind: tugas
        due: 2026-11-31
        ---
        """, ["content/sari/x.md:5: 'due': tanggal '2026-11-31' tidak ada: November 2026 "
              "hanya punya 30 hari"], id="bad-due"),
]


@pytest.mark.parametrize(("text", "expected"), MISTAKES)
def test_each_mistake_is_reported_with_its_line(tiny_site: Path, text: str,
                                                 expected: list[str]) -> None:
    assert problems(tiny_site, text) == expected


@pytest.mark.parametrize("value", ["20-11-2026", "31-02-2026", "2026/11/20", "kemarin"])
def test_bad_dates(tiny_site: Path, value: str) -> None:
    text = f"---\ntitle: Persamaan Kuadrat\ndate: {value}\n---\n"
    assert problems(tiny_site, text) == [f"content/sari/x.md:3: 'date': '{value}' {BAD_DATE}"]


@pytest.mark.parametrize(("key", "value"), [
    ("date", "9999-12-31T23:59:00-12:00"), ("date", "0001-01-01"), ("date", "0001-01-01 00:00"),
    ("due", "9999-12-31"),
])
def test_dates_out_of_range_are_a_problem(tiny_site: Path, key: str, value: str) -> None:
    """Issue 26: such a date stopped the build (OverflowError), then every build from the
    cache (a time zone lost)."""
    text = "---\ntitle: Jauh\nkind: tugas\ndue: 2026-12-01\ndate: 2026-11-20\n---\n"
    text = text.replace(f"{key}: 2026-1", f"{key}: {value}\n#")
    line = 5 if key == "date" else 4
    assert problems(tiny_site, text) == [
        f"content/sari/x.md:{line}: '{key}': '{value}' di luar tahun 1900 sampai 8999; tulis "
        "tanggal tulisan ini dibuat, misalnya 2026-11-20 atau 2026-11-20 07:30"]


def test_a_date_with_its_own_offset_keeps_it_when_read_from_the_cache(tiny_site: Path) -> None:
    write_post(tiny_site, "---\ntitle: Pagi\ndate: 2026-11-20T07:30:00+08:00\n---\n")
    site = load_site(tiny_site)
    for _ in range(2):  # read, then taken from the cache
        with BuildCache(site.cache_file) as cache:
            entries = {e.entry_id: e for e in read_content(site, PostCache(cache)).entries}
        assert entries["content/sari/x.md"].published.isoformat() == \
            "2026-11-20T07:30:00+08:00"
@pytest.mark.parametrize(("value", "message"), [
    ("2026-02-31", "tanggal '2026-02-31' tidak ada: Februari 2026 hanya punya 28 hari"),
    ("2028-02-30", "tanggal '2028-02-30' tidak ada: Februari 2028 hanya punya 29 hari"),
    ("2026-04-00", "tanggal '2026-04-00' tidak ada: April 2026 hanya punya 30 hari"),
    ("2026-13-40", "'2026-13-40': bulan 13 tidak ada; bulan ditulis 01 sampai 12, misalnya "
                   "2026-11-20"),
    ("2026-11-20 24:00", "jam pada '2026-11-20 24:00' tidak ada; tulis jam 00:00 sampai "
                         "23:59, misalnya 2026-11-20 07:30"),
])
def test_a_date_written_right_that_does_not_exist_says_so(tiny_site: Path, value: str,
                                                         message: str) -> None:
    """Issue 21: "2026-02-31" got "write YEAR-MONTH-DAY", the message for a wrongly
    written date, which sent the teacher looking for the wrong mistake."""
    text = f"---\ntitle: Persamaan Kuadrat\ndate: {value}\n---\n"
    assert problems(tiny_site, text) == [f"content/sari/x.md:3: 'date': {message}"]


@pytest.mark.parametrize(("where", "expected"), [
    ("sary/x.md", "content/sary/x.md:1: folder 'sary' bukan slug guru di site.yml "
                  "(maksud Anda: 'sari'?); simpan tulisan di content/<slug-guru>/"),
    ("x.md", "content/x.md:1: tulisan harus disimpan di folder gurunya: "
             "content/<slug-guru>/x.md (slug guru: budi, rina-kartika, sari)"),
    ("budi/sari/x.md", "content/budi/sari/x.md:1: folder 'budi/sari' bukan slug guru di "
                       "site.yml; simpan tulisan di content/<slug-guru>/"),
], ids=["misspelled-teacher", "content-root", "nested"])
def test_a_post_outside_a_teacher_folder(tiny_site: Path, where: str, expected: str) -> None:
    text = "---\ntitle: Persamaan Kuadrat\ndate: 2026-11-20\n---\n"
    assert problems(tiny_site, text, where) == [expected]


def test_a_file_that_is_not_utf8(tiny_site: Path) -> None:
    path = write_post(tiny_site, "")
    path.write_bytes(b"---\ntitle: Persamaan Kuadrat\nsummary: Bentuk umum\n"
                     + "date: 2026-11-20\ntags: [café]\n---\n".encode("latin-1"))
    assert [str(p) for p in read_content(load_site(tiny_site)).problems] == [
        "content/sari/x.md:5: berkas harus disimpan sebagai teks UTF-8"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
def test_a_file_saved_as_utf16_is_named_so(tiny_site: Path, encoding: str) -> None:
    """Notepad's "Unicode": without a byte order mark (-le, -be) it was reported as having
    no front matter; with one, as not UTF-8."""
    path = write_post(tiny_site, "")
    path.write_bytes("---\ntitle: Persamaan Kuadrat\ndate: 2026-11-20\n---\nIsi.\n"
                     .encode(encoding))
    assert [str(p) for p in read_content(load_site(tiny_site)).problems] == [
        'content/sari/x.md:1: berkas disimpan sebagai UTF-16 ("Unicode"); simpan sebagai '
        "teks UTF-8 (di Notepad: Save As, Encoding: UTF-8)"]
    set_school(tiny_site, "language", "en")
    assert [str(p) for p in read_content(load_site(tiny_site)).problems] == [
        'content/sari/x.md:1: the file is saved as UTF-16 ("Unicode"); save it as UTF-8 text '
        "(in Notepad: Save As, Encoding: UTF-8)"]


def test_a_post_larger_than_a_megabyte_is_a_problem_and_the_rest_is_built(
        tiny_site: Path) -> None:
    body = "Kerjakan soal berikut dengan teliti.\n\n" * 30_000  # 1.1 MB
    assert problems(tiny_site, "---\ntitle: Besar\ndate: 2026-11-21\n---\n" + body) == [
        "content/sari/x.md:1: tulisan ini berukuran 1.1 MB; teks sebuah tulisan paling besar "
        "1 MB. Pecah menjadi beberapa tulisan, atau taruh isi yang besar sebagai lampiran"]


POST_WITH_MISTAKES = """\
    ---
    title: Persamaan Kuadrat
    date: 2026-11-20
    subjects: [Matematka]
    kind: tugas
    draft: "ya"
    tittle: Persamaan
    ---
    """

POST_REPORTED = {
    "id": [
        "content/sari/x.md:4: mata pelajaran 'Matematka' belum ada di site.yml "
        "(maksud Anda: 'Matematika'?)",
        "content/sari/x.md:5: tulisan dengan kind: tugas perlu batas waktu; tambahkan "
        "misalnya: due: 2026-12-01",
        "content/sari/x.md:6: 'draft' harus true atau false, bukan 'ya'",
        "content/sari/x.md:7: kunci 'tittle' tidak dikenal (maksud Anda: 'title'?)",
    ],
    "en": [
        "content/sari/x.md:4: subject 'Matematka' is not in site.yml "
        "(did you mean 'Matematika'?)",
        "content/sari/x.md:5: a post with kind: tugas needs a due date; add for example: "
        "due: 2026-12-01",
        "content/sari/x.md:6: 'draft' must be true or false, not 'ya'",
        "content/sari/x.md:7: unknown key 'tittle' (did you mean 'title'?)",
    ],
}


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_mistake_of_a_post_in_the_school_language(tiny_site: Path,
                                                         language: str) -> None:
    set_school(tiny_site, "language", language)
    assert problems(tiny_site, POST_WITH_MISTAKES) == POST_REPORTED[language]


def test_english_messages_for_misplaced_and_broken_posts(tiny_site: Path) -> None:
    set_school(tiny_site, "language", "en")
    write_post(tiny_site, "---\ntitle: A\ndate: 2026-11-20\n---\n", "sary/a.md")
    write_post(tiny_site, "---\ntitle: B\ndate: 20-11-2026\n---\n", "sari/b.md")
    write_post(tiny_site, "---\ntitle: C: D\ndate: 2026-11-20\n---\n", "sari/c.md")
    assert [str(p) for p in read_content(load_site(tiny_site)).problems] == [
        "content/sari/b.md:3: 'date': '20-11-2026' is not a valid date; write YEAR-MONTH-DAY, "
        "for example 2026-11-20 or 2026-11-20 07:30",
        "content/sari/c.md:2: YAML syntax error: there is an unexpected colon (:); if a value "
        'contains a colon, put it in quotes, for example title: "Tugas: Statistika"; also '
        "check that this line is not indented deeper than the one before",
        "content/sary/a.md:1: folder 'sary' is not a teacher slug in site.yml "
        "(did you mean 'sari'?); keep posts in content/<teacher-slug>/",
    ]


# --- the CLI ------------------------------------------------------------------------------

BAD_POST = "---\ntitle: Latihan\ndate: 20-11-2026\n---\nSoal.\n"
BAD_POST_REPORTED = f"content/sari/x.md:3: 'date': '20-11-2026' {BAD_DATE}\n"


def test_build_with_a_bad_post_builds_the_others_and_exits_2(tiny_site: Path) -> None:
    write_post(tiny_site, BAD_POST)
    site = tiny_site.parent

    result = mading("build", "--offline", "--config", "site.yml", "--output", "public",
                    cwd=site)

    assert result.returncode == 2
    assert result.stderr == BAD_POST_REPORTED  # and so no traceback
    assert result.stdout.startswith("selesai, tetapi 1 berkas bermasalah dan dilewati")
    sari = site / "public" / "guru" / "sari"
    assert (sari / "2026-11-18-persamaan-kuadrat" / "index.html").is_file()
    assert (sari / "2026-11-19-tugas-kuadrat" / "index.html").is_file()
    assert not (sari / "x").exists()


@pytest.mark.parametrize(("post", "code", "stderr"), [
    (None, 0, ""),
    (BAD_POST, 2, BAD_POST_REPORTED),
    ("Halo semua.\n", 2, "content/sari/x.md:1: tulisan harus diawali front matter: baris "
                         "'---', lalu 'title:' dan 'date:', lalu '---' lagi\n"),
], ids=["good", "bad-date", "no-front-matter"])
def test_check_validates_content_without_building(tiny_site: Path, post: str | None,
                                                  code: int, stderr: str) -> None:
    if post is not None:
        write_post(tiny_site, post)
    site = tiny_site.parent
    before = snapshot(site)

    result = mading("check", "--config", "site.yml", cwd=site)

    assert (result.returncode, result.stderr) == (code, stderr)
    assert "sari: Sari Wulandari, S.Pd. — 3 tulisan Markdown" in result.stdout.splitlines()
    assert ("site.yml dan content/ benar: 3 guru, 3 mata pelajaran" in result.stdout) \
        == (code == 0)
    assert snapshot(site) == before  # no output folder, no archive


# --- what teachers write that means the same ----------------------------------------------


def test_lenient_forms_teachers_write(tiny_site: Path) -> None:
    """`Title:` with a capital, `07.30` with a dot, classes without brackets."""
    entry = read_post(tiny_site, """\
        ---
        Title: Remedial
        Date: 2026-11-20 07.30
        classes: X-1, X-2
        ---
        """)
    assert entry.title == "Remedial"
    assert entry.published == datetime(2026, 11, 20, 7, 30, tzinfo=JAKARTA)
    assert entry.classes == ("X-1", "X-2")


def test_build_with_problems_does_not_say_plain_done(tiny_site: Path) -> None:
    write_post(tiny_site, "---\ntitle: Rusak\ndate: kemarin\n---\n")
    result = mading("build", "--offline", cwd=tiny_site.parent)
    assert result.returncode == 2
    assert result.stdout.startswith("selesai, tetapi 1 berkas bermasalah dan dilewati")


def test_lists_nested_hundreds_deep_are_a_problem_not_a_crash(tiny_site: Path) -> None:
    # Python-Markdown parses nested lists recursively: a list 300 levels deep raised
    # RecursionError out of the build with Markdown 3.10 and not with 3.11 (found by
    # fuzz/test_fuzz_content.py, issues 8 and 26). Mading bounds the depth itself, so the
    # answer is the same with every release: the line where level 51 starts.
    nested = "".join("    " * level + "- a\n" for level in range(300))
    text = "---\ntitle: Bersarang\ndate: 2026-11-20\n---\n" + nested
    assert problems(tiny_site, text) == [
        "content/sari/x.md:55: daftar atau kutipan bersarang lebih dari 50 tingkat sehingga "
        "tidak bisa ditampilkan; hapus indentasi atau tanda '>' yang berlebih"]
    result = mading("check", cwd=tiny_site.parent)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("line", [
    "> " * 60 + "kutipan", ">" * 51 + " kutipan", "- " * 60 + "butir", "1. " * 51 + "butir",
    "\t" * 51 + "- butir", "  > - " * 30 + "campur"])
def test_quotes_markers_and_tabs_all_count_towards_the_depth(tiny_site: Path,
                                                             line: str) -> None:
    text = "---\ntitle: Bersarang\ndate: 2026-11-20\n---\nPembuka.\n\n" + line + "\n"
    assert [p.split(": ")[0] for p in problems(tiny_site, text)] == ["content/sari/x.md:7"]


@pytest.mark.parametrize("line", [
    "    " * 49 + "- butir", "> " * 50 + "kutipan", "- " * 200, "* " * 200,
    "Sebuah kalimat panjang - dengan - banyak - tanda - pisah " * 20])
def test_fifty_levels_rules_and_dashes_in_text_are_built(tiny_site: Path, line: str) -> None:
    write_post(tiny_site, "---\ntitle: Dalam\ndate: 2026-11-20\n---\nPembuka.\n\n" + line + "\n")
    result = read_content(load_site(tiny_site))
    assert result.problems == ()
    assert "content/sari/x.md" in {e.entry_id for e in result.entries}


def test_a_post_nested_too_deep_leaves_the_next_post_unchanged(tiny_site: Path) -> None:
    # The RecursionError left Python-Markdown's parser with hundreds of 'list' states,
    # which its reset() keeps: the next post's list continuation became a code block,
    # or the conversion failed (found by fuzz/test_fuzz_content.py, issue 8).
    nested = "".join("    " * level + "- a\n" for level in range(300))
    write_post(tiny_site, "---\ntitle: Bersarang\ndate: 2026-11-20\n---\n" + nested,
               "sari/a-dalam.md")
    write_post(tiny_site, "---\ntitle: Lanjut\ndate: 2026-11-20\n---\n- a\n\n    lanjut\n",
               "sari/b-lanjut.md")
    result = read_content(load_site(tiny_site))
    assert [p.where for p in result.problems] == ["content/sari/a-dalam.md"]
    entry = next(e for e in result.entries if e.entry_id == "content/sari/b-lanjut.md")
    assert "<p>lanjut</p>" in entry.content_html


def test_a_front_matter_key_holding_a_list_is_reported(tiny_site: Path) -> None:
    # A stray `? ` before `classes:` crashed the build with a TypeError from ruamel
    # (found by fuzz/test_fuzz_content.py, issue 8).
    assert problems(tiny_site, "---\ntitle: Uji\ndate: 2026-11-20\n? classes: [X-1]\n---\n") == [
        "content/sari/x.md:4: " + YAML + "sebuah kunci tidak boleh berupa daftar atau kurung; "
        "tulis 'kunci: isi'"]


# --- scheduled posts (issue 26) -------------------------------------------------------------

def test_a_post_dated_more_than_a_year_ahead_is_a_problem(tiny_site: Path) -> None:
    now = datetime(2026, 11, 21, 2, 0, tzinfo=ZoneInfo("UTC"))
    write_post(tiny_site, "---\ntitle: Libur\nkind: pengumuman\ndate: 2062-11-20 23:59\n---\n")
    write_post(tiny_site, "---\ntitle: Ujian\nkind: pengumuman\ndate: 2027-06-01\n---\n",
               "sari/y.md")
    write_post(tiny_site, "---\ntitle: Jebakan\nkind: pengumuman\ndate: 9999-12-31 23:59\n---\n",
               "sari/z.md")
    result = read_content(load_site(tiny_site), now=now)
    assert [str(p) for p in result.problems] == [
        "content/sari/x.md:4: 'date': '2062-11-20 23:59' lebih dari setahun ke depan; tulisan "
        "boleh dijadwalkan paling lama setahun ke depan: periksa tahunnya",
        "content/sari/z.md:4: 'date': '9999-12-31 23:59' di luar tahun 1900 sampai 8999; "
        "tulis tanggal tulisan ini dibuat, misalnya 2026-11-20 atau 2026-11-20 07:30"]
    # Within a year it is a scheduled post, read as any other.
    assert "content/sari/y.md" in {e.entry_id for e in result.entries}


def test_check_lists_scheduled_posts(tiny_site: Path) -> None:
    write_post(tiny_site, "---\ntitle: Ujian\nkind: pengumuman\ndate: 2026-12-01 07:30\n---\n")
    result = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=tiny_site.parent,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1795226400"})  # 21 Nov
    assert result.returncode == 0, result.stderr
    assert "content/sari/x.md: terjadwal, tampil Selasa, 1 Desember 2026 07.30\n" \
        in result.stdout
    write_post(tiny_site, "---\ntitle: Jebakan\nkind: pengumuman\ndate: 2062-12-31 23:59\n---\n",
               "sari/z.md")
    result = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=tiny_site.parent,
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1795226400"})
    assert result.returncode == 2
    assert result.stderr.startswith("content/sari/z.md:4: 'date': '2062-12-31 23:59' lebih ")
