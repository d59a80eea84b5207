// SPDX-License-Identifier: GPL-2.0-only
#include "test_util.h"

static char context[512];

void test_set_context(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
}

void test_assert_fail(const char *file, int line, const char *expr,
		      const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	printf("# ASSERTION FAILED at %s:%d: %s\n# ", file, line, expr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (context[0])
		printf("# context: %s\n", context);
	printf("Bail out! assertion failed at %s:%d\n", file, line);
	fflush(stdout);
	exit(1);
}
