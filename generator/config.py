"""Read and validate `site.yml` into a `Site`.

The file is parsed and read through the schema (generator/schema.py), so that every
mistake is collected as a `Problem` with its line (`site.yml:12: ...`) and all of them are
raised together as one `InputError`. After validation the `Site` is frozen: nothing downstream
changes the configuration.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.classes import ClassIndex, Key, class_key
from generator.errors import InputError, Problem, display_path
from generator.filetypes import FileRefused, publishable
from generator.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator
from generator.models import (
    KINDS,
    Correction,
    Corrections,
    FeedFile,
    ImageSettings,
    KindSpec,
    PortalSettings,
    School,
    SchoolPortal,
    Site,
    Subject,
    Teacher,
    WebFeed,
    personal_name,
)
from generator.paths import links_out, shown
from generator.sanitize import EMBED_HOSTS
from generator.schema import (
    Checker,
    FileWords,
    did_you_mean,
    key_line,
    names_a_day,
    parse_yaml,
    read_yaml,
)
from generator.slugs import fold, is_slug, slugify

SCHOOL_KEYS = ("name", "url", "language", "timezone", "description")
TOP_KEYS = ("school", "subjects", "classes", "teachers", "embeds", "portal", "images",
            "schools", "kinds")
IMAGES_KEYS = ("local",)
KIND_KEYS = ("name", "label", "aliases")
SCHOOL_PORTAL_KEYS = ("name", "slug", "portal", "read")
READ_TEACHERS = ("guru", "teachers")
"""`read:` of a `schools:` item: every teacher's JSON Feed (the default)."""
READ_SUMMARY = ("ringkas", "summary")
"""`read:` of a `schools:` item: the portal's own `feed.json` of its latest posts."""
PORTAL_KEYS = ("page_size", "active_days")
SUBJECT_KEYS = ("name", "slug", "aliases")
CLASS_KEYS = ("name", "aliases")
TEACHER_KEYS = ("name", "slug", "subjects", "classes", "blog", "photo", "bio", "links")
RESERVED_TEACHER_SLUGS = ("mapel", "terbaru", "halaman")
"""Folder names under guru/ that the directory's own pages use."""
MAX_SLUG_LENGTH = 60
"""As long as a slug derived from a name may be (`slugify`)."""
DEFAULT_URL = "http://localhost:8000/"
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_HOST_NAME = re.compile(rf"(?i){_LABEL}(?:\.{_LABEL})+")
"""A host name with at least one dot: `www.youtube.com`, `docs.google.com`."""
DEFAULT_TIMEZONE = "Asia/Jakarta"
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]+:", re.IGNORECASE)
"""`https:`, `htps:`...: a `blog:` meant as a web address, even a mistyped one."""


SITE_FILE = FileWords(bad_name="config.bad_file_name", outside="config.outside_site",
                      hidden="config.hidden_file", missing="config.missing_file")


class _Checker(Checker):
    """The schema's checker for site.yml, whose files are named from the site folder."""

    def __init__(self, where: str, root: Path, translate: Translator) -> None:
        super().__init__(where, translate)
        self.root = root

    def site_file(self, value: str, key: str, line: int | None) -> Path | None:
        """A file named relative to the site folder that must exist and stay inside it,
        links resolved, and not be hidden (`.git/config` holds a CI checkout's token)."""
        return self.file(self.root, value, line, SITE_FILE, key=key)


def load_site(config_file: Path) -> Site:
    """Read `config_file` and return the validated `Site`.

    Raises:
        InputError: with every problem found, each located `site.yml:LINE: ...`.
    """
    where = display_path(config_file)
    if links_out(config_file, config_file.absolute().parent):
        # A committed link to /etc/shadow would have its fields quoted in the problems
        # (issue 26); the school's folder is where site.yml is found, not where it leads.
        raise InputError([Problem(where, Translator()("hostile_ops.config_links_out"))])
    try:
        text = config_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(where, Translator()("config.not_found"))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(where, Translator()("config.unreadable", detail=exc))]) from None
    return read_yaml(text, lambda data: _site(data, text, where, config_file),
                     lambda: _parsed_config(text, where))


