/* SPDX-License-Identifier: MIT */
/*
 * validate.c - `ferry validate`: the migration files against the ledger,
 * and the ledger against itself, every finding listed.
 *
 * The files' side: a section changed after it ran (per section, as
 * state.c defines drift), an applied version no file has, a pending
 * migration older than the newest applied one, a no-transaction section
 * that stopped half way. The ledger's side: rows no ferry writes (an
 * unknown state, an applied migration without an up time, a finish
 * recorded for a migration without a finish section, ...), which mean the
 * ledger was edited by hand or damaged. Reads only, like status.c.
 */
#include "ferry_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct ferry_validation {
	ferry_finding *v;
	size_t n;
	size_t alloc;
	char **strings;
	size_t nstrings;
	size_t salloc;
	int oom;
};

size_t ferry_validation_count(const ferry_validation *v)
{
	return v ? v->n : 0;
}

const ferry_finding *ferry_validation_at(const ferry_validation *v, size_t i)
{
	return v && i < v->n ? &v->v[i] : NULL;
}

void ferry_validation_free(ferry_validation *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->nstrings; i++)
		free(v->strings[i]);
	free(v->strings);
	free(v->v);
	free(v);
}

/* Keep `s` (taken over, freed with the validation); NULL marks oom. */
static const char *keep(ferry_validation *v, char *s)
{
	if (!s) {
		v->oom = 1;
		return NULL;
	}
	if (FERRY__GROW(v->strings, v->salloc, v->nstrings + 1, 32) < 0) {
		free(s);
		v->oom = 1;
		return NULL;
	}
	v->strings[v->nstrings++] = s;
	return s;
}

static const char *keepf(ferry_validation *v, const char *fmt, ...)
	FERRY__PRINTF(2, 3);

static const char *keepf(ferry_validation *v, const char *fmt, ...)
{
	ferry__buf b = FERRY__BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	ferry__buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (!b.buf && !b.oom)
		ferry__buf_puts(&b, "");
	return keep(v, ferry__buf_detach(&b));
}

/* One finding about the pair `p`; `hint` is a plain string. */
static void add(ferry_validation *v, const ferry__pair *p, const char *kind,
	const char *hint, const char *fmt, ...) FERRY__PRINTF(5, 6);

