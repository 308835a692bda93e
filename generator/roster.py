"""`mading import`: add the teachers of a list the school already has to site.yml.

The pipeline, in the order `import_teachers` runs it:

    read the list (CSV or OPML)  ►  leave out who is already there  ►  find each blog's
    feed, all at once  ►  match subjects and classes  ►  edit site.yml, comments kept

A school's list is a spreadsheet saved as CSV (by Excel in an Indonesian locale: `;`
between cells, Windows-1252 or UTF-8 with a BOM) or a blogroll as OPML. Rows that cannot
be used are reported `FILE:LINE: message` and the others are still added. site.yml is
edited with ruamel.yaml's round trip, so that its comments, quotes and layout stay; the
result must load with `load_site` before it replaces the old file.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import os
import re
import tempfile
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.parsers import expat

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from generator.cli_language import feed_error
from generator.config import RESERVED_TEACHER_SLUGS, load_site
from generator.errors import InputError, Problem, display_path
from generator.i18n import Translator
from generator.models import DEFAULT_LIMITS, Blog, FetchLimits, Site, WebFeed, personal_name
from generator.slugs import fold, slugify
from generator.sources.feeds import ENTITY_DECLARATION
from generator.sources.fetch import Fetched, FetchFailure, FetchRequest, fetch_all

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
SUBJECTS_WITH_SEPARATORS = (
    "Pendidikan Agama Islam dan Budi Pekerti",
    "Pendidikan Agama Kristen dan Budi Pekerti",
    "Pendidikan Agama Katolik dan Budi Pekerti",
    "Pendidikan Agama Hindu dan Budi Pekerti",
    "Pendidikan Agama Buddha dan Budi Pekerti",
    "Pendidikan Agama Khonghucu dan Budi Pekerti",
    "Pendidikan Pancasila dan Kewarganegaraan",
    "Pendidikan Jasmani, Olahraga, dan Kesehatan",
    "Prakarya dan Kewirausahaan",
    "Projek Kreatif dan Kewirausahaan",
    "Seni Budaya dan Prakarya",
    "Ilmu Pengetahuan Alam dan Sosial",
    "Bimbingan dan Konseling",
    "Teknologi Informasi dan Komunikasi",
    "Bahasa dan Sastra Indonesia",
    "Bahasa dan Sastra Inggris",
)
"""Subjects of the national curricula whose names hold a separator (`dan`, a comma):
"Prakarya dan Kewirausahaan" is one subject, "Matematika dan Fisika" two."""
_SEPARATOR = re.compile(r"(\s*[,;/]\s*(?:dan\s+)?|\s+dan\s+)", re.IGNORECASE)


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


@dataclass(frozen=True)
class AddedTeacher:
    """A teacher as written into site.yml."""

    slug: str
    name: str
    blog: str
    """What site.yml now holds: the feed found behind the listed address, the address,
    or empty for a teacher who writes in `content/`."""
    listed_blog: str
    subjects: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    """What `import_teachers` did, for the command line to print."""

    added: tuple[AddedTeacher, ...] = ()
    skipped: tuple[Problem, ...] = ()
    """Rows whose slug, name or blog another teacher of site.yml or an earlier row has,
    each located in the list."""
    already: int = 0
    """Rows naming a teacher site.yml already has: the list imported again (issue 21)."""
    problems: tuple[Problem, ...] = ()
    """Rows that could not be used."""
    warnings: tuple[str, ...] = ()
    new_subjects: tuple[str, ...] = ()
    new_classes: tuple[str, ...] = ()


def import_teachers(site: Site, list_file: Path, offline: bool = False,
                    limits: FetchLimits = DEFAULT_LIMITS) -> ImportReport:
    """Add the teachers of `list_file` to the site's site.yml and say what happened.

    Nothing is written when no teacher is new. The feed of each new blog is looked for
    concurrently (not with `offline`); an unreachable blog is kept as listed, with a
    warning.

    Raises:
        InputError: the list cannot be read at all (no name or blog column, not OPML,
            unreadable), or the edited site.yml would not load.
    """
    _ = Translator(site.school.language)
    listed = read_teacher_list(list_file, _)
    plan = _Plan(site, listed.where, _)
    fresh = [teacher for teacher in listed.teachers if plan.is_new(teacher)]
    blogs = [teacher.blog for teacher in fresh if teacher.blog]
    warnings = list(listed.notes)
    found: dict[str, Fetched | FetchFailure] = {}
    if offline:
        if blogs:
            warnings.append(_("setup.import.offline"))
    else:
        found = discover_feeds(blogs, limits)
    for teacher in fresh:
        result = found.get(teacher.blog)
        if isinstance(result, FetchFailure):
            warnings.append(_("setup.import.unreachable", where=f"{listed.where}:{teacher.line}",
                              blog=teacher.blog, reason=feed_error(result.reason, _)))
        plan.add(teacher, result.url if isinstance(result, Fetched) else teacher.blog)
    for name in plan.new_subjects:
        like = _look_alike(name, [subject.name for subject in site.subjects])
        if like:
            warnings.append(_("setup.import.new_subject_typo", name=name,
                              hint=_("common.did_you_mean", suggestion=like)))
    report = ImportReport(
        added=tuple(plan.added), skipped=tuple(sorted(plan.skipped, key=lambda p: p.line or 0)),
        already=plan.already, problems=listed.problems, warnings=tuple(warnings),
        new_subjects=tuple(plan.new_subjects), new_classes=tuple(plan.new_classes))
    if plan.added:
        _write_config(site.config_file, plan)
    return report


def _look_alike(name: str, names: list[str]) -> str | None:
    """The name in `names` that `name` is probably a typo of (`Matematka`), if any.

    Stricter than config's `did_you_mean`: a new subject is usually a real one, and
    "Sosiologi" must not be taken for "Biologi".
    """
    folded = {fold(other): other for other in names}
    matches = difflib.get_close_matches(fold(name), list(folded), n=1, cutoff=0.85)
    return folded[matches[0]] if matches else None


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


def blog_key(address: str) -> str:
    """What makes two blog addresses the same blog: not the scheme, a `www.`, a final
    slash or the case."""
    try:
        parts = urlsplit(address)
        host = (parts.hostname or "").removeprefix("www.")
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return address.lower()
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{port}{parts.path.rstrip('/')}{query}".lower()


def split_names(cell: str, known: Collection[str]) -> list[str]:
    """The names in a cell separated by `,` `;` `/` or `dan`, keeping whole the names in
    `known` (folded) that contain a separator themselves.

    `Matematika dan Fisika` -> two names; `Prakarya dan Kewirausahaan` -> one.
    """
    tokens = _SEPARATOR.split(cell)  # name, separator, name, separator, ..., name
    count = len(tokens) // 2 + 1
    names: list[str] = []
    start = 0
    while start < count:
        # The longest run of pieces from `start`, with their separators, that is known.
        for stop in range(count - 1, start, -1):
            joined = "".join(tokens[2 * start:2 * stop + 1]).strip()
            if fold(joined) in known:
                names.append(joined)
                start = stop + 1
                break
        else:
            piece = tokens[2 * start].strip()
            if fold(piece):  # "-" or an empty cell names nothing
                names.append(piece)
            start += 1
    return names


def discover_feeds(addresses: Sequence[str], limits: FetchLimits = DEFAULT_LIMITS
                   ) -> dict[str, Fetched | FetchFailure]:
    """For each address, the feed found there or behind it, fetched concurrently with
    the same fetcher as the build (generator.sources.fetch)."""
    unique = list(dict.fromkeys(addresses))
    requests = [FetchRequest(str(index), url, discover=True) for index, url in enumerate(unique)]
    return dict(zip(unique, fetch_all(requests, limits), strict=True))


@dataclass
class _Plan:
    """Decides, teacher by teacher, what goes into site.yml: pure, no I/O."""

    site: Site
    where: str
    translate: Translator
    added: list[AddedTeacher] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    new_subjects: list[str] = field(default_factory=list)
    new_classes: list[str] = field(default_factory=list)
    already: int = 0
    _slugs: dict[str, str] = field(default_factory=dict)
    """Slug -> who has it: a teacher of site.yml, or a line of the list."""
    _names: dict[str, str] = field(default_factory=dict)
    """The slug of a name without its titles -> who has it: `sari-wulandari` is taken
    by a teacher `Sari Wulandari, S.Pd.` whatever her `slug:`."""
    _blogs: dict[str, str] = field(default_factory=dict)
    """`blog_key` -> who has it."""
    _subjects: dict[str, str] = field(default_factory=dict)
    """Folded name, slug or alias -> the subject's name in site.yml (or as added)."""
    _declared: set[str] = field(default_factory=set)
    """Subjects site.yml lists or this import added."""
    _classes: dict[str, str] = field(default_factory=dict)
    _present: dict[str, str] = field(default_factory=dict)
    """The slug of each name of site.yml's teachers (`sari-wulandari`) not yet met in the
    list -> the host of the teacher's blog: a row with that name and a blog on that host
    (the feed found behind a home page is on its host) is the same teacher."""

    def __post_init__(self) -> None:
        _ = self.translate
        for teacher in self.site.teachers:
            who = _("setup.import.in_config", name=teacher.name)
            self._present[slugify(personal_name(teacher.name))] = _host_of(teacher.blog)
            self._slugs[teacher.slug] = self._names[slugify(personal_name(teacher.name))] = who
            if teacher.blog:
                self._blogs[_blog_key_of(teacher.blog)] = who
        for subject in self.site.subjects:
            self._declared.add(subject.name)
            for label in (subject.name, subject.slug, *subject.aliases):
                self._subjects.setdefault(fold(label), subject.name)
        for name in SUBJECTS_WITH_SEPARATORS:
            self._subjects.setdefault(fold(name), name)
        self._classes = {fold(name): name for name in self.site.classes}

    def is_new(self, teacher: ListedTeacher) -> bool:
        """False, with a notice, for a teacher whose slug, name or blog is already taken;
        else True, and the teacher's slug and blog are taken for the rows after."""
        slug = slugify(personal_name(teacher.name))
        if self._present.get(slug) == _host(teacher.blog):
            # The list imported again: that teacher is there, nothing to say (issue 21).
            self.already += 1
            del self._present[slug]  # a second row of the same name is a duplicate
            return False
        taken_by = self._slugs.get(slug)
        if taken_by is not None:
            self.skipped.append(Problem(self.where, self.translate(
                "setup.import.duplicate", name=teacher.name, slug=slug, other=taken_by),
                teacher.line))
            return False
        taken_by = self._names.get(slug)
        if taken_by is not None:
            self.skipped.append(Problem(self.where, self.translate(
                "setup.import.duplicate_name", name=teacher.name, other=taken_by),
                teacher.line))
            return False
        if self._blog_taken(teacher, teacher.blog):
            return False
        here = self.translate("setup.import.in_list", line=teacher.line)
        self._slugs[slug] = self._names[slug] = here
        if teacher.blog:
            self._blogs[blog_key(teacher.blog)] = here
        return True

    def _blog_taken(self, teacher: ListedTeacher, blog: str) -> bool:
        taken_by = self._blogs.get(blog_key(blog)) if blog else None
        if taken_by is not None:
            self.skipped.append(Problem(self.where, self.translate(
                "setup.import.duplicate_blog", name=teacher.name, blog=blog, other=taken_by),
                teacher.line))
        return taken_by is not None

    def add(self, teacher: ListedTeacher, blog: str) -> None:
        """Add `teacher`, found new by `is_new`, with `blog` (the feed found behind the
        listed address), unless that feed is someone else's."""
        here = self.translate("setup.import.in_list", line=teacher.line)
        if blog_key(blog) != blog_key(teacher.blog):
            if self._blog_taken(teacher, blog):
                return
            self._blogs[blog_key(blog)] = here
        slug = slugify(personal_name(teacher.name))
        if slug in RESERVED_TEACHER_SLUGS:
            slug = next(f"{slug}-{n}" for n in range(2, 100) if f"{slug}-{n}" not in self._slugs)
            self._slugs[slug] = here
        subjects = [self._subject(name) for name in split_names(teacher.subjects, self._subjects)]
        classes = [self._class(name) for name in split_names(teacher.classes, self._classes)]
        self.added.append(AddedTeacher(
            slug=slug, name=teacher.name, blog=blog, listed_blog=teacher.blog,
            subjects=tuple(dict.fromkeys(subjects)), classes=tuple(dict.fromkeys(classes))))

    def _subject(self, name: str) -> str:
        """The subject of site.yml that `name` means, or `name` as a new subject (a
        national subject with its official spelling)."""
        name = self._subjects.get(fold(name), name)
        if name not in self._declared:
            self._declared.add(name)
            self._subjects[fold(name)] = name
            self.new_subjects.append(name)
        return name

    def _class(self, name: str) -> str:
        if not self.site.classes:
            return name  # the site lists no classes: any class goes
        existing = self._classes.get(fold(name))
        if existing is None:
            self.new_classes.append(name)
            self._classes[fold(name)] = existing = name
        return existing


