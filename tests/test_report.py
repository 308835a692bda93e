"""`mading report` (issue 21): a feed never read yet is not an inactive teacher."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

NEW_TEACHERS = """\
  - name: Dewi Lestari
    subjects: [Fisika]
    blog: https://dewi-baru.example.org/
  - name: Eko Prasetyo
    subjects: [Fisika]
"""


def mading(site: Path, *args: str, now: datetime) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(now.timestamp()))}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=site.parent,
                          capture_output=True, text=True, timeout=120, env=env)


def test_a_teacher_added_a_minute_ago_is_not_inactive(tiny_site: Path) -> None:
    now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    assert mading(tiny_site, "build", "--offline", now=now).returncode == 0
    tiny_site.write_text(tiny_site.read_text() + NEW_TEACHERS)  # added after the build
    result = mading(tiny_site, "report", now=now)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "dewi-lestari — https://dewi-baru.example.org/ — belum pernah berhasil diambil " \
        "(feed dibaca lagi pada build atau 'mading fetch' berikutnya) — belum ada tulisan" \
        in lines
    assert "eko-prasetyo — hanya tulisan Markdown — belum ada tulisan" in lines
    assert not [line for line in lines if "LAMA TIDAK MENULIS" in line]
    # The summary closes the teachers' lines; the blog assignments follow it.
    assert ("5 guru: 0 feed bermasalah, 1 belum pernah berhasil diambil, "
            "0 lama tidak menulis") in lines


def test_a_teacher_whose_last_post_is_old_is_inactive(tiny_site: Path) -> None:
    later = datetime(2027, 3, 1, 3, 0, tzinfo=UTC)
    assert mading(tiny_site, "build", "--offline", now=later).returncode == 0
    result = mading(tiny_site, "report", now=later)
    lines = result.stdout.splitlines()
    assert [line.split(" — ")[0] for line in lines if line.endswith("LAMA TIDAK MENULIS")] \
        == ["sari", "budi", "rina-kartika"]
    assert ("3 guru: 0 feed bermasalah, 0 belum pernah berhasil diambil, "
            "3 lama tidak menulis") in lines
