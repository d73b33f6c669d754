"""The JSON API of brink serve over loopback: play, the facilitator's
commands, hidden values, event streams, saves, replays and reports."""

import json
import os
import socket
import time
import unittest

from tests.serve.support import TIMEOUT, Served, brink, replay

# A scenario whose hook fails with RED's hidden value in the message.
SECRET = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "secret.lua")

# A value no scenario text holds: DPRK.missile_skill is set to it, and it
# grows by whole numbers, so its digits after the point betray it.
MARK = "12.3456789"
MARK_DIGITS = "3456789"


def value(st, name):
    return next(v for v in st["values"] if v["name"] == name)


def records(s, kind):
    return [r for r in s.log_records() if r["t"] == kind]


class Play(unittest.TestCase):
    def test_a_seat_moves_and_the_log_replays(self):
        with Served() as s:
            st = s.state("USA")
            self.assertEqual(st["awaiting"], "USA")
            self.assertTrue(st["your_turn"])
            move = next(o for o in st["options"] if o["legal"])
            r = s.api("POST", "move", {"move": move["move"],
                                        "target": move["target"]}, who="USA")
            self.assertTrue(r["ok"])
            self.assertFalse(r["state"]["your_turn"])
            self.assertEqual(s.stop(), 0)
            moves = [x for x in s.log_records() if x["t"] == "move"]
            self.assertEqual(moves[0]["actor"], "USA")
            self.assertEqual(moves[0]["move"], move["move"])
            rc, out = replay(s.log)
            self.assertEqual(rc, 0, out)


class Contract(unittest.TestCase):
    """The fields of /api/state as /tmp/c13/contract.md (issue 13) lists
    them, for each role."""

    COMMON = {"role", "version", "scenario", "turn", "turns", "date", "when",
              "status", "awaiting", "held", "outcome", "seats", "values",
              "options", "timeline"}
    SEAT = COMMON | {"actor", "brief", "name", "your_turn"}
    FACILITATOR = COMMON | {"trail", "branches"}

    @classmethod
    def setUpClass(cls):
        cls.s = Served().__enter__()
        cls.s.api("POST", "command", {"command": "/news contract"})
        cls.s.api("POST", "command", {"command": "/set DPRK.sanctions 6"})

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def test_a_seats_state_has_the_seat_fields(self):
        st = self.s.state("USA")
        self.assertLessEqual(self.SEAT, set(st))
        self.assertEqual((st["role"], st["actor"]), ("seat", "USA"))
        self.assertNotIn("trail", st)
        self.assertNotIn("branches", st)

    def test_the_facilitators_state_has_the_facilitator_fields(self):
        st = self.s.state()
        self.assertLessEqual(self.FACILITATOR, set(st))
        self.assertEqual(st["role"], "facilitator")

    def test_the_projectors_state(self):
        st = self.s.state("projector")
        self.assertLessEqual(self.COMMON, set(st))
        self.assertEqual(st["role"], "projector")
        self.assertEqual(st["options"], [])
        for key in ("trail", "branches", "your_turn", "brief"):
            self.assertNotIn(key, st)

    def test_the_scenario_has_id_title_and_brief(self):
        scn = self.s.state("USA")["scenario"]
        self.assertEqual(scn["id"], "korea-2019")
        self.assertTrue(scn["title"])
        self.assertTrue(scn["brief"])

    def test_a_seat_sees_its_own_options_and_whether_it_may_send(self):
        usa, rok = self.s.state("USA"), self.s.state("ROK")
        self.assertTrue(usa["your_turn"])
        self.assertFalse(rok["your_turn"])
        self.assertTrue(usa["options"])
        # ROK's own moves, to talk over while the USA moves: none of the
        # USA's (only the USA targets China with its trade moves).
        self.assertTrue(rok["options"])
        self.assertFalse({o["label"] for o in rok["options"]}
                         & {"raise_tariffs PRC", "summit DPRK"})
        self.assertEqual(self.s.state("projector")["options"], [])

    def test_seats_see_news_moves_and_the_end_only(self):
        for who in ("USA", "projector"):
            kinds = {x["kind"] for x in self.s.state(who)["timeline"]}
            self.assertIn("news", kinds)
            self.assertLessEqual(kinds, {"news", "move", "end"}, who)
        kinds = {x["kind"] for x in self.s.state()["timeline"]}
        self.assertLessEqual({"news", "set", "intervention"}, kinds)

    def test_values_say_hidden_as_the_contract_does(self):
        for v in self.s.state("USA")["values"]:
            # An estimate the USA holds (beliefs) adds "belief": [lo, hi].
            self.assertEqual(set(v) - {"belief"},
                             {"name", "value", "text", "hidden", "doc"})
            if v["hidden"]:
                self.assertIsNone(v["value"])
                if "belief" in v:
                    self.assertTrue(v["text"].endswith(" (believed)"), v)
                else:
                    self.assertEqual(v["text"], "hidden")


