# SPDX-License-Identifier: MIT
"""
ferry - database migrations for SQLite and PostgreSQL, over libferry.

    import ferry

    with ferry.open("sqlite:app.db", "migrations",
                    progress=lambda e: print(e.type, e.migration)) as db:
        db.up()
        db.check_release("2.0")      # raises ferry.NotReadyError if not
        print(db.status().current)

The work is libferry's, with its guarantees: each migration in one
transaction with its ledger row, one runner at a time, the refusals. A
failure raises a subclass of ferry.Error named for its kind, carrying the
library's message, detail, hint, SQLSTATE and the file, line and column
of a migration at fault.
"""

import ctypes
import os
from dataclasses import dataclass, field
from typing import Callable, List, Optional

from . import _capi

__all__ = [
    "open", "version", "Database", "Error", "DatabaseError", "InvalidError",
    "LockedError", "RefusedError", "NotReadyError", "InterruptedError",
    "Migration", "Event", "Step", "Report", "Entry", "Status",
]

_lib = None


def _libferry():
    global _lib
    if _lib is None:
        _lib = _capi.load()
    return _lib


def version() -> str:
    """The version of the libferry loaded, e.g. "0.1.0"."""
    return _libferry().ferry_version().decode()


def _text(b) -> Optional[str]:
    return None if b is None else b.decode("utf-8", "replace")


def _bytes(s) -> Optional[bytes]:
    if s is None:
        return None
    return os.fsencode(s) if isinstance(s, os.PathLike) else str(s).encode()


# Errors --------------------------------------------------------------------

class Error(Exception):
    """A failure of libferry. `code` is the JSON name of its kind ("db",
    "invalid", "locked", "refused", "notready", "interrupted", "error")."""

    code = "error"

    def __init__(self, message, detail="", hint="", sqlstate="", file="",
                 line=0, column=0):
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.hint = hint
        self.sqlstate = sqlstate
        self.file = file
        self.line = line
        self.column = column

    def __str__(self):
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += ":%d" % self.line
                if self.column:
                    where += ":%d" % self.column
            where += ": "
        text = where + self.message
        if self.detail:
            text += "\n" + self.detail
        if self.hint:
            text += "\nhint: " + self.hint
        return text


class DatabaseError(Error):
    """A migration or the database failed (the CLI's exit 1)."""
    code = "db"


class InvalidError(Error, ValueError):
    """A bad URL, file or argument (exit 2)."""
    code = "invalid"


class LockedError(Error):
    """Another runner kept the lock past the timeout (exit 4)."""
    code = "locked"


class RefusedError(Error):
    """Refused for safety: a database ahead, drift, out of order (exit 5)."""
    code = "refused"


class NotReadyError(Error):
    """The release cannot run on the database now (exit 3)."""
    code = "notready"


class InterruptedError(Error):  # noqa: A001 - ferry's own kind
    """Database.interrupt() stopped the run, or the progress callback
    raised (that exception is chained as __cause__)."""
    code = "interrupted"


_KINDS = {
    _capi.EDB: DatabaseError,
    _capi.EINVALID: InvalidError,
    _capi.ELOCKED: LockedError,
    _capi.EREFUSED: RefusedError,
    _capi.ENOTREADY: NotReadyError,
    _capi.EINTERRUPTED: InterruptedError,
}


def _raise(rc, err):
    if rc == _capi.ENOMEM:
        raise MemoryError(_text(err.message) or "out of memory")
    kind = _KINDS.get(rc, Error)
    raise kind(_text(err.message) or "libferry failed (%d)" % rc,
               _text(err.detail), _text(err.hint), _text(err.sqlstate),
               _text(err.file), err.line, err.column)


# Values ----------------------------------------------------------------------

@dataclass(frozen=True)
class Migration:
    version: int
    version_text: str
    name: str
    release: Optional[str]
    path: Optional[str]


def _migration(p) -> Optional[Migration]:
    if not p:
        return None
    m = p.contents
    return Migration(m.version, _text(m.version_text), _text(m.name),
                     _text(m.release), _text(m.path))


@dataclass(frozen=True)
class Event:
    """A progress event: `type` is "section_start", "section_done",
    "statement", "lock_wait", "notice", "warning", ... (ferry_event_type,
    lowercase, without FERRY_EVENT_)."""
    type: str
    migration: Optional[Migration]
    section: Optional[str]
    holder: Optional[str]
    elapsed_ms: int
    index: int
    total: int
    statement: int
    message: Optional[str]
    rows: int
    line: int


@dataclass(frozen=True)
class Step:
    action: str
    migration: Optional[Migration]
    elapsed_ms: int
    resumed_at: int


