"""The XSS corpus (vectors.txt) and what tests/test_xss.py builds from it."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

VECTORS_FILE = Path(__file__).with_name("vectors.txt")
_LINE = re.compile(r"(\d{4}) (.*)")


@dataclass(frozen=True)
class Vector:
    id: int
    group: str
    """The `## ...` heading the vector stands under in vectors.txt."""
    payload: str
    """With `XID` and `BEACON` filled in."""

    @property
    def marker(self) -> str:
        return str(self.id)


def load_vectors(beacon: str = "127.0.0.1:9") -> list[Vector]:
    """Every vector of vectors.txt, `BEACON` replaced by `beacon` (`host:port`).

    Raises:
        ValueError: a line that is not `ID payload`, a repeated ID, or a payload
            without its ID (an execution could not be attributed).
    """
    vectors: list[Vector] = []
    group = ""
    for number, line in enumerate(VECTORS_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            group = line[3:].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            raise ValueError(f"vectors.txt:{number}: not `ID payload`")
        ident, payload = int(match.group(1)), match.group(2)
        if payload.startswith("py:"):
            payload = ast.literal_eval(payload[3:])
        if "XID" not in payload:
            raise ValueError(f"vectors.txt:{number}: the payload does not carry XID")
        if any(v.id == ident for v in vectors):
            raise ValueError(f"vectors.txt:{number}: ID {ident} is used twice")
        vectors.append(Vector(ident, group, payload.replace("XID", str(ident))
                              .replace("BEACON", beacon)))
    return vectors
