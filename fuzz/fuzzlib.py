"""Strategies the fuzz targets share: YAML values of every type, and byte mutations."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML

TRICKY_TEXT = (
    "", " ", "~", "null", "yes", "no", "on", "0x1F", "0o17", "1e400", ".nan", "-.inf", "=",
    "2026-11-20", "2026-11-20 07:30", "2026-11-20 07.30", "2026-11-20T07:30", "2026-02-30",
    "2026-13-40", "2026-11-20 24:00", "2026-11-20 07:99", "9999-12-31 23:59", "0001-01-01",
    "20261120", "2026-11-20 07:30:00+07:00", "http://", "https://", "https://[::1",
    "http://a:0/", "http://a:99999/", "http://xn--/", "https://ex ample.sch.id/",
    "https://sekolah.sch.id/?a=1#b", "javascript:alert(1)", "htps://typo.example/",
    "../../etc/passwd", "/etc/passwd", "a\x00b", "\u202egnp.exe", "\U0001d54f",
    "con", "*", "&a", "!!python/object:os.system", "{{ x }}", "<script>x</script>", "%",
    "\t", "a\nb", "\r", "\ufeff", "Asia/Jakarta", "UTC", "../zoneinfo", "Asia/Jakarta/..",
    "id", "en", "EN", "materi", "Tugas", "pengumuman", "img/foto.jpg", "feeds/a.xml",
    "content", ".", "..", "mtk", "Matematika", "X-1", "x-1", "!!", "-", "guru", "mapel",
    "www.youtube.com", "*.example.com", "x" * 300, "Sari Wulandari, S.Pd.", "True",
)
"""Strings that mean something to YAML, URLs, paths, dates or the schema."""

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
tricky_texts = st.sampled_from(TRICKY_TEXT) | texts
scalars = (st.none() | st.booleans() | st.integers() | st.floats() | tricky_texts
           | st.dates() | st.datetimes())
keys = tricky_texts | st.integers() | st.booleans() | st.none()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=10)
"""Any value YAML can hold, nested: what a key holds when someone got its type wrong."""


CLI_FRAMES = 30
"""Frames below the library call when `mading` runs it (main, build, read_content…)."""


@contextmanager
def cli_stack() -> Iterator[None]:
    """Run with the stack room `mading` has: Python's default limit of 1,000 frames.

    Hypothesis raises the recursion limit while a test runs, which would hide the
    RecursionError that deeply nested input causes in a real build.
    """
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 1000 - CLI_FRAMES)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def either(plausible: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The right kind of value for a key, or any value at all."""
    return plausible | values


def dump_yaml(data: Any) -> str:
    """`data` as YAML text (ruamel's safe dumper, as a person might have written it)."""
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


YAML_SNIPPETS = (
    b":", b": ", b"- ", b"? ", b"{", b"}", b"[", b"]", b",", b"&a ", b"*a", b"!!str ",
    b"!!int ", b"!!binary ", b"!!timestamp ", b"!!python/name:os.system ", b"<<: *a\n",
    b"'", b'"', b"|", b">", b"#", b"%YAML 1.1\n", b"---\n", b"...\n", b"\t", b"  ",
    b"\n", b"\r\n", b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xe2\x80", b"\\", b"@", b"`",
    b"name:", b"  - name: ", b"slug: ", b"blog: ", b"date: ", b"title: ", b"2026-13-40",
    b"[[[[[[[[[[[[[[[[[[[[", b"{a: {b: {c: {d: [", b"&x [*x]", b"~",
)


@st.composite
def mutated(draw: st.DrawFn, seeds: st.SearchStrategy[bytes]) -> bytes:
    """One of `seeds` after a few random edits: insert, delete, replace, duplicate or
    swap lines, re-indent, truncate, flip bytes."""
    data = bytearray(draw(seeds))
    snippet = st.sampled_from(YAML_SNIPPETS) | st.binary(max_size=8) | texts.map(
        lambda t: t.encode("utf-8"))
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.integers(0, len(data)))
        span = draw(st.integers(0, 20))
        operation = draw(st.sampled_from(
            ("insert", "delete", "replace", "line", "indent", "truncate", "flip")))
        if operation == "insert":
            data[where:where] = draw(snippet)
        elif operation == "delete":
            del data[where:where + span]
        elif operation == "replace":
            data[where:where + span] = draw(snippet)
        elif operation == "line":
            lines = bytes(data).split(b"\n")
            a, b = (draw(st.integers(0, len(lines) - 1)) for _ in range(2))
            if draw(st.booleans()):
                lines.insert(b, lines[a])
            else:
                lines[a], lines[b] = lines[b], lines[a]
            data = bytearray(b"\n".join(lines))
        elif operation == "indent":
            lines = bytes(data).split(b"\n")
            a = draw(st.integers(0, len(lines) - 1))
            shift = draw(st.integers(-4, 4))
            lines[a] = b" " * shift + lines[a] if shift > 0 else lines[a][-shift:]
            data = bytearray(b"\n".join(lines))
        elif operation == "truncate":
            del data[where:]
        elif data:
            data[min(where, len(data) - 1)] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)
