/* SPDX-License-Identifier: MIT */
/*
 * cmd_help.c - `ferry help [COMMAND]`: the list of commands, or a
 * command's manual page (docs/ferry-COMMAND.md, made at build time into
 * cli_help_pages), as `man ferry-COMMAND` shows it. `COMMAND --help` stays
 * the short usage and options, as git's -h and `git help`.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct cli_help help = { "help [COMMAND]",
	"Show the list of commands, or the manual page of one command (as\n"
	"'man ferry-COMMAND' shows it; on a terminal, through $PAGER).\n"
	"'ferry help trial-runs': --dry-run and --check.",
	"  ferry help up\n" };

static const struct cli_help_page *find_page(const char *name)
{
	const struct cli_help_page *p;

	for (p = cli_help_pages; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/*
 * A page is a few hundred lines: on a terminal it goes through the pager,
 * as man and `git help` do ($PAGER, else less, with LESS=FRX unless LESS
 * is set: done at once when it fits, the screen kept). Elsewhere, with
 * PAGER empty or cat, or when no pager runs, it is printed.
 */
static int show(const char *text)
{
	const char *pager = getenv("PAGER");
	FILE *p;
	int status;

	if (isatty(STDOUT_FILENO) &&
		!(pager && (!*pager || strcmp(pager, "cat") == 0))) {
		if (!pager)
			pager = "less";
		setenv("LESS", "FRX", 0);
		fflush(stdout);
		/* The pager has the terminal: ^C and q are its to handle. */
		signal(SIGINT, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		if ((p = popen(pager, "w")) != NULL) {
			fputs(text, p);
			status = pclose(p);
			if (!(WIFEXITED(status) && WEXITSTATUS(status) == 127))
				return CLI_EXIT_OK;
		}
	}
	fputs(text, stdout);
	return CLI_EXIT_OK;
}

int cmd_help(int argc, char **argv, struct cli_ctx *ctx)
{
	const struct cli_command *c;
	const struct cli_help_page *page;
	char *args[2] = { (char *)"--help", NULL };
	int npos, rc;

	if ((rc = cli_parse(ctx, &help, NULL, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos == 0) {
		cli_print_main_help(stdout);
		return CLI_EXIT_OK;
	}
	if (npos > 1)
		return cli_usage(ctx, "'help' takes one command name");
	if ((page = find_page(argv[0])) != NULL)
		return show(page->text);
	/* A command without a page yet has its --help. */
	for (c = cli_commands; c->name; c++) {
		if (strcmp(c->name, argv[0]) != 0)
			continue;
		ctx->cmd = c;
		return c->fn(1, args, ctx);
	}
	return cli_unknown_command(ctx, argv[0]);
}
