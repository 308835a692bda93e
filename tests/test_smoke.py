from pathlib import Path

from generator.build import build


def test_tiny_site_builds_home_page(tiny_site: Path, tmp_path: Path) -> None:
    report = build(tiny_site, tmp_path / "out", offline=True)
    assert report.problems == ()
    assert "Persamaan Kuadrat" in (tmp_path / "out" / "index.html").read_text()
