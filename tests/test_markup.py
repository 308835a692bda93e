"""Teachers' Markdown: the extensions they need, attachments, and posts moved in from
Pelican and MkDocs-Material unchanged."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from textwrap import dedent

import pytest

from generator.build import build
from generator.config import load_site
from generator.sanitize import sanitize_html
from generator.sources.content import read_content
from generator.sources.markup import MATH_SIGNS, _converter, markdown_to_html

YOUTUBE = ("www.youtube.com", "www.youtube-nocookie.com")
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
FEATURES = dedent("""\
    # Bab 1 {: #bab-satu .penting }

    Teks *miring*, **tebal**, ~~coret~~, `kode`, [tautan](https://contoh.sch.id "judul"),
    ![gambar](foto.jpg){: width="200" } dan HTML*.

    | No | Soal |
    |---:|------|
    | 1  | 2 x 3 = ?   |

    Lihat catatan[^1].

    !!! peringatan "Perhatian"
        Kumpulkan tepat waktu.

    - [x] Baca materi
    - [ ] Kerjakan latihan
        1. bagian a
        2. bagian b

    Istilah
    :   Penjelasannya.

    <div markdown="1">**di dalam HTML**</div>

    ```python
    print("halo")  # harga 5 ribu
    ```

    https://www.youtube.com/watch?v=dQw4w9WgXcQ

    *[HTML]: HyperText Markup Language
    [^1]: Buku paket halaman 45.
    """)


def render(text: str) -> str:
    return markdown_to_html(dedent(text), YOUTUBE)


def test_math_becomes_mathml_without_any_script() -> None:
    html = render("Akar: $x = \\frac{-b \\pm \\sqrt{D}}{2a}$.\n\n$$\na^2 + b^2 = c^2\n$$\n")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert "<mfrac>" in html and "<msqrt>" in html
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in html
    assert "$" not in html and "<script" not in html


@pytest.mark.parametrize("text", ["Rumus \\(E = mc^2\\) saja.\n", "\\[\na^2 + b^2\n\\]\n",
                                  "\\begin{align}\nx &= 1\n\\end{align}\n"])
def test_math_without_a_dollar_sign_is_math_too(text: str) -> None:
    assert "<math " in render(text)


def test_a_post_with_no_math_sign_renders_as_with_math_on() -> None:
    """Such a post is converted without arithmatex (it is faster so): every example post
    and the features teachers use come out exactly as with it."""
    full = _converter(math=True)
    texts = [path.read_text(encoding="utf-8").split("---", 2)[2]
             for path in sorted((ROOT / "content").rglob("*.md"))]
    texts.append(FEATURES)
    assert len(texts) > 10
    for text in texts:
        assert not any(sign in text for sign in MATH_SIGNS)
        full.reset()
        assert markdown_to_html(text, YOUTUBE) == sanitize_html(
            full.convert(text), embed_hosts=YOUTUBE, from_markdown=True)


def test_unreadable_math_stays_as_its_source() -> None:
    html = render("Salah: $\\begin{tabel}$ ok\n")
    assert html == '<p>Salah: <code class="math-error">\\begin{tabel}</code> ok</p>'



def test_youtube_address_alone_on_a_line_becomes_an_embed() -> None:
    html = render("""
        Tonton video ini:

        https://www.youtube.com/watch?v=dQw4w9WgXcQ

        Alamat di dalam kalimat https://youtu.be/dQw4w9WgXcQ tetap tautan biasa.

        ```
        https://www.youtube.com/watch?v=dQw4w9WgXcQ
        ```
        """)
    assert html.count("<iframe") == 1
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert "<code>https://www.youtube.com/watch?v=dQw4w9WgXcQ" in html


def test_tables_footnotes_admonitions_and_task_lists() -> None:
    html = render("""
        | No | Soal |
        |---:|------|
        | 1  | 2x   |

        Lihat catatan[^1].

        !!! peringatan "Perhatian"
            Kumpulkan tepat waktu.

        - [x] Baca materi
        - [ ] Kerjakan latihan

        [^1]: Buku paket halaman 45.
        """)
    assert '<th class="align-right">No</th>' in html  # the CSP allows no inline style
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1"' in html
    assert '<li id="fn:1">' in html
    assert '<div class="admonition peringatan">' in html
    assert '<p class="admonition-title">Perhatian</p>' in html
    boxes = dict((label, set(attrs.split())) for attrs, label in
                 re.findall(r"<input ([^>]*)> (Baca materi|Kerjakan latihan)", html))
    assert boxes == {
        "Baca materi": {'checked=""', 'type="checkbox"', 'disabled="disabled"'},
        "Kerjakan latihan": {'type="checkbox"', 'disabled="disabled"'},
    }


def test_code_is_highlighted_with_classes_not_inline_styles() -> None:
    html = render("```python\nprint('halo')\n```\n")
    assert '<div class="highlight"><pre>' in html
    assert '<span class="nb">print</span>' in html
    assert "style=" not in html


def test_teachers_html_is_sanitized_like_feed_html() -> None:
    html = render('<script>alert(1)</script>\n\n<img src="x.png" onerror="alert(2)">\n\n'
                  '<form action="https://evil.example/"><input name="sandi"></form>\n')
    assert "<script" not in html and "onerror" not in html
    assert "<form" not in html and 'name="sandi"' not in html


def write(site_yml: Path, name: str, text: str) -> Path:
    path = site_yml.parent / "content" / "sari" / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def test_attachments_are_copied_and_listed_with_size_and_type(
        tiny_site: Path, tmp_path: Path) -> None:
    folder = tiny_site.parent / "content" / "sari"
    (folder / "lembar-kerja.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 2039)  # 2 KB
    write(tiny_site, "2026-11-21-lkpd.md", """\
        ---
        title: LKPD Persamaan Kuadrat
        date: 2026-11-21
        attachments: [lembar-kerja.pdf]
        ---

        Unduh lembar kerja di bawah.
        """)
    out = tmp_path / "public"
    report = build(tiny_site, out, offline=True, now=NOW)
    assert report.problems == ()
    page = (out / "guru/sari/2026-11-21-lkpd/index.html").read_text()
    assert '<a href="lembar-kerja.pdf" download>lembar-kerja.pdf</a>' in page
    assert '<span class="meta">PDF, 2 KB</span>' in page
    assert (out / "guru/sari/2026-11-21-lkpd/lembar-kerja.pdf").read_bytes()[:8] == b"%PDF-1.4"


@pytest.mark.parametrize(("listed", "message"), [
    ("lembar-kerj.pdf", "content/sari/x.md:4: lampiran 'lembar-kerj.pdf' tidak ada di "
     "content/sari/ (maksud Anda: 'lembar-kerja.pdf'?); unggah berkasnya ke folder itu atau "
     "perbaiki namanya"),
    ("../../site.yml", "content/sari/x.md:4: lampiran '../../site.yml' harus berada di folder "
     "tulisan ini, bukan di luar"),
])
def test_missing_or_escaping_attachment_is_reported(tiny_site: Path, listed: str,
                                                    message: str) -> None:
    (tiny_site.parent / "content" / "sari" / "lembar-kerja.pdf").write_bytes(b"%PDF")
    write(tiny_site, "x.md", f"""\
        ---
        title: LKPD
        date: 2026-11-21
        attachments: [{listed}]
        ---
        """)
    result = read_content(load_site(tiny_site))
    assert [str(p) for p in result.problems] == [message]


def test_pelican_post_builds_as_is(tiny_site: Path) -> None:
    write(tiny_site, "pelican.md", """\
        Title: Barisan Aritmetika
        Date: 2026-11-10 08:30
        Category: MTK
        Tags: barisan, deret
        Summary: Pola bilangan yang bertambah tetap.

        Suku ke-n adalah $U_n = a + (n-1)b$.
        """)
    result = read_content(load_site(tiny_site))
    assert result.problems == ()
    [post] = [e for e in result.entries if e.entry_id.endswith("pelican.md")]
    assert post.title == "Barisan Aritmetika"
    assert post.published.isoformat() == "2026-11-10T08:30:00+07:00"
    assert post.subjects == ("matematika",)  # "MTK" is an alias of Matematika
    assert post.categories == ("barisan", "deret")
    assert post.summary == "Pola bilangan yang bertambah tetap."
    assert "<math" in post.content_html


def test_pelican_header_mistake_names_its_line(tiny_site: Path) -> None:
    write(tiny_site, "pelican.md", "Title: Barisan\nDate: kemarin\n\nIsi.\n")
    result = read_content(load_site(tiny_site))
    assert [str(p) for p in result.problems] == [
        "content/sari/pelican.md:2: 'date': 'kemarin' bukan tanggal yang benar; tulis "
        "TAHUN-BULAN-TANGGAL, misalnya 2026-11-20 atau 2026-11-20 07:30"]


def test_mkdocs_material_blog_post_builds_as_is(tiny_site: Path) -> None:
    write(tiny_site, "mkdocs.md", """\
        ---
        date:
          created: 2026-11-12
        categories:
          - Matematika Wajib
          - Olimpiade
        authors:
          - sari
        description: Soal-soal latihan olimpiade.
        ---

        # Latihan Olimpiade

        Kerjakan soal berikut.
        """)
    result = read_content(load_site(tiny_site))
    assert result.problems == ()
    [post] = [e for e in result.entries if e.entry_id.endswith("mkdocs.md")]
    assert post.title == "Latihan Olimpiade"
    assert post.subjects == ("matematika",)
    assert post.categories == ("Olimpiade",)
    assert post.summary == "Soal-soal latihan olimpiade."
    assert "<h1>" not in post.content_html and "Kerjakan soal berikut." in post.content_html
