"""The security rules of brink serve (issue 13), each its own test: tokens,
roles, cookies and X-Brink, the Host header, the body limit, malformed
requests.  Refused requests must change nothing: the log is compared."""

import json
import re
import unittest

from tests.serve.support import Served, status_of

# The pages (cli/web/) are embedded in the binary when they exist.

HEX32 = re.compile(r"^[0-9a-f]{32}$")
API = ("state", "move", "command", "charts", "events", "log", "save",
       "report")


class Shared(unittest.TestCase):
    """One server for a class whose tests change nothing (or only what
    they check themselves)."""

    seats = ("USA", "ROK")

    @classmethod
    def setUpClass(cls):
        cls.s = Served(seats=cls.seats).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def unchanged(self, before):
        """The session's log is what it was."""
        self.assertEqual(self.s.log_text(), before)

    def assertRevealsNothing(self, text):
        """An error body: {"error": ...} and no token, no value."""
        o = json.loads(text)
        self.assertEqual(list(o), ["error"], text)
        for token in self.s.links.values():
            self.assertNotIn(token, text)
        self.assertNotIn("values", text)
        self.assertNotIn("DPRK.", text)


class Tokens(Shared):
    def test_tokens_are_at_least_128_bits_of_hex(self):
        self.assertEqual(set(self.s.links),
                         {"USA", "ROK", "facilitator", "projector"})
        for label, token in self.s.links.items():
            self.assertRegex(token, HEX32, label)

    def test_tokens_are_distinct_per_link(self):
        tokens = list(self.s.links.values())
        self.assertEqual(len(set(tokens)), len(tokens))

    def test_tokens_differ_between_runs(self):
        with Served() as other:
            for label, token in self.s.links.items():
                self.assertNotEqual(other.links[label], token, label)
            self.assertFalse(set(other.links.values())
                             & set(self.s.links.values()))

    def test_printed_links_are_join_urls(self):
        base = "http://127.0.0.1:%d/join/" % self.s.port
        self.assertEqual(self.s.base + "/join/", base)


class NoToken(Shared):
    def test_no_token_is_401_on_every_call(self):
        before = self.s.log_text()
        for call in API:
            for method in ("GET", "POST"):
                with self.subTest(call=call, method=method):
                    body = {"move": "pass"} if method == "POST" else None
                    code, _, text = self.s.request(method, "/api/" + call,
                                                   body)
                    self.assertEqual(code, 401, text)
                    self.assertRevealsNothing(text)
        self.unchanged(before)

    def test_no_token_page_is_401(self):
        for path in ("/", "/seat/USA/", "/facilitator/", "/projector/"):
            code, _, text = self.s.request("GET", path)
            self.assertEqual(code, 401, path)
            for token in self.s.links.values():
                self.assertNotIn(token, text)


class WrongToken(Shared):
    def check_wrong(self, token):
        before = self.s.log_text()
        for call in API:
            for method in ("GET", "POST"):
                with self.subTest(call=call, method=method, token=token):
                    body = {"command": "/set DPRK.economy 1"} \
                        if method == "POST" else None
                    code, _, text = self.s.request(method, "/api/" + call,
                                                   body, token=token)
                    self.assertEqual(code, 403, text)
                    self.assertRevealsNothing(text)
        self.unchanged(before)

    def test_wrong_token_of_the_right_length_is_403(self):
        fake = "0123456789abcdef0123456789abcdef"
        self.assertNotIn(fake, self.s.links.values())
        self.check_wrong(fake)

    def test_a_token_one_character_off_is_403(self):
        t = self.s.links["facilitator"]
        self.check_wrong(t[:-1] + ("0" if t[-1] != "0" else "1"))

    def test_wrong_token_of_the_wrong_length_is_403(self):
        t = self.s.links["facilitator"]
        for fake in ("abc", t + "0", t[:31], "x" * 200):
            self.check_wrong(fake)

    def test_wrong_token_in_the_cookie_is_403(self):
        code, _, text = self.s.request(
            "GET", "/api/state",
            headers={"Cookie": "brink=0123456789abcdef0123456789abcdef"})
        self.assertEqual(code, 403, text)
        self.assertRevealsNothing(text)

    def test_wrong_token_page_is_403(self):
        for path in ("/", "/seat/USA/", "/facilitator/"):
            code, _, text = self.s.request(
                "GET", path, headers={"Cookie": "brink=" + "f" * 32})
            self.assertEqual(code, 403, path)
            for token in self.s.links.values():
                self.assertNotIn(token, text)

    def test_another_links_token_on_a_links_pages_is_403(self):
        # A seat's token opens neither the console's pages nor its API.
        usa = self.s.links["USA"]
        for path in ("/facilitator/", "/facilitator/api/state",
                     "/seat/ROK/", "/seat/ROK/api/state"):
            code, _, text = self.s.request(
                "GET", path, headers={"Cookie": "brink=" + usa})
            self.assertEqual(code, 403, path)
            if "/api/" in path:
                self.assertRevealsNothing(text)
            for token in self.s.links.values():
                self.assertNotIn(token, text)

    def test_a_bad_join_link_is_403_and_sets_no_cookie(self):
        for fake in ("0" * 32, "nope", self.s.links["USA"][:-1]):
            code, headers, text = self.s.request("GET", "/join/" + fake)
            self.assertEqual(code, 403, fake)
            self.assertNotIn("Set-Cookie", headers)
            for token in self.s.links.values():
                self.assertNotIn(token, text)


