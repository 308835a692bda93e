"""Regenerate the teacher guide's screenshots (docs/img/guide-*.png) and check its examples.

1. Every ```markdown example in docs/panduan-guru.md and docs/teacher-guide.md is put into
   a copy of the example school as a post of its own (body-only snippets get a small front
   matter) and must be read without a single problem; and the `mading check` output the
   guides quote for three deliberate mistakes must still be what `mading check` prints.
2. The example school is copied again, the guide's two posts are added (a lesson with a
   worksheet, an assignment with a due date; both must appear word for word in both
   guides), and the copy is built offline as of a fixed moment, so that "in 7 days"
   stays true in the pictures.
3. Three pages are photographed in headless Chromium, JavaScript off, at a 390 x 844 phone
   size: the new post with its "Lampiran" list, the Tugas page, the teacher's micro-site.

Run: .venv/bin/python docs/guide_screenshots.py
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.build import build  # noqa: E402
from generator.config import load_site  # noqa: E402
from generator.sources.content import read_content  # noqa: E402
from tests.browser import chromium  # noqa: E402

GUIDES = (REPO / "docs" / "panduan-guru.md", REPO / "docs" / "teacher-guide.md")
TEACHER = "endang"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
VIEWPORT = {"width": 390, "height": 844}

LESSON_FILE = "2026-11-24-ukuran-pemusatan-data.md"
LESSON = """\
---
title: Ukuran Pemusatan Data
date: 2026-11-24 07:30
subjects: [Matematika]
classes: [XI MIPA 1, XI MIPA 2]
kind: materi
tags: [statistika, lkpd]
attachments: [lkpd-bab-3.pdf]
---

Hari ini kita belajar tiga **ukuran pemusatan data**: rata-rata, median, dan modus.

1. Unduh LKPD di bagian **Lampiran** di bawah.
2. Kerjakan bersama kelompokmu.
3. Kumpulkan di meja Ibu sebelum bel pulang.
"""

ASSIGNMENT_FILE = "2026-11-24-tugas-nilai-ulangan.md"
ASSIGNMENT = """\
---
title: "Tugas: Rata-rata, Median, dan Modus Nilai Ulangan"
date: 2026-11-24 08:00
subjects: [Matematika]
classes: [XI MIPA 1, XI MIPA 2]
kind: tugas
due: 2026-12-01 14:00
tags: [statistika]
---

Kerjakan soal nomor 1 sampai 5 di LKPD Bab 3. Tulis jawabanmu di buku tugas.

Kumpulkan di ruang guru paling lambat **Selasa, 1 Desember 2026 pukul 14.00**.
"""

SHOTS = {
    # name: (page, element to bring into view or None for the top of the page)
    "guide-post.png": (f"guru/{TEACHER}/{Path(LESSON_FILE).stem}/index.html", None),
    "guide-tugas.png": ("tugas/index.html", 'h3:text-is("Kelas XI MIPA 1")'),
    "guide-guru.png": (f"guru/{TEACHER}/index.html", None),
}

MINIMAL_FRONT_MATTER = "---\ntitle: Contoh\ndate: 2026-11-24\n---\n\n"
_FENCE = re.compile(r"^( *)(`{3,})(\w*)\s*$")


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF that says `text`, with a correct cross-reference table."""
    stream = f"BT /F1 28 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def tiny_png() -> bytes:
    """A valid 1 x 1 PNG, for the guide's `![keterangan](gambar.png)` example."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def copy_school(folder: Path) -> Path:
    """The example school in `folder`, plus the guide's worksheet; returns site.yml."""
    for part in ("content", "feeds", "img"):
        shutil.copytree(REPO / part, folder / part)
    shutil.copy(REPO / "site.yml", folder / "site.yml")
    posts = folder / "content" / TEACHER
    posts.mkdir(exist_ok=True)
    (posts / "lkpd-bab-3.pdf").write_bytes(tiny_pdf("LKPD Bab 3: Ukuran Pemusatan Data"))
    return folder / "site.yml"


