/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host-side assertion helpers.  A failed assertion prints file, line, the
 * expression, both values where there are two, and a formatted message,
 * then ends the test with exit status 1 (TAP: the plan is unfinished, so
 * the driver reports an error).  Tests that want to go on after a failed
 * check use tap_check() from tap.h instead.
 */
#ifndef KMT_TEST_UTIL_H
#define KMT_TEST_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/types.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))
#define ALIGN_UP(x, a)	ALIGN_DOWN((x) + (a) - 1, (a))

/* Exit statuses Automake understands. */
#define KMT_EXIT_SKIP	77
#define KMT_EXIT_HARD	99

void __attribute__((noreturn, format(printf, 4, 5)))
test_assert_fail(const char *file, int line, const char *expr,
		 const char *fmt, ...);

#define TEST_ASSERT(cond, fmt, ...)					\
	do {								\
		if (!(cond))						\
			test_assert_fail(__FILE__, __LINE__, #cond,	\
					 fmt, ##__VA_ARGS__);		\
	} while (0)

#define TEST_ASSERT_EQ(a, b)						\
	do {								\
		u64 __a = (u64)(a), __b = (u64)(b);			\
		if (__a != __b)						\
			test_assert_fail(__FILE__, __LINE__,		\
				#a " == " #b,				\
				"%s is 0x%llx, %s is 0x%llx",		\
				#a, (unsigned long long)__a,		\
				#b, (unsigned long long)__b);		\
	} while (0)

/* Hooks that add context (e.g. the kernel and seed) to every failure. */
void test_set_context(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
