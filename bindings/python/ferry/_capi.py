# SPDX-License-Identifier: MIT
"""
ferry._capi - libferry's C interface as ctypes sees it.

The structures mirror include/ferry.h field for field, at the versions
named here: the library accepts an older options version with the
defaults of the fields it lacks (README, "Versions and ABI"), so this
module keeps working against a newer libferry.so.0. tests/cli/t0021-python.sh
compares every size here with the C compiler's.
"""

import ctypes
import os

c_char_p = ctypes.c_char_p
c_int = ctypes.c_int
c_int64 = ctypes.c_int64
c_size_t = ctypes.c_size_t
c_void_p = ctypes.c_void_p

# ferry_code
OK = 0
ERROR = -1
EDB = -2
EINVALID = -3
ELOCKED = -4
EREFUSED = -5
ENOMEM = -6
ENOTREADY = -7
EINTERRUPTED = -8

DB_OPTIONS_VERSION = 4
UP_OPTIONS_VERSION = 4
LOCK_WAIT_DEFAULT_MS = 1000

STATES = ("pending", "up", "complete", "failed", "running", "unknown")
EVENTS = ("lock_wait", "lock_acquired", "section_start", "section_done",
          "resume", "notice", "other_runner", "busy", "batch", "warning",
          "statement", "lock_retry")
POOLERS = {"auto": 0, "none": 1, "transaction": 2}


class Error(ctypes.Structure):
    _fields_ = [
        ("code", c_int),
        ("message", ctypes.c_char * 256),
        ("detail", ctypes.c_char * 1024),
        ("hint", ctypes.c_char * 256),
        ("sqlstate", ctypes.c_char * 6),
        ("file", ctypes.c_char * 256),
        ("line", c_int),
        ("column", c_int),
    ]


class Migration(ctypes.Structure):
    _fields_ = [
        ("version", c_int64),
        ("version_text", c_char_p),
        ("id", c_char_p),
        ("name", c_char_p),
        ("path", c_char_p),
        ("release", c_char_p),
        ("has_finish", c_int),
        ("has_down", c_int),
        ("up_no_transaction", c_int),
        ("finish_no_transaction", c_int),
        ("down_no_transaction", c_int),
        ("repeatable", c_int),
        ("up_confirm", c_int),
        ("finish_confirm", c_int),
        ("down_confirm", c_int),
        ("code", c_int),
        ("down_path", c_char_p),
    ]


class Event(ctypes.Structure):
    _fields_ = [
        ("type", c_int),
        ("migration", ctypes.POINTER(Migration)),
        ("section", c_char_p),
        ("holder", c_char_p),
        ("elapsed_ms", c_int64),
        ("index", c_size_t),
        ("total", c_size_t),
        ("statement", c_size_t),
        ("message", c_char_p),
        ("batch", c_int64),
        ("rows", c_int64),
        ("rows_total", c_int64),
        ("line", c_int),
        ("write_lock_ms", c_int64),
    ]


PROGRESS_CB = ctypes.CFUNCTYPE(None, ctypes.POINTER(Event), c_void_p)


class DbOptions(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        ("table", c_char_p),
        ("schema", c_char_p),
        ("base_dir", c_char_p),
        ("lock_timeout_ms", c_int),
        ("read_only", c_int),
        ("progress", PROGRESS_CB),
        ("payload", c_void_p),
        ("cache_dir", c_char_p),
        ("lock_wait_ms", c_int),
        ("lock_retries", c_int),
        ("exclusive", c_int),
        ("pooler", c_int),
        ("actor", c_char_p),
    ]


CONFIRM_CB = ctypes.CFUNCTYPE(c_int, ctypes.POINTER(Migration), c_char_p,
                              c_void_p)


class UpOptions(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        ("to", c_char_p),
        ("allow_out_of_order", c_int),
        ("single_transaction", c_int),
        ("dry_run", c_int),
        ("check", c_int),
        ("baseline", c_char_p),
        ("yes", c_int),
        ("confirm", CONFIRM_CB),
        ("confirm_payload", c_void_p),
        ("rerun", c_char_p),
        ("strict", c_int),
    ]


class Entry(ctypes.Structure):
    _fields_ = [
        ("version", c_int64),
        ("version_text", c_char_p),
        ("name", c_char_p),
        ("release", c_char_p),
        ("state", c_int),
        ("up_at", c_char_p),
        ("finish_at", c_char_p),
        ("up_ms", c_int64),
        ("finish_ms", c_int64),
        ("applied_by", c_char_p),
        ("drift", c_int),
        ("in_files", c_int),
        ("has_finish", c_int),
        ("failed_statement", c_int),
        ("error", c_char_p),
        ("section", c_char_p),
        ("statements", c_int),
        ("repeatable", c_int),
        ("retired", c_int),
    ]


