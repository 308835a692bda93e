"""A federated district (issue 25 item 6): a district portal built over school portals
served from 127.0.0.1.

    python3 bench/federated.py --schools 100 --teachers 30 --posts 30 --write-results

The school portals are written once as what a Mading school publishes for other portals,
`portal.json` and one JSON Feed per teacher (`guru/<slug>/feed.json`, the latest 30 posts
with the `_mading` extension), and served by one standard-library server that answers
conditional GETs (If-Modified-Since -> 304) as a static host does. The district's
`site.yml` names them; its build is timed cold (an empty archive) and again with nothing
changed, as a user runs it (`python -m generator build`). Memory is measured over the
build's whole process tree (bench/process_tree.py: the render workers, the feed parsers and
Pagefind are processes of their own): the peak sum of PSS, the peak of its resident pages
counted once (USS + shared once, from pagemap), the peak sum of RSS (shared pages counted
in each process) and the largest single process's peak RSS; the samples go to
`<out>/district/<build>.memory.tsv`. The load average before and after each build is
recorded: the machine may be shared. Deterministic: the posts come from the school,
teacher and post numbers alone.

    python3 bench/federated.py --districts 30 --schools 100 --teachers 30 --feed-posts 100

A province in summary mode (`read: ringkas`): N district portals are written as a Mading
district publishes them, `portal.json` listing its --schools times --teachers teachers and its own
`feed.json` of its latest posts, each naming its teacher in the `_mading` extension; the
province reads one index and one feed per district. The same measures, written under
"Federated province (summary mode)".
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchlib import generator_fingerprint, machine, replace_section
from process_tree import FRAMES_SECONDS, TreeRun, run_tree

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SUBJECTS = ["Matematika", "Bahasa Indonesia", "IPA", "IPS", "PJOK", "Seni Budaya"]
CLASSES = [f"Kelas {n}" for n in range(1, 7)]
SAMPLE_SECONDS = 0.1
"""The tree's memory is sampled every 100 ms: the sampler shares the 2 cores it measures."""
ANCHOR = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
PARAGRAPH = ("Hari ini kita belajar bersama tentang {topic}. Bacalah teks berikut dengan "
             "teliti, lalu jawablah pertanyaan di bawahnya. Diskusikan jawabanmu dengan "
             "teman sebangku sebelum dikumpulkan kepada guru. ")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    request_queue_size = 256
    """socketserver's default backlog of 5 drops the connections of a 64-wide update,
    and their retries take seconds: a static host does not."""
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (a timeout under load): the build reports it


def write_school(root: Path, base: str, school: int, teachers: int, posts: int) -> None:
    """One school portal's `portal.json` and its teachers' JSON Feeds under `root`."""
    listed = []
    for number in range(teachers):
        slug = f"guru-{number + 1}"
        page = f"{base}guru/{slug}/"
        subject = SUBJECTS[(school + number) % len(SUBJECTS)]
        klass = CLASSES[number % len(CLASSES)]
        items = []
        for post in range(posts):
            published = ANCHOR - timedelta(hours=7 * post + number, minutes=school)
            day = published.strftime("%Y-%m-%d")
            topic = f"{subject} {post + 1}"
            address = f"{page}{day}-materi-{post + 1}/"
            items.append({
                "id": address, "url": address, "title": f"Materi {topic}",
                "content_html": "".join(f"<p>{PARAGRAPH.format(topic=topic)}</p>"
                                        for _ in range(4)),
                "date_published": published.isoformat(),
                "authors": [{"name": f"Guru {number + 1} Sekolah {school + 1}"}],
                "tags": [subject], "summary": f"Ringkasan {topic}",
                "_mading": {"kind": "tugas" if post % 10 == 3 else "materi",
                            "classes": [klass]},
            })
        feed = {"version": "https://jsonfeed.org/version/1.1",
                "title": f"Guru {number + 1}", "home_page_url": page,
                "feed_url": f"{page}feed.json", "language": "id", "items": items}
        folder = root / "guru" / slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "feed.json").write_text(json.dumps(feed, ensure_ascii=False))
        listed.append({"name": f"Guru {number + 1} Sekolah {school + 1}", "slug": slug,
                       "subjects": [subject], "classes": [klass], "page": page,
                       "feed": f"{page}feed.json"})
    write_index(root, f"SD Negeri {school + 1}", base, listed)