def markdown_examples(text: str) -> list[str]:
    """The ```markdown blocks of a guide, also those indented inside a numbered step
    (a longer fence may hold a ``` block inside)."""
    found, lines, index = [], text.splitlines(), 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        index += 1
        if opening is None:
            continue
        indent, fence, language = opening.groups()
        block = []
        while index < len(lines) and lines[index] != indent + fence:
            block.append(lines[index].removeprefix(indent) + "\n")
            index += 1
        index += 1
        if language == "markdown":
            found.append("".join(block))
    return found


def check_guide_examples() -> None:
    """Every Markdown example of both guides is a post that Mading reads without a problem."""
    with tempfile.TemporaryDirectory() as folder:
        config = copy_school(Path(folder))
        (config.parent / "content" / TEACHER / "gambar.png").write_bytes(tiny_png())
        written = []
        for guide in GUIDES:
            examples = markdown_examples(guide.read_text(encoding="utf-8"))
            assert examples, f"no ```markdown example in {guide.name}"
            for number, example in enumerate(examples, start=1):
                if not example.startswith("---\n"):
                    example = MINIMAL_FRONT_MATTER + example
                name = f"2026-11-24-{guide.stem}-contoh-{number}.md"
                (config.parent / "content" / TEACHER / name).write_text(example, "utf-8")
                written.append(name)
            for post in (LESSON, ASSIGNMENT):
                assert post in examples, \
                    f"{guide.name} does not show this post word for word:\n{post}"
        content = read_content(load_site(config))
        problems = [f"{p.where}:{p.line}: {p.message}" for p in content.problems]
        assert not problems, "\n".join(problems)
        read = {Path(e.entry_id).name for e in content.entries}
        assert set(written) <= read, set(written) - read
        print(f"{len(written)} Markdown examples from the guides read without a problem")


def check_error_examples() -> None:
    """The guide's "when something is wrong" output is what `mading check` prints today
    for the two posts with the three deliberate mistakes."""
    with tempfile.TemporaryDirectory() as folder:
        config = copy_school(Path(folder))
        posts = config.parent / "content" / TEACHER
        (posts / LESSON_FILE).write_text(
            LESSON.replace("[Matematika]", "[Matematka]").replace("2026-11-24 07:30", "20-11-2026"),
            encoding="utf-8")
        (posts / ASSIGNMENT_FILE).write_text(ASSIGNMENT.replace("due: 2026-12-01 14:00\n", ""),
                                             encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=folder,
                                capture_output=True, text=True, check=False,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
        lines = result.stderr.splitlines()
        assert result.returncode == 2 and len(lines) == 3, result
        for guide in GUIDES:
            text = guide.read_text(encoding="utf-8")
            missing = [line for line in lines if line not in text]
            assert not missing, f"{guide.name} lacks the current message(s):\n" + "\n".join(missing)
        print("the guides show the current messages for the three deliberate mistakes")


def main() -> None:
    check_guide_examples()
    check_error_examples()
    with tempfile.TemporaryDirectory() as folder:
        config = copy_school(Path(folder))
        posts = config.parent / "content" / TEACHER
        (posts / LESSON_FILE).write_text(LESSON, encoding="utf-8")
        (posts / ASSIGNMENT_FILE).write_text(ASSIGNMENT, encoding="utf-8")
        site = config.parent / "public"
        report = build(config, site, offline=True, now=NOW)
        assert not report.problems, report.problems
        with chromium() as browser:
            for name, (address, anchor) in SHOTS.items():
                page = browser.new_page(viewport=VIEWPORT, java_script_enabled=False)
                page.goto((site / address).as_uri())
                if anchor is not None:
                    # The first match is in "Belum lewat batas waktu" (not yet due).
                    page.locator(anchor).first.evaluate(
                        "e => { e.scrollIntoView(); window.scrollBy(0, -12); }")
                target = REPO / "docs" / "img" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(target))
                page.close()
                size = target.stat().st_size // 1024
                print(f"wrote {target.relative_to(REPO)} ({size} KB)")


if __name__ == "__main__":
    main()