def _site(data: Any, text: str, where: str, config_file: Path) -> Site:
    """The `Site` that the parsed `data` of `config_file` describes.

    Raises:
        InputError: with every problem found, in the order of the file.
    """
    if not isinstance(data, dict):
        raise InputError([Problem(where, Translator(_guess_language(text))("config.not_mapping"),
                                  1)])
    school_data = data.get("school")
    language = DEFAULT_LANGUAGE
    if isinstance(school_data, dict) and school_data.get("language") in LANGUAGES:
        language = str(school_data["language"])
    root = config_file.resolve().parent
    check = _Checker(where, root, Translator(language))
    check.unknown_keys(data, TOP_KEYS, "")

    school = _school(check, data)
    subjects = _subjects(check, data)
    classes, class_aliases = _classes(check, data)
    teachers = _teachers(check, data, subjects, classes, class_aliases)
    embeds = _embeds(check, data)
    settings = _portal(check, data)
    images = _images(check, data)
    schools = _schools(check, data)
    kinds = _kinds(check, data)
    _private_values(check, data)
    if check.problems:
        # In the order of the file, as the user reads it, not the order of the checks.
        raise InputError(sorted(check.problems, key=lambda p: p.line or 0))
    return Site(school=school, subjects=subjects, classes=classes, teachers=teachers,
                class_aliases=class_aliases, embed_hosts=embeds, portal=settings,
                images=images, schools=schools, kinds=kinds, root=root,
                config_file=config_file.resolve())


_parsed: dict[tuple[str, str], Any] = {}


def _parsed_config(text: str, where: str) -> Any:
    """`parse_yaml` of site.yml, kept while its text is the same: `mading serve` reloads
    the config at every save, and ruamel's round-trip parse is slow (0.15 s for 300
    lines). The result is only read, never changed, so sharing it is safe."""
    key = (text, where)
    if key not in _parsed:
        _parsed.clear()
        _parsed[key] = parse_yaml(text, where, Translator(_guess_language(text)))
    return _parsed[key]


def _guess_language(text: str) -> str:
    """`en` if the raw text says `language: en`, so even syntax errors use it."""
    for line in text.splitlines():
        if line.strip().replace(" ", "") in ("language:en", "language:'en'", 'language:"en"'):
            return "en"
    return DEFAULT_LANGUAGE


def _school(check: _Checker, data: dict[Any, Any]) -> School:
    raw = data.get("school")
    if not isinstance(raw, dict):
        check.problem(key_line(data, "school", 1), "config.missing_key", key="school.name")
        return School(name="", url=DEFAULT_URL, language=DEFAULT_LANGUAGE,
                      timezone=DEFAULT_TIMEZONE)
    check.unknown_keys(raw, SCHOOL_KEYS, "school.")
    name = check.text(raw, "name", "school.", required=True, line=key_line(data, "school"))
    url = check.text(raw, "url", "school.") or DEFAULT_URL
    check.url(url, "school.url", key_line(raw, "url"), base=True)
    if not url.endswith("/"):
        url += "/"
    language = check.text(raw, "language", "school.") or DEFAULT_LANGUAGE
    if language not in LANGUAGES:
        check.problem(key_line(raw, "language"), "config.bad_language", value=language,
                      choices=", ".join(LANGUAGES))
    timezone = check.text(raw, "timezone", "school.") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        check.problem(key_line(raw, "timezone"), "config.bad_timezone", value=timezone)
        timezone = DEFAULT_TIMEZONE
    return School(name=name, url=url, language=language, timezone=timezone,
                  description=check.text(raw, "description", "school."))


def _subjects(check: _Checker, data: dict[Any, Any]) -> tuple[Subject, ...]:
    subjects: list[Subject] = []
    seen: dict[str, int | None] = {}
    for item, name, line in check.named_items(data, "subjects", SUBJECT_KEYS):
        slug = _slug(check, item, name, "subjects.slug", line, seen)
        aliases = tuple(a for a, _ in check.text_list(item, "aliases", "subjects."))
        subjects.append(Subject(name=name, slug=slug, aliases=aliases))
    return tuple(subjects)