def write_index(root: Path, name: str, base: str, teachers: list[dict[str, Any]]) -> None:
    """The `portal.json` a Mading portal named `name` at `base` publishes for `teachers`."""
    index = {"format": "mading-portal", "version": 1,
             "school": {"name": name, "url": base, "language": "id",
                        "timezone": "Asia/Jakarta"},
             "feed_url": f"{base}feed.json",
             "subjects": [{"name": s, "slug": s.lower().replace(" ", "-"), "aliases": [],
                           "page": base} for s in SUBJECTS],
             "classes": [{"name": c, "aliases": [], "page": base} for c in CLASSES],
             "kinds": [], "teachers": teachers}
    (root / "portal.json").write_text(json.dumps(index, ensure_ascii=False))


def write_district(root: Path, base: str, district: int, schools: int, teachers: int,
                   posts: int) -> None:
    """One district portal's `portal.json` (its schools' teachers as `sd<n>-guru-<m>`) and
    its own `feed.json` of its latest `posts` posts, each naming its teacher."""
    listed = []
    for school in range(schools):
        for number in range(teachers):
            slug = f"sd{school + 1}-guru-{number + 1}"
            page = f"{base}guru/{slug}/"
            listed.append({"name": f"Guru {number + 1} SD {school + 1} Kab. {district + 1}",
                           "slug": slug, "subjects": [SUBJECTS[(school + number) % 6]],
                           "classes": [CLASSES[number % 6]], "page": page,
                           "feed": f"{page}feed.json"})
    items = []
    for post in range(posts):
        teacher = listed[(post * 7919 + district) % len(listed)]
        published = ANCHOR - timedelta(minutes=37 * post + district)
        topic = f"{teacher['subjects'][0]} {post + 1}"
        address = f"{teacher['page']}{published:%Y-%m-%d}-materi-{post + 1}/"
        items.append({
            "id": address, "url": address, "title": f"Materi {topic}",
            "content_html": "".join(f"<p>{PARAGRAPH.format(topic=topic)}</p>"
                                    for _ in range(4)),
            "date_published": published.isoformat(),
            "authors": [{"name": teacher["name"]}], "tags": teacher["subjects"],
            "summary": f"Ringkasan {topic}",
            "_mading": {"kind": "materi", "classes": teacher["classes"],
                        "teacher": {"slug": teacher["slug"], "name": teacher["name"],
                                    "school": f"SD Negeri {teacher['slug'].split('-')[0][2:]}"}},
        })
    feed = {"version": "https://jsonfeed.org/version/1.1",
            "title": f"Kabupaten {district + 1}", "home_page_url": base,
            "feed_url": f"{base}feed.json", "language": "id", "items": items}
    root.mkdir(parents=True, exist_ok=True)
    (root / "feed.json").write_text(json.dumps(feed, ensure_ascii=False))
    write_index(root, f"Kabupaten {district + 1}", base, listed)


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MiB"


def _loads(loads: tuple[float, float, float]) -> str:
    return " ".join(f"{load:.2f}" for load in loads)


def _processes(run: TreeRun) -> str:
    """The tree at its PSS peak: each process's kind and PSS."""
    return ", ".join(f"{p.kind} {_mib(p.pss)}"
                     for p in sorted(run.at_peak_pss, key=lambda p: -p.pss))


