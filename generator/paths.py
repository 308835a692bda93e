"""File paths a user gives (site.yml, front matter, feed files): they stay inside a folder.

A school's repository is edited by many hands and built by CI with the repository's token
at hand; a path such as `../../etc/passwd`, `/home/runner/.ssh/id_rsa` or a symbolic link
committed into `content/` must not publish a file from outside the site folder (issue 8).
Every such path is resolved here, links included, before anything reads it.
"""

from __future__ import annotations

import os
from pathlib import Path

NAME_MAX = 255
"""Bytes in one file name on the usual file systems (ext4, APFS, NTFS in UTF-16 units)."""
PATH_MAX = 4095


def usable(name: str) -> bool:
    """Whether `name` can be a file path at all: no NUL or other control character, no
    part longer than a file system allows. Python raises ValueError or OSError for such a
    name deep inside `open` or `stat`, with no line to show a teacher."""
    if not name or any(not c.isprintable() for c in name):
        return False
    encoded = os.fsencode(name)
    return len(encoded) <= PATH_MAX and all(len(part) <= NAME_MAX
                                            for part in encoded.split(b"/"))


def inside(folder: Path, name: str) -> Path | None:
    """`folder / name` with every symbolic link resolved, or None when that leaves
    `folder` (`..`, an absolute path, a link pointing out) or `name` is not `usable`.

    A loop of links resolves to a path that does not exist, so it ends as "not found".
    """
    if not usable(name):
        return None
    # os.path.realpath rather than Path.resolve: on Python 3.11 the latter raises
    # RuntimeError for a loop of links.
    path = Path(os.path.realpath(folder / name))
    return path if path.is_relative_to(os.path.realpath(folder)) else None


def is_hidden(path: Path, folder: Path) -> bool:
    """Whether `path`, inside `folder`, is or lies in a hidden file or folder (`.git`,
    `.env`, `.mading`): never published, since a CI checkout keeps the repository's token
    in `.git/config`."""
    relative = path.relative_to(os.path.realpath(folder))
    return any(part.startswith(".") for part in relative.parts)


def links_out(path: Path, folder: Path) -> bool:
    """Whether `path` (which may not exist) resolves to somewhere outside `folder`."""
    return not Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


def shown(name: str, limit: int = 80) -> str:
    """`name` fit for a message: control characters escaped, long names shortened."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
    return text if len(text) <= limit else text[:limit - 1] + "…"
