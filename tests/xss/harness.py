"""Open built pages in headless Chromium and record anything injected that runs.

Channels, each attributed to a corpus ID where it carries one:
- a dialog (`alert(ID)`, `confirm`, `prompt`, `print`);
- a console message holding `XSS-ID`;
- a request to the beacon server (`http://127.0.0.1:PORT/ID...`), except the `src` of an
  `<img>` element: pictures from the web are allowed by design (see vectors.txt);
- in the page's DOM after load: an event-handler attribute, or a link, frame, form or
  object address with a javascript:, data: or vbscript: scheme (it would run on a click);
- a page that navigated away by itself (meta refresh, a script).

Pages are loaded in batches of same-origin iframes of one harness page (no CSP of its
own; each page keeps its own meta CSP), which opens a page in about half the time of a tab
navigation on a busy machine. In each frame every element is focused and sent the events
that injected handlers wait for (mouse over, focus, animation, toggle, load, error...),
and clicked unless a click would follow a link or submit a form; then the batch settles.
`securitypolicyviolation` events are counted through an init script: with the sanitizer
doing its job, the CSP has nothing to refuse.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from playwright.async_api import Browser, ConsoleMessage, Dialog, Page, Request, async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS

ARGS = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--autoplay-policy=no-user-gesture-required"]
"""Every other host fails at once: pictures of feeds' blogs, YouTube frames."""
BATCH = 16
SETTLE_MS = 100
HARNESS = "<!doctype html><meta charset=utf-8><title>harness</title><body></body>\n"
MARKER = re.compile(r"XSS-(\d{4})")
EVENTS = ["mouseover", "mouseenter", "pointerover", "focus", "focusin", "blur", "keydown",
          "input", "change", "toggle", "animationstart", "transitionend", "load", "error",
          "begin", "scroll", "wheel", "pageshow", "dblclick", "contextmenu"]
"""The events injected handlers wait for; `click` goes where it follows no link."""
INIT_SCRIPT = """
document.addEventListener('securitypolicyviolation', e =>
  console.warn(['CSP-VIOLATION', document.URL, e.violatedDirective, e.blockedURI,
                e.sample || ''].join(' ')));
"""
_VISIT = """
async ({urls, events, settle}) => {
  document.body.textContent = '';
  const frames = urls.map(() => {
    const frame = document.createElement('iframe');
    frame.width = 1000; frame.height = 700;
    document.body.appendChild(frame);
    return frame;
  });
  await Promise.all(frames.map((frame, i) => new Promise(done => {
    frame.addEventListener('load', done, {once: true});
    setTimeout(done, 20000);
    frame.src = urls[i];
  })));
  const results = [];
  const address = (doc, value) => {
    try { return new URL(value, doc.baseURI); } catch (e) { return null; }
  };
  for (let i = 0; i < frames.length; i++) {
    const result = {url: urls[i], images: [], problems: []};
    results.push(result);
    let doc = null;
    try { doc = frames[i].contentDocument; } catch (e) {}
    if (!doc || doc.URL !== urls[i]) continue;
    const win = frames[i].contentWindow;
    for (const element of doc.querySelectorAll('*')) {
      for (const name of element.getAttributeNames()) {
        if (name.startsWith('on')) {
          result.problems.push(`handler ${name} on <${element.localName}>: ` +
                               element.getAttribute(name));
        }
      }
      for (const name of ['href', 'src', 'action', 'formaction', 'data', 'xlink:href',
                          'poster', 'background', 'srcdoc']) {
        const value = element.getAttribute(name);
        if (value === null) continue;
        const url = name === 'srcdoc' ? new URL('data:srcdoc') : address(doc, value);
        if (url && /^(javascript|data|vbscript):$/.test(url.protocol)) {
          result.problems.push(`${url.protocol} in <${element.localName} ${name}>: ${value}`);
        }
      }
    }
    for (const image of doc.images) {
      const url = image.getAttribute('src') && address(doc, image.getAttribute('src'));
      if (url) result.images.push(url.href);
    }
    for (const element of doc.querySelectorAll('body *')) {
      if (typeof element.focus === 'function') element.focus();
      for (const type of events) element.dispatchEvent(new win.Event(type, {bubbles: true}));
      if (!element.closest('a, area, form, button, input, select, label, summary')) {
        element.dispatchEvent(new win.MouseEvent('click', {bubbles: true}));
      }
    }
  }
  await new Promise(done => setTimeout(done, settle));
  for (let i = 0; i < frames.length; i++) {
    let now = null;
    try { now = frames[i].contentDocument && frames[i].contentDocument.URL; } catch (e) {}
    if (now !== urls[i]) results[i].problems.push('navigated away to ' + (now || 'another origin'));
  }
  document.body.textContent = '';
  return results;
}
"""


