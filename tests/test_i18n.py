"""The translation catalogues: one key set, the same placeholders, localized dates."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from generator.i18n import LANGUAGES, Translator, catalogue

THEME = Path(__file__).resolve().parent.parent / "themes" / "default" / "templates"
SOURCE = Path(__file__).resolve().parent.parent / "generator"


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def test_every_language_has_the_same_keys() -> None:
    reference = catalogue("id")
    for language in LANGUAGES:
        assert set(catalogue(language)) == set(reference), language


@pytest.mark.parametrize("key", sorted(catalogue("id")))
def test_placeholders_match_across_languages(key: str) -> None:
    assert placeholders(catalogue("en")[key]) == placeholders(catalogue("id")[key])


def test_every_message_used_in_templates_and_code_exists() -> None:
    """Any quoted `section.name` string is a message id, passed to `_()` or not."""
    sections = "|".join(sorted({key.split(".")[0] for key in catalogue("id")}))
    pattern = rf"""["']((?:{sections})\.[a-z_]+(?:\.[a-z_]+)*)["']"""
    used = set()
    for path in [*THEME.glob("*.html"), *SOURCE.rglob("*.py")]:
        used |= set(re.findall(pattern, path.read_text()))
    # A file's name is not a message id: "assignments.html" (render/pages.py), "wall.css".
    used = {key for key in used if not key.endswith((".html", ".css", ".js"))}
    assert len(used) > 50, "the pattern found too few message ids"
    assert used - set(catalogue("id")) == set()


def test_dates_follow_the_language() -> None:
    day = date(2026, 12, 1)
    assert Translator("id").date(day, "full") == "Selasa, 1 Desember 2026"
    assert Translator("en").date(day, "full") == "Tuesday, 1 December 2026"
    assert Translator("id").date(day) == "1 Des 2026"


def test_unknown_language_falls_back_to_indonesian() -> None:
    assert Translator("xx")("theme.nav.home") == "Beranda"
