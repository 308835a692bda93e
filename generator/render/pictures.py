"""A post's pictures and videos as a phone should get them (issue 27), written into its
HTML while rendering: pure, from the `Picture` records gathered before.

Each `<img>` Mading holds copies of becomes a `<picture>` with `srcset`, `sizes`,
`width`, `height` and `loading="lazy"`, linking the full-size original; a picture that
could not be fetched becomes a link to it, with its alt text; a YouTube iframe becomes a
facade that loads the player on a tap.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from generator.pictures import IMG_TAG, Picture, tag_attributes, youtube_thumbnail

SIZES = "(min-width: 50rem) 46rem, calc(100vw - 2rem)"
"""How wide the theme shows a post's picture: the 48rem column less its padding."""
_IFRAME = re.compile(r"<iframe\b([^>]*)></iframe>")
_YOUTUBE_EMBED = re.compile(
    r"https://www\.youtube(?:-nocookie)?\.com/embed/([A-Za-z0-9_-]{6,20})")


def _escape(value: str) -> str:
    return html_lib.escape(value, quote=True)


@dataclass(frozen=True)
class Labels:
    """The words a picture or video says, in the site's language."""

    missing: str
    """Link text of a picture Mading holds no copy of, without alt text."""
    missing_alt: str
    """The same with its alt text, `{alt}` filled in."""
    play: str
    """The video facade's link, `{title}` filled in."""


def localize(html: str, pictures: Iterable[Picture], title: str, labels: Labels) -> str:
    """A post's sanitized HTML with its pictures right-sized and its videos as facades."""
    by_src = {picture.src: picture for picture in pictures}
    html = IMG_TAG.sub(lambda match: _picture_html(match.group(0), by_src, labels), html)
    return _IFRAME.sub(lambda match: _video_html(match, by_src, title, labels), html)


def attachment_html(name: str, pictures: Iterable[Picture], labels: Labels) -> str:
    """The right-sized picture of an attached photo, or "" when it has none."""
    by_src = {picture.src: picture for picture in pictures}
    if name not in by_src:
        return ""
    return _picture_html(f'<img src="{_escape(name)}" alt="{_escape(name)}">', by_src,
                         labels)


def _picture_html(tag: str, by_src: Mapping[str, Picture], labels: Labels) -> str:
    attributes = tag_attributes(tag)
    picture = by_src.get(attributes.get("src", ""))
    if picture is None:
        return tag
    alt = attributes.get("alt", "")
    if picture.failed:
        text = _escape(labels.missing_alt.format(alt=alt) if alt else labels.missing)
        return (f'<a class="picture-missing" href="{_escape(picture.src)}" '
                f'rel="noopener noreferrer">{text}</a>')
    size = f' width="{picture.width}" height="{picture.height}"' if picture.width else ""
    extra = "".join(f' {name}="{_escape(attributes[name])}"' for name in ("alt", "title")
                    if name in attributes)
    if not picture.sources:
        # SVG, an animated GIF (kept whole: it moves), or hotlinked: the file as it is,
        # with its size known; a fetched one from its copy beside the page.
        src = picture.original.name if picture.original is not None else picture.src
        return (f'<img src="{_escape(src)}"{extra}{size} loading="lazy" '
                f'decoding="async">')
    srcset = ", ".join(f"{_escape(v.name)} {v.width}w" for v in picture.sources)
    fallback = picture.fallback or picture.sources[-1]
    full = picture.original or picture.sources[-1]
    return (f'<a class="picture" href="{_escape(full.name)}">'
            f'<picture><source type="image/webp" srcset="{srcset}" sizes="{SIZES}">'
            f'<img src="{_escape(fallback.name)}"{extra}{size} loading="lazy" '
            f'decoding="async"></picture></a>')


def _video_html(match: re.Match[str], by_src: Mapping[str, Picture], title: str,
                labels: Labels) -> str:
    attributes = tag_attributes(match.group(0))
    video = _YOUTUBE_EMBED.fullmatch(attributes.get("src", "").split("?")[0])
    if video is None:
        return match.group(0)
    video_id = video.group(1)
    name = attributes.get("title", "")
    if not name or name == "YouTube":
        name = title
    thumbnail = by_src.get(youtube_thumbnail(video_id))
    image = ""
    if thumbnail is not None and thumbnail.sources:
        srcset = ", ".join(f"{_escape(v.name)} {v.width}w" for v in thumbnail.sources)
        fallback = thumbnail.fallback or thumbnail.sources[-1]
        image = (f'<picture><source type="image/webp" srcset="{srcset}" sizes="{SIZES}">'
                 f'<img src="{_escape(fallback.name)}" alt="" width="{thumbnail.width}" '
                 f'height="{thumbnail.height}" loading="lazy" decoding="async"></picture>')
    player = f"https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1"
    watch = f"https://www.youtube.com/watch?v={video_id}"
    return (f'<figure class="video{" with-thumbnail" if image else ""}">'
            f'<a href="{watch}" data-player="{player}" data-title="{_escape(name)}" '
            f'rel="noopener noreferrer">{image}'
            f'<span class="video-play">{_escape(labels.play.format(title=name))}</span>'
            f'</a></figure>')
