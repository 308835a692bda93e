"""The school's own list of teachers (a spreadsheet saved as CSV, or an OPML blogroll)
read into rows, for `mading import` (generator/roster.py).

A school's list is a spreadsheet saved as CSV (by Excel in an Indonesian locale: `;`
between cells, Windows-1252 or UTF-8 with a BOM) or a blogroll as OPML. Rows that cannot
be used are reported `FILE:LINE: message`; the others are still read.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from xml.parsers import expat

from generator.errors import InputError, Problem, display_path
from generator.i18n import Translator
from generator.models import personal_name
from generator.slugs import fold, slugify
from generator.sources.feeds import ENTITY_DECLARATION

COLUMNS = {
    "name": ("nama", "name", "nama guru", "nama lengkap", "guru", "teacher"),
    "subjects": ("mapel", "mata pelajaran", "subjects", "subject", "bidang studi"),
    "blog": ("blog", "alamat blog", "url", "feed", "website", "situs", "link blog", "url blog"),
    "classes": ("kelas", "classes", "class", "rombel"),
}
"""The headers each column may have, compared folded (case, spaces and dots ignored).
A bare `alamat` is not among them: in a school's staff list it is the home address."""
REQUIRED_COLUMNS = ("name", "blog")
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class ListedTeacher:
    """One usable row of the school's list, as written there."""

    line: int
    name: str
    blog: str
    """An absolute http(s) address (`https://` added when the list left it out), or
    empty for a teacher who writes in `content/`."""
    subjects: str = ""
    """The cell as written: `Matematika, Fisika` or `Matematika dan Fisika`."""
    classes: str = ""


@dataclass(frozen=True)
class TeacherList:
    """A list read from a file: its usable rows, and what is wrong with the others."""

    where: str
    teachers: tuple[ListedTeacher, ...]
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    """Things to know about the file as a whole (its encoding, columns left unused)."""


def read_teacher_list(path: Path, _: Translator) -> TeacherList:
    """Read a CSV or OPML list; which one is told by its first character, not its name.

    Raises:
        InputError: the file cannot be read, or holds no list Mading can use.
    """
    where = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(where, _("setup.import.unreadable",
                                           detail=exc.strerror or exc))]) from None
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # .xlsx (zip), .xls (OLE)
        raise InputError([Problem(where, _("setup.import.spreadsheet"))])
    if data.lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:1] == b"<":
        return read_opml(data, where, _)
    text, encoding = _decode(data)
    if text is None:
        raise InputError([Problem(where, _("setup.import.unreadable", detail=encoding))])
    listed = read_csv(text, where, _)
    if encoding:
        return TeacherList(where, listed.teachers, listed.problems,
                           (_("setup.import.not_utf8", where=where, encoding=encoding),
                            *listed.notes))
    return listed


