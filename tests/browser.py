"""Shared Playwright set-up for the browser tests: Debian's Chromium, one browser per module.

Browser-test modules import these fixtures (``from tests.browser import browser, new_page, ...``),
so the other tests never load Playwright.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling home on this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@dataclass(frozen=True)
class Shots:
    """A module's screenshots: ``test-artifacts/<folder>/<prefix><name>.png``, full page, for a human
    to look at (and the README's figures). A module makes one (``shot = Shots("browser", prefix="x-")``)
    and calls ``shot(page, name)``; ``shot.path(name)`` is the file for a clip or an element."""

    folder: str
    prefix: str = ""

    def path(self, name: str, suffix: str = ".png") -> Path:
        folder = ARTIFACTS / self.folder
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{self.prefix}{name}{suffix}"

    def __call__(self, page: Page, name: str) -> Path:
        path = self.path(name)
        page.screenshot(path=path, full_page=True)
        return path


@pytest.fixture(scope="module")
def _allow_async_unsafe() -> Iterator[None]:
    """Playwright's sync API keeps an asyncio loop running in the main thread while it lives.

    Django then refuses ORM calls from that thread (the tests' own and pytest-django's flush),
    so the relaxation lives as long as the module's browser and is restored after it.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def playwright_driver(_allow_async_unsafe: None) -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


PageFactory = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, live_server: object) -> Iterator[PageFactory]:
    """Open a page in a fresh context (own cookies); fails the test on JS errors or missing assets."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def factory(*, viewport: dict[str, int] = DESKTOP, mobile: bool = False, javascript: bool = True) -> Page:
        context = browser.new_context(
            base_url=live_server.url,  # type: ignore[attr-defined]
            viewport=viewport,  # type: ignore[arg-type]
            is_mobile=mobile,
            has_touch=mobile,
            device_scale_factor=2 if mobile else 1,
            java_script_enabled=javascript,
            locale="en-US",  # patients' browsers are often English; the site must still speak Spanish
            timezone_id="America/Bogota",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on(
            "response",
            lambda response: (
                problems.append(f"{response.status} for {response.url}")
                if "/static/" in response.url and response.status >= 400
                else None
            ),
        )
        return page

    yield factory
    for context in contexts:
        context.close()
    assert problems == []


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    return new_page()
