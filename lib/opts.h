/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line options of a test program: one getopt_long-based parser
 * behind one contract, the same for every test and for ci/ scripts:
 *
 *   --help                 usage on stdout, exit 0
 *   unknown option, missing value, malformed number, stray argument:
 *                          one "NAME: error: ..." line on stderr, exit 99
 *
 * A test lists its own options in a table; kvm_test_start() adds the
 * common ones (--help, --list-configs, --vcpu-timeout) and parses them
 * all before it probes the platform, so bad input is never hidden by a
 * SKIP.
 *
 *   static u64 seed = 1;
 *   static const struct test_opt opts[] = {
 *           OPT_U64("seed", "N", &seed, 0, UINT64_MAX, "first random seed"),
 *           { 0 }
 *   };
 *
 * Numbers are parsed strictly: decimal or 0x hexadecimal, the whole
 * string, within [min, max].
 */
#ifndef KMT_OPTS_H
#define KMT_OPTS_H

#include "abi/types.h"

enum opt_kind {
	OPT_FLAG,	/* bool *, set to true */
	OPT_U64,	/* u64 *, strict number in [min, max] */
	OPT_U32,	/* u32 *, strict number in [min, max] */
	OPT_STRING,	/* const char **, the argument itself */
	OPT_CHOICE,	/* int *, index of the argument in choices[] */
};

struct test_opt {
	const char *name;	/* long name without "--"; NULL ends a table */
	enum opt_kind kind;
	void *dst;
	const char *metavar;	/* argument in the usage, e.g. "N" */
	const char *help;
	u64 min, max;
	const char *const *choices;	/* NULL-terminated, for OPT_CHOICE */
	bool *given;		/* optional: set when the option was seen */
};

#define OPT_FLAG(n, d, h)	{ .name = (n), .kind = OPT_FLAG, .dst = (d), .help = (h) }
#define OPT_U64(n, m, d, lo, hi, h)					\
	{ .name = (n), .kind = OPT_U64, .dst = (d), .metavar = (m),	\
	  .help = (h), .min = (lo), .max = (hi) }
#define OPT_U32(n, m, d, lo, hi, h)					\
	{ .name = (n), .kind = OPT_U32, .dst = (d), .metavar = (m),	\
	  .help = (h), .min = (lo), .max = (hi) }
#define OPT_STRING(n, m, d, h)						\
	{ .name = (n), .kind = OPT_STRING, .dst = (d), .metavar = (m), .help = (h) }
#define OPT_CHOICE(n, m, d, c, h)					\
	{ .name = (n), .kind = OPT_CHOICE, .dst = (d), .metavar = (m),	\
	  .choices = (c), .help = (h) }

/*
 * Parses @argv against the NULL-terminated tables @tables[0..n-1]; on
 * --help prints @summary and every option, exits 0; on bad input exits
 * 99 after one error line.  Stray (non-option) arguments are errors.
 */
void opts_parse(int argc, char **argv, const char *summary,
		const struct test_opt *const *tables, int n);

/*
 * Strict number parsing: false (with @why) unless all of @s is a decimal
 * or 0x-prefixed hexadecimal number in [@min, @max].
 */
bool parse_u64(const char *s, u64 min, u64 max, u64 *val, char *why,
	       size_t why_size);

/* The "NAME: error: ..." line and exit 99, for checks after parsing. */
void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...);

#endif
