"""The allow-list that all foreign HTML passes before it is stored or shown.

nh3 (Rust's ammonia) does the parsing and cleaning; this module only decides what is
allowed. Feed HTML and teachers' Markdown output go through the same function.
"""

from __future__ import annotations

import html
import re
from copy import deepcopy
from urllib.parse import urljoin, urlsplit, urlunsplit

import nh3

EMBED_HOSTS = ("www.youtube.com", "www.youtube-nocookie.com")
"""Hosts whose iframes may stay in a post: lesson videos are mostly on YouTube."""
TRACKING_HOSTS = frozenset({"pixel.wp.com", "stats.wordpress.com", "feeds.feedburner.com",
                            "feeds.wordpress.com"})
"""Hosts of the view-counting images that blog platforms put into their feeds."""
_IMG = re.compile(r"<img\b[^>]*>")
_CELL = re.compile(r"<t[hd]\b[^>]*>")
_CELL_STYLE = re.compile(r' style="text-align: (left|right|center)"')
_ALIGN_CLASS = re.compile(r"align-(left|right|center)")
_NOT_PROSE = re.compile(r"<(table|pre|figure|iframe)\b.*?</\1>", re.DOTALL)
_CANONICAL_HOSTS = {"youtube.com": "www.youtube.com"}
"""Embed hosts written the way the pages' Content-Security-Policy (`frame-src`) names them."""
_SCHEMES = ("http", "https", "mailto", "tel")
_IFRAME_FEATURES = ("fullscreen", "picture-in-picture", "encrypted-media")
"""What a video needs of the browser; an embed asking for the camera, the microphone or
the reader's location (`allow="camera; microphone; geolocation"`) gets none of it."""

_TAGS = (set(nh3.ALLOWED_TAGS) | {"iframe"}) - {"area", "map"}
_ATTRIBUTES = deepcopy(nh3.ALLOWED_ATTRIBUTES)
_ATTRIBUTES["iframe"] = {"src", "width", "height", "title", "allow", "allowfullscreen"}
_ATTRIBUTES["img"] = {"src", "alt", "width", "height", "title"}
# `class` only as the sanitizer itself writes it (`align-center`): cleaning HTML twice, as
# an archive import does, must not lose the alignment (tests/test_paths.py).
_ATTRIBUTES["th"] = {"colspan", "rowspan", "scope", "align", "style", "class"}
_ATTRIBUTES["td"] = {"colspan", "rowspan", "align", "style", "class"}
for _tag in ("div", "span", "code", "pre", "p", "ul", "li", "a", "sup"):
    _ATTRIBUTES.setdefault(_tag, set()).add("class")
# Footnotes link to `#fn:1` and back: their ids must stay (checked in keep_attribute).
for _tag in ("li", "sup", "h1", "h2", "h3", "h4", "h5", "h6"):
    _ATTRIBUTES.setdefault(_tag, set()).add("id")
# Task lists (`- [x] done`) are checkboxes that can never be changed nor sent anywhere.
# nh3 writes the attributes it adds in no fixed order when a tag gets several, and the
# output must be the same at every build (deploys upload what changed): one per tag.
_INPUT_TYPES = {"input": {"type": {"checkbox"}}}
# MathML for math that the build converted from a teacher's `$...$`. Feeds get none of it:
# foreign MathML is a known place for parser-confusion (mutation XSS) tricks.
_MATH_TAGS = {"math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt",
              "mroot", "msup", "msub", "msubsup", "munder", "mover", "munderover", "mtable",
              "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "semantics",
              "annotation"}
_MATH_ATTRIBUTES = {"math": {"display", "xmlns"}, "mstyle": {"displaystyle", "scriptlevel"},
                    "mo": {"stretchy", "fence", "form", "separator", "lspace", "rspace",
                           "largeop", "movablelimits", "symmetric", "minsize", "maxsize"},
                    "mspace": {"width"}, "mtable": {"columnalign", "rowspacing"},
                    "mfrac": {"linethickness"}, "menclose": {"notation"},
                    "mpadded": {"width", "height", "depth", "lspace", "voffset"}}
