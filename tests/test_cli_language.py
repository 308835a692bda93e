"""The whole command line in the school's language (issue 21): argparse's own words,
each command's help with an example and its exit codes, the fetcher's errors, and an
unknown teacher's slug."""

from __future__ import annotations

import argparse
import gettext
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from generator.cli import main

COMMANDS = ["build", "serve", "fetch", "check", "new", "report", "archive", "archive export",
            "archive import", "init", "import"]
ENGLISH_ARGPARSE = ("usage:", "options:", "show this help message and exit",
                    "positional arguments", "the following arguments are required")


def mading(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_help_without_a_site_is_indonesian(tmp_path: Path) -> None:
    result = mading("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("cara pakai: mading [-h] [--version] PERINTAH ...")
    for words in ("pilihan:", "tampilkan bantuan ini lalu keluar", "contoh:",
                  "kode keluar:", "  2  kesalahan di site.yml"):
        assert words in result.stdout, words
    for words in ENGLISH_ARGPARSE:
        assert words not in result.stdout, words


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_a_description_an_example_and_exit_codes(
        tmp_path: Path, command: str) -> None:
    result = mading(*command.split(), "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    usage, _, rest = result.stdout.partition("\n\n")
    assert usage.startswith(f"cara pakai: mading {command} [-h]")
    description = rest.splitlines()[0]
    assert description and not description.startswith(" ")
    examples = rest.split("contoh:\n", 1)[1].split("\n\n")[0].splitlines()
    assert examples and all(line.startswith(f"  mading {command}") for line in examples)
    codes = rest.split("kode keluar:\n", 1)[1].splitlines()
    assert codes[0].startswith("  0  ")
    assert codes[-1].startswith("  2  ")
    for words in ENGLISH_ARGPARSE:
        assert words not in result.stdout, words


def test_help_follows_the_site_in_the_working_folder(tiny_site: Path) -> None:
    tiny_site.write_text(tiny_site.read_text().replace("language: id", "language: en"))
    result = mading("build", "--help", cwd=tiny_site.parent)
    assert result.stdout.startswith("usage: mading build [-h] [--config FILE]")
    assert "\nexamples:\n" in result.stdout and "\nexit codes:\n" in result.stdout
    assert "cara pakai" not in result.stdout


def test_help_follows_the_site_named_by_config(tiny_site: Path, tmp_path: Path) -> None:
    tiny_site.write_text(tiny_site.read_text().replace("language: id", "language: en"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = mading("check", "--config", str(tiny_site), "--help", cwd=elsewhere)
    assert result.stdout.startswith("usage: mading check")


def test_argparse_errors_are_in_the_schools_language(tiny_site: Path) -> None:
    missing = mading("new", cwd=tiny_site.parent)
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == [
        "cara pakai: mading new [-h] [--config BERKAS] --teacher SLUG JUDUL",
        "mading new: kesalahan: argumen berikut wajib diisi: --teacher, JUDUL"]
    typo = mading("bulid", cwd=tiny_site.parent)
    assert typo.returncode == 2
    assert "mading: kesalahan: argumen PERINTAH: pilihan 'bulid' tidak dikenal (pilih salah " \
        "satu: 'build'," in typo.stderr
    port = mading("serve", "--port", "abc", cwd=tiny_site.parent)
    assert "argumen --port: nilai 'abc' tidak sah (harus int)" in port.stderr


def test_argparse_gets_gettext_back(tiny_site: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tiny_site.parent)
    with pytest.raises(SystemExit):
        main(["new"])
    assert "kesalahan" in capsys.readouterr().err
    assert argparse._ is gettext.gettext  # type: ignore[attr-defined]
    assert argparse.ngettext is gettext.ngettext  # type: ignore[attr-defined]


def test_an_unknown_teacher_gets_a_suggestion_and_the_slugs(tiny_site: Path) -> None:
    tiny_site.write_text(tiny_site.read_text().replace("slug: sari", "slug: siti"))
    result = mading("new", "--teacher", "sitti", "Judul", cwd=tiny_site.parent)
    assert (result.returncode, result.stderr) == (2, (
        "--teacher: tidak ada guru dengan slug 'sitti' di site.yml (maksud Anda: 'siti'?); "
        "slug guru yang ada: siti, budi, rina-kartika\n"))


def test_a_page_without_a_feed_is_told_in_the_schools_language(
        tiny_site: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/").respond_with_data(
        "<html><head><title>Blog</title></head><body>Halo</body></html>",
        content_type="text/html")
    tiny_site.write_text(tiny_site.read_text().replace("blog: feeds/budi.xml",
                                                       f"blog: {httpserver.url_for('/')}"))
    result = mading("build", cwd=tiny_site.parent)
    assert result.returncode == 0, result.stderr
    assert "tidak ada feed di halaman ini (sudah dicari lewat <link rel=\"alternate\"> dan " \
        "di alamat feed yang lazim, misalnya /feed/); tulis alamat feed-nya sendiri di " \
        "'blog:'" in result.stderr
    assert "no feed found" not in result.stderr
    report = mading("report", cwd=tiny_site.parent)
    assert "tidak ada feed di halaman ini" in report.stdout
    assert "no feed found" not in report.stdout
