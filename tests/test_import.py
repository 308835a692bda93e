"""`mading import`: a school's own list of teachers into site.yml, comments and all.

The lists in tests/fixtures/import/ are the files schools have: Excel's `;` CSV in
Windows-1252, Excel's "CSV UTF-8" with a BOM, a blogroll in OPML, and a list with the
mistakes people make. Feed discovery runs against real servers on 127.0.0.1.
"""

from __future__ import annotations

import difflib
import shutil
import socket
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from generator.cli import main
from generator.config import load_site
from generator.config_edit import AddedTeacher, edit_config
from generator.models import WebFeed
from generator.roster import split_names
from generator.scaffold import init_school
from generator.slugs import fold
from generator.teacher_list import web_address
from tests.conftest import FIXTURES, copy_example

LISTS = FIXTURES / "import"
RSS = (FIXTURES / "tiny" / "feeds" / "budi.xml").read_bytes()


@pytest.fixture
def school(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A school fresh from `mading init` (teacher Sari, subject Matematika, classes X-1 and
    X-2), as the working folder; returns its site.yml."""
    init_school(tmp_path / "sekolah", "SMA Negeri 1 Contoh", today=date(2026, 11, 20))
    monkeypatch.chdir(tmp_path / "sekolah")
    return tmp_path / "sekolah" / "site.yml"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def list_file(name: str) -> str:
    """Copy a fixture list into the working folder, so messages name it `name`."""
    shutil.copy(LISTS / name, name)
    return name


def teachers(config: Path) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...], str | None]]:
    site = load_site(config)
    names = {s.slug: s.name for s in site.subjects}
    # Every blog of a list is an address: a FeedFile would not equal the expected text.
    return {t.slug: (t.name, tuple(names[s] for s in t.subjects), t.classes,
                     t.blog.url if isinstance(t.blog, WebFeed) else t.blog)
            for t in site.teachers}


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def home_page(feed: str) -> str:
    return ('<!doctype html><html><head><title>Blog</title><link rel="alternate" '
            f'type="application/rss+xml" href="{feed}"></head><body>Blog</body></html>')


def test_feeds_are_discovered_and_an_unreachable_blog_is_kept_with_a_warning(
        school: Path, httpserver: HTTPServer, capsys: pytest.CaptureFixture[str]) -> None:
    httpserver.expect_request("/lina/").respond_with_data(home_page("/lina/feed/"),
                                                          content_type="text/html")
    httpserver.expect_request("/lina/feed/").respond_with_data(
        RSS, content_type="application/rss+xml")
    lina = httpserver.url_for("/lina/")
    down = closed_port_url()
    Path("guru.csv").write_text(f"nama;mapel;blog\nLina Marlina, S.Pd.;Matematika;{lina}\n"
                                f"Joko Susilo;Fisika;{down}\n")

    code, out, err = run(capsys, "import", "guru.csv")

    assert code == 0, err
    feed = httpserver.url_for("/lina/feed/")
    assert f"ditambahkan: lina-marlina — Lina Marlina, S.Pd. — {feed} (feed dari {lina})" in out
    assert f"peringatan: guru.csv:3: feed blog {down} tidak ditemukan (tidak bisa terhubung " \
        "ke server (ConnectError" in err
    assert out.splitlines()[-1] == "2 guru ditambahkan ke site.yml, 0 sudah ada, 0 dilewati"
    found = teachers(school)
    assert found["lina-marlina"] == ("Lina Marlina, S.Pd.", ("Matematika",), (), feed)
    assert found["joko-susilo"] == ("Joko Susilo", ("Fisika",), (), down)
    assert run(capsys, "check")[0] == 0

    # Again: both are there already, nothing is fetched, site.yml stays byte for byte.
    before, requests = school.read_bytes(), len(httpserver.log)
    code, out, err = run(capsys, "import", "guru.csv")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "tidak ada guru baru di guru.csv: 2 guru sudah ada di site.yml, tidak ada yang diubah",
    ]
    assert school.read_bytes() == before
    assert len(httpserver.log) == requests


def test_feeds_are_discovered_concurrently(school: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    server = HTTPServer(threaded=True)  # the default server answers one at a time
    server.start()
    lock, active, peak = threading.Lock(), [0], [0]

    def slow_home(request: Request) -> Response:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.3)
        with lock:
            active[0] -= 1
        return Response(home_page("feed.xml"), content_type="text/html")

    try:
        rows = ["nama,blog"]
        for n in ("Satu", "Dua", "Tiga", "Empat", "Lima", "Enam"):
            server.expect_request(f"/guru{n}/").respond_with_handler(slow_home)
            server.expect_request(f"/guru{n}/feed.xml").respond_with_data(RSS)
            rows.append(f"Guru {n},{server.url_for(f'/guru{n}/')}")
        Path("guru.csv").write_text("\n".join(rows) + "\n")
        code, out, err = run(capsys, "import", "guru.csv")
    finally:
        server.clear()
        server.stop()
    assert code == 0, err
    assert "6 guru ditambahkan" in out
    assert peak[0] >= 3
    assert all(blog and blog.endswith("/feed.xml")
               for name, *_, blog in teachers(school).values() if name.startswith("Guru"))


def test_an_excel_list_joins_the_example_school_and_every_comment_stays(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = copy_example(tmp_path / "contoh")
    monkeypatch.chdir(config.parent)
    before = config.read_text()
    # The example school names its classes as schools do ("X IPA 2"), and so does its list.
    listed = Path(list_file("guru-excel.csv"))
    listed.write_bytes(listed.read_bytes().replace(b";MTK;X-2;", b";MTK;X IPA 2;"))

    code, out, err = run(capsys, "import", "--offline", listed.name)

    assert code == 0, err
    # Four of the five are the example's own teachers, known by name or blog.
    assert out.splitlines() == [
        "guru-excel.csv:2: 'Sari Wulandari, S.Pd.' dilewati: sudah ada "
        "'Sari Wulandari, S.Pd.' di site.yml",
        "guru-excel.csv:3: 'Drs. Bambang Sutrisno, M.Pd.' dilewati: sudah ada "
        "'Drs. Bambang Sutrisno, M.Pd.' di site.yml",
        "guru-excel.csv:4: 'Hendra Gunawan, S.Kom.' dilewati: sudah ada "
        "'Hendra Gunawan, S.Kom.' di site.yml",
        "guru-excel.csv:7: 'Yohanes Kristianto, S.Sn.' dilewati: sudah ada "
        "'Yohanes Kristianto, S.Sn.' di site.yml",
        "ditambahkan: renee-octaviani — Renée Octaviani, S.Pd. — "
        "https://renee-mengajar.blogspot.com/",
        "1 guru ditambahkan ke site.yml, 0 sudah ada, 4 dilewati",
    ]
    assert err.splitlines() == [
        "peringatan: guru-excel.csv: berkas tidak disimpan sebagai UTF-8; dibaca sebagai "
        "Windows-1252. Periksa huruf beraksen pada nama guru",
        "guru-excel.csv: kolom yang tidak dipakai: No, NIP",
        "peringatan: --offline: feed tidak dicari; alamat blog disimpan apa adanya",
    ]
    after = config.read_text()
    assert "#  Salin berkas ini, lalu ganti isinya dengan data sekolah Anda." in after
    assert "# --- Rombongan belajar (kelas) ----------------------------------------" in after
    # Lines are only added, none changed or lost: the file is the admin's as it was.
    changes = [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
               if line[:1] in "-+"]
    assert changes == [
        "+   - name: Renée Octaviani, S.Pd.",
        "+     slug: renee-octaviani",
        "+     subjects: [Matematika]",
        "+     classes: [X IPA 2]",
        "+     blog: https://renee-mengajar.blogspot.com/",
    ]
    assert run(capsys, "check")[0] == 0


def test_subjects_are_split_matched_and_added_before_the_next_section(
        school: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "import", "--offline", list_file("guru-excel.csv"))
    assert code == 0, err
    found = teachers(school)
    assert "sari-wulandari" not in found  # the school's own Sari, by name
    assert found["bambang-sutrisno"] == ("Drs. Bambang Sutrisno, M.Pd.", ("Kimia", "Fisika"),
                                         ("XI-1",), "https://bambangkimia.blogspot.com")
    assert found["hendra-gunawan"][1] == ("Prakarya dan Kewirausahaan", "TIK")
    assert found["renee-octaviani"][1:3] == (("Matematika",), ("X-2",))  # MTK is an alias
    assert found["yohanes-kristianto"][3] == "http://www.yohanes-musik.id"
    assert ("mata pelajaran baru di site.yml: Kimia, Fisika, Prakarya dan Kewirausahaan, "
            "TIK, Seni Budaya") in out
    assert "kelas baru di site.yml: XI-1" in out
    text = school.read_text()
    assert text.index("  - name: Seni Budaya") < text.index("# --- Kelas (classes)")
    assert "classes: [X-1, X-2, XI-1]" in text


def test_a_utf8_list_with_a_bom_commas_and_a_cell_over_two_lines(
        school: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "import", "--offline", list_file("guru-utf8-bom.csv"))
    assert code == 0, err
    found = teachers(school)
    assert found["dewi-anggraini"] == ("Dewi Anggraini, S.Si., Gr.", ("Biologi", "Kimia"), (),
                                       "https://dewibiologi.wordpress.com/")
    assert found["nur-aini-rahmawati"][0] == "Nur Aini Rahmawati, S.Pd."
    assert found["wahyu-nugroho"][1] == ("Sejarah", "Pendidikan Pancasila")
    assert out.splitlines()[-1] == "4 guru ditambahkan ke site.yml, 0 sudah ada, 0 dilewati"


def test_rows_that_cannot_be_used_are_reported_at_their_line(
        school: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "import", "--offline", list_file("guru-rusak.csv"))
    assert code == 2
    assert [line for line in err.splitlines() if line.startswith("guru-rusak.csv")] == [
        "guru-rusak.csv:2: kolom nama guru kosong",
        "guru-rusak.csv:4: kolom alamat blog untuk 'Citra Lestari': "
        "'https://citra lestari.blogspot.com/' bukan alamat web yang benar "
        "(contoh: https://namaguru.blogspot.com/); kosongkan kolom itu jika guru ini menulis "
        "di content/",
        "guru-rusak.csv:7: baris ini berisi 4 kolom, padahal judulnya 3 kolom; isian yang "
        "memuat ',' harus diapit tanda kutip",
        "guru-rusak.csv:8: baris ini berisi 2 kolom, padahal judulnya 3 kolom; isian yang "
        "memuat ',' harus diapit tanda kutip",
        "guru-rusak.csv:9: kolom alamat blog untuk 'Gita Permata': 'ftp://gita.example.com/' "
        "bukan alamat web yang benar (contoh: https://namaguru.blogspot.com/); kosongkan "
        "kolom itu jika guru ini menulis di content/",
    ]
    # The good rows are still added, the one after a cell spanning lines 5-6 included,
    # and Budi, whose blog cell is empty, as a teacher who writes in content/ (issue 21).
    assert "ditambahkan: budi-santoso — Budi Santoso — menulis di content/budi-santoso/" \
        in out.splitlines()
    assert out.splitlines()[-1] == "3 guru ditambahkan ke site.yml, 0 sudah ada, 5 dilewati"
    found = teachers(school)
    assert found["budi-santoso"] == ("Budi Santoso", ("Fisika",), (), None)
    assert found["dedi-kurniawan"][1] == ("Ekonomi", "Sosiologi")
    assert "hadi-susanto" in found
    assert run(capsys, "check")[0] == 0


def test_a_blogroll_in_opml(school: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "import", "--offline", list_file("blogroll.opml"))
    assert code == 2
    assert out.splitlines()[-1] == "3 guru ditambahkan ke site.yml, 0 sudah ada, 2 dilewati"
    found = teachers(school)
    assert found["blog-bu-lina"] == ("Blog Bu Lina (IPA)", (), (),
                                     "https://linaipa.wordpress.com/feed/")
    assert found["pak-joko-sains"][3] == "https://jokosains.blogspot.com/"
    assert found["catatan-bu-maria"][0] == "Catatan Bu Maria"  # title when there is no text
    assert "guru-ipa" not in found  # a folder of outlines, not a blog
    assert [line for line in err.splitlines() if line.startswith("blogroll.opml")] == [
        "blogroll.opml:12: 'Blog tanpa alamat' tidak punya alamat blog (xmlUrl atau htmlUrl)",
        "blogroll.opml:13: kolom alamat blog untuk 'Alamat rusak': "
        "'https://alamat rusak.id/feed' bukan alamat web yang benar "
        "(contoh: https://namaguru.blogspot.com/); kosongkan kolom itu jika guru ini menulis "
        "di content/",
    ]


def test_an_opml_declaring_entities_is_refused(school: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    Path("bom.opml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<opml version="2.0"><body><outline text="&b;" xmlUrl="https://x.id/feed"/></body>'
        "</opml>\n")
    before = school.read_bytes()
    code, out, err = run(capsys, "import", "bom.opml")
    assert (code, out) == (2, "")
    assert err == ("bom.opml: berkas OPML ini mendeklarasikan entitas XML, yang tidak pernah "
                   "diperlukan daftar blog; ditolak\n")
    assert school.read_bytes() == before


def test_duplicates_within_the_list_and_of_a_known_blog_are_skipped(
        school: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("guru.csv").write_text(
        "Nama,Blog\n"
        "Lina Marlina,https://lina.blogspot.com/\n"
        "Lina Marlina,https://lina-lain.blogspot.com/\n"
        "Bu Lina,http://www.lina.blogspot.com\n")
    code, out, err = run(capsys, "import", "--offline", "guru.csv")
    assert code == 0, err
    assert out.splitlines() == [
        "guru.csv:3: 'Lina Marlina' dilewati: slug 'lina-marlina' sudah dipakai baris 2 "
        "daftar ini",
        "guru.csv:4: 'Bu Lina' dilewati: blog http://www.lina.blogspot.com sudah dipakai "
        "baris 2 daftar ini",
        "ditambahkan: lina-marlina — Lina Marlina — https://lina.blogspot.com/",
        "1 guru ditambahkan ke site.yml, 0 sudah ada, 2 dilewati",
    ]


def test_a_list_without_a_blog_column_is_refused(school: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    Path("guru.csv").write_text("\n\nNama;Mapel;Email\nLina;Fisika;lina@sekolah.id\n")
    before = school.read_bytes()
    code, out, err = run(capsys, "import", "guru.csv")
    assert (code, out) == (2, "")
    assert err.startswith("guru.csv:3: tidak ada kolom alamat blog; judul kolom yang "
                          "dikenali: blog, alamat blog, url, feed")
    assert school.read_bytes() == before


def test_an_excel_workbook_is_refused_with_what_to_do(
        school: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("guru.xlsx").write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(64))
    code, out, err = run(capsys, "import", "guru.xlsx")
    assert (code, out) == (2, "")
    assert err == ("guru.xlsx: ini berkas Excel, bukan CSV; di Excel pilih File → Save As "
                   "(Simpan Sebagai) → CSV, lalu impor berkas .csv itu\n")


def test_windows_line_endings_and_another_folder(
        school: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
        ) -> None:
    school.write_bytes(school.read_bytes().replace(b"\n", b"\r\n"))
    monkeypatch.chdir(school.parent.parent)
    Path("teachers.csv").write_text("Name,Subject,Class,URL\nMapel,Math,X-1,mapel.id\n")
    code, out, err = run(capsys, "import", "--offline", "--config", "sekolah/site.yml",
                         "teachers.csv")
    assert code == 0, err
    assert out.splitlines()[-1] == "1 guru ditambahkan ke sekolah/site.yml, 0 sudah ada, 0 dilewati"
    data = school.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    # `mapel` is the subjects' folder under guru/: the teacher gets another slug.
    assert teachers(school)["mapel-2"] == ("Mapel", ("Matematika",), ("X-1",),
                                           "https://mapel.id")


SECTIONS = """\
school:
    name: SMA Uji   # nama resmi
subjects:
  - name: Matematika
    aliases: [MTK]
  - name: Fisika
    # alias menyusul

# --- Kelas ---
classes: [X-1]
teachers:
  - name: Sari
    blog: https://sari.id/   # blog lama

# --- Video ---
embeds: [www.youtube.com]
"""


def test_new_items_go_at_the_end_of_their_list_not_under_the_next_heading() -> None:
    # ruamel keeps the comments after a list's last value with that value: without
    # care, Budi would land under "# --- Video ---" and Kimia under "# --- Kelas ---".
    budi = AddedTeacher(slug="budi", name="Budi", blog="https://budi.id/feed/",
                        listed_blog="https://budi.id/", subjects=("Kimia",), classes=("X-2",))
    assert edit_config(SECTIONS, [budi], ["Kimia"], ["X-2"]) == SECTIONS.replace(
        "    # alias menyusul\n", "    # alias menyusul\n  - name: Kimia\n").replace(
        "[X-1]", "[X-1, X-2]").replace(
        "# blog lama\n", "# blog lama\n  - name: Budi\n    slug: budi\n"
        "    subjects: [Kimia]\n    classes: [X-2]\n    blog: https://budi.id/feed/\n")


@pytest.mark.parametrize(("cell", "names"), [
    ("Matematika, Fisika", ["Matematika", "Fisika"]),
    ("Kimia dan Fisika", ["Kimia", "Fisika"]),
    ("Biologi; Kimia / IPA", ["Biologi", "Kimia", "IPA"]),
    ("Prakarya dan Kewirausahaan", ["Prakarya dan Kewirausahaan"]),
    ("Pendidikan Jasmani, Olahraga, dan Kesehatan",
     ["Pendidikan Jasmani, Olahraga, dan Kesehatan"]),
    ("Sejarah, Bimbingan dan Konseling", ["Sejarah", "Bimbingan dan Konseling"]),
    ("Matematika DAN Danau", ["Matematika", "Danau"]),
    ("-", []),
    ("", []),
])
def test_subject_cells_are_split(cell: str, names: list[str]) -> None:
    known = {fold(name) for name in ("Prakarya dan Kewirausahaan", "Bimbingan dan Konseling",
                                     "Pendidikan Jasmani, Olahraga, dan Kesehatan")}
    assert split_names(cell, known) == names


@pytest.mark.parametrize(("value", "address"), [
    ("https://sari.wordpress.com/", "https://sari.wordpress.com/"),
    ("sari.blogspot.com", "https://sari.blogspot.com"),
    ("http://127.0.0.1:8000/blog/", "http://127.0.0.1:8000/blog/"),
    ("belum ada", None),
    ("htps//sari.blogspot.com", None),
    ("ftp://sari.id/", None),
    ("https://sari", None),
    ("https://sari.id:0/", None),
])
def test_blog_addresses(value: str, address: str | None) -> None:
    assert web_address(value) == address


def test_a_teacher_without_a_blog_writes_in_content_and_the_same_list_again_is_nothing_new(
        school: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 21: an empty blog cell refused the whole row, naming the teacher as if she
    were the address; importing the list again gave exit 2 and every row "sudah dipakai"."""
    Path("guru.csv").write_text("nama;mapel;blog\nHj. Nurhayati Fauziah, S.Ag.;PAI;\n"
                                "Budi Santoso;Matematika;budi.blogspot.com\n")
    code, out, err = run(capsys, "import", "--offline", "guru.csv")
    assert code == 0, err
    assert out.splitlines() == [
        "ditambahkan: nurhayati-fauziah — Hj. Nurhayati Fauziah, S.Ag. — menulis di "
        "content/nurhayati-fauziah/",
        "ditambahkan: budi-santoso — Budi Santoso — https://budi.blogspot.com",
        "mata pelajaran baru di site.yml: PAI",
        "2 guru ditambahkan ke site.yml, 0 sudah ada, 0 dilewati",
    ]
    assert teachers(school)["nurhayati-fauziah"][3] is None
    before = school.read_bytes()
    code, out, err = run(capsys, "import", "--offline", "guru.csv")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "tidak ada guru baru di guru.csv: 2 guru sudah ada di site.yml, tidak ada yang diubah"]
    assert school.read_bytes() == before
    assert run(capsys, "check")[0] == 0
