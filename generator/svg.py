"""Clean an SVG image by allow-list before it is published beside a post (issue 26).

An SVG opened on its own is a document of the portal's origin: its `<script>`, event
handlers, `<foreignObject>` (HTML inside) and `javascript:` links run there, and a
`<script href="x.js">` runs another attachment even under `script-src 'self'`. nh3
(ammonia) knows HTML, not SVG's elements, attributes and their references, so this is
written here (docs/decisions.md): the file is parsed as XML by the standard library's
ElementTree (expat 2.4.1 and later refuse entity-expansion bombs; external entities are
never fetched), every element and attribute not on the lists below is dropped, every
reference must point inside the image (`#id`, or an embedded raster `data:` image), and
the tree is written out again: what browsers get is what was checked, not the bytes the
teacher sent.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MAX_SVG_BYTES = 5 * 1024 * 1024
"""A drawing for a lesson is a few kilobytes; an SVG this large is not one."""
MAX_DEPTH = 100
"""Elements nested deeper than this are refused: cleaning and writing out walk the tree
recursively, and a drawing never nests so deep (expat itself reads any depth)."""

ELEMENTS = frozenset({
    "svg", "g", "defs", "title", "desc", "symbol", "use", "switch",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath", "a", "image", "marker", "pattern", "clipPath", "mask",
    "linearGradient", "radialGradient", "stop",
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite",
    "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight",
    "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
    "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset",
    "fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
})
"""Shapes, text, structure, paint servers, markers, clipping, masks and filters. Not
`script`, `foreignObject`, `style` (CSS may fetch), `iframe`, the animation elements
(`set` and `animate` can turn an `href` into `javascript:`), `feImage` (fetches) nor
anything of another namespace (Inkscape's and Illustrator's editor data)."""

ATTRIBUTES = frozenset({
    "id", "class", "style", "lang", "transform", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r",
    "rx", "ry", "fx", "fy", "fr", "width", "height", "d", "points", "pathLength", "viewBox",
    "preserveAspectRatio", "version", "baseProfile", "fill", "fill-opacity", "fill-rule", "stroke",
    "stroke-width", "stroke-opacity", "stroke-dasharray", "stroke-dashoffset", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "opacity", "color", "display", "visibility",
    "overflow", "clip-path", "clip-rule", "mask", "filter", "vector-effect", "paint-order",
    "shape-rendering", "text-rendering", "image-rendering", "color-interpolation",
    "color-interpolation-filters", "flood-color", "flood-opacity", "lighting-color", "font-family",
    "font-size", "font-weight", "font-style", "font-variant", "font-stretch", "text-anchor",
    "dominant-baseline", "alignment-baseline", "baseline-shift", "letter-spacing", "word-spacing",
    "text-decoration", "writing-mode", "direction", "unicode-bidi", "dx", "dy", "rotate",
    "textLength", "lengthAdjust", "startOffset", "method", "spacing", "side", "marker-start",
    "marker-mid", "marker-end", "markerWidth", "markerHeight", "markerUnits", "refX", "refY",
    "orient", "clipPathUnits", "maskUnits", "maskContentUnits", "offset", "stop-color",
    "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "patternUnits",
    "patternContentUnits", "patternTransform", "filterUnits", "primitiveUnits", "stdDeviation",
    "in", "in2", "result", "mode", "operator", "k1", "k2", "k3", "k4", "values", "type",
    "tableValues", "slope", "intercept", "amplitude", "exponent", "order", "kernelMatrix",
    "divisor", "bias", "targetX", "targetY", "edgeMode", "preserveAlpha", "surfaceScale",
    "diffuseConstant", "specularConstant", "specularExponent", "kernelUnitLength", "azimuth",
    "elevation", "pointsAtX", "pointsAtY", "pointsAtZ", "z", "limitingConeAngle", "scale",
    "xChannelSelector", "yChannelSelector", "radius", "baseFrequency", "numOctaves", "seed",
    "stitchTiles", "requiredFeatures", "requiredExtensions", "systemLanguage", "role",
    "aria-label", "aria-labelledby", "aria-describedby", "aria-hidden", "focusable", "tabindex",
})
"""Geometry, presentation, text, filters and accessibility: no `on*` handler, nothing
that names a resource except through the checks of `_clean_attribute`."""

_URL_REF = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_RASTER_DATA = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*",
                          re.IGNORECASE)
_CSS_DANGER = re.compile(r"@import|@font-face|expression|\\|javascript:|behavior|"
                         r"-moz-binding|image-set|src\s*\(", re.IGNORECASE)


class SvgError(ValueError):
    """The file is not an SVG image that can be read: `message_id` and `values` say why,
    in the `hostile_web` table of the catalogues."""

    def __init__(self, message_id: str, **values: object) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.values = values


def clean_svg(data: bytes) -> bytes:
    """The SVG image `data` with only what the allow-lists keep, as UTF-8 XML.

    Raises:
        SvgError: not well-formed XML, not an `<svg>` root, or too large.
    """
    if len(data) > MAX_SVG_BYTES:
        raise SvgError("hostile_web.svg_too_large", limit=MAX_SVG_BYTES // (1024 * 1024))
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise SvgError("hostile_web.bad_svg", detail=str(exc)) from None
    if _local(root.tag) != "svg":
        raise SvgError("hostile_web.not_svg", element=str(root.tag).rpartition("}")[2])
    _check_depth(root)
    cleaned = _clean(root)
    assert cleaned is not None
    cleaned.set("xmlns", SVG_NS)
    written: bytes = ET.tostring(cleaned, encoding="utf-8", xml_declaration=True)
    return written


def _check_depth(root: ET.Element) -> None:
    """Raises SvgError when elements nest deeper than `MAX_DEPTH` (walked without
    recursion, as the file was read)."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SvgError("hostile_web.svg_too_deep", limit=MAX_DEPTH)
        stack.extend((child, depth + 1) for child in element)


