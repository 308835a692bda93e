"""The pictures of feed posts, downloaded once at fetch time and kept beside the archive.

Teachers photograph worksheets with a phone and post them: the blog serves each at 1600 px
or more, and when the blog dies the pictures go with it (issue 27). At fetch time every
picture a new post shows (and the thumbnail of every YouTube video it embeds) is fetched
through the feeds' own fetch layer (generator/sources/fetch.py: the same size and time
caps and the same refusals), checked to be an image Pillow reads, and stored under
`.mading/images/` by the SHA-256 of its bytes: never fetched twice, kept when the blog is
gone. The build (generator/picture_copies.py) makes the right-sized copies.

Bounded (`ImageLimits`): bytes per picture, pictures per post and per update, and bytes
of originals in all and per teacher. Over a storage cap, the oldest originals are dropped
first; their resized copies stay, and what was dropped is listed by `mading report`.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import io
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from generator.models import Entry, FetchLimits
from generator.pictures import youtube_thumbnail
from generator.sources.fetch import FetchRequest, fetch_all

SCHEMA = """
CREATE TABLE IF NOT EXISTS images (
    url TEXT PRIMARY KEY,
    teacher TEXT NOT NULL,
    hash TEXT,
    format TEXT,
    width INTEGER,
    height INTEGER,
    bytes INTEGER NOT NULL DEFAULT 0,
    fetched TEXT NOT NULL,
    error TEXT,
    tries INTEGER NOT NULL DEFAULT 0,
    dropped INTEGER NOT NULL DEFAULT 0
);
"""
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
"""What Pillow may find in a download, and the file name's ending it is kept under.
SVG is left where it is: served from the portal's own origin, a hostile SVG opened on
its own would run its script there."""
MAX_TRIES = 3
"""A picture that failed this many updates is not asked for again (still reported)."""
_IMG_SRC = re.compile(r'<img\b[^>]*?\ssrc="([^"]+)"')
_YOUTUBE_FRAME = re.compile(
    r'<iframe\b[^>]*?\ssrc="https://www\.youtube(?:-nocookie)?\.com/embed/([A-Za-z0-9_-]{6,20})')


ATTACHED_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
"""Media types of a feed item's attachments that are shown as the post's pictures."""
_ATTACHED_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")
"""The same, by the file's name, for an attachment that declares no type."""


@dataclass(frozen=True)
class ImageLimits:
    """What pictures may cost; the defaults suit a school on a CI runner."""

    max_bytes: int = 8 * 1024 * 1024
    """One picture's download: a phone photo is 1-5 MB."""
    per_post: int = 12
    per_update: int = 600
    """New downloads in one update; the rest come at the next ones."""
    total_bytes: int = 500 * 1024 * 1024
    """Originals kept, in all: they live on the repository's mading-data branch, and
    GitHub asks that a repository stay well under 1 GB."""
    teacher_bytes: int = 100 * 1024 * 1024
    """Originals kept for one teacher: one teacher's albums must not crowd out the rest."""
    timeout: float = 20.0
    thumbnails: str = "https://i.ytimg.com/vi/{video}/hqdefault.jpg"
    """Where a YouTube video's thumbnail (480 x 360) is fetched from."""


DEFAULT_IMAGE_LIMITS = ImageLimits()


@dataclass(frozen=True)
class StoredImage:
    """One picture's record: where its bytes are, or why there are none."""

    url: str
    teacher: str
    hash: str | None = None
    format: str | None = None
    """A key of `FORMATS`."""
    width: int = 0
    height: int = 0
    bytes: int = 0
    fetched: datetime | None = None
    error: str | None = None
    tries: int = 0
    dropped: bool = False
    """The original was dropped to keep storage within its caps; resized copies remain."""

    @property
    def name(self) -> str | None:
        """The original's file name in the store, by content."""
        if self.hash is None or self.format is None:
            return None
        return f"{self.hash}.{FORMATS[self.format]}"


def address(key: str, limits: ImageLimits) -> str:
    """Where the picture stored under `key` is fetched from."""
    if key.startswith("youtube:"):
        return limits.thumbnails.format(video=key.removeprefix("youtube:"))
    return key


def post_images(html: str) -> list[str]:
    """The keys of the pictures a post's sanitized HTML shows, in order: their web
    addresses (a Markdown post's own files are read from `content/`), and its videos'
    thumbnails (`youtube_thumbnail`)."""
    found = [html_lib.unescape(src) for src in _IMG_SRC.findall(html)]
    found += [youtube_thumbnail(video) for video in _YOUTUBE_FRAME.findall(html)]
    return [url for url in dict.fromkeys(found)
            if url.startswith(("http://", "https://", "youtube:"))]


