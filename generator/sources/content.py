"""Read teachers' Markdown posts from `content/<teacher-slug>/*.md` into `Entry` records.

A bad post is reported with its file and line and left out; the other posts still build.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from html import unescape
from pathlib import Path
from urllib.parse import quote, unquote

from generator.dates import SCHEDULE_AHEAD
from generator.errors import InputError, Problem, display_path
from generator.filetypes import FileRefused, publishable
from generator.i18n import Translator
from generator.incremental.memo import PostMemo
from generator.models import Entry, Site, pack_html
from generator.paths import inside, is_hidden, links_out, shown, usable
from generator.pool import WorkerStopped, in_order
from generator.sanitize import summarize
from generator.schema import did_you_mean, hidden_name
from generator.slugs import slugify
from generator.sources.front_matter import FrontMatter, pelican_header, read_front_matter

MAX_POST_BYTES = 1024 * 1024
"""A Markdown post's largest file: 1 MB of text is a book's chapter (issue 26)."""
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

    A worker that ends (the out-of-memory killer, a signal), even as the pool starts,
    leaves the posts not read yet to this process, as feeds are: one dead worker must
    not cost the build."""
    workers = os.cpu_count() or 1
    if len(posts) < PARALLEL_READ_FROM or workers == 1:
        yield from _read_here(posts, site, now)
        return
    # Posts go out in chunks: one at a time, a worker would wait for this process (busy,
    # or not given a core on a loaded machine) after each.
    chunk = max(1, len(posts) // (workers * 8))
    done = 0
    try:
        # "spawn", as for feeds: no fork of a process that may hold threads and connections.
        for outcomes in in_order(partial(_read_chunk, posts, chunk, site, now),
                                 -(-len(posts) // chunk), workers, "spawn"):
            for outcome in outcomes:
                yield posts[done][0], outcome
                done += 1
    except WorkerStopped:
        yield from _read_here(posts[done:], site, now)


def _read_here(posts: list[tuple[Path, str]], site: Site, now: datetime | None
               ) -> Iterator[tuple[Path, Entry | list[Problem]]]:
    _ = Translator(site.school.language)
    for path, teacher in posts:
        try:
            yield path, read_post(path, teacher, site, _, now)
        except InputError as exc:
            yield path, exc.problems


def _read_chunk(posts: list[tuple[Path, str]], chunk: int, site: Site,
                now: datetime | None, number: int) -> list[Entry | list[Problem]]:
    """Chunk `number` of `posts` read, in a worker (which is sent the list once)."""
    return [outcome for _path, outcome in
            _read_here(posts[number * chunk:(number + 1) * chunk], site, now)]


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
            listing = sorted(_neighbour(entry) for entry in os.scandir(folder)
                             if entry.is_file())
            neighbours[folder] = repr(listing).encode()
        digest = common.copy()
        digest.update(neighbours[folder])
        digest.update(str(path).encode() + b"\0" + path.read_bytes())
        keys[str(path)] = memo.key(digest.digest())
    return keys


def _neighbour(entry: os.DirEntry[str]) -> tuple[str, int, int]:
    """A file beside a post, as its key counts it. Other posts count by name alone: a
    post may link to one, but its reading depends on none's text, and a teacher's edit
    would otherwise read every post of the folder again."""
    if entry.name.endswith(".md"):
        return entry.name, -1, -1
    stat = entry.stat()
    return entry.name, stat.st_size, stat.st_mtime_ns


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
        post = FrontMatter.checked(pelican[0], pelican[1], path, site, _, offset=0,
                                   now=now)
    else:
        post = read_front_matter(*parts, path, site, _, now)
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


def _hidden_asset(ref: str, folder: Path) -> bool:
    """Whether a link or image address of a post names a hidden file of its folder, as
    written or once links are resolved."""
    name = unquote(ref.split("#")[0].split("?")[0])
    if hidden_name(name):
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
