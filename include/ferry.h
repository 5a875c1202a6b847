/* SPDX-License-Identifier: MIT */
/**
 * @file ferry.h
 * The public interface of libferry, a database migration engine for
 * SQLite and PostgreSQL.
 *
 * This is the only header an application or the ferry command-line tool
 * includes. The library never prints, never exits and keeps no global
 * state: every function reports failure through a return code and an
 * optional caller-owned ferry_error, and all state hangs off a ferry_db or
 * a ferry_set handle.
 *
 * Ownership follows one rule: what ferry allocates, ferry frees. A value
 * returned through `**out` belongs to the caller and is released with the
 * matching ferry_<type>_free(); freeing NULL does nothing. `*out` is NULL
 * after a failure. Strings passed in are copied if they are kept.
 *
 * Return codes never depend on whether an error struct was passed: a call
 * with `err` NULL returns exactly what the same call with one returns.
 *
 * Threads: a handle (ferry_db, ferry_set and every value read from them)
 * is used by one thread at a time; the caller serializes calls that share
 * one. Distinct handles are independent: threads may open, use and close
 * their own ferry_db and ferry_set at the same time, even on the same
 * database or directory (the runner lock then orders their runs, as it
 * does between processes). A ferry_set only read may be shared by several
 * threads. The library keeps no global state and uses only reentrant C
 * library calls; it reads the environment (USER, PATH, libpq's PG*
 * variables), so a program must not change it with setenv() while another
 * thread is in ferry. SQLite must be built thread-safe (the default).
 */
