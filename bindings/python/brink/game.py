"""Games and states over libbrink, named as OpenSpiel names them.

A Game is a loaded scenario with its setup (seats, policies, presets,
turn limit, budgets) kept in one engine that never runs: states are made
from it with brink_engine_clone, so a state costs no file read and all
states of a game share exactly the same text.  A State always rests where
a decision is due (or at the end); apply_action makes the decision and
plays on to the next one.

brink_engine_clone loads the scenario again (milliseconds), while a
snapshot restored into an engine of the same game takes microseconds.  A
search makes and drops thousands of states, so a dead state's engine goes
back to its game as a spare, and the next clone is a snapshot of its
original restored into a spare.  All spares have the game's setup (seats,
policies, turn limit), which snapshots do not carry; an engine that may
have another (a deserialized state's: saves carry their own) is never
made a spare.
"""
import ctypes
import json
import weakref

from . import _lib
from ._lib import lib, need
from .errors import BY_STATUS, Error, InvalidError, StateError

OK, DONE, AWAIT = 0, 1, 2
ESCRIPT, EBUDGET = -8, -9
TERMINAL = -4   # OpenSpiel's kTerminalPlayerId
OMNISCIENT = -1  # brink_observation's view of everything
_SEED_MASK = (1 << 64) - 1


def _text(b):
    return b.decode("utf-8", "replace") if b is not None else None


def _error(e, rc, prefix="", cls=None):
    """The exception for status 'rc' of a call on engine 'e'."""
    msg = _text(lib.brink_errmsg(e)) or _text(lib.brink_status_name(rc))
    where = _text(lib.brink_errwhere(e)) if e else ""
    context = _text(lib.brink_errin(e)) if e else ""
    cls = cls or BY_STATUS.get(rc, Error)
    return cls(prefix + msg, rc, where, context)


def _check(e, rc, prefix=""):
    if rc < 0:
        raise _error(e, rc, prefix)
    return rc


SPARES = 64   # engines a game keeps for its next states


def _close(handle, keep):
    # 'keep' holds the record callback's ctypes object: it must outlive the
    # engine that may call it, so it is released only here.
    lib.brink_engine_close(handle)
    keep.clear()


class _Engine:
    """An engine handle that closes itself when garbage."""

    def __init__(self, handle, spare=True):
        self.h = handle
        self.keep = []
        self.spare = spare   # may serve another state of its game
        self.fin = weakref.finalize(self, _close, handle, self.keep)


def _retire(engine, spares):
    """A dead state's engine, back to its game."""
    if not engine.spare or not engine.fin.alive or len(spares) >= SPARES:
        return
    if lib.brink_on_record(engine.h, _lib.RecordFn(), None) == OK:
        engine.keep.clear()
        spares.append(engine)


def _open(cfg):
    h = _lib.Engine()
    rc = lib.brink_engine_open(ctypes.byref(h), ctypes.byref(cfg))
    if rc != OK:
        raise BY_STATUS.get(rc, Error)("cannot open an engine: "
                                       + _text(lib.brink_errmsg(None)), rc)
    return _Engine(h)


def _clone(src):
    h = _lib.Engine()
    _check(src.h, lib.brink_engine_clone(src.h, ctypes.byref(h)))
    return _Engine(h, src.spare)


def _copy(src, spares):
    """An engine in the state of 'src': a spare with src's snapshot
    restored, else a clone."""
    while spares and src.spare:
        engine = spares.pop()
        snap = ctypes.c_void_p()
        _check(src.h, lib.brink_snapshot_take(src.h, ctypes.byref(snap)))
        rc = lib.brink_snapshot_restore(engine.h, snap)
        lib.brink_snapshot_free(snap)
        if rc == OK:
            return engine
    return _clone(src)


def _mix(seed):
    """splitmix64 of 'seed': the generator's seed after a resample, so it
    is not the very seed the resample drew its priors from."""
    z = (seed + 0x9E3779B97F4A7C15) & _SEED_MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _SEED_MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _SEED_MASK
    return z ^ (z >> 31)