@dataclass(frozen=True)
class Attached:
    """A file a feed item attaches: an RSS `<enclosure>`, an Atom `rel="enclosure"` link,
    a JSON Feed `attachments` item."""

    url: str
    """Absolute http(s), as the feed parser checked it."""
    media_type: str = ""
    title: str = ""


def attached_pictures_html(html: str, attached: Iterable[Attached],
                           limit: int = DEFAULT_IMAGE_LIMITS.per_post) -> str:
    """The pictures among `attached` that the post's HTML does not show already, as
    `<figure><img></figure>` to append to it ("" when none): from there they are fetched,
    capped, stored, right-sized and reported like the post's own pictures (issue 27).

    A teacher who attaches a photographed worksheet means it to be seen; a PDF or an
    audio file stays out. The alt text is the attachment's title or its file name, which
    is what a reader sees in place of a picture that could not be fetched."""
    shown = set(post_images(html))
    figures: list[str] = []
    for item in attached:
        media_type = item.media_type.split(";")[0].strip().lower()
        picture = media_type in ATTACHED_TYPES or (
            not media_type and urlsplit(item.url).path.lower().endswith(_ATTACHED_SUFFIXES))
        if not picture or item.url in shown:
            continue
        shown.add(item.url)
        alt = item.title.strip() or PurePosixPath(unquote(urlsplit(item.url).path)).name
        figures.append(f'<figure><img src="{html_lib.escape(item.url)}" '
                       f'alt="{html_lib.escape(alt)}"></figure>')
        if len(figures) >= limit:
            break
    return "".join(figures)


class ImageStore:
    """`.mading/images/`: the originals by content hash, their records in index.sqlite,
    and the resized copies that builds make (`sized/`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def index_file(self) -> Path:
        return self.folder / "index.sqlite"

    @property
    def originals(self) -> Path:
        return self.folder / "originals"

    @property
    def sized(self) -> Path:
        return self.folder / "sized"

    def original(self, image: StoredImage) -> Path | None:
        """The original's file, if it is kept."""
        if image.name is None or image.dropped:
            return None
        return self.originals / image.name

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.index_file)
        db.executescript(SCHEMA)
        return db

    def records(self) -> dict[str, StoredImage]:
        """Every picture's record, by its address; none before the first fetch."""
        if not self.index_file.is_file():
            return {}
        try:
            with closing(self._connect()) as db:
                rows = db.execute("SELECT url, teacher, hash, format, width, height, bytes, "
                                  "fetched, error, tries, dropped FROM images").fetchall()
        except sqlite3.Error:
            # A damaged index costs its pictures' copies on the pages (links to the
            # blogs instead) and a new fetch of each, never the build.
            return {}
        return {row[0]: StoredImage(
            url=row[0], teacher=row[1], hash=row[2], format=row[3], width=row[4] or 0,
            height=row[5] or 0, bytes=row[6], fetched=datetime.fromisoformat(row[7]),
            error=row[8], tries=row[9], dropped=bool(row[10])) for row in rows}

    def keep(self, images: Iterable[StoredImage]) -> None:
        """Record `images`; a store that cannot be written (a full disk, a damaged
        index) records nothing and is tried again at the next update."""
        with suppress(sqlite3.Error, OSError), closing(self._connect()) as db, db:
            db.executemany(
                "INSERT OR REPLACE INTO images VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(i.url, i.teacher, i.hash, i.format, i.width, i.height, i.bytes,
                  (i.fetched or datetime.now(UTC)).isoformat(), i.error, i.tries,
                  int(i.dropped)) for i in images])

    def add(self, url: str, teacher: str, body: bytes, now: datetime) -> StoredImage:
        """`body` kept by its hash, if it is a picture Pillow reads.

        Raises:
            ValueError: not a picture of `FORMATS`, or one Pillow cannot read.
        """
        image_format, width, height = identify(body)
        digest = hashlib.sha256(body).hexdigest()
        record = StoredImage(url, teacher, digest, image_format, width, height, len(body),
                             now)
        path = self.originals / str(record.name)
        if not path.exists():
            self.originals.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(body)
            partial.replace(path)
        return record


