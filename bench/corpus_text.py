"""What the benchmark corpus says: Indonesian school subjects, topics and sentences.

A post is a tuple of blocks (heading, paragraph, lists, table, image, code, quote) built
from these banks with a seeded `random.Random`; bench/corpus.py turns the same blocks into
Markdown for every tool and into HTML for the feed files. The text only needs to look
like what teachers write (length, markup, vocabulary): it is not meant to be read.

Inline markup inside texts is the small subset both renderers know: `**bold**`,
`*italic*`, `` `code` ``, `[text](url)` and `$math$`.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

Kind = Literal["materi", "tugas", "pengumuman"]


@dataclass(frozen=True)
class SubjectText:
    name: str
    aliases: tuple[str, ...]
    """Labels teachers use on their blogs; the feed files use them as categories."""
    topics: tuple[str, ...]
    terms: tuple[str, ...]
    formulas: tuple[str, ...] = ()
    """Inline `$...$` math, used now and then in this subject's posts."""
    code: tuple[str, ...] = ()
    """Python snippets, used now and then in this subject's posts."""


SUBJECTS: tuple[SubjectText, ...] = (
    SubjectText(
        "Matematika", ("MTK", "math", "matematika wajib"),
        ("Persamaan Kuadrat", "Fungsi Eksponen", "Logaritma", "Barisan dan Deret",
         "Trigonometri Dasar", "Statistika Data Tunggal", "Peluang Kejadian",
         "Matriks dan Determinan", "Limit Fungsi Aljabar", "Turunan Fungsi"),
        ("akar persamaan", "diskriminan", "basis", "bilangan pokok", "suku ke-n", "rasio",
         "sudut istimewa", "rata-rata", "median", "ruang sampel", "invers matriks", "gradien"),
        formulas=("$x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$", "$D = b^2 - 4ac$",
                  "$a^m \\cdot a^n = a^{m+n}$", "$\\sin^2 x + \\cos^2 x = 1$")),
    SubjectText(
        "Fisika", ("physics", "fis"),
        ("Gerak Lurus Beraturan", "Hukum Newton tentang Gerak", "Usaha dan Energi",
         "Momentum dan Impuls", "Getaran Harmonis", "Gelombang Bunyi", "Suhu dan Kalor",
         "Listrik Arus Searah", "Optika Geometri", "Fluida Statis"),
        ("kecepatan", "percepatan", "gaya", "massa", "energi kinetik", "energi potensial",
         "frekuensi", "amplitudo", "kalor jenis", "hambatan", "tekanan hidrostatis",
         "indeks bias"),
        formulas=("$F = m \\cdot a$", "$E_k = \\frac{1}{2} m v^2$", "$V = I \\cdot R$",
                  "$p = \\rho g h$")),
    SubjectText(
        "Kimia", ("chemistry", "kim"),
        ("Struktur Atom", "Sistem Periodik Unsur", "Ikatan Kimia", "Stoikiometri",
         "Larutan Elektrolit", "Reaksi Redoks", "Laju Reaksi", "Kesetimbangan Kimia",
         "Asam dan Basa", "Termokimia"),
        ("elektron valensi", "nomor atom", "ikatan kovalen", "mol", "massa molar",
         "bilangan oksidasi", "katalis", "konsentrasi", "pH", "entalpi", "larutan penyangga"),
        formulas=("$n = \\frac{m}{M_r}$", "$pH = -\\log [H^+]$", "$M = \\frac{n}{V}$")),
    SubjectText(
        "Biologi", ("bio", "biology"),
        ("Keanekaragaman Hayati", "Sel dan Organel", "Sistem Pencernaan Manusia",
         "Sistem Peredaran Darah", "Ekosistem", "Pertumbuhan dan Perkembangan",
         "Pewarisan Sifat", "Virus dan Peranannya", "Jaringan Tumbuhan", "Bioteknologi"),
        ("mitokondria", "kloroplas", "enzim", "produsen", "konsumen", "rantai makanan",
         "kromosom", "gen", "fotosintesis", "respirasi", "jaringan meristem")),
    SubjectText(
        "Bahasa Indonesia", ("B. Indonesia", "bindo", "bhs indonesia"),
        ("Teks Laporan Hasil Observasi", "Teks Eksposisi", "Teks Anekdot", "Hikayat",
         "Teks Negosiasi", "Teks Debat", "Cerpen", "Teks Prosedur", "Puisi Rakyat",
         "Surat Lamaran Pekerjaan"),
        ("struktur teks", "kaidah kebahasaan", "tesis", "argumentasi", "penegasan ulang",
         "orientasi", "komplikasi", "resolusi", "majas", "kalimat efektif", "kata baku")),
    SubjectText(
        "Bahasa Inggris", ("B. Inggris", "English", "bhs inggris"),
        ("Descriptive Text", "Recount Text", "Narrative Text", "Procedure Text",
         "Asking and Giving Opinion", "Simple Past Tense", "Passive Voice",
         "Analytical Exposition", "Report Text", "Conditional Sentences"),
        ("generic structure", "language features", "orientation", "tenses", "vocabulary",
         "pronunciation", "modal verbs", "connectives", "main idea", "supporting details")),
    SubjectText(
        "Sejarah", ("sejarah indonesia", "history"),
        ("Kerajaan Hindu-Buddha di Nusantara", "Kerajaan Islam di Indonesia",
         "Kedatangan Bangsa Eropa", "Pergerakan Nasional", "Sumpah Pemuda",
         "Proklamasi Kemerdekaan", "Perjuangan Mempertahankan Kemerdekaan",
         "Demokrasi Liberal", "Orde Baru", "Reformasi 1998"),
        ("sumber primer", "prasasti", "kolonialisme", "nasionalisme", "organisasi pergerakan",
         "diplomasi", "kronologi", "historiografi", "jalur rempah", "museum")),
    SubjectText(
        "Geografi", ("geo", "geography"),
        ("Peta dan Pemetaan", "Dinamika Litosfer", "Dinamika Atmosfer", "Hidrosfer",
         "Mitigasi Bencana Alam", "Persebaran Flora dan Fauna", "Kependudukan",
         "Sumber Daya Alam", "Wilayah dan Pewilayahan", "Penginderaan Jauh"),
        ("skala peta", "legenda", "lempeng tektonik", "curah hujan", "daerah aliran sungai",
         "garis Wallace", "piramida penduduk", "kepadatan penduduk", "citra satelit",
         "jalur evakuasi")),
    SubjectText(
        "Ekonomi", ("economics", "eko"),
        ("Kelangkaan dan Kebutuhan", "Permintaan dan Penawaran", "Pasar Input dan Output",
         "Bank dan Lembaga Keuangan", "Kebijakan Moneter", "APBN dan APBD",
         "Pendapatan Nasional", "Perdagangan Internasional", "Koperasi", "Akuntansi Dasar"),
        ("biaya peluang", "harga keseimbangan", "elastisitas", "inflasi", "suku bunga",
         "pajak", "produk domestik bruto", "neraca pembayaran", "sisa hasil usaha", "jurnal"),
        formulas=("$Ed = \\frac{\\Delta Q / Q}{\\Delta P / P}$",
                  "$PDB = C + I + G + (X - M)$")),
    SubjectText(
        "Sosiologi", ("sosio", "sociology"),
        ("Fungsi Sosiologi", "Interaksi Sosial", "Sosialisasi dan Kepribadian",
         "Penyimpangan Sosial", "Kelompok Sosial", "Mobilitas Sosial", "Konflik dan Integrasi",
         "Perubahan Sosial", "Pemberdayaan Komunitas", "Kearifan Lokal"),
        ("nilai sosial", "norma", "status", "peran", "agen sosialisasi", "stratifikasi",
         "akomodasi", "gotong royong", "modal sosial", "globalisasi")),
    SubjectText(
        "Informatika", ("TIK", "informatics", "KKA"),
        ("Berpikir Komputasional", "Algoritma dan Pemrograman", "Percabangan di Python",
         "Perulangan di Python", "Struktur Data List", "Jaringan Komputer",
         "Keamanan Data Pribadi", "Analisis Data dengan Spreadsheet", "Dampak Sosial Informatika",
         "Sistem Komputer"),
        ("dekomposisi", "abstraksi", "variabel", "kondisi", "iterasi", "indeks", "alamat IP",
         "kata sandi", "fungsi", "sel", "perangkat keras"),
        code=(
            "nilai = int(input(\"Nilai: \"))\nif nilai >= 75:\n    print(\"Tuntas\")\n"
            "else:\n    print(\"Remedial\")",
            "total = 0\nfor i in range(1, 11):\n    total += i\n"
            "print(\"Jumlah 1 sampai 10:\", total)",
            "nilai = [80, 72, 95, 64, 88]\nrata = sum(nilai) / len(nilai)\n"
            "print(f\"Rata-rata kelas: {rata:.1f}\")",
        )),
    SubjectText(
        "PJOK", ("penjas", "penjaskes", "olahraga"),
        ("Permainan Bola Voli", "Permainan Sepak Bola", "Atletik Lari Jarak Pendek",
         "Senam Lantai", "Kebugaran Jasmani", "Renang Gaya Bebas", "Pencak Silat",
         "Bulu Tangkis", "Pola Hidup Sehat", "Pertolongan Pertama"),
        ("passing bawah", "servis", "start jongkok", "guling depan", "daya tahan",
         "kelentukan", "pemanasan", "pendinginan", "gizi seimbang", "cedera ringan")),
)

