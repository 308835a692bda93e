"""The command line in the school's language: argparse's own words and the fetcher's.

argparse writes "usage:", "options:", "show this help message and exit" and its error
messages through `gettext`, bound into its module as `_` and `ngettext` when it is
imported. There is no catalogue of ours in gettext's format to install, so `argparse_in`
puts a lookup into the `[argparse]` table of Mading's own catalogues in their place for
as long as the command line is built and read, and puts gettext back after: a message
argparse adds in a later Python, not in the table, stays in English.

The fetcher's errors are stored in the archive as it words them (they are read again by
`mading report` weeks later, maybe in another language): `feed_error` words the common
ones in the school's language when they are shown.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import yaml

from generator.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator, catalogue


@contextmanager
def argparse_in(language: str) -> Iterator[None]:
    """argparse's own text in `language` inside the `with` block."""
    messages = catalogue(language if language in LANGUAGES else DEFAULT_LANGUAGE)

    def gettext(message: str) -> str:
        return messages.get(f"argparse.{message}", message)

    def ngettext(singular: str, plural: str, count: int) -> str:
        return gettext(singular if count == 1 else plural)

    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = gettext, ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def help_language(argv: Sequence[str]) -> str:
    """The language of the site the command is about: `--config`'s site.yml, else the
    one in the working folder; Indonesian when there is none or it cannot be read (its
    mistakes are reported later, in that language, by the command itself)."""
    config = Path("site.yml")
    for index, argument in enumerate(argv):
        if argument == "--config" and index + 1 < len(argv):
            config = Path(argv[index + 1])
        elif argument.startswith("--config="):
            config = Path(argument.partition("=")[2])
    try:
        data = yaml.load(config.read_text(encoding="utf-8-sig"), Loader=_LOADER)
        language = data["school"]["language"]
    except (OSError, UnicodeDecodeError, yaml.YAMLError, TypeError, KeyError, ValueError,
            RecursionError):
        return DEFAULT_LANGUAGE
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_FEED_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message) for pattern, message in (
        (r"^no feed found on this page", "firstweek.feed.no_feed"),
        (r"^no (?:complete )?answer within (?P<seconds>[\d.]+) s$", "firstweek.feed.timeout"),
        (r"^more than (?P<count>\d+) redirects$", "firstweek.feed.redirects"),
        (r"^update deadline of (?P<seconds>[\d.]+) s passed$", "firstweek.feed.deadline"),
        (r"^feed larger than (?P<size>.+), cut off$", "firstweek.feed.too_large"),
        (r"^ConnectError: (?P<detail>.*)$", "firstweek.feed.connect"),
        (r"^HTTP 404\b", "firstweek.feed.not_found"),
        (r"^HTTP 410\b", "firstweek.feed.gone"),
    ))


def feed_error(error: str, _: Translator) -> str:
    """A fetch error as the fetcher worded it, in the school's language when it is one
    of the common ones (the original kept in brackets for the admin who searches it)."""
    for pattern, message in _FEED_ERRORS:
        found = pattern.search(error)
        if found:
            return _(message, **found.groupdict(), error=error)
    return error
