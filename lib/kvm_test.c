// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "kvm_test.h"
#include "tap.h"
#include "test_util.h"

static void list_configs(const char *configs)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", configs);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		printf("%s\n", tok);
}

void kvm_test_start(int argc, char **argv, const char *configs,
		    struct kvm_platform *plat)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--list-configs")) {
			list_configs(configs);
			exit(0);
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	tap_init(stdout);
	platform_require_kvm(plat);
}
