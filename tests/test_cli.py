"""The command line as a user runs it: a subprocess, exit codes, messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator import __version__


def mading(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_version() -> None:
    result = mading("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"mading {__version__}"


def test_build_from_the_site_folder_with_defaults(tiny_site: Path) -> None:
    result = mading("build", "--offline", cwd=tiny_site.parent)
    assert result.returncode == 0, result.stderr
    assert (tiny_site.parent / "public" / "index.html").is_file()
    assert result.stdout.startswith("selesai: ")
    again = mading("build", "--offline", cwd=tiny_site.parent)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("sudah terbaru, tidak ada yang diubah: ")


def test_check_lists_each_teacher_and_its_source(tiny_site: Path) -> None:
    result = mading("check", "--config", str(tiny_site))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "budi: Budi Santoso, S.Si. — feed: feeds/budi.xml" in lines
    assert "sari: Sari Wulandari, S.Pd. — 3 tulisan Markdown" in lines
    assert not (tiny_site.parent / "public").exists()


def test_broken_feed_warns_but_builds_and_strict_exits_1(tiny_site: Path) -> None:
    (tiny_site.parent / "feeds" / "budi.xml").write_text("<html><body>Not found</body></html>")
    result = mading("build", "--offline", "--config", str(tiny_site), "--output",
                    str(tiny_site.parent / "out"))
    assert result.returncode == 0
    assert "peringatan: feed guru 'budi' (feeds/budi.xml) bermasalah" in result.stderr
    assert (tiny_site.parent / "out" / "guru" / "sari" / "index.html").is_file()
    strict = mading("build", "--offline", "--strict", "--config", str(tiny_site), "--output",
                    str(tiny_site.parent / "out"))
    assert strict.returncode == 1


def test_missing_config_is_a_plain_message(tmp_path: Path) -> None:
    result = mading("build", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("site.yml: berkas konfigurasi tidak ditemukan")
    assert "Traceback" not in result.stderr
