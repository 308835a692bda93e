"""Privacy by default (issue 25): a post that looks like a list of students' names with
scores is warned about by `mading check`, written here or read from a blog."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.privacy import looks_like_scores, score_rows

STUDENTS = [("Ahmad Fauzi", "85"), ("Siti Nur Aisyah", "90"), ("Budi Santoso", "72,5"),
            ("Rina Kartika", "100"), ("Dewi Lestari", "64"), ("Muh. Rizki", "78")]


def table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><td>{number}</td><td>{name}</td><td>{score}</td></tr>"
                    for number, (name, score) in enumerate(rows, start=1))
    return f"<table><tr><th>No</th><th>Nama</th><th>Nilai</th></tr>{cells}</table>"


@pytest.mark.parametrize("fragment", [
    table(STUDENTS),
    "<ol>" + "".join(f"<li>{name}: {score}</li>" for name, score in STUDENTS) + "</ol>",
    "<p>" + "<br>".join(f"{name} {score}" for name, score in STUDENTS) + "</p>",
    "<pre>" + "\n".join(f"{n}. {name}\t{score}" for n, (name, score) in
                        enumerate(STUDENTS, 1)) + "</pre>",
])
def test_a_list_of_names_with_scores_is_found(fragment: str) -> None:
    assert score_rows(fragment) == 6
    assert looks_like_scores(fragment)


@pytest.mark.parametrize("fragment", [
    table(STUDENTS[:4]),  # a few examples in a lesson
    "<ul><li>Bab 1</li><li>Bab 2</li><li>Bab 3</li><li>Bab 4</li><li>Bab 5</li></ul>",
    "<ul>" + "".join(f"<li>{name} lahir {year}</li>" for name, year in (
        ("Soekarno", "1901"), ("Mohammad Hatta", "1902"), ("Kartini", "1879"),
        ("Ki Hajar Dewantara", "1889"), ("Cut Nyak Dien", "1848"))) + "</ul>",
    "<p>Kerjakan soal nomor 1 sampai 10 di Buku Paket halaman 45.</p>",
])
def test_lessons_are_not_lists_of_scores(fragment: str) -> None:
    assert not looks_like_scores(fragment)


def test_mading_check_warns_of_a_post_with_scores(tiny_site: Path) -> None:
    post = tiny_site.parent / "content" / "sari" / "2026-11-21-nilai-ulangan.md"
    post.write_text("---\ntitle: Nilai Ulangan\ndate: 2026-11-21\n---\n\n"
                    "| No | Nama | Nilai |\n|---|---|---|\n"
                    + "".join(f"| {n} | {name} | {score} |\n"
                              for n, (name, score) in enumerate(STUDENTS, 1)))
    result = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=tiny_site.parent,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "daftar nama siswa" in line]
    assert warnings == [
        "content/sari/2026-11-21-nilai-ulangan.md: peringatan: tulisan 'Nilai Ulangan' "
        "tampak memuat daftar nama siswa dengan nilai (6 baris). Nilai siswa dan daftar "
        "peserta tidak boleh diterbitkan di portal: hapus daftar itu dari tulisan, dan "
        "bagikan nilai lewat jalur lain"]
    post.unlink()
    result = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=tiny_site.parent,
                            capture_output=True, text=True, timeout=120)
    assert "daftar nama siswa" not in result.stderr


def test_mading_check_warns_of_a_blog_post_with_scores(tiny_site: Path) -> None:
    feed_file = tiny_site.parent / "feeds" / "rina.json"
    feed = json.loads(feed_file.read_text())
    feed["items"].append({"id": "https://missrina.example/posts/scores/",
                          "url": "https://missrina.example/posts/scores/",
                          "title": "Daily Test Results", "content_html": table(STUDENTS),
                          "date_published": "2026-11-06T09:00:00+07:00"})
    feed_file.write_text(json.dumps(feed))
    run = [sys.executable, "-m", "generator"]
    assert subprocess.run([*run, "build", "--offline"], cwd=tiny_site.parent,
                          capture_output=True, timeout=300).returncode == 0
    result = subprocess.run([*run, "check"], cwd=tiny_site.parent, capture_output=True,
                            text=True, timeout=120)
    warnings = [line for line in result.stderr.splitlines() if "daftar nama siswa" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("https://missrina.example/posts/scores/: peringatan: "
                                  "tulisan 'Daily Test Results'")
