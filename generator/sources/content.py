"""Read teachers' Markdown posts from `content/<teacher-slug>/*.md` into `Entry` records.

A bad post is reported with its file and line and left out; the other posts still build.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from ruamel.yaml.comments import CommentedMap

from generator.config import did_you_mean, key_line, parse_yaml
from generator.errors import InputError, Problem, display_path
from generator.i18n import Translator
from generator.models import KINDS, Attachment, Entry, Kind, Site
from generator.sanitize import summarize
from generator.slugs import fold, slugify
from generator.sources.markup import markdown_to_html

FRONT_MATTER_KEYS = ("title", "date", "subjects", "classes", "kind", "due", "tags", "summary",
                     "draft", "attachments")
MKDOCS_BLOG_KEYS = ("categories", "authors", "description", "slug", "readtime", "pin", "links")
"""Keys of the MkDocs-Material blog plugin: such a post moves in unchanged."""
_PELICAN_HEADER = re.compile(r"^([A-Za-z][A-Za-z_-]*):\s*(.*)$")
_FIRST_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
# `07:30` and, as Indonesians usually write it, `07.30`.
_DATETIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2})[:.](\d{2}))?$")
_LOCAL_REF_RE = re.compile(r"""\s(?:src|href)="(?![a-z][a-z0-9+.-]*:|/|#)([^"]+)\"""")


@dataclass(frozen=True)
class ContentResult:
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]


def read_content(site: Site) -> ContentResult:
    """Every post under `content/`, and a problem for every file that could not be used."""
    _ = Translator(site.school.language)
    entries: list[Entry] = []
    problems: list[Problem] = []
    teachers = {t.slug for t in site.teachers}
    for path in _markdown_files(site.content_dir):
        where = display_path(path)
        if path.parent == site.content_dir:
            problems.append(Problem(where, _("content.in_root", name=path.name,
                                             slugs=", ".join(sorted(teachers))), 1))
            continue
        # Only content/<slug>/*.md: a deeper content/budi/sari/x.md is no post of sari's.
        folder = path.parent.relative_to(site.content_dir).as_posix()
        if folder not in teachers:
            hint = "" if "/" in folder else did_you_mean(folder, sorted(teachers), _)
            problems.append(Problem(where, _("content.not_a_teacher", folder=folder, hint=hint),
                                    1))
            continue
        outcome = _read_post_cached(path, folder, site)
        if isinstance(outcome, InputError):
            problems.extend(outcome.problems)
        else:
            entries.append(outcome)
    return ContentResult(tuple(entries), tuple(problems))


_CACHE_SIZE = 4096
_cache: dict[tuple[object, ...], Entry | InputError] = {}


def _read_post_cached(path: Path, folder: str, site: Site) -> Entry | InputError:
    """`read_post`, remembered while nothing it depends on changes.

    `mading serve` rebuilds on every save; parsing YAML and rendering Markdown are most of
    a rebuild's time, and only the saved post needs them again. The key holds everything
    the result depends on: the file's bytes, the site (subjects, classes, time zone…), the
    working folder (messages name paths from it) and the files beside the post
    (attachments and images, with their sizes).
    """
    folder_path = path.parent
    neighbours = tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                              for p in folder_path.iterdir() if p.is_file()))
    key = (path, hashlib.sha256(path.read_bytes()).digest(), site, Path.cwd(), neighbours)
    if key not in _cache:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        try:
            _cache[key] = read_post(path, folder, site, Translator(site.school.language))
        except InputError as exc:
            _cache[key] = exc
    return _cache[key]


def _markdown_files(content_dir: Path) -> Iterator[Path]:
    if content_dir.is_dir():
        yield from sorted(p for p in content_dir.rglob("*.md") if p.is_file())


def split_front_matter(text: str) -> tuple[str, str] | None:
    """(front matter, body) when `text` opens with a `---` block, else None."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1:])
    return None


