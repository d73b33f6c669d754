"""Finds libbrink and declares the prototypes of brink.h to ctypes.

Only this module knows C types.  A function of brink.h that the library
found does not export (an older build) is left out of the table rather
than failing the import, so everything else keeps working and the Python
methods that need it say so (see need()).
"""
import ctypes
import ctypes.util
import os

from .errors import LibraryError, UnsupportedError

SONAME = "libbrink.so.0"


def _candidates():
    env = os.environ.get("BRINK_LIB")
    if env:
        # An explicit choice is never second-guessed by a fallback: a typo
        # must fail, not silently load another build.
        return [env], True
    here = os.path.dirname(os.path.abspath(__file__))
    # make install puts us in $(PREFIX)/lib/python3/dist-packages/brink and
    # the library in $(PREFIX)/lib: a staged or relocated install then
    # finds its own library without LD_LIBRARY_PATH.
    found = [os.path.normpath(os.path.join(here, "..", "..", "..", SONAME))]
    name = ctypes.util.find_library("brink")
    if name:
        found.append(name)
    found.append(SONAME)   # the dynamic linker's own search (LD_LIBRARY_PATH)
    return found, False


def _load():
    paths, explicit = _candidates()
    tried = []
    for p in paths:
        if os.sep in p and not os.path.exists(p):
            tried.append(p + " (no such file)")
            continue
        try:
            return ctypes.CDLL(p), p
        except OSError as exc:
            tried.append("%s (%s)" % (p, exc))
    how = ("BRINK_LIB is set" if explicit else
           "set BRINK_LIB to the library's path, or install libbrink")
    raise LibraryError("cannot load libbrink: %s; tried: %s"
                       % (how, "; ".join(tried)))


lib, path = _load()

c_int, c_double, c_char_p = ctypes.c_int, ctypes.c_double, ctypes.c_char_p
c_void_p, c_size_t, c_uint64 = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint64
P = ctypes.POINTER
Engine = c_void_p
RecordFn = ctypes.CFUNCTYPE(None, c_void_p, c_void_p)


class Config(ctypes.Structure):
    """brink_config, as brink.h declares it."""
    _fields_ = [("size", ctypes.c_uint32), ("alloc", c_void_p),
                ("alloc_ud", c_void_p), ("max_instructions", ctypes.c_int64),
                ("max_memory", ctypes.c_int64), ("max_seconds", c_double),
                ("flags", ctypes.c_uint32),
                ("max_condition_instructions", ctypes.c_int64)]


