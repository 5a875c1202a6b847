/* SPDX-License-Identifier: MIT */
/*
 * rows_progress.c - the progress line of export, import and copy: on a
 * terminal, once a second has gone, "importing orders: 120,000 of
 * 1,000,000 rows, 12.4 MB/s, 9 s left", erased at the end; never in a
 * file or a pipe.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PROGRESS_AFTER_MS 1000

static long long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000LL +
		(now.tv_nsec - t0->tv_nsec) / 1000000;
}

void cli_format_count(char *buf, size_t size, unsigned long long n)
{
	char digits[32];
	size_t len, i, o = 0;

	len = (size_t)snprintf(digits, sizeof(digits), "%llu", n);
	for (i = 0; i < len && o + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

void cli_rows_progress_init(
	struct cli_rows_progress *p, struct cli_ctx *ctx, const char *verb)
{
	memset(p, 0, sizeof(*p));
	p->verb = verb;
	p->tty = isatty(STDERR_FILENO) && !ctx->quiet;
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
}

void cli_rows_progress(struct cli_rows_progress *p, const char *table,
	uint64_t rows, uint64_t total, uint64_t bytes)
{
	char count[32], of[48] = "", rate[48] = "", left[32] = "";
	long long ms;

	if (rows == 0 || strcmp(p->table, table) != 0) {
		snprintf(p->table, sizeof(p->table), "%s", table);
		clock_gettime(CLOCK_MONOTONIC, &p->table_t0);
	}
	if (!p->tty || ms_since(&p->t0) < PROGRESS_AFTER_MS)
		return;
	ms = ms_since(&p->table_t0);
	cli_format_count(count, sizeof(count), (unsigned long long)rows);
	if (total >= rows && total > 0) {
		char n[32];

		cli_format_count(n, sizeof(n), (unsigned long long)total);
		snprintf(of, sizeof(of), " of %s", n);
		if (ms > 0 && rows > 0)
			snprintf(left, sizeof(left), ", %lld s left",
				(long long)((double)(total - rows) * ms /
					(double)rows / 1000.0));
	}
	if (ms > 0 && bytes > 0)
		snprintf(rate, sizeof(rate), ", %.1f MB/s",
			(double)bytes / 1e6 / ((double)ms / 1000.0));
	fprintf(stderr, "\r\033[K%s %s: %s%s rows%s%s", p->verb, table, count,
		of, rate, left);
	fflush(stderr);
	p->drawn = 1;
}

void cli_rows_progress_end(struct cli_rows_progress *p)
{
	if (p->drawn) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		p->drawn = 0;
	}
}
