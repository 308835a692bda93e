"""`mading new`: a teacher's first file, valid as it comes and explained in comments."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from generator.config import load_site
from generator.sources.content import read_content


def mading(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=site.parent,
                          capture_output=True, text=True, timeout=60)


def test_new_post_is_created_valid_and_printed(tiny_site: Path) -> None:
    result = mading(tiny_site, "new", "--teacher", "sari", "Latihan Soal: Fungsi Kuadrat")
    assert result.returncode == 0, result.stderr
    # The school's date in Jakarta; the test may run near midnight UTC, so accept both.
    printed = result.stdout.strip()
    assert printed.startswith("content/sari/") and printed.endswith(
        "-latihan-soal-fungsi-kuadrat.md")
    assert date.fromisoformat(printed[len("content/sari/"):][:10]).year >= 2026
    text = (tiny_site.parent / printed).read_text()
    assert 'title: "Latihan Soal: Fungsi Kuadrat"' in text
    assert 'subjects: ["Matematika"]' in text and 'classes: ["X-1", "X-2"]' in text
    assert "# Jenis tulisan: materi, tugas, atau pengumuman." in text
    entries = read_content(load_site(tiny_site))
    assert entries.problems == ()
    [post] = [e for e in entries.entries if e.title == "Latihan Soal: Fungsi Kuadrat"]
    assert post.kind == "materi" and not post.draft


def test_new_post_in_english(tiny_site: Path) -> None:
    tiny_site.write_text(tiny_site.read_text().replace("language: id", "language: en"))
    result = mading(tiny_site, "new", "--teacher", "budi", "Newton's Laws")
    text = (tiny_site.parent / result.stdout.strip()).read_text()
    assert "# Kind of post: materi (material), tugas (assignment) or pengumuman" in text


def test_unknown_teacher_and_existing_file_are_refused(tiny_site: Path) -> None:
    unknown = mading(tiny_site, "new", "--teacher", "sary", "Judul")
    assert (unknown.returncode, unknown.stderr) == (
        2, "--teacher: tidak ada guru dengan slug 'sary' di site.yml (maksud Anda: 'sari'?); "
        "slug guru yang ada: sari, budi, rina-kartika\n")
    first = mading(tiny_site, "new", "--teacher", "sari", "Judul Sama")
    again = mading(tiny_site, "new", "--teacher", "sari", "Judul Sama")
    assert again.returncode == 2
    assert again.stderr == (f"{first.stdout.strip()}: berkas ini sudah ada; pakai judul lain "
                            "atau sunting berkas itu\n")
