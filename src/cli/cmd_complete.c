/* SPDX-License-Identifier: MIT */
/*
 * cmd_complete.c - `ferry __complete WHAT`: the words the shell completion
 * scripts (completion/ferry.bash, completion/ferry.zsh) offer, one a line.
 *
 *	commands  the command names, as `ferry --help` lists them
 *	topics    what `ferry help` takes: the commands, then the pages that
 *	          are not one (trial-runs)
 *	versions  the versions of the migration set, oldest first
 *	releases  the releases of its releases file, oldest first
 *
 * The set is read as `ferry lint` reads it, with the --dir, --config and
 * --format of the command line being completed (the script passes them
 * on), and no database. Half a command line is no place for an error: when
 * there is no set, or it cannot be read, nothing is printed, and the exit
 * is 0. A hidden command: not in cli_commands, so not in `ferry --help`.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const struct cli_help help = {
	"__complete commands|topics|versions|releases",
	"Print the words shell completion offers, one a line (for the\n"
	"completion scripts; not a command to type).",
	NULL
};

const struct cli_command cli_complete_command = { "__complete", cmd_complete,
	CLI_NEEDS_SET, "the words shell completion offers" };

static int print_set(struct cli_ctx *ctx, int releases)
{
	size_t i;

	/* Its errors are of no use to a shell that completes a word. */
	if (!freopen("/dev/null", "w", stderr) ||
		cli_setup(ctx) != CLI_CONTINUE)
		return CLI_EXIT_OK;
	if (releases)
		for (i = 0; i < ferry_set_release_count(ctx->set); i++)
			printf("%s\n", ferry_set_release_at(ctx->set, i)->name);
	else
		for (i = 0; i < ferry_set_count(ctx->set); i++)
			printf("%s\n", ferry_set_at(ctx->set, i)->version_text);
	return CLI_EXIT_OK;
}

/* The help pages that are no command's. */
static void print_pages(void)
{
	const struct cli_help_page *p;
	const struct cli_command *c;

	for (p = cli_help_pages; p->name; p++) {
		for (c = cli_commands; c->name; c++)
			if (strcmp(c->name, p->name) == 0)
				break;
		if (!c->name)
			printf("%s\n", p->name);
	}
}

int cmd_complete(int argc, char **argv, struct cli_ctx *ctx)
{
	const struct cli_command *c;
	int npos, rc;

	if ((rc = cli_parse(ctx, &help, NULL, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos != 1)
		return cli_usage(ctx,
			"'__complete' takes one of commands, "
			"topics, versions or releases");
	if (strcmp(argv[0], "commands") == 0 ||
		strcmp(argv[0], "topics") == 0) {
		for (c = cli_commands; c->name; c++)
			printf("%s\n", c->name);
		if (argv[0][0] == 't')
			print_pages();
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[0], "versions") == 0)
		return print_set(ctx, 0);
	if (strcmp(argv[0], "releases") == 0)
		return print_set(ctx, 1);
	return cli_usage(ctx,
		"'__complete' takes one of commands, topics, versions or "
		"releases");
}
