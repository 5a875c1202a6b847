/* SPDX-License-Identifier: MIT */
/*
 * util.c - the small utilities: text positions, version numbers, SHA-256
 * and hex, whole-file reads with CRLF read as LF, and the growable string
 * (ferry__buf) with its sticky out-of-memory.
 */
#include "clar.h"
#include "ferry_int.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static ferry__buf b;
static ferry_error err;
static char *text;

void test_util__initialize(void)
{
	ferry__buf_release(&b);
	ferry_error_init(&err);
	text = NULL;
}

void test_util__cleanup(void)
{
	ferry__alloc_fail_from(0);
	ferry__buf_release(&b);
	free(text);
	text = NULL;
}

/*
 * ferry__text_pos
 */

#define POS(t, off, l, c) \
	do { \
		int l_ = -1, c_ = -1; \
		ferry__text_pos((t), (off), &l_, &c_); \
		cl_assert_equal_i(l_, (l)); \
		cl_assert_equal_i(c_, (c)); \
	} while (0)

void test_util__text_pos(void)
{
	static const char t[] = "ab\ncd\n\nxyz";

	POS(t, 0, 1, 1);
	POS(t, 1, 1, 2);
	POS(t, 2, 1, 3); /* the newline itself ends line 1 */
	POS(t, 3, 2, 1);
	POS(t, 4, 2, 2);
	POS(t, 6, 3, 1); /* an empty line */
	POS(t, 7, 4, 1);
	POS(t, 10, 4, 4); /* the end of the text */
	POS("", 0, 1, 1);
}

void test_util__text_pos_counts_characters(void)
{
	/* "é" is two bytes but one character, so "x" is in column 2. */
	POS("\xc3\xa9x", 2, 1, 2);
	POS("\xe2\x82\xac\xe2\x82\xacx", 6, 1, 3);
	POS("a\r\nb", 3, 2, 1);
	POS("\tb", 1, 1, 2);
}

/*
 * ferry__parse_version
 */

static int version(const char *s, int64_t *out)
{
	return ferry__parse_version(s, strlen(s), out);
}

void test_util__parse_version(void)
{
	int64_t v = -1;

	cl_assert_equal_i(version("1", &v), 0);
	cl_assert_equal_i(v, 1);
	cl_assert_equal_i(version("0", &v), 0);
	cl_assert_equal_i(v, 0);
	cl_assert_equal_i(version("0042", &v), 0);
	cl_assert_equal_i(v, 42);
	cl_assert_equal_i(version("20240101120000", &v), 0);
	cl_assert_equal_i(v, 20240101120000LL);
	cl_assert_equal_i(version("999999999999999999", &v), 0);
	cl_assert_equal_i(v, 999999999999999999LL);
	cl_assert_equal_i(version("000000000000000001", &v), 0);
	cl_assert_equal_i(v, 1);
	/* Only the first `len` bytes count. */
	cl_assert_equal_i(ferry__parse_version("123_abc", 3, &v), 0);
	cl_assert_equal_i(v, 123);
}

void test_util__parse_version_refuses(void)
{
	static const char *const bad[] = {
		"",
		"-1",
		"+1",
		" 1",
		"1 ",
		"1a",
		"1.0",
		"0x1",
		"1e3",
		"١",
		"1000000000000000000",
		"9999999999999999999",
		"0000000000000000001",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int64_t v = 7;

		if (version(bad[i], &v) != -1) {
			char m[100];

			snprintf(m, sizeof(m), "'%s' was taken as %lld", bad[i],
				(long long)v);
			cl_fail(m);
		}
	}
}

/*
 * SHA-256 and hex
 */

/* FIPS 180-2, appendix B.1 and B.2, and the empty message. */
static const struct {
	const char *msg;
	const char *sha;
} vectors[] = {
	{ "abc",
		"ba7816bf8f01cfea414140de5dae2223"
		"b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		"248d6a61d20638b8e5c026930c3e6039"
		"a33ce45964ff2167f6ecedd419db06c1" },
	{ "",
		"e3b0c44298fc1c149afbf4c8996fb924"
		"27ae41e4649b934ca495991b7852b855" },
};

