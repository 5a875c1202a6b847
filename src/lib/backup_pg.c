/* SPDX-License-Identifier: MIT */
/*
 * backup_pg.c - PostgreSQL backups with pg_dump, restores with pg_restore
 * and psql.
 *
 * The tools are started without a shell, from an argv, so nothing in a
 * URL is ever parsed by one. The password never goes on a command line,
 * which every user of the machine can read in /proc: the tools get the
 * connection's settings without it, and PGPASSWORD in their environment.
 * Each child is killed if ferry dies (PR_SET_PDEATHSIG).
 *
 * A restore must leave the old database or the new one, never a mix. So
 * pg_restore only turns the archive into SQL, and ferry feeds psql with
 * BEGIN, the dropping of what the database holds now (objects the backup
 * does not have must go too), that SQL, and COMMIT, which it sends only
 * once pg_restore has read the whole archive. If anything dies first,
 * psql's connection ends inside the transaction and the server rolls it
 * back.
 */
#include "ferry_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define PG_ROOT "/usr/lib/postgresql"

int ferry__pg_tool_major(const char *text)
{
	const char *p = text ? strstr(text, "(PostgreSQL) ") : NULL;
	long v;

	if (!p)
		return -1;
	p += 13;
	if (*p < '0' || *p > '9')
		return -1;
	v = strtol(p, NULL, 10);
	return v > 0 && v < 1000 ? (int)v : -1;
}

static int executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		access(path, X_OK) == 0;
}

static char *join(const char *dir, const char *name)
{
	ferry__buf b = FERRY__BUF_INIT;

	ferry__buf_printf(&b, "%s/%s", dir, name);
	return ferry__buf_detach(&b);
}

/* The newest /usr/lib/postgresql/<N>/bin/<name>, or NULL. */
static char *newest_installed(const char *name)
{
	DIR *d = opendir(PG_ROOT);
	struct dirent *e;
	char *best = NULL;
	long best_v = -1;

	if (!d)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		char *end, *path;
		long v = strtol(e->d_name, &end, 10);
		ferry__buf b = FERRY__BUF_INIT;

		if (end == e->d_name || *end || v <= best_v)
			continue;
		ferry__buf_printf(&b, PG_ROOT "/%s/bin/%s", e->d_name, name);
		path = ferry__buf_detach(&b);
		if (path && executable(path)) {
			free(best);
			best = path;
			best_v = v;
		} else {
			free(path);
		}
	}
	closedir(d);
	return best;
}

/*
 * Where a tool is: only in `bindir` when one is given; else the first on
 * PATH, else the newest PostgreSQL's installed. NULL when nowhere.
 */
static char *find_tool(const char *name, const char *bindir)
{
	const char *path = getenv("PATH"), *p;

	if (bindir) {
		char *t = join(bindir, name);

		if (t && executable(t))
			return t;
		free(t);
		return NULL;
	}
	for (p = path; p && *p;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		ferry__buf b = FERRY__BUF_INIT;
		char *t;

		ferry__buf_put(&b, n ? p : ".", n ? n : 1);
		ferry__buf_printf(&b, "/%s", name);
		t = ferry__buf_detach(&b);
		if (t && executable(t))
			return t;
		free(t);
		p = end ? end + 1 : NULL;
	}
	return newest_installed(name);
}

static int server_major(const ferry_db *db)
{
	return db->server_version ? (int)strtol(db->server_version, NULL, 10)
				  : 0;
}

static int tool_missing(const ferry_db *db, const char *name,
	const char *bindir, ferry_error *err)
{
	ferry__error_set(err, FERRY_EINVALID, "%s not found", name);
	if (bindir)
		ferry__error_detail(err, "it is not in '%s'", bindir);
	else
		ferry__error_detail(
			err, "it is neither on PATH nor in " PG_ROOT "/*/bin");
	ferry__error_hint(err,
		"install PostgreSQL's client tools (apt-get install "
		"postgresql-client-%d)",
		server_major(db));
	return FERRY_EINVALID;
}

/*
 * Children
 */

typedef struct {
	char **envp; /* environ, with our PGPASSWORD */
	char *pwvar;
} tool_env;

static void env_clear(tool_env *e)
{
	free(e->envp);
	free(e->pwvar);
	e->envp = NULL;
	e->pwvar = NULL;
}