DAILY = ("berbelanja di pasar", "naik angkot ke sekolah", "memasak bersama keluarga",
         "bermain bola di lapangan desa", "menonton berita di televisi",
         "membaca pesan di grup WhatsApp kelas", "menabung di koperasi sekolah",
         "menanam sayur di kebun sekolah", "membantu orang tua di warung",
         "mengisi pulsa dan paket data", "bersepeda ke rumah teman",
         "mengikuti kerja bakti di lingkungan RT")

MATERI_SENTENCES = (
    "Pada pertemuan kali ini kita membahas **{topic}**, salah satu pokok bahasan penting "
    "dalam {subject} kelas {grade}.",
    "Sebelum masuk ke inti materi, coba ingat kembali pelajaran tentang *{term}* yang sudah "
    "kita pelajari minggu lalu.",
    "Konsep {term} sering kita temui dalam kehidupan sehari-hari, misalnya ketika kita "
    "{daily}.",
    "Banyak siswa keliru memahami hubungan antara {term} dan {term2}, jadi perhatikan "
    "penjelasan berikut dengan saksama.",
    "Bacalah buku paket halaman {page} sampai {page2} sebagai bahan pendamping catatan ini.",
    "Jika ada bagian yang belum jelas, tuliskan pertanyaan kalian di kolom komentar atau "
    "tanyakan langsung di kelas.",
    "Diskusikan bersama teman sebangku, lalu tuliskan kesimpulan kalian di buku catatan.",
    "Ingat bahwa {term} tidak sama dengan {term2}: keduanya berkaitan, tetapi maknanya "
    "berbeda.",
    "Materi ini menjadi dasar untuk bab berikutnya, yaitu {topic2}.",
    "Perhatikan contoh berikut agar lebih mudah memahami cara kerja {term}.",
    "Di awal pertemuan berikutnya ada kuis singkat, jadi pelajari kembali catatan kalian.",
    "Pemahaman yang baik tentang {topic} membantu kalian menyelesaikan soal-soal asesmen "
    "sumatif akhir semester.",
    "Kalian tidak perlu menghafal semuanya; yang penting pahami dulu alur berpikirnya.",
    "Guru sudah menyiapkan video singkat di kanal sekolah bagi yang ingin mengulang materi "
    "di rumah.",
    "Coba jelaskan kembali dengan kata-kata sendiri apa yang dimaksud dengan {term}.",
    "Kesalahan yang paling sering muncul adalah tertukar antara {term} dan {term2}.",
    "Bagi yang tertinggal karena sakit atau dispensasi, salin catatan dari teman lalu "
    "temui guru pada jam istirahat.",
    "Gunakan tabel di bawah sebagai ringkasan sebelum mengerjakan latihan.",
    "Materi ini sejalan dengan capaian pembelajaran fase {phase} pada Kurikulum Merdeka.",
    "Untuk pendalaman, kalian boleh membaca sumber lain selama sumbernya jelas dan dapat "
    "dipertanggungjawabkan.",
    "Setiap kelompok akan mempresentasikan hasil diskusinya tentang {term} di depan kelas.",
    "Catat juga istilah-istilah baru yang kalian temukan beserta artinya.",
)

