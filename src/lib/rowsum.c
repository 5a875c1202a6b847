/* SPDX-License-Identifier: MIT */
/*
 * rowsum.c - a checksum of a table's rows that two engines agree on.
 *
 * `import` prints it for what it loaded and `copy` compares the source's
 * with the target's, so it must not depend on what each engine does to a
 * value that is the same: SQLite keeps numeric(12,2)'s "19.90" as the real
 * 19.9 and a boolean as 1, PostgreSQL prints a UTC timestamptz with
 * "+00". Each value is first put in a canonical form:
 *
 *	NULL			n
 *	a number, or text that	#<digits without leading or trailing
 *	  is one by JSON's	 zeros>e<exponent>, by value: 20 = "20.00"
 *	  grammar		 = 2e1; NaN and [-]Infinity as words
 *	boolean			#1e0 or #0e0 (as 1 and 0)
 *	bytes			x<lowercase hex>
 *	a UTC date and time	t<YYYY-MM-DD HH:MM:SS[.fff]>, 'T' or ' ',
 *				 "Z", "+00", "+00:00" or none, trailing
 *				 fractional zeros dropped
 *	other text		t<text>
 *
 * and each row's SHA-256 (of the values, each length-prefixed) is added
 * into a 256-bit sum: the order rows come in does not matter (engines
 * sort text keys by different collations), a row twice counts twice.
 */
#include "ferry_int.h"

#include <stdio.h>
#include <string.h>

/* Is [s, s+len) a number by JSON's grammar (export writes no other)? */
static int is_number(const char *s, size_t len)
{
	char tmp[64];

	if (len == 0 || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return ferry__json_number(tmp);
}

/* A decimal number's value as #<digits>e<exp>: 0 as #0e0. */
static void canonical_number(ferry__buf *b, const char *s, size_t len)
{
	char digits[64] = { 0 };
	size_t nd = 0, i = 0;
	long exp = 0, e10 = 0;
	int neg = 0, esign = 1, seen_point = 0, first, last;

	if (s[i] == '-' || s[i] == '+')
		neg = s[i++] == '-';
	for (; i < len && s[i] != 'e' && s[i] != 'E'; i++) {
		if (s[i] == '.') {
			seen_point = 1;
			continue;
		}
		if (nd < sizeof(digits) - 1)
			digits[nd++] = s[i];
		if (seen_point)
			exp--;
	}
	if (i < len) { /* the exponent */
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			esign = s[i++] == '-' ? -1 : 1;
		for (; i < len && e10 < 100000; i++)
			e10 = e10 * 10 + (s[i] - '0');
		exp += esign * e10;
	}
	for (first = 0; first < (int)nd && digits[first] == '0'; first++)
		;
	for (last = (int)nd - 1; last >= first && digits[last] == '0'; last--)
		exp++;
	if (first > last) {
		ferry__buf_puts(b, "#0e0");
		return;
	}
	ferry__buf_printf(b, "#%s%.*se%ld", neg ? "-" : "", last - first + 1,
		digits + first, exp);
}

/*
 * "YYYY-MM-DD HH:MM:SS[.fff][Z|+00|+00:00]" (or a 'T' between): the
 * length of its canonical part, trailing fractional zeros dropped, or 0
 * when it is no such thing (or not in UTC).
 */
static size_t utc_time(const char *s, size_t len)
{
	static const char shape[] = "dddd-dd-dd?dd:dd:dd";
	size_t i, end;

	if (len < sizeof(shape) - 1)
		return 0;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == 'd' && (s[i] < '0' || s[i] > '9'))
			return 0;
		if (shape[i] == '?' && s[i] != ' ' && s[i] != 'T')
			return 0;
		if (shape[i] != 'd' && shape[i] != '?' && s[i] != shape[i])
			return 0;
	}
	if (i < len && s[i] == '.')
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
	end = i;
	/* What may follow: nothing, or a zone that says UTC. */
	if (!(len - i == 0 || (len - i == 1 && s[i] == 'Z') ||
		    (len - i == 3 && !memcmp(s + i, "+00", 3)) ||
		    (len - i == 6 && !memcmp(s + i, "+00:00", 6))))
		return 0;
	while (end > 19 && s[end - 1] == '0')
		end--;
	if (end == 20) /* "...SS." */
		end--;
	return end;
}

/* One value, in export_rows()'s form (kind letter, then the text). */
static void canonical_value(ferry__buf *b, const char *v)
{
	const char *s;
	size_t len, t;

	if (!v) {
		ferry__buf_put(b, "n", 1);
		return;
	}
	s = v + 1;
	len = strlen(s);
	switch (v[0]) {
	case FERRY__EXPORT_BOOL:
		ferry__buf_puts(b, s[0] == 't' ? "#1e0" : "#0e0");
		return;
	case FERRY__EXPORT_BYTES:
		ferry__buf_put(b, "x", 1);
		for (t = 0; t < len; t++) {
			char c = s[t];

			if (c >= 'A' && c <= 'F')
				c = (char)(c - 'A' + 'a');
			ferry__buf_put(b, &c, 1);
		}
		return;
	case FERRY__EXPORT_INT:
	case FERRY__EXPORT_FLOAT:
	case FERRY__EXPORT_DECIMAL:
		if (is_number(s, len)) {
			canonical_number(b, s, len);
			return;
		}
		/* NaN, Infinity: as words */
		ferry__buf_put(b, "#", 1);
		ferry__buf_put(b, s, len);
		return;
	default:
		break;
	}
	if (is_number(s, len)) {
		canonical_number(b, s, len);
		return;
	}
	if ((t = utc_time(s, len)) != 0) {
		ferry__buf_put(b, "t", 1);
		ferry__buf_put(b, s, 10);
		ferry__buf_put(b, " ", 1);
		ferry__buf_put(b, s + 11, t - 11);
		return;
	}
	ferry__buf_put(b, "t", 1);
	ferry__buf_put(b, s, len);
}

void ferry__rowsum_init(ferry__rowsum *r)
{
	memset(r, 0, sizeof(*r));
	ferry__hasher_init(&r->hasher);
}

void ferry__rowsum_release(ferry__rowsum *r)
{
	ferry__hasher_release(&r->hasher);
	ferry__buf_release(&r->scratch);
	ferry__buf_release(&r->value);
}

int ferry__rowsum_add(ferry__rowsum *r, int ncols, const char *const *vals)
{
	unsigned char sha[32];
	unsigned carry = 0;
	int i;

	ferry__buf_clear(&r->scratch);
	for (i = 0; i < ncols; i++) {
		/* The length first: ("ab", "c") and ("a", "bc") differ. */
		ferry__buf_clear(&r->value);
		canonical_value(&r->value, vals[i]);
		ferry__buf_printf(&r->scratch, "%zu:", r->value.len);
		ferry__buf_put(&r->scratch, r->value.buf, r->value.len);
	}
	if (r->scratch.oom || r->value.oom)
		return FERRY_ENOMEM;
	ferry__sha256(&r->hasher, sha, r->scratch.buf, r->scratch.len);
	/* sum += sha, as 256-bit little-endian numbers */
	for (i = 0; i < 32; i++) {
		carry += (unsigned)r->sum[i] + sha[i];
		r->sum[i] = (unsigned char)(carry & 0xff);
		carry >>= 8;
	}
	r->rows++;
	return 0;
}

void ferry__rowsum_hex(const ferry__rowsum *r, char hex[65])
{
	unsigned char be[32];
	int i;

	/* Written most significant byte first, as numbers are. */
	for (i = 0; i < 32; i++)
		be[i] = r->sum[31 - i];
	ferry__hex(hex, be);
}
