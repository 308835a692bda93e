"""Issue 8: no injected script runs, whatever a feed, a post or site.yml holds.

The corpus (tests/xss/vectors.txt, 290 vectors in the classes of the OWASP filter-evasion
cheat sheet, SVG, MathML, mutation XSS, URL schemes, CSS, attribute breaking, template
injection, frames, forms and meta refresh) goes through every field a user controls:
tests/xss/site.py writes two sites of real files (feeds in RSS, Atom and JSON Feed,
Markdown posts, site.yml), the real build builds them, and then:

- static checks read every produced page, feed and blogroll (fast, precise messages);
- headless Chromium opens every produced page over http, first as built and then with the
  Content-Security-Policy meta tag stripped (the sanitizer alone must stop everything: the
  CSP is the second wall, not the only one), listening for dialogs, console markers and
  requests to a beacon server (tests/xss/harness.py says what counts);
- the search page is typed into, so that Pagefind renders results holding the injected
  titles, and a sample of pages gets real mouse and keyboard input.

`pytest tests/test_xss.py -s` prints the counts (docs/security.md quotes them).
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, async_playwright

from generator.build import BuildReport, build
from generator.config import load_site
from generator.errors import InputError
from generator.i18n import Translator
from generator.models import Site
from generator.render import content_security_policy
from generator.sanitize import EMBED_HOSTS
from generator.sources.content import read_post
from generator.sources.feeds import parse_feed
from tests.browser import CHROMIUM, serve_folder
from tests.conftest import FIXTURES, REPO, copy_site
from tests.xss import Vector, load_vectors
from tests.xss.checks import browser_scheme, scan_page, template_products
from tests.xss.harness import ARGS, HARNESS, Beacon, Execution, Run, visit_sync, watch
from tests.xss.site import (
    FEED_KINDS,
    NOW,
    Plan,
    chunks,
    link_candidates,
    post_date,
    write_feed,
    write_posts_site,
    write_school_site,
    xml_text,
    yaml_string,
)

HEADER_POLICY_EXTRA = "; frame-ancestors 'none'"
"""What the deploy snippets add to the pages' policy: a <meta> CSP cannot carry it."""


@dataclass(frozen=True)
class Built:
    plan: Plan
    output: Path
    report: BuildReport


@pytest.fixture(scope="module")
def beacon() -> Iterator[Beacon]:
    with Beacon().running() as server:
        yield server


@pytest.fixture(scope="module")
def vectors(beacon: Beacon) -> list[Vector]:
    return load_vectors(beacon.address)


