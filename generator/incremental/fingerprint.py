"""The code fingerprint: what every kept result also depends on besides its own inputs.

A post read, a page rendered or a feed file parsed under other code, another theme or
other library versions may read differently; each of their keys includes this hash, so
that a new release or an edited template makes them again.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

from generator.incremental.cache import SCHEMA

_LIBRARIES = ("Markdown", "pymdown-extensions", "nh3", "latex2mathml", "Pygments", "Jinja2",
              "Babel")


@cache
def code_fingerprint() -> str:
    """A hash of Mading's own code, theme and messages, and the versions of the libraries
    that shape its output: a cached result is only as good as the code that made it."""
    digest = hashlib.sha256(str(SCHEMA).encode())
    package = Path(__file__).parents[1]  # generator/
    for folder in (package, package.parent / "themes"):
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".py", ".toml", ".html", ".css", ".js", ".svg"} and \
                    path.is_file():
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    for library in _LIBRARIES:
        digest.update(f"{library}={_version(library)}".encode())
    return digest.hexdigest()


def _version(library: str) -> str:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return "-"
