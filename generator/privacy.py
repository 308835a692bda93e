"""Privacy by default (issue 25): what must never be published, found before it is.

`site.yml` values that look like a NIP or a phone number are refused by
generator/config.py. Here: a post whose text looks like a list of students' names with
their scores, which `mading check` warns about (a warning, not a refusal: a list of
heroes with their birth years reads much the same). Pure: works on a post's HTML.
"""

from __future__ import annotations

import html
import re

MIN_ROWS = 5
"""Rows of a name and a score that make a list: fewer is a few examples in a lesson."""
_ROW_END = re.compile(r"<br\s*/?>|</(?:p|li|tr|div|h[1-6]|pre|blockquote)>", re.IGNORECASE)
_CELL_END = re.compile(r"</t[dh]>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_BETWEEN_TAGS = re.compile(r">\s+<")
_NAME = r"[A-Z][a-z'\u2019]+\.?(?:\s+[A-Z][a-z'\u2019]*\.?){1,4}"
"""Two to five capitalised words: `Ahmad Fauzi`, `Siti Nur Aisyah`, `Muh. Rizki`."""
_SCORE = r"(?:100|\d{1,2})(?:[.,]\d{1,2})?"
_SCORE_ROW = re.compile(
    rf"^(?:\d{{1,3}}\s*[.)|]?\s*)?\|?\s*(?P<name>{_NAME})\s*(?:[|:;,=\t\u2013-]\s*|\s+)"
    rf"(?:[A-Za-z0-9 .-]{{0,12}}\|\s*)?{_SCORE}\s*\|?\s*$")
"""A row: an optional number, a name, then a score 0 to 100 as the last thing on the line
(a table's cells are joined by `|`); one short cell between them (the class) allowed."""


def score_rows(fragment: str) -> int:
    """How many lines of a post's HTML read as a student's name with a score."""
    # Line breaks between tags are the HTML's layout, not the text's (a table's cells).
    fragment = _BETWEEN_TAGS.sub("><", fragment)
    text = _CELL_END.sub(" | ", _ROW_END.sub("\n", fragment))
    lines = html.unescape(_TAG.sub("", text)).splitlines()
    return sum(1 for line in lines if _SCORE_ROW.match(" ".join(line.split())))


def looks_like_scores(fragment: str) -> bool:
    return score_rows(fragment) >= MIN_ROWS
