"""Federation (issue 25): a school portal's machine-readable index, `portal.json`, and a
cluster or district portal built over the indexes of its schools.

A school stays the unit that builds itself; a cluster reads only what school portals
already publish: each school's `portal.json` (this module's format) and each teacher's
JSON Feed (`guru/<slug>/feed.json`). Pure: `portal_index` is rendered like the feeds;
`parse_index` checks what a school's portal published, hostile until then; `federate`
turns a cluster's `Site` and its schools' indexes into the `Site` the rest of the build
knows, with every school's teachers as teachers whose blog is their JSON Feed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from generator.dates import in_range
from generator.layout import Layout
from generator.models import (
    KINDS,
    KindSpec,
    Portal,
    SchoolPortal,
    Site,
    Subject,
    Teacher,
    WebFeed,
    pages_here,
)
from generator.slugs import fold, is_slug, slugify
from generator.syndication import EXTENSION, absolute

FORMAT = "mading-portal"
VERSION = 1
"""The format version of `portal.json`: a reader refuses a newer one rather than guess."""
MAX_TEACHERS = 5_000
"""Teachers read from one index: a school has at most a few hundred; a district read by a
province, a few thousand."""
MAX_NAMES = 1_000
"""Subjects, classes, aliases or a teacher's subjects and classes read from one index."""
MAX_TEXT = 200
"""Characters of a name read from an index."""


SUMMARY_FEED = "feed.json"
"""A portal's own JSON Feed of its latest posts, each with its teacher: what a portal
read as a summary (`read: ringkas`, a province over its districts) is read from."""


class IndexRefused(ValueError):
    """A school's `portal.json` cannot be used; the message says why, for the report."""


@dataclass(frozen=True)
class IndexTeacher:
    name: str
    slug: str
    subjects: tuple[str, ...]
    """Names of the school's subjects."""
    classes: tuple[str, ...]
    page: str
    feed: str
    """The teacher's JSON Feed, under the portal's address as site.yml writes it."""


@dataclass(frozen=True)
class SchoolIndex:
    """What a school's portal says of itself (`portal.json`), checked."""

    name: str
    url: str
    language: str
    timezone: str
    subjects: tuple[Subject, ...]
    classes: tuple[tuple[str, tuple[str, ...]], ...]
    """(class, its other names)."""
    teachers: tuple[IndexTeacher, ...]
    kinds: tuple[KindSpec, ...] = ()
    """The kinds of post the school declares beyond `KINDS`."""


def portal_index(portal: Portal, layout: Layout) -> bytes:
    """The portal's `portal.json`: the school, its subjects, classes and teachers with
    their pages and JSON Feeds, every address absolute. Made from the site alone, so a
    rebuild with the same site.yml leaves it as it is. The teachers of a portal read as a
    summary are not listed: their pages are their own portal's, which lists them."""
    site = portal.site
    names = {s.slug: s.name for s in site.subjects}
    aliases = dict(site.class_aliases)
    classes = site.classes or tuple(dict.fromkeys(c for t in site.teachers for c in t.classes))
    data = {
        "format": FORMAT,
        "version": VERSION,
        "school": {"name": site.school.name, "url": site.school.url,
                   "language": site.school.language, "timezone": site.school.timezone},
        "feed_url": absolute(portal, "feed.json"),
        "subjects": [{"name": s.name, "slug": s.slug, "aliases": list(s.aliases),
                      "page": absolute(portal, layout.subject(s.slug))}
                     for s in site.subjects],
        "classes": [{"name": name, "aliases": list(aliases.get(name, ())),
                     "page": absolute(portal, layout.klass(name))} for name in classes],
        "kinds": [{"name": k.name, "label": k.label, "aliases": list(k.aliases)}
                  for k in site.kinds],
        "teachers": [{"name": t.name, "slug": t.slug,
                      "subjects": [names[s] for s in t.subjects if s in names],
                      "classes": list(t.classes),
                      "page": absolute(portal, layout.teacher(t)),
                      "feed": absolute(portal, layout.teacher(t) + "feed.json")}
                     for t in pages_here(site.teachers)],
    }
    return json.dumps(data, ensure_ascii=False, indent=1).encode() + b"\n"