def _portal(check: _Checker, data: dict[Any, Any]) -> PortalSettings:
    """How the portal lists things: page size, and how recent 'active' is."""
    raw = data.get("portal")
    if raw is None:
        return PortalSettings()
    if not isinstance(raw, dict):
        check.problem(key_line(data, "portal"), "config.not_mapping_item", key="portal")
        return PortalSettings()
    check.unknown_keys(raw, PORTAL_KEYS, "portal.")
    defaults = PortalSettings()
    values = {}
    for key, low, high in (("page_size", 5, 200), ("active_days", 1, 365)):
        value = raw.get(key, getattr(defaults, key))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            check.problem(key_line(raw, key), "config.bad_number", key=f"portal.{key}",
                          value=value, low=low, high=high)
            value = getattr(defaults, key)
        values[key] = value
    return PortalSettings(**values)


def _images(check: _Checker, data: dict[Any, Any]) -> ImageSettings:
    """Whether posts' pictures are kept and shown as local, right-sized copies."""
    raw = data.get("images")
    if raw is None:
        return ImageSettings()
    if not isinstance(raw, dict):
        check.problem(key_line(data, "images"), "lowdata.bad_images")
        return ImageSettings()
    check.unknown_keys(raw, IMAGES_KEYS, "images.")
    local = raw.get("local", True)
    if not isinstance(local, bool):
        check.problem(key_line(raw, "local"), "lowdata.bad_local", value=local)
        return ImageSettings()
    return ImageSettings(local=local)


def _schools(check: _Checker, data: dict[Any, Any]) -> tuple[SchoolPortal, ...]:
    """The school portals a cluster or district portal reads (issue 25): each a name, a
    slug (its page `sekolah/<slug>/`) and the portal's http(s) address."""
    schools: list[SchoolPortal] = []
    seen: dict[str, int | None] = {}
    portals: dict[str, int | None] = {}
    for item, name, line in check.named_items(data, "schools", SCHOOL_PORTAL_KEYS,
                                              bare=False):
        portal = check.text(item, "portal", "schools.", required=True, line=line)
        slug = _slug(check, item, name, "schools.slug", line, seen)
        summary = _read_summary(check, item, line)
        if not portal:
            continue
        before = len(check.problems)
        portal_line = key_line(item, "portal", line)
        check.url(portal, "schools.portal", portal_line, base=True)
        if len(check.problems) > before:
            continue
        portal = portal if portal.endswith("/") else portal + "/"
        if portal in portals:
            check.problem(portal_line, "federation.duplicate_portal", value=portal,
                          other_line=portals[portal])
            continue
        portals[portal] = portal_line
        if slug:
            schools.append(SchoolPortal(name=name, slug=slug, portal=portal, summary=summary))
    return tuple(schools)


def _read_summary(check: _Checker, item: dict[Any, Any], line: int | None) -> bool:
    """Whether a `schools:` item is read as a summary (`read: ringkas`): a province over
    its districts; otherwise every teacher's feed is read (`read: guru`, the default)."""
    if "read" not in item:
        return False
    value = item["read"]
    words = (*READ_TEACHERS, *READ_SUMMARY)
    if not isinstance(value, str) or value.strip().lower() not in words:
        hint = did_you_mean(value, words, check._) if isinstance(value, str) else ""
        check.problem(key_line(item, "read", line), "federation.bad_read", value=value,
                      hint=hint)
        return False
    return value.strip().lower() in READ_SUMMARY