def verdicts(folder: Path, key: str, values: list[str]) -> dict[str, bool]:
    """Whether site.yml accepts each of `values` as a teacher's `key`: one file with one
    teacher a line, its problems mapped back by line."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["school: {name: Uji}", "teachers:"]
    for number, value in enumerate(values):
        shown = f"[{yaml_string(value)}]" if key == "links" else yaml_string(value)
        lines.append(f"  - {{name: Guru, slug: g{number}, {key}: {shown}}}")
    (folder / "site.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused: set[int | None] = set()
    try:
        load_site(folder / "site.yml")
    except InputError as exc:
        refused = {problem.line for problem in exc.problems}
    return {value: n + 3 not in refused for n, value in enumerate(values)}


@pytest.fixture(scope="module")
def links(tmp_path_factory: pytest.TempPathFactory, vectors: list[Vector]) -> dict[str, bool]:
    candidates = list(dict.fromkeys(c for v in vectors for c in link_candidates(v)))
    return verdicts(tmp_path_factory.mktemp("links"), "links", candidates)


@pytest.fixture(scope="module")
def www(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("www")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, vectors: list[Vector],
          links: dict[str, bool], www: Path) -> dict[str, Built]:
    root = tmp_path_factory.mktemp("sites")
    accepted = {link for link, ok in links.items() if ok}
    sites = {}
    for name, write in (("school", write_school_site), ("posts", write_posts_site)):
        plan = write(root / name, vectors, accepted)
        output = www / "csp" / name
        sites[name] = Built(plan, output, build(plan.site_yml, output, offline=True, now=NOW))
    return sites


def html_pages(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


# --- the corpus -------------------------------------------------------------------------


def test_corpus_is_large_grouped_and_attributable(vectors: list[Vector]) -> None:
    assert len(vectors) >= 150
    groups: dict[str, int] = {}
    for vector in vectors:
        groups[vector.group] = groups.get(vector.group, 0) + 1
        assert vector.marker in vector.payload
    assert len(groups) >= 10 and min(groups.values()) >= 10, groups


def test_every_vector_reaches_a_page(built: dict[str, Built], vectors: list[Vector]) -> None:
    """Nothing was lost on the way: no post refused, no feed broken, every vector's post
    built, and the injected text shows on the pages (escaped), so the checks below are
    not passing on empty pages."""
    posts = built["posts"]
    assert built["school"].report.problems == posts.report.problems == ()
    assert [f.teacher for f in posts.report.feeds if f.error] == []
    assert posts.report.posts == 2 * len(vectors) + 2 * len(chunks(vectors))
    assert len(posts.plan.attachments) > 50
    page = (posts.output / "guru/md/1001/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1001)&lt;/script&gt;" in page
    home = (built["school"].output / "index.html").read_text(encoding="utf-8")
    assert all(v.marker in home for v in vectors)


# --- static checks of the output --------------------------------------------------------


def test_no_page_holds_script_handlers_or_script_addresses(
        built: dict[str, Built], vectors: list[Vector]) -> None:
    findings = []
    for site in built.values():
        policy = content_security_policy(EMBED_HOSTS)
        school_url = load_site(site.plan.site_yml).school.url
        for path in html_pages(site.output):
            findings += scan_page(path, site.output, EMBED_HOSTS, policy, school_url)
    assert [str(f) for f in findings] == []


def test_feeds_blogroll_and_sitemap_stay_well_formed_and_inert(
        built: dict[str, Built], vectors: list[Vector]) -> None:
    products = [v.id for v in vectors if "*7777" in v.payload]
    ran = []
    for site in built.values():
        for path in site.output.rglob("*"):
            if path.suffix in (".xml", ".opml"):
                ET.parse(path)
            elif path.suffix == ".json" and "pagefind" not in path.parts:
                json.loads(path.read_bytes())
            if path.suffix in (".xml", ".opml", ".json", ".html"):
                ran += template_products(path.read_text(encoding="utf-8"), products)
    assert ran == [], "a template expression was evaluated"


def test_feed_formats_hand_the_sanitizer_the_same_text(tmp_path: Path,
                                                       vectors: list[Vector]) -> None:
    """The posts site sends each vector's body through one format only; here every vector
    goes through all five, and each post comes out the same."""
    bodies: dict[str, dict[int, str]] = {}
    for kind in FEED_KINDS:
        path = tmp_path / f"{kind}.feed"
        write_feed(path, vectors, vectors, dict.fromkeys((v.id for v in vectors), kind),
                   "https://guru.example/blog/")
        result = parse_feed("guru", path.name, path.read_bytes(), None)
        bodies[kind] = {int(re.findall(r"\d{4}", e.entry_id)[-1]): e.content_html
                        for e in result.entries}
        assert len(bodies[kind]) == len(vectors), kind
    # XML cannot hold control characters: XML feeds carry them as `&#N;` (xml_text), JSON
    # Feed as they are. feedparser strips the whitespace around a body, JSON Feed keeps it.
    raw = {v.id for v in vectors if xml_text(v.payload) != v.payload}
    reference = bodies[FEED_KINDS[0]]
    for kind in FEED_KINDS[1:]:
        differ = [i for i in reference if bodies[kind][i].strip() != reference[i].strip()
                  and not (kind.startswith("json") and i in raw)]
        assert differ == [], f"{kind} differs from {FEED_KINDS[0]} for vectors {differ}"


# --- what site.yml and front matter refuse ----------------------------------------------


def test_site_yml_takes_web_addresses_only(tmp_path: Path, links: dict[str, bool],
                                          vectors: list[Vector]) -> None:
    """Teachers' links, blogs and the school's address end in href and src attributes:
    anything accepted must be http(s) as a browser reads it."""
    accepted = [link for link, ok in links.items() if ok]
    assert accepted and all(browser_scheme(link) in ("http", "https") for link in accepted)
    addresses = [v.payload for v in vectors if v.group.startswith("javascript:")]
    blogs = verdicts(tmp_path / "blogs", "blog", addresses)
    assert [b for b, ok in blogs.items() if ok and browser_scheme(b) not in ("http", "https")] \
        == []
    for value in addresses:
        (tmp_path / "school").mkdir(exist_ok=True)
        (tmp_path / "school" / "site.yml").write_text(
            f"school:\n  name: Uji\n  url: {yaml_string(value)}\n", encoding="utf-8")
        try:
            url = load_site(tmp_path / "school" / "site.yml").school.url
        except InputError:
            continue
        assert browser_scheme(url) in ("http", "https"), value


def test_embed_hosts_and_due_dates_refuse_every_vector(tmp_path: Path,
                                                      vectors: list[Vector]) -> None:
    (tmp_path / "site.yml").write_text(
        "school: {name: Uji}\nembeds:\n" + "".join(f"  - {yaml_string(v.payload)}\n"
                                                   for v in vectors) +
        "teachers:\n  - {name: Guru, slug: guru}\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_site(tmp_path / "site.yml")
    assert len(refused.value.problems) == len(vectors)
    (tmp_path / "site.yml").write_text("school: {name: Uji}\nteachers:\n"
                                       "  - {name: Guru, slug: guru}\n", encoding="utf-8")
    site: Site = load_site(tmp_path / "site.yml")
    folder = tmp_path / "content" / "guru"
    folder.mkdir(parents=True)
    for vector in vectors:
        post = folder / f"{vector.id}.md"
        post.write_text(f"---\ntitle: Tugas\ndate: 2026-11-20\nkind: tugas\n"
                        f"due: {yaml_string(vector.payload)}\n---\nIsi\n", encoding="utf-8")
        with pytest.raises(InputError):
            read_post(post, "guru", site, Translator())


# --- the Content-Security-Policy --------------------------------------------------------


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in
            (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.parametrize("hosts", [EMBED_HOSTS, ("docs.google.com",), ()])
def test_policy_allows_scripts_from_the_site_and_frames_from_embed_hosts(
        hosts: tuple[str, ...]) -> None:
    policy = directives(content_security_policy(hosts))
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-src"] == ([f"https://{h}" for h in hosts] or ["'none'"])
    assert policy["object-src"] == policy["base-uri"] == policy["form-action"] == ["'none'"]
    everything = " ".join(v for values in policy.values() for v in values)
    assert "unsafe-inline" not in everything and "'unsafe-eval'" not in everything
    assert "*" not in everything.split() and "data:" not in everything


def test_pages_frame_only_the_sites_embed_hosts(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "tiny", tmp_path / "site")
    with site.open("a", encoding="utf-8") as config:
        config.write("embeds: [docs.google.com, www.youtube.com]\n")
    build(site, tmp_path / "out", offline=True, now=NOW)
    policy = content_security_policy(("docs.google.com", "www.youtube.com"))
    assert "frame-src https://docs.google.com https://www.youtube.com;" in policy
    for path in html_pages(tmp_path / "out"):
        assert scan_page(path, tmp_path / "out", ("docs.google.com", "www.youtube.com"),
                         policy, "https://uji.sch.id/portal/") == [], path


def deploy_policies() -> dict[str, str]:
    """The CSP of every recipe in docs/deploy.md and of docs/deploy/netlify.toml."""
    text = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    netlify = tomllib.loads((REPO / "docs" / "deploy" / "netlify.toml").read_text())
    found = {"netlify.toml": netlify["headers"][0]["values"]["Content-Security-Policy"]}
    for language, block in re.findall(r"```(\w*)\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            if "Content-Security-Policy" not in line:
                continue
            quoted = re.search(r'Content-Security-Policy "([^"]+)"', line)
            if language in ("nginx", "apache") and quoted:
                found[language] = quoted[1]
            elif not language:
                found["_headers"] = line.split("Content-Security-Policy:", 1)[1].strip()
    return found


def test_deploy_recipes_send_the_pages_policy_as_a_header() -> None:
    """Netlify, Cloudflare Pages (`_headers`), nginx and Apache send the pages' own policy,
    plus `frame-ancestors`, which a <meta> tag cannot carry (docs/deploy.md says why)."""
    found = deploy_policies()
    assert sorted(found) == ["_headers", "apache", "netlify.toml", "nginx"]
    expected = content_security_policy(EMBED_HOSTS) + HEADER_POLICY_EXTRA
    assert {name: policy for name, policy in found.items() if policy != expected} == {}


# --- in Chromium ------------------------------------------------------------------------


def strip_policy(folder: Path) -> None:
    for page in folder.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', "",
                               text, count=1), encoding="utf-8")


@pytest.fixture(scope="module")
def served(built: dict[str, Built], www: Path) -> Iterator[str]:
    """`www/csp/` as built, `www/nocsp/` the same without the CSP meta tag, and the
    harness page beside them, on one origin."""
    shutil.copytree(www / "csp", www / "nocsp")
    strip_policy(www / "nocsp")
    assert "<meta http-equiv=\"Content-Security-Policy\"" not in \
        (www / "nocsp/posts/index.html").read_text(encoding="utf-8")
    (www / "harness.html").write_text(HARNESS, encoding="utf-8")
    with serve_folder(www) as url:
        yield url


def own_violations(run: Run, school_url: str) -> list[str]:
    """CSP refusals, less those of 404.html's own assets: that page links through
    school.url (a vector here), which is not the origin the test serves it from."""
    host = school_url.split("/")[2]
    return [v for v in run.violations  # CSP-VIOLATION page directive blocked sample
            if not (v.split()[1].endswith("/404.html") and f"://{host}/" in v.split()[3])]


CONTROL = """<!doctype html><title>control</title>
<img src=x onerror="alert(1001)"><script>console.log('XSS-1002')</script>
<script>fetch('http://BEACON/1003')</script><a href="javascript:alert(1004)">x</a>
<div onmouseover="alert(1005)">x</div><meta http-equiv=refresh content="0;url=http://BEACON/1006">
"""


@pytest.mark.browser
def test_the_harness_sees_what_runs(served: str, www: Path, beacon: Beacon) -> None:
    """A page that does run injected script, so the zero below means something."""
    (www / "control.html").write_text(CONTROL.replace("BEACON", beacon.address))
    run = visit_sync({"control": [served + "control.html"]}, served + "harness.html",
                     beacon.address)["control"]
    seen = {(e.channel.split()[0], i) for e in run.executions for i in e.ids}
    assert {("dialog", 1001), ("console", 1002), ("beacon", 1003), ("dom", 1004),
            ("dialog", 1005), ("beacon", 1006)} <= seen, run.executions


@pytest.mark.browser
def test_no_injected_script_runs_with_or_without_the_csp(
        built: dict[str, Built], served: str, beacon: Beacon) -> None:
    pages = [f"{name}/{path.relative_to(site.output).as_posix()}"
             for name, site in built.items() for path in html_pages(site.output)]
    before = len(beacon.hits)  # the control page's requests are not this test's
    runs = visit_sync({copy: [f"{served}{copy}/{page}" for page in pages]
                       for copy in ("csp", "nocsp")}, served + "harness.html", beacon.address)
    for copy, run in runs.items():
        print(f"\nXSS {copy}: {run.pages} pages in {run.seconds:.1f} s, "
              f"{len(run.executions)} executions, {len(run.violations)} CSP refusals, "
              f"{run.excused_images} allowed image requests to the beacon, "
              f"{len(run.page_errors)} page errors")
    excused = sum(run.excused_images for run in runs.values())
    hits = beacon.hits[before:]
    print(f"XSS beacon: {len(hits)} requests received, {excused} of them allowed images")
    assert len(hits) <= excused + sum(len(r.executions) for r in runs.values()), hits
    assert {copy: [str(e) for e in run.executions] for copy, run in runs.items()} == \
        {"csp": [], "nocsp": []}
    assert own_violations(runs["csp"], load_site(built["posts"].plan.site_yml).school.url) \
        == []


async def _search(page: Page, term: str, every: bool = False, **filters: str) -> int:
    """Type `term` into cari/ (and pick the option so labelled in each filter), show the
    results (`every` one of them, with the "more" button); returns how many are shown."""
    await page.evaluate("document.querySelector('.search-status').textContent = ''")
    for key, label in filters.items():
        await page.select_option(f"#filter-{key}", label=label)
    await page.fill("#kata", term)
    await page.wait_for_function(
        "() => /\\d|tidak/i.test(document.querySelector('.search-status').textContent)",
        timeout=30000)
    more = page.locator(".search-more")
    for _ in range(100):
        if not every or not await more.is_visible():
            break
        count = await page.locator(".search-results > li").count()
        await more.click()
        await page.wait_for_function(
            f"() => document.querySelectorAll('.search-results > li').length > {count}")
    return await page.locator(".search-results > li").count()


async def _search_everything(served: str, beacon: str) -> tuple[Run, dict[str, int]]:
    run = Run()
    requests: list[tuple[str, str, str]] = []
    shown = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for copy in ("csp", "nocsp"):
            page = await browser.new_page()
            watch(page, run, beacon, requests)
            await page.goto(f"{served}{copy}/posts/cari/index.html")
            await page.wait_for_selector("form.search:not([hidden])")
            # Every post holds "alert": all 600 results are put on the page.
            for term in ("alert", "XSS", "script", "onerror", "javascript"):
                shown[f"{copy} {term}"] = await _search(page, term, every=term == "alert")
            # Filter values full of vectors do not match Pagefind's own reading of them
            # (it decodes entities once more): the plain teacher's name does.
            await page.goto(f"{served}{copy}/posts/cari/index.html")
            await page.wait_for_selector("form.search:not([hidden])")
            shown[f"{copy} guru"] = await _search(page, "", guru="Guru Markdown")
            await page.goto(f"{served}{copy}/posts/cari/index.html?q=%3Cimg%20src%3Dx%20"
                            "onerror%3Dalert(1024)%3E&guru=%22%3E%3Cscript%3Ealert(1207)")
            await page.wait_for_timeout(500)
            await page.close()
        await browser.close()
    run.executions += [Execution(f"beacon request ({kind})", frame, url)
                       for frame, url, kind in requests]
    return run, shown


@pytest.mark.browser
def test_search_shows_injected_titles_as_text(built: dict[str, Built], served: str,
                                              beacon: Beacon) -> None:
    """Pagefind's results hold the injected titles, excerpts and filter values: cari.js
    must put them on the page as text."""
    run, shown = asyncio.run(_search_everything(served, beacon.address))
    print(f"\nXSS search: results shown {shown}")
    assert min(shown.values()) > 0, shown
    assert [str(e) for e in run.executions] == []


SAMPLE = (1034, 1042, 1043, 1053, 1059, 1062, 1065, 1199)
"""Vectors that need a real pointer or keyboard: hover, focus, autofocus."""


async def _interact(urls: list[str], beacon: str) -> Run:
    run = Run(pages=len(urls))
    requests: list[tuple[str, str, str]] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = await browser.new_page(viewport={"width": 1000, "height": 700})
        watch(page, run, beacon, requests)
        for url in urls:
            await page.goto(url)
            boxes = await page.evaluate("""() => Array.from(
                document.querySelectorAll('main *'), e => e.getBoundingClientRect())
                .filter(r => r.width && r.height && r.top < innerHeight)
                .slice(0, 80).map(r => [r.x + r.width / 2, r.y + r.height / 2])""")
            for x, y in boxes:
                await page.mouse.move(x, y)
            for _ in range(25):
                await page.keyboard.press("Tab")
        await browser.close()
    run.executions += [Execution(f"beacon request ({kind})", frame, url)
                       for frame, url, kind in requests]
    return run


@pytest.mark.browser
def test_pointer_and_keyboard_on_a_sample_without_the_csp(
        built: dict[str, Built], served: str, beacon: Beacon) -> None:
    posts = built["posts"].output
    by_date = {}
    for teacher in ("rss", "atom", "json"):
        for path in (posts / "guru" / teacher).glob("2026-*/index.html"):
            found = re.search(r'<time datetime="([^"]+)"', path.read_text(encoding="utf-8"))
            assert found
            by_date[found[1]] = path.relative_to(posts).as_posix()
    zone = ZoneInfo(load_site(built["posts"].plan.site_yml).school.timezone)
    urls = [f"{served}nocsp/posts/guru/md/{i}/index.html" for i in SAMPLE]
    urls += [f"{served}nocsp/posts/" + by_date[post_date(v).astimezone(zone).isoformat(
        timespec="minutes")] for v in built["posts"].plan.vectors if v.id in SAMPLE]
    urls += [f"{served}nocsp/{page}" for page in ("school/index.html", "school/guru/index.html",
                                                   "school/guru/guru/index.html",
                                                   "posts/tugas/index.html")]
    run = asyncio.run(_interact(urls, beacon.address))
    print(f"\nXSS pointer and keyboard: {run.pages} pages")
    assert run.pages > len(SAMPLE) * 2
    assert [str(e) for e in run.executions] == []