def read_post(path: Path, teacher_slug: str, site: Site, _: Translator) -> Entry:
    """Parse and validate one Markdown post.

    Raises:
        InputError: every problem found in the file, each with its line.
    """
    where = display_path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError([Problem(where, _("content.not_utf8"), line)]) from None
    parts = split_front_matter(text)
    offset = 1  # the front matter starts on line 2, after the opening `---`
    if parts is None:
        pelican = pelican_header(text)
        if pelican is None:
            opened = [line.strip() for line in text.splitlines()[:1]] == ["---"]
            message = "content.front_matter_unclosed" if opened else "content.no_front_matter"
            raise InputError([Problem(where, _(message), 1)])
        meta, body, offset = *pelican, 0
    else:
        front_text, body = parts
        try:
            meta = parse_yaml(front_text, where, _)
        except InputError as exc:
            raise InputError([Problem(p.where, p.message, (p.line or 0) + offset)
                              for p in exc.problems]) from None
        if not isinstance(meta, CommentedMap):
            raise InputError([Problem(where, _("content.front_matter_not_mapping"), 2)])
        body = from_mkdocs_blog(meta, body, site)
    _lowercase_keys(meta)
    check = _FrontMatter(where, meta, site, _, offset)
    teacher = site.teacher(teacher_slug)
    title = check.title()
    published = check.date("date", required=True)
    category_subjects, category_tags = check.categories()
    subjects = tuple(dict.fromkeys(check.subjects() + category_subjects)) or teacher.subjects
    classes = check.classes() or teacher.classes
    kind = check.kind()
    due = check.date("due", end_of_day=True)
    if kind == "tugas" and meta.get("due") is None:  # (a bad `due` is reported by date())
        check.problem("kind", "content.tugas_without_due")
    tags = tuple(check.text_list("tags")) + category_tags
    summary = check.text("summary")
    draft = check.flag("draft")
    attachments = check.attachments(path.parent)
    check.unknown_keys()
    if check.problems or published is None:
        raise InputError(sorted(check.problems, key=lambda p: p.line or 0))

    html = markdown_to_html(body, site.embed_hosts)
    return Entry(
        teacher=teacher_slug,
        entry_id=f"content/{teacher_slug}/{path.name}",
        origin="markdown",
        title=title,
        published=published,
        content_html=html,
        summary=summary or summarize(html),
        categories=tags,
        subjects=subjects,
        classes=classes,
        kind=kind,
        due=due,
        draft=draft,
        slug=slugify(path.stem),
        assets=_local_assets(html, path.parent),
        attachments=attachments,
    )


def _lowercase_keys(meta: CommentedMap) -> None:
    """`Title:` means `title:`; teachers copy keys from other tools with capitals."""
    for key in list(meta):
        lower = key.lower() if isinstance(key, str) else key
        if lower != key and lower in FRONT_MATTER_KEYS and lower not in meta:
            position = meta.lc.data.get(key)
            meta[lower] = meta.pop(key)
            if position is not None:
                meta.lc.data[lower] = position


def pelican_header(text: str) -> tuple[CommentedMap, str] | None:
    """A Pelican post (`Title: ...` lines, a blank line, the body) as front matter.

    `Category` and `Tags` (comma-separated) become `subjects` candidates and `tags`;
    `Status: draft` a draft. Returns None when `text` does not open with such a header.
    """
    lines = text.splitlines(keepends=True)
    meta = CommentedMap()
    for number, line in enumerate(lines):
        if not line.strip():
            break
        match = _PELICAN_HEADER.match(line.rstrip("\r\n"))
        if match is None:
            return None
        meta[match.group(1).lower()] = match.group(2).strip()
        meta.lc.add_kv_line_col(match.group(1).lower(), [number, 0, number, 0])
    else:
        number = len(lines)
    if "title" not in meta:
        return None
    converted = CommentedMap()
    for key, value in meta.items():
        target = {"category": "categories", "status": "draft", "modified": None,
                  "slug": None, "author": None, "authors": None, "lang": None}.get(key, key)
        if target is None:
            continue
        if target in ("categories", "tags"):
            value = [v.strip() for v in value.split(",") if v.strip()]
        elif target == "draft":
            value = value.lower() in ("draft", "hidden")
        converted[target] = value
        converted.lc.add_kv_line_col(target, meta.lc.data[key])
    return converted, "".join(lines[number + 1:])