TUGAS_STEPS = (
    "Kerjakan secara mandiri di buku latihan, bukan di kertas lepas.",
    "Tuliskan nama, kelas, dan nomor absen di pojok kanan atas.",
    "Sertakan langkah pengerjaan, bukan hanya jawaban akhir.",
    "Foto hasil pekerjaan dengan jelas, lalu unggah ke Google Classroom kelas {cls}.",
    "Jawaban yang sama persis dengan teman dianggap tidak dikerjakan.",
    "Gunakan pena berwarna gelap agar tulisan terbaca jelas di foto.",
    "Jika mengalami kendala kuota, kumpulkan langsung di meja guru pada hari pengumpulan.",
    "Baca kembali catatan materi {topic} sebelum mulai mengerjakan.",
)

TUGAS_QUESTIONS = (
    "Jelaskan pengertian {term} dengan bahasa kalian sendiri.",
    "Berikan dua contoh penerapan {term} dalam kehidupan sehari-hari.",
    "Bandingkan {term} dan {term2}, lalu tuliskan persamaan dan perbedaannya.",
    "Mengapa {term} penting dalam mempelajari {topic}? Jelaskan dengan singkat.",
    "Buatlah peta konsep tentang {topic} di selembar kertas HVS.",
    "Kerjakan soal latihan nomor {n} sampai {n2} di buku paket halaman {page}.",
    "Carilah satu berita atau artikel yang berkaitan dengan {term}, lalu tuliskan "
    "ringkasannya dalam satu paragraf.",
    "Tuliskan tiga pertanyaan tentang {topic} yang masih membuat kalian penasaran.",
)

