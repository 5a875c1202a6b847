/* SPDX-License-Identifier: MIT */
/*
 * table.c - aligned text tables for status, list and history, and the
 * JSON helpers those commands share.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* Display width: bytes outside escape sequences, UTF-8 counted once. */
static size_t width(const char *s)
{
	size_t w = 0;

	while (*s) {
		if (*s == '\033') {
			while (*s && *s != 'm')
				s++;
			if (*s)
				s++;
			continue;
		}
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
		s++;
	}
	return w;
}

void cli_table_init(struct cli_table *t, int ncols, const char *const *header)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	cli_table_add(t, header);
}

void cli_table_add(struct cli_table *t, const char *const *cells)
{
	int i;

	if (t->nrows == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 32;
		char **c =
			realloc(t->cells, na * (size_t)t->ncols * sizeof(*c));

		if (!c)
			return;
		t->cells = c;
		t->alloc = na;
	}
	for (i = 0; i < t->ncols; i++)
		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] =
			strdup(cells[i] ? cells[i] : "");
	t->nrows++;
}

static const char *cell(const struct cli_table *t, size_t r, int i)
{
	const char *c = t->cells[r * (size_t)t->ncols + (size_t)i];

	return c ? c : "";
}

/*
 * Columns whose cells are all empty are left out, and no line ends in
 * padding, so the output compares cleanly in tests and diffs.
 */
void cli_table_print(struct cli_table *t, FILE *out, int color)
{
	size_t w[16] = { 0 }, r;
	int shown[16] = { 0 }, i, last = -1;

	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols && i < 16; i++) {
			size_t n = width(cell(t, r, i));

			if (n > w[i])
				w[i] = n;
			if (r > 0 && n > 0)
				shown[i] = 1;
		}
	for (i = 0; i < t->ncols && i < 16; i++)
		if (shown[i] || t->nrows == 1)
			last = i;
	for (r = 0; r < t->nrows; r++) {
		int pad = 0;

		for (i = 0; i <= last; i++) {
			const char *c = cell(t, r, i);

			if (!shown[i] && t->nrows > 1)
				continue;
			if (*c && pad)
				fprintf(out, "%*s", pad, "");
			if (*c)
				pad = 0;
			if (r == 0)
				fputs(cli_color(color, CLI_BOLD), out);
			fputs(c, out);
			if (r == 0)
				fputs(cli_color(color, CLI_RESET), out);
			pad += (int)(w[i] - width(c)) + 2;
		}
		fputc('\n', out);
	}
}

void cli_table_free(struct cli_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

json_t *cli_json_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *cli_json_version(const ferry_migration *m)
{
	return m->repeatable ? json_null() : json_string(m->version_text);
}

int cli_json_print(struct cli_ctx *ctx, json_t *doc)
{
	if (!doc) {
		cli_error(ctx, "out of memory");
		return CLI_EXIT_FAILED;
	}
	fflush(stderr);
	json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(doc);
	if (ctx)
		ctx->json_done = 1;
	return CLI_EXIT_OK;
}
