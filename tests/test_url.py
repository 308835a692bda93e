"""The portal's address (issue 21): `--url`, CI without one, the local address noted once."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.browser import check_not_found_page, chromium
from tests.conftest import REPO

PAGES = "https://owner.github.io/sekolah/"
WORKFLOWS = [REPO / ".github" / "workflows" / "build.yml",
             REPO / "generator" / "new_school" / "build.yml"]


def mading(site: Path, *args: str, ci: bool = False) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("CI", "GITHUB_ACTIONS")}
    if ci:
        env["GITHUB_ACTIONS"] = "true"
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=site.parent,
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture
def no_url(tiny_site: Path) -> Path:
    """The tiny site without `url:` in site.yml, as a new school's first one is."""
    text = tiny_site.read_text()
    assert "  url: https://uji.sch.id/portal/\n" in text
    tiny_site.write_text(text.replace("  url: https://uji.sch.id/portal/\n", ""))
    return tiny_site


def output_text(site: Path) -> str:
    public = site.parent / "public"
    return "\n".join(path.read_text(encoding="utf-8") for path in public.rglob("*")
                     if path.suffix in (".html", ".xml", ".json", ".txt"))


def test_a_ci_build_without_an_address_is_refused(no_url: Path) -> None:
    result = mading(no_url, "build", "--offline", ci=True)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("site.yml: alamat portal belum ada: build di CI butuh")
    assert "Traceback" not in result.stderr
    assert not (no_url.parent / "public").exists()


def test_ci_equals_true_is_ci_too(no_url: Path) -> None:
    env = {**os.environ, "CI": "true"}
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--offline"],
                            cwd=no_url.parent, capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 2


def test_url_from_github_pages_is_used_everywhere(no_url: Path) -> None:
    result = mading(no_url, "build", "--offline", "--url", PAGES.rstrip("/"), ci=True)
    assert result.returncode == 0, result.stderr
    text = output_text(no_url)
    assert "localhost" not in text
    assert f"<loc>{PAGES}guru/sari/</loc>" in (no_url.parent / "public" / "sitemap.xml"
                                             ).read_text()
    assert f"<id>{PAGES}</id>" in (no_url.parent / "public" / "feed.xml").read_text()
    assert f"{PAGES}" in (no_url.parent / "public" / "404.html").read_text()
    assert "alamat lokal" not in result.stderr


def test_url_replaces_site_yml_and_a_new_one_rebuilds(tiny_site: Path) -> None:
    first = mading(tiny_site, "build", "--offline", ci=True)
    assert first.returncode == 0, first.stderr
    assert "https://uji.sch.id/portal/" in output_text(tiny_site)
    second = mading(tiny_site, "build", "--offline", "--url", PAGES, ci=True)
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("selesai: "), second.stdout
    text = output_text(tiny_site)
    assert PAGES in text
    assert "https://uji.sch.id/portal/" not in text


def test_a_local_build_says_once_that_it_used_the_local_address(no_url: Path) -> None:
    result = mading(no_url, "build", "--offline")
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "alamat lokal" in line]
    assert notes == ["catatan: site.yml belum berisi 'url:', jadi portal dibangun untuk "
                     "alamat lokal http://localhost:8000/; untuk portal yang diterbitkan, "
                     "isi 'url:' atau pakai --url"]
    again = mading(no_url, "build", "--offline")
    assert again.stdout.startswith("sudah terbaru")
    assert sum("alamat lokal" in line for line in again.stderr.splitlines()) == 1


@pytest.mark.parametrize("bad", ["sekolah.sch.id", "ftp://sekolah.sch.id/", "https://",
                                 "http://[::1"])
def test_a_bad_url_is_a_plain_message(tiny_site: Path, bad: str) -> None:
    result = mading(tiny_site, "build", "--offline", "--url", bad)
    assert result.returncode == 2
    assert result.stderr.startswith(f"--url: --url '{bad}' bukan alamat web lengkap")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=["repository", "new_school"])
def test_the_workflow_builds_for_the_pages_address(path: Path) -> None:
    steps = yaml.safe_load(path.read_text())["jobs"]["build"]["steps"]
    pages = next(i for i, step in enumerate(steps)
                 if step.get("uses", "").startswith("actions/configure-pages@"))
    build = next(i for i, step in enumerate(steps) if step.get("name") == "Build")
    assert pages < build
    step_id = steps[pages]["id"]
    assert steps[build]["env"]["PORTAL_URL"] == \
        "${{ steps." + step_id + ".outputs.base_url }}/"
    assert re.search(r'mading build [^\n]*--url "\$PORTAL_URL"', steps[build]["run"])


class _PagesHandler(SimpleHTTPRequestHandler):
    """GitHub Pages for a project site, as far as the 404 page goes: the output under
    `/sekolah/`, and a missing page at any depth answered with `/sekolah/404.html`."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        page = Path(self.directory) / "sekolah" / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.browser
def test_the_404_page_works_under_a_project_sub_path_on_a_phone(no_url: Path,
                                                                tmp_path: Path) -> None:
    root = tmp_path / "pages"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_PagesHandler, directory=str(root)))
    base = f"http://127.0.0.1:{server.server_address[1]}/sekolah/"
    result = mading(no_url, "build", "--offline", "--url", base, "--output",
                    str(root / "sekolah"), ci=True)
    assert result.returncode == 0, result.stderr
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with chromium() as browser:
            check_not_found_page(browser, base, "guru/sari/tulisan-lama/lagi/", "SMA Uji Coba")
    finally:
        server.shutdown()
        server.server_close()