def _local(tag: object) -> str:
    """An element's name without its namespace; `""` for what is not an element (comments
    and processing instructions, which ElementTree does not keep anyway)."""
    if not isinstance(tag, str):
        return ""
    namespace, _, name = tag.rpartition("}")
    return name if namespace in ("", "{" + SVG_NS) else ""


def _clean(element: ET.Element) -> ET.Element | None:
    """A clean copy of `element` (in no namespace: the root declares SVG's), or None
    when it is not allowed at all."""
    name = _local(element.tag)
    if name not in ELEMENTS:
        return None
    copy = ET.Element(name)
    for key, value in element.attrib.items():
        kept = _clean_attribute(name, key, value)
        if kept is not None:
            copy.set(*kept)
    if name in ("use", "image") and "href" not in copy.attrib:
        return None  # its reference was refused (or it had none): it would show nothing
    copy.text = element.text
    for child in element:
        kept_child = _clean(child)
        if kept_child is not None:
            copy.append(kept_child)
            kept_child.tail = child.tail
        elif child.tail:  # the text after a dropped element stays, where it was
            _append_text(copy, child.tail)
    return copy


def _append_text(parent: ET.Element, text: str) -> None:
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _clean_attribute(element: str, key: str, value: str) -> tuple[str, str] | None:
    """(name, value) to keep for one attribute, or None."""
    if key in (f"{{{XLINK_NS}}}href", "href"):
        return _clean_href(element, value)
    if key.startswith(f"{{{XML_NS}}}"):
        local = key.rpartition("}")[2]
        return (f"xml:{local}", value) if local in ("space", "lang") else None
    if key not in ATTRIBUTES:
        return None
    if "javascript:" in "".join(value.split()).lower():
        return None
    if key == "style" and _CSS_DANGER.search(value):
        return None
    for match in _URL_REF.finditer(value):
        if not match.group(2).strip().startswith("#"):
            return None  # url(http://…) would fetch from elsewhere: the attribute goes
    return key, value


def _clean_href(element: str, value: str) -> tuple[str, str] | None:
    """A reference: within the image (`#id`) anywhere; an embedded raster image for
    `<image>`; a web address for a link (`<a>`). Written as SVG 2's plain `href`."""
    target = value.strip()
    if target.startswith("#") and target.isprintable():
        return "href", target
    if element == "image" and _RASTER_DATA.fullmatch(target):
        return "href", target
    if element == "a" and re.match(r"(?i)https?://", target) and target.isprintable():
        return "href", target
    return None
