/* SPDX-License-Identifier: MIT */
/*
 * changes.c - what `repair` and `stamp` changed in the ledger, as they
 * print it.
 */
#include "cli.h"

size_t cli_changes_migrations(const ferry_changes *c)
{
	const ferry_migration *last = NULL;
	size_t i, n = 0;

	/* Changes come in version order, a migration's together. */
	for (i = 0; i < ferry_changes_count(c); i++) {
		const ferry_change *ch = ferry_changes_at(c, i);

		if (ch->migration != last)
			n++;
		last = ch->migration;
	}
	return n;
}

int cli_changes_json(struct cli_ctx *ctx, const ferry_changes *c, int dry_run)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < ferry_changes_count(c); i++) {
		const ferry_change *ch = ferry_changes_at(c, i);

		json_array_append_new(arr,
			json_pack("{s:s,s:s,s:s,s:o,s:s}", "action", ch->action,
				"version", ch->migration->version_text, "name",
				ch->migration->name, "release",
				cli_json_str(ch->migration->release), "what",
				ch->what));
	}
	return cli_json_print(ctx,
		json_pack("{s:o,s:b,s:b}", "changes", arr, "dry_run", dry_run,
			"waited", ferry_changes_waited(c)));
}