def _blog_key_of(blog: Blog) -> str:
    """`blog_key` of a teacher's blog in site.yml; a feed file is known by its path."""
    return blog_key(blog.url) if isinstance(blog, WebFeed) else blog.path


def _host_of(blog: Blog | None) -> str:
    """The host of a site.yml teacher's blog; empty for none or a feed file."""
    return _host(blog.url) if isinstance(blog, WebFeed) else ""


def _host(address: str) -> str:
    """The host of a blog's address without `www.`; empty for none."""
    try:
        host = urlsplit(address).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _write_config(config_file: Path, plan: _Plan) -> None:
    """Write site.yml with the plan's additions, once the result is known to load.

    Raises:
        InputError: the edited file would not load (a bug: it is left as it was).
    """
    raw = config_file.read_bytes()
    text = raw.decode("utf-8")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    newline = "\r\n" if "\r\n" in text else "\n"
    edited = edit_config(text.removeprefix(bom).replace("\r\n", "\n"), plan.added,
                         plan.new_subjects, plan.new_classes)
    data = (bom + edited.replace("\n", newline)).encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=".site-", suffix=".yml", dir=config_file.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, config_file.stat().st_mode & 0o777)
        load_site(Path(temporary))
        os.replace(temporary, config_file)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def edit_config(text: str, teachers: Iterable[AddedTeacher], subjects: Sequence[str],
                classes: Sequence[str]) -> str:
    """site.yml's text with `teachers`, `subjects` and `classes` appended to their lists.

    ruamel.yaml's round trip keeps comments and quotes; the indentation it writes is
    measured on the file's own lists, so that the untouched lines stay as they were.
    """
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long `bio:` onto two lines
    data = yaml.load(text)
    yaml.indent(**_indentation(data))
    if subjects:
        items = _list(data, "subjects")
        as_text = len(items) > 0 and all(isinstance(item, str) for item in items)
        _append(items, [name if as_text else CommentedMap(name=name) for name in subjects])
    if classes:
        if isinstance(data.get("classes"), str):
            data["classes"] = _flow([data["classes"]])
        _append(_list(data, "classes"), list(classes))
    entries = []
    for teacher in teachers:
        entry = CommentedMap(name=teacher.name, slug=teacher.slug)
        if teacher.subjects:
            entry["subjects"] = _flow(teacher.subjects)
        if teacher.classes:
            entry["classes"] = _flow(teacher.classes)
        if teacher.blog:
            entry["blog"] = teacher.blog
        entries.append(entry)
    _append(_list(data, "teachers"), entries)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _flow(values: Iterable[str]) -> CommentedSeq:
    """`[Matematika, Fisika]` on one line, as the example site.yml writes lists."""
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def _list(data: CommentedMap, key: str) -> CommentedSeq:
    """The list under top-level `key`, created (before `teachers:`) if missing or empty."""
    value = data.get(key)
    if isinstance(value, CommentedSeq):
        return value
    value = CommentedSeq()
    if key in data:
        data[key] = value
    else:
        data.insert(list(data).index("teachers") if "teachers" in data else len(data),
                    key, value)
    return value


