/* SPDX-License-Identifier: MIT */
/*
 * runner.c - what the commands that run sections with ferry_up_options
 * (`up`, `finish`, `migrate`, `bootstrap`, `rollback`) have in common:
 * their options, bound to one ferry_up_options; no arguments; a trial
 * (`--dry-run` or `--check`) set up before the database opens; an
 * automatic backup before anything changes; the run; its report and exit
 * code. Each command is a struct cli_runner saying which options it takes,
 * which library call runs and how its summary reads.
 */
#include "cli.h"

/* The options of `r`, bound to `o`, in the order help lists them. */
static void bind_options(struct cli_opt t[CLI_RUN_NOPTS],
	const struct cli_runner *r, ferry_up_options *o, int *fail_on_warning,
	struct cli_ctx *ctx)
{
	const struct {
		unsigned int when;
		struct cli_opt opt;
	} all[] = {
		{ CLI_RUN_TO,
			CLI_OPT_STRING("to", 0, &o->to, "TARGET", r->to_help) },
		{ CLI_RUN_OUT_OF_ORDER,
			CLI_OPT_FLAG("allow-out-of-order", 0,
				&o->allow_out_of_order,
				"apply migrations older than the newest "
				"applied one") },
		{ CLI_RUN_SINGLE,
			CLI_OPT_FLAG("single-transaction", 0,
				&o->single_transaction, r->single_help) },
		{ CLI_RUN_TRIAL,
			CLI_OPT_FLAG("dry-run", 0, &o->dry_run,
				CLI_TRIAL_HELP_DRY_RUN) },
		{ CLI_RUN_TRIAL,
			CLI_OPT_FLAG(
				"check", 0, &o->check, CLI_TRIAL_HELP_CHECK) },
		{ CLI_RUN_TRIAL,
			CLI_OPT_FLAG("fail-on-warning", 0, fail_on_warning,
				"with --check: fail (exit 1) when the server "
				"warned") },
		{ CLI_RUN_RERUN,
			CLI_OPT_STRING("rerun", 0, &o->rerun, "VERSION",
				"run the up section of applied migration "
				"VERSION again (asks first)") },
		{ CLI_RUN_BASELINE,
			CLI_OPT_STRING("baseline", 0, &o->baseline, "VERSION",
				"a database with objects but no ferry ledger: "
				"first record migrations up to VERSION as "
				"complete, without running them") },
		{ CLI_RUN_STRICT,
			CLI_OPT_FLAG("strict", 0, &o->strict,
				"refuse (exit 5) when 'ferry lint' finds an "
				"error in a section to run") },
		{ CLI_RUN_ALLOW_EMPTY,
			CLI_OPT_FLAG("allow-empty", 0, &o->allow_empty,
				"run an up section that is still the "
				"template\n"
				"                               'ferry new' "
				"wrote (refused otherwise)") },
		{ CLI_RUN_LOCK_BUDGET,
			CLI_OPT_STRING("lock-wait", 0, &ctx->lock_wait,
				"DURATION",
				"how long one statement may wait for a lock, "
				"and\n"
				"                               so stall the "
				"application (default: 1s;\n"
				"                               0: no limit, no "
				"retry)") },
		{ CLI_RUN_LOCK_BUDGET,
			CLI_OPT_STRING("lock-retries", 0, &ctx->lock_retries,
				"N",
				"then roll back and try again N times "
				"(default: 5)") },
		{ CLI_RUN_EXCLUSIVE,
			CLI_OPT_FLAG("exclusive", 0, &ctx->exclusive,
				"refuse while another session is connected "
				"(PostgreSQL)") },
	};
	const struct cli_opt end = CLI_OPT_END;
	size_t i, n = 0;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (r->opts & all[i].when)
			t[n++] = all[i].opt;
	t[n] = end;
}

int cli_run(
	struct cli_ctx *ctx, const struct cli_runner *r, int argc, char **argv)
{
	ferry_up_options o = FERRY_UP_OPTIONS_INIT;
	struct cli_opt opts[CLI_RUN_NOPTS];
	ferry_report *report = NULL;
	ferry_error err;
	int npos, rc, fail_on_warning = 0;

	bind_options(opts, r, &o, &fail_on_warning, ctx);
	if ((rc = cli_parse(ctx, r->help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 0 && (r->opts & CLI_RUN_TO))
		return cli_usage(ctx,
			"'%s' takes no arguments; to stop at a version, use "
			"--to %s",
			ctx->cmd->name, argv[0]);
	if (npos > 0)
		return cli_usage(
			ctx, "'%s' takes no arguments", ctx->cmd->name);
	if (fail_on_warning && !o.check)
		return cli_usage(ctx, "--fail-on-warning goes with --check");
	if ((rc = cli_trial_setup(ctx, o.dry_run, o.check)) != CLI_CONTINUE ||
		(rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	if ((r->opts & CLI_RUN_BACKUP) &&
		(rc = cli_autobackup(ctx, r->run, &o)) != CLI_CONTINUE)
		return rc;
	o.yes = ctx->yes;
	o.confirm = cli_confirm_step;
	o.confirm_payload = ctx;
	ferry_error_init(&err);
	if (r->run(&report, ctx->db, ctx->set, &o, &err) < 0)
		return cli_fail(ctx, &err);
	rc = cli_print_run(
		ctx, report, r->summary, r->nothing ? r->nothing : o.to);
	if (rc == CLI_EXIT_OK && fail_on_warning && ctx->warnings) {
		cli_error(ctx, "the check ran, but with %d warning%s",
			ctx->warnings, ctx->warnings == 1 ? "" : "s");
		cli_hint(ctx,
			"--fail-on-warning makes a warning fail the check: "
			"see it above");
		rc = CLI_EXIT_FAILED;
	}
	return rc;
}
