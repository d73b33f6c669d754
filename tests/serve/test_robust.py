"""Nothing a client sends crashes brink serve: a few hundred garbage
requests, then the server still answers, Ctrl-C ends it with status 0 and
its log replays."""

import json
import random
import socket
import time
import unittest

from tests.serve.support import Served, replay, status_of

SEED = 1913


def garbage_json(rng):
    """A body that is JSON-ish, broken or strange."""
    kinds = [
        lambda: bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300))),
        lambda: b"[" * rng.randint(1, 16000),
        lambda: b'{"a":' * rng.randint(1, 3000) + b"1" + b"}" * 10,
        lambda: b'{"move": "\xff\xfe\xc3("}',
        lambda: b'{"move": "pass\\u0000DPRK"}',
        lambda: b'{"command": "/news a\\u0000b"}',
        lambda: b'{"move": "\\ud800"}',
        lambda: b'{"move": "' + "\u202e\u0301\U0001f4a3".encode() * 50 +
        b'"}',
        lambda: json.dumps({"move": rng.choice(["pass", "summit", "1", "-1",
                                                 "99999999999999999999",
                                                 " ", "\t\n", "%s%n%x"]),
                            "target": rng.choice([None, "DPRK", "", "%n",
                                                  "DPRK DPRK", "\n"])}
                           ).encode(),
        lambda: json.dumps({"move": "x" * rng.randint(400, 9000)}).encode(),
        lambda: b'{"move": 1e999999}',
        lambda: b'{"move": -0, "target": NaN}',
        lambda: b"\x00" * rng.randint(1, 100),
        lambda: b'\xef\xbb\xbf{"move": "pass"}',
    ]
    return rng.choice(kinds)()


def facilitator_command(rng):
    """A facilitator's command with strange arguments: refused or
    harmless, never /quit, /load or /save (files)."""
    word = rng.choice(["/news", "/set", "/why", "/odds", "/branch",
                       "/branches", "/state", "/help", "/fire", "/undo",
                       "/frobnicate", "/report"])
    arg = rng.choice(["", "DPRK.economy 50", "DPRK.economy", "NOPE 1",
                      "DPRK.economy nan", "DPRK.economy 1e308",
                      "DPRK.economy -inf", "%s%s%s%n", "x" * 3000,
                      "\u202e\U0001f4a3", "summit 2", "summit off",
                      "-5", "99999", "{", "DPRK.warheads -1",
                      "ROK.assembly 7", "nothing {\"a\":[1,2]}"])
    if word == "/report":
        arg = "report.html"
    return {"command": (word + " " + arg).strip()}


def seat_sees_hidden(raw):
    """Whether a seat's raw answer (or answers) holds a value of DPRK's."""
    for part in raw.split(b"\r\n\r\n")[1:]:
        text = part.split(b"HTTP/1.1 ")[0].decode("utf-8", "replace")
        try:
            o = json.loads(text)
        except ValueError:
            continue
        st = o.get("state", o)
        for v in st.get("values", []):
            if v["name"] in ("DPRK.warheads", "DPRK.missile_skill") and \
                    v["value"] is not None:
                return True
    return False


