// SPDX-License-Identifier: GPL-2.0-only
/*
 * Shrinking a failing randomized run, and the text form of its steps.
 *
 * Steps are drawn without looking at the tables, and each is emitted with
 * the flushes the tables at that point need, so any sub-list of a run's
 * steps is a valid run of its own (same seed, same initial tables): delta
 * debugging (Zeller's ddmin) removes chunks of steps while the run still
 * fails, halving the chunk size when no chunk can go, until no single
 * step can be removed.  Each trial is one fresh guest running the
 * candidate script; TAP output is muted meanwhile.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "test_util.h"

static const char *const kind_names[STEP_NR_KINDS] = {
	"ACCESS", "SET_PTE", "SET_PDE", "SET_UPPER", "CR3", "WP", "READ_ENTRY",
	"HOST_PTE", "HOST_PDE", "FORCE", "EVENT", "VCPU1", "CR4", "AC",
	"PROBE", "UPPER_PERM", "PSE", "GIANT",
};

/* "KIND code a b va val", numbers in hex: short, for a command line. */
void eng_step_format(const struct eng_step *st, char *buf, size_t size)
{
	snprintf(buf, size, "%s %x %x %x %" PRIx64 " %" PRIx64,
		 st->kind < STEP_NR_KINDS ? kind_names[st->kind] : "?",
		 st->code, st->a, st->b, st->va, st->val);
}

bool eng_step_parse(const char *line, struct eng_step *st)
{
	char kind[32];
	int end = 0;
	u32 k;

	memset(st, 0, sizeof(*st));
	if (sscanf(line, "%31s %x %x %x %" SCNx64 " %" SCNx64 "%n", kind,
		   &st->code, &st->a, &st->b, &st->va, &st->val, &end) != 6 ||
	    line[end] != 0)
		return false;
	for (k = 0; k < STEP_NR_KINDS; k++)
		if (!strcmp(kind, kind_names[k]))
			break;
	st->kind = k;
	return k < STEP_NR_KINDS;
}

/* Runs a trial with stdout (the TAP stream) pointed at /dev/null. */
static bool quiet_trial(eng_trial_fn fails, void *opaque,
			const struct eng_steps *steps)
{
	int saved, null;
	bool ret;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY);
	TEST_ASSERT(saved >= 0 && null >= 0, "cannot mute stdout: %m");
	dup2(null, STDOUT_FILENO);
	close(null);
	ret = fails(opaque, steps, false);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	return ret;
}

/* @steps without the chunk [lo, hi). */
static void without(const struct eng_steps *steps, u32 lo, u32 hi,
		    struct eng_steps *out)
{
	u32 i;

	out->nr = 0;
	for (i = 0; i < steps->nr; i++)
		if (i < lo || i >= hi)
			eng_steps_push(out, &steps->v[i]);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void eng_shrink(struct eng_steps *steps, eng_trial_fn fails, void *opaque,
		u32 max_trials, u32 max_seconds)
{
	struct eng_steps cand = { 0 };
	double end = seconds() + max_seconds;
	u32 n = 2, trials = 0;

	while (steps->nr >= 2 && trials < max_trials && seconds() < end) {
		u32 chunk = (steps->nr + n - 1) / n, lo;
		bool removed = false;

		for (lo = 0; lo < steps->nr && trials < max_trials &&
			     seconds() < end; lo += chunk) {
			without(steps, lo, lo + chunk, &cand);
			trials++;
			if (!quiet_trial(fails, opaque, &cand))
				continue;
			/* Still fails without it: keep the smaller list. */
			steps->nr = 0;
			for (u32 i = 0; i < cand.nr; i++)
				eng_steps_push(steps, &cand.v[i]);
			removed = true;
			break;
		}
		if (removed) {
			n = n > 2 ? n - 1 : 2;
			continue;
		}
		if (chunk == 1)
			break;
		n = n * 2 < steps->nr ? n * 2 : steps->nr;
	}
	eng_steps_free(&cand);
}
