/* SPDX-License-Identifier: MIT */
/*
 * export_json.c - the JSON that `ferry export` writes, encoded by hand.
 *
 * The library links no JSON library (the CLI's jansson is the CLI's), and
 * an export only writes: strings, numbers, true/false/null and base64. So
 * a small encoder lives here, pure functions over a ferry__buf, with unit
 * tests of their own (tests/unit/export.c). The rule that matters: a value
 * a JSON reader would change (an integer past 2^53, a decimal's digits,
 * NaN) goes out as a string, never as a number that reads back different.
 */
#include "ferry_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the UTF-8 sequence at s (up to `left` bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and past U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		(cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void ferry__json_str(ferry__buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, n;

	ferry__buf_put(b, "\"", 1);
	while (i < len) {
		unsigned char c = p[i];
		const char *esc = NULL;
		char u[8];

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			run++;
			continue;
		}
		if (c >= 0x80 && (n = utf8_len(p + i, len - i)) > 0) {
			i += n;
			run += n;
			continue;
		}
		/* Flush the plain run before it, then the escape. */
		ferry__buf_put(b, (const char *)p + i - run, run);
		run = 0;
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		default:
			if (c < 0x20)
				snprintf(u, sizeof(u), "\\u%04x", c);
			else
				memcpy(u, "\\ufffd", 7);
			esc = u;
		}
		ferry__buf_puts(b, esc);
		i++;
	}
	ferry__buf_put(b, (const char *)p + i - run, run);
	ferry__buf_put(b, "\"", 1);
}

int ferry__json_int_exact(const char *s)
{
	/* 2^53 = 9007199254740992: every integer up to it is a double. */
	static const char limit[] = "9007199254740992";
	size_t n;

	if (*s == '-')
		s++;
	n = strspn(s, "0123456789");
	if (n == 0 || s[n] != '\0' || (n > 1 && s[0] == '0'))
		return 0;
	if (n != sizeof(limit) - 1)
		return n < sizeof(limit) - 1;
	return strcmp(s, limit) <= 0;
}

int ferry__json_number(const char *s)
{
	size_t n;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if ((n = strspn(s, "0123456789")) > 0)
		s += n;
	else
		return 0;
	if (*s == '.') {
		if ((n = strspn(++s, "0123456789")) == 0)
			return 0;
		s += n;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if ((n = strspn(s, "0123456789")) == 0)
			return 0;
		s += n;
	}
	return *s == '\0';
}

int ferry__json_base64_hex(ferry__buf *b, const char *hex)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(hex), i, nbytes;
	unsigned char in[3];
	char out[4];

	if (len % 2 != 0)
		return -1;
	for (i = 0; i < len; i++)
		if (ferry__hex_digit(hex[i]) < 0)
			return -1;
	nbytes = len / 2;
	ferry__buf_put(b, "\"", 1);
	for (i = 0; i < nbytes; i += 3) {
		size_t k, have = nbytes - i < 3 ? nbytes - i : 3;

		memset(in, 0, sizeof(in));
		for (k = 0; k < have; k++) {
			/* Checked above: both are hex digits, 0 to 15. */
			unsigned int hi = (unsigned int)ferry__hex_digit(
				hex[2 * (i + k)]);
			unsigned int lo = (unsigned int)ferry__hex_digit(
				hex[2 * (i + k) + 1]);

			in[k] = (unsigned char)(hi << 4 | lo);
		}
		out[0] = abc[in[0] >> 2];
		out[1] = abc[((in[0] & 3) << 4) | (in[1] >> 4)];
		out[2] = have > 1 ? abc[((in[1] & 15) << 2) | (in[2] >> 6)]
				  : '=';
		out[3] = have > 2 ? abc[in[2] & 63] : '=';
		ferry__buf_put(b, out, 4);
	}
	ferry__buf_put(b, "\"", 1);
	return 0;
}

void ferry__json_export_value(ferry__buf *b, const char *v)
{
	const char *text;

	if (!v || !*v) {
		ferry__buf_puts(b, "null");
		return;
	}
	text = v + 1;
	switch (v[0]) {
	case FERRY__EXPORT_INT:
		if (ferry__json_int_exact(text))
			ferry__buf_puts(b, text);
		else
			ferry__json_str(b, text, strlen(text));
		break;
	case FERRY__EXPORT_FLOAT:
		/* NaN and the infinities have no JSON number. */
		if (ferry__json_number(text))
			ferry__buf_puts(b, text);
		else
			ferry__json_str(b, text, strlen(text));
		break;
	case FERRY__EXPORT_BOOL:
		ferry__buf_puts(b, text[0] == 't' ? "true" : "false");
		break;
	case FERRY__EXPORT_BYTES:
		ferry__buf_puts(b, "{\"base64\": ");
		if (ferry__json_base64_hex(b, text) < 0)
			ferry__buf_puts(b, "null");
		ferry__buf_puts(b, "}");
		break;
	default: /* FERRY__EXPORT_DECIMAL, FERRY__EXPORT_TEXT */
		ferry__json_str(b, text, strlen(text));
	}
}

/* Export, and import of a JSON real: both the shortest round-trip text. */
void ferry__float_text(ferry__buf *b, double d)
{
	char text[40];
	int prec;

	if (isnan(d)) {
		ferry__buf_puts(b, "NaN");
		return;
	}
	if (isinf(d)) {
		ferry__buf_puts(b, d > 0 ? "Infinity" : "-Infinity");
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(text, sizeof(text), "%.*g", prec, d);
		if (strtod(text, NULL) == d)
			break;
	}
	snprintf(text, sizeof(text), "%.*g", prec, d);
	ferry__buf_puts(b, text);
}
