"""A real browser for the tests: headless Chromium driven through the DevTools protocol over a pipe.

``--remote-debugging-pipe`` speaks CDP as NUL-separated JSON on file descriptors 3 (to the browser) and 4
(from it): no port is opened and no websocket library is needed. Every request the page makes is recorded
(``Network.requestWillBeSent``), so a test can assert that nothing left file://; host resolution is mapped
to nothing as well, so even a stray request could not reach a network.

    with Browser() as browser:
        page = browser.open(Path("out/review/index.html"))
        page.evaluate("document.title")
        page.click("button.v")
        png = page.screenshot()
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("RENKEI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--remote-debugging-pipe")
TIMEOUT = 60.0


class BrowserError(RuntimeError):
    pass


def available() -> bool:
    return Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)


def started(width: int = 1400, height: int = 1000) -> "Browser":
    """A browser for a test; a failure (never a skip) naming the Debian package when Chromium is missing."""
    if not available():
        import pytest

        pytest.fail(f"no Chromium at {CHROMIUM}: install the Debian package chromium (make producers)")
    return Browser(width=width, height=height)


class Browser:
    def __init__(self, width: int = 1400, height: int = 1000) -> None:
        self.width, self.height = width, height
        self.profile = Path(tempfile.mkdtemp(prefix="renkei-chromium-"))
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire() -> None:  # in the child: the pipe ends on the descriptors CDP expects (3 and 4)
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_r, from_browser_w)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, pass_fds=(3, 4, to_browser_r, from_browser_w))
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next = 0
        self._responses: dict[int, dict] = {}
        self.events: list[dict] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # -- the protocol ------------------------------------------------------------------------------
    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._from_browser, "rb", buffering=0) as stream:
            while True:
                chunk = stream.read(1 << 16)
                if not chunk:
                    break
                buffer += chunk
                while b"\0" in buffer:
                    raw, buffer = buffer.split(b"\0", 1)
                    message = json.loads(raw)
                    with self._cond:
                        if "id" in message:
                            self._responses[message["id"]] = message
                        else:
                            self.events.append(message)
                        self._cond.notify_all()

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = TIMEOUT) -> dict:
        with self._cond:
            self._next += 1
            number = self._next
        message: dict[str, Any] = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._cond:
            while number not in self._responses:
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise BrowserError(f"{method}: no answer from Chromium")
                self._cond.wait(left)
            answer = self._responses.pop(number)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def wait_event(self, method: str, session: str, since: int, timeout: float = TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events[since:]:
                    if event.get("method") == method and event.get("sessionId") == session:
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BrowserError(f"no {method} within {timeout:.0f} s")
                self._cond.wait(left)

    # -- pages -------------------------------------------------------------------------------------
    def open(self, path: Path) -> "Tab":
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        tab = Tab(self, session)
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride", {"width": self.width, "height": self.height,
                                                          "deviceScaleFactor": 1, "mobile": False},
                  session=session)
        since = len(self.events)
        self.send("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=session)
        self.wait_event("Page.loadEventFired", session, since)
        return tab

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                try:
                    self.send("Browser.close", timeout=5)
                except BrowserError:
                    pass
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        finally:
            try:
                os.close(self._to_browser)
            except OSError:
                pass
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Tab:
    def __init__(self, browser: Browser, session: str) -> None:
        self.browser, self.session = browser, session

    def evaluate(self, expression: str) -> Any:
        result = self.browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                        "awaitPromise": True}, session=self.session)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:60]}: {result['exceptionDetails'].get('text')} "
                               f"{result['exceptionDetails'].get('exception', {}).get('description', '')}")
        return result["result"].get("value")

    def requests(self) -> list[str]:
        """Every URL this page asked for (documents, images, scripts …), in order."""
        return [e["params"]["request"]["url"] for e in self.browser.events
                if e.get("sessionId") == self.session and e.get("method") == "Network.requestWillBeSent"]

    def _centre(self, selector: str) -> list[float]:
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        if box is None:
            raise BrowserError(f"{selector}: no such element")
        return box

    def hover(self, selector: str) -> None:
        """The mouse moved onto the element's centre (after scrolling it into view)."""
        box = self._centre(selector)
        self.browser.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": box[0], "y": box[1]},
                          session=self.session)

    def click(self, selector: str) -> None:
        """A real click (mouse pressed and released at the element's centre), after scrolling it into view."""
        box = self._centre(selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.browser.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1],
                                                           "button": "left", "clickCount": 1},
                              session=self.session)

    def type_text(self, selector: str, text: str) -> None:
        """Replace the field's text by typing ``text`` into it (input events fire as for a person)."""
        self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.value = '';"
                      " e.focus(); })()")
        self.browser.send("Input.insertText", {"text": text}, session=self.session)

    def screenshot(self) -> bytes:
        data = self.browser.send("Page.captureScreenshot", {"format": "png"}, session=self.session)["data"]
        return base64.b64decode(data)


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.browser PAGE.html OUT.png [--select VALUE_ID]``: a screenshot as the browser test
    takes it, as a small palette PNG (docs/review.png is made this way)."""
    import argparse

    from PIL import Image

    parser = argparse.ArgumentParser(prog="python -m tests.browser", description=main.__doc__)
    parser.add_argument("page", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--select", metavar="VALUE_ID", help="select this value first (data-v, e.g. "
                                                              "v-budgets-20-2024-raw)")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--colours", type=int, default=64)
    args = parser.parse_args(argv)
    with Browser(args.width, args.height) as browser:
        tab = browser.open(args.page)
        if args.select and not tab.evaluate(f"window.renkeiSelect({json.dumps(args.select)})"):
            raise SystemExit(f"error: no value {args.select} in {args.page}")
        png = tab.screenshot()
    import io

    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").quantize(args.colours).save(args.out, "PNG", optimize=True)
    print(f"{args.out}: {args.out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