def _append(items: CommentedSeq, new: Sequence[Any]) -> None:
    """Append `new` to `items`, after the list's last item but before the comments that
    open the next section.

    ruamel attaches the comment lines after a list's last value to that value, so that
    an appended item would land below the next section's heading ("# --- Guru ---"). The
    lines that belong to the next section (from the first blank line or comment at the
    left margin) are moved to the end of the list.
    """
    if items and not items.fa.flow_style():
        moved = "".join(_detach_trailing_lines(items))
        if moved:
            items.ca.comment = items.ca.comment or [None, None]
            items.ca.end = [CommentToken(line, CommentMark(0), None)
                            for line in moved.splitlines(keepends=True)]
    elif not items and isinstance(new[0], CommentedMap):
        items.fa.set_block_style()  # `teachers: []` becomes a block list
    items.extend(new)


def _detach_trailing_lines(node: Any) -> list[str]:
    """Remove and return the lines after the last value of `node`, at every depth,
    that are blank or start at the left margin."""
    moved: list[str] = []
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        last = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
        slot = 2 if isinstance(node, CommentedMap) else 0
        entry = node.ca.items.get(last)
        token = entry[slot] if entry and len(entry) > slot else None
        if isinstance(token, CommentToken):
            # The first line ends the value's own line (with its comment, if any); the
            # indented comments after it still describe the value.
            lines = token.value.splitlines(keepends=True)
            keep = 1
            while keep < len(lines) and lines[keep].strip() and lines[keep][0] in " \t":
                keep += 1
            if keep < len(lines):
                moved[:0] = lines[keep:]
                token.value = "".join(lines[:keep])
        node = node[last]
    return moved


def _indentation(data: CommentedMap) -> dict[str, int]:
    """ruamel's `indent()` settings that reproduce how this file indents: the column of
    `school:`'s keys, of a list's dashes and of its items' keys. Default: the example's
    `  - name:` with keys two spaces in."""
    school = data.get("school")
    mapping = school.lc.col if isinstance(school, CommentedMap) and school.lc.col else 2
    for key in ("teachers", "subjects"):
        items = data.get(key)
        if (isinstance(items, CommentedSeq) and items and not items.fa.flow_style()
                and isinstance(items[0], CommentedMap)):
            offset, sequence = int(items.lc.col), int(items.lc.item(0)[1])
            if sequence >= offset + 2:
                return {"mapping": mapping, "sequence": sequence, "offset": offset}
    return {"mapping": mapping, "sequence": mapping + 2, "offset": mapping}