def from_mkdocs_blog(meta: CommentedMap, body: str, site: Site) -> str:
    """Turn an MkDocs-Material blog post's keys into Mading's, in place; returns the body.

    The title comes from the first `#` heading (which then leaves the body); `date` may be
    a mapping with `created`; `description` is the summary; `authors`, `slug`, `readtime`,
    `pin` and `links` have no use here.
    """
    if not any(key in meta for key in MKDOCS_BLOG_KEYS) and "title" in meta:
        return body
    if "title" not in meta:
        heading = _FIRST_HEADING.search(body)
        if heading is None:
            return body
        meta["title"] = heading.group(1)
        body = body[:heading.start()] + body[heading.end():]
    if isinstance(meta.get("date"), dict):
        meta["date"] = meta["date"].get("created")
    if "description" in meta and "summary" not in meta:
        meta["summary"] = meta["description"]
    for key in ("authors", "slug", "readtime", "pin", "links", "description"):
        meta.pop(key, None)
    return body


def _local_assets(html: str, folder: Path) -> tuple[Path, ...]:
    """Files next to the post that its HTML links to (images, worksheets)."""
    found: list[Path] = []
    for ref in _LOCAL_REF_RE.findall(html):
        candidate = (folder / unquote(ref.split("#")[0].split("?")[0])).resolve()
        if candidate.is_file() and candidate.parent == folder.resolve() and candidate not in found:
            found.append(candidate)
    return tuple(found)