TUGAS_SENTENCES = (
    "Tugas ini melatih pemahaman kalian tentang **{topic}** yang sudah kita bahas di kelas.",
    "Kerjakan dengan jujur; nilai tugas ini masuk ke penilaian formatif, bukan sumatif.",
    "Yang belum paham boleh bertanya lewat pesan pribadi atau pada jam konsultasi Kamis "
    "siang.",
    "Tugas yang terlambat tetap diterima sampai dua hari setelah tenggat dengan pengurangan "
    "nilai.",
    "Perhatikan kembali contoh soal tentang {term} yang ada di catatan pertemuan lalu.",
    "Kerjakan soal yang kalian anggap paling mudah terlebih dahulu.",
    "Kalian boleh berdiskusi, tetapi tuliskan jawaban dengan kata-kata sendiri.",
    "Hasil tugas terbaik akan ditempel di mading kelas sebagai contoh.",
    "Pembahasan tugas dilakukan bersama pada pertemuan setelah batas pengumpulan.",
    "Siapkan juga pertanyaan tentang {term2} untuk kita bahas bersama.",
)

EVENTS = ("Jadwal Remedial", "Perubahan Jadwal Pelajaran", "Penilaian Tengah Semester",
          "Kegiatan Praktikum", "Lomba Antarkelas", "Kunjungan Belajar",
          "Pengumpulan Portofolio", "Jadwal Asesmen Sumatif", "Kelas Tambahan",
          "Pembagian Kelompok Proyek")

PENGUMUMAN_SENTENCES = (
    "Diberitahukan kepada seluruh siswa kelas {grade} bahwa akan diadakan **{event}** "
    "untuk mata pelajaran {subject}.",
    "Kegiatan ini wajib diikuti oleh siswa yang namanya tercantum dalam daftar di papan "
    "pengumuman.",
    "Harap datang lima belas menit sebelum kegiatan dimulai dan mengenakan seragam sesuai "
    "jadwal hari itu.",
    "Siswa yang berhalangan hadir wajib memberi tahu wali kelas dengan surat izin dari orang "
    "tua.",
    "Informasi lebih lanjut akan disampaikan melalui grup WhatsApp kelas dan papan "
    "pengumuman sekolah.",
    "Mohon orang tua atau wali ikut memantau kesiapan putra-putrinya.",
    "Materi yang diujikan meliputi {topic} dan {topic2}.",
    "Ketua kelas diminta mengumpulkan daftar hadir di ruang guru setelah kegiatan selesai.",
    "Terima kasih atas perhatian dan kerja samanya.",
    "Perubahan jadwal, jika ada, akan diumumkan paling lambat sehari sebelumnya.",
)

BRING = ("alat tulis lengkap", "kalkulator sederhana", "buku paket {subject}", "kartu pelajar",
         "botol minum sendiri", "jas laboratorium", "laptop atau ponsel yang sudah diisi daya",
         "buku catatan", "pakaian olahraga", "kertas HVS secukupnya")

PLACES = ("ruang kelas masing-masing", "laboratorium IPA", "laboratorium komputer",
          "aula sekolah", "lapangan upacara", "perpustakaan", "ruang multimedia")

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")

