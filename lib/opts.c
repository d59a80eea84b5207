// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "test_util.h"

#define OPTS_MAX	64

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: error: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try --help)\n", stderr);
	exit(KMT_EXIT_HARD);
}

bool parse_u64(const char *s, u64 min, u64 max, u64 *val, char *why,
	       size_t why_size)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts leading blanks and a sign; a number here has neither. */
	if (!s || !*s || !(*s >= '0' && *s <= '9')) {
		snprintf(why, why_size, "'%s' is not a number", s ? s : "");
		return false;
	}
	errno = 0;
	v = strtoull(s, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10);
	if (errno || *end || end == s) {
		snprintf(why, why_size, "'%s' is not a %s number", s,
			 errno == ERANGE ? "64-bit" : "decimal or 0x-hexadecimal");
		return false;
	}
	if (v < min || v > max) {
		snprintf(why, why_size, "%s is out of range [%llu, %llu]", s,
			 (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	*val = v;
	return true;
}

static void usage(const char *summary, const struct test_opt *const *tables,
		  int n)
{
	const struct test_opt *o;
	char left[64];
	int t;

	printf("usage: %s [OPTION]...\n%s\n\noptions:\n",
	       program_invocation_short_name, summary);
	for (t = 0; t < n; t++) {
		for (o = tables[t]; o->name; o++) {
			snprintf(left, sizeof(left), "--%s%s%s", o->name,
				 o->metavar ? " " : "", o->metavar ? o->metavar : "");
			printf("  %-26s %s\n", left, o->help);
		}
	}
	printf("\nexit status: 0 pass, 1 fail, 77 skip, 99 bad input or harness error\n");
	exit(0);
}

static void set_value(const struct test_opt *o, const char *arg)
{
	char why[128];
	u64 v;
	int i;

	if (o->given)
		*o->given = true;
	switch (o->kind) {
	case OPT_FLAG:
		*(bool *)o->dst = true;
		return;
	case OPT_STRING:
		if (!*arg)
			usage_error("--%s wants a non-empty %s", o->name, o->metavar);
		*(const char **)o->dst = arg;
		return;
	case OPT_CHOICE:
		for (i = 0; o->choices[i]; i++) {
			if (!strcmp(arg, o->choices[i])) {
				*(int *)o->dst = i;
				return;
			}
		}
		usage_error("--%s: unknown %s '%s'", o->name, o->metavar, arg);
	case OPT_U64:
	case OPT_U32:
		if (!parse_u64(arg, o->min, o->max, &v, why, sizeof(why)))
			usage_error("--%s: %s", o->name, why);
		if (o->kind == OPT_U32)
			*(u32 *)o->dst = (u32)v;
		else
			*(u64 *)o->dst = v;
		return;
	}
}

void opts_parse(int argc, char **argv, const char *summary,
		const struct test_opt *const *tables, int n)
{
	const struct test_opt *map[OPTS_MAX + 1];
	struct option longopts[OPTS_MAX + 2];
	const struct test_opt *o;
	int nr = 0, t, c, idx;

	for (t = 0; t < n; t++) {
		for (o = tables[t]; o->name; o++) {
			TEST_ASSERT(nr < OPTS_MAX, "too many options");
			map[nr] = o;
			longopts[nr] = (struct option){
				o->name, o->kind == OPT_FLAG ? no_argument : required_argument,
				NULL, 256 + nr };
			nr++;
		}
	}
	longopts[nr++] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[nr] = (struct option){ 0 };

	opterr = 0;
	optind = 1;
	for (;;) {
		idx = optind;
		c = getopt_long(argc, argv, ":", longopts, NULL);
		if (c == -1)
			break;
		if (c == 'h')
			usage(summary, tables, n);
		if (c == '?')
			usage_error("unknown option '%s'", argv[idx]);
		if (c == ':')
			usage_error("option '%s' needs a value", argv[idx]);
		set_value(map[c - 256], optarg);
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
}
