"""The digest of what a page is made from, by which the page memo knows it again.

A page's inputs are its path, its template and context (or a made file's inputs), and
the site, theme and layout of the build: what it shows of them, not their identity, so
that the same post read afresh or from the cache digests the same. The memo turns the
digest into a key (adding Mading's code and libraries) and decides what to reuse
(generator/incremental/memo.py); render never reads the last build itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.incremental.memo import Call, shown
from generator.layout import Layout
from generator.models import FeedStatus, OutputFile, Post, Site, Subject, Teacher
from generator.pictures import Picture
from generator.render.plan import Pager

_PLAIN = frozenset({str, int, float, bool, type(None)})
"""Types whose repr is what a page shows of them (exactly these: not `Markup`)."""


class PageKeys:
    """The digests of the pages of one build."""

    def __init__(self, theme: Path, site: Site, layout: Layout) -> None:
        self._digest = hashlib.sha256(f"{theme}\0{site!r}\0{layout!r}".encode())
        self._post_digests: dict[int, bytes] = {}

    def digest(self, path: str, inputs: object) -> bytes | None:
        """The digest of the file at `path` made from `inputs`, or None for inputs whose
        content cannot be told (the file is then made at every build)."""
        digest = self._digest.copy()
        digest.update(path.encode())
        try:
            self._fingerprint(inputs, digest)
        except _Unknown:
            return None
        return digest.digest()

    def _fingerprint(self, value: object, digest: Any) -> None:
        """Feed `value` into `digest`: what a page shows of it, not its identity."""
        # Plain values and lists of them by their repr; `Markup` and other subclasses too.
        if _plain(value) or isinstance(value, str | int | float | bool | None):
            digest.update(f"{type(value).__name__}:{value!r};".encode())
        elif isinstance(value, Pager):
            # A listing's posts by their digests alone: hashed once per page they are on.
            digest.update(f"Pager:{value.base!r}:{value.number}:{value.count}:"
                          f"{len(value.posts)}:".encode())
            digest.update(b"".join(map(self._post_digest, value.posts)))
        elif isinstance(value, Post):
            digest.update(self._post_digest(value))
        elif isinstance(value, list | tuple):
            digest.update(b"[")
            for item in value:
                self._fingerprint(item, digest)
            digest.update(b"]")
        elif isinstance(value, dict):
            digest.update(b"{")
            for item_key, item in sorted(value.items(), key=lambda kv: repr(kv[0])):
                self._fingerprint(item_key, digest)
                self._fingerprint(item, digest)
            digest.update(b"}")
        elif isinstance(value, Teacher | Subject):
            # The site's own records: their whole content is in the site's digest.
            digest.update(f"{type(value).__name__}:{value.slug};".encode())
        elif isinstance(value, datetime):
            digest.update(value.isoformat().encode())
        elif isinstance(value, FeedStatus):
            digest.update(shown(value).encode())
        elif isinstance(value, Picture):
            # Paths of the store and sizes: a new or resized copy changes the page.
            digest.update(repr(value).encode())
        else:
            raise _Unknown(type(value).__name__)

    def _post_digest(self, post: Post) -> bytes:
        known = self._post_digests.get(id(post))
        if known is None:
            # Times by their ISO text: a post read afresh and the same post from the cache
            # carry the same instant in different tzinfo classes. The HTML by its
            # compressed bytes, as kept: the same bytes are the same HTML.
            fields = [value.isoformat() if isinstance(value, datetime) else value
                      for value in (getattr(post, f.name) for f in dataclasses.fields(post)
                                    if f.name not in ("teacher", "subjects"))]
            known = self._post_digests[id(post)] = hashlib.blake2b(pickle.dumps(
                (post.teacher.slug, [s.slug for s in post.subjects], fields),
                protocol=5)).digest()
        return known


def _plain(value: object) -> bool:
    """Whether `value` is a string, number or None, or a list or tuple of them (or of
    tuples of them), like a teacher's labels and months: its repr says all of it."""
    kind = type(value)
    if kind in _PLAIN:
        return True
    return (kind is list or kind is tuple) and isinstance(value, list | tuple) and all(
        type(item) in _PLAIN or
        (type(item) is tuple and all(type(part) in _PLAIN for part in item))
        for item in value)


class _Unknown(Exception):
    """A value whose content cannot be hashed: the page is always rendered."""


class NoReuse:
    """A page memo for a build with no last build to go by (and for tests): every page
    is made; what this build's pages showed of the clock is kept in `records`."""

    def __init__(self) -> None:
        self.records: dict[str, tuple[str, tuple[Call, ...]]] = {}

    def key(self, page: bytes) -> str:
        return page.hex()

    def reuse(self, path: str, key: str) -> OutputFile | None:
        return None

    def reused(self, path: str, key: str) -> None:
        pass

    def record(self, path: str, key: str, calls: Sequence[Call]) -> None:
        self.records[path] = (key, tuple(calls))
