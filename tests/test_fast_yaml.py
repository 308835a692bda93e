"""The libyaml fast path (`generator/fast_yaml.py`): a post or a site.yml read with it is
exactly the one ruamel.yaml alone reads, with the same problems on the same lines, and
plain front matter (the example school's) really takes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from generator import config, fast_yaml
from generator.config import load_site
from generator.errors import InputError
from generator.i18n import Translator
from generator.models import Site
from generator.schema import parse_yaml
from generator.sources import content, front_matter
from generator.sources.content import read_post, split_front_matter
from tests.conftest import REPO, copy_example

BODY = "# Judul dari heading\n\nIsi *tulisan*.\n"
DATE = "date: 2026-11-20\n"


@contextmanager
def ruamel_only() -> Iterator[None]:
    """Read YAML as before the fast path: ruamel.yaml alone."""
    with mock.patch.object(fast_yaml, "load_simple", return_value=None):
        yield


@contextmanager
def fast_only() -> Iterator[None]:
    """Fail if ruamel.yaml reads anything."""
    def refuse(*args: Any) -> None:
        raise AssertionError("read by ruamel")

    with mock.patch.object(front_matter, "parse_yaml", refuse), \
            mock.patch.object(config, "_parsed_config", refuse):
        yield


def outcome(path: Path, site: Site) -> str:
    """What a user gets from a post: its entry (repr: types and time zones count), or its
    problems as printed."""
    try:
        return repr(read_post(path, path.parent.name, site, Translator(site.school.language)))
    except InputError as exc:
        return "\n".join(str(problem) for problem in exc.problems)


def both_ways(path: Path, site: Site) -> tuple[str, str]:
    """A post's outcome with the fast path, then with ruamel alone."""
    fast = outcome(path, site)
    with ruamel_only():
        return fast, outcome(path, site)


