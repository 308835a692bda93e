"""Faults on the archive, on real SQLite files with real processes (issue 8, item 4).

- another process holding the archive: a bounded wait, then a message, nothing changed;
- a damaged file (random bytes, truncated, empty, someone else's database, a folder):
  a message that says how to get the archive back, and the file left exactly as it was;
- a full disk during an update (a file size limit, and a real small tmpfs where the
  machine lets us mount one): a message, and the previous archive whole;
- SIGKILL at random moments of a large update: the archive opens and holds every post it
  held before (an update is all or nothing);
- `mading serve` while another process holds the archive: the problem is shown in the
  pages and the console, the last build stays served, the next save builds;
- a full disk while writing the output folder (a file size limit, a full and a read-only
  tmpfs): a message, the previous output whole, no staging folder left behind;
- a worker reading Markdown posts killed (what the out-of-memory killer does): the build
  reads the rest itself and publishes every post.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from generator.archive import Archive, ArchiveError
from generator.children import CHILD_NAME
from generator.cli import main
from generator.models import Entry, FeedResult, pack_html
from tests.conftest import REPO
from tests.serving import fetch, free_port, wait_for
from tests.test_serve import status

T1 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
T2 = T1 + timedelta(hours=6)
OLD_POSTS = 300
"""Posts the archive holds before each fault: none of them may be lost."""
WHERE = ".mading/archive.sqlite"


def entries(count: int, prefix: str = "lama", teacher: str = "budi", size: int = 2000
            ) -> tuple[Entry, ...]:
    return tuple(Entry(teacher=teacher, entry_id=f"{prefix}-{n}", origin="feed",
                       title=f"{prefix.title()} {n}", published=T1 + timedelta(minutes=n),
                       html=pack_html("<p>" + "Materi pelajaran. " * (size // 18) + "</p>"),
                       link=f"https://pakbudi.example/{prefix}-{n}/")
                 for n in range(count))


def feed(*posts: Entry, teacher: str = "budi") -> FeedResult:
    return FeedResult(teacher, f"feeds/{teacher}.xml", posts, "Blog", "https://b.example/",
                      "https://b.example/feed/")


def stored_ids(path: Path) -> set[str]:
    """The entry ids in the file, read with plain sqlite3 after an integrity check."""
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return {entry_id for (entry_id,) in db.execute("SELECT entry_id FROM entries")}
    finally:
        db.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def archived(tiny_site: Path) -> Path:
    """The tiny site with an archive of `OLD_POSTS` of Budi's posts (and its copy)."""
    path = tiny_site.parent / WHERE
    with Archive(path) as archive:
        archive.store([feed(*entries(OLD_POSTS))], T1)
    assert path.with_name("archive.sqlite.bak").is_file()
    return path


def python(script: str, *args: str, **options: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=REPO, text=True,
                            **options)


# --- (a) locked by another process ----------------------------------------------------------