def _decode(data: bytes) -> tuple[str | None, str]:
    """The text, and the encoding's name when it is not UTF-8 (else empty).

    Excel saves "CSV UTF-8" with a BOM, plain "CSV" in the Windows code page (1252 in
    Indonesia), and "Unicode Text" as UTF-16 with a BOM.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), ""
        except UnicodeDecodeError as exc:
            return None, str(exc)
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return data.decode("latin-1"), "Latin-1"


def read_csv(text: str, where: str, _: Translator) -> TeacherList:
    """The teachers of a CSV list whose first row names the columns.

    Line numbers count the header as line 1, blank lines, and every line of a quoted cell
    that spans lines; a row is reported at its first line.

    Raises:
        InputError: the header has no name or no blog column.
    """
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    # By the header, not csv.Sniffer: headers hold no separator, while a `;` file's
    # subject cells hold commas ("Matematika, Fisika"), which the Sniffer counts too.
    delimiter = max(DELIMITERS, key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        skipinitialspace=True)
    columns: dict[str, int] = {}
    width = 0
    teachers: list[ListedTeacher] = []
    problems: list[Problem] = []
    notes: list[str] = []
    end = 0
    try:
        for row in reader:
            line, end = end + 1, reader.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if not columns:
                columns, ignored = _columns(cells, where, line, _)
                width = len(cells)
                if ignored:
                    notes.append(_("setup.import.ignored_columns", where=where,
                                   columns=", ".join(ignored)))
                continue
            while len(cells) > width and not cells[-1]:
                cells.pop()  # Excel pads rows with empty cells
            if len(cells) != width:
                problems.append(Problem(where, _("setup.import.column_count", found=len(cells),
                                                 expected=width, delimiter=delimiter), line))
                continue
            values = {key: cells[index] for key, index in columns.items()}
            teacher = _listed(line, values["name"], values["blog"], values.get("subjects", ""),
                              values.get("classes", ""), where, _, blog_needed=False)
            if isinstance(teacher, Problem):
                problems.append(teacher)
            else:
                teachers.append(teacher)
    except csv.Error as exc:
        # A NUL byte or an unclosed quote at the end: the rest of the file is unreadable.
        problems.append(Problem(where, _("setup.import.csv_error", detail=exc), end + 1))
    if not columns:
        raise InputError([Problem(where, _("setup.import.empty"))])
    return TeacherList(where, tuple(teachers), tuple(problems), tuple(notes))


def _columns(header: list[str], where: str, line: int,
             _: Translator) -> tuple[dict[str, int], list[str]]:
    """Which cell holds which field, and the headers no field claims."""
    known = {fold(label): key for key, labels in COLUMNS.items() for label in labels}
    columns: dict[str, int] = {}
    ignored = []
    for index, label in enumerate(header):
        key = known.get(fold(label))
        if key is None or key in columns:
            ignored.append(label)
        else:
            columns[key] = index
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        raise InputError([Problem(where, _(
            "setup.import.missing_column", column=_(f"setup.import.column_{missing[0]}"),
            accepted=", ".join(COLUMNS[missing[0]])), line)])
    return columns, [label for label in ignored if label]


def read_opml(data: bytes, where: str, _: Translator) -> TeacherList:
    """The teachers of an OPML blogroll: each `<outline>` with an `xmlUrl` or `htmlUrl`.

    Outlines without an address but with outlines inside are folders and are passed
    over. expat does the parsing; a file that declares entities is refused first, as
    feeds are (generator.sources.feeds), and expat is told to refuse them too.

    Raises:
        InputError: not XML, not OPML, or declaring entities.
    """
    if ENTITY_DECLARATION.search(data):
        raise InputError([Problem(where, _("setup.import.opml_entities"))])
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    outlines: list[tuple[int, dict[str, str]]] = []
    open_outlines: list[int] = []
    folders: set[int] = set()
    root: list[str] = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        root[:] = root or [tag]
        if tag != "outline":
            return
        if open_outlines:
            folders.add(open_outlines[-1])
        open_outlines.append(len(outlines))
        outlines.append((parser.CurrentLineNumber,
                         {key.lower(): value.strip() for key, value in attributes.items()}))

    def end(tag: str) -> None:
        if tag == "outline":
            open_outlines.pop()

    def refuse_entity(*_args: object) -> None:
        raise ValueError("entity")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = refuse_entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise InputError([Problem(where, _("setup.import.opml_syntax",
                                           detail=expat.ErrorString(exc.code)),
                                  exc.lineno)]) from None
    except ValueError:
        raise InputError([Problem(where, _("setup.import.opml_entities"))]) from None
    if root != ["opml"]:
        raise InputError([Problem(where, _("setup.import.not_opml", root=root[0] if root
                                           else ""), 1)])
    teachers: list[ListedTeacher] = []
    problems: list[Problem] = []
    for index, (line, attributes) in enumerate(outlines):
        blog = attributes.get("xmlurl") or attributes.get("htmlurl") or ""
        if not blog and index in folders:
            continue
        name = attributes.get("text") or attributes.get("title") or ""
        teacher = _listed(line, name, blog, "", "", where, _)
        if isinstance(teacher, Problem):
            problems.append(teacher)
        else:
            teachers.append(teacher)
    return TeacherList(where, tuple(teachers), tuple(problems))


def _listed(line: int, name: str, blog: str, subjects: str, classes: str, where: str,
            _: Translator, blog_needed: bool = True) -> ListedTeacher | Problem:
    """A row as a teacher, or the reason it cannot be one, naming the column at fault.

    In a staff list, an empty blog cell is a teacher who writes Markdown posts in
    `content/` (issue 21); in a blogroll (`blog_needed`), an entry without an address
    is a mistake.
    """
    name = " ".join(name.split())
    if not name:
        return Problem(where, _("setup.import.no_name"), line)
    if not slugify(personal_name(name)):
        return Problem(where, _("setup.import.no_slug", name=name), line)
    if not blog:
        if blog_needed:
            return Problem(where, _("firstweek.import.opml_no_address", name=name), line)
        return ListedTeacher(line, name, "", subjects, classes)
    address = web_address(blog)
    if address is None:
        return Problem(where, _("setup.import.bad_url", value=blog, name=name), line)
    return ListedTeacher(line, name, address, subjects, classes)


def web_address(value: str) -> str | None:
    """`value` as an absolute http(s) URL, or None if it cannot be one.

    Lists often leave the scheme out (`sari.blogspot.com`): `https://` is added when
    what is left looks like a host name.
    """
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        valid = (parts.scheme in ("http", "https") and (
                 "." in host or host == "localhost") and not host.startswith(".")
                 and (parts.port is None or parts.port > 0)
                 and all(c.isprintable() and not c.isspace() for c in value))
    except ValueError:  # an unclosed IPv6 bracket, a port that is not a number...
        valid = False
    return value if valid else None