# Each front matter, and whether libyaml reads it (True) or leaves it to ruamel (False).
TRICKY = [
    pytest.param("title: yes\n" + DATE + "tags: [no, on, off, Yes, NO, y, n]\n", True,
                 id="yaml-1.1-booleans"),
    pytest.param("title: 10:30\ndate: 2026-11-20\ntags: [1:20:30]\n", True, id="sexagesimal"),
    pytest.param("title: 010\n" + DATE + "tags: [0, -0, +12, 007, 2026]\n", True,
                 id="leading-zero"),
    pytest.param("title: 0x1F\n" + DATE + "tags: [0o17]\n", False, id="hexadecimal"),
    pytest.param("title: .inf\n" + DATE + "tags: [1.5, 1e3, .nan]\n", False, id="floats"),
    pytest.param("title: 1_000\n" + DATE, False, id="underscore"),
    pytest.param("title: " + "9" * 5000 + "\n" + DATE, False, id="huge-number"),
    pytest.param("title: ~\n" + DATE, True, id="tilde"),
    pytest.param("title: null\n" + DATE + "summary: Null\n", True, id="null"),
    pytest.param("title: true\n" + DATE + "draft: TRUE\n", True, id="true"),
    pytest.param("title: J\n" + DATE + "draft: yes\n", True, id="draft-yes"),
    pytest.param("title: 2026-11-20\n" + DATE, True, id="date-as-title"),
    pytest.param("title: J\ndate: 2026-11-20 07:30\ndue: 2026-11-21 07.30\nkind: tugas\n",
                 True, id="minutes"),
    pytest.param("title: J\ndate: 2026-11-20 07:30:00\n", True, id="seconds"),
    pytest.param("title: J\ndate: 2026-11-20T07:30:00+07:00\ntags: [2026-11-20t07:30:00Z]\n",
                 True, id="time-zone"),
    pytest.param("title: J\ndate: 2026-11-20 07:30:00.123456789 -05:00\n", True,
                 id="fraction-and-offset"),
    pytest.param("title: J\ndate: 2026-13-40\n", True, id="impossible-date"),
    pytest.param("title: J\ndate: 2026-02-30 07:30:00\n", True, id="impossible-timestamp"),
    pytest.param("title: J\ndate: '2026-11-20'\ndue: \"2026-11-27 07:30\"\nkind: Tugas\n",
                 True, id="quoted-dates"),
    pytest.param('title: "Tugas: Statistika"\n' + DATE + "summary: 'It''s \"ok\"'\n", True,
                 id="quoted"),
    pytest.param('title: "\\u00e9\\x41\\t\\\\ \\"x\\" \\/ \\_"\n' + DATE, True, id="escapes"),
    pytest.param("title: Ringkasan — Bab 2 ✓ 🙂 ü\n" + DATE + "tags: [aksara ꦗꦮ, 数学]\n", True,
                 id="unicode"),
    pytest.param("title: J\n" + DATE + "tags:\nsummary:\nsubjects: []\nclasses: ''\n", True,
                 id="empty-values"),
    pytest.param("title: J\n" + DATE + "classes: X-1, X-2\nsubjects: mtk\n", True,
                 id="comma-separated"),
    pytest.param("title: A\ntitle: B\n" + DATE, False, id="duplicate-key"),
    pytest.param("Title: A\ntitle: B\n" + DATE, True, id="duplicate-after-lowercase"),
    pytest.param("Title: Judul\nDate: 2026-11-20\nTAGS: [a]\nKind: Tugas\nDue: 2026-12-01\n",
                 True, id="uppercase-keys"),
    pytest.param("title:\tJudul\n" + DATE, False, id="tab-after-colon"),
    pytest.param("title: Judul\t\n" + DATE, False, id="trailing-tab"),
    pytest.param("title: J\n" + DATE + "tags:\n\t- a\n", False, id="tab-indent"),
    pytest.param("title: &t Judul\nsummary: *t\n" + DATE, False, id="anchor-alias"),
    pytest.param("title: !!int abc\n" + DATE, False, id="tag-int-abc"),
    pytest.param("title: !!str 2026\n" + DATE + "draft: !!bool true\n", False, id="tags"),
    pytest.param("<<: {title: Judul}\n" + DATE, False, id="merge-key"),
    pytest.param("title: =\n" + DATE, False, id="value-key"),
    pytest.param("1: a\ntitle: J\n" + DATE, False, id="number-key"),
    pytest.param("title: J\n" + DATE + "summary: |\n  baris satu\n  baris dua\n", False,
                 id="literal-block"),
    pytest.param("title: J\n" + DATE + "summary: >-\n  a\n  b\n", False, id="folded-block"),
    pytest.param("title: J\n" + DATE + "summary: |\n \n  \n", False,
                 id="block-ruamel-refuses"),
    pytest.param("title: J\n" + DATE + "summary: satu\n  dua\n\n  tiga\n", True,
                 id="multi-line-plain"),
    pytest.param("title: J\n" + DATE + 'summary: "satu\n  dua"\n', True,
                 id="multi-line-quoted"),
    pytest.param("date:\n  created: 2026-11-20\ncategories: [mtk, Lain]\n"
                 "description: Ringkas\nauthors: [sari]\nreadtime: 5\n", True, id="mkdocs-blog"),
    pytest.param("title: J\n" + DATE + "slug: ../../index\n", True, id="slug-is-a-path"),
    pytest.param("title: J\n" + DATE + "attachments: [hilang.pdf]\n", True,
                 id="missing-attachment"),
    pytest.param("title: Judul\r\n" + "date: 2026-11-20\r\ntags: [a, b]\r\n", True, id="crlf"),
    pytest.param("title: J\rdate: 2026-11-20\n", False, id="lone-cr"),
    pytest.param("title: a\u2028b\n" + DATE, False, id="line-separator"),
    pytest.param("title: a\x85b\n" + DATE, False, id="next-line"),
    pytest.param("title: a\ufeffb\n" + DATE, False, id="byte-order-mark"),
    pytest.param("%YAML 1.1\ntitle: yes\n" + DATE, False, id="directive"),
    pytest.param("? title\n: Judul\n" + DATE, True, id="explicit-key"),
    pytest.param("title: J\n" + DATE + "tags: [[[[[[[[[[a]]]]]]]]]]\n", False, id="deep"),
    pytest.param("title: J\n" + DATE + "k" * 1100 + ": v\n", False, id="long-key"),
    pytest.param("title: J # catatan\ndate: 2026-11-20 # pagi\n", False, id="comments"),
    pytest.param("# catatan\ntitle: J\n" + DATE, False, id="comment-line"),
    pytest.param("title: Tugas C# dan F#\n" + DATE + "tags: [C#]\n", True, id="hash-in-words"),
    pytest.param("title: Bab 1: Pengantar\n" + DATE, False, id="colon-in-title"),
    pytest.param("title: [a, b]\n" + DATE + "tags:\n  a: b\n", True, id="wrong-types"),
    pytest.param("title: J\n" + DATE + "tags: {a: b}\n", False, id="flow-mapping"),
    pytest.param("title: J\n" + DATE + 'tags: [a, "b":c]\n', False, id="json-key-in-list"),
    pytest.param("title: J\n" + DATE + "tags: [[a], b]\n", False, id="list-in-list"),
    pytest.param("- title\n", False, id="list"),
    pytest.param("", False, id="empty"),
    pytest.param("tittle: J\n" + DATE + "kategori: x\n", True, id="unknown-keys"),
]


@pytest.mark.parametrize(("front", "fast"), TRICKY)
def test_tricky_front_matter_reads_as_with_ruamel(tiny_site: Path, front: str,
                                                  fast: bool) -> None:
    site = load_site(tiny_site)
    path = tiny_site.parent / "content" / "sari" / "x.md"
    path.write_bytes(f"---\n{front}---\n{BODY}".encode())
    assert (fast_yaml.load_simple(front) is not None) == fast
    with_fast_path, with_ruamel = both_ways(path, site)
    assert with_fast_path == with_ruamel


