/* SPDX-License-Identifier: MIT */
/*
 * cmd_embed.c - `ferry embed [DIR]`: a migration directory as C source, an
 * array of ferry_mem_file for ferry_set_open_mem(), so that a program
 * carries its migrations inside its binary.
 *
 * The files are read as they are on disk and checked by opening a set
 * from exactly those bytes, so what is printed is what the program will
 * run, with the checksums the directory has. The output depends on the
 * files, the symbol and the ferry version only: built twice, it is the
 * same byte for byte.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_help help = {
	"embed [DIR] [--name SYMBOL]",
	"Print C source that defines the migration set of DIR (else --dir,\n"
	"$FERRY_DIR, ferry.conf's dir, 'migrations') as an array of\n"
	"ferry_mem_file, for ferry_set_open_mem(): every migration, every\n"
	"repeatable migration and the releases file, their bytes as string\n"
	"literals, followed by 'const size_t SYMBOL_count'. The set is checked\n"
	"first, as 'ferry up' would read it, from the very bytes printed.\n"
	"Only a set in ferry's own format is embedded. Does not open the\n"
	"database.",
	"  ferry embed migrations > migrations.c\n"
	"  ferry embed --name app_migrations db/migrations > app_migrations.c\n"
};

/* A C identifier, short enough for every linker. */
static int symbol_valid(const char *s)
{
	size_t i;

	if (!*s || strlen(s) > 63 || isdigit((unsigned char)*s))
		return 0;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

struct file {
	char *name; /* as ferry_set_open_mem() takes it: "0001_a.sql" */
	char *path; /* where it was read */
	char *data;
	size_t size;
};

struct files {
	struct file *v;
	size_t n;
};

static void files_free(struct files *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].path);
		free(f->v[i].data);
	}
	free(f->v);
}

/* The whole file, bytes as they are; 0, or -1 with errno. */
static int slurp(const char *path, char **out, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t n = 0, alloc = 0, got;

	if (!fp)
		return -1;
	do {
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 8192;
			if (!(nb = realloc(buf, alloc))) {
				free(buf);
				fclose(fp);
				errno = ENOMEM;
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, alloc - n, fp);
		n += got;
	} while (got > 0);
	if (ferror(fp)) {
		free(buf);
		fclose(fp);
		errno = EIO;
		return -1;
	}
	fclose(fp);
	*out = buf;
	*size = n;
	return 0;
}

static int add_file(struct cli_ctx *ctx, struct files *f, const char *name,
	const char *path)
{
	struct file *nv = realloc(f->v, (f->n + 1) * sizeof(*nv)), *x;

	if (!nv) {
		cli_error(ctx, "out of memory");
		return CLI_EXIT_FAILED;
	}
	f->v = nv;
	x = &f->v[f->n];
	memset(x, 0, sizeof(*x));
	x->name = strdup(name);
	x->path = strdup(path);
	if (!x->name || !x->path) {
		free(x->name);
		free(x->path);
		cli_error(ctx, "out of memory");
		return CLI_EXIT_FAILED;
	}
	f->n++;
	if (slurp(path, &x->data, &x->size) == 0)
		return CLI_CONTINUE;
	cli_error(ctx, "cannot read '%s': %s", path, strerror(errno));
	return CLI_EXIT_FAILED;
}

/* "<dir>/<name>", the name after the directory's part of a set's path. */
static const char *under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strncmp(path, dir, n) == 0) {
		path += n;
		while (*path == '/')
			path++;
	}
	return path;
}

/* Every file the set was read from, in the set's order, releases last. */
static int list_files(struct cli_ctx *ctx, const ferry_set *set,
	const char *dir, struct files *f)
{
	char *releases;
	size_t i, n = strlen(dir);
	FILE *fp;
	int rc = CLI_CONTINUE;

	for (i = 0; rc == CLI_CONTINUE && i < ferry_set_count(set); i++) {
		const ferry_migration *m = ferry_set_at(set, i);

		rc = add_file(ctx, f, under(m->path, dir), m->path);
	}
	for (i = 0; rc == CLI_CONTINUE && i < ferry_set_repeatable_count(set);
		i++) {
		const ferry_migration *m = ferry_set_repeatable_at(set, i);

		rc = add_file(ctx, f, under(m->path, dir), m->path);
	}
	if (rc != CLI_CONTINUE)
		return rc;
	if (!(releases = malloc(n + sizeof("/releases")))) {
		cli_error(ctx, "out of memory");
		return CLI_EXIT_FAILED;
	}
	snprintf(releases, n + sizeof("/releases"), "%s%sreleases", dir,
		n && dir[n - 1] == '/' ? "" : "/");
	if ((fp = fopen(releases, "rb")) != NULL) {
		fclose(fp);
		rc = add_file(ctx, f, "releases", releases);
	}
	free(releases);
	return rc;
}

/*
 * One byte inside a string literal. '?' is escaped against trigraphs,
 * which -std=c11 reads; other bytes outside printable ASCII as three
 * octal digits, which a following digit cannot extend.
 */
static void put_byte(FILE *out, unsigned char c)
{
	switch (c) {
	case '\\':
		fputs("\\\\", out);
		break;
	case '"':
		fputs("\\\"", out);
		break;
	case '?':
		fputs("\\?", out);
		break;
	case '\t':
		fputs("\\t", out);
		break;
	case '\r':
		fputs("\\r", out);
		break;
	case '\n':
		fputs("\\n", out);
		break;
	default:
		if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\%03o", c);
		else
			fputc(c, out);
	}
}

