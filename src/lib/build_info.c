/* SPDX-License-Identifier: MIT */
/*
 * build_info.c - what this libferry was built with and runs on, for
 * `ferry version` and a bug report: the SQLite met at run time, and the
 * compiler and the kind of build. libpq's version is the PostgreSQL
 * driver's to tell (db_pg.c), since only it loads libpq.
 */
#include "ferry_int.h"

#include <sqlite3.h>

#ifndef __has_feature
#define __has_feature(x) 0
#endif

const char *ferry_sqlite_version(void)
{
	return sqlite3_libversion();
}

#ifndef FERRY_HAVE_PG
int ferry_libpq_version(void)
{
	return 0; /* built without PostgreSQL */
}
#endif

#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define BUILD_KIND "address sanitizer"
#elif defined(__SANITIZE_THREAD__) || __has_feature(thread_sanitizer)
#define BUILD_KIND "thread sanitizer"
#elif defined(__OPTIMIZE__)
#define BUILD_KIND "optimized"
#else
#define BUILD_KIND "not optimized"
#endif

#if defined(__clang__)
#define BUILD_CC "clang " __clang_version__
#elif defined(__GNUC__)
#define BUILD_CC "gcc " __VERSION__
#else
#define BUILD_CC "an unknown compiler"
#endif

#ifdef FERRY_HAVE_PG
#define BUILD_PG ", with PostgreSQL"
#else
#define BUILD_PG ", without PostgreSQL"
#endif

const char *ferry_build(void)
{
	return BUILD_CC ", " BUILD_KIND BUILD_PG
#ifdef FERRY_TESTING
			", test build"
#endif
		;
}