class Game:
    """A scenario loaded with its setup.  See load_game."""

    def __init__(self, path, seed=None, seats=None, policies=None, sets=None,
                 turns=None, max_instructions=None, max_memory=None,
                 max_seconds=None, all_decisions=False, on_record=None,
                 end_on_error=False):
        cfg = _lib.Config()
        lib.brink_config_init(ctypes.byref(cfg))
        if max_instructions is not None:
            cfg.max_instructions = int(max_instructions)
        if max_memory is not None:
            cfg.max_memory = int(max_memory)
        if max_seconds is not None:
            cfg.max_seconds = float(max_seconds)
        self.path = str(path)
        self._all = bool(all_decisions)
        self._on_record = on_record
        self._end_on_error = bool(end_on_error)
        t = self._template = _open(cfg)
        e = t.h
        rc = lib.brink_load_file(e, self.path.encode())
        if rc < 0:
            diags = [_text(lib.brink_diag_get(e, i))
                     for i in range(lib.brink_diag_count(e))]
            where = _text(lib.brink_errwhere(e))
            if not where and diags:
                # A load error's place is in its diagnostic line.
                where = diags[0].split(": ", 1)[0]
            raise BY_STATUS.get(rc, Error)(
                _text(lib.brink_errmsg(e)), rc, where,
                _text(lib.brink_errin(e)), diags)
        self._n = lib.brink_actor_count(e)
        self._names = [_text(lib.brink_actor_id(e, i)) for i in range(self._n)]
        self.seed = (int(seed) & _SEED_MASK if seed is not None
                     else lib.brink_scenario_seed(e))
        self.seats = [self.player_index(a) for a in (seats or ())]
        if len(set(self.seats)) != len(self.seats):
            raise InvalidError("seats: an actor is given twice")
        for a in self.seats:
            _check(e, lib.brink_seat(e, a, 1), "seat %s: " % self._names[a])
        for actor, policy in (policies or {}).items():
            a = self.player_index(actor)
            if a in self.seats:
                raise InvalidError("policies: %s has a seat"
                                   % self._names[a])
            _check(e, lib.brink_policy_assign(e, a, str(policy).encode()),
                   "policy %s: " % self._names[a])
        if turns is not None:
            _check(e, lib.brink_turn_limit(e, int(turns)))
        # Names are resolved now, so a misspelt preset fails at the load
        # with its suggestion; values are checked by the first state.
        self._sets = []
        for name, value in (sets or {}).items():
            var = ctypes.c_int()
            _check(e, lib.brink_var_find(e, str(name).encode(),
                                         ctypes.byref(var)))
            self._sets.append((var.value, value))
        self._spares = []
        self._nactions = None
        self._action_names = None
        self._obs_size = None

    def __repr__(self):
        return "<brink.Game %s seats=%s>" % (
            self.path, [self._names[a] for a in self.seats])

    def num_players(self):
        return self._n

    def player_names(self):
        return list(self._names)

    def player_index(self, actor):
        """The index of an actor given by id ("USA") or by index."""
        if isinstance(actor, int):
            if not 0 <= actor < self._n:
                raise InvalidError("no actor %d (the scenario has %d)"
                                   % (actor, self._n))
            return actor
        out = ctypes.c_int()
        _check(self._template.h,
               lib.brink_actor_find(self._template.h, str(actor).encode(),
                                    ctypes.byref(out)))
        return out.value

    def num_distinct_actions(self):
        if self._nactions is None:
            need("brink_action_count", "Game.num_distinct_actions")
            self._nactions = lib.brink_action_count(self._template.h)
        return self._nactions

    def _action_strings(self):
        if self._action_names is None:
            need("brink_action_info", "State.action_to_string")
            e, names = self._template.h, []
            move, target = ctypes.c_int(), ctypes.c_int()
            for a in range(self.num_distinct_actions()):
                _check(e, lib.brink_action_info(e, a, ctypes.byref(move),
                                                ctypes.byref(target)))
                s = _text(lib.brink_move_name(e, move.value))
                if target.value >= 0:
                    s += " " + self._names[target.value]
                names.append(s)
            self._action_names = names
        return self._action_names

    def observation_tensor_size(self):
        if self._obs_size is None:
            need("brink_observation_size", "Game.observation_tensor_size")
            self._obs_size = lib.brink_observation_size(self._template.h)
        return self._obs_size

    def observation_names(self):
        need("brink_observation_name", "Game.observation_names")
        e = self._template.h
        return [_text(lib.brink_observation_name(e, i))
                for i in range(self.observation_tensor_size())]

    def policy_names(self):
        """The scenario's named policies, for load_game(policies=...)."""
        need("brink_policy_count", "Game.policy_names")
        e = self._template.h
        return [_text(lib.brink_policy_name(e, i))
                for i in range(lib.brink_policy_count(e))]

    def new_initial_state(self, seed=None, on_record=None):
        """A run started with 'seed' (default: the game's seed), played on
        to the first decision a seat makes."""
        engine = (self._spares.pop() if self._spares
                  else _clone(self._template))
        s = self._state(engine, on_record)
        e = s._e.h
        seed = self.seed if seed is None else int(seed) & _SEED_MASK
        _check(e, lib.brink_start(e, seed))
        if self._sets:
            lib.brink_cause_set(e, b"preset")
            try:
                for var, value in self._sets:
                    if isinstance(value, str):
                        rc = lib.brink_var_set_text(e, var, value.encode())
                    else:
                        rc = lib.brink_var_set(e, var, float(value))
                    _check(e, rc, "sets %s: "
                           % _text(lib.brink_var_name(e, var)))
            finally:
                lib.brink_cause_set(e, b"host")
        s._advance()
        return s

    def deserialize_state(self, data, on_record=None):
        """The state State.serialize wrote.  Data of another scenario, or
        damaged, raises FormatError."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("deserialize_state takes bytes, not %s"
                             % type(data).__name__)
        data = bytes(data)
        s = self._state(_clone(self._template), on_record)
        s._e.spare = False   # the save's seats and policies, maybe not ours
        e = s._e.h
        _check(e, lib.brink_state_load(e, data, len(data)))
        s._stop()
        if lib.brink_outcome(e) is not None:
            s._player = TERMINAL
        elif lib.brink_awaiting(e) >= 0:
            s._player = lib.brink_awaiting(e)
        else:
            s._advance()
        return s

    def _state(self, engine, on_record):
        s = State(self, engine)
        s._stop()
        fn = on_record if on_record is not None else self._on_record
        if fn is not None:
            s.set_on_record(fn)
        return s


class State:
    """One run of a Game, resting at a decision or at the end."""

    def __init__(self, game, engine):
        self._game = game
        self._e = engine
        # Not at exit: the engines are being closed then, in any order.
        weakref.finalize(self, _retire, engine, game._spares).atexit = False
        self._player = TERMINAL
        self._prev = None      # returns before the last apply
        self._pending = []     # exceptions raised inside the record callback
        self._obs = None
        self._acts = None
        self.error = None      # the ScriptError that ended the run, if any

    def _stop(self):
        if self._game._all:
            need("brink_stop_at_decisions", "load_game(all_decisions=True)")
            _check(self._e.h, lib.brink_stop_at_decisions(self._e.h, 1))

    def set_on_record(self, fn):
        """Calls fn(record) with each record of the timeline, as the dict
        brink's JSON Lines give; None stops it.  An exception fn raises is
        raised again by the call that delivered the record."""
        e, keep, pending = self._e.h, self._e.keep, self._pending
        if fn is None:
            _check(e, lib.brink_on_record(e, _lib.RecordFn(), None))
            keep.clear()
            return
        buf = [ctypes.create_string_buffer(1024)]

        def deliver(_ud, rec):
            try:
                n = lib.brink_record_json(e, rec, buf[0], len(buf[0]))
                if n >= len(buf[0]):
                    buf[0] = ctypes.create_string_buffer(n + 1)
                    n = lib.brink_record_json(e, rec, buf[0], len(buf[0]))
                _check(e, n, "brink_record_json: ")
                fn(json.loads(buf[0].raw[:n]))
            except BaseException as exc:  # noqa: B902 -- C cannot unwind
                pending.append(exc)

        cb = _lib.RecordFn(deliver)
        _check(e, lib.brink_on_record(e, cb, None))
        keep[:] = [cb]

    def _flush(self):
        if self._pending:
            exc = self._pending[0]
            del self._pending[:]
            raise exc

    def _advance(self, rc=OK):
        """Plays on to the next decision a seat makes, or to the end, from
        what the last call returned ('rc')."""
        e = self._e.h
        try:
            while rc == OK:
                rc = lib.brink_step(e)
            if rc == AWAIT:
                self._player = lib.brink_awaiting(e)
            elif rc == DONE:
                self._player = TERMINAL
            elif self._game._end_on_error and rc in (ESCRIPT, EBUDGET):
                # As brink run and brink batch end a failed run.
                self.error = _error(e, rc)
                _check(e, lib.brink_finish(e, b"error"))
                self._player = TERMINAL
            else:
                raise _error(e, rc)
        finally:
            self._flush()

    def _decide(self, call, method):
        """Makes the current player's decision with call(engine), then
        plays on."""
        if self._player < 0:
            raise StateError("%s: the run has ended" % method)
        prev = self._prev
        self._remember_returns()
        rc = call(self._e.h)
        if rc < 0 and rc not in (ESCRIPT, EBUDGET):
            # A refused decision (an illegal action) changes nothing.
            self._prev = prev
            self._flush()
            raise _error(self._e.h, rc)
        self._advance(rc)

    def _remember_returns(self):
        self._prev = self.returns() if _lib.has("brink_returns") else None

    def current_player(self):
        return self._player

    def is_terminal(self):
        return self._player == TERMINAL

    def is_chance_node(self):
        return False   # brink draws its chances inside the turn

    def is_simultaneous_node(self):
        return False

    def is_player_node(self):
        return self._player >= 0

    def num_players(self):
        return self._game._n

    def get_game(self):
        return self._game

    def legal_actions(self, player=None):
        """The current player's legal actions, ascending (OpenSpiel: none
        for anyone else, and none at the end)."""
        if player is None:
            player = self._player
        if player != self._player or player < 0:
            return []
        need("brink_legal_actions", "State.legal_actions")
        if self._acts is None:
            self._acts = (ctypes.c_int * self._game.num_distinct_actions())()
        n = ctypes.c_int()
        _check(self._e.h, lib.brink_legal_actions(
            self._e.h, player, self._acts, len(self._acts), ctypes.byref(n)))
        return self._acts[:n.value]

    def action_to_string(self, player, action):
        """"pass", "summit DPRK": the move and its target, as brink play
        reads them ('player' is there for OpenSpiel's signature)."""
        names = self._game._action_strings()
        if not 0 <= action < len(names):
            raise InvalidError("no action %d (the game has %d)"
                               % (action, len(names)))
        return names[action]

    def string_to_action(self, player, text):
        try:
            return self._game._action_strings().index(" ".join(text.split()))
        except ValueError:
            raise InvalidError("no action %r" % text) from None

    def apply_action(self, action):
        """The current player makes 'action'; play goes on to the next
        decision.  An illegal action raises InvalidError, changing nothing."""
        need("brink_choose_action", "State.apply_action")
        action = int(action)
        self._decide(lambda e: lib.brink_choose_action(e, action),
                     "apply_action")

    def apply_default_action(self):
        """The current player decides as it would unseated: its policy,
        else the built-in AI (brink_decide)."""
        need("brink_decide", "State.apply_default_action")
        self._decide(lib.brink_decide, "apply_default_action")

    def clone(self, on_record=None):
        """An independent copy of this state: a snapshot of it in a spare
        engine of the game, else brink_engine_clone.  Clones deliver no
        records unless given on_record: a search makes thousands."""
        c = State(self._game, _copy(self._e, self._game._spares))
        c._stop()
        c._player, c._prev, c.error = self._player, self._prev, self.error
        if on_record is not None:
            c.set_on_record(on_record)
        return c

    def __copy__(self):
        return self.clone()

    def __deepcopy__(self, memo):
        return self.clone()

    def returns(self):
        """Each player's return now (brink_returns): the payoff of the
        outcome once ended, or the scenario's score()."""
        need("brink_returns", "State.returns")
        n = self._game._n
        out = (ctypes.c_double * n)()
        try:
            _check(self._e.h, lib.brink_returns(self._e.h, out, n))
        finally:
            self._flush()
        return out[:]

    def rewards(self):
        """How each player's return changed with the last applied action."""
        now = self.returns()
        if self._prev is None:
            return [0.0] * len(now)
        return [a - b for a, b in zip(now, self._prev)]

    def observation_tensor(self, player=None):
        """What 'player' knows now as floats: Game.observation_names names
        them; values it cannot see are its prior's mean (else 0), never
        the truth.  player -1 sees everything."""
        if player is None:
            player = self._player
        if self._obs is None:
            self._obs = (ctypes.c_double * self._game.observation_tensor_size())()
        need("brink_observation", "State.observation_tensor")
        rc = lib.brink_observation(self._e.h, player, self._obs, len(self._obs))
        if rc < 0:
            raise _error(self._e.h, rc)
        return self._obs[:]

    def observation_string(self, player=None):
        """The observation as lines a person reads; hidden values are "?"."""
        obs = self.observation_tensor(player)
        names = self._game.observation_names()
        nvars = (len(obs) - 2) // 2
        lines = ["turn %d%s" % (obs[0], ", ended" if obs[1] else "")]
        buf = ctypes.create_string_buffer(128)
        for v in range(nvars):
            if obs[2 + nvars + v]:
                lib.brink_value_show(self._e.h, v, obs[2 + v], buf,
                                     len(buf))
                value = _text(buf.value)
            else:
                value = "?"
            lines.append("%s = %s" % (names[2 + v], value))
        return "\n".join(lines)

    def serialize(self):
        """The whole state as bytes (brink_state_save), for
        Game.deserialize_state in this process or another."""
        buf, n = ctypes.c_void_p(), ctypes.c_size_t()
        _check(self._e.h, lib.brink_state_save(self._e.h, ctypes.byref(buf),
                                               ctypes.byref(n)))
        try:
            return ctypes.string_at(buf, n.value)
        finally:
            lib.brink_buffer_free(buf)

    def outcome(self):
        """The outcome's name once the run has ended, else None."""
        return _text(lib.brink_outcome(self._e.h))

    def turn(self):
        return lib.brink_turn(self._e.h)

    def resample_from_infostate(self, player, seed, reseed=True):
        """A clone in which everything 'player' cannot see and that has a
        prior is drawn afresh from it (brink_resample_hidden, with 'seed').
        With 'reseed' the clone's generator is reseeded too: the chances
        still to come are hidden from the player as well, and without it
        every determinization would share the same future dice."""
        need("brink_resample_hidden", "State.resample_from_infostate")
        c = self.clone()
        seed = int(seed) & _SEED_MASK
        _check(c._e.h, lib.brink_resample_hidden(c._e.h, int(player), seed))
        if reseed:
            _check(c._e.h, lib.brink_seed(c._e.h, _mix(seed)))
        return c

    def __str__(self):
        e = self._e.h
        date = ctypes.create_string_buffer(16)
        lib.brink_date_format(lib.brink_date(e), date, len(date))
        if self._player == TERMINAL:
            head = "ended: %s" % self.outcome()
        else:
            head = "%s to move" % self._game._names[self._player]
        head = "turn %d (%s), %s" % (self.turn(), _text(date.value), head)
        if not _lib.has("brink_observation"):
            return head
        return head + "\n" + self.observation_string(OMNISCIENT).split(
            "\n", 1)[1]


def load_game(path, seed=None, **settings):
    """Loads the scenario at 'path' as a Game.

    seed            the seed of new_initial_state() (default: the
                    scenario's own)
    seats           actor ids (or indices) that decide through
                    apply_action; the others play by their policy or the
                    built-in AI without stopping
    all_decisions   True: stop at every actor's decision instead
    policies        {actor: policy name}
    sets            {variable: value} set after the start ("preset")
    turns           play at most this many turns
    max_instructions, max_memory, max_seconds   each script call's budget
    on_record       fn(dict) for every record of new states' timelines
    end_on_error    True: a script error ends the run with outcome "error"
                    (kept in State.error) instead of raising ScriptError
    """
    return Game(path, seed=seed, **settings)
