"""One family of errors, each naming the file (and line) or URL it is about.

Mistakes in what a user wrote are collected as `Problem`s rather than raised one at a
time, so that a teacher sees every mistake in one run (as mkdocs and zola do).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    where: str
    """A file path (relative to the site folder where possible) or a URL."""
    message: str
    line: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.where}: {self.message}"
        return f"{self.where}:{self.line}: {self.message}"


class MadingError(Exception):
    """Base of every error Mading raises on purpose."""


class InputError(MadingError):
    """The input (site.yml, content, arguments) is wrong; the command exits with 2."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def display_path(path: Path) -> str:
    """A path as the user typed it: relative to the working folder when inside it.

    Every message names files the same way, so `site.yml` and `content/...` problems
    can be opened from where the command was run.
    """
    here = Path.cwd().resolve()
    # Links are not followed first: a post that is a link out of the site folder is
    # named where it lies, not where it points.
    for candidate in (Path(os.path.abspath(path)), path.resolve()):
        try:
            return str(candidate.relative_to(here))
        except ValueError:
            continue
    return str(path)
