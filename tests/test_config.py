"""`site.yml`: what a valid file becomes, and the exact message for every kind of mistake.

Each mistake must come back as `site.yml:LINE: message`, LINE being the line of the offending
key or value in the file as written here, in the school's language; all mistakes of a file
in one run; from the CLI on stderr with exit code 2, no traceback, and nothing written.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from generator.config import load_site
from generator.errors import InputError
from generator.models import FeedFile, School, Site, Subject, Teacher, WebFeed


@pytest.fixture
def site_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty site folder, made the working directory (as when a user runs `mading`).

    Beside it lie `secret.xml` and `secret.jpg`: real files outside the site folder.
    """
    folder = tmp_path / "site"
    folder.mkdir()
    (tmp_path / "secret.xml").write_text("<rss/>")
    (tmp_path / "secret.jpg").write_bytes(b"\xff\xd8")
    monkeypatch.chdir(folder)
    return folder


def write_config(text: str) -> Path:
    path = Path("site.yml")
    path.write_text(dedent(text), encoding="utf-8")
    return path


def problems(text: str) -> list[str]:
    """The lines a user sees for `text` as `site.yml` in the current folder."""
    path = write_config(text)
    with pytest.raises(InputError) as caught:
        load_site(path)
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)
    return [str(p) for p in caught.value.problems]


