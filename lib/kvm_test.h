/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every KVM test does first.
 *
 * @configs names the module-parameter configurations the test needs, as
 * listed in ci/configs (e.g. "shadow tdp"); the harness asks for them with
 * --list-configs and runs the test once in each.  A word "cpus=N" in
 * @configs asks the harness for N CPUs in its VM (default 1).  Then TAP
 * starts, and
 * the test SKIPs (exit 77) unless /dev/kvm is a KVM we can trust.
 */
#ifndef KMT_KVM_TEST_H
#define KMT_KVM_TEST_H

#include "platform.h"

void kvm_test_start(int argc, char **argv, const char *configs,
		    struct kvm_platform *plat);

#endif
