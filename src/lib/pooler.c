/* SPDX-License-Identifier: MIT */
/*
 * pooler.c - what ferry refuses behind a transaction pooler.
 *
 * A transaction pooler (PgBouncer with pool_mode=transaction, and the
 * like) lends a client a server connection for one transaction, then
 * hands it to another client. What lasts only as long as a transaction
 * works as on a direct connection; what needs one session for longer
 * cannot: the next transaction may run in another session, and what this
 * one left in its session goes to another client. The driver finds out
 * whether a pooler is in the way (db->pooled, db_pg_pooler.c); this file
 * says no, before anything runs, to what would then go wrong:
 *
 *  - a no-transaction section: its statements run one transaction each,
 *    each maybe in another session, so a SET or a lock of one is gone at
 *    the next, and its claim on the ledger row is not watched by a lock
 *    that outlives a transaction (ferry's is, behind a pooler, a row with
 *    an expiry);
 *  - --single-transaction: the whole run holds one of the pool's few
 *    server connections from the first migration to the last, between
 *    statements too, where a pooler's idle_transaction_timeout or
 *    query_timeout cuts it; and with a section's session SET (refused
 *    below) it would leak into the next section and to other clients;
 *  - a statement whose effect outlives its transaction: SET without LOCAL
 *    (a search_path, a role, a timeout), RESET, DISCARD, PREPARE,
 *    DEALLOCATE, LISTEN, UNLISTEN, LOAD. It would not change the next
 *    migration, which may run elsewhere, but would change whatever
 *    another client runs next on that server connection.
 *
 *  - a backup or a restore: pg_dump, pg_restore and psql set session
 *    settings (search_path = '' among them) outside their transaction,
 *    where a pooler may run them on another server connection than the
 *    dump's own, and leave them with that connection for the pooler's
 *    next client.
 *
 * Each refusal's hint names the way around: SET LOCAL, or a run through a
 * URL that reaches the server directly.
 */
#include "ferry_int.h"

#include <string.h>
#include <strings.h>

#define DIRECT_HINT \
	"run it with a URL that reaches PostgreSQL directly, not through " \
	"the pooler (or with --pooler=none if the pooler keeps sessions)"

static void pooler_detail(ferry_error *err)
{
	ferry__error_detail(err,
		"behind a transaction pooler each transaction may run on "
		"another server connection");
}

int ferry__pooler_refuse_section(ferry_db *db, const ferry_migration *m,
	const char *section, int no_transaction, int single_transaction,
	ferry_error *err)
{
	if (!db->pooled)
		return 0;
	if (no_transaction) {
		ferry__error_set(err, FERRY_EREFUSED,
			"the %s section of migration '%s' is no-transaction, "
			"which cannot run through a transaction pooler",
			section, m->id);
		pooler_detail(err);
		ferry__error_hint(err, "%s", DIRECT_HINT);
		return FERRY_EREFUSED;
	}
	if (single_transaction) {
		ferry__error_set(err, FERRY_EREFUSED,
			"'--single-transaction' cannot run through a "
			"transaction pooler");
		ferry__error_detail(err,
			"one transaction for the whole run would hold one of "
			"the pool's server connections from the first "
			"migration to the last");
		ferry__error_hint(err,
			"run without --single-transaction (each migration "
			"still runs in a transaction of its own), or %s",
			DIRECT_HINT);
		return FERRY_EREFUSED;
	}
	return 0;
}

static int word_is(const ferry__tok *t, const char *w)
{
	return t->type == FERRY__TOK_WORD && t->len == strlen(w) &&
		strncasecmp(t->s, w, t->len) == 0;
}

/*
 * Does the statement whose first tokens are `t` (`n` of them) change its
 * session beyond its transaction? SET LOCAL, SET TRANSACTION and SET
 * CONSTRAINTS end with the transaction; SET SESSION CHARACTERISTICS and
 * every other SET do not.
 */
static int outlives_txn(const ferry__tok *t, int n)
{
	static const char *const session_words[] = { "RESET", "DISCARD",
		"PREPARE", "DEALLOCATE", "LISTEN", "UNLISTEN", "LOAD" };
	size_t i;

	if (n < 1)
		return 0;
	for (i = 0; i < sizeof(session_words) / sizeof(*session_words); i++)
		if (word_is(&t[0], session_words[i]))
			return 1;
	if (!word_is(&t[0], "SET"))
		return 0;
	return !(n >= 2 &&
		(word_is(&t[1], "LOCAL") || word_is(&t[1], "TRANSACTION") ||
			word_is(&t[1], "CONSTRAINTS")));
}

int ferry__pooler_refuse_stmt(ferry_db *db, const ferry_migration *m,
	const char *stmt, size_t len, ferry_error *err)
{
	ferry__tok t[2];
	int n, is_set;

	if (!db->pooled)
		return 0;
	n = ferry__stmt_tokens(stmt, len, db->drv->dialect, t, 2);
	if (!outlives_txn(t, n))
		return 0;
	is_set = word_is(&t[0], "SET");
	ferry__error_set(err, FERRY_EREFUSED,
		"'%.*s%s%.*s' in migration '%s' outlives its transaction, "
		"which a transaction pooler does not allow",
		(int)t[0].len, t[0].s, n > 1 ? " " : "",
		n > 1 ? (int)t[1].len : 0, n > 1 ? t[1].s : "", m->id);
	ferry__error_detail(err,
		"behind a transaction pooler it would stay with the server "
		"connection, for the pooler's next client");
	if (is_set)
		ferry__error_hint(err,
			"write SET LOCAL to keep it to the migration's "
			"transaction, or %s",
			DIRECT_HINT);
	else
		ferry__error_hint(err, "%s", DIRECT_HINT);
	return FERRY_EREFUSED;
}

int ferry__pooler_refuse_tool(ferry_db *db, const char *what, ferry_error *err)
{
	if (!db->pooled)
		return 0;
	ferry__error_set(err, FERRY_EREFUSED,
		"a %s cannot run through a transaction pooler", what);
	ferry__error_detail(err,
		"pg_dump, pg_restore and psql keep session settings, which a "
		"transaction pooler hands to other clients");
	ferry__error_hint(err, "%s", DIRECT_HINT);
	return FERRY_EREFUSED;
}
