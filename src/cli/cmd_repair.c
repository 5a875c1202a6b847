/* SPDX-License-Identifier: MIT */
/*
 * cmd_repair.c - `ferry repair`: make the ledger agree with the files after
 * a manual fix: accept changed checksums, clear failed sections.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const struct cli_help help = {
	"repair [--not-run] [--dry-run] [--yes] [--json]",
	"Make the ledger agree with the files after a manual fix. A section\n"
	"changed after it ran (drift) gets the file's checksum; a finish\n"
	"section added to a complete migration sends it back to 'up', so that\n"
	"'ferry finish' runs it. A no-transaction section that stopped half\n"
	"way (failed) counts as run: you completed its statements by hand, so\n"
	"the migration becomes 'up' or 'complete' (a failed down section: the\n"
	"migration is reverted). With --not-run it counts as not run: you undid\n"
	"its statements, so a failed up section leaves the migration pending, a\n"
	"failed finish leaves it 'up', a failed down leaves it as it was.\n"
	"\n"
	"Lists the changes and asks first; without a terminal, refuses unless\n"
	"--yes. Takes the runner lock; each change is a 'repair' entry in the\n"
	"history. Refuses (exit 5) a database ahead of the files.",
	"  ferry repair --dry-run\n"
	"  ferry repair --yes\n"
};

static void print_changes(const ferry_changes *c, FILE *out)
{
	size_t i;

	for (i = 0; i < ferry_changes_count(c); i++) {
		const ferry_change *ch = ferry_changes_at(c, i);

		fprintf(out, "repair %s: %s\n", ch->migration->id, ch->what);
	}
}

/* "repair 2 migrations (0002_a and 1 more)" */
static int confirm(struct cli_ctx *ctx, const ferry_changes *c)
{
	size_t n = cli_changes_migrations(c);
	char question[300];

	if (!ctx->yes)
		print_changes(c, stderr);
	snprintf(question, sizeof(question), "repair %zu migration%s (%s", n,
		n == 1 ? "" : "s", ferry_changes_at(c, 0)->migration->id);
	if (n > 1)
		snprintf(question + strlen(question),
			sizeof(question) - strlen(question), " and %zu more",
			n - 1);
	snprintf(question + strlen(question),
		sizeof(question) - strlen(question), ")");
	return cli_confirm(ctx, question);
}

int cmd_repair(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_repair_options o = FERRY_REPAIR_OPTIONS_INIT;
	ferry_changes *c = NULL;
	ferry_error err;
	int npos, rc, dry_run;
	const struct cli_opt opts[] = {
		CLI_OPT_FLAG("not-run", 0, &o.not_run,
			"a failed section counts as not run (you undid it by "
			"hand)"),
		CLI_OPT_FLAG("dry-run", 0, &o.dry_run,
			"list what would change, change nothing"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx, "'repair' takes no arguments");
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	/* Refusals first, and the question names what would change. */
	dry_run = o.dry_run;
	o.dry_run = 1;
	if (ferry_repair(&c, ctx->db, ctx->set, &o, &err) < 0)
		return cli_fail(ctx, &err);
	if (!dry_run && ferry_changes_count(c) > 0) {
		if (!confirm(ctx, c)) {
			ferry_changes_free(c);
			return CLI_EXIT_REFUSED;
		}
		ferry_changes_free(c);
		c = NULL;
		o.dry_run = 0;
		if (ferry_repair(&c, ctx->db, ctx->set, &o, &err) < 0)
			return cli_fail(ctx, &err);
	}
	rc = CLI_EXIT_OK;
	if (ctx->json) {
		rc = cli_changes_json(ctx, c, dry_run);
	} else if (ferry_changes_count(c) == 0 && !ctx->quiet) {
		printf("nothing to repair: the ledger agrees with the files\n");
	} else if (!ctx->quiet) {
		size_t n = cli_changes_migrations(c);

		print_changes(c, stdout);
		printf("%s %zu migration%s%s\n",
			dry_run ? "would repair" : "repaired", n,
			n == 1 ? "" : "s", dry_run ? "; nothing changed" : "");
	}
	ferry_changes_free(c);
	return rc;
}
