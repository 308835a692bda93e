"""Static checks of a built portal: what no produced page may contain, whatever a feed held.

Read with the standard library's HTML parser (values entity-decoded, as a browser reads
them); every finding names the page, the tag and attribute, and the corpus IDs nearby, so a
failure says at once which vector got through where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import nh3

from generator.sanitize import _MATH_TAGS

THEME_TAGS = {"html", "head", "meta", "title", "link", "script", "body", "header", "nav", "main",
              "footer", "section", "article", "form", "label", "input", "button", "select",
              "option", "iframe", "img", "time", "span", "p", "a", "ul", "ol", "li", "h1", "h2",
              "h3", "strong", "picture", "source", "figure",
              # the wall pages (issue 24): QR codes and charts drawn as SVG, WhatsApp text
              "svg", "path", "rect", "text", "textarea"}
ALLOWED_TAGS = THEME_TAGS | set(nh3.ALLOWED_TAGS) | _MATH_TAGS
SCRIPTS = ("assets/waktu.js", "assets/cari.js", "assets/video.js", "assets/salin.js")
"""The only scripts a page may load: the theme's own, by a relative `src` (named by its
content: `waktu.<hash>.js`)."""
_CONTENT_NAME = re.compile(r"\.[0-9a-f]{10}(\.js)$")
URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "data", "poster", "background",
                  "srcset", "xlink:href", "ping", "longdesc", "dynsrc", "lowsrc", "manifest"}
SAFE_SCHEMES = {"", "http", "https", "mailto", "tel", "webcal"}
"""`webcal:` is the theme's own link to subscribe to a calendar (tugas.ics): a browser
hands it to the calendar app, and runs nothing."""
FORBIDDEN_ATTRIBUTES = {"style", "srcdoc", "formaction", "action", "srcset", "poster",
                        "background", "dynsrc", "lowsrc", "longdesc", "ping", "xlink:href",
                        "data", "autofocus", "contenteditable", "sandbox", "target", "is",
                        "form", "usemap"}
META = {"charset", "viewport", "referrer", "description", "content-security-policy", "robots"}
_ID = re.compile(r"\b1[0-2]\d\d\b")
_LEADING = "".join(chr(c) for c in range(0x21))


def browser_scheme(url: str) -> str:
    """The scheme a browser reads in `url`: leading and trailing C0 controls and spaces
    dropped, tabs and newlines removed anywhere (WHATWG URL), lower case; '' if relative."""
    cleaned = re.sub(r"[\t\n\r]", "", url.strip(_LEADING))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else ""


def ids_in(text: str) -> list[int]:
    return sorted({int(m) for m in _ID.findall(text)})


@dataclass(frozen=True)
class Finding:
    page: str
    what: str

    def __str__(self) -> str:
        return f"{self.page}: {self.what} (vectors {ids_in(self.what) or '?'})"


class _PageScan(HTMLParser):
    def __init__(self, page: str, embed_hosts: tuple[str, ...], policy: str,
                 root: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.root = root
        self.embed_hosts = embed_hosts
        self.policy = policy
        self.findings: list[Finding] = []
        self.in_script = False
        self.policies: list[str] = []
        self.seen_title = False
        self.policy_before_title = False

    def found(self, what: str) -> None:
        self.findings.append(Finding(self.page, what))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        shown = f"<{tag} {' '.join(f'{n}={v!r}' for n, v in values.items())}>"
        if tag not in ALLOWED_TAGS:
            self.found(f"element <{tag}>: {shown[:300]}")
        for name, value in values.items():
            if name.startswith("on"):
                self.found(f"event handler {name}= in {shown[:300]}")
            if name == "srcset" and tag == "source" and all(
                    browser_scheme(part) == "" for part in value.split(",")):
                continue  # the build's own right-sized copies, beside the page (issue 27)
            if name in FORBIDDEN_ATTRIBUTES:
                self.found(f"attribute {name}= in {shown[:300]}")
            if name in URL_ATTRIBUTES and browser_scheme(value) not in SAFE_SCHEMES:
                self.found(f"{browser_scheme(value)}: address in {shown[:300]}")
        if tag == "script":
            src = _CONTENT_NAME.sub(r"\1", values.get("src", ""))
            self.in_script = True
            if not any(src == self.root + s or (src.endswith(s) and browser_scheme(src) == "")
                       for s in SCRIPTS):
                self.found(f"script not of the theme: {shown[:300]}")
        if tag == "iframe":
            host = urlsplit(values.get("src", "")).hostname
            if not values.get("src", "").startswith("https://") or host not in self.embed_hosts:
                self.found(f"frame from a host not allowed: {shown[:300]}")
        if tag == "meta":
            kind = (values.get("name") or values.get("http-equiv") or
                    ("charset" if "charset" in values else "")).lower()
            if kind not in META:
                self.found(f"meta not of the theme: {shown[:300]}")
            if kind == "content-security-policy":
                self.policies.append(values.get("content", ""))
                self.policy_before_title = not self.seen_title
        if tag == "title":
            self.seen_title = True
        if tag in ("form", "input", "button", "select") and not self.page.endswith(
                "cari/index.html") and not (tag == "input" and values.get("type") == "checkbox"
                                            and "disabled" in values) and not (
                tag == "button" and self.page.endswith("minggu-ini/index.html")
                and values.get("type") == "button"):  # the WhatsApp text's copy button
            self.found(f"form control outside the search page: {shown[:300]}")
        if tag == "link" and values.get("rel") not in ("stylesheet", "icon", "alternate"):
            self.found(f"link not of the theme: {shown[:300]}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.found(f"inline script: {data.strip()[:200]!r}")

    def handle_comment(self, data: str) -> None:
        self.found(f"comment: {data[:200]!r}")

    def handle_pi(self, data: str) -> None:
        self.found(f"processing instruction: {data[:200]!r}")

    def unknown_decl(self, data: str) -> None:
        self.found(f"declaration: {data[:200]!r}")


def scan_page(path: Path, output: Path, embed_hosts: tuple[str, ...], policy: str,
              school_url: str) -> list[Finding]:
    """Everything wrong with one produced HTML page. 404.html alone links through the
    school's absolute address (hosts serve it at any missing address)."""
    page = path.relative_to(output).as_posix()
    scan = _PageScan(page, embed_hosts, policy, school_url if page == "404.html" else "")
    scan.feed(path.read_text(encoding="utf-8"))
    scan.close()
    if scan.policies != [policy]:
        scan.found(f"Content-Security-Policy meta tags: {scan.policies!r}, not [{policy!r}]")
    elif not scan.policy_before_title:
        scan.found("the Content-Security-Policy meta tag comes after the title")
    return scan.findings


def template_products(text: str, vector_ids: list[int]) -> list[int]:
    """IDs of `{{ID*7777}}`-style vectors whose product shows in `text`: a template ran."""
    return [i for i in vector_ids if str(i * 7777) in text]
