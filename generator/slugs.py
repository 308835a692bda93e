"""Slugs: the ASCII names used in URLs and folder names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str, max_length: int = 60) -> str:
    """`Bahasa Indonésia: Teks Eksplanasi!` -> `bahasa-indonesia-teks-eksplanasi`.

    Written by hand because it is five lines: accents are dropped with NFKD, anything else
    that is not a letter or digit becomes a hyphen.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def is_slug(text: str) -> bool:
    return bool(_SLUG_RE.match(text))


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """A key for loose matching: case, accents, spaces and punctuation ignored.

    `"Matematika  Wajib"`, `"matematika-wajib"` and `"MATEMATIKA WAJIB"` fold alike.
    Kept for the few thousand names a site has: every post folds every subject's names.
    """
    return slugify(text, max_length=200).replace("-", "")