_ID = re.compile(r"[A-Za-z][A-Za-z0-9:_.-]{0,63}")
_URL_ATTRIBUTES = {"href", "src", "cite"}
# nh3 writes every attribute as ` name="value"` with `"`, `<` and `>` escaped inside values
# and `<`, `>` escaped in text, so the regular expressions below read its output exactly: a
# `<` starts a tag, a start tag ends at the first `>`, and a ` src=` inside another
# attribute's value is text. The one exception is the content of an iframe, which HTML
# keeps as raw text: `_tidy_iframe` drops it (tests/test_xss.py, vectors 1201 and 1202).
_IFRAME = re.compile(r'<iframe((?:\s[^\s="]+(?:="[^"]*")?)*)\s*>.*?</iframe>', re.DOTALL)
_INPUT = re.compile(r"<input\b[^>]*>")
_ATTRIBUTE_NAME = re.compile(r'\s([^\s="]+)(?:="[^"]*")?')
_FIRST_IMG = re.compile(r"<img[^>]*?\ssrc=\"([^\"]+)\"")


def sanitize_html(fragment: str, base_url: str | None = None,
                  embed_hosts: tuple[str, ...] = EMBED_HOSTS, from_markdown: bool = False) -> str:
    """Clean `fragment` for display on the portal.

    Relative links and images are resolved against `base_url` (the post's own address) so
    they keep working on the portal; iframes survive only from `embed_hosts`; images and
    iframes load lazily; links to other sites get `rel="noopener noreferrer"`. MathML and
    task-list checkboxes are kept only `from_markdown`: the build's own rendering of a
    teacher's Markdown, never a feed's HTML.
    """

    def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
        # nh3 checks URL schemes before calling this filter, not after: what it returns
        # must be checked here.
        if attribute in _URL_ATTRIBUTES:
            url = _safe_url(value, base_url)
            if url is None or tag != "iframe":
                return url
            return _embed_url(url, embed_hosts) if attribute == "src" else None
        if attribute == "allow":
            return _allowed_features(value)
        if attribute == "id":
            return value if _ID.fullmatch(value) else None
        if attribute == "class" and tag in ("td", "th"):
            return value if _ALIGN_CLASS.fullmatch(value) else None
        if attribute == "style":
            # Only cell alignment, which Markdown tables emit as `text-align: ...`.
            match = re.fullmatch(r"\s*text-align:\s*(left|right|center)\s*;?\s*", value)
            return f"text-align: {match.group(1)}" if match else None
        return value

    tags, attributes = _TAGS, _ATTRIBUTES
    if from_markdown:
        tags = _TAGS | _MATH_TAGS | {"input"}
        attributes = {**_ATTRIBUTES, **_MATH_ATTRIBUTES, "input": {"checked"}}
    cleaned = nh3.clean(
        fragment,
        tags=tags,
        clean_content_tags={"script", "style", "template", "noscript", "textarea", "select"},
        attributes=attributes,
        attribute_filter=keep_attribute,
        url_schemes=set(_SCHEMES),
        link_rel="noopener noreferrer",
        tag_attribute_values=_INPUT_TYPES if from_markdown else None,
        set_tag_attribute_values={"img": {"loading": "lazy"}, "iframe": {"loading": "lazy"},
                                  "input": {"disabled": "disabled"}},
    )
    cleaned = _IMG.sub(_drop_tracking_pixel, _IFRAME.sub(_tidy_iframe, cleaned))
    if from_markdown:
        cleaned = _INPUT.sub(_keep_checkbox, cleaned)
    return _CELL.sub(_align_class, cleaned)


def _align_class(match: re.Match[str]) -> str:
    """The pages' CSP allows no inline style: a cell's alignment becomes a class of the
    theme, unless the cell already has its class (HTML cleaned a second time)."""
    cell = match.group(0)
    style = _CELL_STYLE.search(cell)
    if style is None:
        return cell
    if ' class="' in cell:
        return cell.replace(style.group(0), "", 1)
    return cell.replace(style.group(0), f' class="align-{style.group(1)}"', 1)