class Roles(Shared):
    seats = ("USA", "ROK", "DPRK")

    def test_a_seat_reading_another_seats_view_is_403(self):
        code, _, text = self.s.request("GET", "/api/state?as=ROK", who="USA")
        self.assertEqual(code, 403, text)
        self.assertRevealsNothing(text)

    def test_a_seat_reading_the_hidden_actors_view_is_403(self):
        code, _, text = self.s.request("GET", "/api/state?as=DPRK",
                                       who="USA")
        self.assertEqual(code, 403, text)
        self.assertRevealsNothing(text)

    def test_a_seat_may_name_itself(self):
        st = self.s.api("GET", "state?as=USA", who="USA")
        self.assertEqual(st["actor"], "USA")
        self.assertEqual(st["role"], "seat")

    def test_the_projector_reading_a_seats_view_is_403(self):
        code, _, text = self.s.request("GET", "/api/state?as=DPRK",
                                       who="projector")
        self.assertEqual(code, 403, text)
        self.assertRevealsNothing(text)

    def test_the_facilitator_may_read_a_seats_view(self):
        st = self.s.api("GET", "state?as=DPRK")
        self.assertEqual(st["actor"], "DPRK")
        w = next(v for v in st["values"] if v["name"] == "DPRK.warheads")
        self.assertFalse(w["hidden"])
        st = self.s.api("GET", "state?as=ROK")
        w = next(v for v in st["values"] if v["name"] == "DPRK.warheads")
        self.assertTrue(w["hidden"])

    def test_a_seat_moving_for_another_actor_is_403(self):
        before = self.s.log_text()
        self.assertEqual(self.s.state()["awaiting"], "USA")
        # USA's seat, on its own turn, for ROK; ROK's seat for USA (whose
        # turn it is); DPRK's seat for USA.
        for who, actor in (("USA", "ROK"), ("ROK", "USA"), ("DPRK", "USA")):
            with self.subTest(who=who, actor=actor):
                code, _, text = self.s.request(
                    "POST", "/api/move",
                    {"move": "pass", "actor": actor}, who=who)
                self.assertEqual(code, 403, text)
        self.unchanged(before)
        self.assertEqual(self.s.state()["awaiting"], "USA")

    def test_seats_and_the_projector_posting_commands_is_403(self):
        before = self.s.log_text()
        for who in ("USA", "ROK", "DPRK", "projector"):
            for body in ({"command": "/set DPRK.economy 1"},
                         {"command": "/news hello"},
                         {"command": "set", "args": ["DPRK.economy", "1"]},
                         {"command": "/hold"}):
                with self.subTest(who=who, body=body):
                    code, _, text = self.s.request("POST", "/api/command",
                                                   body, who=who)
                    self.assertEqual(code, 403, text)
        self.unchanged(before)

    def test_the_projector_moving_is_403(self):
        before = self.s.log_text()
        code, _, text = self.s.request("POST", "/api/move", {"move": "pass"},
                                       who="projector")
        self.assertEqual(code, 403, text)
        code, _, text = self.s.request("POST", "/api/move",
                                       {"move": "pass", "actor": "USA"},
                                       who="projector")
        self.assertEqual(code, 403, text)
        self.unchanged(before)

    def test_seats_may_not_download_the_facilitators_files(self):
        for who in ("USA", "projector"):
            for call in ("log", "save", "report"):
                with self.subTest(who=who, call=call):
                    code, _, text = self.s.request("GET", "/api/" + call,
                                                   who=who)
                    self.assertEqual(code, 403, text)
                    self.assertNotIn("DPRK.warheads", text)


