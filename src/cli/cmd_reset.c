/* SPDX-License-Identifier: MIT */
/*
 * cmd_reset.c - `ferry reset`: drop everything ferry's migrations made,
 * and the ledger, so that every migration is pending again.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct cli_help help = { "reset [--dry-run] [--yes] [--json]",
	"Drop everything ferry's migrations made, and the ledger: on SQLite\n"
	"every table, view, index and trigger; on PostgreSQL every object in\n"
	"the ledger's schema (--schema, default public), never the schema\n"
	"itself nor anything in another schema. All in one transaction, under\n"
	"the runner lock. Afterwards every migration is pending and 'ferry up'\n"
	"builds the database again. The audit log goes with the ledger.\n"
	"Lists what it drops. Asks first; without a terminal, refuses unless\n"
	"--yes.",
	"  ferry reset --dry-run\n"
	"  ferry -d sqlite:dev.db reset --yes && ferry -d sqlite:dev.db up\n" };

/* One line per object: "drop  view   public.active_users". */
static void print_objects(const ferry_dropped *r, FILE *out, const char *verb)
{
	size_t i, width = 0;

	for (i = 0; i < ferry_dropped_count(r); i++) {
		size_t n = strlen(ferry_dropped_at(r, i)->kind);

		if (n > width)
			width = n;
	}
	for (i = 0; i < ferry_dropped_count(r); i++) {
		const ferry_dropped_object *o = ferry_dropped_at(r, i);

		fprintf(out, "%s  %-*s  %s%s\n", verb, (int)width, o->kind,
			o->name, o->ledger ? "  (ferry's ledger)" : "");
	}
}

static int print_json(struct cli_ctx *ctx, const ferry_dropped *r, int dry_run)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < ferry_dropped_count(r); i++) {
		const ferry_dropped_object *o = ferry_dropped_at(r, i);

		json_array_append_new(arr,
			json_pack("{s:s,s:s,s:b}", "kind", o->kind, "name",
				o->name, "ledger", o->ledger));
	}
	return cli_json_print(ctx,
		json_pack("{s:o,s:b,s:s}", "dropped", arr, "dry_run", dry_run,
			"database", ferry_db_display_url(ctx->db)));
}

static void print_summary(const ferry_dropped *r, int dry_run)
{
	size_t n = ferry_dropped_count(r);

	if (n == 0) {
		printf("nothing to do: the database holds no objects\n");
		return;
	}
	print_objects(r, stdout, dry_run ? "would drop" : "drop");
	if (dry_run)
		printf("would drop %zu object%s; nothing was changed\n", n,
			n == 1 ? "" : "s");
	else
		printf("dropped %zu object%s; every migration is pending\n", n,
			n == 1 ? "" : "s");
}

int cmd_reset(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_reset_options o = FERRY_RESET_OPTIONS_INIT;
	ferry_dropped *r = NULL;
	char question[512];
	ferry_error err;
	int npos, rc, dry_run;
	const struct cli_opt opts[] = {
		CLI_OPT_FLAG("dry-run", 0, &o.dry_run,
			"list what would be dropped; change nothing"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx, "'reset' takes no arguments");
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	/* Look first: nothing to drop asks nothing; else the question
	 * says how much would go, and a terminal sees the list. */
	dry_run = o.dry_run;
	o.dry_run = 1;
	if (ferry_reset(&r, ctx->db, &o, &err) < 0)
		return cli_fail(ctx, &err);
	if (!dry_run && ferry_dropped_count(r) > 0) {
		size_t i, n = ferry_dropped_count(r);
		int ledger = 0;

		for (i = 0; i < n; i++)
			ledger |= ferry_dropped_at(r, i)->ledger;
		if (!ctx->yes && isatty(STDIN_FILENO))
			print_objects(r, stderr, "drop");
		snprintf(question, sizeof(question),
			"drop %zu object%s%s from '%s'", n, n == 1 ? "" : "s",
			ledger ? ", ferry's ledger included," : "",
			ferry_db_display_url(ctx->db));
		ferry_dropped_free(r);
		r = NULL;
		if (!cli_confirm(ctx, question))
			return CLI_EXIT_REFUSED;
		o.dry_run = 0;
		if (ferry_reset(&r, ctx->db, &o, &err) < 0)
			return cli_fail(ctx, &err);
	}
	rc = CLI_EXIT_OK;
	if (ctx->json)
		rc = print_json(ctx, r, dry_run);
	else if (!ctx->quiet)
		print_summary(r, dry_run);
	ferry_dropped_free(r);
	return rc;
}
