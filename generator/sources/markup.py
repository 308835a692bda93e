"""A teacher's Markdown as HTML: the extensions teachers need, then the sanitizer.

Python-Markdown with pymdown-extensions does the work: tables, footnotes, admonitions
(`!!! catatan`), task lists, code highlighted by Pygments, and math written as `$...$` or
`$$...$$`. Two small pieces are ours, because no extension does them:
- math becomes MathML at build time (latex2mathml), which browsers draw without a
  script or a CDN: students on little data download no math library;
- a YouTube address alone on a line becomes the video's embed.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from functools import cache
from typing import Any

import latex2mathml.converter
import markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension

from generator.sanitize import sanitize_html

EXTENSIONS: list[Any] = [
    "extra", "admonition", "sane_lists", "pymdownx.tilde", "pymdownx.tasklist",
    "pymdownx.superfences", "pymdownx.highlight", "pymdownx.arithmatex",
]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "pymdownx.arithmatex": {"generic": True},
    "pymdownx.highlight": {"use_pygments": True, "guess_lang": False},
    # An English tooltip ("Jump back to footnote") on an Indonesian page helps no one.
    "extra": {"footnotes": {"BACKLINK_TITLE": ""}},
}
_MATH = re.compile(r'<(span|div) class="arithmatex">\\[(\[](.*?)\\[)\]]</\1>', re.DOTALL)
_YOUTUBE_LINE = re.compile(
    r"^\s*<?https?://(?:www\.|m\.)?(?:youtube\.com/watch\?(?:\S*&)?v=|youtu\.be/)"
    r"([A-Za-z0-9_-]{11})\S*?>?\s*$")


class _YouTubeLine(BlockProcessor):  # type: ignore[misc]  # markdown is untyped
    """A paragraph that is nothing but a YouTube address becomes the video's iframe."""

    def test(self, parent: ET.Element, block: str) -> bool:
        return bool(_YOUTUBE_LINE.match(block))

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        match = _YOUTUBE_LINE.match(blocks.pop(0))
        assert match is not None
        frame = ET.SubElement(parent, "iframe", {
            "src": f"https://www.youtube-nocookie.com/embed/{match.group(1)}",
            "width": "560", "height": "315", "title": "YouTube", "allowfullscreen": ""})
        frame.text = ""


class _YouTubeExtension(Extension):  # type: ignore[misc]
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.parser.blockprocessors.register(_YouTubeLine(md.parser), "youtube_line", 75)


def _mathml(match: re.Match[str]) -> str:
    tag, tex = match.group(1), html.unescape(match.group(2)).strip()
    display = "block" if tag == "div" else "inline"
    try:
        return str(latex2mathml.converter.convert(tex, display=display))
    except Exception:  # latex2mathml raises many kinds; unreadable TeX stays as its source
        return f'<code class="math-error">{html.escape(tex)}</code>'


MAX_NESTING = 50
"""How deep lists and quotes may nest in a post. Python-Markdown parses them recursively,
so a copy-paste gone wrong (hundreds of levels) ends in a RecursionError or not,
depending on the release (issue 26); Mading bounds it itself, far beyond what a post
needs."""
_LIST_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")


def nesting_depth(line: str) -> int:
    """How deep a line's text sits: every `>`, every list marker before text, and every
    four columns of indentation besides the marks' own spaces count one level. A line
    of markers alone (`- - -`, a rule) counts only its quotes and indentation."""
    quotes = markers = columns = position = 0
    while position < len(line):
        char = line[position]
        if char in " \t":
            columns += 4 if char == "\t" else 1
        elif char == ">":
            quotes += 1
            if line.startswith(" ", position + 1):  # `> ` is one mark, not indentation
                position += 1
        else:
            marker = _LIST_MARKER.match(line, position)
            if marker is None:
                break
            markers += 1
            position = marker.end()
            continue
        position += 1
    has_text = position < len(line)
    return quotes + columns // 4 + (markers if has_text else 0)


def too_deep(text: str) -> int | None:
    """The number (from 1) of the first line of `text` nested deeper than `MAX_NESTING`,
    or None."""
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_NESTING and nesting_depth(line) > MAX_NESTING:
            return number
    return None


MATH_SIGNS = ("$", "\\")
"""Math, as arithmatex reads it, starts with one of these: `$`, `$$`, `\\(`, `\\[`,
`\\begin{...}`."""


@cache
def _converter(math: bool) -> markdown.Markdown:
    """One converter per process, reset between posts: setting up the extensions costs a
    third as much as converting a post.

    Without `math`, arithmatex is left out. Its patterns are tried on every piece of
    text and took a fifth of the conversion's time, for the nine posts in ten with no
    math sign, where they can match nothing (bench/RESULTS.md)."""
    extensions = [name for name in EXTENSIONS if math or name != "pymdownx.arithmatex"]
    return markdown.Markdown(extensions=[*extensions, _YouTubeExtension()],
                             extension_configs=EXTENSION_CONFIGS, output_format="html")


def markdown_to_html(text: str, embed_hosts: tuple[str, ...]) -> str:
    """Render a post's Markdown body to sanitized HTML."""
    converter = _converter(any(sign in text for sign in MATH_SIGNS))
    converter.reset()
    try:
        converted = converter.convert(text)
    except Exception:
        # Cut short (a RecursionError on lists nested hundreds deep), the parser keeps its
        # stack of states, which reset() leaves alone: every later post of this process
        # would be parsed as if inside those lists, or fail (found by fuzz/, issue 8).
        _converter.cache_clear()
        raise
    rendered = _MATH.sub(_mathml, converted)
    return sanitize_html(rendered, embed_hosts=embed_hosts, from_markdown=True)
