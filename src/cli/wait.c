/* SPDX-License-Identifier: MIT */
/*
 * wait.c - --wait[=DURATION]: open the database, trying again while it is
 * not there yet (a container's database still starting, next to the
 * application that migrates it at start). Only what time cures is tried
 * again: a refused connection, a missing socket, a server starting up
 * (57P03). A wrong password or an unknown database fails at once.
 */
#include "cli.h"

#include <string.h>
#include <time.h>

#define WAIT_DEFAULT_MS 60000

static int says_any(const ferry_error *err, const char *const *words)
{
	int i;

	for (i = 0; words[i]; i++)
		if (strstr(err->detail, words[i]) ||
			strstr(err->message, words[i]))
			return 1;
	return 0;
}

/*
 * libpq's words for what passes by itself (they reach us as the detail;
 * libpq gives no SQLSTATE before a connection exists). With several
 * hosts (a list in the URL, or localhost as ::1 and 127.0.0.1) libpq
 * joins every host's failure into one text: one host that refused must
 * not hide another that rejected the password, so any word of a failure
 * that time does not cure means no retry.
 */
static int not_up_yet(const ferry_error *err)
{
	static const char *const passes[] = { "Connection refused",
		"No such file or directory",
		"the database system is starting up",
		"the database system is not yet accepting connections", NULL };
	static const char *const stays[] = { "authentication failed",
		"does not exist", "no pg_hba.conf entry", "password",
		"permission denied", "SSL", "certificate", NULL };

	if (err->code != FERRY_EDB || says_any(err, stays))
		return 0;
	return strcmp(err->sqlstate, "57P03") == 0 || says_any(err, passes);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cli_wait_resolve(struct cli_ctx *ctx)
{
	ctx->wait_ms = 0;
	if (!ctx->wait)
		return CLI_CONTINUE;
	if (!*ctx->wait) {
		ctx->wait_ms = WAIT_DEFAULT_MS;
		return CLI_CONTINUE;
	}
	if ((ctx->wait_ms = cli_parse_duration(ctx->wait)) <= 0) {
		cli_error(ctx, "invalid --wait '%s'", ctx->wait);
		cli_hint(ctx,
			"give how long to wait for the database, e.g. 30s, "
			"2m or 500ms (at most 24 hours); --wait alone waits "
			"60 s");
		return CLI_EXIT_USAGE;
	}
	return CLI_CONTINUE;
}

int cli_db_open_waiting(struct cli_ctx *ctx, ferry_db **out, const char *url,
	const ferry_db_options *opts, ferry_error *err)
{
	long long start = now_ms(), said = -5000, waited;
	struct timespec pause = { 0, 250000000L };
	char took[32], limit[32];

	for (;;) {
		ferry_error_init(err);
		if (ferry_db_open(out, url, opts, err) == 0)
			return 0;
		waited = now_ms() - start;
		if (!ctx->wait_ms || !not_up_yet(err))
			return -1;
		if (waited >= ctx->wait_ms) {
			cli_format_ms(took, sizeof(took), waited);
			cli_format_ms(limit, sizeof(limit), ctx->wait_ms);
			snprintf(err->hint, sizeof(err->hint),
				"waited %s (--wait %s) and the server still "
				"does not accept connections: is it running, "
				"at that host and port?",
				took, limit);
			return -1;
		}
		/* A line now and then, not one per try. */
		if (waited - said >= 5000) {
			char *shown = ferry_url_mask(url);

			cli_format_ms(took, sizeof(took), waited);
			cli_format_ms(limit, sizeof(limit), ctx->wait_ms);
			cli_note(ctx,
				"waiting for the database '%s' to accept "
				"connections (%s of %s)",
				shown ? shown : "", took, limit);
			ferry_free(shown);
			said = waited;
		}
		/* Sooner at first; never past the end. */
		if (ctx->wait_ms - waited < pause.tv_nsec / 1000000)
			pause.tv_nsec =
				(long)(ctx->wait_ms - waited) * 1000000L;
		nanosleep(&pause, NULL);
		if (pause.tv_nsec < 750000000L)
			pause.tv_nsec += 250000000L;
	}
}
