/* SPDX-License-Identifier: MIT */
/*
 * main.c - the ferry command: global options, the command table, dispatch.
 *
 * Adding a command: write cmd_<name>.c with its options table, help and
 * cmd_<name>(); declare it in cli.h; add it to the table below; write
 * docs/ferry-<name>.md and its tests (git's builtin.h checklist).
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct cli_command cli_commands[] = {
	{ "init", cmd_init, CLI_TAKES_DIR | CLI_TAKES_URL,
		"create migrations/ and a commented ferry.conf" },
	{ "new", cmd_new, CLI_TAKES_DIR,
		"write a new migration file and print its path" },
	{ "status", cmd_status, CLI_NEEDS_SET | CLI_READS_DB,
		"show where the database stands" },
	{ "list", cmd_list, CLI_NEEDS_SET | CLI_READS_DB,
		"one line per migration: release, state, when applied" },
	{ "plan", cmd_plan, CLI_NEEDS_SET | CLI_READS_DB,
		"the steps up and migrate would take, touching nothing" },
	{ "up", cmd_up,
		CLI_NEEDS_SET | CLI_NEEDS_DB | CLI_EXCLUSIVE | CLI_AUTOBACKUP,
		"apply the up sections of pending migrations" },
	{ "finish", cmd_finish,
		CLI_NEEDS_SET | CLI_NEEDS_DB | CLI_EXCLUSIVE | CLI_AUTOBACKUP,
		"apply the finish sections of migrations that are up" },
	{ "migrate", cmd_migrate,
		CLI_NEEDS_SET | CLI_NEEDS_DB | CLI_EXCLUSIVE | CLI_AUTOBACKUP,
		"up and finish all the way, checkpoint by checkpoint" },
	{ "bootstrap", cmd_bootstrap, CLI_NEEDS_SET | CLI_NEEDS_DB,
		"a new, empty database straight to the newest migration" },
	{ "rollback", cmd_rollback, CLI_NEEDS_SET | CLI_NEEDS_DB,
		"revert the unfinished rollout, newest first" },
	{ "down", cmd_down, CLI_NEEDS_SET | CLI_NEEDS_DB,
		"revert applied migrations, newest first" },
	{ "check", cmd_check, CLI_NEEDS_SET | CLI_READS_DB,
		"can an application of release R run on the database now?" },
	{ "release", cmd_release, CLI_NEEDS_SET,
		"tag the newest migration as the last of release R" },
	{ "history", cmd_history, CLI_READS_DB,
		"the audit log of every action, newest first" },
	{ "validate", cmd_validate,
		CLI_NEEDS_SET | CLI_READS_DB | CLI_FRESH_SET,
		"check the files against the ledger, and the ledger itself" },
	{ "lint", cmd_lint, CLI_NEEDS_SET,
		"flag statements that would hurt live traffic, offline" },
	{ "repair", cmd_repair, CLI_NEEDS_SET | CLI_NEEDS_DB | CLI_FRESH_SET,
		"accept edited checksums, clear failed after a manual fix" },
	{ "stamp", cmd_stamp, CLI_NEEDS_SET | CLI_NEEDS_DB,
		"record migrations up to V as complete without running them" },
	{ "adopt", cmd_adopt, CLI_NEEDS_SET | CLI_NEEDS_DB,
		"take over a database another tool migrated, from its ledger" },
	{ "import", cmd_import, CLI_TAKES_DB | CLI_TAKES_DIR,
		"load an export's rows; --from: convert another tool's set" },
	{ "backup", cmd_backup, CLI_READS_DB,
		"a consistent copy of the whole database, to a file" },
	{ "export", cmd_export, CLI_READS_DB,
		"write the database's rows as JSON Lines" },
	{ "copy", cmd_copy, CLI_NEEDS_SET | CLI_NEEDS_DB,
		"every table into another database, either engine, verified" },
	{ "restore", cmd_restore, CLI_NEEDS_DB | CLI_EXCLUSIVE,
		"replace the database with a backup" },
	{ "reset", cmd_reset, CLI_NEEDS_DB,
		"drop everything ferry's migrations made, and the ledger" },
	{ "embed", cmd_embed, CLI_TAKES_DIR,
		"print the migration set as C source, for ferry_set_open_mem()" },
	{ "version", cmd_version, CLI_NO_CONF, "print the ferry version" },
	{ "help", cmd_help, CLI_NO_CONF, "show help for ferry or a command" },
	{ NULL, NULL, 0, NULL }
};

static const struct cli_command *find_command(const char *name)
{
	const struct cli_command *c;

	for (c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	if (strcmp(name, cli_complete_command.name) == 0)
		return &cli_complete_command;
	return NULL;
}

int cli_unknown_command(struct cli_ctx *ctx, const char *name)
{
	const struct cli_command *c;
	struct cli_suggest sg;

	cli_suggest_init(&sg, name);
	for (c = cli_commands; c->name; c++)
		cli_suggest_try(&sg, c->name);
	/* In the form of every other error, so scripts grep one prefix. */
	cli_error(ctx, "'%s' is not a ferry command", name);
	if (sg.best)
		cli_hint(ctx, "did you mean '%s'?", sg.best);
	else
		cli_hint(ctx, "try 'ferry --help' for the list of commands");
	return CLI_EXIT_USAGE;
}

