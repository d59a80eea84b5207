// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvm_test.h"
#include "matrix.h"
#include "tap.h"
#include "test_util.h"
#include "watchdog.h"

/*
 * The matrix's configurations for this program, one a line, then the
 * machine's settings as NAME=VALUE lines for ci/vm-run: "cpus=N",
 * "memory=MIB", "timeout=SECONDS" (those the stanza sets).
 */
static void list_configs(const char *argv0)
{
	const struct matrix_test *t = matrix_find(argv0);
	char buf[256], *tok, *save = NULL;

	if (!t)
		usage_error("%s is not a program of the test matrix (tests/tests.cfg)",
			    argv0);
	snprintf(buf, sizeof(buf), "%s", t->configs);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		printf("%s\n", tok);
	if (t->cpus != 1)
		printf("cpus=%u\n", t->cpus);
	if (t->memory_mib)
		printf("memory=%u\n", t->memory_mib);
	if (t->timeout)
		printf("timeout=%u\n", t->timeout);
}

/* $NAME, strictly parsed (the harness sets it); @dflt when unset. */
static u32 env_u32(const char *name, u32 dflt, u32 max)
{
	const char *env = getenv(name);
	char why[128];
	u64 v;

	if (!env)
		return dflt;
	if (!parse_u64(env, 0, max, &v, why, sizeof(why)))
		usage_error("%s: %s", name, why);
	return (u32)v;
}

u32 kvm_test_budget(void)
{
	return env_u32("KMT_BUDGET", 0, 86400 * 7);
}

void kvm_test_start(int argc, char **argv, const struct kvm_test *test,
		    struct kvm_platform *plat)
{
	static const struct test_opt none[] = { { 0 } };
	bool list = false;
	/* The harness sets it per backend (Bochs: longer). */
	u32 vcpu_timeout = env_u32("KMT_VCPU_TIMEOUT", WATCHDOG_DEFAULT_S, 86400);
	const struct test_opt common[] = {
		OPT_FLAG("list-configs", &list,
			 "print the configurations this test runs in (tests/tests.cfg), one a line"),
		OPT_U32("vcpu-timeout", "SECONDS", &vcpu_timeout, 0, 86400,
			"fail a vCPU that makes no progress inside KVM_RUN for this long (0: never; default $KMT_VCPU_TIMEOUT or 20)"),
		{ 0 }
	};
	const struct test_opt *tables[] = { test->opts ? test->opts : none, common };

	opts_parse(argc, argv, test->summary, tables, 2);
	if (list) {
		list_configs(argv[0]);
		exit(0);
	}
	if (test->check_args)
		test->check_args(test->ctx);
	/* A malformed $KMT_BUDGET is bad input: exit 99 before the probe. */
	(void)kvm_test_budget();
	watchdog_set_timeout(vcpu_timeout);
	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_init(stdout);
	/* Where a test's time goes, per configuration (the harness's). */
	tap_time_subjects(getenv("KMT_CONFIG"));
	platform_require_kvm(plat);
}