def _kinds(check: _Checker, data: dict[Any, Any]) -> tuple[KindSpec, ...]:
    """Kinds of post beyond materi, tugas and pengumuman (issue 25): `{name: rpp,
    label: RPP, aliases: [modul ajar]}`; a bare name is its own label."""
    kinds: list[KindSpec] = []
    taken: dict[str, str] = {fold(kind): kind for kind in KINDS}
    for item, name, line in check.named_items(data, "kinds", KIND_KEYS):
        if not is_slug(name):
            check.problem(key_line(item, "name", line), "config.bad_slug", key="kinds.name",
                          value=shown(name))
            continue
        label = check.text(item, "label", "kinds.") or name
        aliases = [(a, a_line) for a, a_line in check.text_list(item, "aliases", "kinds.") if a]
        clash = False
        for word, word_line in [(name, key_line(item, "name", line)), (label, line), *aliases]:
            other = taken.get(fold(word))
            if other is not None and other != name:
                check.problem(word_line, "federation.kind_taken", value=word, other=other)
                clash = True
        if clash:
            continue
        for word, _line in [(name, line), (label, line), *aliases]:
            taken[fold(word)] = name
        kinds.append(KindSpec(name, label, tuple(a for a, _line in aliases)))
    return tuple(kinds)


_NIP = re.compile(r"(?<![\d])(?:\d[ .-]?){17}\d(?![\d])")
"""A civil servant's number (NIP): 18 digits, often written in groups (8 6 1 3)."""
_PHONE = re.compile(r"(?:(?<![\w+])\+62|(?<![\w+])62(?=8)|(?<![\w])08)[ .-]?\d(?:[ .-]?\d){6,11}"
                    r"(?![\d])")
"""An Indonesian phone number: +62 or 62 followed by 8, or 08, then 7 to 12 more digits."""


def _private_values(check: _Checker, value: Any, path: str = "", line: int | None = None) -> None:
    """Refuse every value of site.yml that looks like a NIP or a phone number (issue 25):
    the portal publishes what site.yml says, and these must never be published."""
    if isinstance(value, dict):
        for key, item in value.items():
            _private_values(check, item, f"{path}{key}.", key_line(value, key, line))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _private_values(check, item, path, key_line(value, index, line))
    elif value is not None and not isinstance(value, bool):
        text = str(value)
        key = path.rstrip(".")
        if _NIP.search(text):
            check.problem(line, "federation.private_nip", key=key)
        elif _PHONE.search(text):
            check.problem(line, "federation.private_phone", key=key)


def _embeds(check: _Checker, data: dict[Any, Any]) -> tuple[str, ...]:
    """Hosts whose iframes posts may keep; YouTube when the key is left out."""
    if "embeds" not in data:
        return EMBED_HOSTS
    hosts = []
    for host, line in check.text_list(data, "embeds", ""):
        if not _HOST_NAME.fullmatch(host):
            check.problem(line, "config.bad_embed_host", value=host)
        elif host.lower() not in hosts:
            hosts.append(host.lower())
    return tuple(hosts)


def _classes(check: _Checker, data: dict[Any, Any]
             ) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """The school's classes and the other names each goes by: `X IPA 1` or
    `{name: XI MIPA 3, aliases: [XI IPA 3]}`, like subjects (issue 20)."""
    classes: list[str] = []
    aliases: list[tuple[str, tuple[str, ...]]] = []
    taken: dict[Key, str] = {}
    raw = data.get("classes")
    # `classes: X-1` is a list of one.
    named = [({}, raw.strip(), key_line(data, "classes"))] if isinstance(raw, str) and \
        raw.strip() else check.named_items(data, "classes", CLASS_KEYS)
    for item, name, line in named:
        others = check.text_list(item, "aliases", "classes.")
        if not slugify(name):
            check.problem(line, "config.bad_class", value=name)
            continue
        if name in classes:
            check.problem(line, "config.duplicate_class", value=name)
            continue
        classes.append(name)
        kept = []
        for label, label_line in [(name, line), *others]:
            key = class_key(label)
            if not slugify(label):
                check.problem(label_line, "config.bad_class", value=label)
            elif key in taken and taken[key] != name:
                check.problem(label_line, "assignments.alias_taken", value=label,
                              other=taken[key])
            else:
                taken[key] = name
                if label != name:
                    kept.append(label)
        if kept:
            aliases.append((name, tuple(kept)))
    return tuple(classes), tuple(aliases)