@dataclass(frozen=True)
class Report:
    """What a run did: its steps, and where the database is after it."""
    steps: List[Step]
    version: Optional[str]
    release: Optional[str]
    checkpoint: Optional[str]
    waited: bool


@dataclass(frozen=True)
class Entry:
    version: int
    version_text: str
    name: str
    release: Optional[str]
    state: str
    up_at: Optional[str]
    finish_at: Optional[str]
    applied_by: Optional[str]
    drift: bool
    error: Optional[str]


@dataclass(frozen=True)
class Status:
    engine: str
    server_version: str
    database: str
    head: Optional[str]
    current: Optional[str]
    release_finished: Optional[str]
    release_in_flight: Optional[str]
    complete: int
    up: int
    pending: int
    failed: int
    drift: List[str]
    lock_held: bool
    entries: List[Entry] = field(default_factory=list)


# The database ------------------------------------------------------------------

class Database:
    """An open database and the migration directory it is migrated with.

    Not for two threads at once; open one per thread. Close it (or use it
    as a context manager): that closes the connection.
    """

    def __init__(self, url, migrations="migrations", *, progress=None,
                 table=None, schema=None, lock_timeout=60.0, lock_wait=1.0,
                 lock_retries=5, pooler="auto", read_only=False,
                 actor=None):
        if pooler not in _capi.POOLERS:
            raise InvalidError("pooler must be one of %s" %
                               ", ".join(sorted(_capi.POOLERS)))
        self._lib = _libferry()
        self._db = None
        self._dir = _bytes(migrations)
        self._progress = progress
        self._failure = None
        # Kept for as long as the library may call it.
        self._cb = _capi.PROGRESS_CB(self._on_event)
        opts = _capi.DbOptions()
        self._lib.ferry_db_options_init(ctypes.byref(opts),
                                        _capi.DB_OPTIONS_VERSION)
        self._table, self._schema = _bytes(table), _bytes(schema)
        self._actor = _bytes(actor)
        opts.actor = self._actor
        opts.table, opts.schema = self._table, self._schema
        opts.lock_timeout_ms = int(lock_timeout * 1000)
        opts.read_only = int(bool(read_only))
        opts.progress = self._cb
        opts.lock_wait_ms = int(lock_wait * 1000)
        opts.lock_retries = int(lock_retries)
        opts.pooler = _capi.POOLERS[pooler]
        err = _capi.Error()
        db = ctypes.c_void_p()
        rc = self._lib.ferry_db_open(ctypes.byref(db), _bytes(url),
                                     ctypes.byref(opts), ctypes.byref(err))
        if rc != 0:
            _raise(rc, err)
        self._db = db
        if self._failure is not None:
            failure, self._failure = self._failure, None
            self.close()
            raise failure

    # A callback must not raise through C: the first exception stops the
    # run (as an interrupt does) and is raised once the call returns.
    def _on_event(self, ev, _payload):
        if self._progress is None or self._failure is not None:
            return
        e = ev.contents
        name = (_capi.EVENTS[e.type] if 0 <= e.type < len(_capi.EVENTS)
                else "event_%d" % e.type)
        try:
            self._progress(Event(name, _migration(e.migration),
                                 _text(e.section), _text(e.holder),
                                 e.elapsed_ms, e.index, e.total, e.statement,
                                 _text(e.message), e.rows, e.line))
        except BaseException as exc:  # noqa: B902 - re-raised after the call
            self._failure = exc
            self._lib.ferry_db_interrupt(self._db)

    def _handle(self):
        if self._db is None:
            raise InvalidError("the database is closed")
        return self._db

    def _with_set(self, fn):
        """fn(db, set, err) on a set read now; an exception the progress
        callback raised meanwhile is raised in place of the result (or of
        the InterruptedError it caused)."""
        db = self._handle()
        err = _capi.Error()
        s = ctypes.c_void_p()
        rc = self._lib.ferry_set_open(ctypes.byref(s), self._dir,
                                      ctypes.byref(err))
        if rc != 0:
            _raise(rc, err)
        self._failure = None
        try:
            result = fn(db, s, err)
        except Error as e:
            failure, self._failure = self._failure, None
            if failure is not None:
                raise failure from e
            raise
        finally:
            self._lib.ferry_set_free(s)
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure
        return result

    def _run(self, name, to, dry_run, check, allow_out_of_order,
             single_transaction, strict, yes):
        opts = _capi.UpOptions()
        self._lib.ferry_up_options_init(ctypes.byref(opts),
                                        _capi.UP_OPTIONS_VERSION)
        target = _bytes(to)
        opts.to = target
        opts.dry_run = int(bool(dry_run))
        opts.check = int(bool(check))
        opts.allow_out_of_order = int(bool(allow_out_of_order))
        opts.single_transaction = int(bool(single_transaction))
        opts.strict = int(bool(strict))
        opts.yes = int(bool(yes))

        def run(db, s, err):
            report = ctypes.c_void_p()
            rc = getattr(self._lib, name)(ctypes.byref(report), db, s,
                                          ctypes.byref(opts),
                                          ctypes.byref(err))
            try:
                if rc != 0:
                    _raise(rc, err)
                return self._report(report)
            finally:
                self._lib.ferry_report_free(report)

        return self._with_set(run)

    def _report(self, r) -> Report:
        lib = self._lib
        steps = []
        for i in range(lib.ferry_report_count(r)):
            st = lib.ferry_report_at(r, i).contents
            steps.append(Step(_text(st.action), _migration(st.migration),
                              st.elapsed_ms, st.resumed_at))
        return Report(steps, _text(lib.ferry_report_version(r)),
                      _text(lib.ferry_report_release(r)),
                      _text(lib.ferry_report_checkpoint(r)),
                      bool(lib.ferry_report_waited(r)))

    def up(self, to=None, *, dry_run=False, check=False,
           allow_out_of_order=False, single_transaction=False, strict=False,
           yes=False) -> Report:
        """Apply the up sections of pending migrations, up to `to` (a
        version or a release; None for all)."""
        return self._run("ferry_up", to, dry_run, check, allow_out_of_order,
                         single_transaction, strict, yes)

    def finish(self, to=None, *, dry_run=False, check=False, strict=False,
               yes=False) -> Report:
        """Apply the finish sections of migrations that are up."""
        return self._run("ferry_finish", to, dry_run, check, False, False,
                         strict, yes)

    def migrate(self, to=None, *, dry_run=False, check=False,
                allow_out_of_order=False, strict=False, yes=False) -> Report:
        """Up and finish all the way, checkpoint by checkpoint."""
        return self._run("ferry_migrate", to, dry_run, check,
                         allow_out_of_order, False, strict, yes)

    def status(self) -> Status:
        """Where the database stands against the migration files."""
        def get(db, s, err):
            st = ctypes.POINTER(_capi.Status)()
            rc = self._lib.ferry_status_get(ctypes.byref(st), db, s,
                                            ctypes.byref(err))
            if rc != 0:
                _raise(rc, err)
            try:
                return self._status(st)
            finally:
                self._lib.ferry_status_free(st)

        return self._with_set(get)

    def _status(self, p) -> Status:
        lib, s = self._lib, p.contents
        entries = []
        for i in range(lib.ferry_status_count(p)):
            e = lib.ferry_status_at(p, i).contents
            entries.append(Entry(e.version, _text(e.version_text),
                                 _text(e.name), _text(e.release),
                                 _text(lib.ferry_state_name(e.state)),
                                 _text(e.up_at), _text(e.finish_at),
                                 _text(e.applied_by), bool(e.drift),
                                 _text(e.error)))
        drift = [_text(s.drift[i]) for i in range(s.ndrift)]
        return Status(_text(s.engine), _text(s.server_version),
                      _text(s.database), _text(s.head), _text(s.current),
                      _text(s.release_finished), _text(s.release_in_flight),
                      s.complete, s.up, s.pending, s.failed, drift,
                      bool(s.lock_held), entries)

    def check_release(self, release) -> bool:
        """True when an application of `release` may run on the database
        now; else raises NotReadyError saying why (InvalidError for a
        release nobody knows)."""
        def check(db, s, err):
            rc = self._lib.ferry_check_release(db, s, _bytes(release),
                                               ctypes.byref(err))
            if rc != 0:
                _raise(rc, err)
            return True

        return self._with_set(check)

    def can_run(self, release) -> bool:
        """check_release() as a yes or no."""
        try:
            return self.check_release(release)
        except NotReadyError:
            return False

    def interrupt(self):
        """Stop the running call, from another thread: it rolls back and
        raises InterruptedError."""
        if self._db is not None:
            self._lib.ferry_db_interrupt(self._db)

    @property
    def engine(self) -> str:
        """"sqlite" or "postgres"."""
        return _text(self._lib.ferry_db_engine(self._handle()))

    @property
    def url(self) -> str:
        """The database's URL with any password masked."""
        return _text(self._lib.ferry_db_display_url(self._handle()))

    def close(self):
        if self._db is not None:
            db, self._db = self._db, None
            self._lib.ferry_db_close(db)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def open(url, migrations="migrations", **options) -> Database:  # noqa: A001
    """Open the database at `url` (sqlite:PATH, postgres://...) to migrate
    it with the directory `migrations`. Options: progress (a callable
    given each Event), table, schema, lock_timeout, lock_wait (seconds),
    lock_retries, pooler ("auto", "none", "transaction"), read_only, actor
    (who the ledger and the history record; default user@host)."""
    return Database(url, migrations, **options)
