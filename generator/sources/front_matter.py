"""A post's front matter: its keys read, checked and turned into `FrontMatter`.

YAML front matter (Mading's own, and MkDocs-Material blog posts') and Pelican's
`Key: value` headers come to the same keys, read through the schema's `Checker`
(generator/schema.py) against the site's subjects, classes and kinds, every mistake
located on its line of the post's file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ruamel.yaml.comments import CommentedMap

from generator.dates import SCHEDULE_AHEAD
from generator.errors import InputError, Problem, display_path
from generator.filetypes import FileRefused, publishable
from generator.i18n import Translator
from generator.models import KINDS, MAX_TAGS, Attachment, Kind, Site
from generator.paths import shown, usable
from generator.schema import (
    Checker,
    FileWords,
    did_you_mean,
    key_line,
    names_a_day,
    parse_yaml,
    read_yaml,
)
from generator.slugs import fold

FRONT_MATTER_KEYS = ("title", "date", "subjects", "classes", "kind", "due", "tags", "summary",
                     "draft", "attachments", "series")
MKDOCS_BLOG_KEYS = ("categories", "authors", "description", "slug", "readtime", "pin", "links")
"""Keys of the MkDocs-Material blog plugin: such a post moves in unchanged."""
_PELICAN_HEADER = re.compile(r"^([A-Za-z][A-Za-z_-]*):\s*(.*)$")
_FIRST_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
ATTACHMENT = FileWords(bad_name="content.bad_attachment_name",
                       outside="content.attachment_outside",
                       hidden="hostile_ops.hidden_attachment",
                       missing="content.missing_attachment")


def read_front_matter(front_text: str, body: str, path: Path, site: Site,
                      _: Translator, now: datetime | None) -> FrontMatter:
    """A YAML front matter (`front_text`, the file's lines from 2) checked.

    Raises:
        InputError: every problem found, in the order of the file.
    """
    return read_yaml(front_text,
                     lambda meta: FrontMatter.from_yaml(meta, body, path, site, _, now),
                     lambda: _parsed(front_text, path, _))


def _parsed(front_text: str, path: Path, _: Translator) -> CommentedMap:
    """The front matter parsed by ruamel, with the lines of the post's file."""
    where = display_path(path)
    try:
        meta = parse_yaml(front_text, where, _)
    except InputError as exc:  # the front matter starts on line 2, after the opening `---`
        raise InputError([Problem(p.where, p.message, (p.line or 0) + 1)
                          for p in exc.problems]) from None
    if not isinstance(meta, CommentedMap):
        raise InputError([Problem(where, _("content.front_matter_not_mapping"), 2)])
    return meta


@dataclass(frozen=True)
class FrontMatter:
    """What a post's front matter says, checked; the body without an MkDocs title."""

    title: str
    published: datetime
    subjects: tuple[str, ...]
    """Empty when the post names none: the teacher's then."""
    classes: tuple[str, ...]
    kind: Kind
    due: datetime | None
    due_all_day: bool
    """`due: 2026-12-18` names a day: 23:59 of it, shown and put in calendars as a day."""
    tags: tuple[str, ...]
    summary: str
    draft: bool
    attachments: tuple[Attachment, ...]
    cleaned: tuple[tuple[str, bytes], ...]
    """(path, content) of the attachments published cleaned (SVG)."""
    body: str
    series: str = ""

    @classmethod
    def from_yaml(cls, meta: dict[Any, Any], body: str, path: Path, site: Site,
                  _: Translator, now: datetime | None = None) -> FrontMatter:
        """Check a YAML front matter (which starts on the file's line 2); `meta` is
        changed in place."""
        path_slug = _slug_as_path(meta, 1)
        body = from_mkdocs_blog(meta, body, site)
        return cls.checked(meta, body, path, site, _, offset=1, path_slug=path_slug, now=now)

    @classmethod
    def checked(cls, meta: dict[Any, Any], body: str, path: Path, site: Site, _: Translator,
                offset: int, path_slug: tuple[str, int] | None = None,
                now: datetime | None = None) -> FrontMatter:
        """Check `meta`, whose first line is the file's line `offset + 1`, as of `now`.

        Raises:
            InputError: every problem found, in the order of the file.
        """
        _lowercase_keys(meta)
        check = _PostChecker(path, meta, site, _, offset)
        if path_slug is not None:
            # `slug:` is ignored (the address comes from the file name), but one that is a
            # path says the writer meant to put the page elsewhere: refused (issue 8).
            check.about("slug", "content.slug_is_path", path_slug[1],
                        value=shown(path_slug[0]), name=path.name)
        title = check.text(meta, "title", required=True, line=check.first_line,
                           missing="content.missing_title")
        zone = ZoneInfo(site.school.timezone)
        published = check.date(meta, "date", zone, required=True)
        if published is not None and now is not None and published > now + SCHEDULE_AHEAD:
            # A post may be scheduled, but not for 9999: that is a typo or a prank that
            # would wait for ever (issue 26).
            check.about("date", "hostile_data.date_too_far_ahead", value=meta.get("date"))
            published = None
        category_subjects, category_tags = check.categories()
        subjects = tuple(dict.fromkeys(check.subjects() + category_subjects))
        classes = check.classes()
        kind = check.kind()
        due = check.date(meta, "due", zone, end_of_day=True)
        due_all_day = due is not None and names_a_day(meta.get("due"))
        if kind == "tugas" and meta.get("due") is None:  # (a bad `due` is reported by date())
            check.about("kind", "content.tugas_without_due")
        tags = tuple(dict.fromkeys(tuple(check.texts("tags")) + category_tags))
        if len(tags) > MAX_TAGS:  # each label is a page: 10,000 of them filled a disk
            check.about("tags", "hostile_web.too_many_tags",
                        check.line(meta, "tags" if "tags" in meta else "categories"),
                        count=len(tags), limit=MAX_TAGS)
        summary = check.text(meta, "summary")
        series = " ".join(check.text(meta, "series").split())
        draft = check.flag("draft")
        attachments = check.attachments(path.parent)
        check.unknown_keys(meta, (*FRONT_MATTER_KEYS, "categories"), suggest=FRONT_MATTER_KEYS,
                           message="content.unknown_key")
        if check.problems or published is None:
            raise InputError(sorted(check.problems, key=lambda p: p.line or 0))
        return cls(title=title, published=published, subjects=subjects, classes=classes,
                   kind=kind, due=due, due_all_day=due_all_day, tags=tags, summary=summary,
                   draft=draft, attachments=attachments, cleaned=tuple(check.cleaned.items()),
                   body=body, series=series)


class _PostChecker(Checker):
    """The schema's checker for one post's front matter: what it names must be the
    site's subjects, classes and kinds, and files beside the post."""

    def __init__(self, path: Path, meta: dict[Any, Any], site: Site, translate: Translator,
                 offset: int = 1) -> None:
        # `offset`: lines before the front matter, 1 for the opening `---`, 0 for Pelican
        # headers.
        super().__init__(path, translate, offset=offset, first_line=1 + offset)
        self.meta = meta
        self.site = site
        self.cleaned: dict[str, bytes] = {}
        """The attachments published cleaned (SVG), by path."""

    def about(self, key: str, message: str, line: int | None = None, /,
              **values: object) -> None:
        """A problem with the value of `key`, on `line` or the key's own."""
        self.problem(line or self.line(self.meta, key), message, key=key, **values)

    def texts(self, key: str) -> list[str]:
        return [text for text, _line in self.text_list(self.meta, key, loose=True)]

    def subjects(self) -> tuple[str, ...]:
        by_fold: dict[str, str] = {}
        for subject in self.site.subjects:
            for label in (subject.name, subject.slug, *subject.aliases):
                by_fold.setdefault(fold(label), subject.slug)
        found = []
        for name, line in self.text_list(self.meta, "subjects", loose=True):
            slug = by_fold.get(fold(name))
            if slug is None:
                self.about("subjects", "content.unknown_subject", line, value=name,
                           hint=did_you_mean(name, [s.name for s in self.site.subjects], self._))
            elif slug not in found:
                found.append(slug)
        return tuple(found)

    def categories(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(subjects, tags) from an imported post's categories: those that name a subject
        through its aliases are subjects, the rest are kept as tags."""
        found: list[str] = []
        tags: list[str] = []
        for name in self.texts("categories"):
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
        for name, line in self.text_list(self.meta, "attachments", loose=True):
            path = self.file(folder, name, line, ATTACHMENT, key="attachments")
            if path is None:
                continue
            try:  # only types a browser shows without running anything (issue 26)
                kept = publishable(path)
            except FileRefused as exc:
                self.about("attachments", exc.message_id, line, value=name, **exc.values)
                continue
            if kept.content is None:
                found.append(Attachment(path, path.stat().st_size, kept.kind))
            else:
                self.cleaned[str(path)] = kept.content
                found.append(Attachment(path, len(kept.content), kept.kind))
        return tuple(found)

    def classes(self) -> tuple[str, ...]:
        names = self.text_list(self.meta, "classes", loose=True)
        if not self.site.classes:
            return tuple(name for name, _line in names)
        by_fold = {fold(c): c for c in self.site.classes}
        found = []
        for name, line in names:
            if fold(name) not in by_fold:
                self.about("classes", "content.unknown_class", line, value=name,
                           hint=did_you_mean(name, self.site.classes, self._))
            elif by_fold[fold(name)] not in found:
                found.append(by_fold[fold(name)])
        return tuple(found)

    def kind(self) -> Kind:
        value = self.text(self.meta, "kind") or "materi"
        for kind in KINDS:
            if fold(value) == kind:
                return kind
        for spec in self.site.kinds:  # declared in site.yml (issue 25)
            if fold(value) in {fold(word) for word in (spec.name, spec.label, *spec.aliases)}:
                return spec.name
        self.about("kind", "content.bad_kind", value=value,
                   choices=", ".join(self.site.kind_names))
        return "materi"

    def flag(self, key: str) -> bool:
        value = self.meta.get(key)
        if value is None:  # absent, or `draft:` left empty
            return False
        if not isinstance(value, bool):
            self.about(key, "content.not_bool", value=value)
            return False
        return value


def _lowercase_keys(meta: dict[Any, Any]) -> None:
    """`Title:` means `title:`; teachers copy keys from other tools with capitals."""
    lines = meta.lc.data if isinstance(meta, CommentedMap) else {}
    for key in list(meta):
        lower = key.lower() if isinstance(key, str) else key
        if lower != key and lower in FRONT_MATTER_KEYS and lower not in meta:
            position = lines.get(key)
            meta[lower] = meta.pop(key)
            if position is not None:
                lines[lower] = position


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


def from_mkdocs_blog(meta: dict[Any, Any], body: str, site: Site) -> str:
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


def _slug_as_path(meta: dict[Any, Any], offset: int) -> tuple[str, int] | None:
    """A front matter `slug:` that is a path (`../../index`), with its line, or None."""
    value = meta.get("slug")
    if not isinstance(value, str) or not value.strip():
        return None
    if "/" in value or "\\" in value or set(value.strip()) == {"."} or not usable(value):
        return value, (key_line(meta, "slug") or 1) + offset
    return None