void test_util__sha256_known_vectors(void)
{
	unsigned char sha[32];
	char hex[65];
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(*vectors); i++) {
		ferry__sha256(
			NULL, sha, vectors[i].msg, strlen(vectors[i].msg));
		ferry__hex(hex, sha);
		cl_assert_equal_s(hex, vectors[i].sha);
	}
}

void test_util__sha256_with_a_reused_hasher(void)
{
	ferry__hasher h;
	unsigned char sha[32];
	char hex[65];
	size_t i, round;

	ferry__hasher_init(&h);
	/* Twice round, so each hash starts clean from the one before. */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < sizeof(vectors) / sizeof(*vectors); i++) {
			ferry__sha256(&h, sha, vectors[i].msg,
				strlen(vectors[i].msg));
			ferry__hex(hex, sha);
			if (strcmp(hex, vectors[i].sha) != 0)
				break;
		}
		if (i < sizeof(vectors) / sizeof(*vectors))
			break;
	}
	ferry__hasher_release(&h);
	cl_assert_equal_i(round, 2);
}

void test_util__hex(void)
{
	unsigned char sha[32];
	char hex[65];
	int i;

	for (i = 0; i < 32; i++)
		sha[i] = (unsigned char)(i * 8 + 7);
	memset(hex, 'x', sizeof(hex));
	ferry__hex(hex, sha);
	cl_assert_equal_i(strlen(hex), 64);
	cl_assert_equal_s(hex,
		"070f171f272f373f474f575f676f777f"
		"878f979fa7afb7bfc7cfd7dfe7eff7ff");
}

/*
 * ferry__read_file
 */

void test_util__read_file_crlf(void)
{
	const char *dir = cl_tmpdir();
	size_t len;

	cl_assert_equal_i(cl_write(dir, "a.sql", "a\r\nb\r\n\r\nc\rd\r"), 0);
	cl_ferry_pass(
		ferry__read_file(cl_path(dir, "a.sql"), &text, &len, &err),
		&err);
	/* CRLF becomes LF; a lone CR stays. */
	cl_assert_equal_i(len, 9);
	cl_assert_equal_s(text, "a\nb\n\nc\rd\r");
}

void test_util__read_file_empty_and_large(void)
{
	const char *dir = cl_tmpdir();
	char *big;
	size_t len, i;

	cl_assert_equal_i(cl_write(dir, "empty", ""), 0);
	cl_ferry_pass(
		ferry__read_file(cl_path(dir, "empty"), &text, &len, &err),
		&err);
	cl_assert_equal_i(len, 0);
	cl_assert_equal_s(text, "");
	free(text);
	text = NULL;

	big = malloc(100001);
	cl_assert(big != NULL);
	for (i = 0; i < 100000; i++)
		big[i] = i % 2 ? '\n' : '\r';
	big[100000] = '\0';
	i = (size_t)cl_write(dir, "big", big);
	free(big);
	cl_assert_equal_i(i, 0);
	cl_ferry_pass(
		ferry__read_file(cl_path(dir, "big"), &text, &len, &err), &err);
	cl_assert_equal_i(len, 50000);
	cl_assert_equal_i(strspn(text, "\n"), 50000);
}

void test_util__read_file_missing(void)
{
	char path[600];
	size_t len = 9;

	snprintf(path, sizeof(path), "%s/missing.sql", cl_tmpdir());
	cl_assert_equal_i(
		ferry__read_file(path, &text, &len, &err), FERRY_EINVALID);
	cl_assert(text == NULL);
	cl_assert_equal_i(len, 0);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	{
		char want[700];

		snprintf(want, sizeof(want), "cannot read '%s'", path);
		cl_assert_equal_s(err.message, want);
	}
	cl_assert_equal_s(err.detail, "No such file or directory");
}

void test_util__read_into_reuses_the_buffer(void)
{
	const char *dir = cl_tmpdir();
	char path[600];

	cl_assert_equal_i(cl_write(dir, "long", "first, longer file\r\n"), 0);
	cl_assert_equal_i(cl_write(dir, "short", "b\r\n"), 0);
	snprintf(path, sizeof(path), "%s/long", dir);
	cl_ferry_pass(ferry__read_into(path, &b, NULL, &err), &err);
	cl_assert_equal_s(ferry__buf_cstr(&b), "first, longer file\n");
	cl_assert_equal_i(b.len, 19);
	/* The second read replaces the first; it does not append. */
	snprintf(path, sizeof(path), "%s/short", dir);
	cl_ferry_pass(ferry__read_into(path, &b, NULL, &err), &err);
	cl_assert_equal_s(ferry__buf_cstr(&b), "b\n");
	cl_assert_equal_i(b.len, 2);
}

