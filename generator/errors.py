"""One family of errors, each carrying the `Problem`s it is about: the file (and line) or
URL, and what is wrong there.

Mistakes in what a user wrote are collected as `Problem`s rather than raised one at a
time, so that a teacher sees every mistake in one run (as mkdocs and zola do).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.i18n import Translator


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
    """Base of every error Mading raises on purpose: the `Problem`s the user is shown.

    The command line catches this one class and prints `problems_in(_)` in the site's
    language, each problem on its own line, and exits with 2.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)
        """What is wrong, in the language the error was raised in."""

    def problems_in(self, _: Translator) -> list[Problem]:
        """The problems as a reader of `_`'s language reads them: put in words when the
        error was raised, they stay as they are."""
        return self.problems


class InputError(MadingError):
    """The input (site.yml, content, arguments) is wrong; the command exits with 2."""


class CatalogueError(MadingError):
    """An error raised where the reader's language is not known: the archive and the
    output folder are reached by their paths, the search index by its folder.

    It keeps its catalogue message (`message_id` with `values`, then any `hints`, each an
    id and its values) and says it in the reader's language when shown (`problems_in`);
    its `problems` say it in the default language.
    """

    def __init__(self, message_id: str, /, where: str | None = None, line: int | None = None,
                 hints: tuple[tuple[str, dict[str, object]], ...] = (),
                 **values: object) -> None:
        self.message_id = message_id
        self.values = values
        self.where = where
        """The file it is about; None when it is about no file (yet)."""
        self.line = line
        self.hints = hints
        super().__init__(self.problems_in(Translator()))

    def problems_in(self, _: Translator) -> list[Problem]:
        text = _(self.message_id, **self.values)
        text += "".join(_(hint, **values) for hint, values in self.hints)
        return [Problem(self.where or "mading", text, self.line)]


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