def parse_index(data: bytes, portal_url: str) -> SchoolIndex:
    """The index a school's portal at `portal_url` (as site.yml writes it) published.

    Addresses the school gives under its own `url` are read under `portal_url` (a school
    whose url is its own domain may be read from its GitHub Pages address); a feed
    anywhere else is refused, since only the hosts site.yml names may be internal
    (generator/sources/fetch.py `AddressPolicy`).

    Raises:
        IndexRefused: not JSON, not this format, a newer version, or no school name.
    """
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise IndexRefused(f"portal.json is not valid JSON: {exc}") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise IndexRefused(f"portal.json is not a Mading portal index ('format': '{FORMAT}')")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
        raise IndexRefused(f"portal.json has version {version!r}; this Mading reads "
                           f"version {VERSION} or older")
    school = _mapping(raw.get("school"))
    name = _text(school.get("name"))
    if not name:
        raise IndexRefused("portal.json names no school")
    own = _web(school.get("url")) or portal_url

    def under_portal(value: object) -> str | None:
        address = _web(value)
        if address is None:
            return None
        if not address.startswith(portal_url) and address.startswith(own):
            address = portal_url + address[len(own):]
        return address if address.startswith(portal_url) else None

    subjects = []
    for item in _items(raw.get("subjects"), MAX_NAMES):
        subject_name = _text(item.get("name"))
        slug = _text(item.get("slug"))
        slug = slug if is_slug(slug) else slugify(subject_name)
        if subject_name and slug:
            subjects.append(Subject(subject_name, slug, _texts(item.get("aliases"))))
    classes = []
    for item in _items(raw.get("classes"), MAX_NAMES):
        class_name = _text(item.get("name"))
        if class_name and slugify(class_name):
            classes.append((class_name, _texts(item.get("aliases"))))
    teachers = []
    for item in _items(raw.get("teachers"), MAX_TEACHERS):
        teacher_name, slug = _text(item.get("name")), _text(item.get("slug"))
        feed = under_portal(item.get("feed"))
        if not teacher_name or not is_slug(slug) or feed is None:
            continue
        teachers.append(IndexTeacher(
            teacher_name, slug, _texts(item.get("subjects")), _texts(item.get("classes")),
            _web(item.get("page")) or portal_url, feed))
    kinds = []
    for item in _items(raw.get("kinds"), MAX_NAMES):
        kind_name = _text(item.get("name"))
        if is_slug(kind_name) and kind_name not in KINDS:
            kinds.append(KindSpec(kind_name, _text(item.get("label")) or kind_name,
                                  _texts(item.get("aliases"))))
    return SchoolIndex(name, own, _text(school.get("language")), _text(school.get("timezone")),
                       tuple(subjects), tuple(classes), tuple(teachers), tuple(kinds))


def federate(site: Site, indexes: Mapping[str, SchoolIndex]) -> Site:
    """The cluster's `site` with its schools' subjects, classes and teachers added.

    Subjects and classes of different schools are one when their names fold alike
    (`Matematika`, `matematika`); a school's teacher `sari` is `<school>-sari` here, so
    that two schools' teachers never share an address. Each keeps their school portal's
    page among their links, and their JSON Feed there as their blog; the teachers of a
    portal read as a summary have none: its own feed.json is read for them
    (`summary_readers`), and their page there is their `home`: this portal builds none
    for them. A school with no index yet (never read) adds nothing.
    """
    subjects: dict[str, Subject] = {s.slug: s for s in site.subjects}
    by_label: dict[str, str] = {}
    for subject in site.subjects:
        for label in (subject.name, subject.slug, *subject.aliases):
            by_label.setdefault(fold(label), subject.slug)
    classes = list(site.classes)
    class_aliases = dict(site.class_aliases)
    class_of = {fold(name): name for name in classes}
    for name, others in site.class_aliases:
        for other in others:
            class_of.setdefault(fold(other), name)
    teachers = list(site.teachers)
    taken = {t.slug for t in teachers}
    kinds = {spec.name: spec for spec in site.kinds}
    for school in site.schools:
        index = indexes.get(school.slug)
        if index is None:
            continue
        for subject in index.subjects:
            slug = by_label.get(fold(subject.name))
            if slug is None:
                slug = _unique(subject.slug, subjects)
                subjects[slug] = Subject(subject.name, slug)
            known = subjects[slug]
            new = [a for a in (subject.slug, *subject.aliases) if fold(a) not in by_label]
            for label in (subject.name, *new):
                by_label.setdefault(fold(label), slug)
            new = [a for a in new if a != slug and fold(a) != fold(known.name)]
            if new:
                subjects[slug] = replace(known, aliases=(*known.aliases, *new))
        for name, others in index.classes:
            if fold(name) not in class_of:
                class_of[fold(name)] = name
                classes.append(name)
            main = class_of[fold(name)]
            new = [o for o in others if fold(o) not in class_of]
            for other in new:
                class_of[fold(other)] = main
            if new:
                class_aliases[main] = (*class_aliases.get(main, ()), *new)
        for spec in index.kinds:  # the first school's label wins
            kinds.setdefault(spec.name, spec)
        for teacher in index.teachers:
            slug = f"{school.slug}-{teacher.slug}"
            if slug in taken:
                continue
            taken.add(slug)
            teachers.append(Teacher(
                name=teacher.name, slug=slug,
                subjects=tuple(dict.fromkeys(by_label[fold(s)] for s in teacher.subjects
                                             if fold(s) in by_label)),
                classes=tuple(dict.fromkeys(class_of[fold(c)] for c in teacher.classes
                                            if fold(c) in class_of)),
                blog=None if school.summary else WebFeed(teacher.feed),
                links=(teacher.page,), school=school.slug,
                home=teacher.page if school.summary else None))
    return replace(site, subjects=tuple(subjects.values()), classes=tuple(classes),
                   class_aliases=tuple(class_aliases.items()), teachers=tuple(teachers),
                   kinds=tuple(kinds.values()))


