"""brink serve under test: a server started and stopped by the test, and
bounded HTTP requests to it over loopback (python3's standard library)."""

import atexit
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BRINK = os.environ.get("BRINK", os.path.join(ROOT, "build", "brink"))
KOREA = os.path.join(ROOT, "scripts", "scenarios", "korea-2019.lua")
TIMEOUT = 10  # seconds for any one request or wait


class Served:
    """`brink serve` on a free port; .links maps "USA", "facilitator",
    "projector" to their tokens.  Use as a context manager: the server is
    stopped with Ctrl-C (SIGINT) on the way out, killed if it hangs."""

    def __init__(self, *args, scenario=KOREA, seats=("USA", "ROK"), seed=7):
        self.dir = tempfile.mkdtemp(prefix="brink-serve-")
        atexit.register(shutil.rmtree, self.dir, True)
        self.log = os.path.join(self.dir, "log.jsonl")
        self.save = os.path.join(self.dir, "save.json")
        argv = [BRINK, "serve", scenario, "--port", "0", "--log", self.log,
                "--save", self.save]
        if seats is not None:
            argv += ["--seed", str(seed)]
            for s in seats:
                argv += ["--seat", s]
        self.argv = argv + list(args)
        self.proc = None
        self.links = {}
        self.lines = []   # what it printed first: the links
        self.out = self.err = ""

    def __enter__(self):
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     cwd=self.dir)
        deadline = time.time() + TIMEOUT
        while "projector" not in self.links:
            if time.time() > deadline or self.proc.poll() is not None:
                self.stop()
                raise AssertionError("brink serve did not start: %s" % self.err)
            line = self.proc.stdout.readline()
            if not line:
                continue
            self.lines.append(line)
            label, url = line.split()
            self.links[label] = url.rsplit("/join/", 1)[1]
            self.base = url.split("/join/")[0]
        self.host, port = self.base[len("http://"):].rsplit(":", 1)
        self.port = int(port)
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        """Ctrl-C, then what the server printed; the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            out, err = self.proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        self.out += out
        self.err += err
        rc, self.proc = self.proc.returncode, None
        self.rc = rc
        return rc

    def request(self, method, path, body=None, token=None, headers=None,
                who=None):
        """One request; (status, headers, body as text).  'who' names a
        link whose token goes in an Authorization header."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        h = {"Host": "%s:%d" % (self.host, self.port)}
        if who is not None:
            token = self.links[who]
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        h.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read().decode("utf-8")
        finally:
            conn.close()

    def api(self, method, path, body=None, who="facilitator", status=200,
            **kw):
        """A JSON call expected to answer 'status'; its object."""
        code, _, text = self.request(method, "/api/" + path, body, who=who, **kw)
        if code != status:
            raise AssertionError("%s /api/%s as %s: %d, wanted %d: %s"
                                 % (method, path, who, code, status, text))
        return json.loads(text)

    def state(self, who="facilitator"):
        return self.api("GET", "state", who=who)

    def raw(self, data, wait=TIMEOUT, read=True):
        """Bytes sent on a fresh socket as they are (no HTTP library): what
        came back before the server closed or 'wait' seconds passed."""
        k = socket.create_connection((self.host, self.port), timeout=wait)
        out = b""
        try:
            try:
                k.sendall(data)
            except OSError:
                pass
            if not read:
                return out
            while True:
                try:
                    b = k.recv(65536)
                except OSError:
                    break
                if not b:
                    break
                out += b
            return out
        finally:
            k.close()

    def hostport(self):
        return "%s:%d" % (self.host, self.port)

    def version(self):
        """The facilitator's view's version: grows with every log line."""
        return self.state()["version"]

    def log_text(self):
        """The session's log as the facilitator downloads it."""
        code, _, text = self.request("GET", "/api/log", who="facilitator")
        if code != 200:
            raise AssertionError("GET /api/log: %d %s" % (code, text))
        return text

    def log_records(self):
        with open(self.log) as f:
            return [json.loads(line) for line in f]


def status_of(raw):
    """The status code of a raw HTTP answer, or None if there was none."""
    if not raw.startswith(b"HTTP/1."):
        return None
    return int(raw.split(b" ", 2)[1])


def brink(*args, stdin=None, timeout=TIMEOUT):
    """brink ARGS... run to its end (killed after 'timeout' seconds):
    (exit status, stdout, stderr)."""
    p = subprocess.Popen([BRINK] + list(args), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        out, err = p.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return None, out, err
    return p.returncode, out, err


def replay(log):
    """brink replay LOG: (exit status, what it printed)."""
    p = subprocess.run([BRINK, "replay", log], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout + p.stderr