HOLD = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()   # until the test closes our stdin
db.execute("ROLLBACK")
"""

MADING = """
import sys
import generator.archive
generator.archive.LOCK_WAIT = float(sys.argv[1])
from generator.cli import main
raise SystemExit(main(sys.argv[2:]))
"""


@pytest.fixture
def holder(archived: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process inside a write transaction on the archive (`BEGIN EXCLUSIVE`)."""
    process = python(HOLD, str(archived), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stdout.readline() == "locked\n"
    yield process
    if process.poll() is None:
        process.communicate(timeout=10)


def test_locked_archive_is_waited_for_then_reported(tiny_site: Path, archived: Path,
                                                    holder: subprocess.Popen[str]) -> None:
    before = digest(archived)
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-c", MADING, "1", "build", "--offline"],
                         cwd=tiny_site.parent, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    waited = time.monotonic() - started
    assert run.returncode == 2
    assert run.stderr == (
        f"{WHERE}: arsip sedang dipakai perintah Mading lain (sudah ditunggu 1 detik); "
        "tidak ada yang diubah. Jalankan lagi setelah perintah itu selesai\n")
    assert 1 <= waited < 8
    assert not (tiny_site.parent / "public").exists()
    holder.communicate(timeout=10)
    assert digest(archived) == before
    assert len(stored_ids(archived)) == OLD_POSTS


def test_lock_taken_during_an_update_fails_it_whole_and_the_next_one_works(
        archived: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("generator.archive.LOCK_WAIT", 0.3)
    with Archive(archived) as archive:
        process = python(HOLD, str(archived), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert process.stdout is not None and process.stdout.readline() == "locked\n"
        with pytest.raises(ArchiveError) as caught:
            archive.store([feed(*entries(50, "baru"))], T2)
        assert caught.value.message_id == "archive_file.locked"
        process.communicate(timeout=10)
        archive.store([feed(*entries(50, "baru"))], T2)
    assert len(stored_ids(archived)) == OLD_POSTS + 50


# --- (b) a damaged file, or not ours ------------------------------------------------------

def damage(path: Path, kind: str) -> None:
    size = path.stat().st_size
    if kind == "random bytes":
        path.write_bytes(random.Random(8).randbytes(size))
    elif kind == "truncated":
        with open(path, "r+b") as file:
            file.truncate(size // 2)
    elif kind == "zero-length":
        path.write_bytes(b"")
    elif kind == "pages overwritten":
        with open(path, "r+b") as file:  # the header stays, the pages after it do not
            file.seek(4096 * 2)
            file.write(random.Random(8).randbytes(4096 * 8))
    elif kind == "not ours":
        path.unlink()
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE nilai (siswa TEXT, nilai INTEGER)")
        db.commit()
        db.close()
    elif kind == "folder":
        path.unlink()
        path.mkdir()
        (path / "isi.txt").write_text("bukan arsip")


DAMAGED_ID = {
    "random bytes": "berkas arsip rusak (file is not a database); Mading membiarkannya apa "
                    "adanya dan tidak membangun apa pun darinya.",
    "truncated": "berkas arsip rusak (",
    "pages overwritten": "berkas arsip rusak (",
    "zero-length": "berkas arsip kosong (0 byte), jadi tidak memuat tulisan yang seharusnya "
                   "ada; Mading membiarkannya apa adanya. Jika situs ini baru, hapus berkas "
                   "itu.",
}
RESTORE_ID = (" Salinan yang disimpan setelah pembaruan sebelumnya ada di "
              f"{WHERE}.bak: pindahkan berkas yang rusak, lalu pasang salinan itu di "
              f"tempatnya, misalnya: mv {WHERE} {WHERE}.rusak && cp {WHERE}.bak {WHERE}")


def tree(folder: Path) -> dict[str, str | None]:
    return {str(p.relative_to(folder)): digest(p) if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("kind", ["random bytes", "truncated", "pages overwritten",
                                  "zero-length"])
def test_damaged_archive_is_left_untouched_and_the_way_back_is_told(
        tiny_site: Path, archived: Path, kind: str, capsys: pytest.CaptureFixture[str]
        ) -> None:
    damage(archived, kind)
    before = tree(archived.parent)

    for command in (["build", "--offline"], ["report"], ["archive", "export"]):
        assert main(command) == 2, command
        out, err = capsys.readouterr()
        assert out == ""  # not even the first line of an export
        assert err.startswith(f"{WHERE}: {DAMAGED_ID[kind]}"), (command, err)
        assert err.endswith(RESTORE_ID + "\n"), (command, err)
        assert tree(archived.parent) == before, command  # not written, repaired or deleted
    assert not (tiny_site.parent / "public").exists()

    # The way back, as the message says it.
    archived.rename(archived.with_name("archive.sqlite.rusak"))
    shutil.copy(archived.with_name("archive.sqlite.bak"), archived)
    assert main(["fetch"]) == 0
    assert len(stored_ids(archived)) == OLD_POSTS + 3  # and the tiny site's own feeds


def test_damaged_archive_without_a_copy_points_to_the_export(
        tiny_site: Path, archived: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tiny_site.parent / WHERE).with_name("archive.sqlite.bak").unlink()
    tiny_site.write_text(tiny_site.read_text().replace("language: id", "language: en"))
    damage(archived, "random bytes")
    assert main(["fetch"]) == 2
    assert capsys.readouterr().err == (
        f"{WHERE}: the archive file is damaged (file is not a database); Mading leaves it as "
        "it is and builds nothing from it. To start again from your last export: move the "
        f"damaged file aside (mv {WHERE} {WHERE}.damaged), then run 'mading archive "
        "import FILE' with the export file\n")


@pytest.mark.parametrize(("kind", "message"), [
    ("not ours", "berkas ini basis data SQLite, tetapi bukan arsip Mading (tabelnya: nilai); "
                 "Mading tidak menyentuhnya. Pindahkan ke tempat lain: tempat ini untuk arsip"),
    ("folder", "ada folder di tempat yang seharusnya berkas arsip; pindahkan folder itu"),
])
def test_something_else_in_the_archives_place_is_not_touched(
        tiny_site: Path, archived: Path, kind: str, message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    damage(archived, kind)
    before = tree(archived.parent)
    assert main(["build", "--offline"]) == 2
    assert capsys.readouterr().err == f"{WHERE}: {message}\n"
    assert tree(archived.parent) == before


def test_failed_export_keeps_the_previous_export(tiny_site: Path, archived: Path) -> None:
    export = tiny_site.parent / "arsip.jsonl"
    assert main(["archive", "export", str(export)]) == 0
    good = export.read_text()
    assert good.count("\n") == OLD_POSTS + 2
    damage(archived, "pages overwritten")
    assert main(["archive", "export", str(export)]) == 2
    assert export.read_text() == good
    assert [p.name for p in tiny_site.parent.iterdir() if "arsip.jsonl" in p.name] == \
        ["arsip.jsonl"]


def test_the_archive_uses_a_rollback_journal_with_full_sync(archived: Path) -> None:
    with Archive(archived) as archive:
        archive.store([feed(*entries(10, "baru"))], T2)
        # Read through the archive's own connection: these are per-connection settings.
        assert archive._db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert archive._db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    # At rest the archive is one file (and its copy): nothing else to keep or to lose.
    assert sorted(p.name for p in archived.parent.iterdir()) == \
        ["archive.sqlite", "archive.sqlite.bak"]


# --- (c) a full disk ------------------------------------------------------------------------

LIMITED = """
import resource, signal, sys
# Past the limit the kernel sends SIGXFSZ (which kills); ignored, writes fail with EFBIG.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from generator.cli import main
raise SystemExit(main(["fetch"]))
"""


def big_feed(site: Path, items: int = 100) -> None:
    """Rina's JSON Feed, grown to a few megabytes: more than the disk has room for."""
    feed_items = [{"id": f"https://missrina.example/{n}/", "url": f"https://missrina.example/{n}/",
                   "title": f"Lesson {n}", "date_published": "2026-11-01T08:00:00+07:00",
                   "content_html": "<p>" + "Reading practice. " * 1500 + "</p>"}
                  for n in range(items)]
    (site.parent / "feeds" / "rina.json").write_text(json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "Rina",
         "home_page_url": "https://missrina.example/", "items": feed_items}))


def test_update_that_hits_the_file_size_limit_leaves_the_archive_whole(
        tiny_site: Path, archived: Path) -> None:
    big_feed(tiny_site)
    before = stored_ids(archived)
    limit = archived.stat().st_size + 16 * 1024
    run = subprocess.run([sys.executable, "-c", LIMITED, str(limit)], cwd=tiny_site.parent,
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"{WHERE}: arsip tidak bisa diperbarui (disk I/O error) dan "
                                 "masih memuat isi sebelum perintah ini."), run.stderr
    assert stored_ids(archived) == before
    with Archive(archived) as archive:
        assert len(archive.entries()) == OLD_POSTS


def _tmpfs(folder: Path) -> Iterator[Path]:
    """An 8 MB tmpfs mounted on `folder` (skipped where mounting is not allowed: not
    root, or a container without CAP_SYS_ADMIN)."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def small_disk(tiny_site: Path) -> Iterator[Path]:
    """An 8 MB tmpfs mounted on the site's .mading folder (skipped where mounting is not
    allowed: not root, or a container without CAP_SYS_ADMIN)."""
    yield from _tmpfs(tiny_site.parent / ".mading")


def test_update_on_a_full_disk_leaves_the_archive_whole(tiny_site: Path, small_disk: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    path = small_disk / "archive.sqlite"
    with Archive(path) as archive:
        archive.store([feed(*entries(OLD_POSTS))], T1)
    # Fill the disk but for a little room (the journal of a small update fits).
    free = shutil.disk_usage(small_disk).free
    (small_disk / "pengisi").write_bytes(b"\0" * (free - 64 * 1024))
    big_feed(tiny_site)
    before = stored_ids(path)

    assert main(["fetch"]) == 2
    assert capsys.readouterr().err == (
        f"{WHERE}: disk penuh: arsip tidak bisa diperbarui dan masih memuat isi sebelum "
        "perintah ini. Kosongkan sebagian ruang disk, lalu jalankan lagi\n")
    assert stored_ids(path) == before
    # With room again, the same update goes through.
    (small_disk / "pengisi").unlink()
    assert main(["fetch"]) == 0
    assert len(stored_ids(path)) == OLD_POSTS + 100 + 2


# --- (d) killed during an update ------------------------------------------------------------

STORE = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from generator.archive import Archive
from generator.models import Entry, FeedResult, FetchLimits, pack_html
now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
def entry(prefix, n, title):
    return Entry(teacher="budi", entry_id=f"{prefix}-{n}", origin="feed", title=title,
                 published=now, html=pack_html("<p>" + "Materi pelajaran. " * 111 + "</p>"),
                 link=f"https://pakbudi.example/{prefix}-{n}/")
# A feed read: many new posts, and every old one again with a changed title.
posts = [entry("baru", n, f"Baru {n}") for n in range(int(sys.argv[2]))]
posts += [entry("lama", n, f"Lama {n} (diubah)") for n in range(int(sys.argv[3]))]
result = FeedResult("budi", "feeds/budi.xml", tuple(posts), "Blog")
print("started", flush=True)
with Archive(Path(sys.argv[1])) as archive:
    # All of the new posts: a long update, to kill at any point of it.
    archive.store([result], now, FetchLimits(max_new_entries=int(sys.argv[2])))
print("stored", flush=True)
"""
NEW_POSTS = 2000
KILLS = 10


def update_in_child(path: Path, kill_after: float | None) -> tuple[bool, float]:
    """Run an update of `NEW_POSTS` new posts (and every old one changed) in a child;
    SIGKILL it `kill_after` seconds after it started, unless None. Returns whether it
    finished, and how long it ran."""
    child = python(STORE, str(path), str(NEW_POSTS), str(OLD_POSTS), stdout=subprocess.PIPE,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    assert child.stdout is not None and child.stdout.readline() == "started\n"
    started = time.monotonic()
    if kill_after is not None:
        time.sleep(kill_after)
        os.kill(child.pid, signal.SIGKILL)
    output, _ = child.communicate(timeout=60)
    return "stored" in output, time.monotonic() - started


def test_killed_update_loses_no_post_it_held_before(archived: Path, tmp_path: Path) -> None:
    """Kills spread over the whole update: writing pages, committing, copying it beside."""
    before = stored_ids(archived)
    archived.with_name("archive.sqlite.bak").unlink()  # so the update makes one (killable)
    whole = tmp_path / "whole" / "archive.sqlite"
    whole.parent.mkdir()
    shutil.copy(archived, whole)
    finished, duration = update_in_child(whole, None)
    assert finished and len(stored_ids(whole)) == OLD_POSTS + NEW_POSTS

    outcomes = {"rolled back": 0, "committed": 0, "hot journal": 0}
    for trial in range(KILLS):
        path = tmp_path / f"trial-{trial}" / "archive.sqlite"
        path.parent.mkdir()
        shutil.copy(archived, path)
        update_in_child(path, duration * (trial + 0.5) / KILLS * 1.1)
        outcomes["hot journal"] += path.with_name("archive.sqlite-journal").exists()

        with Archive(path) as archive:  # opens: the journal rolls back a killed update
            ids = {e.entry_id for e in archive.entries()}
        assert before <= ids, f"trial {trial}: lost {len(before - ids)} posts"
        new = ids - before
        assert len(new) in (0, NEW_POSTS), f"trial {trial}: half an update ({len(new)})"
        outcomes["committed" if new else "rolled back"] += 1
        backup = path.with_name("archive.sqlite.bak")
        if backup.exists():  # a copy killed while being made is never put in place
            assert before <= stored_ids(backup)
    print(f"\nSIGKILL during an update: {KILLS} kills, {outcomes}, 0 posts lost")
    assert outcomes["hot journal"] > 0  # some kills landed inside the transaction


# --- (e) mading serve and a locked archive ----------------------------------------------------

def test_serve_shows_a_locked_archive_and_keeps_serving(tiny_site: Path, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path / "serve.log"
    post = tiny_site.parent / "content" / "sari" / "2026-11-18-persamaan-kuadrat.md"
    locked = (f"{WHERE}: arsip sedang dipakai perintah Mading lain (sudah ditunggu 1 detik); "
              "tidak ada yang diubah. Jalankan lagi setelah perintah itu selesai")
    holder: subprocess.Popen[str] | None = None
    with open(log, "w") as console:
        server = subprocess.Popen([sys.executable, "-c", MADING, "1", "serve", "--offline",
                                   "--port", str(port)], cwd=tiny_site.parent, text=True,
                                  stdout=console, stderr=subprocess.STDOUT,
                                  env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        wait_for(lambda: "Persamaan Kuadrat" in fetch(url), timeout=60)
        # Another command inside a write transaction, then a post is saved.
        holder = python(HOLD, str(tiny_site.parent / WHERE), stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE)
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        post.write_text(post.read_text().replace("title: Persamaan Kuadrat",
                                                 "title: Persamaan Kuadrat Baru"))
        wait_for(lambda: status(url)["problems"] == [locked], timeout=60)

        # Shown in the pages' banner and the console; the last build is still served.
        assert server.poll() is None
        page = fetch(url)
        assert "Persamaan Kuadrat" in page and "Persamaan Kuadrat Baru" not in page
        assert locked + "\n" in log.read_text()

        # The lock is released: the next save builds.
        holder.communicate(timeout=10)
        post.write_text(post.read_text().replace("Kuadrat Baru", "Kuadrat Lagi"))
        wait_for(lambda: "Persamaan Kuadrat Lagi" in fetch(url), timeout=60)
        # (The state is set just after the new build is swapped in.)
        wait_for(lambda: status(url)["problems"] == [], timeout=10)
        assert server.poll() is None
    finally:
        if holder is not None and holder.poll() is None:
            holder.communicate(timeout=10)
        server.terminate()
        server.wait(timeout=10)
    assert len(stored_ids(tiny_site.parent / WHERE)) == 3  # the tiny site's feed posts


# --- (f) a full disk while writing the output folder ------------------------------------------

LIMITED_COMMAND = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from generator.cli import main
raise SystemExit(main(sys.argv[2:]))
"""
ATTACHMENT = 3 * 1024 * 1024


def output_state(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file of an output: inode, modification time and digest."""
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns, digest(p))
            for p in sorted(folder.rglob("*")) if p.is_file()}


def add_post(site: Path, name: str, attachment: int = 0) -> None:
    """A post of Sari's; with `attachment`, a worksheet of that many bytes beside it."""
    text = f"---\ntitle: {name}\ndate: 2026-11-22\n"
    if attachment:
        text += f"attachments: [{name}.pdf]\n"
        (site / "content" / "sari" / f"{name}.pdf").write_bytes(b"%PDF-1.4\n" +
                                                                  b"0" * attachment)
    text += "---\n" + "Kerjakan soal berikut dengan teliti. " * 200 + "\n"
    (site / "content" / "sari" / f"2026-11-22-{name}.md").write_text(text)


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir()
            if p.name.startswith(".public.") and p.name != ".public.lock"]


@pytest.mark.parametrize("previous", [True, False], ids=["rebuild", "first build"])
def test_output_that_hits_the_file_size_limit_is_left_whole(tiny_site: Path,
                                                            previous: bool) -> None:
    site = tiny_site.parent
    output = site / "public"
    if previous:
        assert main(["build", "--offline"]) == 0
    before = output_state(output) if previous else None
    add_post(site, "bank-soal", attachment=ATTACHMENT)

    run = subprocess.run([sys.executable, "-c", LIMITED_COMMAND, str(1024 * 1024), "build",
                          "--offline"], cwd=site, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(REPO)})

    assert run.returncode == 2, run.stderr
    assert run.stderr == (
        "public: tidak ada ruang untuk menulis hasil build (File too large): disk penuh atau "
        "batas ukuran berkas tercapai; folder keluaran dibiarkan seperti sebelumnya. "
        "Kosongkan sebagian ruang disk, lalu jalankan lagi\n")
    if previous:
        assert output_state(output) == before
    else:
        assert not output.exists()
    assert leftovers(site) == []
    # With room again, the same build goes through.
    assert main(["build", "--offline"]) == 0
    assert (output / "guru/sari/2026-11-22-bank-soal/bank-soal.pdf").stat().st_size == \
        ATTACHMENT + 9


@pytest.fixture
def small_output_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs for the output (skipped where mounting is not allowed)."""
    yield from _tmpfs(tmp_path / "disk")


def test_output_on_a_full_disk_is_left_whole(tiny_site: Path, small_output_disk: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    tiny_site.write_text(tiny_site.read_text().replace("language: id", "language: en"))
    output = small_output_disk / "public"
    assert main(["build", "--offline", "--output", str(output)]) == 0
    before = output_state(output)
    free = shutil.disk_usage(small_output_disk).free
    (small_output_disk / "pengisi").write_bytes(b"\0" * (free - 8 * 1024))
    add_post(tiny_site.parent, "latihan")
    capsys.readouterr()

    assert main(["build", "--offline", "--output", str(output)]) == 2

    assert capsys.readouterr().err == (
        f"{output}: no room to write the build (No space left on device): the disk is full "
        "or a file size limit was reached; the output folder is left as it was. Free some "
        "space, then run again\n")
    assert output_state(output) == before
    assert leftovers(small_output_disk) == []
    (small_output_disk / "pengisi").unlink()
    assert main(["build", "--offline", "--output", str(output)]) == 0
    assert (output / "guru/sari/2026-11-22-latihan/index.html").is_file()


def test_output_on_a_read_only_disk_is_reported(tiny_site: Path, small_output_disk: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    output = small_output_disk / "public"
    assert main(["build", "--offline", "--output", str(output)]) == 0
    before = output_state(output)
    add_post(tiny_site.parent, "latihan")
    subprocess.run(["mount", "-o", "remount,ro", str(small_output_disk)], check=True)
    capsys.readouterr()

    assert main(["build", "--offline", "--output", str(output)]) == 2

    assert capsys.readouterr().err == (
        f"{output}: hasil build tidak bisa ditulis (Read-only file system); folder keluaran "
        "dibiarkan seperti sebelumnya. Periksa apakah folder itu boleh ditulis (izin akses, "
        "disk hanya-baca), lalu jalankan lagi\n")
    assert output_state(output) == before


# --- a reading worker killed ---------------------------------------------------------------

def reading_workers(pid: int) -> list[int]:
    """The `spawn` pool workers among the children of process `pid` that have started:
    tied to the build, they are named `mading-worker` (before, a worker killed or stopped
    while still importing stands for something else: a pool that fails to start)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    reading = []
    for child in children:
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes() and \
                    Path(f"/proc/{child}/comm").read_bytes().strip() == CHILD_NAME:
                reading.append(int(child))
        except OSError:
            continue
    return reading


def test_a_killed_reading_worker_costs_no_post(tiny_site: Path, tmp_path: Path) -> None:
    """A worker killed while it reads posts (SIGKILL, as the out-of-memory killer does):
    the build reads the rest itself, exits 0 and publishes every post.

    Killed earlier, while the pool is still starting, Python 3.11's process pool can
    fail or hang on its own; that is not what this checks."""
    site = tiny_site.parent
    count = 600
    for n in range(count):
        add_post(site, f"latihan-{n}")
    log = tmp_path / "build.log"
    with log.open("w") as console:
        build = subprocess.Popen([sys.executable, "-m", "generator", "build", "--offline"],
                                 cwd=site, stdout=console, stderr=subprocess.STDOUT,
                                 env={**os.environ, "PYTHONPATH": str(REPO)},
                                 start_new_session=True)
    killed = None
    try:
        while killed is None and build.poll() is None:
            for worker in reading_workers(build.pid):
                os.kill(worker, signal.SIGKILL)
                killed = worker
                break
            time.sleep(0.002)
        build.wait(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)

    assert killed is not None, "no worker was seen reading"
    assert build.returncode == 0, log.read_text()
    pages = {p.parent.name for p in (site / "public" / "guru" / "sari").glob("*/index.html")}
    assert {f"2026-11-22-latihan-{n}" for n in range(count)} <= pages


# --- a build killed: its children end with it (issue 26) -----------------------------------

KILLED_BUILD = """
import sys
import generator.render.parallel
generator.render.parallel.PARALLEL_RENDER_FROM = 50  # forked rendering workers, under 1,000 posts
from generator.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def descendants(pid: int) -> set[tuple[int, str]]:
    """The processes under `pid`, each with its start time (pids are reused)."""
    found: set[tuple[int, str]] = set()
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for child in map(int, children):
        start = process_start(child)
        if start is not None:
            found.add((child, start))
            found |= descendants(child)
    return found


def process_start(pid: int) -> str | None:
    """When `pid` started, or None once it has ended (a zombie has ended too: only its
    parent, gone with the build, would collect it)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def cpu_ticks(pid: int) -> int:
    """The CPU time `pid` has used, in clock ticks (1/100 s)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.parametrize("kind", ["reading", "rendering", "pagefind"])
def test_a_build_killed_leaves_no_process_behind(tiny_site: Path, kind: str) -> None:
    """kill -9 of a build while its reading workers, its forked rendering workers or
    Pagefind run: those end with it (they lived on: the forked workers for good)."""
    site = tiny_site.parent
    for n in range(80):
        add_post(site, f"latihan-{n}")
    build = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, "build", "--offline"],
                             cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "PYTHONPATH": str(REPO)},
                             start_new_session=True)

    def wanted(pid: int) -> bool:
        if kind == "reading":  # tied to the build already, so past its start
            return pid in reading_workers(build.pid)
        if kind == "pagefind":
            return b"pagefind" in command_line(pid)
        # A forked worker that has rendered for 20 ms of CPU time, so past its start (a
        # child just forked to start another program has the build's command line too).
        return b"PARALLEL_RENDER_FROM" in command_line(pid) and cpu_ticks(pid) >= 2

    children: set[tuple[int, str]] = set()
    seen: set[int] = set()
    found: set[int] = set()
    try:
        while build.poll() is None:
            children |= descendants(build.pid)
            # Seen twice, 10 ms apart: a child started with fork and exec holds the build's
            # command line for a moment, and is not a forked rendering worker.
            found = {pid for pid, _ in children if wanted(pid)}
            if found & seen:
                # Stopped, they stand for children busy for long (a district's Pagefind
                # runs for minutes): none would end on its own before it is done.
                for pid in found & seen:
                    os.kill(pid, signal.SIGSTOP)
                os.kill(build.pid, signal.SIGKILL)
                break
            seen = found
            time.sleep(0.01)
        build.wait(timeout=120)
        assert found & seen, f"no {kind} process was seen"
        left = children
        for _ in range(100):  # the kernel's signal takes a moment to land: at most 10 s
            left = {(pid, start) for pid, start in left if process_start(pid) == start}
            if not left:
                break
            time.sleep(0.1)
        assert [command_line(pid) for pid, _ in left] == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)
