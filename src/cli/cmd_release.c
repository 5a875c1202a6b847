/* SPDX-License-Identifier: MIT */
/*
 * cmd_release.c - `ferry release R`: tag the newest migration as the last
 * of release R in the migration directory's `releases` file.
 */
#include "cli.h"

static const struct cli_help help = { "release R [--checkpoint] [--json]",
	"Append 'R <newest version> [checkpoint]' to <dir>/releases: the\n"
	"migrations since the previous release belong to release R. With\n"
	"--checkpoint, 'ferry up' takes no later migration until every\n"
	"migration of R is finished (the upgrade guide's 'go to R first').\n"
	"With no migration since the previous release, R is a patch release:\n"
	"it ends where that one does, and 'check --release R' answers as for\n"
	"it. Does not open the database.",
	"  ferry release 2.1.0\n"
	"  ferry release 3.0 --checkpoint\n" };

int cmd_release(int argc, char **argv, struct cli_ctx *ctx)
{
	const ferry_migration *head;
	const ferry_release *prev;
	int checkpoint = 0, npos, rc, patch;
	ferry_error err;
	const struct cli_opt opts[] = {
		CLI_OPT_FLAG("checkpoint", 0, &checkpoint,
			"later migrations wait until this release is finished"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos != 1)
		return cli_usage(ctx, "'release' takes one release name");
	if ((rc = cli_setup(ctx)) != CLI_CONTINUE)
		return rc;
	ferry_error_init(&err);
	if (ferry_release_add(ctx->set, argv[0], checkpoint, &err) < 0)
		return cli_fail(ctx, &err);
	head = ferry_set_at(ctx->set, ferry_set_count(ctx->set) - 1);
	prev = ferry_set_release_at(
		ctx->set, ferry_set_release_count(ctx->set) - 1);
	patch = prev && prev->last_version == head->version;
	if (ctx->json)
		return cli_json_print(ctx,
			json_pack("{s:s,s:s,s:b,s:b}", "release", argv[0],
				"last_version", head->version_text,
				"checkpoint", checkpoint, "new_migrations",
				!patch));
	if (!ctx->quiet && patch)
		printf("release %s ends at %s, as %s does: no new migration; "
		       "written to %s/releases\n",
			argv[0], head->id, prev->name, ferry_set_dir(ctx->set));
	else if (!ctx->quiet)
		printf("release %s ends at %s%s; written to %s/releases\n",
			argv[0], head->id, checkpoint ? " (checkpoint)" : "",
			ferry_set_dir(ctx->set));
	return CLI_EXIT_OK;
}