class Cookies(Shared):
    def join(self, who):
        code, headers, _ = self.s.request("GET", "/join/" + self.s.links[who])
        return code, headers

    def cookie(self, who):
        code, headers = self.join(who)
        self.assertEqual(code, 303)
        return headers["Set-Cookie"].split(";")[0]

    def test_join_answers_303_to_the_links_pages_with_the_token_gone(self):
        for who, page in (("USA", "/seat/USA/"), ("facilitator", "/facilitator/"),
                          ("projector", "/projector/")):
            code, headers = self.join(who)
            self.assertEqual(code, 303)
            self.assertEqual(headers.get("Location"), page)
            for token in self.s.links.values():
                self.assertNotIn(token, headers["Location"])

    def test_join_sets_an_httponly_samesite_strict_cookie(self):
        _, headers = self.join("ROK")
        parts = [p.strip() for p in headers["Set-Cookie"].split(";")]
        self.assertEqual(parts[0], "brink=" + self.s.links["ROK"])
        attrs = {p.split("=")[0].lower(): p for p in parts[1:]}
        self.assertIn("httponly", attrs)
        self.assertEqual(attrs.get("samesite", "").lower(), "samesite=strict")
        # The cookie is the link's pages' only, so roles share a browser.
        self.assertEqual(attrs.get("path"), "Path=/seat/ROK/")

    def test_join_by_post_is_refused(self):
        code, headers, _ = self.s.request("POST", "/join/" +
                                          self.s.links["USA"], body="")
        self.assertEqual(code, 405)
        self.assertNotIn("Set-Cookie", headers)

    def test_the_cookie_opens_the_roles_page(self):
        for who, page, role in (("USA", "/seat/USA/", "seat"),
                                ("facilitator", "/facilitator/", "facilitator"),
                                ("projector", "/projector/", "projector")):
            code, headers, text = self.s.request(
                "GET", page, headers={"Cookie": self.cookie(who)})
            self.assertEqual(code, 200, who)
            self.assertIn("text/html", headers["Content-Type"])
            self.assertIn('data-role="%s"' % role, text)

    def test_the_cookie_reads_the_api(self):
        code, _, text = self.s.request(
            "GET", "/api/state", headers={"Cookie": self.cookie("USA")})
        self.assertEqual(code, 200, text)
        self.assertEqual(json.loads(text)["actor"], "USA")

    def test_a_cookie_post_without_x_brink_is_403_and_changes_nothing(self):
        before = self.s.log_text()
        for who, call, body in (
                ("USA", "move", {"move": "pass"}),
                ("facilitator", "command", {"command": "/news csrf"}),
                ("facilitator", "move", {"move": "pass"})):
            for extra in ({}, {"X-Brink": "0"}, {"X-Brink": ""},
                          {"X-Brink": "yes"}):
                with self.subTest(who=who, call=call, extra=extra):
                    h = {"Cookie": self.cookie(who),
                         "Content-Type": "application/json"}
                    h.update(extra)
                    code, _, text = self.s.request("POST", "/api/" + call,
                                                   body, headers=h)
                    self.assertEqual(code, 403, text)
        self.unchanged(before)
        self.assertEqual(self.s.state()["awaiting"], "USA")

    def test_a_form_post_with_the_cookie_is_403(self):
        """What a cross-site form can send: urlencoded, no X-Brink."""
        before = self.s.log_text()
        code, _, _ = self.s.request(
            "POST", "/api/command", "command=%2Fnews+csrf",
            headers={"Cookie": self.cookie("facilitator"),
                     "Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(code, 403)
        self.unchanged(before)


class CookieMoves(unittest.TestCase):
    def test_a_cookie_post_with_x_brink_is_accepted(self):
        with Served() as s:
            _, headers, _ = s.request("GET", "/join/" + s.links["USA"])
            cookie = headers["Set-Cookie"].split(";")[0]
            code, _, text = s.request(
                "POST", "/api/move", {"move": "pass"},
                headers={"Cookie": cookie, "X-Brink": "1"})
            self.assertEqual(code, 200, text)
            self.assertTrue(json.loads(text)["ok"])
            _, headers, _ = s.request("GET", "/join/" +
                                      s.links["facilitator"])
            cookie = headers["Set-Cookie"].split(";")[0]
            code, _, text = s.request(
                "POST", "/api/command", {"command": "/news by cookie"},
                headers={"Cookie": cookie, "X-Brink": "1"})
            self.assertEqual(code, 200, text)
            records = s.log_text()
            self.assertIn('"actor":"USA","move":"pass"', records)
            self.assertIn('"command":"/news by cookie"', records)

    def test_bearer_needs_no_x_brink(self):
        with Served() as s:
            code, _, text = s.request("POST", "/api/move", {"move": "pass"},
                                      who="USA")
            self.assertEqual(code, 200, text)
            code, _, text = s.request("POST", "/api/command",
                                      {"command": "/news by bearer"},
                                      who="facilitator")
            self.assertEqual(code, 200, text)
            records = s.log_text()
            self.assertIn('"actor":"USA","move":"pass"', records)
            self.assertIn('"command":"/news by bearer"', records)


class Host(Shared):
    def bad_hosts(self):
        p = self.s.port
        return ["evil.example:%d" % p, "evil.example", "127.0.0.1:%d" % (
            p + 1 if p < 65535 else p - 1), "127.0.0.1", "localhost",
            "127.0.0.2:%d" % p, "[::1]:%d" % p, "LOCALHOST.:%d" % p, ""]

    def test_a_foreign_host_is_421_for_every_request(self):
        before = self.s.log_text()
        for host in self.bad_hosts():
            for method, path, who, body in (
                    ("GET", "/api/state", "facilitator", None),
                    ("POST", "/api/move", "USA", {"move": "pass"}),
                    ("POST", "/api/command", "facilitator",
                     {"command": "/news rebinding"}),
                    ("GET", "/", None, None),
                    ("GET", "/brink.js", None, None)):
                with self.subTest(host=host, path=path):
                    code, _, text = self.s.request(
                        method, path, body, who=who,
                        headers={"Host": host})
                    self.assertEqual(code, 421, text)
                    self.assertNotIn("values", text)
        self.unchanged(before)

    def test_a_foreign_host_join_sets_no_cookie(self):
        code, headers, _ = self.s.request(
            "GET", "/join/" + self.s.links["USA"],
            headers={"Host": "evil.example:%d" % self.s.port})
        self.assertEqual(code, 421)
        self.assertNotIn("Set-Cookie", headers)

    def test_a_missing_host_is_421(self):
        t = self.s.links["facilitator"].encode()
        for version in (b"1.0", b"1.1"):
            with self.subTest(version=version):
                raw = self.s.raw(b"GET /api/state HTTP/" + version +
                                 b"\r\nAuthorization: Bearer " + t +
                                 b"\r\nConnection: close\r\n\r\n")
                self.assertEqual(status_of(raw), 421, raw[:200])
                self.assertNotIn(b"values", raw)

    def test_localhost_with_the_port_is_accepted(self):
        code, _, text = self.s.request(
            "GET", "/api/state", who="USA",
            headers={"Host": "localhost:%d" % self.s.port})
        self.assertEqual(code, 200, text)

    def test_the_listen_address_with_the_port_is_accepted(self):
        code, _, text = self.s.request(
            "GET", "/api/state", who="USA",
            headers={"Host": "127.0.0.1:%d" % self.s.port})
        self.assertEqual(code, 200, text)


class Bodies(Shared):
    LIMIT = 16 * 1024

    def post_raw(self, path, body, who="USA", chunked=False, extra=b""):
        head = (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: " +
                self.s.hostport().encode() + b"\r\nAuthorization: Bearer " +
                self.s.links[who].encode() +
                b"\r\nContent-Type: application/json\r\nConnection: close\r\n"
                + extra)
        if chunked:
            data = head + b"Transfer-Encoding: chunked\r\n\r\n"
            for i in range(0, len(body), 4096):
                part = body[i:i + 4096]
                data += b"%x\r\n" % len(part) + part + b"\r\n"
            data += b"0\r\n\r\n"
        else:
            data = head + b"Content-Length: %d\r\n\r\n" % len(body) + body
        return self.s.raw(data)

    def big(self, n):
        pad = n - len(b'{"move":""}')
        return b'{"move":"' + b"a" * pad + b'"}'

    def test_a_body_over_16k_with_content_length_is_413(self):
        before = self.s.log_text()
        for path, who in (("/api/move", "USA"), ("/api/command",
                                                 "facilitator")):
            for n in (self.LIMIT + 1, 100000, 1 << 20):
                with self.subTest(path=path, n=n):
                    raw = self.post_raw(path, self.big(n), who=who)
                    self.assertEqual(status_of(raw), 413, raw[:300])
        self.unchanged(before)

    def test_a_chunked_body_over_16k_is_413(self):
        before = self.s.log_text()
        for path, who in (("/api/move", "USA"), ("/api/command",
                                                 "facilitator")):
            for n in (self.LIMIT + 1, 100000):
                with self.subTest(path=path, n=n):
                    raw = self.post_raw(path, self.big(n), who=who,
                                        chunked=True)
                    self.assertEqual(status_of(raw), 413, raw[:300])
        self.unchanged(before)

    def test_a_body_of_16k_is_not_413(self):
        for chunked in (False, True):
            raw = self.post_raw("/api/move", self.big(self.LIMIT),
                                chunked=chunked)
            self.assertEqual(status_of(raw), 422, raw[:300])

    def test_a_huge_content_length_is_413(self):
        raw = self.s.raw(
            b"POST /api/move HTTP/1.1\r\nHost: " +
            self.s.hostport().encode() + b"\r\nAuthorization: Bearer " +
            self.s.links["USA"].encode() +
            b"\r\nContent-Length: 99999999999\r\nConnection: close\r\n\r\n"
            b'{"move":"pass"}', wait=5)
        self.assertIn(status_of(raw), (400, 413), raw[:300])


class Malformed(Shared):
    def bad(self, call, body, who, **kw):
        before = self.s.log_text()
        code, _, text = self.s.request("POST", "/api/" + call, body, who=who,
                                       **kw)
        self.assertEqual(code, 400, "%r: %s" % (body, text))
        o = json.loads(text)
        self.assertIsInstance(o.get("error"), str)
        self.assertTrue(o["error"].strip(), text)
        self.unchanged(before)

    def test_malformed_json_is_400_with_a_message(self):
        for body in ('{"move": "pass"', "{move: pass}", "nope", "{'a': 1}",
                     '{"move": "pass"} trailing', '{"move": "pass",}',
                     "\xff\xfe", '{"move": "pa\\ss"}'):
            for call, who in (("move", "USA"), ("command", "facilitator")):
                with self.subTest(body=body, call=call):
                    self.bad(call, body.encode("latin-1"), who)

    def test_json_that_is_not_an_object_is_400(self):
        for body in ("[]", '["pass"]', '"pass"', "5", "null", "true"):
            for call, who in (("move", "USA"), ("command", "facilitator")):
                with self.subTest(body=body, call=call):
                    self.bad(call, body, who)

    def test_members_of_the_wrong_type_are_400(self):
        for body in ({"move": 5}, {"move": ["pass"]}, {"move": {}},
                     {"move": True}, {"move": "pass", "target": 5},
                     {"move": "pass", "target": ["DPRK"]},
                     {"move": "pass", "actor": 1}, {}, {"target": "DPRK"},
                     {"move": ""}):
            with self.subTest(body=body):
                self.bad("move", body, "USA")
        for body in ({"command": 5}, {"command": ["/news", "x"]},
                     {"command": None}, {}, {"command": ""},
                     {"command": "news", "args": "x"},
                     {"command": "news", "args": [1]},
                     {"command": "news", "args": {"a": "b"}},
                     {"command": "news", "args": [["x"]]}):
            with self.subTest(body=body):
                self.bad("command", body, "facilitator")

    def test_an_empty_body_is_400(self):
        for call, who in (("move", "USA"), ("command", "facilitator")):
            with self.subTest(call=call):
                self.bad(call, "", who)
                self.bad(call, None, who)

    def test_duplicate_members_are_400(self):
        self.bad("move", '{"move": "pass", "move": "summit"}', "USA")


class Paths(Shared):
    def test_an_unknown_api_path_is_404(self):
        for path in ("/api/nope", "/api/", "/api/state/x", "/api/STATE",
                     "/api/move/", "/api/../api/state"):
            with self.subTest(path=path):
                code, _, text = self.s.request("GET", path,
                                               who="facilitator")
                self.assertEqual(code, 404, text)

    def test_an_unknown_page_is_404(self):
        for path in ("/nope", "/seat.htm", "/etc/passwd", "/join",
                     "/%2e%2e/etc/passwd"):
            with self.subTest(path=path):
                code, _, _ = self.s.request("GET", path)
                self.assertEqual(code, 404, path)

    def test_a_wrong_method_is_405(self):
        before = self.s.log_text()
        for method, path in (("GET", "/api/move"), ("GET", "/api/command"),
                             ("POST", "/api/state"), ("POST", "/api/events"),
                             ("POST", "/api/charts"), ("PUT", "/api/state"),
                             ("DELETE", "/api/state"), ("PUT", "/api/move"),
                             ("PATCH", "/api/command"), ("POST", "/brink.js")):
            with self.subTest(method=method, path=path):
                body = '{"move": "pass"}' if method != "GET" else None
                code, _, text = self.s.request(method, path, body,
                                               who="facilitator")
                self.assertEqual(code, 405, text)
        self.unchanged(before)

    def test_static_files_need_no_token(self):
        for name in ("/brink.css", "/brink.js", "/seat/USA/brink.js"):
            code, _, _ = self.s.request("GET", name)
            self.assertEqual(code, 200, name)


if __name__ == "__main__":
    unittest.main()