def mading(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under `folder` (the folder's own siblings included)."""
    return {str(p.relative_to(folder.parent)): p.read_bytes() if p.is_file() else None
            for p in folder.parent.rglob("*")}


# --- a valid file -------------------------------------------------------------------------

def test_valid_config_loads_into_the_expected_site(site_dir: Path) -> None:
    (site_dir / "img").mkdir()
    (site_dir / "img" / "sari.jpg").write_bytes(b"\xff\xd8")
    (site_dir / "feeds").mkdir()
    (site_dir / "feeds" / "sari.xml").write_text("<rss/>")
    path = write_config("""\
        school:
          name: SMA Negeri 1 Contoh
          url: https://sman1contoh.sch.id/portal
          timezone: Asia/Makassar
          description: Sekolah penggerak.
        subjects:
          - name: Matematika
            aliases: [mtk, matematika wajib]
          - Bahasa Indonesia
          - name: Pendidikan Jasmani
            slug: pjok
        classes: [X-1, X-2, XI-IPA-1]
        teachers:
          - name: Drs. H. Ahmad Fauzi, M.Pd.
            subjects: [matematika wajib, bahasa indonesia, MTK]
            classes: [x-1, XI-IPA-1]
            blog: https://ahmadfauzi.wordpress.com/
          - name: Sari Wulandari, S.Pd.
            slug: sari
            subjects: PJOK
            blog: feeds/sari.xml
            photo: img/sari.jpg
            bio: Guru olahraga sejak 2009.
        """)

    site = load_site(path)

    root = site_dir.resolve()
    assert site == Site(
        school=School(name="SMA Negeri 1 Contoh", url="https://sman1contoh.sch.id/portal/",
                      language="id", timezone="Asia/Makassar",
                      description="Sekolah penggerak."),
        subjects=(Subject("Matematika", "matematika", ("mtk", "matematika wajib")),
                  Subject("Bahasa Indonesia", "bahasa-indonesia"),
                  Subject("Pendidikan Jasmani", "pjok")),
        classes=("X-1", "X-2", "XI-IPA-1"),
        teachers=(
            Teacher(name="Drs. H. Ahmad Fauzi, M.Pd.", slug="ahmad-fauzi",
                    subjects=("matematika", "bahasa-indonesia"), classes=("X-1", "XI-IPA-1"),
                    blog=WebFeed("https://ahmadfauzi.wordpress.com/")),
            Teacher(name="Sari Wulandari, S.Pd.", slug="sari", subjects=("pjok",),
                    blog=FeedFile("feeds/sari.xml"), photo=root / "img" / "sari.jpg",
                    bio="Guru olahraga sejak 2009."),
        ),
        root=root, config_file=root / "site.yml")


def test_only_the_school_name_is_required(site_dir: Path) -> None:
    site = load_site(write_config("school:\n  name: SD Negeri 2 Contoh\n"))
    assert site.school == School(name="SD Negeri 2 Contoh", url="http://localhost:8000/",
                                 language="id", timezone="Asia/Jakarta")
    assert (site.subjects, site.classes, site.teachers) == ((), (), ())


# --- one kind of mistake at a time ----------------------------------------------------------

YAML = "penulisan YAML salah: "
INDENTATION = (YAML + "indentasi baris ini tidak cocok: kunci yang setingkat harus mulai di "
               "kolom yang sama, dan setiap butir daftar ('- ') menjorok sama")

MISTAKES = [
    pytest.param("""\
        school:
          name: SMA Uji
         url: https://uji.sch.id/
        """, [
        "site.yml:3: " + INDENTATION,
    ], id="yaml-indentation"),
    pytest.param("""\
        school:
          name: "SMA Uji
          url: https://uji.sch.id/
        """, [
        "site.yml:2: " + YAML + "tanda kutip dibuka di baris ini tetapi tidak ditutup; "
        "tambahkan tanda kutip penutup di akhir isian",
    ], id="yaml-unclosed-quote"),
    pytest.param("school:\n\tname: SMA Uji\n", [
        "site.yml:2: " + YAML + "ada karakter Tab; YAML hanya menerima spasi: hapus Tab itu "
        "dan ganti dengan spasi",
    ], id="yaml-tab"),
    pytest.param("""\
        school:
          name: SMA Uji
          name: SMA Coba
        """, [
        "site.yml:3: " + YAML + "kunci 'name' ditulis dua kali; hapus salah satunya",
    ], id="yaml-duplicate-key"),
    pytest.param("", [
        "site.yml:1: isi site.yml harus berupa daftar kunci seperti 'school:', 'subjects:', "
        "'teachers:'",
    ], id="empty-file"),
    pytest.param("""\
        school:
          name: SMA Uji
        subjects:
          - name: Matematika
        teachers:
          - name: Sari Wulandari
            subjcts: [Matematika]
        """, [
        "site.yml:7: kunci 'teachers.subjcts' tidak dikenal (maksud Anda: 'subjects'?)",
    ], id="unknown-key"),
    pytest.param("""\
        school:
          name: SMA Uji
        teacher:
          - name: Sari Wulandari
        galeri: true
        """, [
        "site.yml:3: kunci 'teacher' tidak dikenal (maksud Anda: 'teachers'?)",
        "site.yml:5: kunci 'galeri' tidak dikenal",
    ], id="unknown-top-key"),
    pytest.param("""\
        school:
          url: https://uji.sch.id/
        """, ["site.yml:1: 'school.name' wajib diisi"], id="missing-school-name"),
    pytest.param("""\
        school:
          name: "  "
        """, ["site.yml:2: 'school.name' wajib diisi"], id="blank-school-name"),
    pytest.param("""\
        subjects: [Matematika]
        """, ["site.yml:1: 'school.name' wajib diisi"], id="missing-school"),
    pytest.param("""\
        school:
          name: SMA Uji
        teachers:
          - slug: sari
            bio: Guru matematika.
        """, ["site.yml:4: 'teachers.name' wajib diisi"], id="missing-teacher-name"),
    pytest.param("""\
        school:
          name: SMA Uji
        subjects: [Matematika, Fisika]
        teachers:
          - name: Sari Wulandari, S.Pd.
            subjects: [Matematka, Biologi]
          - name: Budi Santoso
            subjects:
              - Fisika
              - Kimia
        """, [
        "site.yml:6: guru 'Sari Wulandari, S.Pd.': mata pelajaran 'Matematka' belum ada di "
        "daftar 'subjects' (maksud Anda: 'Matematika'?)",
        "site.yml:6: guru 'Sari Wulandari, S.Pd.': mata pelajaran 'Biologi' belum ada di "
        "daftar 'subjects'",
        "site.yml:10: guru 'Budi Santoso': mata pelajaran 'Kimia' belum ada di daftar "
        "'subjects'",
    ], id="undeclared-subject"),
    pytest.param("""\
        school:
          name: SMA Uji
        classes: [X-1, X-2, XI-1]
        teachers:
          - name: Sari Wulandari
            classes: [X-1, XII-1]
        """, [
        "site.yml:6: guru 'Sari Wulandari': kelas 'XII-1' belum ada di daftar 'classes' "
        "(maksud Anda: 'XI-1'?)",
    ], id="undeclared-class"),
    pytest.param("""\
        school:
          name: SMA Uji
        classes:
          - X-1
          - "!!"
          - X-1
        """, [
        "site.yml:5: nama kelas '!!' harus memuat huruf atau angka",
        "site.yml:6: kelas 'X-1' ditulis dua kali",
    ], id="bad-classes"),
    pytest.param("""\
        school:
          name: SMA Uji
        subjects:
          - name: Bahasa Inggris
          - name: bahasa inggris
        teachers:
          - name: Sari Wulandari, S.Pd.
          - name: Dra. Sari Wulandari
          - name: Budi Santoso
            slug: budi
          - name: Budi Hartono
            slug: budi
        """, [
        "site.yml:5: 'subjects.slug': 'bahasa-inggris' sudah dipakai di baris 4; "
        "setiap slug harus unik",
        "site.yml:8: 'teachers.slug': 'sari-wulandari' sudah dipakai di baris 7; "
        "setiap slug harus unik",
        "site.yml:12: 'teachers.slug': 'budi' sudah dipakai di baris 9; setiap slug harus unik",
    ], id="duplicate-slugs"),
    pytest.param("""\
        school:
          name: SMA Uji
        subjects:
          - name: "???"
        teachers:
          - name: Sari Wulandari
            slug: Sari W
        """, [
        "site.yml:4: nama '???' tidak memuat huruf atau angka untuk alamat halaman; "
        "isi 'subjects.slug' (contoh: slug: sari-wulandari)",
        "site.yml:7: 'teachers.slug': 'Sari W' hanya boleh berisi huruf kecil, angka, "
        "dan tanda hubung (contoh: sari-wulandari)",
    ], id="bad-slugs"),
    pytest.param("""\
        school:
          name: SMA Uji
          url: sman1contoh.sch.id
        teachers:
          - name: Sari
            blog: https://sari blog.wordpress.com/
          - name: Budi
            blog: htps:/budi.blogspot.com
        """, [
        "site.yml:3: 'school.url': 'sman1contoh.sch.id' bukan alamat web yang benar "
        "(contoh: https://sekolah.sch.id/)",
        "site.yml:6: 'teachers.blog': 'https://sari blog.wordpress.com/' bukan alamat web "
        "yang benar (contoh: https://sekolah.sch.id/)",
        "site.yml:8: 'teachers.blog': 'htps:/budi.blogspot.com' bukan alamat web yang benar "
        "(contoh: https://sekolah.sch.id/)",
    ], id="malformed-urls"),
    pytest.param("""\
        school:
          name: SMA Uji
          language: jv
          timezone: WIB
        """, [
        "site.yml:3: bahasa 'jv' tidak didukung; pilih salah satu: id, en",
        "site.yml:4: zona waktu 'WIB' tidak dikenal (contoh: Asia/Jakarta, Asia/Makassar, "
        "Asia/Jayapura)",
    ], id="language-and-timezone"),
    pytest.param("""\
        school:
          name: SMA Uji
        teachers:
          - name: Sari
            photo: img/sari.jpg
          - name: Budi
            blog: ../secret.xml
          - name: Rina
            photo: ../secret.jpg
        """, [
        "site.yml:5: 'teachers.photo': berkas 'img/sari.jpg' tidak ditemukan "
        "(alamat berkas dihitung dari folder site.yml)",
        "site.yml:7: 'teachers.blog': '../secret.xml' berada di luar folder situs",
        "site.yml:9: 'teachers.photo': '../secret.jpg' berada di luar folder situs",
    ], id="files"),
    pytest.param("""\
        school:
          name: [SMA, Uji]
        subjects: Matematika
        classes: {X-1: true}
        teachers:
          - Sari Wulandari
          - name: Budi
            subjects: {Fisika: true}
            bio: [Guru, fisika]
        """, [
        "site.yml:2: 'school.name' harus berupa teks",
        "site.yml:3: 'subjects' harus berupa daftar, misalnya [X-1, X-2]",
        "site.yml:4: 'classes' harus berupa daftar, misalnya [X-1, X-2]",
        "site.yml:6: setiap isi 'teachers' harus berupa kumpulan kunci seperti 'name: ...'",
        "site.yml:8: 'teachers.subjects' harus berupa daftar, misalnya [X-1, X-2]",
        "site.yml:9: 'teachers.bio' harus berupa teks",
    ], id="wrong-types"),
]


@pytest.mark.parametrize(("config", "expected"), MISTAKES)
def test_each_mistake_is_reported_with_its_line(site_dir: Path, config: str,
                                                 expected: list[str]) -> None:
    assert problems(config) == expected


@pytest.mark.parametrize("url", [
    "sman1contoh.sch.id", "https://", "ftp://sman1contoh.sch.id/", "https://[::1",
    "https://sman1contoh.sch.id:port/", "https://sman1contoh.sch.id/?p=1",
    "https://sman1contoh.sch.id/#beranda",
])
def test_school_url_must_be_an_absolute_web_address(site_dir: Path, url: str) -> None:
    assert problems(f"school:\n  name: SMA Uji\n  url: '{url}'\n") == [
        f"site.yml:3: 'school.url': '{url}' bukan alamat web yang benar "
        "(contoh: https://sekolah.sch.id/)"]


def test_a_photo_linked_out_of_the_site_folder_is_refused(site_dir: Path) -> None:
    (site_dir / "img").mkdir()
    (site_dir / "img" / "sari.jpg").symlink_to(site_dir.parent / "secret.jpg")
    assert problems("""\
        school:
          name: SMA Uji
        teachers:
          - name: Sari
            photo: img/sari.jpg
        """) == ["site.yml:5: 'teachers.photo': 'img/sari.jpg' berada di luar folder situs"]


# --- many mistakes, in both languages, through the API and the CLI ------------------------

SEVERAL = """\
    school:
      name: SMA Uji
      language: {language}
      timezone: Asia/Jakrta
    subjects:
      - name: Matematika
    teachers:
      - name: Sari Wulandari, S.Pd.
        subjcts: [Matematika]
        blog: https://sari blog.wordpress.com/
      - name: Budi Santoso
        subjects: [Matematka]
        photo: img/budi.jpg
    galeri: true
    """

SEVERAL_REPORTED = {
    "id": [
        "site.yml:4: zona waktu 'Asia/Jakrta' tidak dikenal (contoh: Asia/Jakarta, "
        "Asia/Makassar, Asia/Jayapura)",
        "site.yml:9: kunci 'teachers.subjcts' tidak dikenal (maksud Anda: 'subjects'?)",
        "site.yml:10: 'teachers.blog': 'https://sari blog.wordpress.com/' bukan alamat web "
        "yang benar (contoh: https://sekolah.sch.id/)",
        "site.yml:12: guru 'Budi Santoso': mata pelajaran 'Matematka' belum ada di daftar "
        "'subjects' (maksud Anda: 'Matematika'?)",
        "site.yml:13: 'teachers.photo': berkas 'img/budi.jpg' tidak ditemukan "
        "(alamat berkas dihitung dari folder site.yml)",
        "site.yml:14: kunci 'galeri' tidak dikenal",
    ],
    "en": [
        "site.yml:4: unknown time zone 'Asia/Jakrta' (examples: Asia/Jakarta, Asia/Makassar, "
        "Asia/Jayapura)",
        "site.yml:9: unknown key 'teachers.subjcts' (did you mean 'subjects'?)",
        "site.yml:10: 'teachers.blog': 'https://sari blog.wordpress.com/' is not a valid web "
        "address (example: https://school.sch.id/)",
        "site.yml:12: teacher 'Budi Santoso': subject 'Matematka' is not in the 'subjects' "
        "list (did you mean 'Matematika'?)",
        "site.yml:13: 'teachers.photo': file 'img/budi.jpg' not found "
        "(file paths are relative to the folder of site.yml)",
        "site.yml:14: unknown key 'galeri'",
    ],
}


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_mistake_is_reported_in_one_run_in_the_school_language(
        site_dir: Path, language: str) -> None:
    assert problems(SEVERAL.format(language=language)) == SEVERAL_REPORTED[language]


def test_yaml_syntax_error_in_english(site_dir: Path) -> None:
    assert problems("""\
        school:
          name: SMA Uji
          language: en
        subjects: [Matematika
        teachers: []
        """) == [
        "site.yml:4: YAML syntax error: the list opened with '[' on this line is not closed "
        "properly; separate its items with commas and close it with ']', for example "
        "tags: [formulas, practice]"]


@pytest.mark.parametrize("command", ["check", "build"])
def test_cli_reports_config_mistakes_and_writes_nothing(site_dir: Path, command: str) -> None:
    write_config(SEVERAL.format(language="id"))
    (site_dir / "public").mkdir()
    (site_dir / "public" / "index.html").write_text("portal kemarin")
    before = snapshot(site_dir)

    result = mading(command, "--config", "site.yml", cwd=site_dir)

    assert result.returncode == 2
    assert result.stderr == "".join(f"{line}\n" for line in SEVERAL_REPORTED["id"])
    assert result.stdout == ""
    assert snapshot(site_dir) == before  # output untouched, no archive, no staging folder


def test_cli_reports_a_yaml_syntax_error_without_traceback(site_dir: Path) -> None:
    write_config("school:\n  name: SMA Uji\n url: https://uji.sch.id/\n")
    result = mading("build", "--config", "site.yml", "--output", "public", cwd=site_dir)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "site.yml:3: " + INDENTATION + "\n"
    assert not (site_dir / "public").exists()


def test_embeds_must_be_host_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "site.yml").write_text(
        "school:\n  name: SMA Uji\nembeds:\n  - docs.google.com\n  - https://evil.example/x\n")
    with pytest.raises(InputError) as caught:
        load_site(tmp_path / "site.yml")
    assert [str(p) for p in caught.value.problems] == [
        "site.yml:5: 'embeds': 'https://evil.example/x' bukan nama host (contoh: "
        "www.youtube.com, docs.google.com), tanpa https:// dan tanpa garis miring"]


def test_a_key_holding_a_list_is_a_yaml_mistake_not_a_crash(site_dir: Path) -> None:
    # `? name: [a]` makes a mapping the key; ruamel failed hashing it with a bare TypeError
    # (found by fuzz/test_fuzz_content.py, issue 8; front matter shares this parser).
    assert problems("school:\n  name: SMA Uji\n? classes: [X-1]\n") == [
        "site.yml:3: " + YAML + "sebuah kunci tidak boleh berupa daftar atau kurung; "
        "tulis 'kunci: isi'"]


@pytest.mark.parametrize(("value", "where"), [
    ("!!int", "site.yml:3"),       # no digits: ruamel's IndexError
    ("!!omap x", "site.yml:3"),    # a mapping's tag on a plain value: AttributeError
    ("!!set x", "site.yml:3"),
])
def test_a_yaml_tag_ruamel_cannot_build_is_a_yaml_mistake(site_dir: Path, value: str,
                                                          where: str) -> None:
    # Found by fuzz/test_fuzz_config.py (issue 8): these crashed `mading` with a traceback.
    [problem] = problems(f"school:\n  name: SMA Uji\nclasses: {value}\n")
    assert problem.startswith(f"{where}: penulisan YAML salah: ")


def test_a_comment_between_a_key_and_its_value_is_a_yaml_mistake(site_dir: Path) -> None:
    # ruamel raises NotImplementedError ("overlap in comment") for this one.
    [problem] = problems("school: # sekolah\n  SMA Uji\n\nsubjects: []\n")
    assert problem.startswith("site.yml: penulisan YAML salah: ")


def test_a_tagged_key_at_the_top_level_is_a_yaml_mistake(site_dir: Path) -> None:
    # Built outside the constructor's own error handling: reported without a line.
    [problem] = problems("school:\n  name: SMA Uji\n!!pairs [] : 1\n")
    assert problem.startswith("site.yml: penulisan YAML salah: ")


# -- class aliases (issue 20) -------------------------------------------------------------


def test_a_class_may_carry_aliases_and_teachers_may_name_it_by_any(site_dir: Path) -> None:
    path = write_config("""\
        school:
          name: SMA Uji
        classes: [X IPA 1, {name: XI MIPA 3, aliases: [XI IPA 3, 11 IPA 3]}]
        teachers:
          - name: Sari
            classes: [x-ipa-1, XI IPA 3]
        """)
    site = load_site(path)
    assert site.classes == ("X IPA 1", "XI MIPA 3")
    assert site.class_aliases == (("XI MIPA 3", ("XI IPA 3", "11 IPA 3")),)
    assert site.teachers[0].classes == ("X IPA 1", "XI MIPA 3")


def test_mistakes_in_class_aliases(site_dir: Path) -> None:
    assert problems("""\
        school:
          name: SMA Uji
        classes:
          - X IPA 1
          - {name: X IPA 2, alias: [X-2]}
          - {aliases: [XI-3]}
          - name: XI MIPA 3
            aliases: [X IPA 1, "!!"]
          - X-IPA-2
          - {name: XII, aliases: {a: b}}
        """) == [
        "site.yml:5: kunci 'classes.alias' tidak dikenal (maksud Anda: 'aliases'?)",
        "site.yml:6: 'classes.name' wajib diisi",
        "site.yml:8: nama kelas 'X IPA 1' sudah dipakai oleh kelas 'X IPA 1'",
        "site.yml:8: nama kelas '!!' harus memuat huruf atau angka",
        "site.yml:9: nama kelas 'X-IPA-2' sudah dipakai oleh kelas 'X IPA 2'",
        "site.yml:10: 'classes.aliases' harus berupa daftar, misalnya [X-1, X-2]",
    ]
