"""Screenshot a Prefect UI page with headless Chromium over the DevTools protocol, optionally after
clicking a button (by its visible text), e.g. "Resume" to open a paused run's input form.

    python scripts/cdp_screenshot.py URL OUT.png [--click Resume] [--width 1400 --height 1000]

Only the Python standard library and `websockets` (already a Prefect dependency) are used; Chromium
is the Debian package `chromium` (/usr/bin/chromium). Used by scripts/screenshot-approval.sh.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request

import websockets

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-allow-origins=*",
]


class Page:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.next_id = 0

    async def call(self, method: str, **params):
        self.next_id += 1
        await self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(await self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    async def js(self, expression: str):
        result = await self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        return result.get("result", {}).get("value")

    async def wait_for(self, expression: str, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await self.js(expression):
                return
            await asyncio.sleep(0.5)
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def _button_expr(text: str, click: bool) -> str:
    action = "b.click(); return true;" if click else "return true;"
    return (
        "(() => { for (const b of document.querySelectorAll('button')) {"
        f" if (b.innerText.trim() === {json.dumps(text)} && b.offsetParent !== null) {{ {action} }} }}"
        " return false; })()"
    )


async def shoot(args: argparse.Namespace, port: int) -> None:
    targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
    ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
    async with websockets.connect(ws_url, max_size=64 * 1024 * 1024) as ws:
        page = Page(ws)
        await page.call("Page.enable")
        await page.call("Runtime.enable")
        await page.call(
            "Emulation.setDeviceMetricsOverride",
            width=args.width,
            height=args.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        await page.call("Page.navigate", url=args.url)
        await page.wait_for("document.readyState === 'complete'", args.timeout, "the page to load")
        if args.wait_text:
            expr = f"document.body && document.body.innerText.includes({json.dumps(args.wait_text)})"
            await page.wait_for(expr, args.timeout, f"the text {args.wait_text!r}")
        if args.click:
            await page.wait_for(_button_expr(args.click, False), args.timeout, f"a button {args.click!r}")
            await page.js(_button_expr(args.click, True))
        if args.then_wait_text:
            expr = f"document.body && document.body.innerText.includes({json.dumps(args.then_wait_text)})"
            await page.wait_for(expr, args.timeout, f"the text {args.then_wait_text!r}")
        await asyncio.sleep(args.settle)  # let animations (modal fade-in, charts) finish
        shot = await page.call("Page.captureScreenshot", format="png")
        with open(args.out, "wb") as fh:
            fh.write(base64.b64decode(shot["data"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--click", help="visible text of a button to click before the screenshot")
    parser.add_argument("--wait-text", help="text that must be on the page before clicking")
    parser.add_argument("--then-wait-text", help="text that must be on the page after clicking")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--debug-port", type=int, default=9329)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()

    profile = tempfile.mkdtemp(prefix="rasoat-chromium-")
    browser = subprocess.Popen(
        [
            args.chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={args.width},{args.height}",
            f"--remote-debugging-port={args.debug_port}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.debug_port}/json/version", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or browser.poll() is not None:
                    raise SystemExit("chromium did not start (DevTools port not answering)") from None
                time.sleep(0.3)
        asyncio.run(shoot(args, args.debug_port))
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait()
        shutil.rmtree(profile, ignore_errors=True)
    print(args.out)


if __name__ == "__main__":
    main()
