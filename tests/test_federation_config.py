"""`schools:` in site.yml and the privacy rule (issue 25): every mistake comes back as
`site.yml:LINE: message`, all of them in one run; a NIP or a phone number is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import load_site
from generator.models import SchoolPortal
from tests.test_config import mading, problems, site_dir, write_config

__all__ = ["site_dir"]  # the fixture, used by name

CLUSTER = """\
school:
  name: Gugus 3 Ledokombo
  url: https://gugus3.example.org/
schools:
  - name: SD Negeri 1 Ledokombo
    slug: sdn1
    portal: https://sdn1.example.sch.id/portal
  - {name: SD Negeri 2 Ledokombo, portal: 'http://127.0.0.1:8000/'}
"""


def test_a_cluster_holds_only_school_and_schools(site_dir: Path) -> None:
    site = load_site(write_config(CLUSTER))
    assert site.schools == (
        SchoolPortal("SD Negeri 1 Ledokombo", "sdn1", "https://sdn1.example.sch.id/portal/"),
        SchoolPortal("SD Negeri 2 Ledokombo", "sd-negeri-2-ledokombo",
                     "http://127.0.0.1:8000/"))
    assert site.teachers == () and site.subjects == ()


def test_every_mistake_in_schools_is_located(site_dir: Path) -> None:
    assert problems("""\
        school: {name: Gugus}
        schools:
          - name: SD Satu
            portal: ftp://sd1.example/
          - name: SD Dua
            portl: https://sd2.example/
          - name: SD Tiga
            slug: Bad Slug
            portal: https://sd3.example/
          - name: SD Empat
            portal: https://sd3.example/
          - just a name
          - name: SD Satu
            portal: https://sd5.example/?x=1
        """) == [
        "site.yml:4: 'schools.portal': 'ftp://sd1.example/' bukan alamat web yang benar "
        "(contoh: https://sekolah.sch.id/)",
        "site.yml:5: 'schools.portal' wajib diisi",
        "site.yml:6: kunci 'schools.portl' tidak dikenal (maksud Anda: 'portal'?)",
        "site.yml:8: 'schools.slug': 'Bad Slug' hanya boleh berisi huruf kecil, angka, dan "
        "tanda hubung (contoh: sari-wulandari)",
        "site.yml:11: 'schools.portal': 'https://sd3.example/' sudah dipakai pada baris 9; "
        "setiap sekolah dibaca satu kali",
        "site.yml:12: setiap isi 'schools' harus berupa kumpulan kunci seperti 'name: ...'",
        "site.yml:13: 'schools.slug': 'sd-satu' sudah dipakai di baris 3; setiap slug harus unik",
        "site.yml:14: 'schools.portal': 'https://sd5.example/?x=1' bukan alamat web yang "
        "benar (contoh: https://sekolah.sch.id/)",
    ]


@pytest.mark.parametrize(("value", "kind"), [
    ("'19700101 200012 1 001'", "NIP"),
    ("NIP 197001012000121001", "NIP"),
    ("WA +62 812-3456-7890", "telepon"),
    ("hubungi 0812 3456 789", "telepon"),
    ("'6281234567890'", "telepon"),
])
def test_a_nip_or_a_phone_number_is_refused(site_dir: Path, value: str, kind: str) -> None:
    found = problems(f"""\
        school: {{name: SMA Contoh}}
        teachers:
          - name: Sari
            bio: {value}
        """)
    assert len(found) == 1 and found[0].startswith("site.yml:4: 'teachers.bio' tampak seperti")
    assert kind in found[0]


@pytest.mark.parametrize("value", [
    "Guru sejak 2009, kelas 10-12.", "https://www.youtube.com/watch?v=08123abcd",
    "'2026-08-15 07:30'", "'1234567890123456'",
])
def test_dates_years_and_short_numbers_pass(site_dir: Path, value: str) -> None:
    load_site(write_config(f"""\
        school: {{name: SMA Contoh}}
        teachers:
          - name: Sari
            bio: {value}
        """))


def test_the_cli_refuses_a_phone_number_with_exit_2(site_dir: Path) -> None:
    write_config("school:\n  name: SMA Contoh\n  description: 'Telp. (0331) 08123456789'\n")
    result = mading("check", cwd=site_dir)
    assert result.returncode == 2
    assert "site.yml:3: 'school.description' tampak seperti nomor telepon" in result.stderr
    assert "Traceback" not in result.stderr
