#!/usr/bin/env python3
"""Drives libbrink from Python with ctypes and brink.h alone: loads a
scenario, plays half of it, saves the whole state as bytes, goes on in a
fresh engine from those bytes, and prints the outcome and a few values.

    python3 examples/embed.py build/libbrink.so scripts/scenarios/korea-2019.lua
"""
import ctypes
import sys

lib = ctypes.CDLL(sys.argv[1] if len(sys.argv) > 1 else "build/libbrink.so")
path = (sys.argv[2] if len(sys.argv) > 2
        else "scripts/scenarios/korea-2019.lua").encode()

Engine = ctypes.c_void_p
lib.brink_engine_open.argtypes = [ctypes.POINTER(Engine), ctypes.c_void_p]
lib.brink_engine_close.argtypes = [Engine]
lib.brink_errmsg.argtypes = [Engine]
lib.brink_errmsg.restype = ctypes.c_char_p
lib.brink_load_file.argtypes = [Engine, ctypes.c_char_p]
lib.brink_scenario_seed.argtypes = [Engine]
lib.brink_scenario_seed.restype = ctypes.c_uint64
lib.brink_start.argtypes = [Engine, ctypes.c_uint64]
lib.brink_step.argtypes = [Engine]
lib.brink_turn.argtypes = [Engine]
lib.brink_outcome.argtypes = [Engine]
lib.brink_outcome.restype = ctypes.c_char_p
lib.brink_var_find.argtypes = [Engine, ctypes.c_char_p,
                               ctypes.POINTER(ctypes.c_int)]
lib.brink_var_get.argtypes = [Engine, ctypes.c_int,
                              ctypes.POINTER(ctypes.c_double)]
lib.brink_turn_count.argtypes = [Engine]
lib.brink_state_save.argtypes = [Engine, ctypes.POINTER(ctypes.c_void_p),
                                 ctypes.POINTER(ctypes.c_size_t)]
lib.brink_state_load.argtypes = [Engine, ctypes.c_void_p, ctypes.c_size_t]
lib.brink_buffer_free.argtypes = [ctypes.c_void_p]
BRINK_OK, BRINK_DONE = 0, 1


def check(e, rc):
    if rc < 0:
        sys.exit("brink: " + lib.brink_errmsg(e).decode())
    return rc


def open_engine():
    e = Engine()
    if lib.brink_engine_open(ctypes.byref(e), None) != BRINK_OK:
        sys.exit("brink: out of memory")
    check(e, lib.brink_load_file(e, path))
    return e


def save(e):
    """The run's whole state as Python bytes (the library's buffer freed)."""
    buf, n = ctypes.c_void_p(), ctypes.c_size_t()
    check(e, lib.brink_state_save(e, ctypes.byref(buf), ctypes.byref(n)))
    data = ctypes.string_at(buf, n.value)
    lib.brink_buffer_free(buf)
    return data


e = open_engine()
check(e, lib.brink_start(e, lib.brink_scenario_seed(e)))
half = lib.brink_turn_count(e) // 2
while lib.brink_turn(e) <= half and check(e, lib.brink_step(e)) == BRINK_OK:
    pass
state, saved_at = save(e), lib.brink_turn(e)
lib.brink_engine_close(e)

e = open_engine()   # the same scenario: a state is refused by any other
check(e, lib.brink_state_load(e, state, len(state)))
while check(e, lib.brink_step(e)) == BRINK_OK:
    pass
print("outcome:", lib.brink_outcome(e).decode(), "after turn", lib.brink_turn(e))
print("resumed at turn", saved_at, "from", len(state), "saved bytes")
for name in (b"negotiations", b"DPRK.sanctions"):
    var, value = ctypes.c_int(), ctypes.c_double()
    if lib.brink_var_find(e, name, ctypes.byref(var)) == BRINK_OK:
        lib.brink_var_get(e, var, ctypes.byref(value))
        print(name.decode(), "=", round(value.value, 2))
lib.brink_engine_close(e)