/* The bytes as string literals, one per line of the file. */
static void put_literal(FILE *out, const char *data, size_t size)
{
	size_t i = 0;

	if (size == 0) {
		fputs("\t\t\"\",\n", out);
		return;
	}
	while (i < size) {
		fputs("\t\t\"", out);
		while (i < size) {
			unsigned char c = (unsigned char)data[i++];

			put_byte(out, c);
			if (c == '\n')
				break;
		}
		fputs(i < size ? "\"\n" : "\",\n", out);
	}
}

static void print_source(
	FILE *out, const struct files *f, const char *dir, const char *symbol)
{
	size_t i;

	fprintf(out,
		"/*\n"
		" * Generated by `ferry embed` (ferry %s) from the migration\n"
		" * directory '",
		ferry_version());
	/*
	 * A directory's name may hold anything: only printable ASCII goes
	 * into the comment, less what could end it or join it to the next
	 * line ('*', '\\', and '?' of a trigraph '??/'), each else as '_'.
	 */
	for (i = 0; dir[i]; i++) {
		unsigned char ch = (unsigned char)dir[i];

		fputc(ch >= 0x20 && ch < 0x7f && ch != '*' && ch != '\\' &&
					ch != '?'
				? ch
				: '_',
			out);
	}
	fprintf(out,
		"': %zu file%s. Do not edit: run it again\n"
		" * when a file changes. Read with ferry_set_open_mem(&set,\n"
		" * %s, %s_count, &err).\n"
		" */\n"
		"#include <ferry.h>\n"
		"\n"
		"extern const ferry_mem_file %s[];\n"
		"extern const size_t %s_count;\n"
		"\n"
		"const ferry_mem_file %s[] = {\n",
		f->n, f->n == 1 ? "" : "s", symbol, symbol, symbol, symbol,
		symbol);
	for (i = 0; i < f->n; i++) {
		fputs("\t{ \"", out);
		fputs(f->v[i].name, out); /* checked: no byte to escape */
		fputs("\",\n", out);
		put_literal(out, f->v[i].data, f->v[i].size);
		fprintf(out, "\t\t%zu },\n", f->v[i].size);
	}
	fprintf(out,
		"};\n"
		"\n"
		"const size_t %s_count = sizeof(%s) / sizeof(%s[0]);\n",
		symbol, symbol, symbol);
}

/* The set from the bytes read: what the program will open. */
static int check_bytes(struct cli_ctx *ctx, const struct files *f)
{
	ferry_mem_file *mem = calloc(f->n ? f->n : 1, sizeof(*mem));
	ferry_set *set = NULL;
	ferry_error err;
	size_t i;
	int rc;

	if (!mem) {
		cli_error(ctx, "out of memory");
		return CLI_EXIT_FAILED;
	}
	for (i = 0; i < f->n; i++) {
		mem[i].name = f->v[i].name;
		mem[i].data = f->v[i].data;
		mem[i].size = f->v[i].size;
	}
	ferry_error_init(&err);
	rc = ferry_set_open_mem(&set, mem, f->n, &err);
	free(mem);
	ferry_set_free(set);
	return rc < 0 ? cli_fail(ctx, &err) : CLI_CONTINUE;
}

int cmd_embed(int argc, char **argv, struct cli_ctx *ctx)
{
	ferry_set_options so = FERRY_SET_OPTIONS_INIT;
	const char *symbol = "ferry_embedded", *dir;
	struct files f = { NULL, 0 };
	ferry_set *set = NULL;
	ferry_error err;
	int npos, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_STRING("name", 0, &symbol, "SYMBOL",
			"the array's name (default: ferry_embedded)"),
		CLI_OPT_END
	};

	if ((rc = cli_parse(ctx, &help, opts, argc, argv, &npos)) !=
		CLI_CONTINUE)
		return rc;
	if (npos > 1)
		return cli_usage(ctx, "'embed' takes at most one directory");
	if (!symbol_valid(symbol))
		return cli_usage(ctx,
			"invalid symbol '%s'; give a C identifier of at most "
			"63 characters",
			symbol);
	if ((rc = cli_settings(ctx)) != CLI_CONTINUE)
		return rc;
	dir = npos ? argv[0] : ctx->migrations_dir;
	ferry_error_init(&err);
	so.format = ctx->set_format;
	if (ferry_set_open_with(&set, dir, &so, &err) < 0)
		return cli_fail(ctx, &err);
	if (ferry_set_format(set) != FERRY_FORMAT_FERRY) {
		cli_error(ctx, "'%s' is a %s set; 'embed' takes ferry's own",
			dir, ferry_format_name(ferry_set_format(set)));
		cli_hint(ctx,
			"convert it first: ferry import --from %s %s NEWDIR",
			ferry_format_name(ferry_set_format(set)), dir);
		ferry_set_free(set);
		return CLI_EXIT_USAGE;
	}
	rc = list_files(ctx, set, ferry_set_dir(set), &f);
	ferry_set_free(set);
	if (rc == CLI_CONTINUE && (rc = check_bytes(ctx, &f)) == CLI_CONTINUE) {
		print_source(stdout, &f, dir, symbol);
		rc = fflush(stdout) == 0 && !ferror(stdout) ? CLI_EXIT_OK
							    : CLI_EXIT_FAILED;
		if (rc != CLI_EXIT_OK)
			cli_error(ctx, "cannot write the source: %s",
				strerror(errno));
	}
	files_free(&f);
	return rc;
}
