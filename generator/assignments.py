"""Read an assignment from a blog post the way a student reads it (issue 20).

Teachers on WordPress and Blogger write no front matter: "Tugas dikumpulkan paling lambat
hari Jumat, 18 Desember 2026 pukul 23.59 WIB melalui Google Classroom". This module reads
from a post's title and text whether it is an assignment, its deadline, the classes it names
and where to hand it in. Pure: no network, no disk; a post it cannot read stays what its
labels made it.

Written by hand, not with `dateparser`: measured on the labelled posts of
tests/fixtures/assignments/, dateparser found no date in most deadline sentences and
misread others (docs/decisions.md, "Reading assignments from blog posts").
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from generator.classes import ClassIndex
from generator.models import Kind

ALL_DAY = time(23, 59)
"""A deadline that names a day only is due at its end."""

_MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "febr": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}
_DAYS = {
    "senin": 0, "monday": 0, "selasa": 1, "tuesday": 1, "rabu": 2, "wednesday": 2,
    "kamis": 3, "thursday": 3, "jumat": 4, "jum'at": 4, "jum\u2019at": 4, "friday": 4,
    "sabtu": 5, "saturday": 5, "minggu": 6, "ahad": 6, "sunday": 6,
}
_ZONES = {"wib": 7, "wita": 8, "wit": 9}
"""Indonesia's three zones, hours east of UTC: a deadline in WITA is converted to the school's."""

_NUMBERS = ("satu", "dua", "tiga", "empat", "lima", "enam", "tujuh")
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = "|".join(sorted((re.escape(d) for d in _DAYS), key=len, reverse=True))
_DAY_PREFIX = rf"(?:(?:hari\s+)?(?:{_DAY})\s*,?\s*(?:tanggal|tgl\.?)?\s*\(?\s*)?"
_ABSOLUTE_RE = re.compile(
    rf"(?i)\b{_DAY_PREFIX}(?:tanggal\s+|tgl\.?\s*)?"
    rf"(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\.?(?:\s+(?P<y1>\d{{4}}))?\b"
    rf"|(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:\s*,\s*(?P<y2>\d{{4}}))?\b"
    r"|(?P<y3>\d{4})-(?P<m3>\d{1,2})-(?P<d3>\d{1,2})\b"
    r"|(?P<d4>\d{1,2})[/.-](?P<m4>\d{1,2})[/.-](?P<y4>\d{4}|\d{2})\b"
    r"|(?<=\()(?P<d5>\d{1,2})/(?P<m5>\d{1,2})(?=\))"
    r"|(?:tanggal|tgl\.?)\s*(?P<d6>\d{1,2})\b(?![/.:-]?\d))"
    r"\)?")
"""`Jumat, 11 Desember 2026`, `11 Des`, `December 18, 2026`, ISO, `16/12/2026`,
`12-12-2026`, `Senin (7/12)`, `tanggal 18`: a day of the month, with its weekday when
written."""
_RELATIVE_RE = re.compile(
    rf"(?i)\b(?:(?P<word>besok|lusa|hari\s+ini|nanti\s+(?:malam|sore|siang)|malam\s+ini"
    r"|sore\s+ini)"
    r"|(?P<week>(?:minggu|pekan)\s+depan)"
    r"|(?P<count>\d{1,2}|satu|dua|tiga|empat|lima|enam|tujuh)\s+(?P<unit>hari|minggu|pekan)"
    r"\s+(?:lagi|setelah|sesudah|dari\s+sekarang)"
    rf"|(?P<hari>hari\s+)?(?P<day>{_DAY})(?P<next>\s+(?:minggu\s+|pekan\s+)?depan)?"
    r"(?P<this>\s+ini)?)\b")
_TIME_RE = re.compile(
    r"(?i)(?:\b(?:pukul|pkl\.?|pk\.?|jam)\s*(?P<h>\d{1,2})(?:[.:](?P<m>\d{2}))?"
    r"|\b(?P<h2>\d{1,2})[.:](?P<m2>\d{2})(?![./-]?\d))"
    r"(?:\s*(?P<zone>wita|wit|wib)\b)?(?:\s*(?P<part>pagi|siang|sore|malam)\b)?")
_CUE_RE = re.compile(
    r"(?i)\b(?:(?:di)?kumpul(?:kan)?|dikumpulkan|pengumpulan|paling\s+(?:lambat|telat)"
    r"|selambat-lambatnya|selambatnya|batas|deadline|due|tenggat|sebelum"
    r"|(?:di)?kirim(?:kan)?|(?:di)?unggah|upload|(?:di)?setor(?:kan)?|(?:di)?serahkan"
    r"|ditutup|ditunggu|maksimal|maks|max|sampai|hingga|s\.?d\.?|s/d"
    r"|before|submit|send|hand\s+in)\b")
"""Words that put a deadline after (or before) them, in Indonesian and the English of
English teachers' posts."""
_HAND_IN_CUE_RE = re.compile(
    r"(?i)\b(?:(?:di)?kumpul(?:kan)?|dikumpulkan|pengumpulan|paling\s+(?:lambat|telat)"
    r"|selambat-lambatnya|selambatnya|batas|deadline|due\s+date|tenggat"
    r"|(?:di)?setor(?:kan)?|(?:di)?serahkan|submit|hand\s+in)\b")
