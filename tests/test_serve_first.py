"""`mading serve` shows a saved post's own page first, then builds the rest (issue 23).

The page shown first must be the very page the full build writes, and once the full
builds have caught up the served output must be the one `mading build` writes, search
included.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.build import Gathered, build
from generator.search import bundles_in
from generator.serve_first import Held, saved_post_files
from tests.browser import chromium
from tests.serving import fetch, free_port, not_found, wait_for

POST = Path("content") / "sari" / "2026-11-18-persamaan-kuadrat.md"
POST_PAGE = "guru/sari/2026-11-18-persamaan-kuadrat/index.html"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def held_after_build(site: Path, output: Path) -> Held:
    """The portal serve holds after a full build of `site` into `output`."""
    gathered: list[Gathered] = []
    build(site, output, offline=True, now=NOW, on_gathered=gathered.append)
    assert len(gathered) == 1
    return Held(gathered[0].portal, gathered[0].pictures, 0)


def retitle(post: Path, title: str) -> None:
    """Saved whole, as an editor's safe save does (a new file renamed over the old): a
    file truncated and then written can be seen empty by one poll and read whole by it,
    then seen whole by the next, and its page is shown first twice. Written beside
    content/, where serve does not watch."""
    text = re.sub(r"(?m)^title: .*$", f"title: {title}", post.read_text(), count=1)
    written = post.parents[2] / f".{post.name}.saving"
    written.write_text(text)
    written.replace(post)


def test_the_page_shown_first_is_the_one_the_build_writes(tiny_site: Path) -> None:
    output = tiny_site.parent / "public"
    held = held_after_build(tiny_site, output)
    post = tiny_site.parent / POST
    retitle(post, "Persamaan Kuadrat dan Grafiknya")
    post.write_text(post.read_text().replace("Bentuk umum", "Bentuk baku"))
    made = saved_post_files(held, {post}, 1, NOW)
    assert made is not None
    new_held, files = made
    assert new_held.generation == 1
    shown = {file.path: file for file in files}
    # The page, and the picture it shows beside it.
    assert set(shown) == {POST_PAGE, "guru/sari/2026-11-18-persamaan-kuadrat/grafik.svg"}
    page = shown[POST_PAGE].content
    assert page is not None and b"Persamaan Kuadrat dan Grafiknya" in page
    assert b"Bentuk baku" in page
    assert (output / POST_PAGE).read_bytes() != page  # not written into the output
    build(tiny_site, output, offline=True, now=NOW)
    assert (output / POST_PAGE).read_bytes() == page
    # The held portal has the saved post in place of the old one, not beside it.
    titles = [p.title for p in new_held.portal.posts if p.slug == "2026-11-18-persamaan-kuadrat"]
    assert titles == ["Persamaan Kuadrat dan Grafiknya"]
    assert len(new_held.portal.posts) == len(held.portal.posts)


def test_a_new_post_is_shown_first_at_its_address(tiny_site: Path) -> None:
    """A teacher may open a new post's address (the 404 page) before saving it."""
    output = tiny_site.parent / "public"
    held = held_after_build(tiny_site, output)
    new = tiny_site.parent / "content" / "sari" / "2026-11-21-fungsi-kuadrat.md"
    new.write_text("---\ntitle: Fungsi Kuadrat\ndate: 2026-11-21\n---\nGrafiknya parabola.\n")
    made = saved_post_files(held, {new}, 1, NOW)
    assert made is not None
    new_held, files = made
    assert len(new_held.portal.posts) == len(held.portal.posts) + 1
    page = "guru/sari/2026-11-21-fungsi-kuadrat/index.html"
    assert [file.path for file in files] == [page]
    build(tiny_site, output, offline=True, now=NOW)
    assert (output / page).read_bytes() == files[0].content


@pytest.mark.parametrize("save", [
    "a mistake", "a draft", "a removed post", "site.yml", "a picture"])