def _slug(check: _Checker, item: dict[Any, Any], name: str, key: str, line: int | None,
          seen: dict[str, int | None]) -> str:
    """The item's `slug:` or one derived from its name; reports bad and repeated slugs."""
    slug = check.text(item, "slug", "")
    if slug and not is_slug(slug):
        check.problem(key_line(item, "slug", line), "config.bad_slug", key=key,
                      value=shown(slug))
    elif len(slug) > MAX_SLUG_LENGTH:
        # A folder name too long for the file system would fail only when it is written.
        check.problem(key_line(item, "slug", line), "config.long_slug", key=key,
                      value=shown(slug, 20), most=MAX_SLUG_LENGTH)
    elif not slug and item.get("slug") is not None:
        check.problem(key_line(item, "slug", line), "config.empty_slug", key=key)
    if not slug and not slugify(name):
        # A name with no letter or digit (`"!!"`) gives no slug, hence no page address.
        check.problem(line, "config.no_slug", key=key, value=name)
        return ""
    slug = slug or slugify(name)
    if slug in seen:
        check.problem(key_line(item, "slug", line), "config.duplicate_slug", key=key,
                      slug=slug, other_line=seen[slug])
    seen[slug] = line
    return slug


def _teachers(check: _Checker, data: dict[Any, Any], subjects: tuple[Subject, ...],
              classes: tuple[str, ...],
              class_aliases: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[Teacher, ...]:
    teachers: list[Teacher] = []
    seen: dict[str, int | None] = {}
    subject_by_fold: dict[str, Subject] = {}
    for subject in subjects:
        for label in (subject.name, subject.slug, *subject.aliases):
            subject_by_fold.setdefault(fold(label), subject)
    class_index = ClassIndex.build(classes, dict(class_aliases))

    def known_class(name: str) -> str | None:
        # Declaring the school's classes is optional; without the list, any class goes.
        # `XI-2`, `xi 2` and an alias all name the class as site.yml spells it.
        return class_index.names.get(class_key(name)) if classes else name

    for item, name, line in check.named_items(data, "teachers", TEACHER_KEYS, bare=False):
        slug = _slug(check, item, personal_name(name), "teachers.slug", line, seen)
        if slug in RESERVED_TEACHER_SLUGS:
            check.problem(key_line(item, "slug", line), "config.reserved_slug", value=slug,
                          reserved=", ".join(RESERVED_TEACHER_SLUGS))
        teacher_subjects = _teacher_names(
            check, item, "subjects", name, lambda s: subject_by_fold.get(fold(s)),
            [s.name for s in subjects], "config.unknown_subject")
        teacher_classes = _teacher_names(
            check, item, "classes", name, known_class, list(classes), "config.unknown_class")
        written = check.text(item, "blog", "teachers.")
        blog: WebFeed | FeedFile | None = None
        if written and _SCHEME_RE.match(written):
            blog = WebFeed(check.url(written, "teachers.blog", key_line(item, "blog")))
        elif written:
            check.site_file(written, "teachers.blog", key_line(item, "blog"))
            blog = FeedFile(written)
        links = tuple(check.url(link, "teachers.links", line_of_link)
                      for link, line_of_link in check.text_list(item, "links", "teachers."))
        photo, photo_content = _photo(check, item)
        teachers.append(Teacher(
            name=name, slug=slug,
            subjects=tuple(s.slug for s in teacher_subjects),
            classes=tuple(str(c) for c in teacher_classes),
            blog=blog, photo=photo, photo_content=photo_content,
            bio=check.text(item, "bio", "teachers."), links=links))
    return tuple(teachers)


PHOTO_KINDS = frozenset({"PNG", "JPG", "JPEG", "GIF", "WEBP", "SVG"})


def _photo(check: _Checker, item: dict[Any, Any]) -> tuple[Path | None, bytes | None]:
    """A teacher's photo: the file, and its cleaned content when it is an SVG. It is
    published on the portal's origin like an attachment, so only an image, checked by its
    first bytes, and an SVG cleaned of script (issue 26)."""
    name = check.text(item, "photo", "teachers.")
    if not name:
        return None, None
    line = key_line(item, "photo")
    path = check.site_file(name, "teachers.photo", line)
    if path is None:
        return None, None
    try:
        kept = publishable(path)
    except FileRefused as exc:
        check.problem(line, exc.message_id, value=shown(name), **exc.values)
        return None, None
    if kept.kind not in PHOTO_KINDS:
        check.problem(line, "hostile_web.photo_not_image", value=shown(name))
        return None, None
    return path, kept.content


def _teacher_names(check: _Checker, item: dict[Any, Any], key: str, teacher: str,
                   resolve: Callable[[str], Any], candidates: list[str],
                   message: str) -> list[Any]:
    """Resolve a teacher's subject or class names against what the site declares."""
    resolved = []
    for value, line in check.text_list(item, key, "teachers."):
        found = resolve(value)
        if found is None:
            check.problem(line, message, teacher=teacher, value=value,
                          hint=did_you_mean(value, candidates, check._))
        elif found not in resolved:
            resolved.append(found)
    return resolved


CORRECTION_KEYS = ("kind", "due", "classes", "hidden")
_CORRECTION_KEY_WORDS = {"kelas": "classes", "jenis": "kind", "batas": "due", "tenggat": "due",
                         "deadline": "due", "sembunyikan": "hidden", "hide": "hidden",
                         "sembunyi": "hidden"}
"""What a school may write in Indonesian for each key, to suggest the key."""


def load_corrections(site: Site) -> tuple[Corrections, list[Problem]]:
    """The school's corrections of blog posts (`koreksi.yml` beside site.yml), and the
    mistakes in them, each `koreksi.yml:LINE: ...`: a correction with a mistake is left out,
    the others apply (issue 20). No file, no corrections."""
    path = site.corrections_file
    where = display_path(path)
    translate = Translator(site.school.language)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Corrections(), []
    except (OSError, UnicodeDecodeError) as exc:
        return Corrections(), [Problem(where, translate("config.unreadable", detail=exc))]
    try:
        data = parse_yaml(text, where, translate)
    except InputError as exc:
        return Corrections(), exc.problems
    if data is None:
        return Corrections(), []
    check = _Checker(where, site.root, translate)
    if not isinstance(data, dict):
        check.problem(1, "assignments.corrections_not_mapping")
        return Corrections(), check.problems
    index = ClassIndex.build(site.classes, dict(site.class_aliases))
    corrections = []
    for address, item in data.items():
        line = key_line(data, address)
        before = len(check.problems)
        address = str(address).strip()
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            check.problem(line, "assignments.bad_address", value=address)
        if not isinstance(item, dict) or not item:
            check.problem(line, "assignments.correction_not_mapping", address=address)
            continue
        check.unknown_keys(item, CORRECTION_KEYS, line=line, words=_CORRECTION_KEY_WORDS)
        kind = check.text(item, "kind", "")
        if kind and kind not in site.kind_names:
            check.problem(key_line(item, "kind", line), "assignments.bad_kind", value=kind,
                          hint=did_you_mean(kind, site.kind_names, translate))
        due = check.date(item, "due", ZoneInfo(site.school.timezone), end_of_day=True,
                         line=line, bad="assignments.bad_due")
        classes = None
        if "classes" in item:
            classes = []
            for name, class_line in check.text_list(item, "classes", ""):
                found = index.names.get(class_key(name)) if site.classes else name
                if found is None:
                    check.problem(class_line, "assignments.unknown_class", value=name,
                                  hint=did_you_mean(name, site.classes, translate))
                elif found not in classes:
                    classes.append(found)
        hidden = item.get("hidden", False)
        if not isinstance(hidden, bool):
            check.problem(key_line(item, "hidden", line), "assignments.bad_hidden",
                          value=hidden)
        if len(check.problems) == before:
            corrections.append(Correction(
                address=address, kind=kind or None,
                due=due, due_all_day=due is not None and names_a_day(item.get("due")),
                classes=tuple(classes) if classes is not None else None,
                hidden=bool(hidden), line=line))
    return Corrections(tuple(corrections)), sorted(check.problems, key=lambda p: p.line or 0)

