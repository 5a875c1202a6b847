/* SPDX-License-Identifier: MIT */
/*
 * cmd_plan.c - `ferry plan`: the steps up and migrate would take, without
 * touching the database.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const struct cli_help help = {
	"plan [--to TARGET] [--allow-out-of-order] [--json]",
	"Show the steps 'ferry migrate' would take to reach TARGET (default:\n"
	"the newest migration), in order: each migration's up and finish\n"
	"sections, with its release, checkpoint releases marked, and where\n"
	"'ferry up' alone stops at a checkpoint that must be finished first.\n"
	"Reads only: takes no lock, creates nothing. Refuses (exit 5) what\n"
	"the run would refuse.",
	"  ferry plan\n"
	"  ferry plan --to 2.0 --json\n"
};

/*
 * How many statements of step `s` repeat until they change no row. Only
 * a no-transaction section may have any: only its file is read again.
 */
static size_t step_repeats(struct cli_ctx *ctx, const ferry_plan_step *s)
{
	const ferry_migration *m = s->migration;
	int notx = strcmp(s->action, "up") == 0 ? m->up_no_transaction
						: m->finish_no_transaction;
	char *sql = NULL;
	size_t n;
	int line;

	if (!notx ||
		ferry_migration_sql(&sql, &line, ctx->set, m, s->action, NULL) <
			0)
		return 0;
	n = ferry_sql_repeats(sql);
	ferry_free(sql);
	return n;
}

static int print_json(struct cli_ctx *ctx, const ferry_plan *p)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < ferry_plan_count(p); i++) {
		const ferry_plan_step *s = ferry_plan_at(p, i);
		size_t n = step_repeats(ctx, s);
		json_t *o = json_pack("{s:s,s:o,s:s,s:o,s:b,s:b}", "action",
			s->action, "version", cli_json_version(s->migration),
			"name", s->migration->name, "release",
			cli_json_str(s->migration->release), "checkpoint",
			s->checkpoint, "by_up", s->by_up);

		/* Only where there are any: SPEC's fields stay as they were. */
		if (n)
			json_object_set_new(
				o, "repeats", json_integer((json_int_t)n));
		json_array_append_new(arr, o);
	}
	return cli_json_print(ctx, arr);
}

static void print_plan(struct cli_ctx *ctx, const ferry_plan *p)
{
	const char *head[] = { "STEP", "ACTION", "MIGRATION", "RELEASE" };
	const char *cp = ferry_plan_checkpoint(p);
	struct cli_table t;
	size_t i;
	int c = ctx->color_out, said = 0;

	if (ferry_plan_count(p) == 0) {
		printf("nothing to do: the database is at its target\n");
		return;
	}
	cli_table_init(&t, 4, head);
	for (i = 0; i < ferry_plan_count(p); i++) {
		const ferry_plan_step *s = ferry_plan_at(p, i);
		char step[24], release[96];
		const char *row[4];

		if (cp && !s->by_up && !said)
			said = (int)i + 1;
		snprintf(step, sizeof(step), "%zu", i + 1);
		snprintf(release, sizeof(release), "%s%s",
			s->migration->release ? s->migration->release : "-",
			s->checkpoint ? " (checkpoint)" : "");
		row[0] = step;
		row[1] = s->action;
		row[2] = s->migration->id;
		row[3] = release;
		cli_table_add(&t, row);
	}
	cli_table_print(&t, stdout, c);
	cli_table_free(&t);
	for (i = 0; i < ferry_plan_count(p); i++) {
		const ferry_plan_step *s = ferry_plan_at(p, i);
		size_t n = step_repeats(ctx, s);

		if (n)
			printf("step %zu: %zu statement%s of %s repeat%s "
			       "until no row changes, each batch in a "
			       "transaction of its own\n",
				i + 1, n, n == 1 ? "" : "s", s->migration->id,
				n == 1 ? "s" : "");
	}
	if (said)
		printf("%s'ferry up' stops before step %d: checkpoint release "
		       "%s must be finished first%s\n",
			cli_color(c, CLI_YELLOW), said, cp,
			cli_color(c, CLI_RESET));
}

int cmd_plan(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_up_options o = FERRY_UP_OPTIONS_INIT;
	ferry_plan *p = NULL;
	ferry_error err;
	int npos, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_STRING("to", 0, &o.to, "TARGET",
			"plan up to this version or release"),
		CLI_OPT_FLAG("allow-out-of-order", 0, &o.allow_out_of_order,
			"plan as 'migrate --allow-out-of-order' would"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx,
			"'plan' takes no arguments; to plan up "
			"to a version, use --to %s",
			argv[0]);
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	if (ferry_plan_get(&p, ctx->db, ctx->set, &o, &err) < 0)
		return cli_fail(ctx, &err);
	rc = CLI_EXIT_OK;
	if (ctx->json)
		rc = print_json(ctx, p);
	else
		print_plan(ctx, p);
	ferry_plan_free(p);
	return rc;
}
