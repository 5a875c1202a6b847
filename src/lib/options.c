/* SPDX-License-Identifier: MIT */
/*
 * options.c - ferry_<x>_options_init(): each options struct's defaults,
 * FERRY_<X>_OPTIONS_INIT, as a function, for programs written in a
 * language that cannot expand C macros (Go, Python's ctypes, Rust).
 */
#include "ferry_int.h"

#include <string.h>

/*
 * One function per struct: the macro, copied whole from a static value,
 * whose padding is zero, so that the result is the same bytes every time.
 */
#define OPTIONS_INIT(lower, UPPER) \
	void ferry_##lower##_options_init(ferry_##lower##_options *opts) \
	{ \
		static const ferry_##lower##_options defaults = \
			FERRY_##UPPER##_OPTIONS_INIT; \
\
		if (opts) \
			memcpy(opts, &defaults, sizeof(defaults)); \
	}

OPTIONS_INIT(set, SET)
OPTIONS_INIT(db, DB)
OPTIONS_INIT(up, UP)
OPTIONS_INIT(down, DOWN)
OPTIONS_INIT(lint, LINT)
OPTIONS_INIT(repair, REPAIR)
OPTIONS_INIT(stamp, STAMP)
OPTIONS_INIT(adopt, ADOPT)
OPTIONS_INIT(backup, BACKUP)
OPTIONS_INIT(export, EXPORT)
OPTIONS_INIT(import, IMPORT)
OPTIONS_INIT(copy, COPY)
OPTIONS_INIT(reset, RESET)
