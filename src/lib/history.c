/* SPDX-License-Identifier: MIT */
/*
 * history.c - reading the audit log, newest first (`ferry history`).
 */
#include "ferry_int.h"

#include <stdlib.h>
#include <string.h>

struct ferry_history {
	ferry_history_entry *v;
	size_t n;
	size_t alloc;
	int oom;
};

size_t ferry_history_count(const ferry_history *h)
{
	return h ? h->n : 0;
}

const ferry_history_entry *ferry_history_at(const ferry_history *h, size_t i)
{
	return h && i < h->n ? &h->v[i] : NULL;
}

void ferry_history_free(ferry_history *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n; i++) {
		ferry_history_entry *e = &h->v[i];

		free((char *)e->at);
		free((char *)e->action);
		free((char *)e->version);
		free((char *)e->name);
		free((char *)e->release);
		free((char *)e->by);
		free((char *)e->error);
		free((char *)e->note);
		free((char *)e->ferry_version);
	}
	free(h->v);
	free(h);
}

static const char *dup(ferry_history *h, const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = ferry__strdup(s);
	if (!p)
		h->oom = 1;
	return p;
}

static int add_row(void *payload, int ncols, const char *const *v)
{
	ferry_history *h = payload;
	ferry_history_entry *e;

	if (ncols < 11)
		return 1;
	if (FERRY__GROW(h->v, h->alloc, h->n + 1, 64) < 0) {
		h->oom = 1;
		return 1;
	}
	e = &h->v[h->n++];
	memset(e, 0, sizeof(*e));
	e->id = v[0] ? strtoll(v[0], NULL, 10) : 0;
	e->at = dup(h, v[1]);
	e->action = dup(h, v[2]);
	e->version = dup(h, v[3]);
	e->name = dup(h, v[4]);
	e->release = dup(h, v[5]);
	e->by = dup(h, v[6]);
	e->duration_ms = v[7] ? strtoll(v[7], NULL, 10) : -1;
	e->success = v[8] && strcmp(v[8], "0") != 0;
	/* The column holds a failure's error, or what a successful action
	 * changed (repair): two fields for the reader. */
	if (e->success)
		e->note = dup(h, v[9]);
	else
		e->error = dup(h, v[9]);
	e->ferry_version = dup(h, v[10]);
	return h->oom;
}

int ferry_history_get(
	ferry_history **out, ferry_db *db, size_t limit, ferry_error *err)
{
	ferry__buf sql = FERRY__BUF_INIT;
	ferry_history *h;
	int rc, exists;

	if (!out || !db)
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid argument: '%s'", out ? "db" : "out");
	*out = NULL;
	h = ferry__calloc(1, sizeof(*h));
	if (!h)
		return ferry__error_oom(err);
	rc = db->drv->table_exists(db, db->history_table, &exists, err);
	if (rc == 0 && exists) {
		ferry__buf_printf(&sql,
			"SELECT id, at, action, version, name, release, "
			"actor, duration_ms, success, error, ferry_version "
			"FROM %s ORDER BY id DESC",
			db->qhistory);
		if (limit > 0)
			ferry__buf_printf(&sql, " LIMIT %zu", limit);
		rc = sql.oom
			? ferry__error_oom(err)
			: db->drv->query(db, sql.buf, NULL, 0, add_row, h, err);
		ferry__buf_release(&sql);
		if (rc == 0 && h->oom)
			rc = ferry__error_oom(err);
	}
	if (rc < 0) {
		ferry_history_free(h);
		return rc;
	}
	*out = h;
	return 0;
}