@dataclass(frozen=True)
class Execution:
    channel: str
    page: str
    detail: str

    @property
    def ids(self) -> list[int]:
        return sorted({int(m) for m in re.findall(r"\b1[0-2]\d\d\b", self.detail)})

    def __str__(self) -> str:
        return f"{self.channel} on {self.page}: {self.detail[:300]} (vectors {self.ids})"


@dataclass
class Run:
    """What one pass over the pages saw."""

    pages: int = 0
    executions: list[Execution] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    excused_images: int = 0
    seconds: float = 0.0


class Beacon:
    """A tiny HTTP server on 127.0.0.1 that records every path asked of it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_POST = do_HEAD = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[Beacon]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


def watch(page: Page, run: Run, beacon: str, requests: list[tuple[str, str, str]]) -> None:
    async def on_dialog(dialog: Dialog) -> None:
        run.executions.append(Execution(f"dialog {dialog.type}", page.url, dialog.message))
        await dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        where = message.location.get("url", "") if message.location else ""
        if message.text.startswith("CSP-VIOLATION"):
            run.violations.append(message.text)
        elif MARKER.search(message.text):
            run.executions.append(Execution("console", where, message.text))

    def on_request(request: Request) -> None:
        if urlsplit(request.url).netloc == beacon:
            frame = request.frame.url if request.frame else ""
            requests.append((frame, request.url, request.resource_type))

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("request", on_request)
    page.on("pageerror", lambda error: run.page_errors.append(str(error)[:200]))


async def _pass(browser: Browser, urls: list[str], harness: str, beacon: str) -> Run:
    run = Run(pages=len(urls))
    started = time.monotonic()
    requests: list[tuple[str, str, str]] = []
    context = await browser.new_context(viewport={"width": 1000, "height": 700})
    await context.add_init_script(INIT_SCRIPT)
    page = await context.new_page()
    watch(page, run, beacon, requests)
    await page.goto(harness)
    images: dict[str, set[str]] = {}
    for start in range(0, len(urls), BATCH):
        results = await page.evaluate(_VISIT, {"urls": urls[start:start + BATCH],
                                               "events": EVENTS, "settle": SETTLE_MS})
        for result in results:
            images[result["url"]] = set(result["images"])
            run.executions += [Execution("dom", result["url"], problem)
                               for problem in result["problems"]]
    await context.close()
    for frame, url, kind in requests:
        if kind == "image" and url in images.get(frame, set()):
            run.excused_images += 1
        else:
            run.executions.append(Execution(f"beacon request ({kind})", frame, url))
    run.seconds = time.monotonic() - started
    return run


async def visit(passes: dict[str, list[str]], harness: str, beacon: str) -> dict[str, Run]:
    """Open every page of each pass (same origin as `harness`), the passes side by side in
    one browser, and return what ran in each."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        runs = await asyncio.gather(*(_pass(browser, urls, harness, beacon)
                                      for urls in passes.values()))
        await browser.close()
    return dict(zip(passes, runs, strict=True))


def visit_sync(passes: dict[str, list[str]], harness: str, beacon: str) -> dict[str, Run]:
    return asyncio.run(visit(passes, harness, beacon))
