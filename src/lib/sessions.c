/* SPDX-License-Identifier: MIT */
/*
 * sessions.c - who else is connected to the database: for `status`, and
 * for `--exclusive`, the "stop every service before migrating" step of
 * upgrade guides, checked rather than trusted.
 *
 * Only a server knows its connections: the driver's sessions_sql lists
 * them grouped by application, user and client, without ferry's own
 * connection and its lock observer. SQLite has no such list: a process
 * that has the file open but holds no lock leaves no trace, so there the
 * answer is "not known", never "nobody".
 */
#include "ferry_int.h"

#include <stdlib.h>
#include <string.h>

struct ferry_sessions {
	int known;
	ferry_session *v;
	size_t n, alloc;
	char **texts; /* what the entries point into */
	size_t ntexts, atexts;
};

static const char *keep(ferry_sessions *s, const char *text)
{
	char *copy;

	if (FERRY__GROW(s->texts, s->atexts, s->ntexts + 1, 16) < 0 ||
		!(copy = ferry__strdup(text ? text : "")))
		return NULL;
	s->texts[s->ntexts++] = copy;
	return copy;
}

/* application, user, client, count, states, since, is it a ferry */
static int session_row(void *payload, int ncols, const char *const *v)
{
	ferry_sessions *s = payload;
	ferry_session *e;

	if (ncols < 7 || FERRY__GROW(s->v, s->alloc, s->n + 1, 8) < 0)
		return 1;
	e = &s->v[s->n];
	memset(e, 0, sizeof(*e));
	e->application = keep(s, v[0]);
	e->user = keep(s, v[1]);
	e->client = keep(s, v[2]);
	e->count = v[3] ? (size_t)strtoull(v[3], NULL, 10) : 0;
	e->states = keep(s, v[4]);
	e->since = keep(s, v[5]);
	e->ferry = v[6] && v[6][0] == 't';
	if (!e->application || !e->user || !e->client || !e->states ||
		!e->since)
		return 1;
	s->n++;
	return 0;
}

int ferry_sessions_get(ferry_sessions **out, ferry_db *db, ferry_error *err)
{
	ferry_sessions *s;
	int rc;

	if (!out || !db)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_sessions_get needs out and db");
	*out = NULL;
	if (!(s = ferry__calloc(1, sizeof(*s))))
		return ferry__error_oom(err);
	s->known = db->drv->sessions_sql != NULL;
	if (s->known &&
		(rc = db->drv->query(db, db->drv->sessions_sql, NULL, 0,
			 session_row, s, err)) < 0) {
		ferry_sessions_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int ferry_sessions_known(const ferry_sessions *s)
{
	return s ? s->known : 0;
}

size_t ferry_sessions_count(const ferry_sessions *s)
{
	return s ? s->n : 0;
}

const ferry_session *ferry_sessions_at(const ferry_sessions *s, size_t i)
{
	return s && i < s->n ? &s->v[i] : NULL;
}

void ferry_sessions_free(ferry_sessions *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->ntexts; i++)
		free(s->texts[i]);
	free(s->texts);
	free(s->v);
	free(s);
}

/*
 * --exclusive, once the runner lock is ours: refuse while a session that
 * is not a ferry is connected. Other ferry runners wait for the lock and
 * then find the work done, so they do not count.
 */
int ferry__sessions_refuse(ferry_db *db, ferry_error *err)
{
	ferry_sessions *s = NULL;
	ferry__buf who = FERRY__BUF_INIT;
	size_t i, others = 0;
	int rc;

	if (!db->drv->sessions_sql) {
		ferry__error_set(err, FERRY_EINVALID,
			"--exclusive cannot be checked on %s", db->drv->label);
		ferry__error_detail(err,
			"SQLite keeps no list of the processes that have the "
			"file open; one that holds no lock leaves no trace");
		ferry__error_hint(err,
			"stop the application's processes yourself, then run "
			"without --exclusive");
		return FERRY_EINVALID;
	}
	if ((rc = ferry_sessions_get(&s, db, err)) < 0 || !s)
		return rc < 0 ? rc : ferry__error_oom(err);
	for (i = 0; i < s->n; i++) {
		const ferry_session *e = &s->v[i];

		if (e->ferry)
			continue;
		others += e->count;
		ferry__buf_printf(&who, "%s'%s' (user %s, from %s): %zu, %s",
			who.len ? "; " : "", e->application, e->user, e->client,
			e->count, e->states);
	}
	ferry_sessions_free(s);
	if (who.oom) {
		ferry__buf_release(&who);
		return ferry__error_oom(err);
	}
	if (others == 0) {
		ferry__buf_release(&who);
		return 0;
	}
	ferry__error_set(err, FERRY_EREFUSED,
		"%zu other session%s connected to database '%s'", others,
		others == 1 ? " is" : "s are", db->url.display);
	ferry__error_detail(err, "%s", ferry__buf_cstr(&who));
	ferry__error_hint(err,
		"stop them (every node of the old release, and its workers) "
		"and run again, or run without --exclusive");
	ferry__buf_release(&who);
	return FERRY_EREFUSED;
}
