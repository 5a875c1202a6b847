/* SPDX-License-Identifier: MIT */
/*
 * write.c - the shape of every command that writes: run, repair, stamp,
 * reset.
 *
 * Decide first without the runner lock, so that a command with nothing to
 * do touches nothing and waits for no one. Else take the lock and decide
 * again: the wait may have let another ferry change everything. Then
 * write, in one transaction when the command's changes go together.
 */
#include "ferry_int.h"

int ferry__decide_and_write(
	ferry_db *db, const ferry__writer *w, void *payload, ferry_error *err)
{
	size_t work = 0;
	int rc;

	if ((rc = w->decide(payload, &work, err)) < 0 || work == 0 ||
		w->dry_run)
		return rc;
	if ((rc = ferry__lock(db, err)) < 0)
		return rc;
	if ((rc = w->decide(payload, &work, err)) < 0 || work == 0)
		goto out;
	/* Made if missing, outside the transaction: DDL of its own. */
	if (w->ledger && (rc = ferry__ledger_ensure(db, err)) < 0)
		goto out;
	if (w->one_transaction && (rc = db->drv->begin(db, err)) < 0)
		goto out;
	rc = w->write(payload, err);
	if (w->one_transaction && rc == 0)
		rc = db->drv->commit(db, err);
	if (w->one_transaction && rc < 0)
		db->drv->rollback(db);
out:
	ferry__unlock(db);
	return rc;
}