class Turns(unittest.TestCase):
    """Refusals of moves; one server, nothing accepted but where said."""

    @classmethod
    def setUpClass(cls):
        cls.s = Served().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def refused(self, who, body, status):
        before = self.s.log_text()
        code, _, text = self.s.request("POST", "/api/move", body, who=who)
        self.assertEqual(code, status, text[:300])
        self.assertEqual(self.s.log_text(), before)
        return json.loads(text)["error"]

    def test_not_your_turn_is_409_waiting_for_the_actor(self):
        self.assertEqual(self.s.state()["awaiting"], "USA")
        err = self.refused("ROK", {"move": "pass"}, 409)
        self.assertEqual(err, "waiting for USA")

    def test_an_illegal_move_is_422_with_the_reason(self):
        st = self.s.state("USA")
        bad = [o for o in st["options"] if not o["legal"]]
        self.assertTrue(bad, "korea offers USA an illegal move at turn 1")
        err = self.refused("USA", {"move": bad[0]["move"],
                                   "target": bad[0]["target"]}, 422)
        self.assertIn(bad[0]["reason"], err)

    def test_an_unknown_move_is_422_with_the_reason(self):
        err = self.refused("USA", {"move": "fly_to_the_moon"}, 422)
        self.assertIn("fly_to_the_moon", err)

    def test_an_unknown_target_is_422(self):
        err = self.refused("USA", {"move": "summit", "target": "ATLANTIS"},
                           422)
        self.assertIn("ATLANTIS", err)

    def test_a_wrong_target_is_422(self):
        self.refused("USA", {"move": "summit", "target": "JPN"}, 422)

    def test_a_move_with_words_after_the_target_is_422(self):
        self.refused("USA", {"move": "summit", "target": "DPRK JPN"}, 422)

    def test_a_command_as_a_move_is_refused(self):
        for move in ("/set DPRK.economy 1", "/news hi", "/quit", "/hold"):
            with self.subTest(move=move):
                self.refused("USA", {"move": move}, 422)
        self.assertFalse(self.s.state()["held"])

    def test_the_facilitator_moving_for_a_seat_not_to_move_is_409(self):
        err = self.refused("facilitator", {"move": "pass", "actor": "ROK"},
                           409)
        self.assertEqual(err, "waiting for USA")

    def test_a_seat_move_for_an_unknown_actor_is_refused(self):
        code, _, text = self.s.request(
            "POST", "/api/move", {"move": "pass", "actor": "ATLANTIS"},
            who="USA")
        self.assertIn(code, (403, 422), text)