"""The cues that make a dated sentence an assignment's: `diunggah hari Jumat` may be the
teacher's own upload."""
_PAST_RE = re.compile(
    rf"(?i)\b(?:yang\s+(?:sudah\s+|telah\s+)?dikumpulkan|dinilai|kemarin"
    rf"|(?:{_DAY}|pekan|bulan|tahun|yang)\s+lalu"
    r"|diperpanjang|dilaksanakan)\b")
"""A sentence about a deadline gone by or an event: its dates are not the deadline."""
_SUBMIT_RE = re.compile(
    r"(?i)\b(?:(?:di|me(?:ng)?)?kumpul(?:kan)?|pengumpulan|(?:di)?kirim(?:kan)?|(?:di)?unggah"
    r"|upload|(?:di)?setor(?:kan)?|(?:di)?serahkan|dikerjakan|deadline|batas)\b")
_WORK_RE = re.compile(
    r"(?i)\b(?:(?:di)?kerjakan(?:lah)?|(?:soal|jawaban|tugas|latihan|laporan|esai|makalah)(?:nya)?"
    r"|worksheet|lks|lkpd|buat(?:lah)?|tulis(?:lah|kan)?|rangkum(?:an|lah)?|essay|pr)\b")
"""Words of a post that asks for work: a dated hand-in sentence alone may be a form's."""
_NOT_WORK_RE = re.compile(
    r"(?i)\b(?:pendaftaran|formulir|registrasi|jangan\s+lupa|mengingatkan|pengingat)\b")
"""A dated hand-in sentence that is a registration or a reminder, not a new assignment."""
_NEGATED_RE = re.compile(r"(?i)\btidak\s+(?:perlu\s+|usah\s+)?dikumpulkan\b")
_TITLE_CUE_RE = re.compile(
    r"(?i)\b(?:tugas|pr|pekerjaan\s+rumah|penugasan|remedial|kuis|quiz|proyek|project"
    r"|homework|assignment|lkpd)\b")
_TITLE_LATIHAN_RE = re.compile(r"(?i)\b(?:latihan|worksheet|lks)\b")
_TITLE_REVIEW_RE = re.compile(
    r"(?i)\b(?:pembahasan|kunci\s+jawaban|jawaban|rekap\w*|hasil|nilai|penilaian|dinilai"
    r"|sudah|lalu|refleksi|dokumentasi|tidak\s+(?:perlu\s+|usah\s+)?dikumpulkan)\b")
"""A title about an assignment already handed in or marked: `Pembahasan PR minggu lalu`."""
_TITLE_OTHER_RE = re.compile(r"(?i)^\s*(?:materi|pengumuman|info|informasi)\b")
_SENTENCE_RE = re.compile(r"\n+|(?<=[!?])\s+|(?<=[\w)])\.\s+(?=[A-Z])")
_BLOCK_TAG_RE = re.compile(r"(?i)<(?:br|/p|/div|/li|/h\d|/tr|p|div|li|h\d|tr)\b[^<>]*>")
_TAG_RE = re.compile(r"<[^<>]*>")

