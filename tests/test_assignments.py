"""assignments, classes: what a blog post says about itself as an assignment (issue 20).

Pure functions over text; the labelled set goes through `collect`, the real pipeline.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.assignments import Reading, read_post, text_of
from generator.classes import ClassIndex, class_key
from generator.collect import collect
from generator.models import Entry, Post, School, Site, Teacher, pack_html
from tests.assignment_set import SET_FILE, load, read_with_mading, score

JAKARTA = ZoneInfo("Asia/Jakarta")
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=JAKARTA)  # Monday 7 December 2026, 09:00 WIB
CLASSES = ClassIndex.build(
    ["X IPA 1", "X IPA 2", "X IPS 1", "XI MIPA 1", "XI MIPA 3", "XII IPA 1", "XII IPA 2",
     "VIII A", "VIII B", "IX A", "IX B", "IX C"],
    {"XI MIPA 3": ["XI IPA 3"]})


def read(text: str, title: str = "Tugas", published: datetime = MONDAY,
         own: tuple[str, ...] = ()) -> Reading:
    return read_post(title, f"<p>{text}</p>", published, JAKARTA, CLASSES, own)


def due(text: str, **kwargs: object) -> str | None:
    reading = read(text, **kwargs)  # type: ignore[arg-type]
    if reading.due is None:
        return None
    return f"{reading.due:%Y-%m-%d}" if reading.all_day else f"{reading.due:%Y-%m-%d %H:%M}"


# -- kind ---------------------------------------------------------------------------------


@pytest.mark.parametrize("title", [
    "Tugas: Latihan SPLDV", "PR Logaritma untuk X-1", "Remedial Ulangan Harian",
    "Kuis Online Barisan", "Proyek IPA: Model Sel", "Pekerjaan Rumah Bab 2", "tugas b.indo",
    "Penugasan Mandiri", "English Homework"])
def test_a_title_that_says_assignment_makes_one(title: str) -> None:
    assert read("Kerjakan soal berikut.", title=title).kind == "tugas"


def test_latihan_is_an_assignment_only_when_handed_in() -> None:
    assert read("Latihan ini dikumpulkan besok.", title="Latihan Soal Integral").kind == "tugas"
    assert read("Kerjakan untuk persiapan ujian.", title="Latihan Soal Integral").kind is None


@pytest.mark.parametrize(("title", "text"), [
    ("Pembahasan PR minggu lalu", "Berikut pembahasannya."),
    ("Tugas minggu lalu sudah dinilai", "Nilai ada di Google Classroom."),
    ("Kunci Jawaban Tugas SPLDV", "Cocokkan jawaban kalian."),
    ("Latihan soal persiapan PAS", "Latihan soal ini tidak perlu dikumpulkan."),
    ("Materi Limit", "Latihan: kerjakan soal berikut (tidak perlu dikumpulkan)."),
    ("Rekap Nilai Tugas", "Tugas yang dikumpulkan tanggal 4 Desember sudah dinilai."),
    # held-out.yml's two misses: a registration and a reminder.
    ("Lomba Baca Puisi", "Pendaftaran dikumpulkan ke Miss Lina paling lambat 9 Desember 2026."),
    ("Selamat Berlibur", "Jangan lupa tugas liburan dikumpulkan hari Senin, 4 Januari 2027."),
    ("Ayo Ikut Lomba", "Formulir dikumpulkan paling lambat besok."),
])
def test_a_post_that_only_mentions_an_assignment_is_not_one(title: str, text: str) -> None:
    assert read(text, title=title).kind is None


def test_a_dated_hand_in_sentence_makes_an_assignment_of_a_post_with_another_title() -> None:
    reading = read("Setelah membaca, kumpulkan jawabannya sebelum Jumat, 11 Desember 2026.",
                   title="Momentum dan Impuls")
    assert (reading.kind, reading.due) == ("tugas", datetime(2026, 12, 11, 23, 59,
                                                              tzinfo=JAKARTA))


def test_labels_win_over_the_text() -> None:
    text = "Tugas dikumpulkan paling lambat Jumat, 11 Desember 2026."
    for label in ("materi", "pengumuman"):
        reading = read_post("Tugas SPLDV", text, MONDAY, JAKARTA, CLASSES, (),
                            label_kind=label)  # type: ignore[arg-type]
        assert (reading.kind, reading.due) == (label, None)


def test_a_post_that_is_not_an_assignment_gets_no_deadline() -> None:
    assert read("Dikumpulkan tanggal 11 Desember.", title="Pembahasan Tugas").due is None


# -- deadline: dates ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Dikumpulkan paling lambat hari Jumat, 18 Desember 2026 pukul 23.59 WIB.",
     "2026-12-18 23:59"),
    ("Deadline tanggal 20 Des jam 12 siang.", "2026-12-20 12:00"),
    ("Batas pengumpulan: Jumat, 11 Desember 2026.", "2026-12-11"),
    ("Dikumpulkan 11 Des 2026.", "2026-12-11"),
    ("dikumpulkan 11 desember 2026.", "2026-12-11"),
    ("Pengumpulan tugas: 16/12/2026.", "2026-12-16"),
    ("Selambat-lambatnya tanggal 12-12-2026.", "2026-12-12"),
    ("Kumpulkan sebelum 2026-12-17.", "2026-12-17"),
    ("Paling lambat Senin (14/12).", "2026-12-14"),
    ("Due date: Friday, 18 December 2026.", "2026-12-18"),
    ("Tenggat waktu: 9 Jan 2027.", "2027-01-09"),
    ("Setor paling lambat 4/12/26.", None),  # before publication: not a deadline
    ("Dikumpulkan paling lambat tanggal 18.", "2026-12-18"),
    ("Dikumpulkan paling telat tgl. 3.", "2027-01-03"),  # the next 3rd
    ("Send it to me before Friday, 18 December 2026.", "2026-12-18"),
])
def test_absolute_dates(text: str, expected: str | None) -> None:
    assert due(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Dikumpulkan besok.", "2026-12-08"),
    ("Dikumpulkan lusa.", "2026-12-09"),
    ("Dikumpulkan hari Senin.", "2026-12-14"),  # published on a Monday: the next one
    ("Dikumpulkan hari Kamis.", "2026-12-10"),
    ("Dikumpulkan Rabu depan.", "2026-12-16"),  # Wednesday of next week
    ("Dikumpulkan minggu depan.", "2026-12-14"),
    ("Dikumpulkan hari Minggu.", "2026-12-13"),
    ("Laporan dikumpulkan paling lambat 2 minggu setelah tugas ini diberikan.", "2026-12-21"),
    ("Kirim paling lambat nanti malam jam 9.", "2026-12-07 21:00"),
    ("Dikumpulkan hari ini pukul 14.00.", "2026-12-07 14:00"),
    ("Dikumpulkan Jumat ini.", "2026-12-11"),
    ("Dikumpulkan Senin ini pukul 15.00.", "2026-12-07 15:00"),  # published on a Monday
])
def test_relative_dates_count_from_the_day_of_publication(text: str,
                                                          expected: str | None) -> None:
    assert due(text) == expected


def test_relative_dates_use_the_schools_day_not_utcs() -> None:
    # 18:30 UTC on Sunday is 01:30 on Monday in Jakarta: "besok" is Tuesday.
    late = datetime(2026, 12, 6, 18, 30, tzinfo=UTC)
    assert due("Dikumpulkan besok pukul 12.00 WIB.", published=late) == "2026-12-08 12:00"


def test_a_date_without_a_year_is_the_next_one_after_publication() -> None:
    assert due("Deadline: 8 Jan.", published=datetime(2026, 12, 18, tzinfo=JAKARTA)) \
        == "2027-01-08"
    assert due("Dikumpulkan 10 Desember.") == "2026-12-10"


@pytest.mark.parametrize("text", [
    "Dikumpulkan tanggal 29 Februari 2027.", "Kirim paling lambat 31 November.",
    "Dikumpulkan 32/12/2026.", "Dikumpulkan tanggal 30 Februari."])
def test_an_impossible_date_is_dropped_not_guessed(text: str) -> None:
    reading = read(text)
    assert (reading.kind, reading.due) == ("tugas", None)


def test_an_exam_day_or_a_holiday_is_not_the_deadline() -> None:
    text = ("Presentasi dilaksanakan pada 17 Desember 2026.\nLibur dimulai 21 Desember 2026."
            "\nFile dikirim sebelum 16 Desember 2026 pukul 18.00.")
    assert due(text) == "2026-12-16 18:00"


def test_a_sentence_about_a_past_deadline_is_not_read() -> None:
    text = ("Tugas yang dikumpulkan tanggal 1 Desember sudah dinilai.\n"
            "Tugas baru dikumpulkan paling lambat 10 Desember 2026.")
    assert due(text) == "2026-12-10"


def test_an_assignment_without_a_deadline_has_none() -> None:
    reading = read("Dikumpulkan setelah libur semester.")
    assert (reading.kind, reading.due, reading.all_day) == ("tugas", None, False)


# -- deadline: times ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Dikumpulkan 11 Desember 2026 pukul 23.59 WIB.", "2026-12-11 23:59"),
    ("Dikumpulkan 11 Desember 2026 jam 12 siang.", "2026-12-11 12:00"),
    ("Dikumpulkan 11 Desember 2026 jam 8 malam.", "2026-12-11 20:00"),
    ("Dikumpulkan 11 Desember 2026 jam 3 sore.", "2026-12-11 15:00"),
    ("Dikumpulkan 11 Desember 2026 jam 7 pagi.", "2026-12-11 07:00"),
    ("Dikumpulkan 11 Desember 2026 jam 12 malam.", "2026-12-11 23:59"),
    ("Dikumpulkan 11 Desember 2026 pk. 14.00.", "2026-12-11 14:00"),
    ("Dikumpulkan: 11/12/2026, 23:59", "2026-12-11 23:59"),
    ("Dikumpulkan 11 Desember 2026 pukul 10.00 WITA.", "2026-12-11 09:00"),
    ("Dikumpulkan 11 Desember 2026 pukul 08.00 WIT.", "2026-12-11 06:00"),
    ("Dikumpulkan 11 Desember 2026 pukul 25.00.", "2026-12-11"),
    ("Kuis dibuka hari ini pukul 19.00 dan ditutup pukul 21.00.", "2026-12-07 21:00"),
])
def test_times(text: str, expected: str) -> None:
    assert due(text) == expected


def test_a_time_in_wita_is_shown_in_a_school_in_makassar_as_written() -> None:
    makassar = ZoneInfo("Asia/Makassar")
    reading = read_post("Tugas", "Dikumpulkan 11 Desember 2026 pukul 10.00 WITA.",
                        datetime(2026, 12, 7, tzinfo=makassar), makassar, CLASSES)
    assert reading.due == datetime(2026, 12, 11, 10, 0, tzinfo=makassar)


def test_a_day_without_a_time_is_due_at_its_end() -> None:
    reading = read("Dikumpulkan Jumat, 11 Desember 2026.")
    assert (reading.due, reading.all_day) == (datetime(2026, 12, 11, 23, 59, tzinfo=JAKARTA),
                                              True)


# -- classes ------------------------------------------------------------------------------


@pytest.mark.parametrize("written", [
    "XI MIPA 3", "xi-mipa-3", "11 MIPA 3", "kelas XI MIPA 3", "XI IPA 3", "kelas xi mipa 3"])
def test_one_class_however_it_is_spelled(written: str) -> None:
    assert CLASSES.classes_in(f"Untuk {written}: kerjakan.") == ("XI MIPA 3",)
    assert CLASSES.classes_of(written) == ("XI MIPA 3",)


@pytest.mark.parametrize("written", ["8A", "VIII A", "kelas 8A", "kelas 8 A", "viii-a"])
def test_digits_and_roman_numerals_are_one_grade(written: str) -> None:
    assert CLASSES.classes_of(written) == ("VIII A",)


def test_a_superscript_or_other_non_decimal_digit_is_no_grade() -> None:
    """`²` is a digit to `str.isdigit` but not a number to `int` (found by fuzz)."""
    assert class_key("X² IPA") == ("x²", "ipa")
    assert class_key("² IPA") == ("²", "ipa")
    assert CLASSES.classes_in("Kelas ² dan ³: kerjakan.") == ()
    assert CLASSES.classes_in("Untuk X IPA 1-²: kerjakan.") == ("X IPA 1",)


@pytest.mark.parametrize(("text", "expected"), [
    ("Untuk X IPA 1 dan X IPA 2.", ("X IPA 1", "X IPA 2")),
    ("PR untuk X IPA 1-2.", ("X IPA 1", "X IPA 2")),
    ("Untuk kelas IX A, B, C: tulislah.", ("IX A", "IX B", "IX C")),
    ("Tugas IPA 9A dan 9B.", ("IX A", "IX B")),
    ("PR kelas XII IPA 1 & XII IPA 2", ("XII IPA 1", "XII IPA 2")),
    ("Kerjakan no. 1-10 dan 5 soal di halaman 12.", ()),
    ("Sinar x dan 2 x 3.", ()),
])
def test_lists_and_ranges(text: str, expected: tuple[str, ...]) -> None:
    assert CLASSES.classes_in(text) == expected


def test_a_grade_means_the_teachers_classes_of_it_or_all_of_them() -> None:
    assert CLASSES.classes_in("Untuk kelas X.", own=("X IPA 1", "XII IPA 1")) == ("X IPA 1",)
    assert CLASSES.classes_in("Untuk kelas 10.", own=()) == ("X IPA 1", "X IPA 2", "X IPS 1")
    assert CLASSES.classes_in("Untuk XII IPA.", own=()) == ("XII IPA 1", "XII IPA 2")
    assert CLASSES.classes_in("Tugas kelas IX\nKelas IX B saja.") == ("IX B",)


def test_a_post_naming_no_class_is_for_the_teachers_classes() -> None:
    assert read("Dikumpulkan besok.", own=("X IPA 2",)).classes == ("X IPA 2",)


def test_label_classes_win_over_the_text() -> None:
    reading = read_post("Tugas X IPA 1", "<p>Untuk X IPA 2.</p>", MONDAY, JAKARTA, CLASSES,
                        (), label_classes=("XII IPA 1",))
    assert reading.classes == ("XII IPA 1",)


# -- where to hand it in ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Tugas dikumpulkan melalui Google Classroom paling lambat besok.",
     "melalui Google Classroom"),
    ("Kirim ke WhatsApp Ibu.", "ke WhatsApp Ibu"),
    ("Dikumpulkan dalam bentuk cetak.", "dalam bentuk cetak"),
    ("Dikumpulkan di meja guru paling lambat Jumat.", "di meja guru"),
    ("Kirim via email ke sari@sekolah.sch.id.", "via email ke sari@sekolah.sch.id"),
    ("Kerjakan di buku tulis.", ""),
    # Found on the example school: where the practical is held is not where to hand in.
    ("Praktikum di laboratorium IPA dilaksanakan Senin.\nLaporan dikumpulkan besok.", ""),
    ("Praktikum di laboratorium dilaksanakan Senin.\nLaporan dikirim ke email guru.",
     "ke email guru"),
])
def test_where_to_hand_it_in(text: str, expected: str) -> None:
    assert read(text).hand_in == expected


# -- text ---------------------------------------------------------------------------------


def test_text_of_breaks_lines_at_blocks_only() -> None:
    html = "<div>Dikumpulkan\n  besok<br />pukul 12.00</div><p>Selamat&nbsp;mengerjakan</p>"
    assert text_of(html) == "Dikumpulkan besok\npukul 12.00\nSelamat mengerjakan"


def test_a_post_without_text_reads_as_nothing() -> None:
    assert read_post("", "", MONDAY, JAKARTA, CLASSES) == Reading(kind=None)


# -- the labelled set ---------------------------------------------------------------------


SETS = ("posts.yml", "held-out.yml", "held-out-2.yml", "held-out-3.yml")


@pytest.mark.parametrize("name", SETS)
def test_the_labelled_set_meets_the_issues_targets(name: str) -> None:
    data = load(SET_FILE.parent / name)
    found = read_with_mading(data)
    result = score(data.posts, lambda post: found[post.id])
    assert result.day_recall.share >= 0.90, result.misses
    assert result.time_recall.share >= 0.80, result.misses
    assert result.classes_right.share >= 0.80, result.misses
    assert result.kind_recall.share >= 0.90, result.misses


def test_at_most_one_non_assignment_in_twenty_is_shown_as_an_assignment() -> None:
    every = [post for name in SETS for post in load(SET_FILE.parent / name).posts]
    found: dict[str, object] = {}
    for name in SETS:
        found.update(read_with_mading(load(SET_FILE.parent / name)))
    result = score(every, lambda post: found[post.id])  # type: ignore[arg-type,return-value]
    assert result.false_assignments.share <= 0.05, result.misses


def test_the_labelled_set_is_large_enough() -> None:
    data = load()
    kinds = [post.kind == "tugas" for post in data.posts]
    assert len(data.posts) >= 80
    assert sum(kinds) >= 40 and len(kinds) - sum(kinds) >= 20
    assert any(post.kind == "tugas" and post.due is None for post in data.posts)



# -- in collect ---------------------------------------------------------------------------


def _site() -> Site:
    return Site(school=School("SMA Uji", "https://uji.sch.id/", "id", "Asia/Jakarta"),
                subjects=(), classes=("X IPA 1", "X IPA 2", "XI MIPA 3"),
                class_aliases=(("XI MIPA 3", ("XI IPA 3",)),),
                teachers=(Teacher("Sari", "sari", (), ("X IPA 1", "X IPA 2")),),
                root=Path("/sekolah"), config_file=Path("/sekolah/site.yml"))


def _feed(title: str, html: str, categories: tuple[str, ...] = (),
          packed: bytes | None = None) -> Entry:
    return Entry(teacher="sari", entry_id=f"https://sari.example/{title}", origin="feed",
                 title=title, published=MONDAY, html=packed or pack_html(html),
                 link=f"https://sari.example/{title}", categories=categories)


def _collected(*entries: Entry, markdown: tuple[Entry, ...] = ()) -> list[Post]:
    return list(collect(_site(), list(entries), list(markdown), [], MONDAY).posts)


def test_a_feed_post_gets_what_its_text_says() -> None:
    (post,) = _collected(_feed("Tugas: Latihan SPLDV", "<p>Untuk XI IPA 3. Dikumpulkan "
                               "paling lambat Jumat, 11 Desember 2026 pukul 23.59 WIB "
                               "melalui Google Classroom.</p>"))
    assert (post.kind, post.due, post.due_all_day, post.due_read, post.classes,
            post.hand_in) == ("tugas", datetime(2026, 12, 11, 23, 59, tzinfo=JAKARTA), False,
                              True, ("XI MIPA 3",), "melalui Google Classroom")


def test_a_feed_post_labelled_materi_stays_materi() -> None:
    (post,) = _collected(_feed("Tugas SPLDV", "<p>Dikumpulkan besok.</p>", ("Materi",)))
    assert (post.kind, post.due, post.due_read) == ("materi", None, False)


def test_a_post_whose_text_cannot_be_read_stays_materi_and_the_build_goes_on() -> None:
    # A damaged packed text (zlib fails on it): the reading fails, the post stays.
    broken = _feed("Tugas rusak", "", packed=b"not zlib at all")
    fine = _feed("Tugas baik", "<p>Dikumpulkan besok.</p>")
    posts = {post.title: post for post in _collected(broken, fine)}
    assert (posts["Tugas rusak"].kind, posts["Tugas rusak"].due) == ("materi", None)
    assert posts["Tugas rusak"].classes == ("X IPA 1", "X IPA 2")
    assert posts["Tugas baik"].kind == "tugas"


def test_a_markdown_posts_front_matter_is_kept_as_written() -> None:
    entry = Entry(teacher="sari", entry_id="content/sari/pr.md", origin="markdown",
                  title="Pembahasan", published=MONDAY,
                  html=pack_html("<p>Tugas dikumpulkan besok pukul 10.00.</p>"),
                  classes=("X IPA 2",), kind="tugas",
                  due=datetime(2026, 12, 18, 23, 59, tzinfo=JAKARTA), due_all_day=True,
                  slug="pr")
    (post,) = _collected(markdown=(entry,))
    assert (post.kind, post.due, post.due_all_day, post.due_read, post.classes,
            post.hand_in) == ("tugas", entry.due, True, False, ("X IPA 2",), "")