/* environ, with PGPASSWORD set to `password` when there is one. */
static int env_make(tool_env *e, const char *password)
{
	size_t n = 0, i, k = 0;
	ferry__buf b = FERRY__BUF_INIT;

	e->envp = NULL;
	e->pwvar = NULL;
	while (environ[n])
		n++;
	e->envp = ferry__calloc(n + 2, sizeof(char *));
	if (!e->envp)
		return FERRY_ENOMEM;
	if (password) {
		ferry__buf_printf(&b, "PGPASSWORD=%s", password);
		if (!(e->pwvar = ferry__buf_detach(&b)))
			return FERRY_ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (!e->pwvar || strncmp(environ[i], "PGPASSWORD=", 11) != 0)
			e->envp[k++] = environ[i];
	if (e->pwvar)
		e->envp[k++] = e->pwvar;
	e->envp[k] = NULL;
	return 0;
}

/*
 * fork + exec with the given standard streams (-1: /dev/null). Between
 * fork and exec the child only makes async-signal-safe calls.
 */
static pid_t spawn(
	char *const argv[], char *const envp[], int in, int out, int errfd)
{
	pid_t parent = getpid(), pid;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		/* Die with ferry: a restore must not go on without it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(127);
		if (dup2(in >= 0 ? in : null, 0) < 0 ||
			dup2(out >= 0 ? out : null, 1) < 0 ||
			dup2(errfd >= 0 ? errfd : null, 2) < 0)
			_exit(127);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(null);
	return pid;
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/* A memory file for a child's stderr: it never fills, so no deadlock. */
static int capture_fd(void)
{
	return memfd_create("ferry-tool-stderr", MFD_CLOEXEC);
}

/*
 * What a tool said, as one line for a message's detail: the lines that
 * matter (errors), without the "pg_dump: error: " prefixes, and without
 * the password should a tool repeat it.
 */
static void captured_text(int fd, const char *password, char *out, size_t size)
{
	char buf[4096], *line, *save = NULL, *pw;
	ssize_t n = fd >= 0 ? pread(fd, buf, sizeof(buf) - 1, 0) : -1;
	size_t o = 0;

	int errors;

	out[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* With no error line, the first line is the best there is. */
	errors = strstr(buf, "error: ") || strstr(buf, "ERROR:  ");
	for (line = strtok_r(buf, "\n", &save); line && o + 3 < size;
		line = strtok_r(NULL, "\n", &save)) {
		const char *p = strstr(line, "error: ");

		if (!p)
			p = strstr(line, "ERROR:  ");
		if (!p && (errors || o > 0) &&
			strncmp(line, "DETAIL:", 7) != 0 &&
			strncmp(line, "HINT:", 5) != 0)
			continue;
		p = p ? strchr(p, ' ') + 1 : line;
		while (*p == ' ')
			p++;
		o += (size_t)snprintf(
			out + o, size - o, "%s%s", o ? "; " : "", p);
		if (o >= size)
			o = size - 1;
	}
	while (password && strlen(password) >= 4 &&
		(pw = strstr(out, password)) != NULL) {
		memset(pw, '*', strlen(password));
	}
}

static void describe_exit(int status, char *buf, size_t size)
{
	if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "exit %d", WEXITSTATUS(status));
}

/* `tool --version` and its major version; -1 if it would not say. */
static int tool_major(const char *tool, char *const envp[])
{
	char *argv[] = { (char *)tool, (char *)"--version", NULL };
	char buf[256];
	int fd = capture_fd(), status;
	ssize_t n;
	pid_t pid;

	if (fd < 0)
		return -1;
	pid = spawn(argv, envp, -1, fd, -1);
	if (pid < 0) {
		close(fd);
		return -1;
	}
	status = wait_child(pid);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (status != 0 || n <= 0)
		return -1;
	buf[n] = '\0';
	return ferry__pg_tool_major(buf);
}

/* The tools, with what they need to connect. */
typedef struct {
	char *conninfo;
	char *password;
	tool_env env;
} tool_ctx;

static void tool_ctx_clear(tool_ctx *t)
{
	free(t->conninfo);
	free(t->password);
	env_clear(&t->env);
}

static int tool_ctx_init(tool_ctx *t, ferry_db *db, ferry_error *err)
{
	int rc;

	memset(t, 0, sizeof(*t));
	if (!db->drv->tool_conninfo)
		return ferry__error_set(err, FERRY_ERROR,
			"the %s driver cannot start PostgreSQL's tools",
			db->drv->name);
	if ((rc = db->drv->tool_conninfo(db, &t->conninfo, &t->password, err)) <
		0)
		return rc;
	if (env_make(&t->env, t->password) < 0) {
		tool_ctx_clear(t);
		ferry__error_oom(err);
		return FERRY_ENOMEM;
	}
	return 0;
}

/* pg_dump, new enough for the server. */
static int find_pg_dump(char **out, ferry_db *db,
	const ferry_backup_options *opts, char *const envp[], ferry_error *err)
{
	int major, want = server_major(db);

	*out = find_tool("pg_dump", opts->pg_bindir);
	if (!*out)
		return tool_missing(db, "pg_dump", opts->pg_bindir, err);
	major = tool_major(*out, envp);
	if (major < 0) {
		ferry__error_set(err, FERRY_EINVALID,
			"cannot tell the version of '%s'", *out);
		ferry__error_hint(err,
			"check that '%s --version' works; ferry needs "
			"pg_dump %d or newer",
			*out, want);
	} else if (major < want) {
		ferry__error_set(err, FERRY_EINVALID,
			"pg_dump %d is older than the server (PostgreSQL %s)",
			major, db->server_version);
		ferry__error_detail(
			err, "'%s' cannot dump a newer server", *out);
		ferry__error_hint(err,
			"install pg_dump %d or newer (apt-get install "
			"postgresql-client-%d) and put it first on PATH",
			want, want);
	} else {
		return 0;
	}
	free(*out);
	*out = NULL;
	return FERRY_EINVALID;
}

int ferry__backup_pg(ferry_db *db, ferry_backup *b,
	const ferry_backup_options *opts, ferry_error *err)
{
	char *pg_dump = NULL, *final = NULL, *tmp = NULL;
	int fd = -1, efd = -1, rc, status;
	tool_ctx t;
	pid_t pid;

	if ((rc = tool_ctx_init(&t, db, err)) < 0)
		return rc;
	if ((rc = find_pg_dump(&pg_dump, db, opts, t.env.envp, err)) < 0 ||
		(rc = ferry__backup_state_from_ledger(b, db, err)) < 0 ||
		(rc = ferry__backup_target(&final, db, b->version, opts, err)) <
			0 ||
		(rc = ferry__backup_tmp(final, &tmp, &fd, err)) < 0)
		goto done;
	{
		char *argv[] = { pg_dump, (char *)"--format=custom",
			(char *)"--no-password", (char *)"--dbname", t.conninfo,
			NULL };

		efd = capture_fd();
		pid = efd < 0 ? -1 : spawn(argv, t.env.envp, -1, fd, efd);
		if (pid < 0) {
			rc = ferry__error_os(err, FERRY_ERROR, "run", pg_dump);
			goto done;
		}
		if (opts->progress)
			opts->progress(0, 0, opts->payload);
		status = wait_child(pid);
	}
	if (status != 0) {
		char how[64];

		describe_exit(status, how, sizeof(how));
		rc = ferry__error_set(err, FERRY_EDB,
			"pg_dump failed (%s): no backup was written", how);
		if (err)
			captured_text(efd, t.password, err->detail,
				sizeof(err->detail));
		goto done;
	}
	close(fd);
	fd = -1;
	if ((rc = ferry__backup_commit(tmp, final, &b->bytes, err)) < 0)
		goto done;
	b->path = final;
	final = NULL;
done:
	if (fd >= 0)
		close(fd);
	if (efd >= 0)
		close(efd);
	if (rc < 0 && tmp)
		unlink(tmp);
	free(tmp);
	free(final);
	free(pg_dump);
	tool_ctx_clear(&t);
	return rc;
}

/* pg_restore, and the psql beside it (else the one found as usual). */
static int find_restore_tools(char **pg_restore, char **psql, ferry_db *db,
	const ferry_backup_options *opts, ferry_error *err)
{
	*psql = NULL;
	*pg_restore = find_tool("pg_restore", opts->pg_bindir);
	if (!*pg_restore)
		return tool_missing(db, "pg_restore", opts->pg_bindir, err);
	{
		char *copy = ferry__strdup(*pg_restore), *slash;

		if (copy && (slash = strrchr(copy, '/')) != NULL) {
			*slash = '\0';
			*psql = join(copy, "psql");
			if (*psql && !executable(*psql)) {
				free(*psql);
				*psql = NULL;
			}
		}
		free(copy);
	}
	if (!*psql)
		*psql = find_tool("psql", opts->pg_bindir);
	if (*psql)
		return 0;
	free(*pg_restore);
	*pg_restore = NULL;
	return tool_missing(db, "psql", opts->pg_bindir, err);
}

int ferry__restore_pg_check(
	ferry_db *db, const ferry_backup_options *opts, ferry_error *err)
{
	char *pg_restore, *psql;
	int rc = find_restore_tools(&pg_restore, &psql, db, opts, err);

	free(pg_restore);
	free(psql);
	return rc;
}

/*
 * Before the archive's SQL, in the same transaction: drop every schema
 * but public, every extension, and what public holds, so that the
 * database becomes the backup and nothing newer is left behind. public
 * itself stays (pg_dump does not recreate it), with its owner and grants.
 */
static const char drop_everything[] =
	"DO $ferry$\n"
	"DECLARE r record;\n"
	"BEGIN\n"
	"  FOR r IN SELECT nspname FROM pg_catalog.pg_namespace\n"
	"      WHERE nspname <> 'public' AND nspname <> 'information_schema'\n"
	"      AND nspname NOT LIKE 'pg\\_%' LOOP\n"
	"    EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);\n"
	"  END LOOP;\n"
	"  FOR r IN SELECT extname FROM pg_catalog.pg_extension\n"
	"      WHERE extname <> 'plpgsql' LOOP\n"
	"    EXECUTE format('DROP EXTENSION IF EXISTS %I CASCADE', "
	"r.extname);\n"
	"  END LOOP;\n"
	"  FOR r IN SELECT c.oid, c.relkind FROM pg_catalog.pg_class c\n"
	"      WHERE c.relnamespace = 'public'::regnamespace\n"
	"      AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')\n"
	"      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d\n"
	"        WHERE d.classid = 'pg_catalog.pg_class'::regclass\n"
	"        AND d.objid = c.oid AND d.deptype IN ('a', 'i')) LOOP\n"
	"    IF EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE oid = r.oid) "
	"THEN\n"
	"      EXECUTE format('DROP %s %s CASCADE', CASE r.relkind\n"
	"        WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'\n"
	"        WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'\n"
	"        ELSE 'TABLE' END, r.oid::regclass);\n"
	"    END IF;\n"
	"  END LOOP;\n"
	"  FOR r IN SELECT p.oid FROM pg_catalog.pg_proc p\n"
	"      WHERE p.pronamespace = 'public'::regnamespace LOOP\n"
	"    IF EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE oid = r.oid) "
	"THEN\n"
	"      EXECUTE format('DROP ROUTINE %s CASCADE', "
	"r.oid::regprocedure);\n"
	"    END IF;\n"
	"  END LOOP;\n"
	"  FOR r IN SELECT t.oid, t.typtype FROM pg_catalog.pg_type t\n"
	"      WHERE t.typnamespace = 'public'::regnamespace\n"
	"      AND t.typtype IN ('b', 'c', 'd', 'e', 'r')\n"
	"      AND (t.typrelid = 0 OR (SELECT c.relkind FROM "
	"pg_catalog.pg_class c\n"
	"        WHERE c.oid = t.typrelid) = 'c')\n"
	"      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e\n"
	"        WHERE e.typarray = t.oid) LOOP\n"
	"    IF EXISTS (SELECT 1 FROM pg_catalog.pg_type WHERE oid = r.oid) "
	"THEN\n"
	"      EXECUTE format('DROP %s %s CASCADE', CASE r.typtype\n"
	"        WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.oid::regtype);\n"
	"    END IF;\n"
	"  END LOOP;\n"
	"END\n"
	"$ferry$;\n";

/*
 * psql may stop reading (an error stops it); writing to it then raises
 * SIGPIPE, which must not kill the application: it is blocked in this
 * thread while we write, and a pending one taken away after.
 */
typedef struct {
	sigset_t old;
	int was_pending;
} pipe_guard;

static void pipe_guard_begin(pipe_guard *g)
{
	sigset_t set, pending;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&pending);
	g->was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &g->old);
}

