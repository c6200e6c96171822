"""Waiting for the page without eval: our CSP (script-src 'self') refuses the eval() that
page.wait_for_function uses, so waits poll page.evaluate instead (which the CSP allows)."""

from __future__ import annotations

import time

from playwright.sync_api import Page


def wait_until(page: Page, script: str, arg: object = None, timeout: float = 10.0) -> None:
    """Poll `script` (a JS expression or function) until it is truthy."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(50)
