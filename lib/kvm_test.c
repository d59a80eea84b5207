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
 * machine's settings as NAME=VALUE lines (ci/vm-run reads "cpus=N").
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
}

/* $KMT_VCPU_TIMEOUT, strictly parsed: the harness sets it per backend. */
static u32 default_vcpu_timeout(void)
{
	const char *env = getenv("KMT_VCPU_TIMEOUT");
	char why[128];
	u64 v;

	if (!env)
		return WATCHDOG_DEFAULT_S;
	if (!parse_u64(env, 0, 86400, &v, why, sizeof(why)))
		usage_error("KMT_VCPU_TIMEOUT: %s", why);
	return (u32)v;
}

void kvm_test_start(int argc, char **argv, const struct kvm_test *test,
		    struct kvm_platform *plat)
{
	static const struct test_opt none[] = { { 0 } };
	bool list = false;
	u32 vcpu_timeout = default_vcpu_timeout();
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
	watchdog_set_timeout(vcpu_timeout);
	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_init(stdout);
	platform_require_kvm(plat);
}