class Commands(unittest.TestCase):
    """Each facilitator command answers 200 with what the session said and
    lands in the log as an intervention."""

    @classmethod
    def setUpClass(cls):
        cls.s = Served().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def command(self, body, status=200):
        r = self.s.api("POST", "command", body, status=status)
        self.assertIsInstance(r.get("said"), str, r)
        return r

    def landed(self, text):
        commands = [r["command"] for r in self.s.log_records()
                    if r["t"] in ("intervention", "rewind")]
        self.assertIn(text, commands)

    def test_news(self):
        r = self.command({"command": "/news The room convenes"})
        self.assertTrue(r["ok"])
        self.assertIn("The room convenes", r["said"])
        self.landed("/news The room convenes")
        news = [x["text"] for x in records(self.s, "news")]
        self.assertIn("The room convenes", news)
        seen = [x for x in self.s.state("ROK")["timeline"]
                if x["kind"] == "news"]
        self.assertIn("The room convenes", [x["text"] for x in seen])

    def test_set(self):
        r = self.command({"command": "/set DPRK.sanctions 5"})
        self.assertIn("DPRK.sanctions", r["said"])
        self.assertEqual(value(r["state"], "DPRK.sanctions")["value"], 5)
        self.landed("/set DPRK.sanctions 5")
        sets = [x for x in records(self.s, "set")
                if x["var"] == "DPRK.sanctions"]
        self.assertEqual(sets[-1]["new"], 5)

    def test_set_structured(self):
        r = self.command({"command": "set",
                          "args": ["DPRK.economy", "40"]})
        self.assertEqual(value(r["state"], "DPRK.economy")["value"], 40)
        self.landed("/set DPRK.economy 40")

    def test_values_are_written_in_the_shortest_exact_form(self):
        # 17.56 is 17.559999999999999 to jansson's 17 digits: the API
        # writes what the engine's records write, the same double.
        self.command({"command": "/set DPRK.economy 17.56"})
        _, _, text = self.s.request("GET", "/api/state", who="facilitator")
        self.assertIn('"value":17.56,', text)
        self.assertNotIn("17.559", text)
        self.command({"command": "/set DPRK.economy 40"})

    def test_undo_0(self):
        r = self.command({"command": "/undo 0"})
        self.assertTrue(r["said"].strip())
        self.landed("/undo 0")

    def test_branch(self):
        r = self.command({"command": "/branch talks"})
        self.assertIn("talks", r["said"])
        self.assertIn("talks", [b["name"] for b in r["state"]["branches"]])
        self.landed("/branch talks")

    def test_why(self):
        r = self.command({"command": "/why DPRK.warheads"})
        self.assertIn("DPRK.warheads", r["said"])
        self.landed("/why DPRK.warheads")

    def test_trail_lists_the_commands(self):
        self.command({"command": "/news for the trail"})
        trail = [t["command"] for t in self.s.state()["trail"]]
        self.assertIn("/news for the trail", trail)

    def test_quit_is_422(self):
        before = self.s.log_text()
        for body in ({"command": "/quit"}, {"command": "quit"},
                     {"command": "/quit now"},
                     {"command": "quit", "args": []}):
            with self.subTest(body=body):
                r = self.s.api("POST", "command", body, status=422)
                self.assertTrue(r["error"])
        self.assertEqual(self.s.log_text(), before)
        self.assertEqual(self.s.state()["status"], "awaiting")


class Refused(unittest.TestCase):
    """A refused command: 422, and the error says why (each on a fresh
    server, and then one after another)."""

    CASES = (("/frobnicate", "frobnicate"), ("/set NOPE 1", "NOPE"),
             ("/undo lots", "undo"), ("/news", "news"),
             ("/load /nonexistent/save.json", "nonexistent"))

    def check(self, s, command, why):
        before = len(s.log_records())
        r = s.api("POST", "command", {"command": command}, status=422)
        self.assertIsInstance(r.get("said"), str)
        self.assertIn(why, r["error"], "%s: error %r, said %r"
                      % (command, r["error"], r["said"]))
        return before

    def test_a_refused_command_is_422_with_the_reason(self):
        for command, why in self.CASES:
            with self.subTest(command=command), Served() as s:
                self.check(s, command, why)

    def test_refused_commands_in_a_row_each_give_their_own_reason(self):
        with Served() as s:
            for command, why in self.CASES:
                with self.subTest(command=command):
                    self.check(s, command, why)


class Quit(unittest.TestCase):
    def test_quit_with_trailing_space_characters_is_422(self):
        """The server's /quit guard must see what the session will see:
        the session trims every space character, "\\n" included."""
        for c in ("/quit\n", "/quit\r", "/quit\r\n", "/quit\f", "/quit\v"):
            with self.subTest(command=c), Served() as s:
                before = s.log_text()
                code, _, text = s.request("POST", "/api/command",
                                          {"command": c}, who="facilitator")
                st = s.state()
                self.assertEqual((code, st["status"]), (422, "awaiting"),
                                 text[:200])
                self.assertEqual(s.log_text(), before)


