"""Read teachers' Markdown posts from `content/<teacher-slug>/*.md` into `Entry` records.

A bad post is reported with its file and line and left out; the other posts still build.
"""

from __future__ import annotations

import calendar
import hashlib
import html as html_lib
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date, datetime, time
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from ruamel.yaml.comments import CommentedMap

from generator import fast_yaml
from generator.children import child_setup
from generator.config import did_you_mean, key_line, parse_yaml
from generator.dates import EARLIEST, LATEST, SCHEDULE_AHEAD, in_range
from generator.errors import InputError, Problem, display_path
from generator.filetypes import FileRefused, publishable
from generator.i18n import Translator
from generator.incremental.memo import PostMemo
from generator.models import KINDS, MAX_TAGS, Attachment, Entry, Kind, Site, pack_html
from generator.paths import inside, is_hidden, links_out, shown, usable
from generator.sanitize import summarize
from generator.slugs import fold, slugify

FRONT_MATTER_KEYS = ("title", "date", "subjects", "classes", "kind", "due", "tags", "summary",
                     "draft", "attachments", "series")
MKDOCS_BLOG_KEYS = ("categories", "authors", "description", "slug", "readtime", "pin", "links")
"""Keys of the MkDocs-Material blog plugin: such a post moves in unchanged."""
MAX_POST_BYTES = 1024 * 1024
"""A Markdown post's largest file: 1 MB of text is a book's chapter (issue 26)."""
_PELICAN_HEADER = re.compile(r"^([A-Za-z][A-Za-z_-]*):\s*(.*)$")
_FIRST_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
# `07:30` and, as Indonesians usually write it, `07.30`.
_DATETIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2})[:.](\d{2}))?$")
IMAGE_SUFFIXES = frozenset((".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif",
                            ".bmp"))
_IMAGE_REF_RE = re.compile(r"""<img\s[^>]*?\bsrc="(?![a-z][a-z0-9+.-]*:|/|#)([^"]+)\"""")
_LOCAL_REF_RE = re.compile(r"""\s(?:src|href)="(?![a-z][a-z0-9+.-]*:|/|#)([^"]+)\"""")


@dataclass(frozen=True)
class ContentResult:
    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]


def read_content(site: Site, memo: PostMemo | None = None,
                 now: datetime | None = None) -> ContentResult:
    """Every post under `content/`, and a problem for every file that could not be used.

    With a `memo`, a post whose file, neighbours, site and code are as last time is taken
    from it; the others are read, spread over the machine's cores when there are many.
    As of `now`, a post dated more than `SCHEDULE_AHEAD` later is a problem (a post dated
    later, but not as far, is scheduled: `collect` leaves it out until its time).
    """
    _ = Translator(site.school.language)
    problems: list[Problem] = []
    teachers = {t.slug for t in site.teachers}
    wanted: list[tuple[Path, str]] = []
    misplaced: dict[Path, Problem] = {}
    problems.extend(_links_out(site, _))
    folders_out: dict[Path, bool] = {}

    def out(path: Path) -> bool:
        """`links_out`, resolving each folder once: a file not itself a link lies where
        its folder does."""
        if path.parent not in folders_out:
            folders_out[path.parent] = links_out(path.parent, site.root)
        return folders_out[path.parent] or (path.is_symlink() and links_out(path, site.root))

    files = [path for path in _markdown_files(site.content_dir)
             if not out(path)]  # those are reported by _links_out, never read
    for path in files:
        if path.parent == site.content_dir:
            misplaced[path] = Problem(display_path(path), _("content.in_root", name=path.name,
                                      slugs=", ".join(sorted(teachers))), 1)
            continue
        # Only content/<slug>/*.md: a deeper content/budi/sari/x.md is no post of sari's.
        folder = path.parent.relative_to(site.content_dir).as_posix()
        if folder not in teachers:
            hint = "" if "/" in folder else did_you_mean(folder, sorted(teachers), _)
            misplaced[path] = Problem(display_path(path),
                                      _("content.not_a_teacher", folder=folder, hint=hint), 1)
            continue
        wanted.append((path, folder))
    keys = _memo_keys(site, [path for path, _folder in wanted], memo) if memo else {}
    outcomes: dict[Path, Entry | list[Problem]] = {}
    if memo is not None:
        # A post kept under another clock, now dated too far ahead, is read again to
        # report it (with its line); the memo keeps only posts without problems.
        outcomes.update((Path(path), entry) for path, entry in memo.get(keys).items()
                        if now is None or entry.published <= now + SCHEDULE_AHEAD)
    kept = set(outcomes)
    outcomes.update(_read_posts([post for post in wanted if post[0] not in outcomes], site,
                                now))
    entries = []
    for path in files:  # problems in the order of the files, as a teacher scans them
        outcome = outcomes.get(path) or [misplaced[path]]
        if isinstance(outcome, list):
            problems.extend(outcome)
        else:
            entries.append(outcome)
    if memo is not None:
        read = {str(path): (keys[str(path)], outcome) for path, outcome in outcomes.items()
                if not isinstance(outcome, list) and path not in kept}
        memo.put(read, keys)
    return ContentResult(tuple(entries), tuple(problems))