_CHANNEL = (r"google\s+classroom|classroom|gcr|google\s+form|g-?form|google\s+drive|drive"
            r"|whatsapp|wa|e-?mail|surel|padlet|quizizz|edmodo|moodle|lms|telegram"
            r"|ketua\s+kelas|meja\s+\w+|ruang\s+guru|laboratorium|lab|perpustakaan"
            r"|kotak\s+tugas")
_HAND_IN_RE = re.compile(
    rf"(?i)\b(?:(?:melalui|lewat|via|ke|di|pada)\s+(?:grup\s+|nomor\s+)?(?:{_CHANNEL})\b"
    r"|dalam\s+bentuk\s+(?:cetak|print|hard\s*copy|cetakan))")
_HAND_IN_STOP = frozenset((
    "paling", "selambat", "selambat-lambatnya", "sebelum", "pada", "tanggal", "tgl", "hari",
    "pukul", "jam", "pk", "pkl", "dengan", "dan", "yang", "atau", "batas", "maksimal",
    "sampai", "hingga", "saat", "untuk", "setelah", "lalu", "ya", "besok", "lusa", "berupa",
    "agar", "supaya", "tepat", *_DAYS, *_MONTHS))
_NEXT_WORD_RE = re.compile(r"([^\S\n]*\n?[^\S\n]*)(\S+)")
_HAND_IN_WORDS = 4
"""At most this many words after the channel: `ke WhatsApp Miss Lina`."""


@dataclass(frozen=True)
class Reading:
    """What a post says about itself as an assignment."""

    kind: Kind | None
    """`tugas` when the post is an assignment; its label's kind, or None (materi)."""
    due: datetime | None = None
    """In the school's time zone; 23:59 of the day when `all_day`."""
    all_day: bool = False
    classes: tuple[str, ...] = ()
    """The classes named (labels first, else the text), or the teacher's."""
    hand_in: str = ""


