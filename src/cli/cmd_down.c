/* SPDX-License-Identifier: MIT */
/*
 * cmd_down.c - `ferry down`: revert applied migrations, newest first.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static const struct cli_help help = {
	"down (--to TARGET | --steps N) [--force] [--yes] [--dry-run | --check]\n"
	"         [--json]",
	"Revert applied migrations with their down sections, newest first,\n"
	"each in one transaction with the removal of its ledger row. A\n"
	"migration whose finish section ran needs --force: finish may have\n"
	"dropped data that down cannot bring back. Anything that cannot be\n"
	"reverted is refused (exit 5) before anything runs. Asks first; without\n"
	"a terminal, refuses unless --yes.",
	"  ferry down --steps 1\n"
	"  ferry down --to 1.1 --yes\n"
};

int cmd_down(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_down_options o = FERRY_DOWN_OPTIONS_INIT;
	const char *steps = NULL;
	ferry_report *r = NULL;
	char question[160];
	ferry_error err;
	int npos, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_STRING("to", 0, &o.to, "TARGET",
			"keep this version or release and older; 0 reverts "
			"all"),
		CLI_OPT_STRING("steps", 0, &steps, "N",
			"revert the N newest applied migrations"),
		CLI_OPT_FLAG("force", 0, &o.force,
			"also revert migrations whose finish section ran"),
		CLI_OPT_FLAG("dry-run", 0, &o.dry_run, CLI_TRIAL_HELP_DRY_RUN),
		CLI_OPT_FLAG("check", 0, &o.check, CLI_TRIAL_HELP_CHECK),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0)
		return cli_usage(ctx,
			"'down' takes no arguments; use --to %s "
			"or --steps N",
			argv[0]);
	if (!o.to == !steps)
		return cli_usage(ctx, "'down' needs either --to or --steps");
	if (steps) {
		char *end;
		long n;

		errno = 0;
		n = strtol(steps, &end, 10);
		if (errno || *end || end == steps || n < 1)
			return cli_usage(ctx,
				"--steps needs a whole number of migrations, "
				"1 or more, not '%s'",
				steps);
		o.steps = (size_t)n;
	}
	if ((rc = cli_trial_setup(ctx, o.dry_run, o.check)) != CLI_CONTINUE ||
		(rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	/* Nothing changes: nothing to ask. */
	if (o.dry_run || o.check) {
		if (ferry_down(&r, ctx->db, ctx->set, &o, &err) < 0)
			return cli_fail(ctx, &err);
		return cli_print_run(ctx, r, cli_print_reverted, NULL);
	}
	/* Refusals first, and the question names what would go. */
	o.dry_run = 1;
	if (ferry_down(&r, ctx->db, ctx->set, &o, &err) < 0)
		return cli_fail(ctx, &err);
	o.dry_run = 0;
	rc = 1;
	if (ferry_report_count(r) > 0) {
		const ferry_step *s = ferry_report_at(r, 0);
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
	/* The question named them: a down section marked confirm too. */
	o.yes = 1;
	if (ferry_down(&r, ctx->db, ctx->set, &o, &err) < 0)
		return cli_fail(ctx, &err);
	return cli_print_run(
		ctx, r, cli_print_reverted, "no applied migration is in range");
}