def _safe_url(value: str, base_url: str | None) -> str | None:
    """`value` resolved against `base_url`, if it is relative or uses an allowed scheme."""
    value = value.strip()
    try:
        url = urljoin(base_url, value) if base_url else value
        scheme = urlsplit(url).scheme
    except ValueError:  # an unclosed IPv6 bracket...
        return None
    return url if not scheme or scheme in _SCHEMES else None


def _embed_url(value: str, embed_hosts: tuple[str, ...]) -> str | None:
    """An iframe address from an allowed host, rebuilt from its parts, or None.

    Rebuilt because browsers and Python read odd addresses differently: for
    `https://evil.example\\@www.youtube.com/` Python's host is YouTube, a browser's is
    evil.example (a backslash ends the host). Anything odd is refused.
    """
    if any(c == "\\" or c.isspace() or not c.isprintable() for c in value):
        return None
    try:
        parts = urlsplit(value)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    host = _CANONICAL_HOSTS.get(host or "", host)
    if parts.scheme != "https" or host not in embed_hosts or port or parts.username \
            or parts.password:
        return None
    return urlunsplit(("https", host, parts.path or "/", parts.query, ""))


def _allowed_features(value: str) -> str | None:
    """An iframe's `allow` (a Permissions Policy) kept to `_IFRAME_FEATURES`, each for the
    embed's own origin (its allow-list, such as `*`, dropped); None when none is left."""
    features = [part.split()[0].lower() for part in value.split(";") if part.split()]
    kept = [name for name in _IFRAME_FEATURES if name in features]
    return "; ".join(kept) or None


def _drop_tracking_pixel(match: re.Match[str]) -> str:
    """Blog platforms append a 1x1 image that reports each view to them: drop it, so that
    students reading the portal are not counted and tracked by third parties."""
    tag = match.group(0)
    source = re.search(r'\ssrc="([^"]*)"', tag)
    host = urlsplit(html.unescape(source.group(1))).hostname if source else None
    one_pixel = re.search(r'\swidth="1"', tag) and re.search(r'\sheight="1"', tag)
    return "" if one_pixel or host in TRACKING_HOSTS else tag


def _tidy_iframe(match: re.Match[str]) -> str:
    """An iframe whose `src` was refused would show an empty frame: drop it whole. The
    others send only the portal's origin as referrer to the video host, and lose their
    content: browsers never show it, and as raw text it could hold `<img onerror=...>`
    that any later tool reading the page as markup would take for a tag."""
    names = _ATTRIBUTE_NAME.findall(match.group(1))
    if "src" not in names:
        return ""
    return f'<iframe referrerpolicy="strict-origin"{match.group(1)}></iframe>'


def _keep_checkbox(match: re.Match[str]) -> str:
    """Inputs are allowed for task lists only: an `<input>` whose type was refused would
    be a text box, so it goes."""
    return match.group(0) if ' type="checkbox"' in match.group(0) else ""


def plain_text(fragment: str) -> str:
    """Text with every tag removed and entities decoded: for titles, names, categories."""
    text = html.unescape(nh3.clean(fragment, tags=set()))
    return " ".join(text.split())


def first_image(fragment: str) -> str | None:
    """The `src` of the first image in sanitized HTML: a post's featured image fallback."""
    match = _FIRST_IMG.search(fragment)
    return html.unescape(match.group(1)) if match else None


def summarize(fragment: str, words: int = 40) -> str:
    """The first `words` words of the text of `fragment`, for post cards and feeds.

    Tables, code, figures and embeds are skipped: their text makes no sentence.
    """
    prose = _NOT_PROSE.sub(" ", fragment)
    text = plain_text(re.sub(r"<(/p|br|/li|/h\d)[^>]*>", " ", prose))
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")