LINKS = (("Rumah Belajar", "https://belajar.kemdikbud.go.id/"),
         ("Buku digital SIBI", "https://buku.kemdikbud.go.id/"),
         ("Wikipedia bahasa Indonesia", "https://id.wikipedia.org/wiki/{wiki}"),
         ("Kamus Besar Bahasa Indonesia", "https://kbbi.kemdikbud.go.id/"))

FIRST_NAMES = (
    "Sari", "Endang", "Ahmad", "Rina", "Dewi", "Bayu", "Yusuf", "Hendra", "Nur", "Wahyu",
    "Bambang", "Yohanes", "Fatimah", "Lukman", "Siti", "Agus", "Budi", "Sri", "Eko", "Dian",
    "Rudi", "Yuliana", "Andi", "Ratna", "Joko", "Indah", "Hadi", "Putri", "Dedi", "Lestari",
    "Ikhsan", "Maria", "Teguh", "Wulan", "Arif", "Nia", "Fajar", "Ayu", "Rahmat", "Ani",
    "Imam", "Kartika", "Bagus", "Novi", "Slamet", "Tuti", "Gilang", "Desi", "Made", "Ketut",
    "Komang", "Ni Luh", "Benediktus", "Theresia", "Ucok", "Butet", "Rahmawati", "Syaiful",
    "Irwan", "Mega", "Taufik", "Citra", "Hasan", "Zainal", "Anisa", "Dimas", "Galih",
    "Herlina", "Yanti", "Robert", "Fransiska", "Gregorius", "Kurniawati", "Samsul", "Aisyah")
LAST_NAMES = (
    "Wulandari", "Purwaningsih", "Fauzi", "Marlina", "Anggraini", "Setiawan", "Hidayat",
    "Gunawan", "Rahmawati", "Nugroho", "Sutrisno", "Kristianto", "Azzahra", "Hakim",
    "Suryani", "Santoso", "Prasetyo", "Wahyuni", "Saputra", "Lestari", "Kurniawan",
    "Handayani", "Siregar", "Nasution", "Harahap", "Simanjuntak", "Pangaribuan", "Lubis",
    "Tanjung", "Sembiring", "Ginting", "Manurung", "Wibowo", "Susanto", "Permana",
    "Ramadhan", "Syahputra", "Maharani", "Pratama", "Utami", "Firmansyah", "Hartono",
    "Mulyadi", "Sulistyo", "Yulianti", "Rahayu", "Hasibuan", "Panjaitan", "Tampubolon",
    "Wijaya", "Halim", "Tanoto", "Pardede", "Sinaga", "Daulay", "Batubara", "Putra",
    "Suparman", "Kusuma", "Sitompul", "Damanik", "Purba", "Rangkuti", "Effendi", "Iskandar",
    "Latuconsina", "Pattiasina", "Wenda", "Kambu", "Mandagi", "Lumban Gaol", "Lase",
    "Zebua", "Mahendra")
DEGREES = ("S.Pd.", "S.Pd.", "S.Pd.", "S.Pd., M.Pd.", "S.Si.", "S.Kom.", "S.E.", "S.Pd., Gr.",
           "S.S.", "M.Pd.")

Block = tuple[Any, ...]
"""One piece of a post: ("h2", text) | ("p", text) | ("ul", items) | ("ol", items) |
("table", header, rows) | ("img", alt) | ("code", language, source) | ("quote", text)."""


@dataclass(frozen=True)
class PostText:
    title: str
    kind: Kind
    classes: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str
    due: datetime | None
    blocks: tuple[Block, ...]
    words: int


def grade_of(class_name: str) -> str:
    return class_name.split("-")[0]


def long_date(moment: datetime) -> str:
    """`Senin, 2 November 2026`: how dates are written in a school announcement."""
    return f"{DAYS[moment.weekday()]}, {moment.day} {MONTHS[moment.month - 1]} {moment.year}"


_FIELDS: dict[str, frozenset[str]] = {}


def _fields(template: str) -> frozenset[str]:
    """The names of a template's blanks; `term` stands for `term2` too."""
    found = _FIELDS.get(template)
    if found is None:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        if "term2" in names:
            names.add("term")
        found = _FIELDS[template] = frozenset(names)
    return found


