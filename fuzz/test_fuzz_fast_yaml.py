"""Fuzz the libyaml fast path (`generator/fast_yaml.py`) against ruamel.yaml.

The property: the fast path never changes what a user sees. Whenever `load_simple`
returns a mapping, ruamel reads the same text without a problem and builds the same
values, of the same types; and a post (or site.yml) read with the fast path is the one
read by ruamel alone, with the same problems on the same lines.

Generated: front matter written line by line from the pieces where YAML parsers differ
(plain, quoted and block scalars, flow and block lists, comments, indentation, escapes,
CRLF, the words YAML 1.1 and 1.2 read differently), structured documents of any values,
and raw mutations of a valid post and site.yml.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from fuzzlib import dump_yaml, mutated, texts, tricky_texts, values
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz_config import SEEDS, site_folder
from test_fuzz_content import SITES, VALID, posts

from generator import fast_yaml
from generator.config import load_site, parse_yaml
from generator.errors import InputError
from generator.i18n import Translator
from generator.sources.content import read_post


@contextmanager
def ruamel_only() -> Iterator[None]:
    """Read YAML as before the fast path: ruamel.yaml alone."""
    with mock.patch.object(fast_yaml, "load_simple", return_value=None):
        yield


def typed(value: Any) -> Any:
    """`value` with the type of every part, so that 10 and ScalarInt(10), a date and a
    TimeStamp, or two equal instants in other time zones compare different."""
    if isinstance(value, dict):
        return "map", [(typed(k), typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return "seq", [typed(v) for v in value]
    return type(value).__name__, repr(value), str(value)


WORDS = ("a", "Bab 2", "yes", "No", "ON", "off", "y", "null", "Null", "~", "true", "FALSE",
         "010", "0", "-0", "+12", "0x1F", "0o17", "1_000", "1.5", "1e3", ".inf", ".NaN",
         "10:30", "1:20:30", "2026-11-20", "2026-11-20 07:30", "2026-11-20 07:30:00",
         "2026-11-20T07:30:00+07:00", "2026-11-20t07:30:00.5Z", "2026-1-2 3:04:05",
         "2026-13-40", "2026-02-30 07:30:00", "0000-01-01", "<<", "=", "é", "\u00a0", "🙂",
         "ü", "—", "x" * 130)
PIECES = (" ", "  ", ":", ": ", "-", "- ", "#", " #", ",", ", ", "[", "]", "{", "}", "'", '"',
          "!", "&", "*", "%", "@", "`", "|", ">", "?", "? ", "\\", "\t", "\r", "\n", "\u2028",
          "\x85", "\ufeff", "...", "---")
scalar_text = st.lists(st.sampled_from(WORDS) | st.sampled_from(PIECES) | texts,
                       max_size=5).map("".join)
"""Any text, YAML's special characters often among it: mostly a mistake somewhere."""
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
"""Tidy text, which both parsers read: the values are what may differ."""
PLAIN_WORDS = tuple(w for w in WORDS if w not in ("0x1F", "0o17", "1_000", "1.5", "1e3", ".inf",
                                                  ".NaN", "<<", "="))
plain_words = st.lists(st.sampled_from(PLAIN_WORDS), min_size=1, max_size=3).map(" ".join)
"""Words the fast path reads itself: no float, hexadecimal, merge key..."""
ESCAPES = ("\\n", "\\t", "\\\\", '\\"', "\\/", "\\ ", "\\_", "\\N", "\\L", "\\P", "\\e",
           "\\0", "\\x41", "\\u00e9", "\\U0001F642", "\\uD800", "\\q", "\\\n  ")