def _write_results(args: argparse.Namespace, runs: list[tuple[str, TreeRun, int]]) -> None:
    posts = args.schools * args.teachers * args.posts
    teachers = args.schools * args.teachers
    if args.districts:
        posts, teachers = args.districts * args.feed_posts, args.districts * teachers
    rows = "\n".join(
        f"| {label} | {run.wall:.1f} s | {run.cpu:.1f} s | {_mib(run.peak_tree_pss)} | "
        f"{_mib(run.peak_tree_frames)} | {_mib(run.peak_tree_rss)} | "
        f"{_mib(run.largest_process_rss)} | {run.processes} | {run.returncode} | "
        f"{_loads(run.loads_before)} | {_loads(run.loads_after)} | {broken} | "
        f"{' '.join(run.stdout.strip().splitlines()[-1:])} |"
        for label, run, broken in runs)
    peaks = "\n".join(
        f"- {label}: PSS peak at {run.peak_pss_at:.1f} s of {run.wall:.1f} s: "
        f"{_processes(run)}. Peak PSS by the processes alive: "
        + "; ".join(f"{stage} {_mib(pss)}" for stage, pss in
                    sorted(run.stage_peaks.items(), key=lambda item: -item[1]))
        + f". {run.samples} samples ({run.frame_samples} of the frames), "
        f"{run.sampler_cpu:.1f} s CPU of the sampler."
        for label, run, _ in runs)
    if args.districts:
        command = (f"--districts {args.districts} --schools {args.schools} --teachers "
                   f"{args.teachers} --feed-posts {args.feed_posts}`: {teachers:,} teachers "
                   f"in the indexes, {posts:,} posts in the root feeds of {args.districts} "
                   "district portals read as summaries")
        title = (f"Federated province (summary mode): {args.districts} district portals, "
                 f"{teachers:,} teachers ({posts:,} posts)")
    else:
        command = (f"--schools {args.schools} --teachers {args.teachers} --posts "
                   f"{args.posts}`: {teachers:,} teachers, {posts:,} posts from "
                   f"{args.schools} school portals")
        title = (f"Federated district: {args.schools} school portals, {teachers:,} teachers "
                 f"({posts:,} posts)")
    body = (f"Written by `bench/federated.py {command} served from "
            f"127.0.0.1; generator/ {generator_fingerprint()}; {machine()}. Memory is of the "
            "build's whole process tree (bench/process_tree.py, sampled every "
            f"{SAMPLE_SECONDS * 1000:.0f} ms): the peak sum of PSS; the peak of its resident "
            "pages counted once (USS + shared once, physical frames from pagemap, read every "
            f"{FRAMES_SECONDS:.0f} s); the peak sum of RSS "
            "(shared pages counted in each process); the largest single process's peak RSS. "
            "Load is the 1, 5 and 15-minute load average before and after the build (2 "
            "cores, shared with other work).\n\n"
            "| build | wall | CPU | tree PSS | tree resident once | tree RSS sum | "
            "largest process RSS | processes | exit | load before | load after | "
            "feeds not read | the build said |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
            + rows + "\n\n" + peaks)
    replace_section(HERE / "RESULTS.md", title, body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--teachers", type=int, default=30)
    parser.add_argument("--posts", type=int, default=30)
    parser.add_argument("--districts", type=int, default=0,
                        help="a province over this many districts read as summaries, each "
                             "of --schools x --teachers teachers")
    parser.add_argument("--feed-posts", type=int, default=100,
                        help="posts in each district's own feed.json (with --districts)")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "federated")
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args(argv)
    shutil.rmtree(args.out, ignore_errors=True)
    portals = args.out / "portals"
    portals.mkdir(parents=True)
    server = _Server(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(portals)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"http://127.0.0.1:{server.server_address[1]}/"
    district = args.out / "district"
    district.mkdir()
    if args.districts:
        lines = ["school:", "  name: Dinas Pendidikan Provinsi Contoh",
                 "  url: https://provinsi.example.go.id/", "schools:"]
        for number in range(args.districts):
            base = f"{address}kab{number + 1}/"
            write_district(portals / f"kab{number + 1}", base, number, args.schools,
                           args.teachers, args.feed_posts)
            lines.append(f"  - {{name: Kabupaten {number + 1}, slug: kab{number + 1}, "
                         f"portal: '{base}', read: ringkas}}")
    else:
        lines = ["school:", "  name: Dinas Pendidikan Kabupaten Contoh",
                 "  url: https://dinas.example.go.id/", "schools:"]
        for school in range(args.schools):
            base = f"{address}sd{school + 1}/"
            write_school(portals / f"sd{school + 1}", base, school, args.teachers, args.posts)
            lines.append(f"  - {{name: SD Negeri {school + 1}, slug: sd{school + 1}, "
                         f"portal: '{base}'}}")
    (district / "site.yml").write_text("\n".join(lines) + "\n")
    command = [sys.executable, "-m", "generator", "build", "--output", "public"]
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    runs: list[tuple[str, TreeRun, int]] = []
    # The second build reads again what the first could not (feeds that timed out on a
    # busy machine); the third finds nothing changed.
    for label in ("cold", "second", "unchanged"):
        run = run_tree(command, district, limit=3600, logs=district / label, env=env,
                       every=SAMPLE_SECONDS)
        broken = sum(1 for line in run.stderr.splitlines()
                     if "guru/" in line or "feed.json" in line)
        print(f"{label}: {run.wall:.1f} s, {run.cpu:.1f} s CPU, "
              f"tree PSS {_mib(run.peak_tree_pss)}, "
              f"resident once {_mib(run.peak_tree_frames)}, tree RSS {_mib(run.peak_tree_rss)}, "
              f"largest process {_mib(run.largest_process_rss)}, exit {run.returncode}, "
              f"load {_loads(run.loads_before)} -> {_loads(run.loads_after)}, "
              f"{broken} feeds not read")
        print(f"  PSS peak at {run.peak_pss_at:.1f} s: {_processes(run)}")
        print(run.stdout.strip().splitlines()[-1:] or run.stderr[-2000:])
        runs.append((label, run, broken))
    server.shutdown()
    if args.write_results:
        _write_results(args, runs)
    return 0 if all(run.returncode == 0 for _, run, _ in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