def test_yaml_1_2_values_through_the_fast_path(tiny_site: Path) -> None:
    site = load_site(tiny_site)
    path = tiny_site.parent / "content" / "sari" / "x.md"
    path.write_text("---\ntitle: 010\ndate: 2026-11-20 07:30:00+07:00\n"
                    "tags: [yes, no, on, off, 10:30, 2026-13-40]\n---\nIsi.\n")
    with fast_only():
        entry = read_post(path, "sari", site, Translator())
    assert entry.title == "10"
    assert entry.categories == ("yes", "no", "on", "off", "10:30", "2026-13-40")
    assert entry.published.isoformat() == "2026-11-20T07:30:00+07:00"


def test_every_example_post_takes_the_fast_path() -> None:
    """The example school and the test fixture read exactly as ruamel reads them, without
    ruamel: otherwise the fast path would save nothing on real posts."""
    for site_yml in (REPO / "site.yml", REPO / "tests" / "fixtures" / "tiny" / "site.yml"):
        site = load_site(site_yml)
        posts = sorted(site.content_dir.glob("*/*.md"))
        assert posts
        for path in posts:
            parts = split_front_matter(path.read_text(encoding="utf-8"))
            assert parts is not None
            assert fast_yaml.load_simple(parts[0]) is not None, path
            with ruamel_only():
                expected = outcome(path, site)
            with fast_only():
                assert outcome(path, site) == expected, path


def test_without_libyaml_everything_is_read_by_ruamel(tiny_site: Path) -> None:
    site = load_site(tiny_site)
    path = tiny_site.parent / "content" / "sari" / "2026-11-18-persamaan-kuadrat.md"
    expected = outcome(path, site)
    with mock.patch.object(fast_yaml, "CParser", None), \
            mock.patch.object(front_matter, "parse_yaml", wraps=front_matter.parse_yaml) as ruamel:
        assert fast_yaml.load_simple("title: Judul\n") is None
        assert outcome(path, site) == expected
    assert ruamel.called


# --- site.yml ----------------------------------------------------------------------------

def site_outcome(site_yml: Path) -> str:
    try:
        return repr(load_site(site_yml))
    except InputError as exc:
        return "\n".join(str(problem) for problem in exc.problems)


def test_a_site_yml_without_comments_takes_the_fast_path() -> None:
    site_yml = REPO / "tests" / "fixtures" / "tiny" / "site.yml"
    with ruamel_only():
        expected = site_outcome(site_yml)
    assert "Site(" in expected
    with fast_only():
        assert site_outcome(site_yml) == expected


def test_the_example_site_yml_reads_the_same() -> None:
    """It has comments, as `mading init` writes them: read by ruamel (see below)."""
    site_yml = REPO / "site.yml"
    assert fast_yaml.load_simple(site_yml.read_text(encoding="utf-8")) is None
    with ruamel_only():
        expected = site_outcome(site_yml)
    assert "Site(" in expected
    assert site_outcome(site_yml) == expected


def test_comments_are_left_to_ruamel() -> None:
    # ruamel's round trip keeps comments to write them back, and fails on this one
    # ("overlap in comment", found by fuzz/test_fuzz_fast_yaml.py; a YAML mistake for the
    # user): libyaml must not read it instead, or the fast path would change what users see.
    text = "title: # judul di baris berikut\n  Judul\n\ndate: 2026-11-20\n"
    with pytest.raises(InputError, match="overlap in comment"):
        parse_yaml(text, "x.md", Translator())
    assert fast_yaml.load_simple(text) is None


@pytest.mark.parametrize("change", [
    pytest.param(("classes: [X-1, X-2, XI-1]",
                  "classes: [X-1, X-2, XI-1]\nportal: {page_size: 010, active_days: +30}"),
                 id="leading-zero"),
    pytest.param(("classes: [X-1, X-2, XI-1]", "classes: [yes, no, 10:30]"), id="yaml-1.1"),
    pytest.param(("  language: id", "  language: id\n  lang: id"), id="unknown-key"),
    pytest.param(("  language: id", "  language: id\n  language: en"), id="duplicate-key"),
    pytest.param(("    slug: sari", "    slug: budi"), id="duplicate-slug"),
    pytest.param(("    slug: sari", "    slug:"), id="empty-slug"),
    pytest.param(("  - name: Fisika", "  - Fisika\n  - name: Fisika"), id="duplicate-subject"),
    pytest.param(("    subjects: [Matematika]", "    subjects: [Matematka]"), id="unknown-subject"),
    pytest.param(("  url: https://uji.sch.id/portal/", "  url: !!str 1"), id="tag"),
    pytest.param(("school:\n  name: SMA Uji Coba", "school:\n  name:"), id="missing-name"),
])
def test_site_yml_reads_as_with_ruamel(tiny_site: Path, change: tuple[str, str]) -> None:
    text = tiny_site.read_text(encoding="utf-8")
    assert change[0] in text
    tiny_site.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    fast = site_outcome(tiny_site)
    with ruamel_only():
        assert site_outcome(tiny_site) == fast


def test_the_example_school_reads_the_same(tmp_path: Path) -> None:
    """The whole example school (posts with images, tasks, drafts) through `read_content`."""
    site = load_site(copy_example(tmp_path))
    fast = content.read_content(site)
    with ruamel_only():
        assert content.read_content(site) == fast
