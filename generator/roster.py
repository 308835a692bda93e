"""`mading import`: add the teachers of a list the school already has to site.yml.

The pipeline, in the order `import_teachers` runs it:

    read the list (CSV or OPML)  ►  leave out who is already there  ►  find each blog's
    feed, all at once  ►  match subjects and classes  ►  edit site.yml, comments kept

The list is read by generator/teacher_list.py and site.yml edited by
generator/config_edit.py; this module decides who and what is new (`_Plan`, pure).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from generator.cli_language import feed_error
from generator.config import RESERVED_TEACHER_SLUGS
from generator.config_edit import AddedTeacher, write_config
from generator.errors import Problem
from generator.i18n import Translator
from generator.models import DEFAULT_LIMITS, Blog, FetchLimits, Site, WebFeed, personal_name
from generator.slugs import fold, slugify
from generator.sources.fetch import Fetched, FetchFailure, FetchRequest, fetch_all
from generator.teacher_list import ListedTeacher, read_teacher_list

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
        write_config(site.config_file, plan.added, plan.new_subjects, plan.new_classes)
    return report


def _look_alike(name: str, names: list[str]) -> str | None:
    """The name in `names` that `name` is probably a typo of (`Matematka`), if any.

    Stricter than config's `did_you_mean`: a new subject is usually a real one, and
    "Sosiologi" must not be taken for "Biologi".
    """
    folded = {fold(other): other for other in names}
    matches = difflib.get_close_matches(fold(name), list(folded), n=1, cutoff=0.85)
    return folded[matches[0]] if matches else None


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
