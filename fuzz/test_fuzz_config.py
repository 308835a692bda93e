"""Fuzz `config.load_site`: any site.yml gives a `Site` or an `InputError`, never a crash.

Two generators: structured documents (every key of the schema present or not, holding a
plausible value or a value of any other type), and raw text mutations of valid files (the
repository's own site.yml and a small one), bytes included, so that YAML syntax errors,
tabs, anchors, tags, bad UTF-8 and truncations all come up.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from fuzzlib import TRICKY_TEXT, cli_stack, dump_yaml, either, mutated, texts, tricky_texts, values
from hypothesis import given
from hypothesis import strategies as st

from generator.config import load_site
from generator.errors import MadingError
from generator.models import Site

REPO = Path(__file__).resolve().parent.parent
SMALL = b"""\
school:
  name: SMA Negeri 1 Contoh
  url: https://sman1contoh.sch.id/
  language: id
  timezone: Asia/Jakarta
subjects:
  - name: Matematika
    aliases: [mtk, math]
  - Fisika
classes: [X-1, X-2]
embeds: [www.youtube.com]
portal:
  page_size: 20
teachers:
  - name: Sari Wulandari, S.Pd.
    slug: sari
    subjects: [Matematika]
    classes: [X-1]
    blog: https://sari.example/
    photo: img/foto.jpg
    bio: Guru.
    links: [https://sari.example/profil]
  - name: Budi
    blog: feeds/a.xml
"""
SEEDS = st.sampled_from([SMALL, (REPO / "site.yml").read_bytes()])

urls = st.sampled_from([t for t in TRICKY_TEXT if ":" in t or "/" in t]) | texts.map(
    lambda t: f"https://{t}")
name_lists = st.lists(tricky_texts, max_size=4)
school = st.fixed_dictionaries({}, optional={
    "name": either(tricky_texts), "url": either(urls), "language": either(tricky_texts),
    "timezone": either(tricky_texts), "description": either(texts), "extra": values})
subject = tricky_texts | st.fixed_dictionaries({}, optional={
    "name": either(tricky_texts), "slug": either(tricky_texts),
    "aliases": either(name_lists | tricky_texts)})
teacher = st.fixed_dictionaries({}, optional={
    "name": either(tricky_texts), "slug": either(tricky_texts),
    "subjects": either(name_lists | tricky_texts), "classes": either(name_lists | tricky_texts),
    "blog": either(urls | tricky_texts), "photo": either(tricky_texts), "bio": either(texts),
    "links": either(st.lists(urls, max_size=3) | urls), "blgo": values})
portal = st.fixed_dictionaries({}, optional={
    "page_size": either(st.integers(-5, 500)), "active_days": either(st.integers(-5, 500)),
    "pagesize": values})
documents = either(st.fixed_dictionaries({}, optional={
    "school": either(school), "subjects": either(st.lists(subject, max_size=4)),
    "classes": either(name_lists), "teachers": either(st.lists(teacher, max_size=4)),
    "embeds": either(name_lists | tricky_texts), "portal": either(portal),
    "teacher": values}))


@contextlib.contextmanager
def site_folder(text: bytes) -> Iterator[Path]:
    """A temporary site folder holding `text` as its site.yml, and the files it names;
    yields the site.yml."""
    with tempfile.TemporaryDirectory(prefix="mading-fuzz-") as tmp:
        root = Path(tmp)
        (root / "img").mkdir()
        (root / "img" / "foto.jpg").write_bytes(b"\xff\xd8")
        (root / "feeds").mkdir()
        (root / "feeds" / "a.xml").write_bytes(b"<rss/>")
        config = root / "site.yml"
        config.write_bytes(text)
        yield config


def check(text: bytes) -> None:
    """The property: load_site returns a Site or raises Mading's own error."""
    with site_folder(text) as config, contextlib.suppress(MadingError), cli_stack():
        assert isinstance(load_site(config), Site)


@given(documents)
def test_structured_site_yml(document: object) -> None:
    check(dump_yaml(document).encode("utf-8"))


@given(mutated(SEEDS))
def test_mutated_site_yml(text: bytes) -> None:
    check(text)