# name: (restype, argtypes).  Everything returning a status is c_int.
_PROTOS = {
    "brink_version": (c_char_p, []),
    "brink_status_name": (c_char_p, [c_int]),
    "brink_config_init": (None, [P(Config)]),
    "brink_engine_open": (c_int, [P(Engine), P(Config)]),
    "brink_engine_close": (None, [Engine]),
    "brink_engine_clone": (c_int, [Engine, P(Engine)]),
    "brink_errmsg": (c_char_p, [Engine]),
    "brink_errwhere": (c_char_p, [Engine]),
    "brink_errin": (c_char_p, [Engine]),
    "brink_load_file": (c_int, [Engine, c_char_p]),
    "brink_diag_count": (c_int, [Engine]),
    "brink_diag_get": (c_char_p, [Engine, c_int]),
    "brink_scenario_seed": (c_uint64, [Engine]),
    "brink_scenario_field": (c_char_p, [Engine, c_char_p]),
    "brink_actor_count": (c_int, [Engine]),
    "brink_actor_find": (c_int, [Engine, c_char_p, P(c_int)]),
    "brink_actor_id": (c_char_p, [Engine, c_int]),
    "brink_var_count": (c_int, [Engine]),
    "brink_var_find": (c_int, [Engine, c_char_p, P(c_int)]),
    "brink_var_name": (c_char_p, [Engine, c_int]),
    "brink_var_get": (c_int, [Engine, c_int, P(c_double)]),
    "brink_var_set": (c_int, [Engine, c_int, c_double]),
    "brink_var_set_text": (c_int, [Engine, c_int, c_char_p]),
    "brink_var_visible": (c_int, [Engine, c_int, c_int]),
    "brink_value_format": (c_int, [Engine, c_int, c_double, c_char_p,
                                   c_size_t]),
    "brink_value_show": (c_int, [Engine, c_int, c_double, c_char_p,
                                 c_size_t]),
    "brink_cause_set": (c_int, [Engine, c_char_p]),
    "brink_seed": (c_int, [Engine, c_uint64]),
    "brink_turn": (c_int, [Engine]),
    "brink_turn_count": (c_int, [Engine]),
    "brink_date": (ctypes.c_int32, [Engine]),
    "brink_date_format": (c_int, [ctypes.c_int32, c_char_p, c_size_t]),
    "brink_start": (c_int, [Engine, c_uint64]),
    "brink_step": (c_int, [Engine]),
    "brink_finish": (c_int, [Engine, c_char_p]),
    "brink_turn_limit": (c_int, [Engine, c_int]),
    "brink_outcome": (c_char_p, [Engine]),
    "brink_seat": (c_int, [Engine, c_int, c_int]),
    "brink_policy_assign": (c_int, [Engine, c_int, c_char_p]),
    "brink_awaiting": (c_int, [Engine]),
    "brink_move_name": (c_char_p, [Engine, c_int]),
    "brink_outcome_find": (c_int, [Engine, c_char_p, P(c_int)]),
    "brink_options": (c_int, [Engine, c_int, P(c_int)]),
    "brink_option_get": (c_int, [Engine, c_int, P(c_int), P(c_int), P(c_int),
                                 P(c_char_p)]),
    "brink_choose": (c_int, [Engine, c_int, c_int]),
    "brink_on_record": (c_int, [Engine, RecordFn, c_void_p]),
    "brink_record_json": (c_int, [Engine, c_void_p, c_char_p, c_size_t]),
    "brink_snapshot_take": (c_int, [Engine, P(c_void_p)]),
    "brink_snapshot_restore": (c_int, [Engine, c_void_p]),
    "brink_snapshot_free": (None, [c_void_p]),
    "brink_state_save": (c_int, [Engine, P(c_void_p), P(c_size_t)]),
    "brink_state_load": (c_int, [Engine, c_char_p, c_size_t]),
    "brink_buffer_free": (None, [c_void_p]),
    # Issue 12, engineer GAME.
    "brink_action_count": (c_int, [Engine]),
    "brink_action_info": (c_int, [Engine, c_int, P(c_int), P(c_int)]),
    "brink_action_find": (c_int, [Engine, c_int, c_int, P(c_int)]),
    "brink_legal_actions": (c_int, [Engine, c_int, P(c_int), c_int,
                                    P(c_int)]),
    "brink_stop_at_decisions": (c_int, [Engine, c_int]),
    "brink_choose_action": (c_int, [Engine, c_int]),
    "brink_decide": (c_int, [Engine]),
    "brink_observation_size": (c_int, [Engine]),
    "brink_observation": (c_int, [Engine, c_int, P(c_double), c_int]),
    "brink_observation_name": (c_char_p, [Engine, c_int]),
    "brink_policy_count": (c_int, [Engine]),
    "brink_policy_name": (c_char_p, [Engine, c_int]),
    "brink_policy_actor": (c_int, [Engine, c_int]),
    "brink_interrupt": (None, [Engine]),
    # Issue 12, engineer PAYOFF.
    "brink_has_payoffs": (c_int, [Engine]),
    "brink_returns": (c_int, [Engine, P(c_double), c_int]),
    "brink_outcome_payoff": (c_int, [Engine, c_int, c_int, P(c_double)]),
    "brink_var_prior": (c_int, [Engine, c_int, P(c_double)]),
    "brink_resample_hidden": (c_int, [Engine, c_int, c_uint64]),
}

missing = set()
for _name, (_res, _args) in _PROTOS.items():
    try:
        _f = getattr(lib, _name)
    except AttributeError:
        missing.add(_name)
        continue
    _f.restype, _f.argtypes = _res, _args


def has(name):
    """True when the loaded library exports brink.h's function 'name'."""
    return name not in missing


def need(name, method):
    """Raises UnsupportedError naming 'method' when 'name' is missing, so a
    library older than this package fails with a sentence, not with an
    AttributeError from deep inside ctypes."""
    if name in missing:
        raise UnsupportedError(
            "%s needs %s(), which %s does not export (a libbrink older "
            "than issue 12's game-AI state API)" % (method, name, path))