#ifndef FERRY_H
#define FERRY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The version, as numbers and as text: FERRY_VERSION_NUMBER is
 * MAJOR * 1000000 + MINOR * 1000 + PATCH (0.1.0 is 1000), for `#if` tests
 * at build time; ferry_version() tells the library met at run time.
 *
 * The three numbers are the one place the version is written: the text,
 * the Makefile (the shared library's name, ferry.pc, `make dist`) and the
 * checks that CHANGELOG.md and debian/changelog agree all derive from them.
 */
#define FERRY_VERSION_MAJOR 0 /**< the major version */
#define FERRY_VERSION_MINOR 1 /**< the minor version */
#define FERRY_VERSION_PATCH 0 /**< the patch level */
/** @cond */
#define FERRY__STR(x) #x
#define FERRY__XSTR(x) FERRY__STR(x)
/** @endcond */
/** The version as text, "MAJOR.MINOR.PATCH" */
/* clang-format off */
#define FERRY_VERSION FERRY__XSTR(FERRY_VERSION_MAJOR) "." \
	FERRY__XSTR(FERRY_VERSION_MINOR) "." FERRY__XSTR(FERRY_VERSION_PATCH)
/* clang-format on */
/** MAJOR * 1000000 + MINOR * 1000 + PATCH, for `#if` */
#define FERRY_VERSION_NUMBER \
	(FERRY_VERSION_MAJOR * 1000000 + FERRY_VERSION_MINOR * 1000 + \
		FERRY_VERSION_PATCH)

/** Marks a name of 0.1 kept until the next soname: `use` replaces it. */
#if defined(__GNUC__)
#define FERRY_DEPRECATED(use) __attribute__((deprecated("use " use)))
#else
#define FERRY_DEPRECATED(use)
#endif

/** Marks what libferry exports: every function of this header. */
#if defined(__GNUC__)
#define FERRY_EXTERN __attribute__((visibility("default")))
#else
#define FERRY_EXTERN
#endif

/*
 * Errors
 */

/**
 * Return codes. Every fallible function returns 0 or one of these, the
 * same whether or not it was given an error struct. The ferry command's
 * exit code for each is noted; its `--json` error document names them
 * "error", "db", "invalid", "locked", "refused", "nomem", "notready" and
 * "interrupted".
 */
typedef enum {
	FERRY_OK = 0,
	FERRY_ERROR = -1,     /**< generic failure */
	FERRY_EDB = -2,	      /**< a migration or the database failed: exit 1 */
	FERRY_EINVALID = -3,  /**< bad URL, file, argument: exit 2 */
	FERRY_ELOCKED = -4,   /**< runner lock not had in time: exit 4 */
	FERRY_EREFUSED = -5,  /**< ahead, drift, out-of-order: exit 5 */
	FERRY_ENOMEM = -6,    /**< out of memory */
	FERRY_ENOTREADY = -7, /**< check: the release cannot run now: exit 3 */
	/**
	 * ferry_db_interrupt() stopped the command: the CLI exits 130 after
	 * SIGINT, 143 after SIGTERM
	 */
	FERRY_EINTERRUPTED = -8
} ferry_code;

/**
 * A caller-owned error value. The library fills it on failure and leaves
 * it untouched on success. Every text is one line; `message` says what
 * failed, `detail` carries the server's or the operating system's words,
 * `hint` says what the user can do. Passwords are masked before any of
 * these are written.
 */
typedef struct {
	int code;	   /**< FERRY_OK when nothing failed */
	char message[256]; /**< lowercase, no final period */
	char detail[1024]; /**< server text, OS error, or "" */
	char hint[256];	   /**< what the user can do, or "" */
	char sqlstate[6];  /**< PostgreSQL SQLSTATE, or "" */
	char file[256];	   /**< migration file of the failure, or "" */
	int line;	   /**< 1-based line in `file`, or 0 */
	int column;	   /**< 1-based column in `file`, or 0 */
} ferry_error;

/** Reset an error value to "no error". */
FERRY_EXTERN void ferry_error_init(ferry_error *err);

/** The library's version, FERRY_VERSION. */
FERRY_EXTERN const char *ferry_version(void);

/** The version of the SQLite library in use, e.g. "3.40.1". */
FERRY_EXTERN const char *ferry_sqlite_version(void);

/**
 * The version of the libpq that PostgreSQL URLs would load, as
 * PQlibVersion() gives it (160004 for 16.4), or 0 when it cannot be
 * loaded or ferry was built without PostgreSQL. Loads libpq to ask.
 */
FERRY_EXTERN int ferry_libpq_version(void);

/** How this libferry was built: compiler, kind of build, engines. */
FERRY_EXTERN const char *ferry_build(void);

/** Free memory that ferry allocated and documented as caller-owned. */
FERRY_EXTERN void ferry_free(void *ptr);

/*
 * Migration sets
 */

/** An opaque, immutable migration set read from a directory. */
typedef struct ferry_set ferry_set;

/** One migration file of a set. Owned by the set. */
typedef struct {
	/**
	 * numeric version from the file name; in another tool's format, its
	 * version as ferry orders it (a Flyway set with dotted versions:
	 * see the README, "Reading other tools' sets")
	 */
	int64_t version;
	/**
	 * the version in decimal, no zero padding; in another tool's format,
	 * the version as that tool writes it ("1.2.10")
	 */
	const char *version_text;
	const char *id;	  /**< file name without ".sql": "0042_add_users" */
	const char *name; /**< name part: "add_users" */
	const char *path; /**< path as found: "migrations/0042_add_users.sql" */
	const char *release;   /**< release it belongs to, or NULL */
	int has_finish;	       /**< the file has a `-- ferry:finish` section */
	int has_down;	       /**< the file has a `-- ferry:down` section */
	int up_no_transaction; /**< `-- ferry:up no-transaction` */
	int finish_no_transaction; /**< `-- ferry:finish no-transaction` */
	int down_no_transaction;   /**< `-- ferry:down no-transaction` */
	/**
	 * A repeatable migration, from `<dir>/repeatable/<name>.sql`: it has
	 * no version (0, `version_text` ""), its `id` is "repeatable/<name>",
	 * and it runs again whenever its text changes.
	 */
	int repeatable;
	/**
	 * `-- ferry:up confirm`: the section runs only once confirmed (see
	 * ferry_up_options.confirm).
	 */
	int up_confirm;
	int finish_confirm; /**< `-- ferry:finish confirm` */
	int down_confirm;   /**< `-- ferry:down confirm` */
	/**
	 * A migration written in C (ferry_set_add_code()): `path` is
	 * "(code)", and its one up section is the function.
	 */
	int code;
	/**
	 * The file the down section is read from when it is a file of its
	 * own (golang-migrate's and sqlx's `.down.sql`, Flyway's `U` script,
	 * diesel's `down.sql`), else NULL: it is in `path`.
	 */
	const char *down_path;
} ferry_migration;

/** One line of the `releases` file. Owned by the set. */
typedef struct {
	const char *name;     /**< "2.1.0" */
	int64_t last_version; /**< newest migration of the release */
	int checkpoint; /**< must be finished before later migrations go up */
	/**
	 * `baseline`: the set starts at this release; its migration (the
	 * set's oldest) holds the schema the release leaves. A database
	 * whose ledger finished the release under older files counts it as
	 * applied; one that did not is refused (FERRY_EREFUSED).
	 */
	int baseline;
} ferry_release;

/**
 * Read a migration set from a directory.
 *
 * Every `.sql` file is read, checked and checksummed now, so an invalid file
 * is reported before anything runs; the contents are not kept, so memory
 * stays small however many migrations there are. The optional `releases`
 * file is parsed and checked against the migrations. The files of the
 * subdirectory `repeatable/`, if there is one, are the repeatable
 * migrations (ferry_set_repeatable_at()); they are read every time.
 *
 * @param[out] out  the set; free with ferry_set_free(). NULL on failure.
 * @param dir       the directory, e.g. "migrations"
 * @param err       filled on failure, with `file` and `line` when a file is
 *                  at fault; may be NULL
 * @return 0, FERRY_EINVALID (missing or empty directory, bad file name,
 *         duplicate version, bad marker, NUL byte, bad releases file),
 *         FERRY_ERROR (an I/O error) or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_set_open(
	ferry_set **out, const char *dir, ferry_error *err);

/**
 * Read a migration set as ferry_set_open() does, but without reading again
 * the files an earlier call found: a file whose device, inode, size, mtime
 * and ctime are those recorded in `cache_dir` is taken as it was then
 * (editing, replacing or restoring a file changes its ctime). Files changed
 * less than two seconds before the read began, by the file system's clock,
 * are not trusted, since a second edit within one tick of that clock could
 * go unseen.
 *
 * `cache_dir` holds one small file per migration directory, named by the
 * directory's device and inode; it and its parents are created (mode 0700)
 * when first needed. The cache never causes a failure: a missing, corrupt
 * or unwritable cache is read around and rewritten when it can be.
 *
 * @param cache_dir  e.g. "$HOME/.cache/ferry"; NULL reads every file
 * @return as ferry_set_open()
 */
FERRY_EXTERN int ferry_set_open_cached(ferry_set **out, const char *dir,
	const char *cache_dir, ferry_error *err);

/**
 * Write `set` as ferry's own files into `dest`, a directory that does not
 * exist yet (or is empty): each migration as `<version>_<name>.sql`, same
 * version, its sections under ferry's markers with their flags, the
 * repeatable migrations in `repeatable/`, the releases in `releases`. The
 * files are written beside `dest`, read back and compared with `set`, and
 * only then renamed to `dest`; on failure nothing is left. For `ferry
 * import --from FORMAT SRC DEST`: a set read in another tool's format
 * becomes a ferry set whose versions that tool's ledger still names.
 *
 * @return 0, FERRY_EINVALID (`dest` exists and is not empty; a migration
 *         written in C; a text that would not read back the same),
 *         FERRY_ERROR (the file system) or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_set_write(
	const ferry_set *set, const char *dest, ferry_error *err);

/**
 * The layout and markers a migration set is written in: ferry's own, or
 * another tool's, read in place (each tool's own rules; see the README,
 * "Reading other tools' sets").
 */
typedef enum {
	FERRY_FORMAT_AUTO = 0, /**< find out from the directory */
	FERRY_FORMAT_FERRY,    /**< `<version>_<name>.sql`, `-- ferry:up` */
	FERRY_FORMAT_GOLANG_MIGRATE, /**< `N_name.up.sql`, `N_name.down.sql` */
	FERRY_FORMAT_DBMATE,	     /**< `-- migrate:up`, `-- migrate:down` */
	FERRY_FORMAT_GOOSE,	     /**< `-- +goose Up`, `-- +goose Down` */
	FERRY_FORMAT_FLYWAY, /**< `V1.2__desc.sql`, `U1.2__…`, `R__…` */
	FERRY_FORMAT_SQL_MIGRATE, /**< `-- +migrate Up`, `-- +migrate Down` */
	FERRY_FORMAT_DIESEL,	  /**< `<version>_<name>/up.sql`, `down.sql` */
	FERRY_FORMAT_SQLX, /**< `<version>_<desc>.sql` or `.up.sql`/`.down.sql` */
	FERRY_FORMAT_PRISMA /**< `<timestamp>_<name>/migration.sql` */
} ferry_format;

/**
 * The name of a format as `--format` spells it ("golang-migrate"), or NULL
 * for a value that is none.
 */
FERRY_EXTERN const char *ferry_format_name(ferry_format format);

/**
 * The format `name` spells ("auto", "ferry", "golang-migrate", "dbmate",
 * "goose", "flyway", "sql-migrate", "diesel", "sqlx", "prisma").
 *
 * @return 0, or FERRY_EINVALID (`*out` untouched) for another name, with a
 *         hint listing the names
 */
FERRY_EXTERN int ferry_format_parse(
	ferry_format *out, const char *name, ferry_error *err);

/** Options of ferry_set_open_with(). */
typedef struct {
	unsigned int version; /**< FERRY_SET_OPTIONS_VERSION */
	/** The set's format; FERRY_FORMAT_AUTO finds it out. */
	ferry_format format;
	/**
	 * As for ferry_set_open_cached(), or NULL. Only sets in ferry's own
	 * format are cached; other formats are read whole every time.
	 */
	const char *cache_dir;
} ferry_set_options;

/** The version of ferry_set_options this header declares. */
#define FERRY_SET_OPTIONS_VERSION 1
/**
 * ferry_set_options with every default, to declare one with; in a
 * language without C macros, ferry_set_options_init().
 */
#define FERRY_SET_OPTIONS_INIT \
	{ \
		FERRY_SET_OPTIONS_VERSION, FERRY_FORMAT_AUTO, NULL \
	}

/**
 * Fill `opts` with FERRY_SET_OPTIONS_INIT, for languages without C macros.
 *
 * @param version  the caller's FERRY_SET_OPTIONS_VERSION: the fields of
 *                 that version are set, and nothing past them, so that a
 *                 program written for an older ferry.h is safe with a
 *                 newer library
 * @return 0, or FERRY_EINVALID when `opts` is NULL or `version` is 0 or
 *         newer than this library's
 */
FERRY_EXTERN int ferry_set_options_init(
	ferry_set_options *opts, unsigned int version);

/**
 * Read a migration set as ferry_set_open() does, in the format `opts`
 * names. With FERRY_FORMAT_AUTO (and in ferry_set_open() and
 * ferry_set_open_cached(), which are this with `opts` NULL) the layout
 * is found from the directory's names and markers; ferry_set_format()
 * says which it found. Files are checksummed as they are; a set in any
 * format may carry ferry's `releases` file.
 *
 * @param opts  NULL, or FERRY_SET_OPTIONS_INIT plus changes
 * @return as ferry_set_open(); FERRY_EINVALID also when `auto` finds two
 *         layouts mixed, or a file breaks its format's rules
 */
FERRY_EXTERN int ferry_set_open_with(ferry_set **out, const char *dir,
	const ferry_set_options *opts, ferry_error *err);

/**
 * One file of a migration set held in memory, for ferry_set_open_mem():
 * its name as it is in the migration directory, and its bytes. `ferry
 * embed DIR` writes an array of these as C source.
 */
typedef struct {
	/**
	 * "0001_init.sql" (a migration), "repeatable/views.sql" (a
	 * repeatable migration) or "releases" (the releases file)
	 */
	const char *name;
	const char *data; /**< the file's bytes; need not end with a NUL */
	size_t size;	  /**< how many bytes `data` holds */
} ferry_mem_file;

/**
 * Read a migration set from files held in memory, e.g. compiled into the
 * program with `ferry embed DIR > migrations.c`: each is taken as a file
 * of that name in a directory in ferry's format would be, so the set has
 * the same migrations, versions, checksums, releases and repeatable
 * migrations as ferry_set_open() of the directory gives, and refuses what
 * it refuses. Names no directory file would be read for (a README) are
 * left alone. The bytes are copied: `files` may go once this returns.
 *
 * A migration's `path` is its name ("0001_init.sql"); ferry_set_dir() is
 * "". ferry_release_add() refuses such a set: it has no file to add to.
 *
 * @param[out] out  the set; free with ferry_set_free(). NULL on failure.
 * @param files     `nfiles` files, in any order
 * @param nfiles    how many
 * @param err       filled on failure, with `file` and `line` when a file
 *                  is at fault; may be NULL
 * @return 0, FERRY_EINVALID (no migration, a name given twice, and what
 *         ferry_set_open() refuses) or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_set_open_mem(ferry_set **out,
	const ferry_mem_file *files, size_t nfiles, ferry_error *err);

/** The format the set was read in: never FERRY_FORMAT_AUTO. */
FERRY_EXTERN ferry_format ferry_set_format(const ferry_set *set);

/** Free a set; NULL does nothing. */
FERRY_EXTERN void ferry_set_free(ferry_set *set);

/** A migration written in C runs through one of these (see below). */
typedef struct ferry_tx ferry_tx;

/**
 * A code migration's work: it runs inside the migration's transaction,
 * after its ledger row is claimed, through ferry_tx_exec() and
 * ferry_tx_query() only; it neither commits nor rolls back. Return 0, or
 * a negative code (with `err` filled, or not) to fail the migration,
 * which then rolls back with everything it did.
 */
typedef int (*ferry_code_fn)(ferry_tx *tx, void *payload, ferry_error *err);

/**
 * Add a migration written in C to the set: it orders, locks, records
 * (ledger row, history), plans, reports, dry-runs and is checked (in a
 * rolled-back trial) exactly as a file would be; it has only an up
 * section, in a transaction. Its checksum is that of `checksum`: change it
 * when the code changes what it does, and an applied migration shows
 * drift, as an edited file does.
 *
 * @param version   not a version a file or another code migration has
 * @param name      letters, digits, '_' and '-'
 * @param release   its release (copied), or NULL to take it from the
 *                  `releases` file as a file's
 * @param fn        the work; `payload` is handed to it
 * @param checksum  any text that names this version of the code, e.g.
 *                  "v1"; not NULL
 * @return 0, FERRY_EINVALID (bad argument, duplicate version) or
 *         FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_set_add_code(ferry_set *set, int64_t version,
	const char *name, const char *release, ferry_code_fn fn, void *payload,
	const char *checksum, ferry_error *err);

/** A row of ferry_tx_query(): `values` are text, NULL for SQL NULL. */
typedef int (*ferry_row_fn)(
	void *payload, int ncols, const char *const *values);

/**
 * Run one statement in a code migration's transaction, with `$1`-style
 * parameters given as text (NULL for SQL NULL), at most 32.
 *
 * @return 0, FERRY_EDB (the engine's error, in `err`), FERRY_EINVALID
 */
FERRY_EXTERN int ferry_tx_exec(ferry_tx *tx, const char *sql,
	const char *const *params, int nparams, ferry_error *err);

/**
 * As ferry_tx_exec(), calling `fn` for each row of the result; `fn`
 * returns nonzero to stop reading rows (not an error).
 */
FERRY_EXTERN int ferry_tx_query(ferry_tx *tx, const char *sql,
	const char *const *params, int nparams, ferry_row_fn fn, void *payload,
	ferry_error *err);

/** The directory the set was read from. */
FERRY_EXTERN const char *ferry_set_dir(const ferry_set *set);

/** Number of migrations, oldest first. */
FERRY_EXTERN size_t ferry_set_count(const ferry_set *set);

/** Migration `i` (0-based, in version order), or NULL when out of range. */
FERRY_EXTERN const ferry_migration *ferry_set_at(
	const ferry_set *set, size_t i);

/**
 * Split every section of every migration of `set` into statements as
 * `engine` ("sqlite" or "postgres"; NULL: as each would) will when it runs
 * them, without a database: an unterminated quoted string, identifier,
 * dollar quote or comment, or a psql meta-command, is found now rather
 * than in production. Returns 0, or FERRY_EINVALID with `err` naming the
 * first section that does not split at its file, line and column.
 */
FERRY_EXTERN int ferry_set_check_split(
	const ferry_set *set, const char *engine, ferry_error *err);

/**
 * Number of repeatable migrations: the files of the set's `repeatable/`
 * subdirectory, in byte order of their names. Each is one transactional
 * up section. `up`, `migrate` and `bootstrap` run those whose text
 * differs from the one last recorded, after every versioned migration is
 * applied.
 */
FERRY_EXTERN size_t ferry_set_repeatable_count(const ferry_set *set);

/** Repeatable migration `i` (0-based, by name), or NULL when out of range. */
FERRY_EXTERN const ferry_migration *ferry_set_repeatable_at(
	const ferry_set *set, size_t i);

/** Number of releases in the `releases` file, oldest first. */
FERRY_EXTERN size_t ferry_set_release_count(const ferry_set *set);

/** Release `i`, or NULL when out of range. */
FERRY_EXTERN const ferry_release *ferry_set_release_at(
	const ferry_set *set, size_t i);

/**
 * Write a new, empty migration file from the template.
 *
 * The version is the current UTC time as YYYYMMDDHHMMSS, or with `seq` the
 * next number after the newest file, zero-padded like the existing ones.
 * Does not parse the other files, so it works while one of them is
 * invalid; it reads their first lines only to refuse a directory that
 * holds another tool's set (see ferry_set_open_with()).
 *
 * @param[out] out  path of the new file; free with ferry_free()
 * @param dir       the migration directory; must exist
 * @param name      letters, digits, '_' and '-'
 * @param seq       nonzero for a sequential version
 * @return 0, FERRY_EINVALID (bad name, missing directory, another tool's
 *         set), FERRY_ERROR
 */
FERRY_EXTERN int ferry_migration_new(char **out, const char *dir,
	const char *name, int seq, ferry_error *err);

/**
 * The SQL of one section of a migration, exactly as ferry would run it,
 * for a dry run to show.
 *
 * @param[out] out  the section's text; free with ferry_free()
 * @param[out] line the line of the file where the text starts
 * @param m         a migration of `set`
 * @param section   "up", "finish" or "down"
 * @return 0; FERRY_EINVALID when the migration has no such section or its
 *         file changed since the set was read; FERRY_ERROR, FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_migration_sql(char **out, int *line,
	const ferry_set *set, const ferry_migration *m, const char *section,
	ferry_error *err);

/**
 * How many statements of a section's SQL are under `-- ferry:repeat`: each
 * runs again and again, in a transaction of its own, until it changes no
 * row. Reads no file and needs no database.
 *
 * @param sql  a section's text, as ferry_migration_sql() gives it; NULL
 *             counts none
 * @return the number of repeat directives in it
 */
FERRY_EXTERN size_t ferry_sql_repeats(const char *sql);

/*
 * Progress events
 */

/** What a progress event (ferry_event) tells. */
typedef enum {
	FERRY_EVENT_LOCK_WAIT, /**< another runner holds the lock: `holder` */
	FERRY_EVENT_LOCK_ACQUIRED, /**< the lock is ours, after waiting */
	FERRY_EVENT_SECTION_START, /**< a section starts: `migration`, `section`
				    */
	FERRY_EVENT_SECTION_DONE,  /**< it finished: `elapsed_ms` */
	FERRY_EVENT_RESUME, /**< a failed section resumes at `statement` */
	FERRY_EVENT_NOTICE, /**< the server said something: `message` */
	/**
	 * Another runner changed this migration's ledger row first: it
	 * applied `section` (or took over a no-transaction one). This run
	 * applied nothing of it and stops; it still succeeds, as a runner
	 * that waited and found the work done does. `migration` is NULL when
	 * a single-transaction run rolled back whole for it.
	 */
	FERRY_EVENT_OTHER_RUNNER,
	/**
	 * Another connection holds the database itself (SQLite: a
	 * migration's long transaction, or the application writing): ferry
	 * waits for it, up to the lock timeout. `holder` names the runner
	 * lock's holder when a ferry holds it, else NULL.
	 */
	FERRY_EVENT_BUSY,
	/**
	 * A batch of a statement under `-- ferry:repeat` committed:
	 * `statement`, `batch` (from 1, counting those of an earlier run
	 * that stopped), `rows` it changed, `rows_total` so far, and
	 * `elapsed_ms` from its BEGIN to its COMMIT. The last run of the
	 * statement, which changes no row and ends the repeat, sends none.
	 */
	FERRY_EVENT_BATCH,
	/**
	 * Something the user should see, that does not stop the run:
	 * `message`; `migration` if it is about one. A dry run says so of a
	 * precondition it could not check before the steps ahead of it ran;
	 * PostgreSQL's WARNINGs come so (their primary message), its NOTICEs
	 * as FERRY_EVENT_NOTICE.
	 */
	FERRY_EVENT_WARNING,
	/**
	 * A statement of a section ran: `statement` of `total` (0 when not
	 * known), starting at `line` of the migration's file, `rows` it
	 * inserted, updated or deleted, `elapsed_ms` (-1 when not measured
	 * apart: PostgreSQL runs a transaction's statements as one pipeline,
	 * and says they ran when it commits).
	 */
	FERRY_EVENT_STATEMENT,
	/**
	 * A statement ran out of the lock budget (ferry_db_options'
	 * `lock_wait_ms`): its section rolled back (a no-transaction
	 * section: the statement alone) and is tried again after
	 * `elapsed_ms`. `holder` names the session that blocked it, or is
	 * NULL; `index` is the try to come (2 for the first retry) of
	 * `total`.
	 */
	FERRY_EVENT_LOCK_RETRY
} ferry_event_type;

/** A progress event. Everything in it is borrowed for the callback only. */
typedef struct {
	ferry_event_type type;		  /**< what happened */
	const ferry_migration *migration; /**< or NULL */
	const char *section; /**< "up", "finish", "down", or NULL */
	const char *holder;  /**< lock holder text, or NULL */
	int64_t elapsed_ms;  /**< SECTION_DONE, BATCH, LOCK_RETRY */
	size_t index;	     /**< 1-based step number in this run */
	size_t total;	     /**< steps in this run; STATEMENT: statements */
	size_t statement;    /**< 1-based statement, for RESUME and BATCH */
	const char *message; /**< NOTICE ("NOTICE: ..."), WARNING, or NULL */
	int64_t batch;	     /**< BATCH */
	int64_t rows;	     /**< BATCH, STATEMENT */
	int64_t rows_total;  /**< BATCH */
	int line;	     /**< STATEMENT: its first line in the file */
	/** SECTION_DONE: how long the section held SQLite's write lock
	 * (ferry_step's `write_lock_ms`); -1 where not measured */
	int64_t write_lock_ms;
} ferry_event;

/** Told each progress event (ferry_db_options.progress). */
typedef void (*ferry_progress_cb)(const ferry_event *event, void *payload);

/*
 * Databases
 */

/** An opaque connection to a database, with its ledger settings. */
typedef struct ferry_db ferry_db;

/**
 * What stands between ferry and a PostgreSQL server (ferry_db_options).
 * Behind a transaction pooler each transaction may run on another server
 * connection: ferry then holds its runner lock as a row of a table
 * (`ferry_lock`, in the ledger's schema) instead of a session's advisory
 * lock, keeps its own settings to each transaction, and refuses what needs
 * one session (no-transaction sections, --single-transaction, a session
 * SET, backups and restores) with FERRY_EREFUSED. While it holds that
 * row, the handle runs a thread of its own on a second connection, which
 * keeps the row from expiring; it ends when the lock is let go (at the
 * end of the command, or in ferry_db_close()). SQLite ignores it.
 */
typedef enum {
	FERRY_POOLER_AUTO = 0, /**< a pooler if the server's process id is
				* not the one the connection announced */
	FERRY_POOLER_NONE,     /**< a direct connection (or session pooling) */
	FERRY_POOLER_TRANSACTION /**< a transaction pooler */
} ferry_pooler;

/** Options of ferry_db_open(), ferry_db_open_sqlite() and ferry_db_open_pg(). */
typedef struct {
	unsigned int version; /**< FERRY_DB_OPTIONS_VERSION */
	const char *table;    /**< ledger table; NULL for "ferry_migrations" */
	const char *schema;   /**< PostgreSQL schema; NULL for "public" */
	const char *base_dir; /**< relative SQLite paths start here; NULL: cwd */
	int lock_timeout_ms;  /**< wait for another runner; default 60000 */
	int read_only;	      /**< open for reading: never creates a file */
	ferry_progress_cb progress; /**< NULL, or called on progress events */
	void *payload;		    /**< passed to `progress` */
	/**
	 * Ignored (version 2). It named a cache of the ledger, which is gone:
	 * the ledger is always read from the database itself, since a file
	 * outside it could make a run believe work was done. Kept so that
	 * programs written for version 2 still build and run.
	 */
	const char *cache_dir;
	/**
	 * The lock budget (PostgreSQL; version 3): how long one statement of
	 * a migration may wait for a lock (its `lock_timeout`), so that the
	 * application's queries queued behind it wait no longer. A section
	 * that runs out of it rolls back and is tried again, up to
	 * `lock_retries` times, each try naming the session that blocked it.
	 * 0: no budget and no retry, the server's own `lock_timeout`.
	 * Default FERRY_LOCK_WAIT_DEFAULT_MS.
	 */
	int lock_wait_ms;
	int lock_retries; /**< tries after the first; default 5 */
	/**
	 * Refuse to change the database while another session is connected
	 * to it (PostgreSQL; version 3): the "stop every service first" of
	 * an upgrade guide, checked once the runner lock is taken. SQLite
	 * cannot tell who has its file open: there the option is refused.
	 */
	int exclusive;
	/**
	 * PostgreSQL: is there a transaction pooler (PgBouncer's
	 * pool_mode=transaction) between ferry and the server? (version 3)
	 * FERRY_POOLER_AUTO finds out when the runner lock is first taken;
	 * see "Behind a connection pooler" in the README.
	 */
	ferry_pooler pooler;
	/**
	 * Who is recorded as acting (version 4): the `applied_by` of ledger
	 * rows, the `by` of history rows and the runner lock's holder text,
	 * e.g. "deploy-bot" or "alice@ci". 1 to FERRY_ACTOR_MAX bytes, no
	 * control characters, copied; else ferry_db_open() fails with
	 * FERRY_EINVALID. NULL: "user@host" of the process, as before.
	 */
	const char *actor;
} ferry_db_options;

/**
 * The default lock budget (ferry_db_options.lock_wait_ms). One second:
 * about ten times what an application's short transactions
 * hold a table, so that DDL almost always gets its lock at the first try,
 * and well under the few seconds after which a load balancer or a user
 * gives up on a request that queued behind it.
 */
#define FERRY_LOCK_WAIT_DEFAULT_MS 1000

/** The longest ferry_db_options.actor, in bytes. */
#define FERRY_ACTOR_MAX 128

/** The version of ferry_db_options this header declares. Versions 1 (without
 * cache_dir), 2 (without the lock budget, exclusive and pooler) and 3 (without
 * actor) are still accepted, with their defaults. */
#define FERRY_DB_OPTIONS_VERSION 4
/**
 * ferry_db_options with every default, to declare one with; in a
 * language without C macros, ferry_db_options_init().
 */
#define FERRY_DB_OPTIONS_INIT \
	{ \
		FERRY_DB_OPTIONS_VERSION, NULL, NULL, NULL, 60000, 0, NULL, \
			NULL, NULL, FERRY_LOCK_WAIT_DEFAULT_MS, 5, 0, \
			FERRY_POOLER_AUTO, NULL \
	}

/**
 * Fill `opts` with FERRY_DB_OPTIONS_INIT, for languages without C macros.
 *
 * @param version  the caller's FERRY_DB_OPTIONS_VERSION: the fields of
 *                 that version are set, and nothing past them, so that a
 *                 program written for an older ferry.h is safe with a
 *                 newer library
 * @return 0, or FERRY_EINVALID when `opts` is NULL or `version` is 0 or
 *         newer than this library's
 */
FERRY_EXTERN int ferry_db_options_init(
	ferry_db_options *opts, unsigned int version);

/**
 * Connect to a database.
 *
 * URLs: `sqlite:PATH`, `sqlite://PATH`, `sqlite::memory:`, a bare path ending
 * in `.db`, `.sqlite` or `.sqlite3`, `postgres://...`, `postgresql://...` or
 * a libpq keyword string. With `read_only`, a SQLite file that does not
 * exist yet reads as an empty database and is not created.
 *
 * The ledger table's name (`opts->table`) and the history table's derived
 * from it (`x_migrations` -> `x_history`, `x` -> `x_history`) must each
 * have 1 to 63 bytes, PostgreSQL's limit, on every engine: so at most 55
 * bytes, or 63 ending in `_migrations`. A longer name is refused before
 * the database is touched.
 *
 * The handle belongs to one thread at a time; other threads may open and
 * use their own handles meanwhile, on this database too (see the top of
 * this file).
 *
 * @param[out] out  the database; close with ferry_db_close(). NULL on failure.
 * @param url       the database URL; not kept
 * @param opts      NULL, or FERRY_DB_OPTIONS_INIT plus changes
 * @param err       filled on failure; may be NULL
 * @return 0, FERRY_EINVALID (bad URL, missing directory, not a database,
 *         a table or schema name too long), FERRY_EDB (cannot connect) or
 *         FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_db_open(ferry_db **out, const char *url,
	const ferry_db_options *opts, ferry_error *err);

/** SQLite's connection (sqlite3.h's `sqlite3`), declared only. */
struct sqlite3;
/** libpq's connection (libpq-fe.h's `PGconn`), declared only. */
struct pg_conn;

/**
 * Use a SQLite connection the application already has, rather than open
 * one: ferry runs its commands on `handle`, so they see the application's
 * attached databases and functions, and an in-memory database works.
 *
 * Ownership: `handle` is borrowed. ferry_db_close() does not close it;
 * close the ferry_db first, then the handle, and do not use the handle
 * from another thread while a ferry command runs on it. It must be
 * outside a transaction when opened and between commands, and come from
 * the SQLite library libferry is linked with (the system's
 * libsqlite3.so.0, not a copy compiled into the program).
 *
 * What ferry changes on it, for as long as the ferry_db is open: its busy
 * handler (ferry waits up to `lock_timeout_ms` for writers), its progress
 * handler (for ferry_db_interrupt()) and extended result codes (on);
 * ferry_db_close() removes the two handlers and puts back the handle's
 * busy timeout (`PRAGMA busy_timeout`); an application that had a busy
 * handler or progress handler of its own sets it again afterwards. During a run,
 * `journal_mode` DELETE becomes PERSIST and `synchronous` is raised to
 * FULL, both put back when the run ends, as on ferry's own connections.
 * The runner lock is taken on the file, as for a URL (an in-memory
 * database needs none); ferry_backup_create() and ferry_restore() work on
 * the file the handle has open ("main"). The URL ferry_db_display_url()
 * gives is "sqlite:" and that file's path, or "sqlite::memory:".
 *
 * @param[out] out  the database; close with ferry_db_close(). NULL on failure.
 * @param handle    an open `sqlite3 *`
 * @param opts      NULL, or FERRY_DB_OPTIONS_INIT plus changes; `base_dir`
 *                  is unused
 * @param err       filled on failure; may be NULL
 * @return 0, FERRY_EINVALID (NULL `handle`, a transaction open on it, not
 *         a database), FERRY_EDB (read-only, unless `read_only`) or
 *         FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_db_open_sqlite(ferry_db **out, struct sqlite3 *handle,
	const ferry_db_options *opts, ferry_error *err);

/**
 * Use a PostgreSQL connection the application already has (a `PGconn *`
 * of its own libpq), rather than open one.
 *
 * libferry does not link libpq: it loads libpq.so.5 when first needed.
 * In a program linked with libpq.so.5 that load finds the library already
 * there, so ferry calls the very functions that made `conn`; a program
 * whose libpq is another file (another soname, a static copy) is refused,
 * since two libpq's must never share a connection; so is one whose libpq
 * the process cannot see (loaded RTLD_LOCAL, a static copy not exported),
 * where which libpq made `conn` cannot be told.
 *
 * Ownership: `conn` is borrowed. ferry_db_close() does not close it;
 * close the ferry_db first, and do not use `conn` from another thread
 * while a ferry command runs on it. It must be connected, idle (no
 * transaction open, not in pipeline mode) when opened and between
 * commands.
 *
 * What ferry changes on the session: the runner lock is a session
 * advisory lock, let go when each command ends (and in ferry_db_close());
 * while it holds it, `application_name` names the runner. Before each
 * migration section, the session is put back as it was at connect (RESET
 * ALL, RESET ROLE, RESET SESSION AUTHORIZATION), so that a migration runs
 * the same whoever connected, and `lock_timeout` is the lock budget: a
 * setting the application made with SET before is gone after a command
 * that ran a migration, until ferry_db_close(), which puts back every
 * setting the session had made with SET at open (SET ROLE and SET
 * SESSION AUTHORIZATION included) and `application_name`, and resets
 * `lock_timeout`, if a command changed them.
 * The connection's notice receiver is left alone: the server's NOTICEs
 * and WARNINGs go where the application sends them, not to `progress`.
 * ferry_db_interrupt() cancels with a PGcancel of the connection's own.
 * What needs a second connection (the lock budget's observer, the
 * pooler's heartbeat, ferry_backup_create() and ferry_restore()'s tools,
 * ferry_import() via migrations) connects with the settings the server
 * connection was made with, as PQconninfo() tells them, password
 * included.
 *
 * @param[out] out  the database; close with ferry_db_close(). NULL on failure.
 * @param conn      a connected `PGconn *`
 * @param opts      NULL, or FERRY_DB_OPTIONS_INIT plus changes
 * @param err       filled on failure; may be NULL
 * @return 0, FERRY_EINVALID (NULL `conn`, not connected, not idle, another
 *         libpq, PostgreSQL older than 12, a ferry built without
 *         PostgreSQL) or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_db_open_pg(ferry_db **out, struct pg_conn *conn,
	const ferry_db_options *opts, ferry_error *err);

/**
 * Close a database and free it; NULL does nothing. A connection the
 * application handed to ferry_db_open_sqlite() or ferry_db_open_pg()
 * stays open.
 */
FERRY_EXTERN void ferry_db_close(ferry_db *db);

/**
 * Stop what the handle is doing, from another thread or a signal handler
 * (it is thread-safe and async-signal-safe): the running statement is
 * cancelled (PostgreSQL: a cancel request; SQLite: a progress handler
 * watching the flag), a
 * transactional section rolls back with its ledger row, a no-transaction
 * section keeps the statement it stopped at for `up` to resume, an
 * `interrupted` entry goes into the history, the runner lock is freed, and
 * the call returns FERRY_EINTERRUPTED. A command that is not running
 * stops at its next step. Not during or after ferry_db_close().
 */
FERRY_EXTERN void ferry_db_interrupt(ferry_db *db);

/**
 * Give parameter `name` the value `value` for the migrations this handle
 * runs (a later call for the same name replaces it). A migration declares
 * its parameters with `-- ferry:param NAME [default VALUE]` and uses them
 * as psql uses variables: `:NAME` as the value is, `:'NAME'` as a quoted
 * literal, `:"NAME"` as a quoted identifier; only declared names are
 * replaced, and only outside comments, strings, quoted identifiers and
 * dollar quotes. A run refuses (FERRY_EINVALID), before anything runs, a
 * migration whose parameter has neither a value nor a default, `:'x'` or
 * `:"x"` of a name its file does not declare, and a raw `:x` whose value
 * holds ';'. Checksums are of the files, whatever the values; the values
 * go into the history, masked (****) when the name contains "password",
 * "secret" or "token", as they are in a dry run's SQL.
 *
 * @param name   a letter or '_', then letters, digits and '_' (63 at most)
 * @return 0, FERRY_EINVALID (a bad name) or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_db_set_param(
	ferry_db *db, const char *name, const char *value, ferry_error *err);

/**
 * As ferry_migration_sql(), with the values `db` holds for the file's
 * parameters put in (see ferry_db_set_param()), secret ones masked: what
 * a dry run shows. Fails as a run would when a parameter has no value.
 */
FERRY_EXTERN int ferry_migration_sql_params(char **out, int *line, ferry_db *db,
	const ferry_set *set, const ferry_migration *m, const char *section,
	ferry_error *err);

/** "sqlite" or "postgres". */
FERRY_EXTERN const char *ferry_db_engine(const ferry_db *db);

/** The server's or the library's version, e.g. "3.40.1". */
FERRY_EXTERN const char *ferry_db_server_version(const ferry_db *db);

/** The URL with any password replaced by "****". */
FERRY_EXTERN const char *ferry_db_display_url(const ferry_db *db);

/**
 * Mask the password in a database URL or keyword string.
 *
 * @return a new string to free with ferry_free(), or NULL when out of memory
 */
FERRY_EXTERN char *ferry_url_mask(const char *url);

/**
 * The engine a URL names, without opening anything: "sqlite", "postgres",
 * or NULL when ferry_db_open() would refuse the URL's form.
 */
FERRY_EXTERN const char *ferry_url_engine(const char *url);

/*
 * Status
 */

/**
 * A migration's state. The ledger stores "up", "complete" and "failed"; a
 * migration without a ledger row is pending, and a no-transaction section
 * the ledger calls failed is running while the runner that claimed it
 * holds the runner lock (status and list only).
 */
typedef enum {
	FERRY_STATE_PENDING = 0,
	FERRY_STATE_UP,	      /**< up section applied, finish to run */
	FERRY_STATE_COMPLETE, /**< every section that goes forward ran */
	FERRY_STATE_FAILED,   /**< a section stopped half way */
	FERRY_STATE_RUNNING,  /**< a section being run now */
	FERRY_STATE_UNKNOWN   /**< a name this ferry does not know, written
				 by a newer ferry or by hand: `validate`
				 names it */
} ferry_state;

/**
 * The state's name, as the ledger and the JSON output spell it:
 * "pending", "up", "complete", "failed", "running", or "unknown".
 */
FERRY_EXTERN const char *ferry_state_name(ferry_state state);

/** One migration as the files and the ledger see it together. */
typedef struct {
	int64_t version;	  /**< as ferry_migration has it */
	const char *version_text; /**< as ferry_migration has it */
	const char *name;	  /**< from the file, else from the ledger */
	const char
		*release;  /**< from the files, else from the ledger; or NULL */
	ferry_state state; /**< its name: ferry_state_name() */
	const char *up_at; /**< RFC 3339 UTC, or NULL */
	const char *finish_at;	/**< RFC 3339 UTC, or NULL */
	int64_t up_ms;		/**< -1 when not applied */
	int64_t finish_ms;	/**< -1 when not finished */
	const char *applied_by; /**< "user@host", or NULL */
	int drift;		/**< the file changed after it was applied */
	int in_files;		/**< 0: applied, but no file has this version */
	int has_finish;		/**< it has a finish section */
	int failed_statement;	/**< failed, running: 1-based statement it
				   stopped at, or runs now */
	const char *error;	/**< failed: the error text, or NULL */
	const char *section;	/**< failed, running: "up", "finish", "down" */
	int statements;		/**< running: statements in the section, or 0 */
	/**
	 * A repeatable migration (ferry_status_repeatable_at()): state
	 * pending (never ran) or complete; `drift` when its text changed
	 * since it last ran, so that `up` runs it again; `up_at`, `up_ms`
	 * and `applied_by` of its last run.
	 */
	int repeatable;
	/**
	 * Applied, older than every file: a migration a squashed set (or a
	 * baseline) left out. `in_files` is 0, but it is not counted as
	 * `unknown`: the database has moved past it (else see `behind`).
	 */
	int retired;
} ferry_entry;

/** Where a database stands against a migration set. */
typedef struct {
	const char *engine;	    /**< "sqlite" or "postgres" */
	const char *server_version; /**< as ferry_db_server_version() */
	const char *database;	    /**< URL, password masked */
	int database_exists;	    /**< 0: SQLite file not created yet */
	int ledger_exists;	    /**< 0: no ferry ledger yet */
	const char *head;	    /**< newest version in the files, or NULL */
	const char *current; /**< newest version up or complete, or NULL */
	const char *release_finished;  /**< newest release wholly complete, or
					  NULL */
	const char *release_in_flight; /**< release being rolled out ("2.0+3"),
					  or NULL */
	size_t complete;	       /**< how many migrations are complete */
	size_t up;		       /**< up, their finish to run */
	size_t pending;		       /**< pending */
	size_t failed;		       /**< failed */
	size_t unknown; /**< applied, in a state ferry does not know */
	size_t ndrift;	/**< how many versions `drift` lists */
	const char *const *drift; /**< versions whose files changed */
	int lock_held;		  /**< a runner holds the runner lock now */
	const char *
		lock_holder; /**< "pid 123 on host (user) since ...", or NULL */
	const char *last_action;  /**< newest history action, or NULL */
	const char *last_version; /**< its version, or NULL */
	const char *last_by;	  /**< who did it, or NULL */
	const char *last_at;	  /**< when, RFC 3339 UTC, or NULL */
	int last_success;	  /**< 0 when the last action failed */
	size_t running; /**< sections running now (counted apart from failed) */
	/**
	 * 1 when the ledger could not be read because a migration holds the
	 * database (SQLite, during a long write): the status then says only
	 * what the files and the runner lock tell, and every count is 0.
	 */
	int busy;
	/**
	 * Repeatable migrations in the files, and how many of them `up`
	 * would run: never run, or changed since they last ran.
	 */
	size_t repeatables;
	size_t repeatables_changed; /**< of `repeatables`, to run again */
	/** Applied migrations older than every file (ferry_entry.retired). */
	size_t retired;
	/**
	 * The database is behind the files, at a release older than the
	 * oldest these files upgrade from: "release 1.1"; NULL if not.
	 * `up`, `finish` and `migrate` refuse it.
	 */
	const char *behind;
	/** With `behind`: "release 1.2", the oldest these files upgrade
	 * from; and 1 when it is that release but not finished. */
	const char *behind_oldest;
	int behind_unfinished; /**< see `behind_oldest` */
	/**
	 * No ferry ledger yet, but another tool's: "'goose_db_version'
	 * (goose)", for ferry_adopt(); NULL if none.
	 */
	const char *foreign_ledger;
} ferry_status;

/**
 * The other sessions connected to the database, grouped by application,
 * user and client (ferry_sessions_get()). Borrowed from the list.
 */
typedef struct {
	const char *application; /**< its application_name, or "" */
	const char *user;	 /**< "?" when the server does not say */
	/** its address, "local" (a Unix socket), or "?" when the server
	 * hides it from this user */
	const char *client;
	size_t count; /**< sessions in the group */
	/** their states, "idle, idle in transaction"; "?" when the server
	 * hides them from this user */
	const char *states;
	const char *since; /**< the oldest one's start, UTC, or "" */
	int ferry;	   /**< other ferry runners (waiting for the lock) */
} ferry_session;

/** The list ferry_sessions_get() gives. */
typedef struct ferry_sessions ferry_sessions;

/**
 * Who else is connected to the database, leaving out this handle's own
 * connections. PostgreSQL asks the server (pg_stat_activity); SQLite
 * keeps no such list, and the result says it does not know. Reads only.
 *
 * @param[out] out  the list; free with ferry_sessions_free()
 * @return 0, FERRY_EDB or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_sessions_get(
	ferry_sessions **out, ferry_db *db, ferry_error *err);
/** 1 when the engine can tell who is connected (PostgreSQL), else 0. */
FERRY_EXTERN int ferry_sessions_known(const ferry_sessions *sessions);
/** Number of groups. */
FERRY_EXTERN size_t ferry_sessions_count(const ferry_sessions *sessions);
/** Group `i` (0-based, the largest first), or NULL when out of range. */
FERRY_EXTERN const ferry_session *ferry_sessions_at(
	const ferry_sessions *sessions, size_t i);
/** Free a list; NULL does nothing. */
FERRY_EXTERN void ferry_sessions_free(ferry_sessions *sessions);

/**
 * Compare the database with a migration set. Reads only; takes no lock.
 *
 * @param[out] out  the status; free with ferry_status_free()
 * @param set       the migration set, or NULL to report the ledger alone
 * @return 0, FERRY_EDB or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_status_get(ferry_status **out, ferry_db *db,
	const ferry_set *set, ferry_error *err);

/** Free a status; NULL does nothing. */
FERRY_EXTERN void ferry_status_free(ferry_status *status);

/** Number of migrations in the status: files and ledger merged. */
FERRY_EXTERN size_t ferry_status_count(const ferry_status *status);
/** Migration `i` (0-based, by version), or NULL when out of range. */
FERRY_EXTERN const ferry_entry *ferry_status_at(
	const ferry_status *status, size_t i);
/** Number of repeatable migrations in the status: those of the files. */
FERRY_EXTERN size_t ferry_status_repeatable_count(const ferry_status *status);
/** Repeatable migration `i` (0-based, by name), or NULL when out of range. */
FERRY_EXTERN const ferry_entry *ferry_status_repeatable_at(
	const ferry_status *status, size_t i);

/*
 * Applying migrations
 */

/**
 * Options of ferry_up(), ferry_finish(), ferry_migrate(),
 * ferry_bootstrap(), ferry_rollback() and ferry_plan_get().
 */
typedef struct {
	unsigned int version;	/**< FERRY_UP_OPTIONS_VERSION */
	const char *to;		/**< a version or a release; NULL for head */
	int allow_out_of_order; /**< apply versions older than the newest
				   applied */
	int single_transaction; /**< every pending migration in one transaction */
	int dry_run; /**< plan only: the report lists the steps, nothing runs */
	/**
	 * A trial: every transactional section runs in one transaction that
	 * is rolled back at the end, ledger untouched; no-transaction
	 * sections are reported `not_tried`.
	 */
	int check;
	/**
	 * Version 2: NULL, or a version or release. A database that holds
	 * objects but no ferry ledger is refused (FERRY_EREFUSED); with a
	 * baseline, the migrations up to it are first recorded as complete
	 * without running (as ferry_stamp() does), and the run goes on from
	 * there. Ignored once the ledger has rows. Not with dry_run or check.
	 */
	const char *baseline;
	/**
	 * Version 3. A section marked `confirm` (`-- ferry:up confirm`), and
	 * `rerun`, run only once confirmed: `yes`, or `confirm` returning
	 * nonzero. `confirm` is called after the runner lock is taken and the
	 * run decided, before anything is written, once per step that asks
	 * (`section` is "up", "finish", "down" or "rerun"). Without either,
	 * or when it says no, the run is refused (FERRY_EREFUSED) and nothing
	 * changes. A dry run and a check ask nothing.
	 */
	int yes; /**< every confirmation is yes */
	/** asked once per step that needs a yes; nonzero is yes */
	int (*confirm)(
		const ferry_migration *m, const char *section, void *payload);
	void *confirm_payload; /**< passed to `confirm` */
	/**
	 * Version 3, ferry_up() only: a version whose migration is applied
	 * (`up`, or `complete` without a finish section that ran) and whose
	 * up section runs in a transaction: that section runs again, nothing
	 * else, recorded as a `rerun` (Kong's `migrations up -f`). It must be
	 * confirmed.
	 */
	const char *rerun;
	/**
	 * Version 4. Refuse (FERRY_EREFUSED) before anything is written when
	 * ferry_lint(), with the database's engine, finds an error that no
	 * allow suppressed in a section the run would run.
	 */
	int strict;
	/**
	 * Version 5. Run an up section that still holds only the placeholder
	 * line of ferry_migration_new()'s template. Without it such a run is
	 * refused (FERRY_EREFUSED) before anything is written, naming the
	 * file and line: the migration was created and never written.
	 */
	int allow_empty;
} ferry_up_options;

/** The version of ferry_up_options this header declares. Versions 1 (without
 * baseline), 2 (without confirm, rerun), 3 (without strict) and 4 (without
 * allow_empty) are still accepted. */
#define FERRY_UP_OPTIONS_VERSION 5
/**
 * ferry_up_options with every default, to declare one with; in a
 * language without C macros, ferry_up_options_init().
 */
#define FERRY_UP_OPTIONS_INIT \
	{ \
		FERRY_UP_OPTIONS_VERSION, NULL, 0, 0, 0, 0, NULL, 0, NULL, \
			NULL, NULL, 0, 0 \
	}

/**
 * Fill `opts` with FERRY_UP_OPTIONS_INIT, for languages without C macros.
 *
 * @param version  the caller's FERRY_UP_OPTIONS_VERSION: the fields of
 *                 that version are set, and nothing past them, so that a
 *                 program written for an older ferry.h is safe with a
 *                 newer library
 * @return 0, or FERRY_EINVALID when `opts` is NULL or `version` is 0 or
 *         newer than this library's
 */
FERRY_EXTERN int ferry_up_options_init(
	ferry_up_options *opts, unsigned int version);

/** One step a run took. Owned by its report. */
typedef struct {
	const char *action; /**< "up", "finish", "down", "repeatable" */
	const ferry_migration *migration; /**< owned by the set */
	int64_t elapsed_ms;		  /**< how long it ran */
	size_t resumed_at; /**< 1-based statement a resumed section restarted
			      at, or 0 */
	int not_tried;	   /**< check: a no-transaction section, not run */
	/**
	 * SQLite: how long the step held the database's write lock, in
	 * which the application could not write; -1 where not measured
	 * (PostgreSQL locks rows and tables, not the database).
	 */
	int64_t write_lock_ms;
	int lock_retries; /**< tries it took beyond the first (lock budget) */
} ferry_step;

/** What a run did. */
typedef struct ferry_report ferry_report;

/** Steps taken, in order. */
FERRY_EXTERN size_t ferry_report_count(const ferry_report *report);
/** Step `i` (0-based), or NULL when out of range. */
FERRY_EXTERN const ferry_step *ferry_report_at(
	const ferry_report *report, size_t i);
/** The newest version applied to the database after the run, or NULL. */
FERRY_EXTERN const char *ferry_report_version(const ferry_report *report);
/** The release of that version, or NULL. */
FERRY_EXTERN const char *ferry_report_release(const ferry_report *report);
/**
 * The unfinished checkpoint release that stopped `up` short of its target,
 * or NULL. `up` applied what came before it; the CLI exits 5.
 */
FERRY_EXTERN const char *ferry_report_checkpoint(const ferry_report *report);
/** Nonzero when this run waited for another runner's lock. */
FERRY_EXTERN int ferry_report_waited(const ferry_report *report);

/**
 * Did the run stop because another runner applied one of its sections
 * meanwhile (FERRY_EVENT_OTHER_RUNNER)? The ledger, not the runner lock,
 * makes sure no section runs twice.
 */
FERRY_EXTERN int ferry_report_other_runner(const ferry_report *report);

/**
 * How many migrations `baseline` (ferry_up_options) recorded as complete
 * without running them before the run; 0 when it had nothing to do.
 */
FERRY_EXTERN size_t ferry_report_baselined(const ferry_report *report);
/** Free a report; NULL does nothing. */
FERRY_EXTERN void ferry_report_free(ferry_report *report);

/**
 * Apply the `up` sections of pending migrations, oldest first.
 *
 * Takes the runner lock first; a second runner waits up to the lock timeout,
 * then finds the work done and returns 0 with an empty report. Each
 * transactional section runs in one transaction with its ledger row, so a
 * crash leaves a migration wholly applied or not at all. A migration with a
 * `finish` section is left in state "up"; one without goes to "complete".
 * Stops at the first failure; migrations applied before it stay applied. A
 * `no-transaction` section that stopped half way is resumed at the
 * statement that failed, after checking that the statements before it are
 * unchanged.
 *
 * Refuses (FERRY_EREFUSED) before changing anything when the database has
 * versions the files lack, when an applied file changed (drift), or when a
 * pending migration is older than the newest applied one and
 * `allow_out_of_order` is not set.
 *
 * @param[out] out  what ran; free with ferry_report_free(). NULL on failure.
 * @param db        an open database
 * @param set       the migration set; not modified
 * @param opts      NULL, or FERRY_UP_OPTIONS_INIT plus changes
 * @return 0, FERRY_EDB, FERRY_ELOCKED, FERRY_EREFUSED, FERRY_EINVALID or
 *         FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_up(ferry_report **out, ferry_db *db,
	const ferry_set *set, const ferry_up_options *opts, ferry_error *err);

/**
 * Apply the `finish` sections of migrations in state "up", oldest first, up
 * to `opts->to` (a version or a release; NULL for all). Each runs in one
 * transaction with its ledger row, which becomes "complete". Same lock,
 * refusals and failure rules as ferry_up(); `allow_out_of_order` is unused.
 */
FERRY_EXTERN int ferry_finish(ferry_report **out, ferry_db *db,
	const ferry_set *set, const ferry_up_options *opts, ferry_error *err);

/**
 * `up`, then `finish`, all the way to `opts->to`: at each unfinished
 * checkpoint release on the way, the migrations up to it are finished
 * before later ones go up. The one-shot upgrade with downtime.
 */
FERRY_EXTERN int ferry_migrate(ferry_report **out, ferry_db *db,
	const ferry_set *set, const ferry_up_options *opts, ferry_error *err);

/**
 * ferry_migrate() to head on a fresh database. Refuses (FERRY_EREFUSED),
 * before anything runs, a database that holds any object of the user's
 * (a table or view; on PostgreSQL also a sequence, type or function), or a
 * ledger with rows, naming a few of them.
 */
FERRY_EXTERN int ferry_bootstrap(ferry_report **out, ferry_db *db,
	const ferry_set *set, const ferry_up_options *opts, ferry_error *err);

/**
 * Revert the unfinished rollout: every migration from the oldest one in
 * state "up" to the newest, newest first, with its `down` section, each in
 * one transaction with the removal of its ledger row. Refuses
 * (FERRY_EREFUSED) before anything runs when one of them has no down
 * section, stopped half way, or was finished. Of `opts` (may be NULL),
 * only `dry_run` is used.
 */
FERRY_EXTERN int ferry_rollback(ferry_report **out, ferry_db *db,
	const ferry_set *set, const ferry_up_options *opts, ferry_error *err);

/** Options of ferry_down(). */
typedef struct {
	unsigned int version; /**< FERRY_DOWN_OPTIONS_VERSION */
	const char *to; /**< keep this version or release and older; "0": none */
	size_t steps;	/**< or: revert this many newest; exactly one is set */
	int force;	/**< revert migrations whose finish section ran */
	int dry_run;	/**< plan only: the report lists the steps */
	int check;	/**< a trial, rolled back: see ferry_up_options */
	/** Version 2: confirmations, as ferry_up_options has them */
	int yes; /**< every confirmation is yes */
	/** asked once per step that needs a yes; nonzero is yes */
	int (*confirm)(
		const ferry_migration *m, const char *section, void *payload);
	void *confirm_payload; /**< passed to `confirm` */
} ferry_down_options;

/** The version of ferry_down_options this header declares. Version 1, without
 * confirmations, is still accepted. */
#define FERRY_DOWN_OPTIONS_VERSION 2
/**
 * ferry_down_options with every default, to declare one with; in a
 * language without C macros, ferry_down_options_init().
 */
#define FERRY_DOWN_OPTIONS_INIT \
	{ \
		FERRY_DOWN_OPTIONS_VERSION, NULL, 0, 0, 0, 0, 0, NULL, NULL \
	}

/**
 * Fill `opts` with FERRY_DOWN_OPTIONS_INIT, for languages without C macros.
 *
 * @param version  the caller's FERRY_DOWN_OPTIONS_VERSION: the fields of
 *                 that version are set, and nothing past them, so that a
 *                 program written for an older ferry.h is safe with a
 *                 newer library
 * @return 0, or FERRY_EINVALID when `opts` is NULL or `version` is 0 or
 *         newer than this library's
 */
FERRY_EXTERN int ferry_down_options_init(
	ferry_down_options *opts, unsigned int version);

/**
 * Revert applied migrations newest first with their `down` sections. A
 * finished migration (its finish section ran and may have dropped data)
 * is refused without `force`; so is one without a down section. Nothing
 * runs when anything is refused.
 */
FERRY_EXTERN int ferry_down(ferry_report **out, ferry_db *db,
	const ferry_set *set, const ferry_down_options *opts, ferry_error *err);

/*
 * Plans
 */

/** One step a run would take. Owned by its plan. */
typedef struct {
	const char *action;		  /**< "up", "finish" or "repeatable" */
	const ferry_migration *migration; /**< owned by the set */
	int checkpoint; /**< the migration's release is a checkpoint */
	int by_up;	/**< `up --to` the same target takes this step too */
} ferry_plan_step;

/** The steps ferry_plan_get() found. */
typedef struct ferry_plan ferry_plan;

/**
 * The steps ferry_migrate() would take with `opts` (NULL: to head), without
 * touching the database: not even the lock is taken. Steps marked `by_up`
 * are those ferry_up() alone would take before the first unfinished
 * checkpoint.
 *
 * @return 0, FERRY_EREFUSED (what a run would refuse), FERRY_EINVALID,
 *         FERRY_EDB or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_plan_get(ferry_plan **out, ferry_db *db,
	const ferry_set *set, const ferry_up_options *opts, ferry_error *err);
/** How many steps. */
FERRY_EXTERN size_t ferry_plan_count(const ferry_plan *plan);
/** Step `i` (0-based, in order), or NULL when out of range. */
FERRY_EXTERN const ferry_plan_step *ferry_plan_at(
	const ferry_plan *plan, size_t i);
/** The unfinished checkpoint where `up` alone would stop, or NULL. */
FERRY_EXTERN const char *ferry_plan_checkpoint(const ferry_plan *plan);
/** Free a plan; NULL does nothing. */
FERRY_EXTERN void ferry_plan_free(ferry_plan *plan);

/*
 * Releases
 */

/**
 * Can an application of `release` run on this database now? Yes when every
 * migration up to the release's last version is at least "up", and no
 * newer migration with a finish section has been finished (its finish
 * may have dropped what the release uses). Reads only.
 *
 * The release is looked up in the set's `releases` file, else in the
 * ledger, so an old application can ask about a database that newer
 * releases migrated; `set` may be NULL to ask the ledger alone.
 *
 * @return 0 (yes), FERRY_ENOTREADY (no: `err` says why), FERRY_EINVALID
 *         (unknown release), FERRY_EDB or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_check_release(ferry_db *db, const ferry_set *set,
	const char *release, ferry_error *err);

/**
 * Append `<name> <head> [checkpoint]` to the set's `releases` file: the
 * newest migration of the set is the last of release `name`. Refuses a
 * name already used and a release with no migration since the last one.
 *
 * @return 0, FERRY_EINVALID or FERRY_ERROR (an I/O error)
 */
FERRY_EXTERN int ferry_release_add(const ferry_set *set, const char *name,
	int checkpoint, ferry_error *err);

/*
 * History
 */

/** One row of the audit log. */
typedef struct {
	int64_t id;	/**< ascending, in the order of the actions */
	const char *at; /**< RFC 3339 UTC */
	const char
		*action; /**< "up", "finish", "down", "stamp", "repair", ... */
	const char *version;	   /**< or NULL */
	const char *name;	   /**< or NULL */
	const char *release;	   /**< or NULL */
	const char *by;		   /**< "user@host" */
	int64_t duration_ms;	   /**< -1 when not measured */
	int success;		   /**< 0 when the action failed */
	const char *error;	   /**< the failure, or NULL */
	const char *ferry_version; /**< of the ferry that acted */
	const char *note; /**< what a successful action changed (repair), or
			     NULL */
} ferry_history_entry;

/** The audit log ferry_history_get() read. */
typedef struct ferry_history ferry_history;

/**
 * Read the audit log, newest first.
 *
 * @param[out] out  free with ferry_history_free(); empty when there is no ledger
 * @param limit     at most this many rows; 0 for all
 * @return 0, FERRY_EDB or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_history_get(
	ferry_history **out, ferry_db *db, size_t limit, ferry_error *err);
/** How many rows. */
FERRY_EXTERN size_t ferry_history_count(const ferry_history *history);
/** Row `i` (0-based, newest first), or NULL when out of range. */
FERRY_EXTERN const ferry_history_entry *ferry_history_at(
	const ferry_history *history, size_t i);
/** Free the log; NULL does nothing. */
FERRY_EXTERN void ferry_history_free(ferry_history *history);

/*
 * Linting for live traffic
 */

/** How much a lint finding matters. */
typedef enum {
	FERRY_LINT_WARNING = 1, /**< worth a look; does not fail the lint */
	FERRY_LINT_ERROR = 2	/**< breaks the previous release, or blocks
				   traffic: `ferry lint` exits 5 */
} ferry_lint_level;

/** One statement `ferry_lint()` flagged. Owned by its result. */
typedef struct {
	const char *file; /**< the migration file, as the set names it */
	int line;	  /**< 1-based */
	int column;	  /**< 1-based, in bytes */
	const ferry_migration *migration; /**< owned by the set */
	const char *section;		  /**< "up", "finish" or "down" */
	const char *rule;	/**< a stable id: "up-drop-column", ... */
	ferry_lint_level level; /**< error or warning */
	/**
	 * "sqlite", "postgres", or "any" for a rule of both engines when
	 * both were linted (no engine chosen)
	 */
	const char *engine;
	const char *message; /**< what the statement does: one line */
	const char *why;     /**< how it hurts live traffic */
	const char *fix;     /**< what to write instead */
	/**
	 * The rule is one that breaks the previous release (an `up-*` rule):
	 * once it ran, that release can no longer run on the database.
	 */
	int breaking;
	int allowed;	    /**< suppressed by `-- ferry:allow RULE reason` */
	const char *reason; /**< the allow's reason, or NULL */
} ferry_lint_finding;

/** Options of ferry_lint(). */
typedef struct {
	unsigned int version; /**< FERRY_LINT_OPTIONS_VERSION */
	/**
	 * "sqlite" or "postgres": that engine's rules and the rules of both;
	 * NULL: every rule, each finding tagged with its engine
	 */
	const char *engine;
} ferry_lint_options;

/** The version of ferry_lint_options this header declares. */
#define FERRY_LINT_OPTIONS_VERSION 1
/**
 * ferry_lint_options with every default, to declare one with; in a
 * language without C macros, ferry_lint_options_init().
 */
#define FERRY_LINT_OPTIONS_INIT \
	{ \
		FERRY_LINT_OPTIONS_VERSION, NULL \
	}

/**
 * Fill `opts` with FERRY_LINT_OPTIONS_INIT, for languages without C macros.
 *
 * @param version  the caller's FERRY_LINT_OPTIONS_VERSION: the fields of
 *                 that version are set, and nothing past them, so that a
 *                 program written for an older ferry.h is safe with a
 *                 newer library
 * @return 0, or FERRY_EINVALID when `opts` is NULL or `version` is 0 or
 *         newer than this library's
 */
FERRY_EXTERN int ferry_lint_options_init(
	ferry_lint_options *opts, unsigned int version);

/** What ferry_lint() found. */
typedef struct ferry_lint_result ferry_lint_result;

/**
 * Read the sections of every migration of `set` for statements that hurt
 * an application running on the database while they run: in an `up`
 * section, whatever breaks the previous release (it still runs, in the
 * blue-green model; that belongs in `finish`); in every section, what
 * blocks reads or writes for long (a table rewrite, an index built
 * without CONCURRENTLY, a whole-table UPDATE). Offline: reads the files
 * only, never a database. A table is taken as existing, with traffic on
 * it, unless the same migration created it.
 *
 * A statement preceded by (or with on its first line) the comment
 * `-- ferry:allow RULE reason` keeps its finding, marked allowed. An
 * allow without a reason, or naming no rule ferry knows, is a finding.
 * Findings are a result, not an error: the call returns 0 with every
 * finding, in file order. Code migrations and repeatable ones are not
 * read; a section that does not split is skipped (it fails when it runs).
 *
 * @param[out] out  free with ferry_lint_result_free(). NULL on failure.
 * @param set       the migration set; not modified
 * @param opts      NULL, or FERRY_LINT_OPTIONS_INIT plus changes
 * @param err       filled on failure; may be NULL
 * @return 0, FERRY_EINVALID (an unknown engine, an unreadable file) or
 *         FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_lint(ferry_lint_result **out, const ferry_set *set,
	const ferry_lint_options *opts, ferry_error *err);
/** How many findings. */
FERRY_EXTERN size_t ferry_lint_result_count(const ferry_lint_result *r);
/** Finding `i` (0-based), or NULL when out of range. */
FERRY_EXTERN const ferry_lint_finding *ferry_lint_result_at(
	const ferry_lint_result *r, size_t i);
/** How many findings are errors that no allow suppressed. */
FERRY_EXTERN size_t ferry_lint_result_errors(const ferry_lint_result *r);
/** Free a result; NULL does nothing. */
FERRY_EXTERN void ferry_lint_result_free(ferry_lint_result *r);

/*
 * Validate, repair, stamp
 */

/** One problem `ferry_validate()` found. Owned by its validation. */
typedef struct {
	/**
	 * "drift" (a section changed after it ran), "ahead" (applied, no
	 * file has it), "out_of_order" (pending, older than the newest
	 * applied), "failed" (a no-transaction section stopped half way) or
	 * "ledger" (the ledger row contradicts itself)
	 */
	const char *kind;
	int64_t version;	  /**< the migration it is about */
	const char *version_text; /**< the same, as text */
	const char *name;	  /**< from the file, else from the ledger */
	const char *message;	  /**< what is wrong: one line, lowercase */
	const char *hint;	  /**< what to do: one line */
} ferry_finding;

/** The findings ferry_validate() gives. */
typedef struct ferry_validation ferry_validation;

/**
 * Check the migration files against the ledger, and the ledger against
 * itself. Reads only: takes no lock and creates nothing; a database
 * without a ledger has every file pending and nothing to find.
 *
 * Findings are a result, not an error: the call returns 0 with every
 * finding listed, in version order (none when all is well). A migration
 * in state "up" whose finish is pending is not a finding.
 *
 * @param[out] out  free with ferry_validation_free(). NULL on failure.
 * @return 0, FERRY_EDB, FERRY_EINVALID or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_validate(ferry_validation **out, ferry_db *db,
	const ferry_set *set, ferry_error *err);
/** How many findings. */
FERRY_EXTERN size_t ferry_validation_count(const ferry_validation *v);
/** Finding `i` (0-based, by version), or NULL when out of range. */
FERRY_EXTERN const ferry_finding *ferry_validation_at(
	const ferry_validation *v, size_t i);
/** Free a validation; NULL does nothing. */
FERRY_EXTERN void ferry_validation_free(ferry_validation *v);

/** One change `repair` or `stamp` made (or, in a dry run, would make). */
typedef struct {
	const char *action;		  /**< "repair" or "stamp" */
	const ferry_migration *migration; /**< owned by the set */
	const char *what; /**< "accepted the changed up section", ... */
} ferry_change;

/** The changes ferry_repair(), ferry_stamp() and ferry_adopt() made. */
typedef struct ferry_changes ferry_changes;

/** How many changes. */
FERRY_EXTERN size_t ferry_changes_count(const ferry_changes *c);
/** Change `i` (0-based, in order), or NULL when out of range. */
FERRY_EXTERN const ferry_change *ferry_changes_at(
	const ferry_changes *c, size_t i);
/** Nonzero when the call waited for another runner's lock. */
FERRY_EXTERN int ferry_changes_waited(const ferry_changes *c);
/** Free a list of changes; NULL does nothing. */
FERRY_EXTERN void ferry_changes_free(ferry_changes *c);

/** Options of ferry_repair(). */
typedef struct {
	unsigned int version; /**< FERRY_REPAIR_OPTIONS_VERSION */
	/**
	 * 0: a failed section counts as run (the user finished it by hand):
	 * the migration becomes "up" or "complete" (a failed down section:
	 * reverted, its row removed). Nonzero: it counts as not run (the
	 * user undid its statements): a failed up section leaves the
	 * migration pending, a failed finish leaves it "up", a failed down
	 * leaves it as it was before the down.
	 */
	int not_run;
	int dry_run; /**< list the changes, make none */
} ferry_repair_options;

/** The version of ferry_repair_options this header declares. */
#define FERRY_REPAIR_OPTIONS_VERSION 1
/**
 * ferry_repair_options with every default, to declare one with; in a
 * language without C macros, ferry_repair_options_init().
 */
#define FERRY_REPAIR_OPTIONS_INIT \
	{ \
		FERRY_REPAIR_OPTIONS_VERSION, 0, 0 \
	}

/**
 * Fill `opts` with FERRY_REPAIR_OPTIONS_INIT, for languages without C macros.
 *
 * @param version  the caller's FERRY_REPAIR_OPTIONS_VERSION: the fields of
 *                 that version are set, and nothing past them, so that a
 *                 program written for an older ferry.h is safe with a
 *                 newer library
 * @return 0, or FERRY_EINVALID when `opts` is NULL or `version` is 0 or
 *         newer than this library's
 */
FERRY_EXTERN int ferry_repair_options_init(
	ferry_repair_options *opts, unsigned int version);

/**
 * Make the ledger agree with the files after a manual fix: record the
 * files' current checksums for sections that drifted, and clear `failed`
 * (see ferry_repair_options.not_run). Takes the runner lock and reads the
 * ledger again under it; all changes are made in one transaction, each
 * with a ferry_history row of action "repair" whose note says what
 * changed. Nothing to repair: 0 and an empty list.
 *
 * Refuses (FERRY_EREFUSED) a database ahead of the files: the rows the
 * files lack belong to a newer release.
 *
 * @param[out] out  the changes; free with ferry_changes_free(). NULL on
 *                  failure.
 * @param opts      NULL, or FERRY_REPAIR_OPTIONS_INIT plus changes
 * @return 0, FERRY_EREFUSED, FERRY_ELOCKED, FERRY_EDB, FERRY_EINVALID or
 *         FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_repair(ferry_changes **out, ferry_db *db,
	const ferry_set *set, const ferry_repair_options *opts,
	ferry_error *err);

/** Options of ferry_stamp(). */
typedef struct {
	unsigned int version; /**< FERRY_STAMP_OPTIONS_VERSION */
	const char *to;	      /**< a version or a release; required */
	int dry_run;	      /**< list the changes, make none */
	/**
	 * Version 2: do not check that the objects the stamped sections
	 * create are there (see ferry_stamp()). Version 1 callers check.
	 */
	int no_verify;
} ferry_stamp_options;

/** The version of ferry_stamp_options this header declares. */
#define FERRY_STAMP_OPTIONS_VERSION 2
/**
 * ferry_stamp_options with every default, to declare one with; in a
 * language without C macros, ferry_stamp_options_init().
 */
#define FERRY_STAMP_OPTIONS_INIT \
	{ \
		FERRY_STAMP_OPTIONS_VERSION, NULL, 0, 0 \
	}

/**
 * Fill `opts` with FERRY_STAMP_OPTIONS_INIT, for languages without C macros.
 *
 * @param version  the caller's FERRY_STAMP_OPTIONS_VERSION: the fields of
 *                 that version are set, and nothing past them, so that a
 *                 program written for an older ferry.h is safe with a
 *                 newer library
 * @return 0, or FERRY_EINVALID when `opts` is NULL or `version` is 0 or
 *         newer than this library's
 */
FERRY_EXTERN int ferry_stamp_options_init(
	ferry_stamp_options *opts, unsigned int version);

/**
 * Record every pending migration up to `opts->to` as complete (up and
 * finish) without running any of its SQL: for a database that already
 * has the schema. Each row carries the files' checksums, the release and
 * the actor, with a ferry_history row of action "stamp"; all in one
 * transaction, under the runner lock. Migrations already applied are left
 * alone. Creates the ledger if needed (not in a dry run).
 *
 * First, unless `opts->no_verify`, it reads the up and finish sections to
 * be stamped for the tables, views, indexes, sequences, types, functions,
 * triggers and schemas they create (and do not drop or rename again), and
 * refuses when the database lacks any: the error names the first one's
 * file and line, its detail lists them all. Objects made inside a DO
 * block or a function are not seen.
 *
 * @param[out] out  the changes; free with ferry_changes_free(). NULL on
 *                  failure.
 * @return 0, FERRY_EINVALID (no `to`, or no migration or release by that
 *         name), FERRY_EREFUSED (database ahead of the files, drift, a
 *         migration up to the target that stopped half way, objects
 *         missing), FERRY_ELOCKED, FERRY_EDB or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_stamp(ferry_changes **out, ferry_db *db,
	const ferry_set *set, const ferry_stamp_options *opts,
	ferry_error *err);

/** Options of ferry_adopt(). */
typedef struct {
	unsigned int version; /**< FERRY_ADOPT_OPTIONS_VERSION */
	/**
	 * The tool whose ledger to read: "golang-migrate", "dbmate", "goose",
	 * "flyway", "diesel", "sqlx", "prisma" or "sql-migrate"; NULL to find
	 * the one ledger there is.
	 */
	const char *from;
	int dry_run; /**< list the changes, make none */
} ferry_adopt_options;

/** The version of ferry_adopt_options this header declares. */
#define FERRY_ADOPT_OPTIONS_VERSION 1
/**
 * ferry_adopt_options with every default, to declare one with; in a
 * language without C macros, ferry_adopt_options_init().
 */
#define FERRY_ADOPT_OPTIONS_INIT \
	{ \
		FERRY_ADOPT_OPTIONS_VERSION, NULL, 0 \
	}

/**
 * Fill `opts` with FERRY_ADOPT_OPTIONS_INIT, for languages without C macros.
 *
 * @param version  the caller's FERRY_ADOPT_OPTIONS_VERSION: the fields of
 *                 that version are set, and nothing past them, so that a
 *                 program written for an older ferry.h is safe with a
 *                 newer library
 * @return 0, or FERRY_EINVALID when `opts` is NULL or `version` is 0 or
 *         newer than this library's
 */
FERRY_EXTERN int ferry_adopt_options_init(
	ferry_adopt_options *opts, unsigned int version);

/**
 * Take over a database another tool migrated: read that tool's ledger
 * table (golang-migrate's and dbmate's `schema_migrations`,
 * `goose_db_version`, `flyway_schema_history`,
 * `__diesel_schema_migrations`, `_sqlx_migrations`, `_prisma_migrations`,
 * sql-migrate's `gorp_migrations`), map each migration it ran onto the
 * set's files (by version; Prisma and sql-migrate by name), and record
 * those ferry has no row for as complete, as ferry_stamp() does, each with
 * a ferry_history row of action "adopt": in one transaction, under the
 * runner lock. The other tool's table is only read. Adopting again adds
 * only what is new.
 *
 * Refuses (FERRY_EREFUSED), writing nothing: no such ledger; a row in a
 * bad state (golang-migrate `dirty`, Flyway or sqlx `success` false,
 * Prisma `finished_at` null, or rolled back and not applied again),
 * named; a migration it ran that no file has; a file that no longer
 * matches the checksum the tool kept (Flyway's CRC32, sqlx's SHA-384,
 * Prisma's SHA-256); a database ahead of the files, or drifted. Several
 * tools' ledgers without `opts->from`, or an unknown tool, is
 * FERRY_EINVALID.
 *
 * @param[out] out   the changes (action "adopt"); free with
 *                   ferry_changes_free(). NULL on failure.
 * @param[out] tool  NULL, or the tool whose ledger was read, to free with
 *                   ferry_free() (NULL when none was read)
 * @param opts       NULL, or FERRY_ADOPT_OPTIONS_INIT plus changes
 * @return 0, FERRY_EREFUSED, FERRY_EINVALID, FERRY_ELOCKED, FERRY_EDB or
 *         FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_adopt(ferry_changes **out, ferry_db *db,
	const ferry_set *set, const ferry_adopt_options *opts, char **tool,
	ferry_error *err);

/*
 * Backup and restore
 */

/**
 * Progress of a long copy: `done` of `total` units (SQLite: pages). A
 * total of 0 means unknown. Called from the copying thread.
 */
typedef void (*ferry_backup_progress_cb)(
	uint64_t done, uint64_t total, void *payload);

/** Options of ferry_backup_create(), ferry_restore() and ferry_restore_check().
 */
typedef struct {
	unsigned int version; /**< FERRY_BACKUP_OPTIONS_VERSION */
	/**
	 * The file to write; it must not exist. NULL: a new name
	 * `<database>-<UTC time>-v<version>.<sqlite|pgdump>` in `dir`.
	 */
	const char *path;
	const char *dir; /**< where a made-up name goes; NULL: cwd */
	/**
	 * PostgreSQL: the directory of pg_dump, pg_restore and psql, and the
	 * only one searched. NULL: PATH, then `/usr/lib/postgresql/<N>/bin`,
	 * newest first.
	 */
	const char *pg_bindir;
	ferry_backup_progress_cb progress; /**< or NULL */
	void *payload;			   /**< passed to `progress` */
} ferry_backup_options;

/** The version of ferry_backup_options this header declares. */
#define FERRY_BACKUP_OPTIONS_VERSION 1
/**
 * ferry_backup_options with every default, to declare one with; in a
 * language without C macros, ferry_backup_options_init().
 */
#define FERRY_BACKUP_OPTIONS_INIT \
	{ \
		FERRY_BACKUP_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL \
	}

/**
 * Fill `opts` with FERRY_BACKUP_OPTIONS_INIT, for languages without C macros.
 *
 * @param version  the caller's FERRY_BACKUP_OPTIONS_VERSION: the fields of
 *                 that version are set, and nothing past them, so that a
 *                 program written for an older ferry.h is safe with a
 *                 newer library
 * @return 0, or FERRY_EINVALID when `opts` is NULL or `version` is 0 or
 *         newer than this library's
 */
FERRY_EXTERN int ferry_backup_options_init(
	ferry_backup_options *opts, unsigned int version);

/** A backup file and the ledger state it holds. */
typedef struct ferry_backup ferry_backup;

/** The file's path. */
FERRY_EXTERN const char *ferry_backup_path(const ferry_backup *b);
/** "sqlite" or "postgres". */
FERRY_EXTERN const char *ferry_backup_engine(const ferry_backup *b);
/** The newest version applied (up or complete) in it, or NULL: none. */
FERRY_EXTERN const char *ferry_backup_version(const ferry_backup *b);
/** The release of that version, or NULL. */
FERRY_EXTERN const char *ferry_backup_release(const ferry_backup *b);
/** How many migrations its ledger holds as applied. */
FERRY_EXTERN size_t ferry_backup_applied(const ferry_backup *b);
/** The file's size in bytes. */
FERRY_EXTERN int64_t ferry_backup_bytes(const ferry_backup *b);
/** Free it (the file stays); NULL does nothing. */
FERRY_EXTERN void ferry_backup_free(ferry_backup *b);

/**
 * Write a consistent copy of the whole database to a new file, mode 0600.
 *
 * Takes the runner lock first (waiting as ferry_up() does), so no
 * migration runs meanwhile and the ledger in the copy is the one reported;
 * the application may go on reading and writing. SQLite: the online backup
 * API, in steps, each reported to `progress`. PostgreSQL: `pg_dump -Fc`,
 * started without a shell, the password (if the URL has one) in its
 * environment as PGPASSWORD, never on its command line; its major version
 * must be at least the server's. The copy is written to a hidden file
 * beside the final name and renamed into place when whole, so no partial
 * file ever has the final name; an existing file is never overwritten or
 * followed.
 *
 * @param[out] out  what was written; free with ferry_backup_free()
 * @param db        an open database (read-only is enough)
 * @param opts      NULL, or FERRY_BACKUP_OPTIONS_INIT plus changes
 * @return 0, FERRY_EINVALID (the file exists, a missing database, an
 *         in-memory one, pg_dump missing or too old), FERRY_ELOCKED,
 *         FERRY_EDB (the copy failed), FERRY_ERROR (an I/O error) or
 *         FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_backup_create(ferry_backup **out, ferry_db *db,
	const ferry_backup_options *opts, ferry_error *err);

/**
 * Everything ferry_restore() checks before it changes anything: the file
 * exists, is a ferry backup (a SQLite database, or a `pg_dump -Fc`
 * archive), of this database's engine, and (PostgreSQL) pg_restore and
 * psql are there. Touches nothing. Of `opts`, only `pg_bindir` is used.
 *
 * @return 0 or FERRY_EINVALID, with what to do in `err`
 */
FERRY_EXTERN int ferry_restore_check(ferry_db *db, const char *path,
	const ferry_backup_options *opts, ferry_error *err);

/**
 * Replace the whole database with a backup, under the runner lock.
 *
 * All or nothing: SQLite copies the file in with the online backup API in
 * one write transaction of the database (a kill leaves the old database,
 * rolled back from its journal, or the new one); PostgreSQL drops the
 * objects of every schema and restores the archive (`pg_restore` into
 * `psql`) in one transaction, committed only when pg_restore read the
 * whole archive, so a kill leaves the old database. Asking the user first
 * is the caller's business.
 *
 * @param[out] out  the restored state (the ledger now in the database);
 *                  NULL to ignore; free with ferry_backup_free()
 * @return 0, FERRY_EINVALID (see ferry_restore_check()), FERRY_ELOCKED,
 *         FERRY_EDB (the restore failed; the database is as it was),
 *         FERRY_ERROR or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_restore(ferry_backup **out, ferry_db *db,
	const char *path, const ferry_backup_options *opts, ferry_error *err);

/** A backup file ferry named itself. Owned by its ferry_backups. */
typedef struct {
	const char *path;    /**< the directory as given, then the file */
	const char *time;    /**< UTC time in its name: "20261130T120000Z" */
	const char *version; /**< the version in its name; "0": none applied */
} ferry_backup_file;

/** The backups of one database in one directory, oldest first. */
typedef struct ferry_backups ferry_backups;

/**
 * List the backups of `db` in `dir` that ferry_backup_create() named
 * itself (no `path` in its options): regular files named
 * `DATABASE-TIME-vVERSION[-N].EXT` after this database (DATABASE is,
 * on SQLite, its file name without the extension; on PostgreSQL, the
 * database name; TIME is UTC) with its engine's extension EXT (`sqlite`,
 * `pgdump`). Anything else is left out: other files, other databases'
 * backups, a backup renamed by hand, a link. Oldest first: by the time in the
 * name, then, within one second, by modification time. Reads only the
 * directory; takes no lock.
 *
 * @param[out] out  free with ferry_backups_free(). NULL on failure.
 * @param db        an open database (read-only is enough)
 * @param dir       the directory, as ferry_backup_options.dir; NULL or
 *                  "": the current directory
 * @return 0, FERRY_EINVALID (no `out` or `db`, an in-memory database),
 *         FERRY_ERROR (the directory cannot be read) or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_backup_list(
	ferry_backups **out, ferry_db *db, const char *dir, ferry_error *err);
/** How many backups the list holds; 0 for NULL. */
FERRY_EXTERN size_t ferry_backups_count(const ferry_backups *list);
/** Backup `i`, 0 the oldest; NULL when `i` is out of range. */
FERRY_EXTERN const ferry_backup_file *ferry_backups_at(
	const ferry_backups *list, size_t i);
/** Free a list (the files stay); NULL does nothing. */
FERRY_EXTERN void ferry_backups_free(ferry_backups *list);

/*
 * Export
 */

/**
 * Where export output goes when no `path` is given: `len` bytes of JSON
 * Lines, whole lines only. Returns 0, or nonzero to stop the export
 * (FERRY_ERROR, "cannot write the export").
 */
typedef int (*ferry_export_write_cb)(
	const char *data, size_t len, void *payload);

/**
 * Progress of an export: `rows` rows of `table` written so far; called
 * at each table's start (0) and every few thousand rows.
 */
typedef void (*ferry_export_progress_cb)(
	const char *table, uint64_t rows, void *payload);

/** Options of ferry_export(). */
typedef struct {
	unsigned int version; /**< FERRY_EXPORT_OPTIONS_VERSION */
	/**
	 * The tables to export, in this order; NULL (or `ntables` 0): every
	 * table of the user's, by name. A table that does not exist is
	 * FERRY_EINVALID.
	 */
	const char *const *tables;
	size_t ntables; /**< how many `tables` names */
	/**
	 * Row filters: `wheres[i]` is "table:condition", an SQL condition
	 * on that table's rows. A table named by none is exported whole.
	 */
	const char *const *wheres;
	size_t nwheres; /**< how many `wheres` holds */
	/**
	 * A file to write (replaced if it exists), or a directory (one that
	 * exists, or a path ending in '/', made if missing) to write one
	 * `<table>.jsonl` per table into. Each file is written beside its
	 * final name and renamed when the whole export worked. NULL: `write`.
	 */
	const char *path;
	ferry_export_write_cb write;	   /**< without `path`; required then */
	ferry_export_progress_cb progress; /**< or NULL */
	void *payload;	    /**< passed to `write` and `progress` */
	int include_ledger; /**< export ferry's own tables too */
} ferry_export_options;

/** The version of ferry_export_options this header declares. */
#define FERRY_EXPORT_OPTIONS_VERSION 1
/**
 * ferry_export_options with every default, to declare one with; in a
 * language without C macros, ferry_export_options_init().
 */
#define FERRY_EXPORT_OPTIONS_INIT \
	{ \
		FERRY_EXPORT_OPTIONS_VERSION, NULL, 0, NULL, 0, NULL, NULL, \
			NULL, NULL, 0 \
	}

/**
 * Fill `opts` with FERRY_EXPORT_OPTIONS_INIT, for languages without C macros.
 *
 * @param version  the caller's FERRY_EXPORT_OPTIONS_VERSION: the fields of
 *                 that version are set, and nothing past them, so that a
 *                 program written for an older ferry.h is safe with a
 *                 newer library
 * @return 0, or FERRY_EINVALID when `opts` is NULL or `version` is 0 or
 *         newer than this library's
 */
FERRY_EXTERN int ferry_export_options_init(
	ferry_export_options *opts, unsigned int version);

/** What an export wrote. */
typedef struct ferry_export_report ferry_export_report;

/** One exported table. */
typedef struct {
	const char *name; /**< as the database names it */
	uint64_t rows;	  /**< rows written */
	const char *path; /**< its file, or NULL (one file or `write`) */
} ferry_export_table;

/** How many tables were exported. */
FERRY_EXTERN size_t ferry_export_report_count(const ferry_export_report *r);
/** Table `i` (0-based, in export order), or NULL when out of range. */
FERRY_EXTERN const ferry_export_table *ferry_export_report_at(
	const ferry_export_report *r, size_t i);
/** Rows written, all tables together. */
FERRY_EXTERN uint64_t ferry_export_report_rows(const ferry_export_report *r);
/** Free a report (files stay); NULL does nothing. */
FERRY_EXTERN void ferry_export_report_free(ferry_export_report *r);

/**
 * Write the rows of the database's tables as JSON Lines (docs/ferry-export.md
 * has the format): a header record naming the engine, the migration version
 * and release, and each table's columns with their declared types; then
 * one record per row, table by table, in primary key order where there
 * is one.
 *
 * Reads one consistent snapshot (SQLite: one read transaction;
 * PostgreSQL: REPEATABLE READ READ ONLY, TimeZone UTC, DateStyle ISO) and
 * streams it: memory does not grow with the size of a table. ferry's own
 * tables are left out unless `include_ledger`. Takes no lock and writes
 * nothing to the database. On failure no file under `path` is written or
 * replaced; what went to `write` before the failure stays there.
 *
 * @param[out] out  what was written; free with ferry_export_report_free().
 *                  NULL on failure; may be NULL
 * @param db        an open database (read-only is enough)
 * @param opts      FERRY_EXPORT_OPTIONS_INIT plus `path` or `write`
 * @param err       filled on failure; may be NULL
 * @return 0, FERRY_EINVALID (no such table, a condition the engine
 *         refuses, neither `path` nor `write`, a SQLite file that does
 *         not exist), FERRY_ERROR (a file cannot be written, or `write`
 *         said stop), FERRY_EDB or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_export(ferry_export_report **out, ferry_db *db,
	const ferry_export_options *opts, ferry_error *err);

/**
 * Progress of an import or a copy: `rows` rows of `table` loaded so far
 * (of `total`, or 0 when not known), `bytes` the size of their values
 * as read; called at 0 when a table starts.
 */
typedef void (*ferry_load_progress_cb)(const char *table, uint64_t rows,
	uint64_t total, uint64_t bytes, void *payload);

/** Options of ferry_import(). */
typedef struct {
	unsigned int version; /**< FERRY_IMPORT_OPTIONS_VERSION */
	/**
	 * What ferry_export() wrote: one file, or a directory of
	 * `<table>.jsonl` files (export's `-o DIR/`). Required. A file that
	 * cannot be read twice (a pipe) is loaded in its own order.
	 */
	const char *path;
	/** Empty the tables first when they hold rows, rather than refuse. */
	int truncate;
	/** One transaction for every table, rather than one per table. */
	int single_transaction;
	ferry_load_progress_cb progress; /**< or NULL */
	void *payload;			 /**< for `progress` */
	/**
	 * An export from an older migration version than the database's:
	 * load it into a scratch database (SQLite: a file beside the
	 * database; PostgreSQL: a new database on the same server) brought
	 * to the export's version with `set`, migrate that to the database's
	 * version, and copy its tables over (as ferry_copy() does), then
	 * drop it. Every migration of the database must be finished.
	 */
	int via_migrations;
	const ferry_set *set; /**< required with `via_migrations` */
} ferry_import_options;

/** The version of ferry_import_options this header declares. */
#define FERRY_IMPORT_OPTIONS_VERSION 1
/**
 * ferry_import_options with every default, to declare one with; in a
 * language without C macros, ferry_import_options_init().
 */
#define FERRY_IMPORT_OPTIONS_INIT \
	{ \
		FERRY_IMPORT_OPTIONS_VERSION, NULL, 0, 0, NULL, NULL, 0, NULL \
	}

/**
 * Fill `opts` with FERRY_IMPORT_OPTIONS_INIT, for languages without C macros.
 *
 * @param version  the caller's FERRY_IMPORT_OPTIONS_VERSION: the fields of
 *                 that version are set, and nothing past them, so that a
 *                 program written for an older ferry.h is safe with a
 *                 newer library
 * @return 0, or FERRY_EINVALID when `opts` is NULL or `version` is 0 or
 *         newer than this library's
 */
FERRY_EXTERN int ferry_import_options_init(
	ferry_import_options *opts, unsigned int version);

/** What an import or a copy loaded, table by table. */
typedef struct ferry_load_report ferry_load_report;

/** One table loaded. */
typedef struct {
	const char *name; /**< as the target names it */
	uint64_t rows;	  /**< rows loaded (copy: and found in the target) */
	/**
	 * The checksum of those rows, 64 hex digits: by value, in any order,
	 * the same on both engines (docs/ferry-import.md says how)
	 */
	const char *checksum;
	/** copy only: the source's checksum, which `checksum` must equal */
	const char *source_checksum;
	uint64_t source_rows; /**< copy only: the source's row count */
	int skipped; /**< copy only: already there, equal, from a run before */
} ferry_load_table;

/** How many tables. */
FERRY_EXTERN size_t ferry_load_report_count(const ferry_load_report *r);
/** Table `i` (0-based, in the order they were loaded), or NULL. */
FERRY_EXTERN const ferry_load_table *ferry_load_report_at(
	const ferry_load_report *r, size_t i);
/** Rows loaded, all tables. */
FERRY_EXTERN uint64_t ferry_load_report_rows(const ferry_load_report *r);
/** Free a report; NULL does nothing. */
FERRY_EXTERN void ferry_load_report_free(ferry_load_report *r);

/**
 * Load an export (ferry_export(), docs/ferry-import.md) into the database,
 * which must be at the export's migration version: the tables it names,
 * which must exist there with the columns it names, parents before the
 * tables whose foreign keys refer to them. PostgreSQL's sequences and
 * identity columns are moved past the loaded values. Takes the runner
 * lock. A table that fails is rolled back whole (with
 * `single_transaction`, everything); the error names the file, the line
 * and the table.
 *
 * @param[out] out  per table, rows and checksum; free with
 *                  ferry_load_report_free(). NULL on failure; may be NULL
 * @return 0, FERRY_EINVALID (a file that is not an export, damaged or cut
 *         short, from a newer format; a table or column the database
 *         lacks; a value the column refuses), FERRY_EREFUSED (another
 *         migration version; a table that holds rows, without
 *         `truncate`), FERRY_EDB, FERRY_ELOCKED, FERRY_ENOMEM,
 *         FERRY_EINTERRUPTED
 */
FERRY_EXTERN int ferry_import(ferry_load_report **out, ferry_db *db,
	const ferry_import_options *opts, ferry_error *err);

/** Options of ferry_copy(). */
typedef struct {
	unsigned int version; /**< FERRY_COPY_OPTIONS_VERSION */
	/**
	 * The migrations that bring the target to the source's version
	 * (ferry_migrate() to it); NULL: the target must be there already.
	 */
	const ferry_set *set;
	/** Replace the rows of target tables that hold others, rather than
	 * refuse. */
	int truncate;
	ferry_load_progress_cb progress; /**< or NULL */
	void *payload;			 /**< for `progress` */
} ferry_copy_options;

/** The version of ferry_copy_options this header declares. */
#define FERRY_COPY_OPTIONS_VERSION 1
/**
 * ferry_copy_options with every default, to declare one with; in a
 * language without C macros, ferry_copy_options_init().
 */
#define FERRY_COPY_OPTIONS_INIT \
	{ \
		FERRY_COPY_OPTIONS_VERSION, NULL, 0, NULL, NULL \
	}

/**
 * Fill `opts` with FERRY_COPY_OPTIONS_INIT, for languages without C macros.
 *
 * @param version  the caller's FERRY_COPY_OPTIONS_VERSION: the fields of
 *                 that version are set, and nothing past them, so that a
 *                 program written for an older ferry.h is safe with a
 *                 newer library
 * @return 0, or FERRY_EINVALID when `opts` is NULL or `version` is 0 or
 *         newer than this library's
 */
FERRY_EXTERN int ferry_copy_options_init(
	ferry_copy_options *opts, unsigned int version);

/**
 * Copy every table of `from` into `to`, either engine into either
 * (docs/ferry-copy.md): `to` is first brought to the migration version of
 * `from` with `opts->set` (every migration of `from` must be finished),
 * then each table, parents first, is streamed from one snapshot of
 * `from` into one transaction of `to`, read back, and committed only when
 * the rows and the checksum are the source's. Tables of `to` that already
 * hold exactly the source's rows (a copy interrupted before) are skipped;
 * tables that hold others are refused unless `truncate`. Takes the
 * runner lock of `to`.
 *
 * @param[out] out  per table, rows and checksums of both sides; free with
 *                  ferry_load_report_free(). NULL on failure; may be NULL
 * @return 0, FERRY_EINVALID (a table or column the target lacks, a value
 *         it cannot hold), FERRY_EREFUSED (target past the source, a
 *         rollout unfinished, tables with other rows), FERRY_EDB (a row
 *         refused, or the rows read back differ), FERRY_ELOCKED,
 *         FERRY_ENOMEM, FERRY_EINTERRUPTED
 */
FERRY_EXTERN int ferry_copy(ferry_load_report **out, ferry_db *from,
	ferry_db *to, const ferry_copy_options *opts, ferry_error *err);

/** Told the path of each backup ferry_backup_prune() removed. */
typedef void (*ferry_backup_removed_cb)(const char *path, void *payload);

/**
 * Remove the backups ferry_backup_list() lists for `db` in `dir`, all but
 * the `keep` newest, oldest first; no other file is ever touched. A file
 * that cannot be removed does not stop the others.
 *
 * @param keep      how many of the newest stay; 0 removes every one
 * @param removed   NULL, or called with each path once it is removed
 * @param payload   passed to `removed`
 * @return 0, FERRY_EINVALID (as ferry_backup_list()), FERRY_ERROR (the
 *         directory cannot be read, or a backup could not be removed:
 *         `err` names the first) or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_backup_prune(ferry_db *db, const char *dir, size_t keep,
	ferry_backup_removed_cb removed, void *payload, ferry_error *err);

/*
 * Reset
 */

/** One object `reset` drops (or would). Owned by its ferry_dropped. */
typedef struct {
	const char *kind; /**< "table", "view", "index", "trigger",
			     "sequence", "function", "type", "domain", ... */
	const char *name; /**< as SQL names it: quoted where needed; on
			     PostgreSQL qualified with the schema */
	int ledger;	  /**< one of ferry's own tables */
} ferry_dropped_object;

/** What a reset dropped, in the order it dropped it. */
typedef struct ferry_dropped ferry_dropped;

/** Options of ferry_reset(). */
typedef struct {
	unsigned int version; /**< FERRY_RESET_OPTIONS_VERSION */
	int dry_run; /**< list what would go; change nothing, take no lock */
} ferry_reset_options;

/** The version of ferry_reset_options this header declares. */
#define FERRY_RESET_OPTIONS_VERSION 1
/**
 * ferry_reset_options with every default, to declare one with; in a
 * language without C macros, ferry_reset_options_init().
 */
#define FERRY_RESET_OPTIONS_INIT \
	{ \
		FERRY_RESET_OPTIONS_VERSION, 0 \
	}

/**
 * Fill `opts` with FERRY_RESET_OPTIONS_INIT, for languages without C macros.
 *
 * @param version  the caller's FERRY_RESET_OPTIONS_VERSION: the fields of
 *                 that version are set, and nothing past them, so that a
 *                 program written for an older ferry.h is safe with a
 *                 newer library
 * @return 0, or FERRY_EINVALID when `opts` is NULL or `version` is 0 or
 *         newer than this library's
 */
FERRY_EXTERN int ferry_reset_options_init(
	ferry_reset_options *opts, unsigned int version);

/**
 * Drop everything ferry's migrations made, and the ledger: on SQLite every
 * table, view, index and trigger; on PostgreSQL every object in the
 * ledger's schema (tables, views, materialized views, sequences, functions,
 * procedures, aggregates, types, domains, collations, extensions), never
 * the schema itself and never anything in another schema. Afterwards every
 * migration of the set is pending again, and the audit log is gone with
 * the ledger.
 *
 * Takes the runner lock (waiting as ferry_up() does) and drops everything
 * in one transaction: a failure or a kill leaves the database as it was.
 * On PostgreSQL, objects are dropped with CASCADE; if that would remove
 * anything outside the schema (a view there on a table here, a column of
 * a type from here), the whole reset is rolled back and refused. With
 * nothing to drop, returns an empty list without taking the lock.
 *
 * @param[out] out  what was dropped (with `dry_run`, what would be); free
 *                  with ferry_dropped_free(). NULL on failure.
 * @param db        an open database, not read-only
 * @param opts      NULL, or FERRY_RESET_OPTIONS_INIT plus changes
 * @param err       filled on failure; may be NULL
 * @return 0, FERRY_EDB (a drop failed; nothing changed), FERRY_ELOCKED,
 *         FERRY_EREFUSED (objects outside the schema depend on it),
 *         FERRY_EINVALID or FERRY_ENOMEM
 */
FERRY_EXTERN int ferry_reset(ferry_dropped **out, ferry_db *db,
	const ferry_reset_options *opts, ferry_error *err);

/** Number of objects in the list. */
FERRY_EXTERN size_t ferry_dropped_count(const ferry_dropped *dropped);
/** Object `i` (0-based, in drop order), or NULL when out of range. */
FERRY_EXTERN const ferry_dropped_object *ferry_dropped_at(
	const ferry_dropped *dropped, size_t i);
/** Free a reset's list; NULL does nothing. */
FERRY_EXTERN void ferry_dropped_free(ferry_dropped *dropped);

/*
 * Names of 0.1, kept until the next soname. A list's items are read with
 * `_count` and `_at`; `_get` is for what is computed from the database
 * (ferry_status_get, ferry_plan_get, ferry_history_get).
 */
/** Deprecated: ferry_set_at(). */
FERRY_EXTERN FERRY_DEPRECATED("ferry_set_at") const
	ferry_migration *ferry_set_get(const ferry_set *set, size_t i);
/** Deprecated: ferry_set_release_at(). */
FERRY_EXTERN FERRY_DEPRECATED("ferry_set_release_at") const
	ferry_release *ferry_set_release_get(const ferry_set *set, size_t i);
/** Deprecated: ferry_report_at(). */
FERRY_EXTERN FERRY_DEPRECATED("ferry_report_at") const
	ferry_step *ferry_report_get(const ferry_report *report, size_t i);
/** Deprecated: ferry_dropped_at(). */
FERRY_EXTERN FERRY_DEPRECATED("ferry_dropped_at") const
	ferry_dropped_object *ferry_dropped_get(
		const ferry_dropped *dropped, size_t i);

#ifdef __cplusplus
}
#endif

#endif /* FERRY_H */