class _Paragraph:
    """The sentences of one paragraph and the templates they came from."""

    def __init__(self) -> None:
        self.templates: list[str] = []
        self.sentences: list[str] = []

    def add(self, template: str, sentence: str) -> None:
        self.templates.append(template)
        self.sentences.append(sentence)

    def block(self) -> Block:
        return ("p", " ".join(self.sentences))


def _count_words(blocks: list[Block]) -> int:
    count = 0
    for block in blocks:
        for part in block[1:]:
            if isinstance(part, str):
                count += len(part.split())
            else:
                for item in part:
                    count += len(item.split()) if isinstance(item, str) else \
                        sum(len(cell.split()) for cell in item)
    return count


def write_post(rng: random.Random, subject: SubjectText, teacher_classes: tuple[str, ...],
               kind: Kind, published: datetime) -> PostText:
    """One post of `kind` about one of `subject`'s topics, 300-600 words long."""
    topic, topic2 = rng.sample(subject.topics, 2)
    classes = tuple(sorted(rng.sample(teacher_classes, min(len(teacher_classes),
                                                            rng.randint(1, 3)))))
    grade = grade_of(classes[0])
    values = {"topic": topic, "topic2": topic2, "subject": subject.name, "grade": grade,
              "cls": classes[0], "phase": "E" if grade == "X" else "F",
              "wiki": topic.replace(" ", "_")}

    def fill(template: str) -> str:
        """The template with its blanks filled; only the blanks it has cost random draws
        (this runs 3 million times for the district corpus)."""
        needed = _fields(template)
        extra: dict[str, object] = {}
        if "term" in needed:
            terms = subject.terms
            first = int(rng.random() * len(terms))
            second = (first + 1 + int(rng.random() * (len(terms) - 1))) % len(terms)
            extra["term"], extra["term2"] = terms[first], terms[second]
        if "daily" in needed:
            extra["daily"] = DAILY[int(rng.random() * len(DAILY))]
        if "page" in needed:
            extra["page"] = page = 12 + int(rng.random() * 169)
            extra["page2"] = page + 2 + int(rng.random() * 7)
        if "n" in needed:
            extra["n"] = n = 1 + int(rng.random() * 10)
            extra["n2"] = n + 4 + int(rng.random() * 6)
        return template.format(**values, **extra)

    def paragraph(bank: tuple[str, ...], sentences: int, opening: bool = False) -> _Paragraph:
        """Sentences drawn from `bank`; its first sentence opens the post and only it."""
        made = _Paragraph()
        chosen = rng.sample(bank[1:], sentences - opening)
        for template in [bank[0], *chosen] if opening else chosen:
            made.add(template, fill(template))
        return made

    due = None
    paragraphs: list[_Paragraph] = []
    blocks: list[Block | _Paragraph] = []
    if kind == "materi":
        title = rng.choice((topic, f"Materi {subject.name}: {topic}", f"Memahami {topic}",
                            f"{topic} (Bagian {rng.randint(1, 3)})"))
        bank: tuple[str, ...] = MATERI_SENTENCES
        intro = paragraph(bank, 2, opening=True)
        body = paragraph(bank, 2)
        closing = paragraph(bank, 1)
        paragraphs += [intro, body, closing]
        grow_after = body
        terms = rng.sample(subject.terms, 4)
        blocks += [
            intro,
            ("h2", "Tujuan pembelajaran"),
            ("ul", tuple(f"Siswa mampu {verb} {term}." for verb, term in zip(
                ("menjelaskan pengertian", "memberi contoh", "membedakan",
                 "menerapkan konsep"), terms, strict=True))),
            ("h2", f"Pengertian {topic}"),
            body,
            ("table", ("Istilah", "Penjelasan singkat", "Contoh"),
             tuple((f"**{term}**", f"bagian penting dari {topic.lower()}",
                    f"lihat buku paket hlm. {rng.randint(12, 180)}") for term in terms)),
            ("img", f"Diagram ringkas {topic}"),
            ("h2", "Langkah-langkah"),
            ("ol", tuple(fill(s) for s in rng.sample(MATERI_SENTENCES, 3))),
        ]
        if subject.formulas and rng.random() < 0.5:
            blocks.append(("p", f"Rumus yang perlu diingat: {rng.choice(subject.formulas)}."))
        if subject.code and rng.random() < 0.6:
            blocks += [("p", "Contoh program sederhana:"),
                       ("code", "python", rng.choice(subject.code))]
        blocks += [("h2", "Latihan"),
                   ("ol", tuple(fill(q) for q in rng.sample(TUGAS_QUESTIONS, 3))),
                   closing]
        summary = f"Materi {topic} untuk kelas {', '.join(classes)}: pengertian, contoh, " \
                  f"dan latihan."
    elif kind == "tugas":
        title = rng.choice((f"Tugas {topic}", f"PR {subject.name}: {topic}",
                            f"Latihan Soal {topic}", f"Tugas Kelompok {topic}"))
        due = (published + timedelta(days=rng.randint(3, 14))).replace(hour=7, minute=0)
        bank = TUGAS_SENTENCES
        intro = paragraph(bank, 2, opening=True)
        closing = paragraph(bank, 2)
        paragraphs += [intro, closing]
        grow_after = intro
        blocks += [
            intro,
            ("h2", "Petunjuk"),
            ("ol", tuple(fill(s) for s in rng.sample(TUGAS_STEPS, 4))),
            ("h2", "Soal"),
            ("ol", tuple(fill(q) for q in rng.sample(TUGAS_QUESTIONS, 5))),
            ("h2", "Penilaian"),
            ("table", ("Aspek", "Skor maksimal"),
             (("Ketepatan jawaban", "40"), ("Langkah pengerjaan", "30"),
              ("Kerapian", "15"), ("Ketepatan waktu", "15"))),
            ("img", f"Contoh pengerjaan soal {topic}"),
        ]
        if subject.formulas and rng.random() < 0.4:
            blocks.append(("p", f"Gunakan rumus {rng.choice(subject.formulas)} bila perlu."))
        blocks += [("h2", "Pengumpulan"),
                   ("p", f"Dikumpulkan paling lambat **{long_date(due)} pukul 07.00**."),
                   closing]
        summary = f"Tugas {topic} untuk kelas {', '.join(classes)}, dikumpulkan " \
                  f"{long_date(due)}."
    else:
        event = rng.choice(EVENTS)
        values["event"] = event.lower()
        title = f"Pengumuman: {event} {subject.name} Kelas {grade}"
        bank = PENGUMUMAN_SENTENCES
        intro = paragraph(bank, 2, opening=True)
        closing = paragraph(bank, 2)
        paragraphs += [intro, closing]
        grow_after = intro
        first = published + timedelta(days=rng.randint(2, 9))
        rows = tuple((long_date(first + timedelta(days=i)),
                      f"{7 + 2 * i:02d}.30\u2013{9 + 2 * i:02d}.00",  # an en dash
                      f"{event} {', '.join(classes)}", rng.choice(PLACES))
                     for i in range(rng.randint(2, 4)))
        blocks += [
            intro,
            ("h2", "Jadwal"),
            ("table", ("Hari, tanggal", "Waktu", "Kegiatan", "Tempat"), rows),
            ("h2", "Yang perlu dibawa"),
            ("ul", tuple(fill(item) for item in rng.sample(BRING, 4))),
            ("img", f"Denah lokasi {event.lower()}"),
            ("quote", "Siswa yang tidak hadir tanpa keterangan dianggap tidak mengikuti "
                      "kegiatan."),
            closing,
        ]
        summary = f"{event} {subject.name} kelas {', '.join(classes)} mulai " \
                  f"{long_date(first)}."
    label, url = rng.choice(LINKS)
    blocks.append(("p", f"Bacaan tambahan: [{label}]({url.format(**values)})."))

    # Lengthen the post one sentence at a time until it has its target length: into its
    # shortest paragraph, or, once every paragraph has four sentences, into a new one
    # after the first section's text. No paragraph says the same sentence twice.
    target = rng.randint(300, 600)
    words = _count_words([b.block() if isinstance(b, _Paragraph) else b for b in blocks])
    while words < target:
        shortest = min(paragraphs, key=lambda p: len(p.sentences))
        if len(shortest.sentences) >= 4:
            shortest = _Paragraph()
            blocks.insert(blocks.index(grow_after) + 1, shortest)
            paragraphs.append(shortest)
            grow_after = shortest
        template = rng.choice([t for t in bank[1:] if t not in shortest.templates])
        sentence = fill(template)
        shortest.add(template, sentence)
        words += len(sentence.split())
    as_blocks = [b.block() if isinstance(b, _Paragraph) else b for b in blocks]
    tags = (topic.lower(), rng.choice(subject.terms))
    return PostText(title, kind, classes, tags, summary, due, tuple(as_blocks),
                    _count_words(as_blocks))
