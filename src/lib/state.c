/* SPDX-License-Identifier: MIT */
/*
 * state.c - the migration files and the ledger side by side.
 *
 * Both are sorted by version, so one merge pass pairs each file with its
 * ledger row. A pair without a row is pending; a row without a file is a
 * migration this set does not know (the database is ahead). Drift is a
 * change to a section that already ran: `up` once applied, `finish` once
 * finished, or a finish section added to a migration already complete.
 */
#include "ferry_int.h"

#include <stdlib.h>
#include <string.h>

static int same_sum(const char *hex, const unsigned char sha[32])
{
	char now[65];

	if (!hex)
		return 1; /* nothing recorded, nothing to compare */
	ferry__hex(now, sha);
	return strcmp(hex, now) == 0;
}

static int drifted(const ferry__migration *m, const ferry__row *r)
{
	if (strcmp(r->state, "failed") == 0)
		return 0; /* resume checks the statements that ran */
	if (!same_sum(r->up_checksum, m->sec[FERRY__UP].sha))
		return 1;
	if (strcmp(r->state, "complete") != 0)
		return 0;
	if (r->has_finish)
		return !m->sec[FERRY__FINISH].present ||
			!same_sum(
				r->finish_checksum, m->sec[FERRY__FINISH].sha);
	return m->sec[FERRY__FINISH].present;
}

int ferry__pairs_build(ferry__pairs *out, const ferry_set *set,
	const ferry__ledger *l, ferry_error *err)
{
	size_t i = 0, j = 0, nset = set ? set->n : 0;

	memset(out, 0, sizeof(*out));
	out->v = ferry__calloc(nset + l->n + 1, sizeof(*out->v));
	if (!out->v)
		return ferry__error_oom(err);
	while (i < nset || j < l->n) {
		ferry__pair *p = &out->v[out->n++];

		if (j >= l->n ||
			(i < nset &&
				set->migs[i].pub.version <
					l->rows[j].version)) {
			p->mig = &set->migs[i++];
		} else if (i >= nset ||
			l->rows[j].version < set->migs[i].pub.version) {
			p->row = &l->rows[j++];
		} else {
			p->mig = &set->migs[i++];
			p->row = &l->rows[j++];
			p->drift = drifted(p->mig, p->row);
		}
	}
	return 0;
}

void ferry__pairs_clear(ferry__pairs *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}
