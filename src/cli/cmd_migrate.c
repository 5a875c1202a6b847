/* SPDX-License-Identifier: MIT */
/*
 * cmd_migrate.c - `ferry migrate`: up and finish all the way, passing
 * checkpoints in order; the one-shot upgrade with downtime.
 */
#include "cli.h"

static const struct cli_help help = {
	"migrate [--to TARGET] [--allow-out-of-order] [--single-transaction]\n"
	"              [--baseline VERSION] [--dry-run | --check] [--strict]\n"
	"              [--json]",
	"Bring the database all the way to TARGET (default: the newest\n"
	"migration): the up sections of pending migrations, then the finish\n"
	"sections. At each checkpoint release on the way, everything up to it\n"
	"is finished before later migrations go up, so a database several\n"
	"releases behind gets every skipped release's migrations, in order.\n"
	"For an upgrade with downtime; for a blue-green rollout use 'up', then\n"
	"'finish' once the old release is gone. 'ferry plan' shows the steps.",
	"  ferry migrate\n"
	"  ferry migrate --to 2.0\n"
};

static const struct cli_runner migrate = {
	.help = &help,
	.run = ferry_migrate,
	.opts = CLI_RUN_TO | CLI_RUN_OUT_OF_ORDER | CLI_RUN_SINGLE |
		CLI_RUN_TRIAL | CLI_RUN_BASELINE | CLI_RUN_BACKUP |
		CLI_RUN_LOCK_BUDGET | CLI_RUN_EXCLUSIVE | CLI_RUN_STRICT |
		CLI_RUN_ALLOW_EMPTY,
	.to_help = "stop after this version or release",
	.single_help = "the whole run in one transaction: all or none",
	.summary = cli_print_phases,
};

int cmd_migrate(int argc, char **argv, struct cli_ctx *ctx)
{
	return cli_run(ctx, &migrate, argc, argv);
}
