"""`mading init`: a new school that builds straight away, and never overwrites one."""

from __future__ import annotations

import difflib
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from generator import __version__
from generator.cli import main
from generator.config import load_site
from generator.scaffold import WORKFLOW, init_school
from generator.sources.content import read_content
from tests.conftest import REPO

TODAY = date(2026, 11, 20)


def mading(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_a_new_school_builds_and_shows_its_first_post(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "sman1"
    assert main(["init", str(folder), "--name", "SMA Negeri 1 Contoh"]) == 0
    out = capsys.readouterr().out
    assert "site.yml" in out and "mading build --offline" in out
    for name in ("site.yml", "README.md", ".gitignore", ".github/workflows/build.yml"):
        assert (folder / name).is_file(), name
    [post] = (folder / "content" / "sari").glob("*.md")

    for args in (["build", "--offline"], ["build"], ["check"]):
        result = mading(*args, cwd=folder)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    assert "1 guru, 1 mata pelajaran" in result.stdout
    index = (folder / "public" / "index.html").read_text()
    assert "Selamat datang di portal SMA Negeri 1 Contoh" in index
    assert (folder / "public" / "guru" / "sari" / post.stem / "index.html").is_file()


def test_a_folder_holding_a_school_is_refused_and_left_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "sekolah"]) == 0
    config = tmp_path / "sekolah" / "site.yml"
    config.write_text(config.read_text().replace("SMA Negeri 1 Contoh", "SMA Kita"))
    before = config.read_bytes()
    capsys.readouterr()
    assert main(["init", "sekolah", "--name", "Lain"]) == 2
    assert capsys.readouterr().err == (
        "sekolah/site.yml: sudah ada; 'mading init' tidak menimpa sekolah yang sudah ada. "
        "Pakai folder lain, atau sunting site.yml ini\n")
    assert config.read_bytes() == before


def test_files_a_clone_brought_are_kept(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# sman1contoh\n")
    school = init_school(tmp_path, "SMA Negeri 1 Contoh", today=TODAY)
    assert school.kept == (tmp_path / "README.md",)
    assert (tmp_path / "README.md").read_text() == "# sman1contoh\n"
    assert tmp_path / "site.yml" in school.created


def test_the_new_site_yml_is_explained_and_valid(tmp_path: Path) -> None:
    init_school(tmp_path, "SMA Negeri 1 Contoh", today=TODAY)
    text = (tmp_path / "site.yml").read_text()
    assert "# Nama sekolah, tampil di judul setiap halaman." in text
    assert "# --- Guru (teachers) ---" in text
    site = load_site(tmp_path / "site.yml")
    assert (site.school.name, site.school.language) == ("SMA Negeri 1 Contoh", "id")
    assert [(t.slug, t.subjects, t.blog) for t in site.teachers] == [
        ("sari", ("matematika",), None)]
    content = read_content(site)
    assert content.problems == ()
    [entry] = content.entries
    assert entry.kind == "pengumuman"
    readme = (tmp_path / "README.md").read_text()
    for step in ("site.yml", "mading build", "mading serve", "git push", "GitHub Actions"):
        assert step in readme, step


@pytest.mark.parametrize("name", ['SMK "Bina Karya": Teknik #1', "123", "yes", "Madrasah Aliyah"])
def test_any_school_name_survives_yaml(tmp_path: Path, name: str) -> None:
    init_school(tmp_path, name, today=TODAY)
    site = load_site(tmp_path / "site.yml")
    assert site.school.name == name
    assert read_content(site).problems == ()


def test_an_english_school(tmp_path: Path) -> None:
    init_school(tmp_path, None, "en", today=TODAY)
    text = (tmp_path / "site.yml").read_text()
    assert "# The school's name, shown in the title of every page." in text
    site = load_site(tmp_path / "site.yml")
    assert (site.school.name, site.school.language) == ("Example High School", "en")
    assert read_content(site).problems == ()
    assert "## Next steps" in (tmp_path / "README.md").read_text()
    assert (tmp_path / "content" / "sari" / "2026-11-20-welcome.md").is_file()


def test_the_build_output_and_archive_stay_out_of_git(tmp_path: Path) -> None:
    init_school(tmp_path, "SMA Negeri 1 Contoh", today=TODAY)
    ignored = (tmp_path / ".gitignore").read_text().splitlines()
    assert {"public/", ".public.*", ".mading/"} <= set(ignored)


def test_the_school_workflow_is_this_repository_s_but_for_the_install_line() -> None:
    """One source of truth: a change to either workflow must be made to both."""
    ours = (REPO / ".github" / "workflows" / "build.yml").read_text().splitlines()
    install = ours.index("        run: python -m pip install .")
    start = install
    while ours[start - 1].strip().startswith("#"):  # the comment saying why it is `.`
        start -= 1
    expected = [*ours[:start], "        run: python -m pip install -r requirements.txt",
                *ours[install + 1:]]
    school = WORKFLOW.read_text().splitlines()
    assert school == expected, "\n".join(difflib.unified_diff(expected, school, lineterm=""))


def test_the_school_workflow_matches_github_s_schema() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
         "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_templates_ship_inside_the_package() -> None:
    # hatch puts every file under generator/ into the wheel; themes/ needs force-include.
    import generator

    assert WORKFLOW.is_relative_to(Path(generator.__file__).parent)


def test_the_school_pins_the_mading_its_workflow_installs(tmp_path: Path) -> None:
    school = init_school(tmp_path, "SMA Negeri 1 Contoh", today=TODAY)
    lines = (tmp_path / "requirements.txt").read_text().splitlines()
    [requirement] = [line for line in lines if line and not line.startswith("#")]
    # This checkout is installed in development mode: no address a runner could use. The
    # line is the checkout's Git origin and commit if it has one on the web, else the
    # version; either way the file, the README's next steps and init's output say so.
    assert requirement == school.requirement.line
    assert requirement == f"mading=={__version__}" or requirement.startswith(
        "mading @ git+https://")
    assert school.requirement.unreachable is not None
    assert lines[0] == (f"# Mading ini dipasang dari {school.requirement.unreachable}, yang "
                        "tidak bisa dijangkau GitHub Actions.")
    readme = (tmp_path / "README.md").read_text()
    next_steps = readme.split("## Langkah berikutnya\n\n", 1)[1]
    assert next_steps.startswith("> **Periksa `requirements.txt` dulu.** Mading di komputer "
                                 f"ini dipasang dari `{school.requirement.unreachable}`")
    assert f"sekarang `{requirement}`" in next_steps
    assert "pip install -r requirements.txt" in (tmp_path / ".github" / "workflows" /
                                                 "build.yml").read_text()


def test_requirement_sets_the_line_and_needs_no_note(tmp_path: Path) -> None:
    spec = "mading @ git+https://github.com/sekolah/mading@v0.2.0"
    result = mading("init", str(tmp_path / "baru"), "--requirement", spec, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "baru" / "requirements.txt").read_text() == spec + "\n"
    assert "Periksa `requirements.txt`" not in (tmp_path / "baru" / "README.md").read_text()
    assert f"Mading yang dipasang workflow (requirements.txt): {spec}" in result.stdout
    assert result.stderr == ""


def test_init_from_a_checkout_says_which_line_to_put_there(tmp_path: Path) -> None:
    result = mading("init", str(tmp_path / "baru"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("perhatian: Mading ini dipasang dari ")
    assert f"misalnya mading=={__version__} (dari PyPI) atau mading @ git+https://" \
        in result.stderr
    assert "--requirement BARIS" in result.stderr