/* "'<path>' is not a regular file (<kind>)" */
static const char *not_regular(const char *path, const char *kind)
{
	static char want[800];

	snprintf(want, sizeof(want), "'%s' is not a regular file (%s)", path,
		kind);
	return want;
}

void test_util__read_into_a_directory(void)
{
	/* Bad input, not an I/O failure (SPEC section 4: exit 2). */
	cl_assert_equal_i(
		ferry__read_into(cl_tmpdir(), &b, NULL, &err), FERRY_EINVALID);
	cl_assert_equal_i(err.code, FERRY_EINVALID);
	cl_assert_equal_s(err.message, not_regular(cl_tmpdir(), "a directory"));
	cl_assert_equal_s(err.detail, "");
	cl_assert_equal_s(
		err.hint, "replace it with a regular file, or move it away");
}

void test_util__read_into_a_fifo_does_not_wait(void)
{
	char path[600];
	size_t len = 9;

	/* No writer ever comes: opening it for reading would block. */
	snprintf(path, sizeof(path), "%s/fifo", cl_tmpdir());
	cl_assert_equal_i(mkfifo(path, 0644), 0);
	cl_assert_equal_i(
		ferry__read_into(path, &b, NULL, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, not_regular(path, "a FIFO"));
	ferry_error_init(&err);
	cl_assert_equal_i(
		ferry__read_file(path, &text, &len, &err), FERRY_EINVALID);
	cl_assert(text == NULL);
	cl_assert_equal_s(err.message, not_regular(path, "a FIFO"));
}

void test_util__read_into_a_device(void)
{
	/* /dev/zero never ends; /dev/null would read as an empty file. */
	cl_assert_equal_i(
		ferry__read_into("/dev/zero", &b, NULL, &err), FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, not_regular("/dev/zero", "a character device"));
	ferry_error_init(&err);
	cl_assert_equal_i(
		ferry__read_into("/dev/null", &b, NULL, &err), FERRY_EINVALID);
	cl_assert_equal_s(
		err.message, not_regular("/dev/null", "a character device"));
}

void test_util__read_into_a_dangling_link(void)
{
	char path[600], want[800];

	snprintf(path, sizeof(path), "%s/link.sql", cl_tmpdir());
	cl_assert_equal_i(symlink("gone/0002_x.sql", path), 0);
	cl_assert_equal_i(
		ferry__read_into(path, &b, NULL, &err), FERRY_EINVALID);
	snprintf(want, sizeof(want),
		"'%s' is a symbolic link to 'gone/0002_x.sql' that points "
		"nowhere",
		path);
	cl_assert_equal_s(err.message, want);
	cl_assert_equal_s(err.detail, "");
	cl_assert_equal_s(
		err.hint, "point the link at an existing file, or remove it");
}

void test_util__read_into_a_link_to_a_file(void)
{
	char path[600];
	struct stat st;

	cl_assert_equal_i(cl_write(cl_tmpdir(), "real", "SELECT 1;\r\n"), 0);
	snprintf(path, sizeof(path), "%s/link", cl_tmpdir());
	cl_assert_equal_i(symlink("real", path), 0);
	cl_ferry_pass(ferry__read_into(path, &b, &st, &err), &err);
	cl_assert_equal_s(ferry__buf_cstr(&b), "SELECT 1;\n");
	/* The stat data are the file's, not the link's. */
	cl_assert(S_ISREG(st.st_mode));
	cl_assert_equal_i(st.st_size, 11);
}

void test_util__read_into_a_link_to_a_fifo(void)
{
	char fifo[600], path[600];

	snprintf(fifo, sizeof(fifo), "%s/fifo", cl_tmpdir());
	snprintf(path, sizeof(path), "%s/link", cl_tmpdir());
	cl_assert_equal_i(mkfifo(fifo, 0644), 0);
	cl_assert_equal_i(symlink("fifo", path), 0);
	cl_assert_equal_i(
		ferry__read_into(path, &b, NULL, &err), FERRY_EINVALID);
	cl_assert_equal_s(err.message, not_regular(path, "a FIFO"));
}

void test_util__file_kind(void)
{
	cl_assert_equal_s(ferry__file_kind(S_IFDIR | 0755), "a directory");
	cl_assert_equal_s(ferry__file_kind(S_IFIFO | 0644), "a FIFO");
	cl_assert_equal_s(
		ferry__file_kind(S_IFCHR | 0666), "a character device");
	cl_assert_equal_s(ferry__file_kind(S_IFBLK | 0660), "a block device");
	cl_assert_equal_s(ferry__file_kind(S_IFSOCK | 0755), "a socket");
	cl_assert_equal_s(ferry__file_kind(S_IFLNK | 0777), "a symbolic link");
}

/*
 * ferry__buf
 */

void test_util__buf_empty(void)
{
	char *s;

	cl_assert_equal_s(ferry__buf_cstr(&b), "");
	s = ferry__buf_detach(&b);
	cl_assert(s != NULL);
	cl_assert_equal_s(s, "");
	free(s);
}

void test_util__buf_put_and_printf(void)
{
	char *s;

	ferry__buf_puts(&b, "ab");
	ferry__buf_put(&b, "cdef", 2);
	ferry__buf_printf(&b, "-%d-%s", 42, "x");
	cl_assert_equal_s(ferry__buf_cstr(&b), "abcd-42-x");
	cl_assert_equal_i(b.len, 9);
	s = ferry__buf_detach(&b);
	cl_assert_equal_s(s, "abcd-42-x");
	free(s);
	cl_assert(b.buf == NULL);
	cl_assert_equal_i(b.len, 0);
	cl_assert_equal_s(ferry__buf_cstr(&b), "");
}

void test_util__buf_printf_grows(void)
{
	char big[3000];
	int i;

	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ferry__buf_puts(&b, "<");
	/* Longer than the buffer has room for: printf must grow it. */
	ferry__buf_printf(&b, "%s|%05d", big, 7);
	cl_assert_equal_i(b.len, 1 + 2999 + 6);
	cl_assert(b.alloc > b.len);
	cl_assert_equal_i(b.buf[0], '<');
	cl_assert_equal_i(strspn(b.buf + 1, "y"), 2999);
	cl_assert_equal_s(b.buf + 3000, "|00007");
	for (i = 0; i < 1000; i++)
		ferry__buf_printf(&b, "%d,", i % 10);
	cl_assert_equal_i(b.len, 3006 + 2000);
	cl_assert_equal_s(b.buf + b.len - 4, "8,9,");
	cl_assert_equal_i(strlen(b.buf), b.len);
}

void test_util__buf_quote_ident(void)
{
	ferry__buf_quote_ident(&b, "ferry_migrations");
	cl_assert_equal_s(ferry__buf_cstr(&b), "\"ferry_migrations\"");
	ferry__buf_release(&b);
	ferry__buf_quote_ident(&b, "my \"odd\" table");
	cl_assert_equal_s(ferry__buf_cstr(&b), "\"my \"\"odd\"\" table\"");
	ferry__buf_release(&b);
	ferry__buf_quote_ident(&b, "\"");
	cl_assert_equal_s(ferry__buf_cstr(&b), "\"\"\"\"");
	ferry__buf_release(&b);
	ferry__buf_quote_ident(&b, "");
	cl_assert_equal_s(ferry__buf_cstr(&b), "\"\"");
}

void test_util__buf_oom_is_sticky(void)
{
	char big[200];

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ferry__buf_puts(&b, "ok");
	cl_assert_equal_i(b.oom, 0);

	/* The next growth fails: everything after it is dropped. */
	ferry__alloc_fail_from(1);
	ferry__buf_puts(&b, big);
	cl_assert_equal_i(ferry__alloc_count(), 1);
	cl_assert_equal_i(b.oom, 1);
	cl_assert_equal_s(ferry__buf_cstr(&b), "");

	/* Memory is back, but the string is still broken. */
	ferry__alloc_fail_from(0);
	ferry__buf_puts(&b, "x");
	ferry__buf_printf(&b, "%s", "y");
	ferry__buf_quote_ident(&b, "z");
	cl_assert_equal_i(b.oom, 1);
	cl_assert_equal_i(ferry__alloc_count(), 0);
	cl_assert_equal_s(ferry__buf_cstr(&b), "");
	cl_assert_equal_i(ferry__buf_grow(&b, 1), FERRY_ENOMEM);
	cl_assert(ferry__buf_detach(&b) == NULL);

	/* Detaching reset it: it works again. */
	cl_assert_equal_i(b.oom, 0);
	ferry__buf_puts(&b, "fresh");
	cl_assert_equal_s(ferry__buf_cstr(&b), "fresh");
}

void test_util__buf_oom_in_printf(void)
{
	char big[500];

	memset(big, 'w', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* The first grow (64 bytes) works, the second one fails. */
	ferry__alloc_fail_from(2);
	ferry__buf_printf(&b, "%s", big);
	cl_assert_equal_i(b.oom, 1);
	cl_assert_equal_s(ferry__buf_cstr(&b), "");
	ferry__alloc_fail_from(0);
	ferry__buf_release(&b);
	cl_assert_equal_i(b.oom, 0);
	cl_assert(b.buf == NULL);
}

void test_util__buf_oom_on_first_append(void)
{
	ferry__alloc_fail_from(1);
	ferry__buf_puts(&b, "a");
	ferry__alloc_fail_from(0);
	cl_assert_equal_i(b.oom, 1);
	cl_assert(b.buf == NULL);
	cl_assert(ferry__buf_detach(&b) == NULL);
}

/* The cursor agrees with ferry__text_pos at every offset, going forward
 * and after going back. */
void test_util__text_advance_matches_text_pos(void)
{
	const char *t = "a\nbé;\n\n  x;é\nlast";
	ferry__text_cursor c = FERRY__TEXT_CURSOR_INIT(t);
	size_t off, n = strlen(t);
	int l1, c1, l2, c2;

	for (off = 0; off <= n; off++) {
		ferry__text_pos(t, off, &l1, &c1);
		ferry__text_advance(&c, off, &l2, &c2);
		cl_assert_equal_i(l1, l2);
		cl_assert_equal_i(c1, c2);
	}
	ferry__text_advance(&c, 3, &l2, &c2);
	cl_assert_equal_i(l2, 2);
	cl_assert_equal_i(c2, 2);
}

void test_util__grow_doubles_from_first(void)
{
	int *v = NULL;
	size_t alloc = 0;

	cl_assert_equal_i(FERRY__GROW(v, alloc, 1, 8), 0);
	cl_assert_equal_i(alloc, 8);
	v[7] = 7;
	cl_assert_equal_i(FERRY__GROW(v, alloc, 8, 8), 0); /* has room */
	cl_assert_equal_i(alloc, 8);
	cl_assert_equal_i(FERRY__GROW(v, alloc, 9, 8), 0);
	cl_assert_equal_i(alloc, 16);
	cl_assert_equal_i(FERRY__GROW(v, alloc, 100, 8), 0);
	cl_assert_equal_i(alloc, 128);
	cl_assert_equal_i(v[7], 7);
	free(v);
}

void test_util__grow_refuses_an_overflow(void)
{
	char *v = NULL;
	uint64_t *w = NULL;
	size_t alloc = 0;

	cl_assert_equal_i(FERRY__GROW(v, alloc, SIZE_MAX, 16), -1);
	cl_assert(v == NULL);
	cl_assert_equal_i(alloc, 0);
	cl_assert_equal_i(FERRY__GROW(w, alloc, SIZE_MAX / 4, 16), -1);
	cl_assert(w == NULL);
	cl_assert_equal_i(alloc, 0);
}

void test_util__grow_out_of_memory_keeps_the_array(void)
{
	int *v = NULL;
	size_t alloc = 0;

	cl_assert_equal_i(FERRY__GROW(v, alloc, 4, 4), 0);
	v[3] = 3;
	ferry__alloc_fail_from(1);
	cl_assert_equal_i(FERRY__GROW(v, alloc, 5, 4), -1);
	ferry__alloc_fail_from(0);
	cl_assert_equal_i(alloc, 4);
	cl_assert_equal_i(v[3], 3);
	free(v);
}
