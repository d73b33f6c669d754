"""brink serve's command line: usage errors exit 2 with a message; where
it listens, and the warning when that is not this machine alone."""

import unittest

from tests.serve.support import KOREA, Served, brink

WARNING = "anyone on that network"


class UsageErrors(unittest.TestCase):
    def usage(self, *args):
        rc, out, err = brink("serve", KOREA, "--port", "0", *args,
                             timeout=10)
        self.assertEqual(rc, 2, "status %r; stdout %r; stderr %r"
                         % (rc, out, err))
        self.assertTrue(err.strip(), "no message on stderr")
        self.assertNotIn("/join/", out)
        return err

    def test_no_seat(self):
        err = self.usage()
        self.assertIn("--seat", err)

    def test_listen_not_an_address(self):
        err = self.usage("--seat", "USA", "--listen", "nope")
        self.assertIn("nope", err)

    def test_listen_a_name_is_not_an_address(self):
        self.usage("--seat", "USA", "--listen", "localhost")

    def test_listen_everywhere_without_host(self):
        for addr in ("0.0.0.0", "::"):
            with self.subTest(addr=addr):
                err = self.usage("--seat", "USA", "--listen", addr)
                self.assertIn("--host", err)

    def test_an_unknown_seat(self):
        rc, out, err = brink("serve", KOREA, "--port", "0", "--seat",
                             "ATLANTIS", timeout=10)
        self.assertNotEqual(rc, 0)
        self.assertNotEqual(rc, None, "it served an unknown seat")
        self.assertIn("ATLANTIS", err)

    def test_a_port_out_of_range(self):
        self.usage("--seat", "USA", "--port", "70000")


class Listening(unittest.TestCase):
    def test_the_default_is_loopback_without_a_warning(self):
        with Served() as s:
            self.assertEqual(s.host, "127.0.0.1")
            s.state("USA")
        self.assertNotIn(WARNING, s.err)

    def test_127_0_0_2_is_loopback_without_a_warning(self):
        with Served("--listen", "127.0.0.2") as s:
            self.assertEqual(s.host, "127.0.0.2")
            self.assertEqual(s.state("USA")["actor"], "USA")
            code, _, _ = s.request("GET", "/api/state", who="USA",
                                   headers={"Host": "127.0.0.1:%d" % s.port})
            self.assertEqual(code, 421)
        self.assertEqual(s.rc, 0)
        self.assertNotIn(WARNING, s.err)

    def test_ipv6_loopback_without_a_warning(self):
        try:
            with Served("--listen", "::1") as s:
                self.assertEqual(s.host, "[::1]")
        except AssertionError as e:
            if "Cannot assign" in str(e) or "cannot listen" in str(e):
                self.skipTest("no IPv6 loopback here")
            raise
        self.assertNotIn(WARNING, s.err)

    def test_listening_beyond_this_machine_warns(self):
        with Served("--listen", "0.0.0.0", "--host", "127.0.0.1") as s:
            self.assertEqual(s.host, "127.0.0.1")
            self.assertEqual(s.state("USA")["actor"], "USA")
            code, _, _ = s.request("GET", "/api/state", who="USA",
                                   headers={"Host": "evil.example:%d"
                                            % s.port})
            self.assertEqual(code, 421)
        self.assertEqual(s.rc, 0)
        self.assertIn(WARNING, s.err)

    def test_the_links_name_the_host_given(self):
        with Served("--listen", "0.0.0.0", "--host", "127.0.0.1") as s:
            for token in s.links.values():
                self.assertIn("http://127.0.0.1:%d/join/%s"
                              % (s.port, token), "".join(s.lines))


if __name__ == "__main__":
    unittest.main()