class Rewinds(unittest.TestCase):
    """After /undo, /branch NAME and /load the views show the line of play
    they went back to: who has moved this turn, the moves on the timeline."""

    def moved(self, s):
        return {x["actor"]: x["moved"] for x in s.state()["seats"]}

    def moves(self, s, who="USA"):
        return [(x["turn"], x["actor"], x["move"])
                for x in s.state(who)["timeline"] if x["kind"] == "move"]

    def play_turn(self, s):
        s.api("POST", "move", {"move": "summit", "target": "DPRK"},
              who="USA")
        s.api("POST", "move", {"move": "pass"}, who="ROK")

    def check_back_at_turn_1(self, s):
        st = s.state()
        self.assertEqual((st["turn"], st["awaiting"]), (1, "USA"))
        self.assertEqual(self.moved(s), {"USA": False, "ROK": False})
        self.assertEqual(self.moves(s), [])
        self.assertEqual(self.moves(s, "facilitator"), [])
        self.assertEqual(s.stop(), 0)
        rc, out = replay(s.log)
        self.assertEqual(rc, 0, out)

    def test_branch_back_forgets_the_moves_after_the_branch_point(self):
        with Served() as s:
            s.api("POST", "command", {"command": "/branch start"})
            self.play_turn(s)
            self.assertTrue(self.moves(s))
            s.api("POST", "command", {"command": "/branch start"})
            self.check_back_at_turn_1(s)

    def test_load_forgets_the_moves_made_after_the_save(self):
        with Served() as s:
            s.api("POST", "command", {"command": "/save start.json"})
            self.play_turn(s)
            self.assertTrue(self.moves(s))
            r = s.api("POST", "command", {"command": "/load start.json"})
            self.assertIn("turn 1", r["said"])
            self.check_back_at_turn_1(s)

    def test_undo_0_forgets_this_turns_moves(self):
        with Served() as s:
            self.play_turn(s)
            s.api("POST", "move", {"move": "pass"}, who="USA")
            self.assertTrue(self.moved(s)["USA"])
            s.api("POST", "command", {"command": "/undo 0"})
            st = s.state()
            self.assertEqual((st["turn"], st["awaiting"]), (2, "USA"))
            self.assertEqual(self.moved(s), {"USA": False, "ROK": False})
            self.assertNotIn(2, [t for t, _, _ in self.moves(s)])
            self.assertEqual(s.stop(), 0)
            rc, out = replay(s.log)
            self.assertEqual(rc, 0, out)


class Hold(unittest.TestCase):
    def test_hold_stops_the_turn_until_release(self):
        with Served() as s:
            r = s.api("POST", "command", {"command": "/hold"})
            self.assertIsInstance(r["said"], str)
            s.api("POST", "move", {"move": "pass"}, who="USA")
            r = s.api("POST", "move", {"move": "pass"}, who="ROK")
            st = s.state()
            self.assertEqual(st["turn"], 1)
            self.assertEqual(st["status"], "held")
            self.assertTrue(st["held"])
            self.assertIsNone(st["awaiting"])
            self.assertEqual(s.state("USA")["status"], "held")
            # While held, moves are refused and the turn stays.
            before = s.log_text()
            for who in ("USA", "ROK"):
                code, _, text = s.request("POST", "/api/move",
                                          {"move": "pass"}, who=who)
                self.assertEqual(code, 409, text[:300])
            code, _, text = s.request("POST", "/api/move",
                                      {"move": "pass", "actor": "USA"},
                                      who="facilitator")
            self.assertEqual(code, 409, text[:300])
            self.assertEqual(s.log_text(), before)
            self.assertFalse([x for x in s.log_records()
                              if x["t"] == "turn" and x["turn"] == 2])
            r = s.api("POST", "command", {"command": "/release"})
            self.assertIsInstance(r["said"], str)
            self.assertEqual(r["state"]["turn"], 2)
            self.assertEqual(r["state"]["awaiting"], "USA")
            self.assertFalse(r["state"]["held"])
            commands = [x["command"] for x in s.log_records()
                        if x["t"] == "intervention"]
            self.assertEqual(commands, ["/hold", "/release"])
            self.assertEqual(s.stop(), 0)
            rc, out = replay(s.log)
            self.assertEqual(rc, 0, out)