class Status(ctypes.Structure):
    _fields_ = [
        ("engine", c_char_p),
        ("server_version", c_char_p),
        ("database", c_char_p),
        ("database_exists", c_int),
        ("ledger_exists", c_int),
        ("head", c_char_p),
        ("current", c_char_p),
        ("release_finished", c_char_p),
        ("release_in_flight", c_char_p),
        ("complete", c_size_t),
        ("up", c_size_t),
        ("pending", c_size_t),
        ("failed", c_size_t),
        ("unknown", c_size_t),
        ("ndrift", c_size_t),
        ("drift", ctypes.POINTER(c_char_p)),
        ("lock_held", c_int),
        ("lock_holder", c_char_p),
        ("last_action", c_char_p),
        ("last_version", c_char_p),
        ("last_by", c_char_p),
        ("last_at", c_char_p),
        ("last_success", c_int),
        ("running", c_size_t),
        ("busy", c_int),
        ("repeatables", c_size_t),
        ("repeatables_changed", c_size_t),
        ("retired", c_size_t),
        ("behind", c_char_p),
        ("behind_oldest", c_char_p),
        ("behind_unfinished", c_int),
        ("foreign_ledger", c_char_p),
    ]


class Step(ctypes.Structure):
    _fields_ = [
        ("action", c_char_p),
        ("migration", ctypes.POINTER(Migration)),
        ("elapsed_ms", c_int64),
        ("resumed_at", c_size_t),
        ("not_tried", c_int),
        ("write_lock_ms", c_int64),
        ("lock_retries", c_int),
    ]


# Every structure above, by its C name: the size test's list.
STRUCTS = {
    "ferry_error": Error,
    "ferry_migration": Migration,
    "ferry_event": Event,
    "ferry_db_options": DbOptions,
    "ferry_up_options": UpOptions,
    "ferry_entry": Entry,
    "ferry_status": Status,
    "ferry_step": Step,
}

_P = ctypes.POINTER
_PP = lambda t: ctypes.POINTER(ctypes.POINTER(t))  # noqa: E731

# name: (result, argument types)
_FUNCTIONS = {
    "ferry_version": (c_char_p, []),
    "ferry_db_options_init": (c_int, [_P(DbOptions), ctypes.c_uint]),
    "ferry_up_options_init": (c_int, [_P(UpOptions), ctypes.c_uint]),
    "ferry_error_init": (None, [_P(Error)]),
    "ferry_set_open": (c_int, [_P(c_void_p), c_char_p, _P(Error)]),
    "ferry_set_free": (None, [c_void_p]),
    "ferry_db_open": (c_int, [_P(c_void_p), c_char_p, _P(DbOptions),
                              _P(Error)]),
    "ferry_db_close": (None, [c_void_p]),
    "ferry_db_interrupt": (None, [c_void_p]),
    "ferry_db_engine": (c_char_p, [c_void_p]),
    "ferry_db_display_url": (c_char_p, [c_void_p]),
    "ferry_status_get": (c_int, [_PP(Status), c_void_p, c_void_p,
                                 _P(Error)]),
    "ferry_status_free": (None, [_P(Status)]),
    "ferry_status_count": (c_size_t, [_P(Status)]),
    "ferry_status_at": (_P(Entry), [_P(Status), c_size_t]),
    "ferry_up": (c_int, [_P(c_void_p), c_void_p, c_void_p,
                         _P(UpOptions), _P(Error)]),
    "ferry_finish": (c_int, [_P(c_void_p), c_void_p, c_void_p,
                             _P(UpOptions), _P(Error)]),
    "ferry_migrate": (c_int, [_P(c_void_p), c_void_p, c_void_p,
                              _P(UpOptions), _P(Error)]),
    "ferry_report_count": (c_size_t, [c_void_p]),
    "ferry_report_at": (_P(Step), [c_void_p, c_size_t]),
    "ferry_report_version": (c_char_p, [c_void_p]),
    "ferry_report_release": (c_char_p, [c_void_p]),
    "ferry_report_checkpoint": (c_char_p, [c_void_p]),
    "ferry_report_waited": (c_int, [c_void_p]),
    "ferry_report_free": (None, [c_void_p]),
    "ferry_check_release": (c_int, [c_void_p, c_void_p, c_char_p,
                                    _P(Error)]),
    "ferry_state_name": (c_char_p, [c_int]),
}


# The soname whose ABI these structures follow: a libferry.so.1 would be
# another layout, so it is never picked up by a looser search.
SONAME = "libferry.so.0"


def load():
    """The library: $FERRY_LIBRARY if set, else libferry.so.0 as the
    dynamic linker finds it (the libferry0 package). Its major version
    must be 0, the ABI of the structures above."""
    lib = ctypes.CDLL(os.environ.get("FERRY_LIBRARY") or SONAME)
    for name, (restype, argtypes) in _FUNCTIONS.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    version = lib.ferry_version().decode()
    if version.split(".")[0] != "0":
        raise ImportError("libferry %s is not of the ABI of %s" %
                          (version, SONAME))
    return lib