static void pipe_guard_end(pipe_guard *g)
{
	sigset_t set, pending;
	struct timespec zero = { 0, 0 };

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&pending);
	if (!g->was_pending && sigismember(&pending, SIGPIPE))
		while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
			;
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* BEGIN, the drops, the archive's SQL from `from`; COMMIT is the caller's. */
static int feed(int to, int from, int lock_timeout_ms)
{
	char buf[65536];
	ssize_t n;

	n = snprintf(buf, sizeof(buf), "BEGIN;\nSET LOCAL lock_timeout = %d;\n",
		lock_timeout_ms);
	if (ferry__write_all(to, buf, (size_t)n) < 0 ||
		ferry__write_all(
			to, drop_everything, sizeof(drop_everything) - 1) < 0)
		return -1;
	for (;;) {
		n = read(from, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (ferry__write_all(to, buf, (size_t)n) < 0)
			return -1;
	}
}

int ferry__restore_pg(ferry_db *db, const char *path, ferry_backup *b,
	const ferry_backup_options *opts, ferry_error *err)
{
	char *pg_restore = NULL, *psql = NULL;
	int sql[2] = { -1, -1 }, in[2] = { -1, -1 };
	int rerr = -1, perr = -1, rc, fed, rstatus = -1, pstatus = -1;
	pid_t rpid = -1, ppid = -1;
	pipe_guard guard;
	tool_ctx t;

	if ((rc = tool_ctx_init(&t, db, err)) < 0)
		return rc;
	if ((rc = find_restore_tools(&pg_restore, &psql, db, opts, err)) < 0)
		goto done;
	if (pipe2(sql, O_CLOEXEC) < 0 || pipe2(in, O_CLOEXEC) < 0 ||
		(rerr = capture_fd()) < 0 || (perr = capture_fd()) < 0) {
		rc = ferry__error_os(err, FERRY_ERROR, "start", pg_restore);
		goto done;
	}
	{
		char *pargv[] = { psql, (char *)"--no-psqlrc",
			(char *)"--quiet", (char *)"--no-password",
			(char *)"--set=ON_ERROR_STOP=1", (char *)"--dbname",
			t.conninfo, (char *)"--file=-", NULL };
		char *rargv[] = { pg_restore, (char *)"--file=-", (char *)path,
			NULL };

		ppid = spawn(pargv, t.env.envp, in[0], -1, perr);
		if (ppid >= 0)
			rpid = spawn(rargv, t.env.envp, -1, sql[1], rerr);
	}
	close(in[0]);
	close(sql[1]);
	in[0] = sql[1] = -1;
	if (ppid < 0 || rpid < 0) {
		rc = ferry__error_os(
			err, FERRY_ERROR, "run", ppid < 0 ? psql : pg_restore);
		goto done;
	}
	pipe_guard_begin(&guard);
	fed = feed(in[1], sql[0], db->lock_timeout_ms);
	close(sql[0]);
	sql[0] = -1;
	rstatus = wait_child(rpid);
	rpid = -1;
	/* Only a whole archive is committed; else psql ends mid-transaction
	 * and the server rolls it back. */
	if (fed == 0 && rstatus == 0)
		fed = ferry__write_all(in[1], "COMMIT;\n", 8);
	close(in[1]);
	in[1] = -1;
	pipe_guard_end(&guard);
	pstatus = wait_child(ppid);
	ppid = -1;
	if (rstatus != 0 || pstatus != 0 || fed != 0) {
		char how[64];
		/* psql stopping first makes pg_restore fail too: name psql. */
		int tool_failed = pstatus == 0 && rstatus != 0;

		describe_exit(
			tool_failed ? rstatus : pstatus, how, sizeof(how));
		rc = ferry__error_set(err, FERRY_EDB,
			"restore of '%s' failed (%s %s): nothing was changed",
			path, tool_failed ? "pg_restore" : "psql", how);
		if (err)
			captured_text(tool_failed ? rerr : perr, t.password,
				err->detail, sizeof(err->detail));
		ferry__error_hint(err,
			"the restore runs in one transaction and was rolled "
			"back; fix the cause and run it again");
		goto done;
	}
	rc = ferry__backup_state_from_ledger(b, db, err);
done:
	if (rpid > 0) {
		kill(rpid, SIGKILL);
		wait_child(rpid);
	}
	if (ppid > 0) {
		kill(ppid, SIGKILL);
		wait_child(ppid);
	}
	if (sql[0] >= 0)
		close(sql[0]);
	if (sql[1] >= 0)
		close(sql[1]);
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	if (rerr >= 0)
		close(rerr);
	if (perr >= 0)
		close(perr);
	free(pg_restore);
	free(psql);
	tool_ctx_clear(&t);
	return rc;
}