def test_a_save_not_shown_first_waits_for_the_full_build(tiny_site: Path, save: str) -> None:
    """A post with a mistake gets its message from the full build, as before; a draft or
    a removed post disappears with it; site.yml or a picture may change any page."""
    held = held_after_build(tiny_site, tiny_site.parent / "public")
    post = tiny_site.parent / POST
    saved = {post}
    if save == "a mistake":
        post.write_text(post.read_text().replace("date: 2026-11-18 07:30", "date: besok"))
    elif save == "a draft":
        post.write_text(post.read_text().replace("kind: materi", "kind: materi\ndraft: true"))
    elif save == "a removed post":
        post.unlink()
    elif save == "site.yml":
        saved = {tiny_site}
    else:
        saved = {post, post.with_name("grafik.svg")}
    assert saved_post_files(held, saved, 1, NOW) is None


def fragments(output: Path) -> dict[str, str]:
    """{page address: its title} of every page of the output's search index."""
    found = {}
    for bundle in bundles_in(output):
        for path in (output / bundle / "fragment").glob("*.pf_fragment"):
            fragment = json.loads(gzip.decompress(path.read_bytes())[12:])
            found[fragment["url"]] = fragment["meta"]["title"]
    return found


def tree(output: Path) -> dict[str, bytes]:
    """Every file of the output but the search index (Pagefind's bytes differ between
    two runs over the same pages), by path."""
    bundles = bundles_in(output)
    return {path.relative_to(output).as_posix(): path.read_bytes()
            for path in sorted(output.rglob("*"))
            if path.is_file() and path.relative_to(output).parts[0] not in bundles}


