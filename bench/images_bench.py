"""Storage and time cost of posts' pictures (issue 27).

A school of `--teachers` teachers, each blogging `--posts` posts with `--photos` phone
photos (2000 x 1500 JPEG, about 1.2 MB, made with Pillow beforehand and not timed), served
from 127.0.0.1. Measured: a first build that goes online (the feeds, every picture
fetched once, resized, the portal rendered), a second build with nothing new, and the
same first build with `images: {local: false}` (pictures left on the blogs), and the
bytes: originals kept, resized copies, pictures in the output.

    .venv/bin/python bench/images_bench.py --teachers 2 --write-results

Time and storage grow with the number of pictures (each is fetched, hashed and resized
once, on its own): the figures per picture scale a sample to 60 teachers x 20 posts x 2
photos; `--teachers 60` measures it whole (about 2,400 pictures; over an hour here).
"""

from __future__ import annotations

import argparse
import functools
import io
import random
import shutil
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.build import build

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION = "## Pictures: storage and time (issue 27)"


def phone_photo(seed: int) -> bytes:
    """As tests/test_images.py makes them: a whiteboard with writing and sensor noise."""
    rng = random.Random(seed)
    size = (2000, 1500)
    picture = Image.linear_gradient("L").resize(size).convert("RGB")
    picture = Image.blend(picture, Image.new("RGB", size, (235, 232, 220)), 0.75)
    draw = ImageDraw.Draw(picture)
    for line in range(18):
        y = 80 + line * 1340 // 18
        x = 100
        while x < 1850:
            word = rng.randint(30, 160)
            draw.line([(x, y + rng.randint(-6, 6)), (x + word, y + rng.randint(-6, 6))],
                      fill=(20, 40, 120), width=rng.randint(4, 9))
            x += word + rng.randint(25, 60)
    picture = Image.blend(picture, Image.effect_noise(size, 40).convert("RGB"), 0.2)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92)
    return out.getvalue()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def make_school(root: Path, base: str, teachers: int, posts: int, photos: int,
                local: bool) -> Path:
    site = root / ("site" if local else "site-hotlink")
    site.mkdir(parents=True)
    lines = ["school:\n  name: SMA Bangku\n  url: https://bangku.sch.id/\n",
             "subjects:\n  - name: Matematika\n", "teachers:\n"]
    for t in range(teachers):
        lines.append(f"  - name: Guru {t}\n    slug: guru-{t}\n    subjects: [Matematika]\n"
                     f"    blog: {base}guru-{t}/feed.xml\n")
    if not local:
        lines.append("images:\n  local: false\n")
    (site / "site.yml").write_text("".join(lines))
    return site / "site.yml"


def write_blogs(www: Path, base: str, teachers: int, posts: int, photos: int) -> int:
    """The feeds and photos; returns the bytes of the photos."""
    total = 0
    seed = 0
    for t in range(teachers):
        folder = www / f"guru-{t}"
        folder.mkdir(parents=True)
        items = []
        for p in range(posts):
            images = []
            for n in range(photos):
                seed += 1
                data = phone_photo(seed)
                total += len(data)
                (folder / f"foto-{p}-{n}.jpg").write_bytes(data)
                images.append(f'<p><img src="{base}guru-{t}/foto-{p}-{n}.jpg" '
                              f'alt="Foto {p}-{n}"></p>')
            items.append(
                f"<item><title>Catatan {p}</title><link>{base}guru-{t}/{p}/</link>"
                f"<guid>{t}-{p}</guid><pubDate>Thu, {1 + p % 28:02d} Oct 2026 08:00:00 +0700"
                f"</pubDate><category>Matematika</category><description><![CDATA[<p>Isi."
                f"</p>{''.join(images)}]]></description></item>")
        (folder / "feed.xml").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Guru {t}</title>'
            f"<link>{base}guru-{t}/</link>{''.join(items)}</channel></rss>")
    return total


def size_of(folder: Path, pattern: str = "*") -> tuple[int, int]:
    files = [p for p in folder.rglob(pattern) if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def timed(config: Path) -> float:
    start = time.perf_counter()
    build(config, config.parent / "public")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teachers", type=int, default=2)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--photos", type=int, default=2)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mading-images-"))
    www = root / "www"
    www.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(www)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        count = args.teachers * args.posts * args.photos
        made = time.perf_counter()
        photo_bytes = write_blogs(www, base, args.teachers, args.posts, args.photos)
        made = time.perf_counter() - made
        local = make_school(root, base, args.teachers, args.posts, args.photos, True)
        hotlink = make_school(root, base, args.teachers, args.posts, args.photos, False)
        first = timed(local)
        second = timed(local)
        plain = timed(hotlink)
        store = local.parent / ".mading" / "images"
        originals = size_of(store / "originals")
        sized = size_of(store / "sized", "*.webp"), size_of(store / "sized", "*.jpg")
        output = local.parent / "public" / "guru"
        shown = [size_of(output, pattern) for pattern in ("*.webp", "*.jpg")]
        chosen = size_of(output, "*-720.webp")
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(root, ignore_errors=True)
    per = 1 / count
    scale = 60 * 20 * 2
    mib = 1024 * 1024
    sized_bytes = sized[0][1] + sized[1][1]
    rows = [
        ("pictures", f"{count}", f"{scale}"),
        ("photos on the blogs (MiB)", f"{photo_bytes / mib:.1f}",
         f"{photo_bytes * per * scale / mib:.0f}"),
        ("originals kept, .mading/images/originals (MiB)", f"{originals[1] / mib:.1f}",
         f"{originals[1] * per * scale / mib:.0f}"),
        ("resized copies, .mading/images/sized: WebP + JPEG (MiB)",
         f"{sized_bytes / mib:.1f}", f"{sized_bytes * per * scale / mib:.0f}"),
        ("pictures in the output, originals included (MiB)",
         f"{(shown[0][1] + shown[1][1]) / mib:.1f}",
         f"{(shown[0][1] + shown[1][1]) * per * scale / mib:.0f}"),
        ("720 px WebP a phone downloads, mean (KiB)", f"{chosen[1] / chosen[0] / 1024:.1f}",
         ""),
        ("first build, online: fetch + resize + render (s)", f"{first:.1f}",
         f"{first * per * scale:.0f}"),
        ("same school, images: {local: false} (s)", f"{plain:.1f}",
         f"{plain * per * scale:.0f}"),
        ("second build, nothing new (s)", f"{second:.1f}", ""),
    ]
    table = ["| | measured | 60 teachers x 20 posts x 2 photos (scaled per picture) |",
             "|---|---:|---:|"] + [f"| {name} | {value} | {scaled} |"
                                   for name, value, scaled in rows]
    text = "\n".join([
        SECTION, "",
        f"`bench/images_bench.py --teachers {args.teachers} --posts {args.posts} "
        f"--photos {args.photos}`: {count} phone photos (2000 x 1500 JPEG, made in "
        f"{made:.0f} s beforehand), served from 127.0.0.1; 2 cores shared with other "
        "work. The scaled column multiplies the per-picture figure (each picture is "
        "fetched, hashed and resized once, on its own); the time of a build with "
        "hotlinked pictures does not scale that way (it is mostly the feeds and pages).",
        "", *table, ""])
    print(text)
    if args.write_results:
        results = RESULTS.read_text()
        if SECTION in results:
            start = results.index(SECTION)
            end = results.find("\n## ", start + 1)
            results = results[:start] + text + (results[end:] if end != -1 else "")
        else:
            results = results.rstrip("\n") + "\n\n" + text
        RESULTS.write_text(results)


if __name__ == "__main__":
    main()
