/* SPDX-License-Identifier: MIT */
/*
 * ticker.c - on a terminal, a section that runs longer than two seconds
 * shows how long it has run, redrawn in place every quarter second, with
 * the batch, the rows so far and the rate while a statement repeats:
 *
 *	up     0007_backfill ... 14 s, batch 42, 420000 rows, 30000 rows/s
 *
 * The library sends no event while a statement runs, so a thread of its
 * own redraws the line; every other output stops it first and puts the
 * line back as it was (cli_ticker_pause), so what is printed reads the
 * same with or without it, and nothing of it reaches a file or a pipe.
 */
#include "cli.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TICK_AFTER_MS 2000
#define TICK_EVERY_MS 250

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int started, quit;
	int active; /* a section's line is open on `out` */
	int drawn;  /* the line shows a tick now */
	FILE *out;
	char prefix[160]; /* "up     0007_backfill ... " */
	struct timespec t0;
	long long batch, rows;
	char last[256]; /* the tick last drawn */
} tk = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

static long long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000LL +
		(now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Under the lock; only when the text changed. */
static void draw(void)
{
	long long ms = ms_since(&tk.t0), s = ms / 1000;
	char line[256];
	int n;

	if (s < 60)
		n = snprintf(line, sizeof(line), "%lld s", s);
	else
		n = snprintf(line, sizeof(line), "%lld min %02lld s", s / 60,
			s % 60);
	if (tk.batch > 0 && n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n,
			", batch %lld, %lld rows, %lld rows/s", tk.batch,
			tk.rows, ms > 0 ? tk.rows * 1000 / ms : 0);
	if (tk.drawn && strcmp(line, tk.last) == 0)
		return;
	memcpy(tk.last, line, sizeof(line));
	fprintf(tk.out, "\r\033[K%s%s", tk.prefix, line);
	fflush(tk.out);
	tk.drawn = 1;
}

static void *run(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&tk.lock);
	while (!tk.quit) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += TICK_EVERY_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&tk.wake, &tk.lock, &until);
		if (tk.active && ms_since(&tk.t0) >= TICK_AFTER_MS)
			draw();
	}
	pthread_mutex_unlock(&tk.lock);
	return NULL;
}

void cli_ticker_start(FILE *out, const char *section, const char *id)
{
	if (!isatty(fileno(out)))
		return;
	pthread_mutex_lock(&tk.lock);
	if (!tk.started && pthread_create(&tk.thread, NULL, run, NULL) == 0)
		tk.started = 1;
	tk.out = out;
	snprintf(tk.prefix, sizeof(tk.prefix), "%-6s %s ... ", section, id);
	clock_gettime(CLOCK_MONOTONIC, &tk.t0);
	tk.batch = tk.rows = 0;
	tk.active = tk.started;
	tk.drawn = 0;
	pthread_mutex_unlock(&tk.lock);
}

void cli_ticker_batch(long long batch, long long rows_total)
{
	pthread_mutex_lock(&tk.lock);
	tk.batch = batch;
	tk.rows = rows_total;
	pthread_mutex_unlock(&tk.lock);
}

void cli_ticker_pause(void)
{
	if (!tk.started)
		return;
	pthread_mutex_lock(&tk.lock);
	if (tk.drawn) {
		fprintf(tk.out, "\r\033[K%s", tk.prefix);
		fflush(tk.out);
	}
	tk.active = tk.drawn = 0;
	pthread_mutex_unlock(&tk.lock);
}

void cli_ticker_end(void)
{
	if (!tk.started)
		return;
	cli_ticker_pause();
	pthread_mutex_lock(&tk.lock);
	tk.quit = 1;
	pthread_cond_signal(&tk.wake);
	pthread_mutex_unlock(&tk.lock);
	pthread_join(tk.thread, NULL);
	tk.started = 0;
}
