"""A small Chrome DevTools Protocol driver, Python standard library only.

Debian's chromium is started headless with --remote-debugging-pipe: it
reads commands on its file descriptor 3 and writes answers and events on
4, each message a JSON object followed by a NUL byte.  One page target is
opened and attached with flatten=true, so its commands carry a sessionId.
Every wait is bounded: a page that never does what the test waits for
raises CDPError instead of hanging the suite.

    with Browser() as b:
        page = b.new_page()
        page.navigate("http://127.0.0.1:8080/join/TOKEN")
        page.wait_for("document.querySelector('#turn').textContent !== ''")
        page.click("button[data-move='summit']")
        page.screenshot("build/screenshots/seat.png")
"""
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

CHROMIUM = "/usr/bin/chromium"


class CDPError(Exception):
    """A protocol error, a JavaScript exception or a wait that timed out."""


class Browser:
    """One headless chromium, talked to over the debugging pipe."""

    def __init__(self, binary=CHROMIUM, timeout=30.0, width=1280, height=900):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="brink-chromium-")
        # Our ends and chromium's: it reads fd 3, writes fd 4.
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        args = [
            binary, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions",
            "--disable-default-apps", "--mute-audio", "--disable-dev-shm-usage",
            "--remote-debugging-pipe",
            "--user-data-dir=" + self.profile,
            "--window-size=%d,%d" % (width, height),
            "about:blank",
        ]

        def child_fds():
            # Runs in the child before exec (and before subprocess closes
            # the fds not in pass_fds): put the pipe ends at 3 and 4, by
            # way of high numbers so that neither end overwrites the other.
            r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 100)
            w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 100)
            os.dup2(r, 3)
            os.dup2(w, 4)
            os.close(r)
            os.close(w)

        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            pass_fds=(3, 4), preexec_fn=child_fds, start_new_session=True)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._next = 0
        self._events = []
        self.width, self.height = width, height
        try:
            self.call("Browser.getVersion")
        except Exception:
            self.close()
            raise

    # -- the pipe ----------------------------------------------------------

    def _send(self, msg):
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self._to_child, data)
            data = data[n:]

    def _read_one(self, deadline):
        """The next message, or CDPError when the deadline passes."""
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError("no answer from chromium in time")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise CDPError("chromium closed the pipe (exit %s); see %s"
                               % (self.proc.poll(), self.log.name))
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=None, timeout=None):
        """Sends one command and returns its result; events that arrive
        meanwhile are kept for wait_event."""
        self._next += 1
        ident = self._next
        msg = {"id": ident, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self._send(msg)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            m = self._read_one(deadline)
            if m.get("id") == ident:
                if "error" in m:
                    raise CDPError("%s: %s" % (method, m["error"].get("message")))
                return m.get("result", {})
            if "method" in m:
                self._events.append(m)

    def wait_event(self, method, session=None, timeout=None):
        """The first event named method (already received or to come)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, m in enumerate(self._events):
                if m.get("method") == method and (
                        session is None or m.get("sessionId") == session):
                    return self._events.pop(i)
            self._events.append(self._read_one(deadline))
            if len(self._events) > 10000:
                del self._events[:5000]

    # -- pages -------------------------------------------------------------

    def new_page(self, url="about:blank", width=None, height=None,
                 isolated=True):
        """A new tab.  isolated: in a browser context of its own, with
        its own cookies, as if on another person's machine."""
        params = {"url": url}
        if isolated:
            params["browserContextId"] = self.call(
                "Target.createBrowserContext")["browserContextId"]
        target = self.call("Target.createTarget", params)["targetId"]
        session = self.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, session)
        page.call("Page.enable")
        page.call("Runtime.enable")
        page.call("Emulation.setDeviceMetricsOverride", {
            "width": width or self.width, "height": height or self.height,
            "deviceScaleFactor": 1, "mobile": False})
        return page

    def close(self):
        """Browser.close, then a kill if chromium does not go in time."""
        if self.proc.poll() is None:
            try:
                self.call("Browser.close", timeout=5)
            except Exception:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, 9)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Page:
    """One tab: navigate, evaluate, wait, click, screenshot."""

    def __init__(self, browser, target, session):
        self.browser, self.target, self.session = browser, target, session

    def call(self, method, params=None, timeout=None):
        return self.browser.call(method, params, self.session, timeout)

    def navigate(self, url, timeout=None):
        """Goes to url and waits for its load event."""
        self.browser._events = [m for m in self.browser._events
                                if m.get("method") != "Page.loadEventFired"]
        res = self.call("Page.navigate", {"url": url}, timeout)
        if res.get("errorText"):
            raise CDPError("navigate %s: %s" % (url, res["errorText"]))
        self.browser.wait_event("Page.loadEventFired", self.session, timeout)

    def eval(self, expression, timeout=None):
        """The value of a JavaScript expression (promises awaited)."""
        res = self.call("Runtime.evaluate", {
            "expression": expression, "awaitPromise": True,
            "returnByValue": True, "userGesture": True}, timeout)
        if "exceptionDetails" in res:
            d = res["exceptionDetails"]
            text = d.get("exception", {}).get("description") or d.get("text")
            raise CDPError("JavaScript error in %r: %s" % (expression[:80], text))
        return res.get("result", {}).get("value")

    def wait_for(self, expression, timeout=10.0, interval=0.1, what=None):
        """Polls until expression is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                value = self.eval(expression, timeout=timeout)
                if value:
                    return value
            except CDPError as e:
                last = e
            if time.monotonic() >= deadline:
                raise CDPError("timed out after %.0fs waiting for %s%s"
                               % (timeout, what or expression,
                                  " (last error: %s)" % last if last else ""))
            time.sleep(interval)

    def click(self, selector, timeout=10.0):
        """A real mouse click at the center of the element's box."""
        sel = json.dumps(selector)
        box = self.wait_for(
            "(function(){var e=document.querySelector(%s);if(!e)return null;"
            "e.scrollIntoView({block:'center'});var r=e.getBoundingClientRect();"
            "if(r.width<1||r.height<1||e.disabled)return null;"
            "return {x:r.left+r.width/2,y:r.top+r.height/2};})()" % sel,
            timeout, what="a visible, enabled " + selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            params = {"type": kind, "x": box["x"], "y": box["y"],
                      "button": "left" if kind != "mouseMoved" else "none",
                      "clickCount": 1 if kind != "mouseMoved" else 0}
            self.call("Input.dispatchMouseEvent", params)

    def type_into(self, selector, text):
        """Focuses an input, clears it and types text (Input.insertText)."""
        self.eval("(function(){var e=document.querySelector(%s);e.focus();"
                  "e.value='';return true;})()" % json.dumps(selector))
        self.call("Input.insertText", {"text": text})

    def screenshot(self, path, full_page=True):
        """Writes a PNG of the page (the whole scroll height if full_page)."""
        params = {"format": "png"}
        if full_page:
            size = self.eval("({w: document.documentElement.scrollWidth,"
                             " h: document.documentElement.scrollHeight})")
            params["clip"] = {"x": 0, "y": 0, "width": size["w"],
                              "height": min(size["h"], 6000), "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", params)["data"]
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path
