/* SPDX-License-Identifier: MIT */
/*
 * split_check.c - ferry_set_check_split(): cut every section into
 * statements as a run would, with no database, so that `ferry validate`
 * in a pull request finds what the splitter would stop at in production.
 */
#include "ferry_int.h"

#include <string.h>

/* Count nothing: the split's verdict is all that is wanted. */
static int ignore(void *payload, size_t offset, size_t len)
{
	(void)payload;
	(void)offset;
	(void)len;
	return 0;
}

static int check_migration(const ferry__migration *m,
	const ferry__dialect *dialects, int nd, ferry_error *err)
{
	ferry__hasher h;
	ferry__loaded f;
	int k, d, rc;

	if (m->code)
		return 0;
	ferry__hasher_init(&h);
	rc = ferry__migration_load(m, &h, &f, err);
	ferry__hasher_release(&h);
	for (k = 0; rc == 0 && k < FERRY__NSECTIONS; k++) {
		if (!f.sec[k].present)
			continue;
		for (d = 0; rc == 0 && d < nd; d++) {
			ferry__split_error serr = { 0, NULL, NULL };

			rc = ferry__split_blocks_each(f.text + f.sec[k].offset,
				f.sec[k].len, f.sec[k].blocks, dialects[d],
				ignore, NULL, &serr);
			if (rc == FERRY_EINVALID)
				rc = ferry__split_failed(err, m, &f, k, &serr);
			else if (rc == FERRY_ENOMEM)
				rc = ferry__error_oom(err);
		}
	}
	ferry__loaded_release(&f);
	return rc;
}

int ferry_set_check_split(
	const ferry_set *set, const char *engine, ferry_error *err)
{
	ferry__dialect dialects[2] = { FERRY__DIALECT_SQLITE,
		FERRY__DIALECT_PG };
	int nd = 2, rc = 0;
	size_t i;

	if (!set)
		return ferry__error_set(
			err, FERRY_EINVALID, "invalid argument: 'set' is NULL");
	if (engine && strcmp(engine, "postgres") == 0) {
		dialects[0] = FERRY__DIALECT_PG;
		nd = 1;
	} else if (engine && strcmp(engine, "sqlite") == 0) {
		nd = 1;
	} else if (engine) {
		ferry__error_set(
			err, FERRY_EINVALID, "unknown engine '%s'", engine);
		ferry__error_hint(err, "give 'sqlite' or 'postgres'");
		return FERRY_EINVALID;
	}
	for (i = 0; rc == 0 && i < set->n; i++)
		rc = check_migration(&set->migs[i], dialects, nd, err);
	return rc;
}
