/* SPDX-License-Identifier: MIT */
/*
 * options.c - ferry_<x>_options_init(): each options struct's defaults,
 * FERRY_<X>_OPTIONS_INIT, as a function, for programs written in a
 * language that cannot expand C macros (Go, Python's ctypes, Rust).
 *
 * The caller says which version of the struct it holds, the
 * FERRY_<X>_OPTIONS_VERSION of the ferry.h it was written against (as
 * libgit2's git_<x>_options_init() does). A program built for an older
 * version has a smaller struct, and a newer library must not write past
 * it: so each version's size is known here, where the fields of the next
 * version begin, and only that many bytes of the defaults are copied.
 */
#include "ferry_int.h"

#include <stddef.h>
#include <string.h>

/*
 * The defaults are a static value, whose padding is zero, so that the
 * result is the same bytes every time; then the caller's version.
 */
static int options_init(void *opts, unsigned int version, const void *defaults,
	const size_t *sizes, unsigned int newest)
{
	if (!opts || version < 1 || version > newest)
		return FERRY_EINVALID;
	memcpy(opts, defaults, sizes[version - 1]);
	*(unsigned int *)opts = version;
	return 0;
}

/* `...`: the size of each version, oldest first; the last is sizeof. */
#define OPTIONS_INIT(lower, UPPER, ...) \
	int ferry_##lower##_options_init( \
		ferry_##lower##_options *opts, unsigned int version) \
	{ \
		static const ferry_##lower##_options defaults = \
			FERRY_##UPPER##_OPTIONS_INIT; \
		static const size_t sizes[] = { __VA_ARGS__ }; \
\
		_Static_assert(sizeof(sizes) / sizeof(*sizes) == \
				FERRY_##UPPER##_OPTIONS_VERSION, \
			"a size for each version of ferry_" #lower \
			"_options"); \
		return options_init(opts, version, &defaults, sizes, \
			FERRY_##UPPER##_OPTIONS_VERSION); \
	}

/* Each older version ends where the next one's first field begins. */
OPTIONS_INIT(db, DB, offsetof(ferry_db_options, cache_dir),
	offsetof(ferry_db_options, lock_wait_ms),
	offsetof(ferry_db_options, actor), sizeof(ferry_db_options))
OPTIONS_INIT(up, UP, offsetof(ferry_up_options, baseline),
	offsetof(ferry_up_options, yes), offsetof(ferry_up_options, strict),
	offsetof(ferry_up_options, allow_empty), sizeof(ferry_up_options))
OPTIONS_INIT(down, DOWN, offsetof(ferry_down_options, yes),
	sizeof(ferry_down_options))
OPTIONS_INIT(stamp, STAMP, offsetof(ferry_stamp_options, no_verify),
	sizeof(ferry_stamp_options))

OPTIONS_INIT(set, SET, sizeof(ferry_set_options))
OPTIONS_INIT(lint, LINT, sizeof(ferry_lint_options))
OPTIONS_INIT(repair, REPAIR, sizeof(ferry_repair_options))
OPTIONS_INIT(adopt, ADOPT, sizeof(ferry_adopt_options))
OPTIONS_INIT(backup, BACKUP, sizeof(ferry_backup_options))
OPTIONS_INIT(export, EXPORT, sizeof(ferry_export_options))
OPTIONS_INIT(import, IMPORT, sizeof(ferry_import_options))
OPTIONS_INIT(copy, COPY, sizeof(ferry_copy_options))
OPTIONS_INIT(reset, RESET, sizeof(ferry_reset_options))