class _FrontMatter:
    """Typed access to one post's front matter, collecting located problems."""

    def __init__(self, where: str, meta: CommentedMap, site: Site, translate: Translator,
                 offset: int = 1) -> None:
        self.where = where
        self.meta = meta
        self.offset = offset
        """Lines before the front matter: 1 for the opening `---`, 0 for Pelican headers."""
        self.site = site
        self._ = translate
        self.problems: list[Problem] = []

    def line(self, key: object) -> int:
        found = key_line(self.meta, key)
        return found + self.offset if found is not None else 1 + self.offset

    def problem(self, key: str, message: str, line: int | None = None, **values: object) -> None:
        self.problems.append(Problem(self.where, self._(message, key=key, **values),
                                     line or self.line(key)))

    def item_line(self, key: str, index: int) -> int:
        """The file line of item `index` of the list under `key` (or of the key itself)."""
        found = key_line(self.meta.get(key), index)
        return found + self.offset if found is not None else self.line(key)

    def unknown_keys(self) -> None:
        for key in self.meta:
            if key not in FRONT_MATTER_KEYS and key != "categories":
                self.problem(str(key), "content.unknown_key", self.line(key),
                             hint=did_you_mean(str(key), FRONT_MATTER_KEYS, self._))

    def text(self, key: str) -> str:
        value = self.meta.get(key)
        if value is None:
            return ""
        if isinstance(value, (dict, list)):
            self.problem(key, "config.not_text")
            return ""
        return str(value).strip()

    def title(self) -> str:
        reported = len(self.problems)
        title = self.text("title")
        if not title and len(self.problems) == reported:  # not already "must be text"
            self.problem("title", "content.missing_title")
        return title

    def text_list(self, key: str) -> list[str]:
        return [text for text, _ in self.located_list(key)]

    def located_list(self, key: str) -> list[tuple[str, int | None]]:
        """The texts under `key` (one text counts as a list of one), each with its line."""
        value = self.meta.get(key)
        if value is None:
            return []
        if not isinstance(value, (dict, list)):
            # `classes: XI-1, XI-2` without brackets means the same as with them.
            items = [part.strip() for part in str(value).split(",")]
            return [(item, None) for item in items if item]
        if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
            return [(str(v).strip(), self.item_line(key, i))
                    for i, v in enumerate(value) if str(v).strip()]
        self.problem(key, "config.not_list")
        return []

    def subjects(self) -> tuple[str, ...]:
        by_fold: dict[str, str] = {}
        for subject in self.site.subjects:
            for label in (subject.name, subject.slug, *subject.aliases):
                by_fold.setdefault(fold(label), subject.slug)
        found = []
        for name, line in self.located_list("subjects"):
            slug = by_fold.get(fold(name))
            if slug is None:
                self.problem("subjects", "content.unknown_subject", line, value=name,
                             hint=did_you_mean(name, [s.name for s in self.site.subjects], self._))
            elif slug not in found:
                found.append(slug)
        return tuple(found)

    def categories(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(subjects, tags) from an imported post's categories: those that name a subject
        through its aliases are subjects, the rest are kept as tags."""
        found: list[str] = []
        tags: list[str] = []
        for name, _line in self.located_list("categories"):
            subject = next((s.slug for s in self.site.subjects
                            if fold(name) in {fold(x) for x in (s.name, s.slug, *s.aliases)}),
                           None)
            if subject is None:
                tags.append(name)
            elif subject not in found:
                found.append(subject)
        return tuple(found), tuple(tags)

    def attachments(self, folder: Path) -> tuple[Attachment, ...]:
        """Files listed under `attachments:`, next to the post, with their size and type."""
        found = []
        for name, line in self.located_list("attachments"):
            path = (folder / name).resolve()
            if not path.is_relative_to(folder.resolve()):
                self.problem("attachments", "content.attachment_outside", line, value=name)
            elif not path.is_file():
                here = sorted(p.name for p in folder.iterdir()
                              if p.is_file() and p.suffix != ".md")
                self.problem("attachments", "content.missing_attachment", line, value=name,
                             folder=display_path(folder) + "/",
                             hint=did_you_mean(name, here, self._))
            else:
                kind = path.suffix.lstrip(".").upper() or "?"
                found.append(Attachment(path, path.stat().st_size, kind))
        return tuple(found)

    def classes(self) -> tuple[str, ...]:
        names = self.located_list("classes")
        if not self.site.classes:
            return tuple(name for name, _ in names)
        by_fold = {fold(c): c for c in self.site.classes}
        found = []
        for name, line in names:
            if fold(name) not in by_fold:
                self.problem("classes", "content.unknown_class", line, value=name,
                             hint=did_you_mean(name, self.site.classes, self._))
            elif by_fold[fold(name)] not in found:
                found.append(by_fold[fold(name)])
        return tuple(found)

    def kind(self) -> Kind:
        value = self.text("kind") or "materi"
        for kind in KINDS:
            if fold(value) == kind:
                return kind
        self.problem("kind", "content.bad_kind", value=value, choices=", ".join(KINDS))
        return "materi"

    def flag(self, key: str) -> bool:
        value = self.meta.get(key)
        if value is None:  # absent, or `draft:` left empty
            return False
        if not isinstance(value, bool):
            self.problem(key, "content.not_bool", value=value)
            return False
        return value

    def date(self, key: str, required: bool = False, end_of_day: bool = False) -> datetime | None:
        """`2026-11-20` or `2026-11-20 07:30` in the school's time zone."""
        value: Any = self.meta.get(key)
        zone = ZoneInfo(self.site.school.timezone)
        if value is None:
            if required:
                self.problem(key, "content.missing_date")
            return None
        if isinstance(value, (dict, list)):
            self.problem(key, "config.not_text")
            return None
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=zone)
        if isinstance(value, date):
            moment = time(23, 59) if end_of_day else time(0, 0)
            return datetime.combine(value, moment, zone)
        match = _DATETIME_RE.match(str(value).strip())
        try:
            if match is None:
                raise ValueError
            day = date.fromisoformat(match.group(1))
            if match.group(2) is None:
                moment = time(23, 59) if end_of_day else time(0, 0)
            else:
                moment = time(int(match.group(2)), int(match.group(3)))
            return datetime.combine(day, moment, zone)
        except ValueError:
            self.problem(key, "content.bad_date", value=value)
            return None
