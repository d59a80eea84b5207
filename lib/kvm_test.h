/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every KVM test does first.
 *
 *   static const struct test_opt opts[] = { OPT_U64("seed", ...), { 0 } };
 *   static const struct kvm_test test = {
 *           .summary = "Quadrant-correct shadowing of 4-byte guest PTEs.",
 *           .opts = opts,
 *   };
 *   kvm_test_start(argc, argv, &test, &plat);
 *
 * The configurations a test runs in are not the test's to say: they are
 * its stanza of the test matrix, tests/tests.cfg (compiled in, lib/matrix.h),
 * found by the program's name; --list-configs prints them and the harness
 * runs the test once in each.
 *
 * Every option is parsed first (lib/opts.h: --help, exit 99 on bad
 * input), with the common ones added: --list-configs and
 * --vcpu-timeout SECONDS (the vCPU watchdog, lib/watchdog.h; default
 * $KMT_VCPU_TIMEOUT or 20, 0 turns it off).  Then TAP starts, and the
 * test SKIPs (exit 77) unless /dev/kvm is a KVM we can trust.
 */
#ifndef KMT_KVM_TEST_H
#define KMT_KVM_TEST_H

#include "opts.h"
#include "platform.h"

struct kvm_test {
	const char *summary;		/* one line for --help */
	const struct test_opt *opts;	/* the test's own, or NULL */
	/*
	 * Optional: checks what the options name (files, combinations)
	 * before the platform probe; calls usage_error() on bad input.
	 */
	void (*check_args)(void *ctx);
	void *ctx;
};

void kvm_test_start(int argc, char **argv, const struct kvm_test *test,
		    struct kvm_platform *plat);

/*
 * $KMT_BUDGET: the seconds a randomized test may spend per configuration
 * when its options do not say (ci/qualify's --budget, through the
 * harness); 0 when unset: the test's fixed-seed default.  Exit 99 on a
 * malformed value.
 */
u32 kvm_test_budget(void);

#endif
