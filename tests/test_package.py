"""The package as a school installs it (issue 21): `python -m build` gives an sdist and a
wheel that carry the themes, the catalogues and the new-school templates, `twine check`
passes on both, and the wheel, installed into a fresh virtual environment (not this
checkout), runs `mading init` and `mading build --offline`.

Offline, as the rest of the suite: the build runs without isolation (hatchling is a test
dependency), and the fresh venv reaches the dependencies already installed here through
a `.pth` file that names this venv's site-packages. A `.pth` line only adds a folder to
the path; the `.pth` files in that folder (this checkout's editable install among them)
are not read, so `generator` can only come from the wheel, which the test checks.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import __version__
from tests.conftest import REPO

pytestmark = pytest.mark.package

NAME = f"mading-{__version__}"
SHIPPED = ["themes/default/templates/base.html", "themes/default/templates/404.html",
           "themes/default/static/style.css", "locale/id.toml", "locale/en.toml",
           "new_school/build.yml", "new_school/site.id.yml", "new_school/README.en.md",
           "new_school/gitignore", "serve_reload.js"]


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True,
                            text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel, built as the release workflow builds them."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, REPO, cwd=out)
    return out


def test_the_sdist_and_wheel_carry_everything_and_pass_twine_check(dist: Path) -> None:
    wheel = zipfile.ZipFile(dist / f"{NAME}-py3-none-any.whl").namelist()
    for path in SHIPPED:
        assert f"generator/{path}" in wheel, path
    assert f"{NAME}.dist-info/entry_points.txt" in wheel
    with tarfile.open(dist / f"{NAME}.tar.gz") as sdist:
        names = set(sdist.getnames())
    for path in SHIPPED:
        source = path if path.startswith("themes/") else f"generator/{path}"
        assert f"{NAME}/{source}" in names, path
    result = run(sys.executable, "-m", "twine", "check", "--strict",
                 *sorted(dist.iterdir()), cwd=dist)
    assert result.stdout.count("PASSED") == 2


@pytest.fixture
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv holding the wheel, installed from its file; yields its bin folder."""
    folder = tmp_path_factory.mktemp("venv") / "venv"
    # With its own pip, as a school makes one (this suite's venv, made by uv, has none).
    run(sys.executable, "-m", "venv", folder, cwd=folder.parent)
    python = folder / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                    cwd=folder).stdout.strip())
    (site / "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
        dist / f"{NAME}-py3-none-any.whl", cwd=folder)
    yield folder / "bin"


def school_env() -> dict[str, str]:
    """The environment of an admin's shell: no PYTHONPATH leading back to the checkout."""
    return {key: value for key, value in os.environ.items()
            if key not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_the_wheel_in_a_fresh_venv_starts_and_builds_a_school(venv: Path, tmp_path: Path
                                                             ) -> None:
    env = school_env()
    where = run(venv / "python", "-c", "import generator; print(generator.__file__)",
                cwd=tmp_path, env=env).stdout.strip()
    assert Path(where).is_relative_to(venv.parent), where
    assert not Path(where).is_relative_to(REPO)
    init = run(venv / "mading", "init", "sekolah", "--name", "SMA Negeri 9 Contoh",
               cwd=tmp_path, env=env)
    assert "sekolah baru siap di folder sekolah" in init.stdout
    # Installed from a wheel file: no runner can install it from there, and init says so.
    assert init.stderr.startswith("perhatian: Mading ini dipasang dari ")
    assert f"{NAME}-py3-none-any.whl" in init.stderr
    build = run(venv / "mading", "build", "--offline", cwd=tmp_path / "sekolah", env=env)
    assert build.stdout.startswith("selesai: ")
    public = tmp_path / "sekolah" / "public"
    assert "SMA Negeri 9 Contoh" in (public / "index.html").read_text()
    for path in ("404.html", "feed.xml", "guru/sari/index.html"):
        assert (public / path).is_file(), path
    assert len(list((public / "assets").glob("style.*.css"))) == 1
    help_text = run(venv / "mading", "build", "--help", cwd=tmp_path, env=env).stdout
    assert help_text.startswith("cara pakai: mading build")


def test_installed_from_an_index_the_school_pins_the_version(venv: Path, dist: Path,
                                                             tmp_path: Path) -> None:
    # --find-links stands in for PyPI: pip records no direct URL for an index's package.
    run(venv / "python", "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
        "--find-links", dist, "--force-reinstall", f"mading=={__version__}", cwd=tmp_path)
    init = run(venv / "mading", "init", "sekolah", cwd=tmp_path, env=school_env())
    assert init.stderr == ""
    assert (tmp_path / "sekolah" / "requirements.txt").read_text() == \
        f"mading=={__version__}\n"
