"""bench/verify_js.mjs in headless Chromium (Debian's /usr/bin/chromium), where the issue's
figures were taken: the PWA's verifier against WebCrypto's bare ECDSA verify, same page.

Run by hand:  .venv/bin/python bench/verify_browser.py [--seconds 2] [--revoked 10000]

The repository is served read-only on a loopback port (http://127.0.0.1 is a secure context,
so WebCrypto is there); the module prints its table to the page console, copied here.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


class Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
    }

    def end_headers(self) -> None:
        # Cross-origin isolation: the page's clock then ticks in 5 µs steps, not 100 µs.
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", default="2", help="seconds per timed function")
    parser.add_argument("--revoked", default="10000", help="revoked card hashes in the store")
    args = parser.parse_args()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(ROOT))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    query = urlencode({"seconds": args.seconds, "revoked": args.revoked})
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            finished = threading.Event()

            def show(message: object) -> None:
                if message.type != "log":  # the browser's own lines (a missing favicon...)
                    return
                print(message.text)
                if message.text == "done":
                    finished.set()

            page.on("console", show)
            page.on("pageerror", lambda error: (print("error:", error), finished.set()))
            page.goto(f"{origin}/README.md")  # a page of the origin: the module does the work
            page.add_script_tag(url=f"{origin}/bench/verify_js.mjs?{query}", type="module")
            timeout_ms = (float(args.seconds) * 3 + 60) * 1000
            while not finished.is_set():
                page.wait_for_timeout(200)
                timeout_ms -= 200
                if timeout_ms < 0:
                    raise SystemExit("the benchmark did not finish")
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
