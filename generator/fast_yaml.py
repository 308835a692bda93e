"""A fast path for plain YAML: libyaml's parser, with the values ruamel.yaml gives.

`schema.parse_yaml` (ruamel.yaml's round-trip loader) keeps the line of every key, which
the `FILE:LINE: message` errors need, but it is pure Python: 3.4 ms for a post's usual
front matter, a third of reading the post. libyaml (PyYAML's C parser) reads it in
0.2 ms. `load_simple` returns what `parse_yaml` would, YAML 1.2 values included (`no`
is text, `010` is 10, `2026-13-40` stays text), but only for plain input: a mapping of
text keys holding scalars, lists of scalars and block mappings, with no comment, tag,
anchor, alias, directive, duplicate key, flow mapping (`{a: b}`), block scalar (`|`,
`>`), float, tab or unusual character. For anything else it returns None and the caller
parses with ruamel, which gives the same values or the located problem.

The result carries no line numbers, so a caller uses it only while nothing is wrong:
as soon as a check finds a problem, it parses again with ruamel for the lines.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarint import ScalarInt

try:
    from yaml import (
        DocumentEndEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
        YAMLError,
    )
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without libyaml: its pure-Python parser is no faster
    CParser = None

MAX_DEPTH = 8
"""Deeper nesting is left to ruamel, which reports what is too deep for it."""

_UNUSUAL_TEXT = re.compile(
    "\r(?!\n)|[^\r\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
    "\U00010000-\U0010ffff]|(?:\\A|[\\s,\\[\\]{}\"':])#")
"""Where the two parsers may part: comments (ruamel keeps them for writing back, and
`a: # x` over an indented value and a blank line crashes it), tabs, control characters,
lone CRs, YAML 1.1's line breaks (NEL, U+2028, U+2029), byte order marks, non-characters.
A `#` inside a word (`C#`) is no comment."""

_IMPLICIT: dict[str, list[tuple[str, Any]]] = VersionedResolver(version=(1, 2)).versioned_resolver
"""ruamel's own YAML 1.2 rules for plain scalars, by first character (`yes` is text)."""
_STR = "tag:yaml.org,2002:str"
_DIGITS = re.compile(r"[-+]?[0-9]+")
_TIMESTAMPS = RoundTripConstructor()
"""Only its `construct_yaml_timestamp` is used, which keeps no state."""


class _Unusual(Exception):
    """Input the fast path leaves to ruamel."""


def load_simple(text: str) -> dict[str, Any] | None:
    """The mapping `text` holds, as `schema.parse_yaml` reads it but without lines; None
    when the text is anything but a plain mapping (or libyaml is missing)."""
    if CParser is None or _UNUSUAL_TEXT.search(text):
        return None
    parser = CParser(text)
    try:
        return _document(parser)
    except (_Unusual, YAMLError):
        return None
    finally:
        parser.dispose()


def _document(parser: Any) -> dict[str, Any]:
    parser.get_event()  # the stream's start
    start = parser.get_event()
    if not isinstance(start, DocumentStartEvent) or start.explicit or start.version \
            or start.tags:
        raise _Unusual
    event = parser.get_event()
    if not isinstance(event, MappingStartEvent):
        raise _Unusual
    data = _mapping(parser, event, 1)
    end = parser.get_event()
    if not isinstance(end, DocumentEndEvent) or end.explicit:
        raise _Unusual
    if not isinstance(parser.get_event(), StreamEndEvent):  # a second document
        raise _Unusual
    return data


def _node(parser: Any, event: Any, depth: int) -> Any:
    if isinstance(event, ScalarEvent):
        if event.anchor is not None or event.tag is not None:
            raise _Unusual
        return _scalar(event)
    if isinstance(event, MappingStartEvent):
        return _mapping(parser, event, depth)
    if isinstance(event, SequenceStartEvent) and event.anchor is None and event.tag is None \
            and depth <= MAX_DEPTH:
        items = []
        while not isinstance(item := parser.get_event(), SequenceEndEvent):
            if isinstance(item, SequenceStartEvent):  # no list in a list: Mading has none
                raise _Unusual
            items.append(_node(parser, item, depth + 1))
        return items
    raise _Unusual  # an alias, or nested too deep


def _mapping(parser: Any, start: Any, depth: int) -> dict[str, Any]:
    # Block mappings only: in flow context libyaml reads YAML 1.2's `["key":value]`,
    # which ruamel refuses (found by fuzz/test_fuzz_fast_yaml.py).
    if start.anchor is not None or start.tag is not None or start.flow_style \
            or depth > MAX_DEPTH:
        raise _Unusual
    mapping: dict[str, Any] = {}
    while not isinstance(event := parser.get_event(), MappingEndEvent):
        # Text keys only, written plain or quoted: ruamel refuses a repeated one.
        if not isinstance(event, ScalarEvent) or event.anchor is not None \
                or event.tag is not None or event.style not in ("", "'", '"'):
            raise _Unusual
        key = _scalar(event)
        if not isinstance(key, str) or key in mapping:
            raise _Unusual
        mapping[key] = _node(parser, parser.get_event(), depth + 1)
    return mapping


def _scalar(event: Any) -> Any:
    """The value ruamel's round-trip constructor builds for an untagged scalar."""
    value: str = event.value
    if event.style in ("|", ">"):
        # ruamel refuses some block scalars libyaml reads (a first blank line less
        # indented than the next), and builds its own string types for the others.
        raise _Unusual
    if event.style:  # quoted
        return value
    tag = next((tag for tag, rule in _IMPLICIT.get(value[:1], ()) if rule.match(value)), _STR)
    if tag == _STR:
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:int" and _DIGITS.fullmatch(value) and len(value) < 100:
        digits = value.lstrip("+-")
        # ruamel keeps the width of `010` (10 in YAML 1.2) for writing it back.
        return ScalarInt(int(value), width=len(digits)) if digits[0] == "0" else int(value)
    if tag == "tag:yaml.org,2002:timestamp":
        # ruamel's own constructor, so that dates and times are exactly its own types.
        try:
            return _TIMESTAMPS.construct_yaml_timestamp(event)
        except ValueError:  # `2026-13-40`: text, as config._Constructor leaves it
            return value
        except Exception:  # anything else is for ruamel to report
            raise _Unusual from None
    raise _Unusual  # floats (ruamel's ScalarFloat), 0x1F, 1_000, `<<`, `=`