def summary_key(school: SchoolPortal) -> str:
    """What the archive keeps a summary's feed under: no teacher's slug can be it."""
    return f"{school.slug}/{SUMMARY_FEED}"


def summary_readers(site: Site) -> list[Teacher]:
    """One reader per portal of `site` read as a summary, whose blog is that portal's own
    feed.json: fetched, limited and archived as a teacher's feed is, and its posts then
    given to their teachers (`item_teacher`)."""
    return [Teacher(name=school.name, slug=summary_key(school),
                    blog=WebFeed(school.portal + SUMMARY_FEED), school=school.slug)
            for school in site.schools if school.summary]


def item_teacher(item: Mapping[str, Any], key: str) -> str | None:
    """Whose post a JSON Feed item read for `key` is: the feed's teacher (`key`) for a
    teacher's feed; for a summary's (`summary_key`), the teacher its `_mading` extension
    names, as `federate` names them here, or None when it names none soundly."""
    school, summary, rest = key.partition("/")
    if not summary:
        return key
    extension = item.get(EXTENSION)
    teacher = extension.get("teacher") if isinstance(extension, dict) else None
    slug = teacher.get("slug") if isinstance(teacher, dict) else None
    return f"{school}-{slug}" if rest == SUMMARY_FEED and isinstance(slug, str) \
        and is_slug(slug) else None


def by_school(site: Site, teachers: Iterable[Teacher]) -> list[tuple[str, list[Teacher]]]:
    """`teachers` grouped by school, in the order of `schools:`; the cluster's own
    teachers (`teachers:` of its site.yml) first, under its own name."""
    groups: dict[str | None, list[Teacher]] = {}
    for teacher in teachers:
        groups.setdefault(teacher.school, []).append(teacher)
    named = [(site.school.name, groups.get(None, []))]
    named += [(school.name, groups.get(school.slug, [])) for school in site.schools]
    return [(name, people) for name, people in named if people]


def school_fields(item: Mapping[str, Any]) -> dict[str, Any]:
    """The kind, classes and deadline a school portal's JSON Feed item gives in its
    `_mading` extension (`syndication.json_feed`), as `Entry` fields; none if it gives
    none or they are not sound."""
    extension = item.get(EXTENSION)
    if not isinstance(extension, dict):
        return {}
    kind = extension.get("kind")
    if not isinstance(kind, str) or not is_slug(kind):
        return {}
    fields: dict[str, Any] = {"kind": kind, "classes": _texts(extension.get("classes")),
                              "series": _text(extension.get("series"))}
    due = extension.get("due")
    if kind == "tugas" and isinstance(due, str):
        try:
            moment = datetime.fromisoformat(due)
        except ValueError:
            return fields
        if moment.tzinfo is not None and in_range(moment):
            fields.update(due=moment, due_all_day=extension.get("due_all_day") is True)
    return fields


def _unique(slug: str, taken: Mapping[str, object]) -> str:
    found, number = slug, 2
    while found in taken:
        found, number = f"{slug}-{number}", number + 1
    return found


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: object, most: int) -> list[dict[str, Any]]:
    return [item for item in value[:most] if isinstance(item, dict)] \
        if isinstance(value, list) else []


def _text(value: object) -> str:
    return " ".join(value.split())[:MAX_TEXT] if isinstance(value, str) else ""


def _texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(text for text in map(_text, value[:MAX_NAMES]) if text))


def _web(value: object) -> str | None:
    """An absolute http(s) address, or None."""
    if not isinstance(value, str) or len(value) > 2_000:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return value.strip()
