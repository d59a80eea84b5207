// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "test_util.h"

static struct {
	FILE *out;
	int planned;	/* -1: not yet printed */
	int points;
	int failed;
	char measured[512];	/* for the next point, see tap_measured() */
} tap = { NULL, -1, 0, 0, "" };

static FILE *out(void)
{
	return tap.out ? tap.out : stdout;
}

void tap_init(FILE *o)
{
	tap.out = o;
	tap.planned = -1;
	tap.points = 0;
	tap.failed = 0;
	fprintf(out(), "TAP version 13\n");
}

void tap_plan(int n)
{
	tap.planned = n;
	fprintf(out(), "1..%d\n", n);
}

static void point(bool ok, const char *directive, const char *fmt,
		  va_list ap)
{
	fprintf(out(), "%sok %d - ", ok ? "" : "not ", ++tap.points);
	vfprintf(out(), fmt, ap);
	if (directive)
		fprintf(out(), " # %s", directive);
	fprintf(out(), "\n");
	if (tap.measured[0])
		fprintf(out(), "# measured: %s\n", tap.measured);
	tap.measured[0] = '\0';
	fflush(out());
}

void tap_measured(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tap.measured, sizeof(tap.measured), fmt, ap);
	va_end(ap);
}

bool tap_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	point(ok, NULL, fmt, ap);
	va_end(ap);
	if (!ok)
		tap.failed++;
	return ok;
}

void tap_skip(const char *reason, const char *fmt, ...)
{
	char directive[512];
	va_list ap;

	snprintf(directive, sizeof(directive), "SKIP %s", reason);
	va_start(ap, fmt);
	point(true, directive, fmt, ap);
	va_end(ap);
}

void tap_diag(const char *fmt, ...)
{
	char line[4096], *p, *nl;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Every line of a multi-line message must stay a diagnostic. */
	for (p = line; p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		fprintf(out(), "# %s\n", p);
	}
}

void tap_yaml_begin(void)
{
	fprintf(out(), "  ---\n");
}

void tap_yaml(const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(out(), "  %s: ", key);
	va_start(ap, fmt);
	vfprintf(out(), fmt, ap);
	va_end(ap);
	fprintf(out(), "\n");
}

void tap_yaml_end(void)
{
	fprintf(out(), "  ...\n");
	fflush(out());
}

void tap_skip_all(const char *fmt, ...)
{
	va_list ap;

	fprintf(out(), "1..0 # SKIP ");
	va_start(ap, fmt);
	vfprintf(out(), fmt, ap);
	va_end(ap);
	fprintf(out(), "\n");
	fflush(out());
	exit(KMT_EXIT_SKIP);
}

int tap_failures(void)
{
	return tap.failed;
}

int tap_finish(void)
{
	if (tap.planned < 0)
		fprintf(out(), "1..%d\n", tap.points);
	else if (tap.planned != tap.points)
		fprintf(out(), "# planned %d points, ran %d\n", tap.planned,
			tap.points);
	fflush(out());
	return tap.failed || (tap.planned >= 0 && tap.planned != tap.points);
}