class Hidden(unittest.TestCase):
    """korea's DPRK.warheads and DPRK.missile_skill are DPRK's alone."""

    HIDDEN = ("DPRK.warheads", "DPRK.missile_skill")

    @classmethod
    def setUpClass(cls):
        cls.s = Served(seats=("USA", "ROK", "DPRK")).__enter__()
        cls.s.api("POST", "command",
                  {"command": "/set DPRK.missile_skill " + MARK})
        cls.s.api("POST", "command", {"command": "/set DPRK.warheads 187"})

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def body(self, who, path):
        code, _, text = self.s.request("GET", path, who=who)
        self.assertEqual(code, 200, text[:300])
        return text

    def assertHidden(self, st, text):
        for name in self.HIDDEN:
            v = value(st, name)
            self.assertIsNone(v["value"], name)
            self.assertTrue(v["hidden"], name)
            # A seat may hold an estimate (a belief), never the value.
            if "belief" in v:
                self.assertTrue(v["text"].endswith(" (believed)"), name)
            else:
                self.assertEqual(v["text"], "hidden", name)
        self.assertNotIn(MARK_DIGITS, text)

    def test_the_marks_are_set(self):
        st = self.s.state()
        self.assertGreaterEqual(value(st, "DPRK.warheads")["value"], 187)
        self.assertIn(MARK_DIGITS, json.dumps(st))

    def test_other_seats_never_see_hidden_values(self):
        for who in ("USA", "ROK"):
            text = self.body(who, "/api/state")
            self.assertHidden(json.loads(text), text)

    def test_the_projector_never_sees_hidden_values(self):
        text = self.body("projector", "/api/state")
        self.assertHidden(json.loads(text), text)

    def test_the_owner_sees_its_hidden_values(self):
        st = self.s.state("DPRK")
        self.assertGreaterEqual(value(st, "DPRK.warheads")["value"], 187)
        self.assertFalse(value(st, "DPRK.warheads")["hidden"])
        self.assertFalse(value(st, "DPRK.missile_skill")["hidden"])
        skill = value(st, "DPRK.missile_skill")["value"]
        self.assertEqual(("%.7f" % skill)[-7:], MARK_DIGITS)

    def test_the_facilitator_sees_them(self):
        st = self.s.state()
        for name in self.HIDDEN:
            self.assertFalse(value(st, name)["hidden"])
            self.assertIsNotNone(value(st, name)["value"])

    def test_the_projectors_charts_have_no_hidden_variable(self):
        text = self.body("projector", "/api/charts")
        names = [c["var"] for c in json.loads(text)["charts"]]
        for name in self.HIDDEN:
            self.assertNotIn(name, names)
            self.assertNotIn(name, text)

    def test_a_seats_charts_have_no_hidden_variable(self):
        for who in ("USA", "ROK"):
            text = self.body(who, "/api/charts")
            for name in self.HIDDEN:
                self.assertNotIn(name, text)

    def test_the_facilitators_charts_may_show_them(self):
        names = [c["var"] for c in self.s.api("GET", "charts")["charts"]]
        self.assertTrue(set(self.HIDDEN) & set(names), names)

    def test_hidden_values_stay_hidden_through_play(self):
        """Every answer a seat or the projector gets over two turns."""
        s = self.s
        for turn in range(2):
            for who in ("USA", "DPRK", "ROK"):
                st = s.state(who)
                self.assertTrue(st["your_turn"], (who, st["awaiting"]))
                code, _, text = s.request("POST", "/api/move",
                                          {"move": "pass"}, who=who)
                self.assertEqual(code, 200, text[:300])
                if who != "DPRK":
                    self.assertHidden(json.loads(text)["state"], text)
                for other in ("USA", "ROK", "projector"):
                    text = self.body(other, "/api/state")
                    self.assertHidden(json.loads(text), text)
                    self.assertNotIn(MARK_DIGITS,
                                     self.body(other, "/api/charts"))
        self.assertIn(MARK_DIGITS, json.dumps(s.state("DPRK")))


class HiddenInErrors(unittest.TestCase):
    """A script error's message is the facilitator's (the view keeps error
    records from seats): it may hold a hidden value."""

    def test_a_seats_answer_never_holds_another_actors_hidden_value(self):
        with Served(scenario=SECRET, seats=("RED", "BLUE")) as s:
            s.api("POST", "move", {"move": "wait"}, who="RED")
            code, _, text = s.request("POST", "/api/move", {"move": "wait"},
                                      who="BLUE")
            self.assertEqual(code, 200, text[:300])
            st = json.loads(text)
            self.assertEqual(st["state"]["turn"], 2)
            self.assertTrue(value(st["state"], "RED.secret")["hidden"])
            self.assertNotIn("777", text, "BLUE was told: %r" % st.get("said"))
            self.assertNotIn("777", json.dumps(s.state("BLUE")))
            self.assertNotIn("777", json.dumps(s.state("projector")))
            self.assertIn("777", json.dumps(s.state()))


