/* SPDX-License-Identifier: MIT */
/*
 * cmd_down.c - `ferry down`: revert applied migrations, newest first.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

enum { OPT_TO, OPT_STEPS, OPT_FORCE, OPT_DRY_RUN, OPT_CHECK };

static const struct cli_opt opts[] = {
	[OPT_TO] = { "to", 0, CLI_VALUE, "TARGET",
		"keep this version or release and older; 0 reverts all" },
	[OPT_STEPS] = { "steps", 0, CLI_VALUE, "N",
		"revert the N newest applied migrations" },
	[OPT_FORCE] = { "force", 0, CLI_FLAG, NULL,
		"also revert migrations whose finish section ran" },
	[OPT_DRY_RUN] = { "dry-run", 0, CLI_FLAG, NULL,
		CLI_TRIAL_HELP_DRY_RUN },
	[OPT_CHECK] = { "check", 0, CLI_FLAG, NULL, CLI_TRIAL_HELP_CHECK },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cli_help help = {
	"down (--to TARGET | --steps N) [--force] [--yes] [--dry-run | --check]\n"
	"         [--json]",
	"Revert applied migrations with their down sections, newest first,\n"
	"each in one transaction with the removal of its ledger row. A\n"
	"migration whose finish section ran needs --force: finish may have\n"
	"dropped data that down cannot bring back. Anything that cannot be\n"
	"reverted is refused (exit 5) before anything runs. Asks first; without\n"
	"a terminal, refuses unless --yes.",
	opts,
	"  ferry down --steps 1\n"
	"  ferry down --to 1.1 --yes\n"
};

struct down_args {
	ferry_down_options o;
	const char *steps;
};

static int on_opt(void *data, int index, const char *value)
{
	struct down_args *a = data;

	if (index == OPT_DRY_RUN)
		a->o.dry_run = 1;
	else if (index == OPT_CHECK)
		a->o.check = 1;
	else if (index == OPT_TO)
		a->o.to = value;
	else if (index == OPT_STEPS)
		a->steps = value;
	else
		a->o.force = 1;
	return CLI_CONTINUE;
}

int cmd_down(int argc, char **argv, struct cli_ctx *ctx)
{
	struct down_args a = { FERRY_DOWN_OPTIONS_INIT, NULL };
	ferry_report *r = NULL;
	char question[160];
	ferry_error err;
	int npos, rc;

	if ((rc = cli_parse(ctx, &help, argc, argv, on_opt, &a, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx,
			"'down' takes no arguments; use --to %s "
			"or --steps N",
			argv[0]);
	if (!a.o.to == !a.steps)
		return cli_usage(ctx, "'down' needs either --to or --steps");
	if (a.steps) {
		char *end;
		long n;

		errno = 0;
		n = strtol(a.steps, &end, 10);
		if (errno || *end || end == a.steps || n < 1)
			return cli_usage(ctx,
				"--steps needs a whole number of migrations, "
				"1 or more, not '%s'",
				a.steps);
		a.o.steps = (size_t)n;
	}
	if ((rc = cli_trial_setup(ctx, a.o.dry_run, a.o.check)) !=
			CLI_CONTINUE ||
		(rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	/* Nothing changes: nothing to ask. */
	if (a.o.dry_run || a.o.check) {
		if (ferry_down(&r, ctx->db, ctx->set, &a.o, &err) < 0)
			return cli_fail(ctx, &err);
		return cli_print_run(ctx, r, cli_print_reverted, NULL);
	}
	/* Refusals first, and the question names what would go. */
	a.o.dry_run = 1;
	if (ferry_down(&r, ctx->db, ctx->set, &a.o, &err) < 0)
		return cli_fail(ctx, &err);
	a.o.dry_run = 0;
	rc = 1;
	if (ferry_report_count(r) > 0) {
		const ferry_step *s = ferry_report_get(r, 0);
		size_t n = ferry_report_count(r);

		snprintf(question, sizeof(question),
			"revert %zu migration%s (%s%s)", n, n == 1 ? "" : "s",
			s->migration->id, n > 1 ? " and older" : "");
		rc = cli_confirm(ctx, question);
	}
	ferry_report_free(r);
	r = NULL;
	if (rc == 0)
		return CLI_EXIT_REFUSED;
	if (ferry_down(&r, ctx->db, ctx->set, &a.o, &err) < 0)
		return cli_fail(ctx, &err);
	return cli_print_run(
		ctx, r, cli_print_reverted, "no applied migration is in range");
}
