"""Following a workspace's links in the browser: every page under a prefix reachable from its home, one page per
address shape (the first course's gradebook stands for every course's), for the accessibility sweeps."""
from __future__ import annotations

from urllib.parse import urlsplit


def links_under(page, prefix: str, *, selector: str, not_pages: tuple[str, ...]) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.path.startswith(prefix) and not parts.path.endswith(not_pages):
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def crawl(page, home: str, *, selector: str = "main a[href]", not_pages: tuple[str, ...] = (),
          limit: int = 60) -> list[str]:
    """The HTML pages under ``home`` reachable from it by ``selector`` links, one per address shape, at most
    ``limit``."""
    seen: list[str] = []
    shapes: set[str] = set()
    queue = [home]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        shape = "".join("#" if ch.isdigit() else ch for ch in path.split("?")[0])
        if path in seen or shape in shapes:
            continue
        response = page.goto(path, wait_until="domcontentloaded")
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        seen.append(path)
        shapes.add(shape)
        queue.extend(link for link in links_under(page, home, selector=selector, not_pages=not_pages)
                     if link not in seen)
    return seen
