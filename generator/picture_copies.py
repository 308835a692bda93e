"""The right-sized copies of posts' pictures, made in the build's gather stage (issue 27).

For each post, the pictures it shows that Mading holds a copy of (a feed's, fetched by
generator/sources/images.py, or a Markdown post's own file), resized once with Pillow
to `WIDTHS` as WebP, plus one JPEG (PNG for transparency) for browsers without WebP;
kept in `.mading/images/sized/` by content hash, so a build makes only the copies it
lacks. SVG stays SVG and takes its width and height from its own file. A GIF is kept as
it is (it may move). generator/render/pictures.py writes their HTML.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.models import Post
from generator.pictures import IMG_TAG, Picture, Variant, picture_key, tag_attributes
from generator.sources.images import ImageStore, StoredImage, post_images

if TYPE_CHECKING:
    # Pillow is loaded when a picture is resized: a build with nothing new does not.
    from PIL import Image

WIDTHS = (360, 720, 1080)
"""Widths of the WebP copies: a 360 px phone at device-pixel-ratio 1, 2 and 3."""
FALLBACK_WIDTH = 720
PICTURE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg"})
WEBP_QUALITY = 70
JPEG_QUALITY = 72
_SVG_LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*")


def prepare_pictures(posts: Iterable[Post], store: ImageStore,
                     local: bool = True) -> dict[str, tuple[Picture, ...]]:
    """Every post's pictures that Mading shows from its own copies, resized as needed.

    With `local` off (site.yml `images: {local: false}`), feed pictures stay on their
    blogs, with the size the store knows, if any; a Markdown post's own pictures are
    still resized (they are the school's files)."""
    records = store.records()
    if local:
        _make_missing(store, records.values())
    found: dict[str, tuple[Picture, ...]] = {}
    for post in posts:
        pictures: list[Picture] = []
        html = post.content_html
        if local:
            for url in post_images(html):
                record = records.get(url)
                if record is None:
                    # Not fetched (a feed file's, or over an update's cap): shown from the
                    # blog it would be a request to another host before any tap.
                    if not url.startswith("youtube:"):
                        pictures.append(Picture(url, 0, 0, failed=True))
                    continue
                picture = stored_picture(store, record)
                if picture is not None:
                    pictures.append(picture)
        else:
            # Hotlinked, with the size the store learnt while copies were on, if any.
            pictures += [Picture(url, records[url].width, records[url].height)
                         for url in post_images(html)
                         if url in records and records[url].width and
                         not url.startswith("youtube:")]
        assets = {path.name: path for path in post.assets}
        for tag in IMG_TAG.findall(html):
            src = tag_attributes(tag).get("src", "")
            path = assets.get(src)
            if path is not None:
                picture = file_picture(store, src, path)
                if picture is not None:
                    pictures.append(picture)
        # A photo attached to a post (a worksheet) is shown beside its link, right-sized.
        for attachment in post.attachments:
            if attachment.path.suffix.lower() in PICTURE_SUFFIXES and \
                    attachment.name not in {picture.src for picture in pictures}:
                picture = file_picture(store, attachment.name, attachment.path)
                if picture is not None:
                    pictures.append(picture)
        if pictures:
            found[picture_key(post)] = tuple(pictures)
    return found


def _make_missing(store: ImageStore, records: Iterable[StoredImage]) -> None:
    """The copies that fetched pictures lack, made on every core at once: Pillow lets go
    of the GIL while it decodes, resizes and encodes, so threads suffice."""
    missing = {}
    for record in records:
        original = store.original(record)
        if original is not None and record.hash is not None and \
                not (store.sized / f"{record.hash[:16]}.json").exists():
            missing[record.hash] = original
    if len(missing) < 2:
        return
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for digest, original in missing.items():
            pool.submit(_copies_of, store, digest, original)


def _copies_of(store: ImageStore, digest: str, original: Path) -> None:
    with suppress(OSError, ValueError):
        made = make_copies(original, store.sized, digest[:16])
        (store.sized / f"{digest[:16]}.json").write_text(json.dumps(made))


def stored_picture(store: ImageStore, record: StoredImage) -> Picture | None:
    """The picture of a fetched address: resized copies, or a failure to show."""
    if record.hash is None:
        return Picture(record.url, 0, 0, failed=True)
    original = store.original(record)
    # A video's thumbnail links the video, not a bigger thumbnail.
    return _sized(store, record.url, record.hash, original, f"{record.hash[:16]}",
                  keep_original=not record.url.startswith("youtube:"))


def file_picture(store: ImageStore, src: str, path: Path) -> Picture | None:
    """The picture of a Markdown post's own file (copied beside its page as it is)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if path.suffix.lower() == ".svg":
        size = svg_size(data)
        return Picture(src, *size) if size else None
    digest = hashlib.sha256(data).hexdigest()
    picture = _sized(store, src, digest, path, f"{path.stem}.{digest[:8]}",
                     keep_original=False)
    if picture is None:
        return None
    # The file itself is copied beside the page under its own name (content.py).
    return Picture(src, picture.width, picture.height, Variant(path, src, picture.width),
                   picture.sources, picture.fallback)


def _sized(store: ImageStore, src: str, digest: str, original: Path | None, stem: str,
           keep_original: bool) -> Picture | None:
    """The resized copies of one picture, made now if the store lacks them."""
    index = store.sized / f"{digest[:16]}.json"
    try:
        made = json.loads(index.read_text())
    except (OSError, ValueError):
        if original is None:
            return None
        try:
            made = make_copies(original, store.sized, digest[:16])
        except (OSError, ValueError):
            return None
        index.write_text(json.dumps(made))
    suffix = original.suffix.lower() if original is not None else ""
    sources = tuple(Variant(store.sized / name, f"{stem}-{width}.webp", width)
                    for name, width in made["webp"])
    fallback = None
    if made.get("fallback"):
        name, width = made["fallback"]
        fallback = Variant(store.sized / name, f"{stem}-{width}{Path(name).suffix}", width)
    kept = None
    if keep_original and original is not None and original.is_file():
        kept = Variant(original, f"{stem}{suffix}", int(made["width"]))
    return Picture(src, int(made["width"]), int(made["height"]), kept, sources, fallback)


def make_copies(original: Path, folder: Path, stem: str) -> dict[str, object]:
    """Resize `original` to `WIDTHS` (never wider than it is) as WebP, and once as JPEG
    (PNG when it has transparency); an animated GIF gets no copies, only its size.

    Returns what was made, as the JSON index beside the copies keeps it.

    Raises:
        OSError, ValueError: Pillow cannot read the picture.
    """
    from PIL import Image, ImageOps

    folder.mkdir(parents=True, exist_ok=True)
    with Image.open(original) as opened:
        animated = getattr(opened, "is_animated", False)
        # Phones store photos sideways with an EXIF note to turn them: turned here, the
        # copies need no note, and width and height are the ones shown.
        picture = ImageOps.exif_transpose(opened)
        width, height = picture.size
        if animated:
            return {"width": width, "height": height, "webp": [], "fallback": None}
        alpha = picture.mode in ("RGBA", "LA", "PA") or (
            picture.mode == "P" and "transparency" in picture.info)
        picture = picture.convert("RGBA" if alpha else "RGB")
        widths = [w for w in WIDTHS if w < width] or [width]
        if width > widths[-1] and len(widths) < len(WIDTHS):
            widths.append(width)
        # Widest first, each copy made from the one before: a third of the work of
        # resizing the full photo three times, and no loss that shows.
        copies: dict[int, Image.Image] = {}
        source = picture
        for target in sorted({*widths, min(FALLBACK_WIDTH, width)}, reverse=True):
            source = copies[target] = _resized(source, target)
        made: list[tuple[str, int]] = []
        for target in widths:
            name = f"{stem}-{target}.webp"
            _save(copies[target], folder / name, "WEBP", quality=WEBP_QUALITY, method=4)
            made.append((name, target))
        target = min(FALLBACK_WIDTH, width)
        if alpha:
            fallback = (f"{stem}-{target}.png", target)
            _save(copies[target], folder / fallback[0], "PNG", optimize=True)
        else:
            fallback = (f"{stem}-{target}.jpg", target)
            _save(copies[target], folder / fallback[0], "JPEG", quality=JPEG_QUALITY,
                  optimize=True, progressive=True)
    return {"width": width, "height": height, "webp": made, "fallback": fallback}


def _resized(picture: Image.Image, width: int) -> Image.Image:
    from PIL import Image

    if width >= picture.width:
        return picture
    height = max(1, round(picture.height * width / picture.width))
    return picture.resize((width, height), Image.Resampling.LANCZOS,
                          reducing_gap=3.0)


def _save(picture: Image.Image, path: Path, image_format: str, **options: Any) -> None:
    """Written beside, then moved into place: a killed build leaves no half picture."""
    partial = path.with_name(path.name + ".part")
    picture.save(partial, image_format, **options)
    partial.replace(path)


def svg_size(data: bytes) -> tuple[int, int] | None:
    """An SVG's width and height in CSS pixels, from its own `width`/`height` or, failing
    that, its `viewBox`; None when it says neither in pixels. Read from the root
    element's attributes only: no XML parser meets the (foreign) document."""
    head = data[:4096].decode("utf-8", "replace")
    match = re.search(r"<svg\b[^>]*>", head)
    if match is None:
        return None
    attributes = dict(re.findall(r'\s([a-zA-Z:-]+)\s*=\s*"([^"]*)"', match.group(0)))
    width = _svg_length(attributes.get("width"))
    height = _svg_length(attributes.get("height"))
    box = attributes.get("viewBox", "").replace(",", " ").split()
    if (width is None or height is None) and len(box) == 4:
        try:
            box_width, box_height = float(box[2]), float(box[3])
        except ValueError:
            return None
        if box_width > 0 and box_height > 0:
            if width is None and height is None:
                width, height = round(box_width), round(box_height)
            elif width is None and height is not None:
                width = round(height * box_width / box_height)
            elif height is None and width is not None:
                height = round(width * box_height / box_width)
    if width and height:
        return width, height
    return None


def _svg_length(value: str | None) -> int | None:
    match = _SVG_LENGTH.fullmatch(value or "")
    return round(float(match.group(1))) if match else None