PARALLEL_READ_FROM = 64
"""Below this many posts to read, starting worker processes costs more than it saves."""


def _read_posts(posts: list[tuple[Path, str]], site: Site, now: datetime | None
                ) -> Iterator[tuple[Path, Entry | list[Problem]]]:
    """Read `posts` (path, teacher): in worker processes when there are many.

    A worker that dies (the out-of-memory killer, a signal) breaks the pool; the posts
    not read yet are then read in this process, as feeds are: one dead worker must not
    cost the build."""
    workers = os.cpu_count() or 1
    if len(posts) < PARALLEL_READ_FROM or workers == 1:
        yield from _read_here(posts, site, now)
        return
    done = 0
    try:
        # "spawn", as for feeds: no fork of a process that may hold threads and connections.
        with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                                 initargs=(site, now, child_setup()),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            chunk = max(1, len(posts) // (workers * 8))
            for outcome in pool.map(_read_in_worker, posts, chunksize=chunk):
                yield posts[done][0], outcome
                done += 1
    except BrokenProcessPool:
        yield from _read_here(posts[done:], site, now)


def _read_here(posts: list[tuple[Path, str]], site: Site, now: datetime | None
               ) -> Iterator[tuple[Path, Entry | list[Problem]]]:
    _ = Translator(site.school.language)
    for path, teacher in posts:
        try:
            yield path, read_post(path, teacher, site, _, now)
        except InputError as exc:
            yield path, exc.problems


_worker_site: list[tuple[Site, datetime | None]] = []
"""The site a reading process works for, and the build's clock (set once per worker, not
sent with each post)."""


def _start_worker(site: Site, now: datetime | None, setup: Callable[[], None]) -> None:
    setup()
    _worker_site.append((site, now))


def _read_in_worker(post: tuple[Path, str]) -> Entry | list[Problem]:
    site, now = _worker_site[-1]
    try:
        return read_post(post[0], post[1], site, Translator(site.school.language), now)
    except InputError as exc:
        return exc.problems


def _memo_keys(site: Site, paths: list[Path], memo: PostMemo) -> dict[str, str]:
    """{path: the memo's key of everything the post's reading depends on}: the file's
    bytes, the site (subjects, classes, time zone…) and the files beside it (attachments
    and images, with their sizes); the memo adds the code that reads it."""
    common = hashlib.sha256(f"{site!r}\0".encode())
    neighbours: dict[Path, bytes] = {}
    keys = {}
    for path in paths:
        folder = path.parent
        if folder not in neighbours:
            listing = sorted((entry.name, stat.st_size, stat.st_mtime_ns)
                             for entry in os.scandir(folder) if entry.is_file()
                             for stat in (entry.stat(),))
            neighbours[folder] = repr(listing).encode()
        digest = common.copy()
        digest.update(neighbours[folder])
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
        keys[str(path)] = memo.key(digest.digest())
    return keys


def _links_out(site: Site, _: Translator) -> list[Problem]:
    """Posts and folders in content/ that are symbolic links out of the site folder.

    Git keeps links; one committed into content/ must not publish a file of the machine
    that builds (issue 8). Such links are reported and never followed. (Other files
    linking out are refused where a post names them: attachments and images.)
    """
    if links_out(site.content_dir, site.root):
        return [Problem(display_path(site.content_dir), _("content.folder_links_out"))]
    if not site.content_dir.is_dir():
        return []
    found = []
    for path in sorted(site.content_dir.rglob("*")):
        if path.is_symlink() and links_out(path, site.root):
            if path.is_dir():
                found.append(Problem(display_path(path), _("content.folder_links_out")))
            elif path.suffix == ".md":
                found.append(Problem(display_path(path), _("content.file_links_out")))
    return found


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


def read_post(path: Path, teacher_slug: str, site: Site, _: Translator,
              now: datetime | None = None) -> Entry:
    """Parse and validate one Markdown post (as of `now`, if given: see `read_content`).

    Raises:
        InputError: every problem found in the file, each with its line.
    """
    size = path.stat().st_size
    if size > MAX_POST_BYTES:
        # Python-Markdown took 4 min 20 s and 2.0 GB for 50 MB (issue 26); a lesson's
        # text is a few kilobytes, and its files belong in attachments.
        raise InputError([Problem(display_path(path), _(
            "hostile_ops.post_too_large", size=f"{size / 1024 / 1024:.1f}",
            limit=MAX_POST_BYTES // 1024 // 1024), 1)])
    raw = path.read_bytes()
    if _utf16(raw):
        raise InputError([Problem(display_path(path), _("hostile_ops.utf16"), 1)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError([Problem(display_path(path), _("content.not_utf8"), line)]) from None
    parts = split_front_matter(text)
    if parts is None:
        pelican = pelican_header(text)
        if pelican is None:
            opened = [line.strip() for line in text.splitlines()[:1]] == ["---"]
            message = "content.front_matter_unclosed" if opened else "content.no_front_matter"
            raise InputError([Problem(display_path(path), _(message), 1)])
        post = _Fields.checked(pelican[0], pelican[1], path, site, _, offset=0, now=now)
    else:
        post = _front_matter(*parts, path, site, _, now)
    teacher = site.teacher(teacher_slug)
    # Imported here: a build whose posts all come from the cache never loads
    # Python-Markdown, its extensions and latex2mathml.
    from generator.sources.markup import MAX_NESTING, markdown_to_html, too_deep

    first_body_line = text.count("\n") - post.body.count("\n") + 1
    deep_line = too_deep(post.body)
    if deep_line is not None:  # hundreds of levels (found by fuzz/, issues 8 and 26)
        raise InputError([Problem(display_path(path),
                                  _("content.nested_too_deep", limit=MAX_NESTING),
                                  first_body_line + deep_line - 1)])
    try:
        html = markdown_to_html(post.body, site.embed_hosts)
    except RecursionError:  # nesting the line count above cannot see (inline, say)
        raise InputError([Problem(display_path(path),
                                  _("content.nested_too_deep", limit=MAX_NESTING),
                                  first_body_line)]) from None
    hidden = [ref for ref in dict.fromkeys(_LOCAL_REF_RE.findall(html))
              if _hidden_asset(html_lib.unescape(ref), path.parent)]
    if hidden:  # never published, so the page would show a broken image (issue 26)
        raise InputError([Problem(display_path(path), _("hostile_ops.hidden_asset",
                                                        value=shown(html_lib.unescape(ref))),
                                  _reference_line(text, html_lib.unescape(ref), post.body))
                          for ref in hidden])
    missing = _missing_images(html, post.body, first_body_line, path, _)
    if missing:
        raise InputError(missing)
    assets, cleaned, refused = _local_assets(html, path.parent)
    if refused:
        where = display_path(path)
        raise InputError([Problem(where, _(message, value=name, **values),
                                  _reference_line(text, name, post.body))
                          for name, message, values in refused])
    return Entry(
        teacher=teacher_slug,
        entry_id=f"content/{teacher_slug}/{path.name}",
        origin="markdown",
        title=post.title,
        published=post.published,
        html=pack_html(html),
        summary=post.summary or summarize(html),
        categories=post.tags,
        subjects=post.subjects or teacher.subjects,
        classes=post.classes or teacher.classes,
        kind=post.kind,
        due=post.due,
        due_all_day=post.due_all_day,
        draft=post.draft,
        series=post.series,
        slug=slugify(path.stem),
        assets=assets,
        attachments=post.attachments,
        cleaned=tuple({**dict(post.cleaned), **cleaned}.items()),
    )


def _utf16(raw: bytes) -> bool:
    """Whether `raw` is UTF-16 text (Notepad's "Unicode"), with or without its byte order
    mark. Without one it is valid UTF-8 (a NUL after every letter), and was reported as
    having no front matter (issue 26): a NUL in every other byte gives it away."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    head = raw[:512]
    return len(head) >= 8 and max(head[0::2].count(0), head[1::2].count(0)) > len(head) // 4


def _front_matter(front_text: str, body: str, path: Path, site: Site,
                  _: Translator, now: datetime | None) -> _Fields:
    """A YAML front matter checked, read by libyaml when it can be (`fast_yaml`, 20 times
    faster than ruamel, but without lines). Its result is used only when it holds no
    problem: otherwise ruamel reads the front matter again and gives the same values, so
    the same problems, now with their lines.
    """
    quick = fast_yaml.load_simple(front_text)
    if quick is not None:
        try:
            return _Fields.from_yaml(quick, body, path, site, _, now)
        except InputError:
            pass
    where = display_path(path)
    try:
        meta = parse_yaml(front_text, where, _)
    except InputError as exc:  # the front matter starts on line 2, after the opening `---`
        raise InputError([Problem(p.where, p.message, (p.line or 0) + 1)
                          for p in exc.problems]) from None
    if not isinstance(meta, CommentedMap):
        raise InputError([Problem(where, _("content.front_matter_not_mapping"), 2)])
    return _Fields.from_yaml(meta, body, path, site, _, now)


@dataclass(frozen=True)
class _Fields:
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
                  _: Translator, now: datetime | None = None) -> _Fields:
        """Check a YAML front matter (which starts on the file's line 2); `meta` is
        changed in place."""
        path_slug = _slug_as_path(meta, 1)
        body = from_mkdocs_blog(meta, body, site)
        return cls.checked(meta, body, path, site, _, offset=1, path_slug=path_slug, now=now)

    @classmethod
    def checked(cls, meta: dict[Any, Any], body: str, path: Path, site: Site, _: Translator,
                offset: int, path_slug: tuple[str, int] | None = None,
                now: datetime | None = None) -> _Fields:
        """Check `meta`, whose first line is the file's line `offset + 1`, as of `now`.

        Raises:
            InputError: every problem found, in the order of the file.
        """
        _lowercase_keys(meta)
        check = _FrontMatter(path, meta, site, _, offset)
        if path_slug is not None:
            # `slug:` is ignored (the address comes from the file name), but one that is a
            # path says the writer meant to put the page elsewhere: refused (issue 8).
            check.problem("slug", "content.slug_is_path", path_slug[1],
                          value=shown(path_slug[0]), name=path.name)
        title = check.title()
        published = check.date("date", required=True)
        if published is not None and now is not None and published > now + SCHEDULE_AHEAD:
            # A post may be scheduled, but not for 9999: that is a typo or a prank that
            # would wait for ever (issue 26).
            check.problem("date", "hostile_data.date_too_far_ahead", value=meta.get("date"))
            published = None
        category_subjects, category_tags = check.categories()
        subjects = tuple(dict.fromkeys(check.subjects() + category_subjects))
        classes = check.classes()
        kind = check.kind()
        due = check.date("due", end_of_day=True)
        due_all_day = due is not None and _names_a_day(meta.get("due"))
        if kind == "tugas" and meta.get("due") is None:  # (a bad `due` is reported by date())
            check.problem("kind", "content.tugas_without_due")
        tags = tuple(dict.fromkeys(tuple(check.text_list("tags")) + category_tags))
        if len(tags) > MAX_TAGS:  # each label is a page: 10,000 of them filled a disk
            check.problem("tags", "hostile_web.too_many_tags",
                          check.line("tags" if "tags" in meta else "categories"),
                          count=len(tags), limit=MAX_TAGS)
        summary = check.text("summary")
        series = " ".join(check.text("series").split())
        draft = check.flag("draft")
        attachments = check.attachments(path.parent)
        check.unknown_keys()
        if check.problems or published is None:
            raise InputError(sorted(check.problems, key=lambda p: p.line or 0))
        return cls(title=title, published=published, subjects=subjects, classes=classes,
                   kind=kind, due=due, due_all_day=due_all_day, tags=tags, summary=summary,
                   draft=draft, attachments=attachments, cleaned=tuple(check.cleaned.items()),
                   body=body, series=series)


def _names_a_day(value: Any) -> bool:
    """`2026-12-18` (YAML's date or text), not `2026-12-18 23:59`."""
    if isinstance(value, datetime):
        return False
    if isinstance(value, date):
        return True
    match = _DATETIME_RE.match(str(value).strip())
    return match is not None and match.group(2) is None


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


def _hidden(name: str) -> bool:
    """Whether a path as written names a hidden file or folder (`.env`, `.git/config`),
    whatever it resolves to."""
    return any(part.startswith(".") and part not in (".", "..")
               for part in name.replace("\\", "/").split("/"))


def _hidden_asset(ref: str, folder: Path) -> bool:
    """Whether a link or image address of a post names a hidden file of its folder, as
    written or once links are resolved."""
    name = unquote(ref.split("#")[0].split("?")[0])
    if _hidden(name):
        return True
    candidate = inside(folder, name) if name else None
    return candidate is not None and is_hidden(candidate, folder)


def _local_assets(html: str, folder: Path) -> tuple[
        tuple[Path, ...], dict[str, bytes], list[tuple[str, str, dict[str, object]]]]:
    """Files next to the post that its HTML links to (images, worksheets): links
    resolved, only files of the post's own folder, no hidden file. With them, the cleaned
    content of those published cleaned (SVG), and (name, message id, values) for those of
    a type a post may not publish (HTML, scripts: issue 26)."""
    found: list[Path] = []
    cleaned: dict[str, bytes] = {}
    refused: list[tuple[str, str, dict[str, object]]] = []
    here = Path(os.path.realpath(folder))
    for ref in _LOCAL_REF_RE.findall(html):
        candidate = inside(folder, unquote(ref.split("#")[0].split("?")[0]))
        if candidate is not None and candidate.parent == here and \
                not candidate.name.startswith(".") and candidate.is_file() and \
                candidate not in found:
            found.append(candidate)
            try:
                kept = publishable(candidate)
            except FileRefused as exc:
                refused.append((candidate.name, exc.message_id, exc.values))
                continue
            if kept.content is not None:
                cleaned[str(candidate)] = kept.content
    return tuple(found), cleaned, refused


def _reference_line(text: str, name: str, body: str) -> int:
    """The line of the file that names `name` in the body (or the body's first line)."""
    first_body_line = text.count("\n") - body.count("\n") + 1
    lines = text.splitlines()
    for number in range(first_body_line, len(lines) + 1):
        if name in lines[number - 1] or quote(name) in lines[number - 1]:
            return number
    return first_body_line


def _missing_images(html: str, body: str, first_line: int, path: Path,
                    _: Translator) -> list[Problem]:
    """Image files the post shows from its folder that are not there (issue 21): each is
    a broken picture on the portal, so it is refused like a missing attachment, on the
    line of the body that names it.

    Only names of image files beside the post (`grafik.png`, as the portal publishes
    them) that nothing in the folder answers to, not even a link: a link out of the site,
    a path, or a name no file can have is the concern of the checks that keep such files
    out of the output, not a teacher's typo.
    """
    folder = path.parent
    problems = []
    for ref in dict.fromkeys(_IMAGE_REF_RE.findall(html)):
        name = unquote(unescape(ref).split("#")[0].split("?")[0])
        if Path(name).suffix.lower() not in IMAGE_SUFFIXES or not usable(name) \
                or "/" in name or "\\" in name or os.path.lexists(folder / name):
            continue
        lines = body.splitlines()
        line = next((number for number, text in enumerate(lines)
                     if unescape(ref) in text or name in text), 0)
        here_names = sorted(p.name for p in folder.iterdir()
                            if p.is_file() and p.suffix != ".md")
        problems.append(Problem(display_path(path), _(
            "firstweek.content.missing_image", value=name, folder=display_path(folder) + "/",
            hint=did_you_mean(name, here_names, _)), first_line + line))
    return problems


class _FrontMatter:
    """Typed access to one post's front matter, collecting located problems."""

    def __init__(self, path: Path, meta: dict[Any, Any], site: Site, translate: Translator,
                 offset: int = 1) -> None:
        self.path = path
        self.meta = meta
        self.offset = offset
        """Lines before the front matter: 1 for the opening `---`, 0 for Pelican headers."""
        self.site = site
        self._ = translate
        self.problems: list[Problem] = []
        self.cleaned: dict[str, bytes] = {}
        """The attachments published cleaned (SVG), by path."""

    def line(self, key: object) -> int:
        found = key_line(self.meta, key)
        return found + self.offset if found is not None else 1 + self.offset

    def problem(self, key: str, message: str, line: int | None = None, **values: object) -> None:
        # The file's name as shown is worked out only here: resolving it for every post
        # was a twentieth of reading one (bench/RESULTS.md, ninth pass).
        self.problems.append(Problem(display_path(self.path), self._(message, key=key, **values),
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
            path = inside(folder, name)
            if not usable(name):
                self.problem("attachments", "content.bad_attachment_name", line,
                             value=shown(name))
            elif path is None:
                self.problem("attachments", "content.attachment_outside", line,
                             value=shown(name))
            elif _hidden(name) or is_hidden(path, folder):
                # `.git/config` holds a CI checkout's token (issue 26).
                self.problem("attachments", "hostile_ops.hidden_attachment", line,
                             value=shown(name))
            elif not path.is_file():
                here = sorted(p.name for p in folder.iterdir()
                              if p.is_file() and p.suffix != ".md")
                self.problem("attachments", "content.missing_attachment", line, value=name,
                             folder=display_path(folder) + "/",
                             hint=did_you_mean(name, here, self._))
            else:
                try:  # only types a browser shows without running anything (issue 26)
                    kept = publishable(path)
                except FileRefused as exc:
                    self.problem("attachments", exc.message_id, line, value=name,
                                 **exc.values)
                    continue
                if kept.content is None:
                    found.append(Attachment(path, path.stat().st_size, kept.kind))
                else:
                    self.cleaned[str(path)] = kept.content
                    found.append(Attachment(path, len(kept.content), kept.kind))
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
        for spec in self.site.kinds:  # declared in site.yml (issue 25)
            if fold(value) in {fold(word) for word in (spec.name, spec.label, *spec.aliases)}:
                return spec.name
        self.problem("kind", "content.bad_kind", value=value,
                     choices=", ".join(self.site.kind_names))
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
        """`2026-11-20` or `2026-11-20 07:30` in the school's time zone; a date out of
        the range any post is written in (generator/dates.py) is a problem (issue 26)."""
        moment = self._date(key, required, end_of_day)
        if moment is not None and not in_range(moment):
            self.problem(key, "hostile_data.date_out_of_range", value=self.meta.get(key),
                         earliest=EARLIEST.year, latest=LATEST.year - 1)
            return None
        return moment

    def _date(self, key: str, required: bool, end_of_day: bool) -> datetime | None:
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
            # As a plain datetime: a copy of YAML's own subclass loses its time zone, so
            # a post read from the build cache came back without one (issue 26).
            plain = datetime.fromisoformat(value.isoformat())
            return plain if plain.tzinfo else plain.replace(tzinfo=zone)
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
            message, values = _why_no_date(match, self._)
            self.problem(key, message, None, value=value, **values)
            return None


def _why_no_date(match: re.Match[str] | None, _: Translator) -> tuple[str, dict[str, object]]:
    """The message for a date that cannot be read, and its values (issue 21).

    `2026-02-31` is written right but names a day that does not exist: saying "write
    YEAR-MONTH-DAY" would send the teacher looking for the wrong mistake. `31-02-2026`
    is written wrongly, and gets that message.
    """
    if match is None:
        return "content.bad_date", {}
    year, month, day = (int(part) for part in match.group(1).split("-"))
    if year < 1:
        return "content.bad_date", {}
    if not 1 <= month <= 12:
        return "firstweek.date.no_month", {"month": month}
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return "firstweek.date.no_day", {"days": days,
                                         "month": _.month(datetime(year, month, 1))}
    return "firstweek.date.no_time", {}