def test_serve_ends_with_the_output_a_build_writes(tiny_site: Path, tmp_path: Path) -> None:
    """Two saves in a row, the second while the first's full build may still run: each is
    shown first, and once the builds catch up the output is `mading build`'s, with the
    latest title in search (serve's rebuilds once kept the first build's index)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--offline", "--port", str(port)],
        cwd=tiny_site.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    said: list[str] = []
    reading = threading.Thread(target=lambda: said.extend(iter(process.stdout.readline, "")))
    reading.start()
    url = f"http://127.0.0.1:{port}/"
    post = tiny_site.parent / POST
    try:
        wait_for(lambda: "SMA Uji Coba" in fetch(url))
        retitle(post, "Persamaan Kuadrat Satu")
        wait_for(lambda: "Persamaan Kuadrat Satu" in fetch(url + POST_PAGE))
        retitle(post, "Persamaan Kuadrat Dua")
        wait_for(lambda: "Persamaan Kuadrat Dua" in fetch(url + POST_PAGE))
        wait_for(lambda: "Persamaan Kuadrat Dua" in fetch(url)
                 and "Persamaan Kuadrat Dua" in fragments(tiny_site.parent / "public").values())
    finally:
        process.terminate()
        process.wait(timeout=10)
        reading.join(timeout=10)
    assert sum("ditampilkan lebih dulu" in line and POST_PAGE in line for line in said) == 2
    fresh = tmp_path / "fresh"
    shutil.copytree(tiny_site.parent, fresh, ignore=shutil.ignore_patterns(".mading", "public"))
    subprocess.run([sys.executable, "-m", "generator", "build", "--offline", "--url", url],
                   cwd=fresh, check=True, capture_output=True)
    served, built = tiny_site.parent / "public", fresh / "public"
    assert tree(served) == tree(built)
    assert fragments(served) == fragments(built)
    assert fragments(served)["/" + POST_PAGE] == "Persamaan Kuadrat Dua"


def stamp_in(page: str) -> str:
    found = re.search(r'<script src="/__mading/reload.js" data-page="([0-9a-f]*)"', page)
    assert found is not None
    return found.group(1)


def status_of(url: str, page: str, since: int | None = None) -> dict[str, object]:
    query = f"?page=/{page}" + ("" if since is None else f"&since={since}")
    answer: dict[str, object] = json.loads(fetch(url + "__mading/status" + query))
    return answer


def test_the_status_says_the_stamp_of_the_page_at_an_address(serving: str,
                                                             tiny_site: Path) -> None:
    """The open page reloads only when the page at its address is another: a save
    changes its stamp, a missing page has none."""
    before = status_of(serving, POST_PAGE)
    assert before["page"] == stamp_in(fetch(serving + POST_PAGE))
    folder = POST_PAGE.removesuffix("index.html")
    assert status_of(serving, folder)["page"] == before["page"]
    assert status_of(serving, "guru/tidak-ada/")["page"] == ""
    assert stamp_in(not_found(serving + "guru/tidak-ada/")) == ""
    retitle(tiny_site.parent / POST, "Persamaan Kuadrat Baru")
    version = before["version"]
    assert isinstance(version, int)
    after = status_of(serving, POST_PAGE, since=version)
    assert after["page"] not in (before["page"], "")
    wait_for(lambda: "Persamaan Kuadrat Baru" in fetch(serving))
    assert status_of(serving, POST_PAGE)["page"] == stamp_in(fetch(serving + POST_PAGE))


@pytest.mark.browser
def test_the_open_page_reloads_only_when_its_page_changes(serving: str,
                                                          tiny_site: Path) -> None:
    """A save of another post, shown first and then built, leaves the open page as it
    is; a save of its own post reloads it once: the full build after it writes the very
    page shown first."""
    with chromium() as browser:
        page = browser.new_page()
        loads: list[str] = []
        page.on("load", lambda loaded: loads.append(loaded.url))
        page.goto(serving + POST_PAGE)
        other = tiny_site.parent / "content" / "sari" / "2026-11-19-tugas-kuadrat.md"
        other.write_text(other.read_text().replace("title: Tugas Persamaan Kuadrat",
                                                   "title: Tugas Persamaan Kuadrat Lain"))
        wait_for(lambda: "Tugas Persamaan Kuadrat Lain" in fetch(serving))
        page.wait_for_timeout(1500)  # a reload would come within milliseconds
        assert loads == [serving + POST_PAGE]
        retitle(tiny_site.parent / POST, "Persamaan Kuadrat Sekali")
        page.locator("h1", has_text="Persamaan Kuadrat Sekali").wait_for(timeout=10_000)
        wait_for(lambda: "Persamaan Kuadrat Sekali" in fetch(serving))
        page.wait_for_timeout(1500)
        assert loads == [serving + POST_PAGE] * 2


def test_a_page_gone_before_its_answer_prints_no_error(tiny_site: Path) -> None:
    """A page that reloads leaves its status question open; answered once the next build
    is done, into a closed connection, it is no traceback in the teacher's terminal."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--offline", "--port", str(port)],
        cwd=tiny_site.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(lambda: "SMA Uji Coba" in fetch(url))
        version = status_of(url, POST_PAGE)["version"]
        for _question in range(3):
            with socket.create_connection(("127.0.0.1", port)) as asking:
                asking.sendall(f"GET /__mading/status?since={version} HTTP/1.1\r\n"
                               f"Host: 127.0.0.1\r\n\r\n".encode())
                # Closed with a reset, as a browser drops a page's requests.
                asking.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                  struct.pack("ii", 1, 0))
        retitle(tiny_site.parent / POST, "Persamaan Kuadrat Lagi")
        wait_for(lambda: "Persamaan Kuadrat Lagi" in fetch(url))
    finally:
        process.terminate()
        printed, _ = process.communicate(timeout=10)
    assert "ditampilkan lebih dulu" in printed
    assert "Traceback" not in printed


def test_serve_started_on_a_current_output_shows_the_first_save_first(tiny_site: Path) -> None:
    """The output a `mading build` for the same address left is current: serve gathers
    the portal all the same (its posts from the build cache), to show saves on."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    subprocess.run([sys.executable, "-m", "generator", "build", "--offline", "--url", url],
                   cwd=tiny_site.parent, check=True, capture_output=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--offline", "--port", str(port)],
        cwd=tiny_site.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: "SMA Uji Coba" in fetch(url))
        retitle(tiny_site.parent / POST, "Persamaan Kuadrat Pertama")
        wait_for(lambda: "Persamaan Kuadrat Pertama" in fetch(url))
    finally:
        process.terminate()
        printed, _ = process.communicate(timeout=10)
    assert "ditampilkan lebih dulu" in printed
