"""The theme shipped with Mading: where it lives.

Apart from `render`, so that the build's checks that only need the folder (is the output
safe to replace, is it current) load no template engine.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_THEME = "default"


def theme_dir(name: str = DEFAULT_THEME) -> Path:
    """The theme shipped with Mading: inside the package when installed, else the repo's."""
    packaged = Path(__file__).parent / "themes" / name
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "themes" / name