/*
 * Was --json asked for? The parser stops at the first bad option, so a
 * usage error may come before it reads a --json that follows.
 */
static int json_asked(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			return 1;
	return 0;
}

/*
 * How every run ends: with --json, a failure that printed no document
 * prints the error's (SPEC section 5: one document on stdout); then stdout
 * must reach its file.
 */
static int finish(struct cli_ctx *ctx, int rc, int json)
{
	if (rc != CLI_EXIT_OK && (ctx->json || (json && rc == CLI_EXIT_USAGE)))
		rc = cli_json_error(ctx, rc);
	if (fflush(stdout) != 0 && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_FAILED;
	return rc;
}

static struct cli_ctx *running; /* for on_signal() */
static volatile sig_atomic_t caught;

/*
 * SIGINT, SIGTERM: cancel what the database is running (the library rolls
 * the section back, or keeps a no-transaction section's place, records
 * the interruption and frees the lock); the command then ends as the
 * library says, and ferry exits 128 + the signal. A second one, or one
 * before a database is open, ends ferry at once, as by default.
 */
static void on_signal(int sig)
{
	caught = sig;
	signal(sig, SIG_DFL);
	if (running && running->db)
		ferry_db_interrupt(running->db);
	else
		raise(sig);
}

static void catch_signals(struct cli_ctx *ctx)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	running = ctx;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv)
{
	struct cli_ctx ctx;
	int first = 0, rc, json = json_asked(argc, argv);

	memset(&ctx, 0, sizeof(ctx));
	cli_colors(&ctx); /* usage errors come before any setup */
	if ((rc = cli_parse_leading(&ctx, argc - 1, argv + 1, &first)) !=
		CLI_CONTINUE)
		return finish(&ctx, rc, json);
	first++;
	if (first >= argc) {
		cli_print_main_help(stderr);
		cli_error_keep(&ctx, "no command given", "try 'ferry --help'");
		return finish(&ctx, CLI_EXIT_USAGE, json);
	}
	ctx.cmd = find_command(argv[first]);
	if (!ctx.cmd)
		return finish(
			&ctx, cli_unknown_command(&ctx, argv[first]), json);
	catch_signals(&ctx);
	rc = ctx.cmd->fn(argc - first - 1, argv + first + 1, &ctx);
	running = NULL;
	if (caught)
		rc = 128 + caught;
	cli_teardown(&ctx);
	return finish(&ctx, rc, json);
}
