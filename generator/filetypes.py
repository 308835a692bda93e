"""Which files beside a post may be published: an allow-list of types (issue 26).

Attachments and the files a post's Markdown links to (images, worksheets) are served
from the portal's own address. An HTML file there is a page of the portal: its script, or
a `.js` attachment it loads, runs with `script-src 'self'`, and on a host without the
header policy (GitHub Pages) a phishing form is one click from a post. So only types that
browsers show without running anything are published: documents, spreadsheets, slides,
PDF, raster images, audio and archives, each checked by its first bytes where that is
cheap (a `.pdf` must start with `%PDF-`: a static host sends the type its name says); SVG
images are cleaned (`generator/svg.py`). Anything else is refused with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.svg import SvgError, clean_svg

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""Office 97-2003 files (.doc, .xls, .ppt) are OLE compound documents."""
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")


def _starts(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(prefixes)


def _riff(kind: bytes) -> Callable[[bytes], bool]:
    return lambda head: head[:4] == b"RIFF" and head[8:12] == kind


def _mp3(head: bytes) -> bool:
    """An ID3 tag, or an MPEG audio frame (11 bits of sync)."""
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF
                                       and head[1] & 0xE0 == 0xE0)


def _text(head: bytes) -> bool:
    """Plain text (CSV, TXT): no NUL byte, as binary files have."""
    return b"\0" not in head


def _mp4_audio(head: bytes) -> bool:
    return head[4:8] == b"ftyp"


TYPES: dict[str, Callable[[bytes], bool]] = {
    # documents
    "pdf": _starts(b"%PDF-"), "doc": _starts(_OLE), "docx": _starts(*_ZIP),
    "odt": _starts(*_ZIP), "rtf": _starts(b"{\\rtf"), "txt": _text, "epub": _starts(*_ZIP),
    # spreadsheets
    "xls": _starts(_OLE), "xlsx": _starts(*_ZIP), "ods": _starts(*_ZIP), "csv": _text,
    # slides
    "ppt": _starts(_OLE), "pptx": _starts(*_ZIP), "odp": _starts(*_ZIP),
    # raster images
    "png": _starts(b"\x89PNG\r\n\x1a\n"), "jpg": _starts(b"\xff\xd8"),
    "jpeg": _starts(b"\xff\xd8"), "gif": _starts(b"GIF87a", b"GIF89a"),
    "webp": _riff(b"WEBP"),
    # audio
    "mp3": _mp3, "m4a": _mp4_audio, "ogg": _starts(b"OggS"), "oga": _starts(b"OggS"),
    "opus": _starts(b"OggS"), "wav": _riff(b"WAVE"), "flac": _starts(b"fLaC"),
    # archives
    "zip": _starts(*_ZIP), "7z": _starts(b"7z\xbc\xaf\x27\x1c"),
    "rar": _starts(b"Rar!\x1a\x07"), "gz": _starts(b"\x1f\x8b"), "tgz": _starts(b"\x1f\x8b"),
}
"""Extension (lower case) -> the check of the file's first bytes."""
CLEANED = frozenset({"svg"})
"""Types published as cleaned here rather than copied."""
ALLOWED = ", ".join(sorted({*TYPES, *CLEANED}))
"""The extensions a message lists as allowed."""
_HEAD = 64


@dataclass(frozen=True)
class Publishable:
    """A file that may be published beside a post."""

    kind: str
    """The type label shown beside an attachment: `PDF`, `DOCX`, `SVG`…"""
    content: bytes | None = None
    """What to publish in place of the file (a cleaned SVG); None: the file as it is."""


class FileRefused(ValueError):
    """A file a post may not publish; `message_id` and `values` say why, in the
    `hostile_web` table of the catalogues."""

    def __init__(self, message_id: str, **values: object) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.values = values


def publishable(path: Path) -> Publishable:
    """Whether the file at `path` may be published, and as what.

    Raises:
        FileRefused: a type not on the list (HTML, JavaScript, anything unknown), a file
            whose first bytes are not of its type, or an SVG that cannot be read.
    """
    extension = path.suffix.lower().lstrip(".")
    check = TYPES.get(extension)
    if check is None and extension not in CLEANED:
        raise FileRefused("hostile_web.refused_type", type=extension.upper() or "?",
                          allowed=ALLOWED)
    try:
        if extension in CLEANED:
            return Publishable("SVG", clean_svg(path.read_bytes()))
        with open(path, "rb") as file:
            head = file.read(_HEAD)
    except SvgError as exc:
        raise FileRefused(exc.message_id, **exc.values) from None
    except OSError as exc:  # no permission to read it, a folder named like a file...
        raise FileRefused("hostile_web.unreadable", detail=exc.strerror or str(exc)) from None
    assert check is not None
    if not check(head):
        raise FileRefused("hostile_web.not_its_type", type=extension.upper())
    return Publishable(extension.upper())