def text_of(html: str) -> str:
    """The post's text as a reader sees it: blocks on lines of their own, no tags."""
    # Line breaks in the HTML source are spaces; only blocks and <br> break lines.
    text = _TAG_RE.sub("", _BLOCK_TAG_RE.sub("\n", " ".join(html.split())))
    lines = (" ".join(line.split()) for line in html_module.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


def read_post(title: str, html: str, published: datetime, zone: ZoneInfo, index: ClassIndex,
              own_classes: Sequence[str] = (), label_kind: Kind | None = None,
              label_classes: Sequence[str] = ()) -> Reading:
    """Read a feed post: its kind, deadline, classes and where to hand it in.

    Labels win: a post labelled `Materi` or `Pengumuman` keeps that kind, and classes
    named by labels are the post's classes. The deadline of a post that is not an
    assignment is not read.
    """
    text = text_of(html)
    title = " ".join(title.split())
    classes = tuple(label_classes) or index.classes_in(f"{title}\n{text}", own_classes) \
        or tuple(own_classes)
    kind, maybe = (label_kind, False) if label_kind else _kind(title, text)
    if kind != "tugas" and not maybe:
        return Reading(kind=kind, classes=classes)
    sentences = [title, *(s for s in _SENTENCE_RE.split(text) if s.strip())]
    due, all_day, dated = _deadline(sentences, published.astimezone(zone), zone)
    if maybe and not (dated is not None and _HAND_IN_CUE_RE.search(dated)
                      and not _NOT_WORK_RE.search(dated)):
        return Reading(kind=None, classes=classes)
    return Reading(kind="tugas", due=due, all_day=all_day, classes=classes,
                   hand_in=_hand_in(sentences[1:]))


def _kind(title: str, text: str) -> tuple[Kind | None, bool]:
    """(`tugas` from the title (`Tugas`, `PR`, `Kuis`, `Latihan … dikumpulkan`), or None;
    maybe). Maybe: a post that asks for work (`kerjakan`, `soal`, `tulis`...) and hands
    something in is an assignment if its dated hand-in sentence is not a registration or a
    reminder. Not one at all: a title about an assignment already marked, or exercises
    `tidak perlu dikumpulkan`. Decided before any deadline is looked for: most posts need
    no dates read."""
    if _TITLE_REVIEW_RE.search(title) or _TITLE_OTHER_RE.search(title):
        return None, False
    if _TITLE_CUE_RE.search(title):
        return "tugas", False
    if _NEGATED_RE.search(text):
        return None, False
    if _TITLE_LATIHAN_RE.search(title) and re.search(r"(?i)\bdikumpulkan\b|\bkumpulkan\b",
                                                     text):
        return "tugas", False
    return None, bool(_HAND_IN_CUE_RE.search(text) and _WORK_RE.search(text))


def _deadline(sentences: list[str], local: datetime,
              zone: ZoneInfo) -> tuple[datetime | None, bool, str | None]:
    """(deadline, names a day only, its sentence) from the first sentence that states one
    on or after the day of publication."""
    for sentence in sentences:
        cue = _CUE_RE.search(sentence)
        if cue is None or _PAST_RE.search(sentence) or _NEGATED_RE.search(sentence):
            continue
        found = _sentence_deadline(sentence, cue, local, zone)
        if found is not None and found[0].date() >= local.date():
            return found[0], found[1], sentence
    return None, False, None


@dataclass(frozen=True)
class _Day:
    day: date
    start: int
    end: int
    evening: bool = False
    """`nanti malam`: a bare `jam 9` after it is 21:00."""


def _sentence_deadline(sentence: str, cue: re.Match[str], local: datetime,
                       zone: ZoneInfo) -> tuple[datetime, bool] | None:
    days = _days(sentence, local.date())
    after = [d for d in days if d.start >= cue.start()]
    if after:
        chosen: _Day | None = after[0]
        anchor = max(chosen.end, cue.end()) if chosen else cue.end()
    elif days:
        chosen = days[-1]
        anchor = cue.end()
    else:
        chosen, anchor = None, cue.end()
    moment = _time_after(sentence, anchor, chosen.evening if chosen else False)
    if chosen is None:
        if moment is None:
            return None
        chosen = _Day(local.date(), anchor, anchor)
    if moment is None:
        return datetime.combine(chosen.day, ALL_DAY, zone), True
    clock, hours_east = moment
    if hours_east is None:
        return datetime.combine(chosen.day, clock, zone), False
    written = datetime.combine(chosen.day, clock, timezone(timedelta(hours=hours_east)))
    return written.astimezone(zone), False


def _days(sentence: str, today: date) -> list[_Day]:
    """Every day the sentence names, in order; impossible dates left out."""
    days: list[_Day] = []
    taken: list[tuple[int, int]] = []
    for match in _ABSOLUTE_RE.finditer(sentence):
        taken.append(match.span())
        found = _absolute(match, today)
        if found is not None:
            days.append(_Day(found, *match.span()))
    for match in _RELATIVE_RE.finditer(sentence):
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        relative = _relative(match, today)
        if relative is not None:
            evening = "malam" in match.group().lower()
            days.append(_Day(relative, *match.span(), evening=evening))
    return sorted(days, key=lambda d: d.start)


def _absolute(match: re.Match[str], today: date) -> date | None:
    groups = match.groupdict()
    if groups.get("d6"):
        # `tanggal 18`: the next 18th on or after the day of publication.
        day_of_month = int(groups["d6"])
        year, month = today.year, today.month
        for _ in range(3):
            candidate = _date_or_none(year, month, day_of_month)
            if candidate is not None and candidate >= today:
                return candidate
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return None
    for n in "12345":
        if groups.get(f"d{n}"):
            day, month_text, year_text = groups[f"d{n}"], groups[f"m{n}"], groups.get(f"y{n}")
            break
    else:
        return None
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.lower()]
    if year_text is not None and len(year_text) == 2:
        year_text = f"20{year_text}"
    try:
        if year_text is not None:
            return date(int(year_text), month, int(day))
        # A date without a year is the next one on or after the day of publication.
        for year in (today.year, today.year + 1):
            candidate = _date_or_none(year, month, int(day))
            if candidate is not None and candidate >= today:
                return candidate
        return None
    except ValueError:
        return None  # 29 Februari 2027, 31 November: dropped, not guessed


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _relative(match: re.Match[str], today: date) -> date | None:
    """`besok`, `lusa`, `hari ini`, `minggu depan` (a week on), `2 minggu lagi`, `hari
    Senin` (the next Monday), `Jumat ini` (this week's, today's on a Friday), `Rabu depan`
    (Wednesday of next week); a bare lowercase `minggu` is a week."""
    word = (match.group("word") or "").lower()
    if word:
        return today + timedelta(days={"besok": 1, "lusa": 2}.get(word, 0))
    if match.group("week"):
        return today + timedelta(days=7)
    if match.group("count"):
        count = match.group("count").lower()
        number = int(count) if count.isdigit() else _NUMBERS.index(count) + 1
        return today + timedelta(days=number * (1 if match.group("unit").lower() == "hari"
                                                else 7))
    name = match.group("day")
    if name.lower() == "minggu" and not match.group("hari") and not name[0].isupper():
        return None
    weekday = _DAYS[name.lower()]
    if match.group("next"):
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=weekday)
    ahead = (weekday - today.weekday()) % 7
    # `hari Jumat` written on a Friday is next week's; `Jumat ini` is today.
    return today + timedelta(days=ahead or (0 if match.group("this") else 7))


