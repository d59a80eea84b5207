// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "test_util.h"

static struct {
	FILE *out;
	int planned;	/* -1: not yet printed */
	int points;
	int failed;
	char measured[512];	/* for the next point, see tap_measured() */
	/* tap_time_subjects(): the subject being timed, since when. */
	bool timing;
	char label[64];
	char subject[128];
	int subject_points;
	double subject_start;	/* the last point of the subject before */
	double subject_last;	/* its own last point */
} tap = { .planned = -1 };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

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
	tap.timing = false;
	fprintf(out(), "TAP version 13\n");
}

void tap_time_subjects(const char *label)
{
	tap.timing = true;
	snprintf(tap.label, sizeof(tap.label), "%s", label ? label : "");
	tap.subject[0] = '\0';
	tap.subject_points = 0;
	tap.subject_start = tap.subject_last = now_s();
}

/* "# spent: [LABEL] SUBJECT: S s, N points" for the subject just ended. */
static void subject_spent(void)
{
	if (tap.subject_points)
		fprintf(out(), "# spent: %s%s%s%s: %.2f s, %d point%s\n",
			tap.label[0] ? "[" : "", tap.label,
			tap.label[0] ? "] " : "", tap.subject,
			tap.subject_last - tap.subject_start, tap.subject_points,
			tap.subject_points == 1 ? "" : "s");
	tap.subject_points = 0;
	tap.subject_start = tap.subject_last;
}

/*
 * A point's subject is its name up to the first ": " ("hugetlb-2m: ..."
 * -> "hugetlb-2m"; @head is the name's first sizeof(tap.subject) - 1
 * characters, to which a longer subject is cut).  A point of another
 * subject than the last one's ends that one, whose time runs from the
 * last point of the subject before it (its setup included) to its own
 * last point; so the "# spent:" line comes before the next subject's
 * first point, which may be much later.
 */
static void subject_note(const char *head)
{
	const char *colon = strstr(head, ": ");
	int len = colon ? (int)(colon - head) : (int)strlen(head);

	if (tap.subject_points && (strncmp(tap.subject, head, len) ||
				   tap.subject[len] != '\0'))
		subject_spent();
	if (!tap.subject_points)
		snprintf(tap.subject, sizeof(tap.subject), "%.*s", len, head);
	tap.subject_points++;
	tap.subject_last = now_s();
}

void tap_plan(int n)
{
	tap.planned = n;
	fprintf(out(), "1..%d\n", n);
}

static void point(bool ok, const char *directive, const char *fmt,
		  va_list ap)
{
	char head[sizeof(tap.subject)];
	va_list aq;

	/* The subject lies in the name's head; the name is printed whole. */
	if (tap.timing) {
		va_copy(aq, ap);
		vsnprintf(head, sizeof(head), fmt, aq);
		va_end(aq);
		subject_note(head);
	}
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
	if (tap.timing)
		subject_spent();
	if (tap.planned < 0)
		fprintf(out(), "1..%d\n", tap.points);
	else if (tap.planned != tap.points)
		fprintf(out(), "# planned %d points, ran %d\n", tap.planned,
			tap.points);
	fflush(out());
	return tap.failed || (tap.planned >= 0 && tap.planned != tap.points);
}