static void add(ferry_validation *v, const ferry__pair *p, const char *kind,
	const char *hint, const char *fmt, ...)
{
	ferry__buf b = FERRY__BUF_INIT;
	ferry_finding *f;
	va_list ap;

	if (FERRY__GROW(v->v, v->alloc, v->n + 1, 16) < 0) {
		v->oom = 1;
		return;
	}
	f = &v->v[v->n++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->version = p->mig ? p->mig->pub.version : p->row->version;
	/* A file's own spelling: another tool's version as it writes it. */
	f->version_text = p->mig ? keepf(v, "%s", p->mig->pub.version_text)
				 : keepf(v, "%lld", (long long)f->version);
	f->name = keepf(v, "%s", p->mig ? p->mig->pub.name : p->row->name);
	va_start(ap, fmt);
	ferry__buf_vprintf(&b, fmt, ap);
	va_end(ap);
	f->message = keep(v, ferry__buf_detach(&b));
	f->hint = keepf(v, "%s", hint);
}

/* The recorded checksum `hex` differs from the file's section now. */
static int changed(const char *hex, const ferry__section *sec)
{
	char now[65];

	if (!hex)
		return 0;
	ferry__hex(now, sec->sha);
	return strcmp(hex, now) != 0;
}

#define REPAIR_HINT \
	"restore the file as it was applied (a change belongs in a new " \
	"migration), or accept it with 'ferry repair'"

/* Drift, section by section (a failed row is checked on resume). */
static void check_drift(ferry_validation *v, const ferry__pair *p)
{
	const ferry__migration *m = p->mig;
	const ferry__row *r = p->row;
	const ferry__section *fin = &m->sec[FERRY__FINISH];

	if (r->state != FERRY_STATE_UP && r->state != FERRY_STATE_COMPLETE)
		return;
	if (changed(r->up_checksum, &m->sec[FERRY__UP]))
		add(v, p, "drift", REPAIR_HINT,
			"up section changed after it was applied");
	if (r->state != FERRY_STATE_COMPLETE)
		return;
	if (r->has_finish && !fin->present)
		add(v, p, "drift", REPAIR_HINT,
			"finish section removed after it ran");
	else if (r->has_finish && changed(r->finish_checksum, fin))
		add(v, p, "drift", REPAIR_HINT,
			"finish section changed after it ran");
	else if (!r->has_finish && fin->present)
		add(v, p, "drift",
			"move it to a new migration, or accept it with 'ferry "
			"repair' (the migration goes back to 'up' and 'ferry "
			"finish' runs it)",
			"finish section added after the migration was complete");
}

static void check_failed(ferry_validation *v, const ferry__pair *p)
{
	const ferry__row *r = p->row;
	int k = ferry__row_failed_section(r);
	const char *sec = k >= 0 ? ferry__section_names[k] : NULL;
	const char *hint;

	if (k < 0) {
		add(v, p, "ledger",
			"the ledger was changed outside ferry: correct the "
			"row, or restore the ledger from a backup",
			"state is 'failed' but the section that failed is not "
			"recorded");
		return;
	}
	if (k == FERRY__UP)
		hint = "fix the statement and run 'ferry up' to resume there, "
		       "or complete the section by hand and run 'ferry "
		       "repair'";
	else if (k == FERRY__FINISH)
		hint = "fix the statement and run 'ferry finish' to resume "
		       "there, or complete the section by hand and run "
		       "'ferry repair'";
	else
		hint = "fix the statement and run 'ferry rollback' or 'ferry "
		       "down' to resume there, or revert the migration by "
		       "hand and run 'ferry repair'";
	if (r->error)
		add(v, p, "failed", hint,
			"%s section stopped at statement %d: %s", sec,
			r->failed_statement, r->error);
	else
		add(v, p, "failed", hint,
			"%s section stopped at statement %d, with no error "
			"recorded (the run was interrupted)",
			sec, r->failed_statement);
}

#define LEDGER_HINT \
	"the ledger was changed outside ferry: correct the row, or restore " \
	"the ledger from a backup"

/* Rows ferry never writes. */
static void check_row(ferry_validation *v, const ferry__pair *p)
{
	const ferry__row *r = p->row;
	const char *state = ferry__row_state_text(r);
	int up = r->state == FERRY_STATE_UP;
	int complete = r->state == FERRY_STATE_COMPLETE;

	if (r->state == FERRY_STATE_UNKNOWN) {
		add(v, p, "ledger", LEDGER_HINT,
			"state '%s' is not one ferry knows", state);
		return;
	}
	if ((up || complete) && !r->up_at)
		add(v, p, "ledger", LEDGER_HINT,
			"state is '%s' but no up time is recorded", state);
	if ((up || complete) && !r->up_checksum)
		add(v, p, "ledger", LEDGER_HINT,
			"state is '%s' but no up checksum is recorded", state);
	if (up && !r->has_finish)
		add(v, p, "ledger", LEDGER_HINT,
			"state is 'up' but the migration has no finish "
			"section to wait for");
	if (up && r->finish_at)
		add(v, p, "ledger", LEDGER_HINT,
			"state is 'up' but a finish time is recorded");
	/* A finish time alone stays when repair accepts a finish section
	 * removed after it ran; a checksum for a section that is not, never. */
	if (!r->has_finish && r->finish_checksum)
		add(v, p, "ledger", LEDGER_HINT,
			"a finish is recorded, but the migration has no finish "
			"section");
	if (complete && r->has_finish && !r->finish_at)
		add(v, p, "ledger", LEDGER_HINT,
			"state is 'complete' but no finish time is recorded");
	if (r->state != FERRY_STATE_FAILED &&
		(r->failed_section || r->failed_statement > 0))
		add(v, p, "ledger", LEDGER_HINT,
			"state is '%s' but a failed section is recorded",
			state);
}

/* The newest version applied (a failed up section aside), with a file. */
static int64_t newest_applied(const ferry__pairs *pairs)
{
	int64_t newest = INT64_MIN;
	size_t i;

	for (i = 0; i < pairs->n; i++) {
		const ferry__row *r = pairs->v[i].row;

		if (r && pairs->v[i].mig && !ferry__row_resumable(r, FERRY__UP))
			newest = r->version;
	}
	return newest;
}

/*
 * Every finding. A failed section whose runner holds the runner lock is
 * running, not a finding: `holder` names the lock's holder, or is NULL.
 */
static void find_all(ferry_validation *v, const ferry__pairs *pairs,
	ferry_db *db, const char *holder)
{
	int64_t newest = newest_applied(pairs);
	size_t i;

	if (pairs->behind) {
		char where[120], oldest[120];
		const ferry__pair *last = NULL;

		for (i = 0; i < pairs->n; i++)
			if (pairs->v[i].retired)
				last = &pairs->v[i];
		ferry__behind_where(pairs, where, sizeof(where));
		ferry__behind_oldest(pairs, oldest, sizeof(oldest));
		if (last)
			add(v, last, "behind",
				"upgrade with an older release first, then "
				"run this one",
				pairs->behind == FERRY__BEHIND_UNFINISHED
					? "the database is at %s but has not "
					  "finished it; these files start from "
					  "it finished (%s)"
					: "the database is at %s, older than "
					  "these files support: their oldest "
					  "is %s",
				where, oldest);
	}
	for (i = 0; i < pairs->n; i++) {
		const ferry__pair *p = &pairs->v[i];

		if (p->retired) {
			check_row(v, p);
			continue;
		}
		if (!p->row) {
			if (p->mig->pub.version < newest)
				add(v, p, "out_of_order",
					"it was probably merged late: apply "
					"it with 'ferry up "
					"--allow-out-of-order'",
					"pending, but older than the newest "
					"applied migration, %lld",
					(long long)newest);
			continue;
		}
		if (!p->mig)
			add(v, p, "ahead",
				"a newer release applied it: run that "
				"release's ferry, or restore the file",
				"applied%s%s%s, but no file has this version",
				p->row->release ? " (release " : "",
				p->row->release ? p->row->release : "",
				p->row->release ? ")" : "");
		check_row(v, p);
		if (p->row->state == FERRY_STATE_FAILED && p->mig &&
			!ferry__pair_running(db, p, holder))
			check_failed(v, p);
		else if (p->mig && !p->adopt) /* a baseline never ran */
			check_drift(v, p);
	}
}

int ferry_validate(ferry_validation **out, ferry_db *db, const ferry_set *set,
	ferry_error *err)
{
	ferry__ledger ledger;
	ferry__pairs pairs = { 0 };
	ferry_validation *v;
	char *holder = NULL;
	int rc;

	if (!out || !db || !set)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_validate needs out, db and set");
	*out = NULL;
	if (!(v = ferry__calloc(1, sizeof(*v))))
		return ferry__error_oom(err);
	if ((rc = ferry__ledger_load(db, &ledger, err)) < 0) {
		free(v);
		return rc;
	}
	if ((rc = ferry__pairs_build(&pairs, set, &ledger, err)) == 0 &&
		(rc = ferry__lock_holder(db, &holder, err)) == 0) {
		find_all(v, &pairs, db, holder);
		if (v->oom)
			rc = ferry__error_oom(err);
	}
	free(holder);
	ferry__pairs_clear(&pairs);
	ferry__ledger_clear(&ledger);
	if (rc < 0) {
		ferry_validation_free(v);
		return rc;
	}
	*out = v;
	return 0;
}
