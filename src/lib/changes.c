/* SPDX-License-Identifier: MIT */
/*
 * changes.c - the list of ledger changes `repair` and `stamp` make (or,
 * in a dry run, would make), one per history row they write.
 */
#include "ferry_int.h"

#include <stdlib.h>

struct ferry_changes {
	ferry_change *v;
	size_t n;
	size_t alloc;
	int waited;
};

ferry_changes *ferry__changes_new(void)
{
	return ferry__calloc(1, sizeof(ferry_changes));
}

int ferry__changes_push(ferry_changes *c, const char *action,
	const ferry_migration *m, const char *what)
{
	char *copy;

	if (FERRY__GROW(c->v, c->alloc, c->n + 1, 16) < 0)
		return FERRY_ENOMEM;
	if (!(copy = ferry__strdup(what)))
		return FERRY_ENOMEM;
	c->v[c->n].action = action;
	c->v[c->n].migration = m;
	c->v[c->n].what = copy;
	c->n++;
	return 0;
}

void ferry__changes_set_waited(ferry_changes *c, int waited)
{
	c->waited = waited;
}

/* Forget the changes listed so far: the ledger is read again. */
void ferry__changes_reset(ferry_changes *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free((char *)c->v[i].what);
	c->n = 0;
}

size_t ferry_changes_count(const ferry_changes *c)
{
	return c ? c->n : 0;
}

const ferry_change *ferry_changes_at(const ferry_changes *c, size_t i)
{
	return c && i < c->n ? &c->v[i] : NULL;
}

int ferry_changes_waited(const ferry_changes *c)
{
	return c ? c->waited : 0;
}

void ferry_changes_free(ferry_changes *c)
{
	if (!c)
		return;
	ferry__changes_reset(c);
	free(c->v);
	free(c);
}
