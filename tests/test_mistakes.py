"""Teachers' mistakes as a new school met them in its first week (issue 21): a missing
image, a day that does not exist, suggestions that are really close, the count of broken
files, YAML mistakes told in the school's language."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from generator.config import load_site
from generator.i18n import Translator
from generator.schema import did_you_mean
from generator.sources.content import read_content


def write_post(site_yml: Path, text: str, where: str = "sari/x.md") -> Path:
    path = site_yml.parent / "content" / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")
    return path


def mading(site_yml: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=site_yml.parent,
                          capture_output=True, text=True, timeout=120)


POST_WITH_IMAGES = """\
    ---
    title: Grafik Fungsi Kuadrat
    date: 2026-11-21
    ---

    Perhatikan grafik berikut.

    ![Grafik parabola](grafik-parabol.png)

    Dan tabel nilai ini:

    ![Tabel](tabel%20nilai.png "Tabel nilai")
    """


def test_a_missing_image_is_reported_with_its_file_and_line(tiny_site: Path) -> None:
    folder = tiny_site.parent / "content" / "sari"
    (folder / "grafik-parabola.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    write_post(tiny_site, POST_WITH_IMAGES)
    result = read_content(load_site(tiny_site))
    assert [str(p) for p in result.problems] == [
        "content/sari/x.md:8: gambar 'grafik-parabol.png' tidak ada di content/sari/ "
        "(maksud Anda: 'grafik-parabola.png'?); unggah gambarnya ke folder itu (di samping "
        "tulisan) atau perbaiki namanya",
        "content/sari/x.md:12: gambar 'tabel nilai.png' tidak ada di content/sari/; unggah "
        "gambarnya ke folder itu (di samping tulisan) atau perbaiki namanya",
    ]
    assert "content/sari/x.md" not in {e.entry_id for e in result.entries}


def test_an_image_that_is_there_or_on_the_web_is_fine(tiny_site: Path) -> None:
    folder = tiny_site.parent / "content" / "sari"
    (folder / "grafik.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    write_post(tiny_site, """\
        ---
        title: Grafik
        date: 2026-11-21
        ---

        ![Grafik](grafik.png) ![Logo](https://example.org/logo.png)
        """)
    assert read_content(load_site(tiny_site)).problems == ()


def test_a_build_with_a_missing_image_exits_2(tiny_site: Path) -> None:
    write_post(tiny_site, POST_WITH_IMAGES)
    result = mading(tiny_site, "build", "--offline", "--strict")
    assert result.returncode == 2, result.stderr
    assert "content/sari/x.md:8: gambar 'grafik-parabol.png' tidak ada" in result.stderr
    assert (tiny_site.parent / "public" / "index.html").is_file()


def test_the_summary_counts_files_not_messages(tiny_site: Path) -> None:
    write_post(tiny_site, POST_WITH_IMAGES, "sari/a.md")  # two messages, one file
    write_post(tiny_site, "---\ntitle: B\ndate: 2026-02-31\n---\n", "sari/b.md")
    write_post(tiny_site, "---\ntitle: C\ndate: 2026-11-20\nsubjects: [Statistika]\n---\n",
               "sari/c.md")
    result = mading(tiny_site, "build", "--offline")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 4, result.stderr
    assert result.stdout.startswith("selesai, tetapi 3 berkas bermasalah dan dilewati")


@pytest.mark.parametrize(("word", "candidates", "suggested"), [
    ("Statistika", ["Matematika", "Fisika", "Bahasa Inggris"], None),
    ("Biologi", ["Geologi"], None),
    ("X-3", ["X-1", "X-2"], None),
    ("Matematka", ["Matematika", "Fisika"], "Matematika"),
    ("XII-1", ["X-1", "XI-1"], "XI-1"),
    ("sitti", ["sari", "siti", "budi"], "siti"),
    ("tittle", ["title", "date"], "title"),
    ("bahasa inggirs", ["Matematika", "Bahasa Inggris"], "Bahasa Inggris"),
])
def test_did_you_mean_only_for_really_close_names(word: str, candidates: list[str],
                                                  suggested: str | None) -> None:
    hint = did_you_mean(word, candidates, Translator())
    assert hint == ("" if suggested is None else f" (maksud Anda: '{suggested}'?)")


@pytest.mark.parametrize("front", [
    "title: Tugas: Statistika\ndate: 2026-11-20\n",
    "title: a\n\tdate: 2026-11-20\n",
    "title: a\ndate 2026-11-20\nsummary: b\n",
    'title: "Persamaan\ndate: 2026-11-20\n',
    "title: *Penting* hari ini\ndate: 2026-11-20\n",
    "title: `kode`\ndate: 2026-11-20\n",
    'title: "Judul" lagi\ndate: 2026-11-20\n',
    "title: a\ntitle: b\ndate: 2026-11-20\n",
    "title: a\ndate: 2026-11-20\n  kind: materi\n",
    "subjects:\n  - Matematika\n - Fisika\ntitle: a\ndate: 2026-11-20\n",
    "tags: [a, b\ntitle: a\ndate: 2026-11-20\n",
    "summary: |x\n  a\ntitle: a\ndate: 2026-11-20\n",
])
@pytest.mark.parametrize("language", ["id", "en"])
def test_a_yaml_mistake_is_told_wholly_in_the_schools_language(
        tiny_site: Path, front: str, language: str) -> None:
    if language == "en":
        tiny_site.write_text(tiny_site.read_text().replace("language: id", "language: en"))
    (tiny_site.parent / "content" / "sari" / "x.md").write_text(f"---\n{front}---\nIsi\n")
    [problem] = read_content(load_site(tiny_site)).problems
    assert problem.line is not None
    prefix = {"id": "penulisan YAML salah: ", "en": "YAML syntax error: "}[language]
    assert problem.message.startswith(prefix)
    # None of ruamel's own words: what it says is explained, not quoted.
    for words in ("found character", "while scanning", "while parsing", "expected <",
                  "expected ','", "mapping values are", "any token", "scalar", "<block",
                  "end of stream", "undefined alias", "could not find", "duplicate key"):
        assert words not in problem.message, problem.message
