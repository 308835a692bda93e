"""`mading report` on a federated district (issue 23: it must not load every post).

    python3 bench/report_bench.py --schools 30 --repeat 3
    python3 bench/report_bench.py --keep bench/out/report --code /work/main --repeat 3

The district is the one of bench/federated.py (its school portals served from 127.0.0.1,
`--schools` times `--teachers` times `--posts` posts), read into its archive once (the portals'
indexes, then `mading fetch`) and not built: the report reads the archive only. Then
`python -m generator report`, with the generator of `--code` (default: this checkout, so
that two checkouts are compared on one archive), as of `--now`, is timed `--repeat` times under
`/usr/bin/time -v`: wall time, CPU and peak RSS, with the load average before each run.
With `--keep`, the district stays in that folder and is made only if it is not there yet.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

from federated import _Quiet, _Server, write_school

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NOW = "1793836800"
"""2026-11-05 00:00 UTC: the newest posts of federated.py's district are days old, so the
report lists their assignments (one post in ten) and no teacher as inactive."""


def make_district(out: Path, schools: int, teachers: int, posts: int) -> Path:
    """The district's folder with its archive read from school portals served here."""
    portals = out / "portals"
    portals.mkdir(parents=True)
    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(portals)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{server.server_address[1]}/"
    district = out / "district"
    district.mkdir()
    lines = ["school:", "  name: Dinas Pendidikan Kabupaten Contoh",
             "  url: https://dinas.example.go.id/", "schools:"]
    for school in range(schools):
        base = f"{address}sd{school + 1}/"
        write_school(portals / f"sd{school + 1}", base, school, teachers, posts)
        lines.append(f"  - {{name: SD Negeri {school + 1}, slug: sd{school + 1}, "
                     f"portal: '{base}'}}")
    (district / "site.yml").write_text("\n".join(lines) + "\n")
    sys.path.insert(0, str(REPO))
    from generator.build import fetch
    from generator.config import load_site
    from generator.sources.portals import federated_site
    site = federated_site(load_site(district / "site.yml"), offline=False)
    results = fetch(site)
    server.shutdown()
    failed = sum(result.error is not None for result in results)
    print(f"district: {len(results)} feeds read, {failed} failed")
    return district


def time_report(district: Path, code: Path, now: str) -> tuple[float, float, int, str, int]:
    """(wall s, CPU s, peak RSS KiB, load average before, exit code) of one report, as of
    `now` (seconds since the epoch)."""
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    env = {"PYTHONPATH": str(code), "PATH": "/usr/bin:/bin", "SOURCE_DATE_EPOCH": now}
    run = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "generator", "report"],
                         cwd=district, env=env, capture_output=True, text=True, check=False)

    def field(name: str) -> str:
        found = re.search(rf"{re.escape(name)}: (.+)", run.stderr)
        return found.group(1).strip() if found else "0"

    minutes, _, seconds = field("Elapsed (wall clock) time (h:mm:ss or m:ss)").rpartition(":")
    wall = float(seconds) + 60 * float(minutes.rpartition(":")[2] or 0)
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    return wall, cpu, int(field("Maximum resident set size (kbytes)")), load, run.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=30)
    parser.add_argument("--teachers", type=int, default=30)
    parser.add_argument("--posts", type=int, default=30)
    parser.add_argument("--keep", type=Path, default=HERE / "out" / "report")
    parser.add_argument("--code", type=Path, default=REPO)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--now", default=NOW, help="seconds since the epoch")
    args = parser.parse_args(argv)
    district = args.keep / "district"
    if not (district / "site.yml").exists():
        make_district(args.keep, args.schools, args.teachers, args.posts)
    for _ in range(args.repeat):
        wall, cpu, rss, load, code = time_report(district, args.code.resolve(), args.now)
        print(f"report ({args.code}): {wall:.2f} s, {cpu:.2f} s CPU, "
              f"max RSS {rss / 1024:.0f} MiB, exit {code}, load before {load}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