def identify(body: bytes) -> tuple[str, int, int]:
    """A picture's format and size, read by Pillow without decoding its pixels.

    Raises:
        ValueError: not a picture of `FORMATS`, or too many pixels (a decompression bomb).
    """
    from PIL import Image

    try:
        with Image.open(io.BytesIO(body)) as picture:
            image_format = str(picture.format)
            if image_format not in FORMATS:
                raise ValueError(f"not a picture Mading keeps ({image_format})")
            width, height = picture.size
    except (OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValueError(f"not a readable picture: {exc}") from None
    return image_format, width, height


def wanted(entries: Iterable[Entry], known: dict[str, StoredImage],
           limits: ImageLimits) -> list[tuple[str, str]]:
    """(teacher, key) of the pictures to fetch: those of `entries` not yet stored nor
    given up on, at most `limits.per_post` a post and `limits.per_update` in all."""
    found: dict[str, str] = {}
    for entry in entries:
        for url in post_images(entry.content_html)[:limits.per_post]:
            record = known.get(url)
            if record is not None and (record.hash is not None or record.tries >= MAX_TRIES):
                continue
            if url not in found and len(found) >= limits.per_update:
                return [(teacher, url) for url, teacher in found.items()]
            found.setdefault(url, entry.teacher)
    return [(teacher, url) for url, teacher in found.items()]


def fetch_images(store: ImageStore, entries: Sequence[Entry], fetch_limits: FetchLimits,
                 limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
                 now: datetime | None = None) -> list[StoredImage]:
    """Fetch the pictures `entries` show that the store lacks; keep them; bound the store.

    Never raises for a picture: one that cannot be had is recorded with its reason (and
    tried again at the next updates, up to `MAX_TRIES`)."""
    now = now or datetime.now(UTC)
    known = store.records()
    plan = wanted(entries, known, limits)
    if not plan:
        return []
    teachers = {url: teacher for teacher, url in plan}
    requests = [FetchRequest(url, address(url, limits)) for _, url in plan]
    caps = replace(fetch_limits, max_bytes=limits.max_bytes,
                   timeout=min(fetch_limits.timeout * 2, limits.timeout))
    kept: list[StoredImage] = []
    for result in fetch_all(requests, caps):
        teacher = teachers[result.key]
        tries = known[result.key].tries + 1 if result.key in known else 1
        reason = getattr(result, "reason", None)
        body = getattr(result, "body", None)
        if reason is None and body:
            try:
                kept.append(replace(store.add(result.key, teacher, body, now), tries=tries))
                continue
            except ValueError as exc:
                reason = str(exc)
            except OSError as exc:  # a full disk: the picture is fetched again next time
                reason = f"not stored: {exc}"
                tries -= 1
        kept.append(StoredImage(result.key, teacher, fetched=now, tries=tries,
                                error=reason or "empty answer"))
    store.keep(kept)
    return kept


def bound_storage(store: ImageStore, limits: ImageLimits,
                  keep_sized: Callable[[StoredImage], object] | None = None) -> list[StoredImage]:
    """Drop the oldest originals until the store is within its caps; return them.

    Originals count once per content (two posts may show one picture), charged to the
    teacher who first brought it. `keep_sized` is called with each before its original
    goes, so that its resized copies exist."""
    records = store.records()
    first: dict[str, StoredImage] = {}
    for image in sorted(records.values(), key=lambda i: (i.fetched or datetime.min, i.url)):
        if image.hash is not None and not image.dropped:
            first.setdefault(image.hash, image)
    total = sum(i.bytes for i in first.values())
    per_teacher: dict[str, int] = {}
    for image in first.values():
        per_teacher[image.teacher] = per_teacher.get(image.teacher, 0) + image.bytes
    dropped: list[StoredImage] = []
    for image in first.values():  # oldest first
        if total <= limits.total_bytes and \
                per_teacher[image.teacher] <= limits.teacher_bytes:
            continue
        if keep_sized is not None:
            keep_sized(image)
        total -= image.bytes
        per_teacher[image.teacher] -= image.bytes
        dropped.append(image)
    if not dropped:
        return []
    hashes = {image.hash for image in dropped}
    store.keep(replace(image, dropped=True) for image in records.values()
               if image.hash in hashes)
    for image in dropped:
        original = store.original(image)
        if original is not None:
            original.unlink(missing_ok=True)
    return dropped


def problems(store: ImageStore) -> Iterator[StoredImage]:
    """Pictures the portal shows from elsewhere or not at all: those that could not be
    fetched, and those whose original was dropped, for `mading report`."""
    for image in sorted(store.records().values(), key=lambda i: (i.teacher, i.url)):
        if image.hash is None or image.dropped:
            yield image