class Garbage(unittest.TestCase):
    def test_garbage_does_not_crash_the_server(self):
        rng = random.Random(SEED)
        with Served() as s:
            host = s.hostport().encode()
            tokens = dict(s.links)
            answered = 0

            def send(data, wait=3):
                nonlocal answered
                raw = s.raw(data, wait=wait)
                if status_of(raw):
                    answered += 1
                return raw

            def post(path, body, who, extra=b""):
                auth = b""
                if who:
                    auth = b"Authorization: Bearer %s\r\n" % tokens[
                        who].encode()
                return send(b"POST " + path + b" HTTP/1.1\r\nHost: " + host +
                            b"\r\n" + auth + extra +
                            b"Content-Length: %d\r\nConnection: close\r\n"
                            b"\r\n" % len(body) + body)

            # JSON-ish garbage to every POST call, as every role.
            for i in range(160):
                who = rng.choice(["USA", "ROK", "facilitator", "projector",
                                  None])
                path = rng.choice([b"/api/move", b"/api/command"])
                body = garbage_json(rng)
                if path == b"/api/command" and who == "facilitator" and \
                        body.lstrip().startswith(b"{") and \
                        b"command" in body:
                    body = b'{"command": 1}'
                raw = post(path, body, who)
                self.assertIn(status_of(raw), (200, 400, 401, 403, 409, 413,
                                               422), raw[:300])
            # The facilitator's strange commands; seats' strange moves.
            for i in range(60):
                raw = post(b"/api/command",
                           json.dumps(facilitator_command(rng)).encode(),
                           "facilitator")
                self.assertIn(status_of(raw), (200, 409, 422), raw[:300])
                who = s.state()["awaiting"] or "USA"
                if who in tokens:
                    move = rng.choice(["pass", "1", "2", "summit DPRK",
                                       "summit", "0", "-3", "pass pass"])
                    raw = post(b"/api/move", json.dumps(
                        {"move": move}).encode(), who)
                    self.assertIn(status_of(raw), (200, 409, 422),
                                  raw[:300])
            # Strange requests: methods, paths, headers, queries.
            strange = [
                b"GET /api/state?as=%ff%fe HTTP/1.1\r\n",
                b"GET /api/state?as= HTTP/1.1\r\n",
                b"GET /api/state?as=%00 HTTP/1.1\r\n",
                b"GET /api/state?as=DPRK&as=USA HTTP/1.1\r\n",
                b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n",
                b"GET /api/" + b"%41" * 3000 + b" HTTP/1.1\r\n",
                b"GET /join/" + b"0" * 5000 + b" HTTP/1.1\r\n",
                b"GET /join/%00 HTTP/1.1\r\n",
                b"GET /../../etc/passwd HTTP/1.1\r\n",
                b"GET http://evil.example/api/state HTTP/1.1\r\n",
                b"BREW /api/state HTTP/1.1\r\n",
                b"OPTIONS * HTTP/1.1\r\n",
                b"CONNECT evil.example:443 HTTP/1.1\r\n",
                b"GET /api/state HTTP/9.9\r\n",
                b"GET /api/state HTTP/1.1\r\nX-Big: " + b"x" * 70000 +
                b"\r\n",
                b"GET /api/state HTTP/1.1\r\n" +
                b"".join(b"X-%d: y\r\n" % i for i in range(2000)),
                b"GET /api/state HTTP/1.1\r\nAuthorization: Bearer " +
                b"A" * 10000 + b"\r\n",
                b"GET /api/state HTTP/1.1\r\nAuthorization: Bearer\r\n",
                b"GET /api/state HTTP/1.1\r\nAuthorization: \xff\x00\r\n",
                b"GET /api/state HTTP/1.1\r\nCookie: brink=; brink=; =;"
                b" ;;;\r\n",
                b"GET /api/state HTTP/1.1\r\nCookie: " + b"brink=x;" * 2000 +
                b"\r\n",
                b"GET /api/state HTTP/1.1\r\nHost: " + host + b"\r\nHost: " +
                host + b"\r\n",
                b"POST /api/move HTTP/1.1\r\nContent-Length: -1\r\n",
                b"POST /api/move HTTP/1.1\r\nContent-Length: 1\r\n"
                b"Content-Length: 2\r\n",
                b"POST /api/move HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                b"Content-Length: 5\r\n",
            ]
            for line in strange:
                for who in ("USA", "facilitator"):
                    head = line
                    if b"Host:" not in line:
                        head += b"Host: " + host + b"\r\n"
                    if b"Authorization" not in line:
                        head += b"Authorization: Bearer %s\r\n" % tokens[
                            who].encode()
                    # Those that announce a body wait for it: not long.
                    raw = send(head + b"Connection: close\r\n\r\n",
                               wait=0.3 if line.startswith(b"POST") else 2)
                    if who == "USA":
                        self.assertFalse(seat_sees_hidden(raw), line[:80])
            # Broken chunked bodies and short bodies.
            base = (b"POST /api/move HTTP/1.1\r\nHost: " + host +
                    b"\r\nAuthorization: Bearer " + tokens["USA"].encode())
            for tail in (b"\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                         b"\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"ffffffffffffffff\r\nabc",
                         b"\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
                         b"\r\nContent-Length: 100\r\n\r\n{\"move\":"):
                s.raw(base + tail, wait=0.3)
            # Not HTTP at all: sent, a moment, dropped.
            junk = []
            for i in range(20):
                k = socket.create_connection((s.host, s.port), timeout=2)
                try:
                    k.sendall(bytes(rng.getrandbits(8)
                                    for _ in range(rng.randint(1, 2000))))
                except OSError:
                    pass
                junk.append(k)
            time.sleep(0.3)
            for k in junk:
                k.close()
            # Pipelined requests on one connection.
            one = (b"GET /api/state HTTP/1.1\r\nHost: " + host +
                   b"\r\nAuthorization: Bearer " + tokens["ROK"].encode() +
                   b"\r\n\r\n")
            raw = s.raw(one * 20 + b"GET /api/state HTTP/1.1\r\nHost: " +
                        host + b"\r\nConnection: close\r\n\r\n", wait=3)
            self.assertEqual(status_of(raw), 200)
            self.assertFalse(seat_sees_hidden(raw))
            self.assertGreater(answered, 200)
            # Still serving, still the same session.
            st = s.state()
            self.assertIn(st["status"], ("awaiting", "held", "ended"))
            self.assertEqual(s.api("GET", "state", who="USA")["actor"],
                             "USA")
            self.assertEqual(s.stop(), 0, s.err[-2000:])
            rc, out = replay(s.log)
            self.assertEqual(rc, 0, out[-2000:])

    def test_silent_connections_do_not_stop_the_room(self):
        with Served() as s:
            silent = []
            try:
                for i in range(40):
                    silent.append(socket.create_connection(
                        (s.host, s.port), timeout=5))
                # Half a request, then nothing.
                for k in silent[:20]:
                    k.sendall(b"POST /api/move HTTP/1.1\r\nHost: " +
                              s.hostport().encode() + b"\r\nContent-Le")
                t = time.time()
                self.assertEqual(s.state("USA")["actor"], "USA")
                s.api("POST", "move", {"move": "pass"}, who="USA")
                self.assertLess(time.time() - t, 5)
            finally:
                for k in silent:
                    k.close()
            self.assertEqual(s.state()["awaiting"], "ROK")
            self.assertEqual(s.stop(), 0)
            rc, out = replay(s.log)
            self.assertEqual(rc, 0, out)

    def test_a_client_that_leaves_mid_answer_does_not_stop_the_room(self):
        with Served() as s:
            for i in range(30):
                k = socket.create_connection((s.host, s.port), timeout=5)
                k.sendall(b"GET /api/state HTTP/1.1\r\nHost: " +
                          s.hostport().encode() +
                          b"\r\nAuthorization: Bearer " +
                          s.links["facilitator"].encode() + b"\r\n\r\n")
                k.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             b"\x01\x00\x00\x00\x00\x00\x00\x00")
                k.close()   # a reset, not a goodbye
            streams = []
            for i in range(10):
                k = socket.create_connection((s.host, s.port), timeout=5)
                k.sendall(b"GET /api/events HTTP/1.1\r\nHost: " +
                          s.hostport().encode() +
                          b"\r\nAuthorization: Bearer " +
                          s.links["USA"].encode() + b"\r\n\r\n")
                streams.append(k)
            time.sleep(0.2)
            for k in streams:
                k.close()
            s.api("POST", "command", {"command": "/news after the streams"})
            self.assertEqual(s.state("ROK")["actor"], "ROK")
            self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    unittest.main()
