"""What a phone downloads per search: one Pagefind index, or the same posts in parts merged
with `mergeIndex`. Evidence for a decision (bench/RESULTS.md, "Issue 7, third pass").

    .venv/bin/python bench/search_shards.py --site bench/out/district-out --shard-pages 5000

`--site` is a built Mading output (its `pagefind/` is the one index). The post pages are
split by teacher, in slug order, into parts of about `--shard-pages` pages; each part is
indexed on its own by the Pagefind that Mading uses, into `--workdir`. Then headless
Chromium (Debian's, as the tests use) opens a blank page served from 127.0.0.1 and runs
what `cari.js` runs: a search for a word, then the first 10 results' data; and a browse by
one filter with no word, sorted by date. Every response is counted: requests and bytes
(the bodies as sent, Pagefind's files being gzip already). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from generator.search import pagefind_binary

QUERIES = [("word", "koperasi", {}), ("word", "persamaan kuadrat", {}),
           ("browse", None, {"kelas": "X-1"})]
"""(kind, term, filters): as cari.js asks, a word (first 10 results' data) or filters
alone, newest first."""

SCRIPT = """
async ([bundles, term, filters]) => {
  const pagefind = await import(bundles[0] + "pagefind.js");
  await pagefind.options({});
  for (const other of bundles.slice(1)) await pagefind.mergeIndex(other);
  await pagefind.init();
  const options = term ? {filters} : {filters, sort: {tanggal: "desc"}};
  const started = performance.now();
  const found = await pagefind.search(term, options);
  const shown = await Promise.all(found.results.slice(0, 10).map(r => r.data()));
  return {count: found.results.length, ms: performance.now() - started,
          first: shown.map(d => d.meta.tanggal || "")};
}
"""


def split(site: Path, workdir: Path, pages: int) -> list[Path]:
    """Hard-linked copies of the post pages, one folder per part of about `pages`."""
    teachers = sorted(p for p in (site / "guru").iterdir() if p.is_dir())
    parts: list[list[Path]] = [[]]
    count = 0
    for teacher in teachers:
        posts = sum(1 for _ in teacher.glob("*/index.html"))
        if count + posts > pages and parts[-1]:
            parts.append([])
            count = 0
        parts[-1].append(teacher)
        count += posts
    folders = []
    for number, teachers_of_part in enumerate(parts):
        folder = workdir / f"part-{number:02d}"
        for teacher in teachers_of_part:
            shutil.copytree(teacher, folder / "guru" / teacher.name, copy_function=os.link)
        folders.append(folder)
    return folders


def index(folder: Path, target: Path) -> tuple[float, int]:
    binary = pagefind_binary()
    assert binary is not None, "pagefind[bin] is not installed"
    started = time.perf_counter()
    subprocess.run([str(binary), "--site", str(folder), "--output-path", str(target),
                    "--force-language", "id", "--keep-index-url", "--glob",
                    "guru/*/*/index.html"], check=True, capture_output=True)
    return time.perf_counter() - started, sum(1 for p in target.rglob("*") if p.is_file())


def measure(root: Path, bundles: list[str], term: str | None,
            filters: dict[str, str]) -> dict[str, object]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    http.server.SimpleHTTPRequestHandler.log_message = lambda *_: None  # type: ignore
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    (root / "blank.html").write_text("<!doctype html><title>cari</title>")
    sizes: list[int] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page()
        page.on("requestfinished", lambda request: sizes.append(
            request.sizes()["responseBodySize"]))
        page.goto(base + "blank.html")
        sizes.clear()
        result = page.evaluate(SCRIPT, [[base + b for b in bundles], term, filters])
        browser.close()
    server.shutdown()
    return {**result, "requests": len(sizes), "bytes": sum(sizes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--shard-pages", type=int, default=5000)
    parser.add_argument("--workdir", type=Path, default=Path("bench/out/search-shards"))
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    web = args.workdir / "web"
    (web / "one").mkdir(parents=True)
    os.symlink((args.site / "pagefind").resolve(), web / "one" / "pagefind")
    bundles = []
    for folder in split(args.site, args.workdir / "pages", args.shard_pages):
        seconds, files = index(folder, web / "parts" / folder.name)
        bundles.append(f"parts/{folder.name}/")
        print(f"{folder.name}: indexed in {seconds:.1f} s, {files} files", flush=True)
    rows = []
    for kind, term, filters in QUERIES:
        for label, chosen in (("one index", ["one/pagefind/"]),
                              (f"{len(bundles)} parts", bundles)):
            found = measure(web, chosen, term, filters)
            rows.append({"query": term or json.dumps(filters), "kind": kind,
                         "index": label, **found})
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
