"""What a picture of a post is, as the build hands it from gathering to rendering.

The records (`Picture`, `Variant`) and how a post's `<img>` tags are read: neutral
ground between `generator/picture_copies.py` (which makes the right-sized copies, at
gather time) and `generator/render/pictures.py` (which writes their HTML, purely).
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.models import Post

IMG_TAG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"')


@dataclass(frozen=True)
class Variant:
    """One resized copy: its file in the store, its name beside the page, its width."""

    file: Path
    name: str
    width: int


@dataclass(frozen=True)
class Picture:
    """What a post page needs to show one picture."""

    src: str
    """The address or file name as the post's HTML has it."""
    width: int
    height: int
    original: Variant | None = None
    """The full-size file, linked for a reader who taps; None when it was dropped (the
    largest copy is linked instead) or is hotlinked."""
    sources: tuple[Variant, ...] = ()
    """WebP copies, narrowest first."""
    fallback: Variant | None = None
    """JPEG or PNG for browsers without WebP."""
    failed: bool = False
    """Could not be fetched: shown as a link to the original with its alt text."""

    @property
    def files(self) -> tuple[Variant, ...]:
        """Every file to copy beside the post's page."""
        found = [*self.sources]
        for extra in (self.fallback, self.original):
            if extra is not None and extra not in found:
                found.append(extra)
        return tuple(found)


Pictures = Mapping[str, tuple[Picture, ...]]
"""A post's pictures by `picture_key(post)`."""


def picture_key(post: Post) -> str:
    return f"{post.teacher.slug}/{post.slug}"


def youtube_thumbnail(video_id: str) -> str:
    """The key a video's thumbnail is stored under (fetched from `ImageLimits.thumbnails`)."""
    return f"youtube:{video_id}"


def tag_attributes(tag: str) -> dict[str, str]:
    """An HTML tag's attributes, their values unescaped."""
    return {name: html_lib.unescape(value) for name, value in _ATTRIBUTE.findall(tag)}
