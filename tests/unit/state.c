/* SPDX-License-Identifier: MIT */
/*
 * state.c - the state model: a ledger row's state read once, its name, and
 * the predicates the rest of the library asks of it.
 */
#include "clar.h"
#include "ferry_int.h"

static ferry__row r;

void test_state__initialize(void)
{
	memset(&r, 0, sizeof(r));
}

/* A row as the ledger would hold it: `state`, failed in `section`. */
static const ferry__row *row(const char *state, const char *section)
{
	memset(&r, 0, sizeof(r));
	r.state_text = (char *)state;
	r.state = ferry__state_parse(state);
	r.failed_section = (char *)section;
	return &r;
}

void test_state__the_ledger_spells_three_states(void)
{
	cl_assert_equal_i(FERRY_STATE_UP, ferry__state_parse("up"));
	cl_assert_equal_i(FERRY_STATE_COMPLETE, ferry__state_parse("complete"));
	cl_assert_equal_i(FERRY_STATE_FAILED, ferry__state_parse("failed"));
	/* Never stored: a pending migration has no row, and running is a
	 * failed row whose runner holds the lock. */
	cl_assert_equal_i(FERRY_STATE_UNKNOWN, ferry__state_parse("pending"));
	cl_assert_equal_i(FERRY_STATE_UNKNOWN, ferry__state_parse("running"));
	cl_assert_equal_i(FERRY_STATE_UNKNOWN, ferry__state_parse("Up"));
	cl_assert_equal_i(FERRY_STATE_UNKNOWN, ferry__state_parse(""));
	cl_assert_equal_i(FERRY_STATE_UNKNOWN, ferry__state_parse(NULL));
}

void test_state__names_are_those_of_the_ledger_and_json(void)
{
	cl_assert_equal_s("pending", ferry_state_name(FERRY_STATE_PENDING));
	cl_assert_equal_s("up", ferry_state_name(FERRY_STATE_UP));
	cl_assert_equal_s("complete", ferry_state_name(FERRY_STATE_COMPLETE));
	cl_assert_equal_s("failed", ferry_state_name(FERRY_STATE_FAILED));
	cl_assert_equal_s("running", ferry_state_name(FERRY_STATE_RUNNING));
	cl_assert_equal_s("unknown", ferry_state_name(FERRY_STATE_UNKNOWN));
	cl_assert_equal_s("unknown", ferry_state_name((ferry_state)99));
	cl_assert_equal_s("unknown", ferry_state_name((ferry_state)-1));
}

void test_state__an_unknown_state_is_written_back_as_read(void)
{
	cl_assert_equal_s("half", ferry__row_state_text(row("half", NULL)));
	cl_assert_equal_s("up", ferry__row_state_text(row("up", NULL)));
	/* A row ferry builds has no text: its name. */
	memset(&r, 0, sizeof(r));
	r.state = FERRY_STATE_COMPLETE;
	cl_assert_equal_s("complete", ferry__row_state_text(&r));
}

void test_state__failed_section(void)
{
	cl_assert_equal_i(-1, ferry__row_failed_section(NULL));
	cl_assert_equal_i(
		FERRY__UP, ferry__row_failed_section(row("failed", "up")));
	cl_assert_equal_i(FERRY__FINISH,
		ferry__row_failed_section(row("failed", "finish")));
	cl_assert_equal_i(
		FERRY__DOWN, ferry__row_failed_section(row("failed", "down")));
	cl_assert_equal_i(-1, ferry__row_failed_section(row("failed", NULL)));
	cl_assert_equal_i(
		-1, ferry__row_failed_section(row("failed", "sideways")));
	/* Only a failed row stopped in a section. */
	cl_assert_equal_i(-1, ferry__row_failed_section(row("up", "up")));
	cl_assert(ferry__row_resumable(row("failed", "finish"), FERRY__FINISH));
	cl_assert(!ferry__row_resumable(row("failed", "finish"), FERRY__UP));
	cl_assert(!ferry__row_resumable(NULL, FERRY__UP));
}

void test_state__applied_means_the_up_section_ran(void)
{
	cl_assert(!ferry__row_applied(NULL));
	cl_assert(ferry__row_applied(row("up", NULL)));
	cl_assert(ferry__row_applied(row("complete", NULL)));
	cl_assert(!ferry__row_applied(row("failed", "up")));
	cl_assert(ferry__row_applied(row("failed", "finish")));
	cl_assert(ferry__row_applied(row("failed", "down")));
	/* A state ferry does not know is not failed: counted as applied,
	 * as validate reports it. */
	cl_assert(ferry__row_applied(row("half", NULL)));
}

void test_state__finished_means_the_finish_section_ran_or_began(void)
{
	cl_assert(!ferry__row_finished(NULL));
	cl_assert(!ferry__row_finished(row("complete", NULL)));
	r.has_finish = 1;
	cl_assert(ferry__row_finished(&r));
	row("up", NULL);
	r.has_finish = 1;
	cl_assert(!ferry__row_finished(&r));
	row("failed", "finish");
	r.has_finish = 1;
	cl_assert(ferry__row_finished(&r));
	row("failed", "up");
	r.has_finish = 1;
	cl_assert(!ferry__row_finished(&r));
}
