/* SPDX-License-Identifier: MIT */
/*
 * code.c - migrations written in C, for applications that migrate at
 * start-up and have data work SQL says badly (a format to convert, a
 * service to ask). A code migration joins the set as a file does, with a
 * version and a name; its one up section is a function, its checksum that
 * of a text the application gives, so that changing what the code does
 * shows as drift. It runs where a file's SQL would (run.c), inside the
 * migration's transaction after the ledger claim, through ferry_tx only.
 */
#include "ferry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int name_ok(const char *name)
{
	const char *p;

	if (!*name || strlen(name) > 200)
		return 0;
	for (p = name; *p; p++)
		if (!(*p == '_' || *p == '-' || (*p >= 'a' && *p <= 'z') ||
			    (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9')))
			return 0;
	return 1;
}

/* path "(code)", id "<version>_<name>", version text and the release
 * given, copied: one block. */
static int name_code(ferry__migration *m, int64_t version, const char *name,
	const char *release)
{
	char vt[24];
	int vn = snprintf(vt, sizeof(vt), "%lld", (long long)version);
	size_t n = strlen(name), r = release ? strlen(release) + 1 : 0;
	size_t need = sizeof("(code)") + 2 * ((size_t)vn + 1) + n + 1 + r;
	char *p = ferry__malloc(need);

	if (!p)
		return -1;
	memcpy(p, "(code)", sizeof("(code)"));
	m->pub.path = p;
	p += sizeof("(code)");
	m->pub.id = p;
	p += sprintf(p, "%s_%s", vt, name) + 1; /* NOLINT: sized above */
	m->pub.name = m->pub.id + vn + 1;
	memcpy(p, vt, (size_t)vn + 1);
	m->pub.version_text = p;
	if (release) {
		memcpy(p + vn + 1, release, r);
		m->pub.release = p + vn + 1;
	}
	return 0;
}

/* The release a file of this version would have, or NULL. */
static const char *release_of(const ferry_set *set, int64_t version)
{
	size_t r;

	for (r = 0; r < set->nreleases; r++)
		if (set->releases[r].pub.last_version >= version)
			return set->releases[r].pub.name;
	return NULL;
}

int ferry_set_add_code(ferry_set *set, int64_t version, const char *name,
	const char *release, ferry_code_fn fn, void *payload,
	const char *checksum, ferry_error *err)
{
	ferry__migration *m, *grown;
	ferry__hasher h;
	size_t i;

	if (!set || !name || !fn || !checksum || version < 0)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_set_add_code needs a set, a version, a name, a "
			"function and a checksum");
	if (!name_ok(name))
		return ferry__error_set(err, FERRY_EINVALID,
			"invalid code migration name '%.64s': letters, digits, "
			"'_' and '-'",
			name);
	if (ferry__set_find(set, version)) {
		ferry__error_set(err, FERRY_EINVALID,
			"duplicate version %lld: code migration '%s' and '%s'",
			(long long)version, name,
			ferry__set_find(set, version)->pub.id);
		ferry__error_hint(err,
			"give the code migration a version of "
			"its own");
		return FERRY_EINVALID;
	}
	if (!(grown = realloc(set->migs, (set->n + 1) * sizeof(*grown))))
		return ferry__error_oom(err);
	set->migs = grown;
	for (i = set->n; i > 0 && set->migs[i - 1].pub.version > version; i--)
		;
	memmove(&set->migs[i + 1], &set->migs[i],
		(set->n - i) * sizeof(*set->migs));
	m = &set->migs[i];
	memset(m, 0, sizeof(*m));
	if (name_code(m, version, name, release) < 0) {
		memmove(&set->migs[i], &set->migs[i + 1],
			(set->n - i) * sizeof(*set->migs));
		return ferry__error_oom(err);
	}
	set->n++;
	m->pub.version = version;
	if (!m->pub.release)
		m->pub.release = release_of(set, version);
	m->pub.code = 1;
	m->code = fn;
	m->code_payload = payload;
	m->sec[FERRY__UP].present = 1;
	m->sec[FERRY__UP].line = 1;
	ferry__hasher_init(&h);
	ferry__sha256(&h, m->sec[FERRY__UP].sha, checksum, strlen(checksum));
	ferry__hasher_release(&h);
	return 0;
}

int ferry__code_run(ferry_db *db, const ferry__migration *m, ferry_error *err)
{
	ferry_tx tx = { db, m };
	ferry_error mine;
	int rc;

	ferry_error_init(&mine);
	rc = m->code(&tx, m->code_payload, &mine);
	if (rc >= 0)
		return 0;
	if (!mine.code) /* the function said nothing of why */
		ferry__error_set(&mine, FERRY_EDB,
			"code migration '%s' returned %d", m->pub.id, rc);
	if (err)
		*err = mine;
	return mine.code < 0 ? mine.code : FERRY_EDB;
}

static int tx_query(ferry_tx *tx, const char *sql, const char *const *params,
	int nparams, ferry_row_fn fn, void *payload, ferry_error *err)
{
	ferry__val v[32];
	int i;

	if (!tx || !sql || nparams < 0 || nparams > 32 || (nparams && !params))
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_tx_exec and ferry_tx_query need a transaction, "
			"SQL and at most 32 parameters");
	for (i = 0; i < nparams; i++) {
		v[i].type = params[i] ? FERRY__VAL_TEXT : FERRY__VAL_NULL;
		v[i].i = 0;
		v[i].s = params[i];
	}
	return tx->db->drv->query(
		tx->db, sql, v, nparams, (ferry__row_fn)fn, payload, err);
}

int ferry_tx_exec(ferry_tx *tx, const char *sql, const char *const *params,
	int nparams, ferry_error *err)
{
	return tx_query(tx, sql, params, nparams, NULL, NULL, err);
}

int ferry_tx_query(ferry_tx *tx, const char *sql, const char *const *params,
	int nparams, ferry_row_fn fn, void *payload, ferry_error *err)
{
	if (!fn)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_tx_query needs a row function");
	return tx_query(tx, sql, params, nparams, fn, payload, err);
}
