/* SPDX-License-Identifier: MIT */
/*
 * check.c - can an application of release R run on this database now?
 *
 * Yes when every migration up to R's last version is at least up (its
 * expand part is there), and no newer migration has been finished (its
 * contract part may have dropped what R reads). The second half must work
 * when the database is newer than the files asking, so it reads only the
 * ledger, whose rows carry each migration's release and whether it has a
 * finish section.
 */
#include "ferry_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "0005_add_email" from the file, else "5_add_email" from the ledger,
 * which keeps no zero padding. */
static void pair_name(char *buf, size_t size, const ferry__pair *p)
{
	if (p->mig)
		snprintf(buf, size, "%s", p->mig->pub.id);
	else
		snprintf(buf, size, "%lld_%s", (long long)p->row->version,
			p->row->name ? p->row->name : "");
}

/* The last version of a release: from the files, else from the ledger. */
static int release_end(const ferry_set *set, const ferry__pairs *pairs,
	const char *release, int64_t *last)
{
	size_t i;

	for (i = 0; set && i < set->nreleases; i++) {
		if (strcmp(set->releases[i].pub.name, release) == 0) {
			*last = set->releases[i].pub.last_version;
			return 1;
		}
	}
	*last = INT64_MIN;
	for (i = 0; i < pairs->n; i++) {
		const ferry__row *r = pairs->v[i].row;

		if (r && r->release && strcmp(r->release, release) == 0)
			*last = r->version;
	}
	return *last != INT64_MIN;
}

static int not_yet(ferry_db *db, ferry_error *err, const char *release,
	const ferry__pair *p)
{
	char name[128], *holder = NULL;

	pair_name(name, sizeof(name), p);
	/* Half way, and its runner at work: not a failure. */
	if (p->row && ferry__lock_holder(db, &holder, NULL) == 0 &&
		ferry__pair_running(db, p, holder)) {
		ferry__error_set(err, FERRY_ENOTREADY,
			"release %s cannot run yet: migration '%s' is being "
			"applied (statement %d, by %s)",
			release, name, p->row->failed_statement, holder);
		ferry__error_hint(err,
			"wait for that runner to finish, then check again");
		free(holder);
		return FERRY_ENOTREADY;
	}
	free(holder);
	ferry__error_set(err, FERRY_ENOTREADY,
		"release %s cannot run yet: migration '%s' is %s", release,
		name, p->row ? "failed half way" : "pending");
	ferry__error_hint(err,
		"bring the database to release %s first ('ferry plan --to %s' "
		"shows the steps)",
		release, release);
	return FERRY_ENOTREADY;
}

static int too_late(ferry_error *err, const char *release, const ferry__pair *p)
{
	const char *newer = p->row->release;
	char name[128];

	pair_name(name, sizeof(name), p);
	ferry__error_set(err, FERRY_ENOTREADY,
		"release %s can no longer run: migration '%s'%s%s%s was "
		"finished",
		release, name, newer ? " (release " : "", newer ? newer : "",
		newer ? ")" : "");
	ferry__error_detail(err,
		"its finish section may have dropped what release %s uses",
		release);
	if (newer)
		ferry__error_hint(err, "run release %s or later", newer);
	else
		ferry__error_hint(err, "run a newer release");
	return FERRY_ENOTREADY;
}

/*
 * The first statement of `m`'s up section that breaks the previous
 * release (an up-* lint rule, not allowed), in `lint`; or NULL. Such an
 * up section ends the older releases as a finish does.
 */
static const ferry_lint_finding *breaking_up(
	const ferry_lint_result *lint, const ferry__migration *m)
{
	size_t i;

	for (i = 0; m && i < ferry_lint_result_count(lint); i++) {
		const ferry_lint_finding *f = ferry_lint_result_at(lint, i);

		if (f->migration == &m->pub && f->breaking && !f->allowed)
			return f;
	}
	return NULL;
}

static int broken_by_up(ferry_error *err, const char *release,
	const ferry__pair *p, const ferry_lint_finding *f)
{
	const char *newer = p->row->release;
	char name[128];

	pair_name(name, sizeof(name), p);
	ferry__error_set(err, FERRY_ENOTREADY,
		"release %s can no longer run: migration '%s'%s%s%s is applied "
		"and its up section breaks older releases",
		release, name, newer ? " (release " : "", newer ? newer : "",
		newer ? ")" : "");
	ferry__error_detail(err, "[%s] %s", f->rule, f->message);
	ferry__error_at(err, f->file, f->line, f->column);
	if (newer)
		ferry__error_hint(err, "run release %s or later", newer);
	else
		ferry__error_hint(err, "run a newer release");
	return FERRY_ENOTREADY;
}

int ferry_check_release(ferry_db *db, const ferry_set *set, const char *release,
	ferry_error *err)
{
	ferry_lint_options lo = FERRY_LINT_OPTIONS_INIT;
	ferry_lint_result *lint = NULL;
	const ferry_lint_finding *f;
	ferry__ledger ledger = { 0 };
	ferry__pairs pairs = { 0 };
	int64_t last;
	size_t i;
	int rc;

	if (!db || !release)
		return ferry__error_set(err, FERRY_EINVALID,
			"ferry_check_release needs db and release");
	if ((rc = ferry__ledger_load(db, &ledger, err)) < 0 ||
		(rc = ferry__pairs_build(&pairs, set, &ledger, err)) < 0)
		goto out;
	if (!release_end(set, &pairs, release, &last)) {
		rc = ferry__error_set(err, FERRY_EINVALID,
			"no release '%s' in the releases file or the ledger",
			release);
		ferry__error_hint(
			err, "'ferry list' shows the releases this set knows");
		goto out;
	}
	lo.engine =
		db->drv->dialect == FERRY__DIALECT_PG ? "postgres" : "sqlite";
	for (i = 0; i < pairs.n && rc == 0; i++) {
		const ferry__pair *p = &pairs.v[i];
		int64_t v = p->mig ? p->mig->pub.version : p->row->version;

		if (v <= last && !ferry__row_applied(p->row))
			rc = not_yet(db, err, release, p);
		else if (v > last && ferry__row_finished(p->row))
			rc = too_late(err, release, p);
		else if (v > last && p->mig && ferry__row_applied(p->row) &&
			(lint ||
				(rc = ferry_lint(&lint, set, &lo, err)) == 0) &&
			(f = breaking_up(lint, p->mig)))
			rc = broken_by_up(err, release, p, f);
	}
out:
	ferry_lint_result_free(lint);
	ferry__pairs_clear(&pairs);
	ferry__ledger_clear(&ledger);
	return rc;
}