def read_events(sock, want, deadline):
    """Reads an event stream until 'want' state events came; their
    versions."""
    buf, versions = b"", []
    while len(versions) < want and time.time() < deadline:
        sock.settimeout(max(0.1, deadline - time.time()))
        try:
            b = sock.recv(4096)
        except socket.timeout:
            break
        if not b:
            break
        buf += b
        while b"\n\n" in buf:
            block, buf = buf.split(b"\n\n", 1)
            lines = block.decode().splitlines()
            if "event: state" in lines:
                data = next(l for l in lines if l.startswith("data:"))
                versions.append(json.loads(data[5:])["version"])
    return versions


class Events(unittest.TestCase):
    def open_stream(self, s, who):
        k = socket.create_connection((s.host, s.port), timeout=TIMEOUT)
        k.sendall(("GET /api/events HTTP/1.1\r\nHost: %s\r\n"
                   "Authorization: Bearer %s\r\nAccept: text/event-stream"
                   "\r\n\r\n" % (s.hostport(), s.links[who])).encode())
        return k

    def test_a_stream_says_the_version_at_once_and_again_on_change(self):
        with Served() as s:
            streams = {who: self.open_stream(s, who)
                       for who in ("USA", "projector", "facilitator")}
            try:
                v0 = s.version()
                for who, k in streams.items():
                    got = read_events(k, 1, time.time() + 5)
                    self.assertEqual(got, [v0], who)
                s.api("POST", "command", {"command": "/news events"})
                v1 = s.version()
                self.assertGreater(v1, v0)
                for who, k in streams.items():
                    got = read_events(k, 1, time.time() + 5)
                    self.assertEqual(got, [v1], who)
                s.api("POST", "move", {"move": "pass"}, who="USA")
                v2 = s.version()
                for who, k in streams.items():
                    got = read_events(k, 1, time.time() + 5)
                    self.assertEqual(got, [v2], who)
            finally:
                for k in streams.values():
                    k.close()
            self.assertEqual(s.stop(), 0)

    def test_the_stream_is_text_event_stream(self):
        with Served() as s:
            k = self.open_stream(s, "ROK")
            try:
                k.settimeout(5)
                head = b""
                while b"\r\n\r\n" not in head:
                    b = k.recv(4096)
                    if not b:
                        break
                    head += b
                self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)
                self.assertIn(b"text/event-stream", head)
            finally:
                k.close()

    def test_closed_streams_free_their_places(self):
        """Every page load opens a stream and every reload closes one: the
        server's 64 places must come back when their readers leave, not
        at the next change or ping (15 s)."""
        with Served() as s:
            streams = [self.open_stream(s, "USA") for i in range(64)]
            for k in streams:
                self.assertTrue(k.recv(64).startswith(b"HTTP/1.1 200"))
            k = self.open_stream(s, "ROK")
            self.assertTrue(k.recv(64).startswith(b"HTTP/1.1 503"))
            k.close()
            for k in streams:
                k.close()
            deadline, head = time.time() + 3, b""
            while time.time() < deadline:
                k = self.open_stream(s, "ROK")
                head = k.recv(64)
                k.close()
                if head.startswith(b"HTTP/1.1 200"):
                    break
                time.sleep(0.25)
            self.assertTrue(head.startswith(b"HTTP/1.1 200"),
                            "3 s after 64 streams closed: %r" % head)

    def test_an_unauthenticated_stream_is_refused(self):
        with Served() as s:
            code, _, _ = s.request("GET", "/api/events")
            self.assertEqual(code, 401)
            code, _, _ = s.request("GET", "/api/events", token="0" * 32)
            self.assertEqual(code, 403)


