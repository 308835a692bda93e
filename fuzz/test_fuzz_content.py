"""Fuzz `content.read_post`: any Markdown post gives an `Entry` or an `InputError`.

The post is a real file in `content/<teacher>/` of a real site folder, read by the
function the build calls. Generated: YAML front matter with every key present or not,
holding a plausible value or any other type (MkDocs-blog and Pelican headers too), over a
Markdown body made of the constructs the renderer handles (math, tables, footnotes,
admonitions, embeds, raw HTML, images beside the post and outside it); and raw mutations
of a valid post, bytes included.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from fuzzlib import cli_stack, dump_yaml, either, mutated, texts, tricky_texts, values
from hypothesis import given
from hypothesis import strategies as st

from generator.config import load_site
from generator.errors import MadingError
from generator.i18n import Translator
from generator.models import Entry, Site
from generator.sources.content import read_post

SITE_YML = """\
school:
  name: SMA Negeri 1 Contoh
  language: {language}
subjects:
  - name: Matematika
    aliases: [mtk]
  - Fisika
{classes}
teachers:
  - name: Sari Wulandari
    slug: sari
    subjects: [Matematika]
"""


def _site(folder: Path, language: str, classes: str) -> Site:
    folder.mkdir()
    (folder / "site.yml").write_text(SITE_YML.format(language=language, classes=classes),
                                     encoding="utf-8")
    posts = folder / "content" / "sari"
    posts.mkdir(parents=True)
    (posts / "lembar.pdf").write_bytes(b"%PDF-1.4")
    (posts / "gambar.png").write_bytes(b"\x89PNG")
    return load_site(folder / "site.yml")


_TMP = Path(tempfile.mkdtemp(prefix="mading-fuzz-content-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
SITES = (_site(_TMP / "id", "id", "classes: [X-1, X-2]"), _site(_TMP / "en", "en", ""))

MARKDOWN = (
    "# Judul", "## Bagian", "Teks biasa.", "[tautan](https://contoh.sch.id/)",
    "[relatif](lembar.pdf)", "![gambar](gambar.png)", "![luar](../../../etc/passwd)",
    "![x](%2e%2e/%2e%2e/x.png)", "<iframe src='https://www.youtube.com/embed/abc'></iframe>",
    "<script>alert(1)</script>", "$x^2$", "$$\\frac{a}{b}$$", "$\\begin{matrix}$",
    "$$\\sqrt[$$", "$\\left($", "\\(x\\)", "```python\nprint(1)\n```", "```\nunclosed",
    "| a | b |\n|---|---|\n| 1 | 2 |", "| a |\n|", "[^1]\n\n[^1]: catatan", "[^x]",
    "!!! note\n    isi", "!!! \n", "- [ ] tugas\n- [x] selesai", "==tanda==", "~~coret~~",
    "&#0;", "&#xD800;", "&#1114112;", "&nbsp;", "<", "*", "_", "`", "\\", "\t- a\n\t\t- b",
    "<details><summary>a</summary>b</details>", "[a]: <>", "<https://a.b>", "> kutipan",
    "1. satu\n2. dua", "---", "***", "{: .kelas }", "<!-- komentar", "<div markdown=1>x</div>",
)
NESTED = {
    "list": lambda depth: "".join("    " * i + "- a\n" for i in range(depth)),
    "ordered": lambda depth: "".join("   " * i + "1. a\n" for i in range(depth)),
    "quote": lambda depth: "> " * depth + "a",
    "emphasis": lambda depth: "*" * depth + "a" + "*" * depth,
}
nested = st.builds(lambda kind, depth: NESTED[kind](depth), st.sampled_from(list(NESTED)),
                   st.sampled_from((3, 250, 300)) | st.integers(1, 300))
"""Constructs nested hundreds deep (a copy-paste gone wrong); slow, so drawn sparingly."""
bodies = st.lists(st.sampled_from(MARKDOWN) | texts, max_size=8).map("\n\n".join)
dates = either(st.sampled_from(("2026-11-20", "2026-11-20 07:30", "2026-11-20 07.30"))
               | tricky_texts | st.dates() | st.datetimes())
name_lists = st.lists(tricky_texts, max_size=3)
front_matter = st.fixed_dictionaries({}, optional={
    "title": either(tricky_texts), "Title": either(tricky_texts), "date": dates,
    "subjects": either(name_lists | tricky_texts), "classes": either(name_lists | tricky_texts),
    "kind": either(st.sampled_from(("materi", "tugas", "pengumuman", "Tugas", "kuis"))),
    "due": dates, "tags": either(name_lists | tricky_texts), "summary": either(texts),
    "draft": either(st.booleans()), "attachments": either(
        st.lists(st.sampled_from(("lembar.pdf", "gambar.png", "hilang.pdf", "../x", "/etc",
                                  "a\x00b", "", ".")) | tricky_texts, max_size=3)),
    # MkDocs-Material blog keys, and one nobody knows.
    "categories": either(name_lists), "authors": values, "description": values,
    "slug": values, "readtime": values, "pin": values, "links": values, "tittle": values,
})


@st.composite
def posts(draw: st.DrawFn) -> bytes:
    """A post with YAML front matter (or Pelican headers), as someone might write it."""
    body = draw(bodies)
    choice = draw(st.sampled_from(("valid", "valid", "deep", "pelican", *["random"] * 8)))
    if choice in ("valid", "deep"):  # valid front matter, so that the body gets rendered
        if choice == "deep":
            body = draw(nested)
        text = f"---\ntitle: Judul\ndate: 2026-11-20\n---\n{body}"
    elif choice == "pelican":
        headers = draw(st.dictionaries(
            st.sampled_from(("Title", "Date", "Category", "Tags", "Status", "Slug", "X")),
            tricky_texts.map(lambda t: t.replace("\n", " ").replace("\r", " ")), max_size=5))
        text = "".join(f"{k}: {v}\n" for k, v in headers.items()) + "\n" + body
    else:
        meta = draw(front_matter)
        fence = draw(st.sampled_from(("---", "...")))
        text = f"---\n{dump_yaml(meta) if meta else ''}{fence}\n{body}"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    prefix = draw(st.sampled_from((b"", b"\xef\xbb\xbf")))
    return prefix + text.encode("utf-8")


VALID = (b"---\ntitle: Persamaan Linear\ndate: 2026-11-20 07:30\nsubjects: [mtk]\n"
         b"classes: [X-1]\nkind: tugas\ndue: 2026-11-27\ntags: [aljabar]\n"
         b"attachments: [lembar.pdf]\n---\n# Soal\n\nHitung $x$ jika $2x+3=7$.\n\n"
         b"![gambar](gambar.png)\n\n| no | soal |\n|---|---|\n| 1 | 2x |\n")
PELICAN = b"Title: Pelican\nDate: 2026-11-20\nCategory: mtk\nTags: a, b\n\nIsi *tulisan*.\n"


def check(data: bytes, site_index: int) -> None:
    """The property: read_post returns an Entry or raises Mading's own error."""
    site = SITES[site_index]
    path = site.root / "content" / "sari" / "tulisan.md"
    path.write_bytes(data)
    try:
        with cli_stack():
            entry = read_post(path, "sari", site, Translator(site.school.language))
        assert isinstance(entry, Entry)
    except MadingError:
        pass
    finally:
        path.unlink()


@given(posts(), st.integers(0, len(SITES) - 1))
def test_structured_post(data: bytes, site_index: int) -> None:
    check(data, site_index)


@given(mutated(st.sampled_from([VALID, PELICAN])), st.integers(0, len(SITES) - 1))
def test_mutated_post(data: bytes, site_index: int) -> None:
    check(data, site_index)
