"""The one translation mechanism for CLI messages and theme strings.

Catalogues are TOML files in `generator/locale/` keyed by message id, one per language.
Indonesian is the default and the reference: every key exists in `id.toml`, and a test
checks that `en.toml` has the same keys with the same placeholders. Dates go through
Babel so that month and day names follow the language.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def catalogue(language: str) -> dict[str, str]:
    """All messages of one language, flattened to dotted keys."""
    with open(LOCALE_DIR / f"{language}.toml", "rb") as f:
        nested = tomllib.load(f)
    return _flatten(nested)


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


class Translator:
    """Looks up messages and formats dates in one language."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._messages = catalogue(self.language)

    def __call__(self, message_id: str, /, **values: object) -> str:
        """The message `message_id` with `{placeholders}` filled in; unknown ids fail loudly."""
        return self._messages[message_id].format(**values)

    def date(self, value: date | datetime, style: str = "medium") -> str:
        """`20 Nov 2026` (medium), `20 November 2026` (long), `Jumat, 20 November 2026` (full)."""
        if isinstance(value, datetime):
            value = value.date()
        pattern = {"medium": "d MMM y", "long": "d MMMM y", "full": "EEEE, d MMMM y"}[style]
        return _format_date(value, pattern, self.language)

    def month(self, value: datetime) -> str:
        """`November 2026`, the month as a heading (CLDR's stand-alone month name)."""
        return _format_date(value.date(), "LLLL y", self.language)

    def datetime(self, value: datetime) -> str:
        """`Jumat, 20 November 2026 07.30` in the reader's language (time zone already set)."""
        return format_datetime(value, "EEEE, d MMMM y HH.mm", locale=self.language)


@lru_cache(maxsize=65536)
def _format_date(value: date, pattern: str, language: str) -> str:
    """Babel's formatting, remembered: a portal shows the same few hundred days on
    thousands of pages, and each formatting costs a parse of the pattern."""
    return format_date(value, pattern, locale=language)
