/* SPDX-License-Identifier: MIT */
/*
 * format_version.c - other tools' versions as ferry's int64 ledger version.
 *
 * Integer versions (golang-migrate, goose, dbmate, timestamps) stay what
 * they are. Flyway's versions have parts ("1.2.10", or "1_2_10" in a file
 * name) compared part by part as numbers, trailing zeros insignificant
 * (1.0 is 1). In a set where any version has more than one part, every
 * version is written in fixed-width parts: the first up to 6 digits, then
 * up to 4 parts of 3 digits each, so 1.2.10 is 1002010000000 and sorts
 * after 1.2.9 (1002009000000). It is a pure function of the text and of
 * that one switch: a new file never renumbers the others, unless it is
 * the first dotted version of a set that had none (then the set is
 * re-read whole, and the ledger of an integer set is no longer its own).
 */
#include "ferry_int.h"

#define FIRST_LIMIT 1000000 /* 6 digits */
#define PART_LIMIT 1000	    /* 3 digits */
#define MAX_PARTS 5

int ferry__format_version(
	const char *text, size_t len, int dotted, int64_t *out, int *parts)
{
	int64_t part[MAX_PARTS] = { 0 }, v = 0;
	size_t i = 0;
	int n = 0, k, digits;

	if (len == 0)
		return -1;
	for (;;) {
		int64_t p = 0;

		/* Leading zeros are no digits of the part's width. */
		while (i < len && text[i] == '0' && i + 1 < len &&
			text[i + 1] >= '0' && text[i + 1] <= '9')
			i++;
		for (digits = 0; i < len && text[i] >= '0' && text[i] <= '9';
			i++, digits++) {
			if (digits == 18)
				return -1;
			p = p * 10 + (text[i] - '0');
		}
		if (digits == 0)
			return -1;
		if (n == MAX_PARTS) {
			if (p != 0)
				return -1;
		} else {
			part[n] = p;
		}
		n++;
		if (i == len)
			break;
		if (text[i] != '.' && text[i] != '_')
			return -1;
		i++;
	}
	/* Trailing zero parts say nothing: 1.0 is 1. */
	while (n > 1 && (n > MAX_PARTS || part[n - 1] == 0))
		n--;
	if (parts)
		*parts = n;
	if (!dotted) {
		if (n > 1)
			return -1;
		*out = part[0];
		return 0;
	}
	if (part[0] >= FIRST_LIMIT)
		return -1;
	v = part[0];
	for (k = 1; k < MAX_PARTS; k++) {
		if (part[k] >= PART_LIMIT)
			return -1;
		v = v * PART_LIMIT + part[k];
	}
	*out = v;
	return 0;
}
