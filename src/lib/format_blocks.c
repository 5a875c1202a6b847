/* SPDX-License-Identifier: MIT */
/*
 * format_blocks.c - goose's and sql-migrate's StatementBegin/StatementEnd
 * blocks: the lines between the two markers are one statement, sent whole,
 * never split at a ';' (for a function body those tools' splitters would
 * otherwise cut). Text outside blocks is split by split.c as always.
 *
 * Only sections a marker parser marked `blocks` come here, so a ferry
 * file whose comment happens to read "-- +goose StatementBegin" means
 * nothing new. A transactional section still runs as one text through
 * the driver, which reads a block's statements as split.c does (dollar
 * quotes, BEGIN ... END bodies and triggers included); the blocks decide
 * where ferry itself cuts: statement by statement outside a transaction,
 * in the checks before a run, and in statement counts.
 */
#include "ferry_int.h"

#include <string.h>
#include <strings.h>

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Is the line [p, end) "-- +goose <what>" or "-- +migrate <what>"? */
static int block_marker(const char *p, const char *end, const char *what)
{
	size_t n = strlen(what);

	while (end > p && blank(end[-1]))
		end--;
	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return 0;
	p += 2;
	while (p < end && blank(*p))
		p++;
	if (end - p > 6 && strncmp(p, "+goose", 6) == 0)
		p += 6;
	else if (end - p > 8 && strncmp(p, "+migrate", 8) == 0)
		p += 8;
	else
		return 0;
	if (p == end || !blank(*p))
		return 0;
	while (p < end && blank(*p))
		p++;
	return (size_t)(end - p) == n && strncasecmp(p, what, n) == 0;
}

typedef struct {
	ferry__stmt_fn fn;
	void *payload;
	size_t base;
} shifted;

static int shift(void *payload, size_t offset, size_t len)
{
	shifted *s = payload;

	return s->fn(s->payload, s->base + offset, len);
}

/* Split text[from, to) as split.c does, offsets from `text`. */
static int split_open(const char *text, size_t from, size_t to,
	ferry__dialect dialect, ferry__stmt_fn fn, void *payload,
	ferry__split_error *serr)
{
	shifted s = { fn, payload, from };
	int rc = ferry__split_each(
		text + from, to - from, dialect, shift, &s, serr);

	if (rc == FERRY_EINVALID && serr && serr->what)
		serr->offset += from;
	return rc;
}

/* The block text[from, to): its first token to its last non-blank. */
static int deliver_block(const char *text, size_t from, size_t to,
	ferry__stmt_fn fn, void *payload)
{
	size_t first = from + ferry__first_token(text + from, to - from);

	while (to > first && (blank(text[to - 1]) || text[to - 1] == '\n'))
		to--;
	return first < to ? fn(payload, first, to - first) : 0;
}

int ferry__split_blocks_each(const char *text, size_t len, int blocks,
	ferry__dialect dialect, ferry__stmt_fn fn, void *payload,
	ferry__split_error *serr)
{
	size_t open = 0, p = 0, block = 0;
	int in_block = 0, rc;

	if (!blocks)
		return ferry__split_each(text, len, dialect, fn, payload, serr);
	while (p < len) {
		const char *nl = memchr(text + p, '\n', len - p);
		size_t eol = nl ? (size_t)(nl - text) : len;
		size_t next = nl ? eol + 1 : len;

		if (!in_block &&
			block_marker(text + p, text + eol, "StatementBegin")) {
			if ((rc = split_open(text, open, p, dialect, fn,
				     payload, serr)) != 0)
				return rc;
			in_block = 1;
			block = next;
		} else if (in_block &&
			block_marker(text + p, text + eol, "StatementEnd")) {
			if ((rc = deliver_block(text, block, p, fn, payload)) !=
				0)
				return rc;
			in_block = 0;
			open = next;
		}
		p = next;
	}
	/* The parser refuses an unclosed block; to the end, if not. */
	if (in_block)
		return deliver_block(text, block, len, fn, payload);
	return split_open(text, open, len, dialect, fn, payload, serr);
}

static int push(void *payload, size_t offset, size_t len)
{
	ferry__spans *s = payload;

	if (FERRY__GROW(s->v, s->alloc, s->n + 1, 16) < 0)
		return FERRY_ENOMEM;
	s->v[s->n].offset = offset;
	s->v[s->n].len = len;
	s->n++;
	return 0;
}

int ferry__split_blocks(ferry__spans *out, const char *text, size_t len,
	int blocks, ferry__dialect dialect, ferry__split_error *serr)
{
	int rc;

	if (!blocks)
		return ferry__split(out, text, len, dialect, serr);
	memset(out, 0, sizeof(*out));
	rc = ferry__split_blocks_each(text, len, 1, dialect, push, out, serr);
	if (rc < 0)
		ferry__spans_clear(out);
	return rc;
}