def values_of(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A value written plain, quoted, as a list or a block scalar, from `text`."""
    quoted = (text.map(lambda t: "'" + t.replace("'", "''") + "'")
              | st.lists(st.sampled_from(ESCAPES) | text.map(lambda t: t.replace('"', "")),
                         max_size=4).map(lambda parts: '"' + "".join(parts) + '"')
              | text.map(lambda t: f"'{t}'"))
    pair = st.builds(lambda k, colon, v: f"{k}{colon}{v}", text | quoted,
                     st.sampled_from((":", ": ")), text | quoted)
    flow_list = st.lists(text | quoted | pair, max_size=4).map(
        lambda items: "[" + ", ".join(items) + "]")
    flow_mapping = st.lists(pair, max_size=3).map(lambda items: "{" + ", ".join(items) + "}")
    block_scalar = st.builds(
        lambda style, chomp, indent, lines, gap: f"{style}{chomp}{indent}\n" + "".join(
            (" " * gap if i == 0 else "  ") + line + "\n" for i, line in enumerate(lines)),
        st.sampled_from("|>"), st.sampled_from(("", "-", "+")), st.sampled_from(("", "2", "1")),
        st.lists(text, max_size=4), st.sampled_from((1, 2, 2, 4)))
    block_list = st.builds(
        lambda indent, items: "\n" + "".join(f"{' ' * indent}- {item}\n" for item in items),
        st.sampled_from((0, 2, 3)),
        st.lists(text | quoted | flow_list | pair, min_size=1, max_size=3))
    multi_line = st.lists(text, min_size=2, max_size=3).map("\n  ".join)
    return (text | quoted | flow_list | flow_mapping | block_scalar | block_list | multi_line
            | st.just(""))


KEYS = ("title", "Title", "TITLE", "date", "Date", "due", "subjects", "classes", "kind", "tags",
        "summary", "draft", "attachments", "categories", "description", "slug", "tittle")
comment = st.sampled_from(("", "", " # catatan", "#x", "  #"))
OTHER_LINES = ("", "# komentar", "  ", "%YAML 1.1", "---", "date:\n  created: 2026-11-20",
               "title: Judul", "date: 2026-11-20", "? title\n: Judul")


def lines_of(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    key = st.sampled_from(KEYS) | values_of(text).filter(lambda v: "\n" not in v)
    return st.builds(lambda k, v, c: f"{k}:{' ' if v else ''}{v}{c}",
                     key, values_of(text), comment) | st.sampled_from(OTHER_LINES)


LINES = (lines_of(plain_words), lines_of(words), lines_of(scalar_text))


@st.composite
def front_matters(draw: st.DrawFn) -> str:
    """Front matter as a person writes it: lines of `key: value`, sometimes indented."""
    lines = draw(st.lists(draw(st.sampled_from(LINES)), max_size=7))
    if draw(st.booleans()):
        lines = [draw(st.sampled_from(("", "", " ", "  "))) + line for line in lines]
    front = "\n".join(lines) + draw(st.sampled_from(("\n", "", "\n\n")))
    return front.replace("\n", "\r\n") if draw(st.booleans()) else front


yaml_texts = front_matters() | st.dictionaries(tricky_texts, values, max_size=5).map(dump_yaml) \
    | mutated(st.just(VALID.split(b"---\n")[1])).map(lambda b: b.decode("utf-8", "replace"))


@given(yaml_texts)
def test_fast_values_are_ruamels(text: str) -> None:
    fast = fast_yaml.load_simple(text)
    if fast is None:
        return
    try:
        slow = parse_yaml(text, "x.yml", Translator())
    except InputError as exc:
        raise AssertionError(f"ruamel refuses what libyaml read as {fast!r}: {exc}") from None
    assert typed(fast) == typed(slow)


def outcome(path: Path, site_index: int) -> str:
    """What a user gets from the post at `path`: its entry, its problems, or the crash
    ruamel has on a few comments (which the fast path must leave as it is)."""
    site = SITES[site_index]
    try:
        return repr(read_post(path, "sari", site, Translator(site.school.language)))
    except InputError as exc:
        return repr(exc.problems)
    except Exception as exc:
        return f"crash: {exc!r}"


def check_post(data: bytes, site_index: int) -> None:
    path = SITES[site_index].root / "content" / "sari" / "tulisan.md"
    path.write_bytes(data)
    try:
        fast = outcome(path, site_index)
        with ruamel_only():
            assert outcome(path, site_index) == fast
    finally:
        path.unlink()


@given(front_matters(), st.sampled_from(("", "# Judul dari heading\n\nIsi.\n")),
       st.integers(0, len(SITES) - 1))
def test_post_reads_the_same_either_way(front: str, body: str, site_index: int) -> None:
    check_post(f"---\n{front}\n---\n{body}".encode(), site_index)


@given(posts() | mutated(st.just(VALID)), st.integers(0, len(SITES) - 1))
def test_generated_post_reads_the_same_either_way(data: bytes, site_index: int) -> None:
    check_post(data, site_index)


def site_outcome(config: Path) -> str:
    try:
        return repr(load_site(config))
    except InputError as exc:
        return repr(exc.problems)
    except Exception as exc:
        return f"crash: {exc!r}"


@given(mutated(SEEDS))
def test_site_yml_reads_the_same_either_way(text: bytes) -> None:
    with site_folder(text) as config:
        fast = site_outcome(config)
        with ruamel_only():
            assert site_outcome(config) == fast