_NEAR = 30
"""How far after the date (or the cue) its time may be written, in characters."""


def _time_after(sentence: str, start: int, evening: bool) -> tuple[time, int | None] | None:
    """The time written just after `start`: (wall-clock time, hours east of UTC when a
    zone is written)."""
    match = _TIME_RE.search(sentence, start)
    if match is None or match.start() - start > _NEAR:
        return None
    hour = int(match.group("h") or match.group("h2"))
    minute = int(match.group("m") or match.group("m2") or 0)
    part = (match.group("part") or ("malam" if evening else "")).lower()
    if (part == "malam" and hour == 12) or (hour == 24 and minute == 0):
        hour, minute = 23, 59  # "jam 12 malam", "24.00": the end of that day
    elif ((part in ("siang", "sore") and hour < 11) or (part == "sore" and hour == 11)
          or (part == "malam" and 5 <= hour < 12)):
        hour += 12
    if hour > 23 or minute > 59:
        return None
    zone = match.group("zone")
    return time(hour, minute), _ZONES[zone.lower()] if zone else None


def _hand_in(sentences: list[str]) -> str:
    """Where to hand it in, as written: `melalui Google Classroom`, `ke WhatsApp Ibu`,
    `dalam bentuk cetak`, `di meja guru` (and the few words after it that say whose).
    Looked for in the sentences that hand something in first, then in any but those
    about an event (`praktikum di laboratorium dilaksanakan ...` is not where)."""
    handing = [s for s in sentences if _SUBMIT_RE.search(s)]
    others = [s for s in sentences if not _PAST_RE.search(s)]
    for sentence in (*handing, *others):
        if (found := _hand_in_of(sentence)) is not None:
            return found
    return ""


def _hand_in_of(text: str) -> str | None:
    match = _HAND_IN_RE.search(text)
    if match is None:
        return None
    words = [" ".join(match.group().split())]
    position = match.end()
    while (word := _NEXT_WORD_RE.match(text, position)) is not None:
        gap, value = word.groups()
        position = word.end()
        bare = value.lstrip("(\"'").rstrip(".,;:!?)\"'")
        if ("\n" in gap or len(words) > _HAND_IN_WORDS or not bare
                or bare.lower() in _HAND_IN_STOP or bare[0].isdigit()):
            break
        words.append(bare)
        if bare != value:
            break  # a mark ends the phrase: `ke WhatsApp Bapak.`
    return " ".join(words)