class Log(unittest.TestCase):
    def test_every_accepted_action_lands_in_the_log(self):
        with Served() as s:
            moves, commands = [], []
            for turn in range(3):
                c = "/news turn %d begins" % (turn + 1)
                s.api("POST", "command", {"command": c})
                commands.append(c)
                for who in ("USA", "ROK"):
                    st = s.state(who)
                    o = [x for x in st["options"] if x["legal"]][turn]
                    s.api("POST", "move", {"move": o["move"],
                                           "target": o["target"]}, who=who)
                    moves.append((who, o["move"], o["target"]))
            c = "/set DPRK.sanctions 3"
            s.api("POST", "command", {"command": c})
            commands.append(c)
            self.assertEqual(s.stop(), 0)
            logged = [(r["actor"], r["move"], r.get("target"))
                      for r in records(s, "move")
                      if r["actor"] in ("USA", "ROK")]
            self.assertEqual(logged, moves)
            self.assertEqual([r["command"] for r in
                              records(s, "intervention")], commands)
            rc, out = replay(s.log)
            self.assertEqual(rc, 0, out)


class Ending(unittest.TestCase):
    def test_ctrl_c_saves_and_the_save_resumes_the_log_replays(self):
        with Served() as s:
            s.api("POST", "move", {"move": "pass"}, who="USA")
            s.api("POST", "command", {"command": "/news before the end"})
            s.api("POST", "move", {"move": "pass"}, who="ROK")
            turn = s.state()["turn"]
            self.assertEqual(s.stop(), 0, s.err)
            self.assertTrue(os.path.exists(s.save))
            with open(s.save) as f:
                json.load(f)
            rc, out, err = brink("play", "--resume", s.save, stdin="/quit\n")
            self.assertEqual(rc, 0, out + err)
            self.assertIn("turn %d" % turn, out)
            rc, out = replay(s.log)
            self.assertEqual(rc, 0, out)

    def test_a_served_save_serves_again(self):
        with Served() as s:
            s.api("POST", "move", {"move": "pass"}, who="USA")
            s.api("POST", "move", {"move": "pass"}, who="ROK")
            st = s.state()
            self.assertEqual(s.stop(), 0)
        with Served("--resume", s.save, seats=None) as again:
            self.assertEqual(set(again.links),
                             {"USA", "ROK", "facilitator", "projector"})
            st2 = again.state()
            self.assertEqual((st2["turn"], st2["awaiting"]),
                             (st["turn"], st["awaiting"]))
            self.assertEqual(
                value(st2, "DPRK.warheads")["value"],
                value(st, "DPRK.warheads")["value"])
            again.api("POST", "move", {"move": "pass"}, who="USA")
            self.assertEqual(again.stop(), 0)
            rc, out = replay(again.log)
            self.assertEqual(rc, 0, out)

    def test_a_served_session_reports(self):
        with Served() as s:
            s.api("POST", "move", {"move": "summit", "target": "DPRK"},
                  who="USA")
            s.api("POST", "command", {"command": "/set DPRK.sanctions 4"})
            s.api("POST", "move", {"move": "pass"}, who="ROK")
            self.assertEqual(s.stop(), 0)
            out_html = os.path.join(s.dir, "report.html")
            rc, out, err = brink("report", s.log, "-o", out_html,
                                 timeout=60)
            self.assertEqual(rc, 0, out + err)
            with open(out_html) as f:
                html = f.read()
            self.assertIn("<html", html.lower())
            self.assertIn("korea", html.lower())

    def test_the_facilitator_downloads_the_save_and_log(self):
        with Served() as s:
            s.api("POST", "move", {"move": "pass"}, who="USA")
            code, h, save = s.request("GET", "/api/save", who="facilitator")
            self.assertEqual(code, 200)
            json.loads(save)
            code, h, log = s.request("GET", "/api/log", who="facilitator")
            self.assertEqual(code, 200)
            self.assertTrue(all(json.loads(line) for line in
                                log.splitlines()))
            code, h, report = s.request("GET", "/api/report",
                                        who="facilitator")
            self.assertEqual(code, 200)
            self.assertIn("<html", report.lower())
            self.assertEqual(s.stop(), 0)
            with open(s.log) as f:
                self.assertEqual(f.read(), log)

    def test_the_join_sheet_has_every_link_and_its_qr_code(self):
        with Served() as s:
            code, _, sheet = s.request("GET", "/api/links", who="facilitator")
            self.assertEqual(code, 200)
            for label, token in s.links.items():
                self.assertIn("/join/" + token, sheet, label)
            self.assertEqual(sheet.count("<svg"), len(s.links))
            for who in ("USA", "projector"):
                code, _, text = s.request("GET", "/api/links", who=who)
                self.assertEqual(code, 403, who)
                self.assertNotIn("/join/", text)


if __name__ == "__main__":
    unittest.main()
