"""QR codes for the wall posters (issue 24), as inline SVG made at build time.

segno writes them: no JavaScript and nothing fetched when a page is printed. The code
is drawn in pure black on white whatever the page's colours, since a phone reads a
printed poster, and it keeps the four modules of white border the standard asks for.
"""

from __future__ import annotations

from functools import lru_cache

import segno
from markupsafe import Markup


@lru_cache(maxsize=4096)
def qr_svg(address: str) -> Markup:
    """`address` as a QR code: an `<svg>` sized by its viewBox alone (the stylesheet
    gives it its printed size), hidden from screen readers, which read the address
    written beside it.

    Error correction M (15 %): a sheet on a wall gets creased, pinned and faded.
    """
    code = segno.make_qr(address, error="m", boost_error=False)
    svg = code.svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff",
                          svgclass="qr", lineclass=None)
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))


def modules(address: str) -> int:
    """The width of `address`'s code in modules, its white border included: what a
    test divides the printed width by to know how big one module is on paper."""
    width, _height = segno.make_qr(address, error="m", boost_error=False).symbol_size(
        scale=1, border=4)
    return int(width)
