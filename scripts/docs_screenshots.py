"""Take the README's screenshots (docs/screenshots/*.png) from a running demo.

    make run                                   # in one terminal (or VAR_DIR=... PORT=... scripts/run.py)
    .venv/bin/python scripts/docs_screenshots.py --base-url http://127.0.0.1:8000

Needs Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH) and pdftoppm (poppler-utils) for the
certificate's PDF. Signs in as the demo learners, whose password `make run` prints, and as the demo
instructor for the /teach/ screens (`--only teach` takes just those).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PASSWORD = "empathy-demo-2026"  # noqa: S105 (the demo's published password)
COURSE = "/courses/power-of-empathy-customer-service/"
GRADEBOOK = "/teach/courses/power-of-empathy-customer-service/gradebook/"


def sign_in(page, email: str, *, landing: Any = "**/my/") -> None:
    page.goto("/sign-in/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(landing)


def settle(page) -> None:
    """Lazy pictures loaded and the page scrolled back to the top, as a reader first sees it."""
    page.evaluate("""async () => {
        const images = [...document.images];
        images.forEach(image => image.loading = 'eager');
        await Promise.all(images.map(image => image.complete ? null : new Promise(done => {
            image.addEventListener('load', done); image.addEventListener('error', done); })));
        window.scrollTo(0, 0);
    }""")


def shoot(page, out: Path, name: str, *, full_page: bool = False) -> None:
    settle(page)
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(path.relative_to(ROOT))


def teach_screens(browser, base_url: str, out: Path) -> None:
    """The instructor's gradebook of the demo course on a desktop, and the attendance screen of the demo's past
    session (marks taken) on a phone."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 860})
    page = context.new_page()
    sign_in(page, "instructor@acme.example", landing=lambda url: "/sign-in/" not in url)
    page.goto(GRADEBOOK)
    shoot(page, out, "teach-gradebook-desktop")
    context.close()
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 860}, device_scale_factor=2)
    page = context.new_page()
    sign_in(page, "instructor@acme.example", landing=lambda url: "/sign-in/" not in url)
    page.goto("/teach/workshops/")
    page.locator("section[aria-labelledby=past-heading] a[href^='/teach/workshops/sessions/']").first.click()
    page.locator("a[href$='/attendance/']").first.click()
    page.wait_for_url("**/attendance/")
    shoot(page, out, "teach-attendance-phone")
    context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", choices=["learner", "teach"], help="take only the learner's or the instructor's")
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        if options.only != "learner":
            teach_screens(browser, options.base_url, out)
        for width, suffix in ((1280, "desktop"), (375, "phone")) if options.only != "teach" else ():
            context = browser.new_context(base_url=options.base_url, viewport={"width": width, "height": 860},
                                          device_scale_factor=1 if width > 600 else 2, accept_downloads=True)
            page = context.new_page()
            sign_in(page, "learner2@acme.example")
            page.goto("/")
            shoot(page, out, f"catalog-{suffix}")
            page.goto(COURSE)
            shoot(page, out, f"course-{suffix}")
            page.get_by_role("link", name="Four returns on empathy", exact=True).first.click()
            shoot(page, out, f"lesson-player-{suffix}")
            page.goto(COURSE)
            page.get_by_role("link", name="Sympathy, empathy and the space between", exact=True).first.click()
            shoot(page, out, f"video-lesson-{suffix}")
            context.close()

            context = browser.new_context(base_url=options.base_url, viewport={"width": width, "height": 860},
                                          device_scale_factor=1 if width > 600 else 2, accept_downloads=True)
            page = context.new_page()
            sign_in(page, "learner@acme.example")
            page.goto("/my/")
            certificate = page.locator("a[href^='/my/certificates/']").first
            if certificate.count():
                certificate.click()
                shoot(page, out, f"certificate-page-{suffix}")
            if width > 600:
                with page.expect_download() as download:
                    page.locator("a[href*='.pdf'], a[href*='/pdf']").first.click()
                with tempfile.TemporaryDirectory() as folder:
                    pdf = Path(folder) / "certificate.pdf"
                    download.value.save_as(pdf)
                    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf),  # noqa: S607
                                    str(out / "certificate-pdf")], check=True)
                print((out / "certificate-pdf.png").relative_to(ROOT))
            context.close()
        browser.close()
    for path in out.glob("*.png"):
        if not re.fullmatch(r"[a-z0-9-]+\.png", path.name):
            print(f"unexpected file {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
