// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the TAP 13 emitter (lib/tap.c).
 *
 * Every other test reports through lib/tap.c, and Automake's tap-driver.sh
 * parses its output literally: a diagnostic line without "# ", a YAML
 * block with the wrong indentation, a wrong plan or a wrong exit status
 * turns into a bogus pass or an unexplained error.  So each case points the
 * emitter at a memory stream, drives it and compares the text it produced
 * byte for byte with the expected TAP, and checks the return values of
 * tap_finish() and tap_failures().
 *
 * lib/tap.c keeps global state, so this program does not report through it:
 * it prints its own TAP with printf, and lib/tap.c is only the thing under
 * test.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "test_util.h"

/* This program's own TAP output, independent of lib/tap.c. */
static int points;
static int failures;

static void diag_block(const char *label, const char *text)
{
	const char *p = text, *nl;

	printf("# %s:\n", label);
	if (!*p)
		printf("#   (empty)\n");
	for (; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		printf("#   |%.*s%s\n", nl ? (int)(nl - p) : (int)strlen(p),
		       p, nl ? "\\n" : "");
	}
}

static bool __attribute__((format(printf, 2, 3)))
check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++points);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failures++;
	fflush(stdout);
	return ok;
}

static void check_int(int actual, int expected, const char *what)
{
	if (!check(actual == expected, "%s is %d", what, expected))
		printf("# expected %d, actual %d\n", expected, actual);
}

static void check_nonzero(int actual, const char *what)
{
	if (!check(actual != 0, "%s is nonzero", what))
		printf("# expected nonzero, actual %d\n", actual);
}

static void check_text(const char *actual, const char *expected,
		       const char *what)
{
	if (check(!strcmp(actual, expected), "%s: exact output", what))
		return;
	diag_block("expected", expected);
	diag_block("actual", actual);
}

/* Capturing lib/tap.c's output in memory. */
static char *cap_buf;
static size_t cap_len;
static FILE *cap_file;

static void capture_begin(void)
{
	cap_file = open_memstream(&cap_buf, &cap_len);
	if (!cap_file) {
		printf("Bail out! open_memstream failed\n");
		exit(KMT_EXIT_HARD);
	}
	tap_init(cap_file);
}

/* Returns the captured text; the caller frees it. */
static char *capture_end(void)
{
	char *text;

	fclose(cap_file);
	text = cap_buf;
	cap_buf = NULL;
	cap_file = NULL;
	return text;
}

static void test_plan_first(void)
{
	int ret, fails;
	bool r1, r2;
	char *text;

	capture_begin();
	tap_plan(3);
	r1 = tap_check(true, "first %d", 1);
	r2 = tap_check(false, "second %s", "point");
	tap_skip("no 1G pages", "third %d", 3);
	fails = tap_failures();
	ret = tap_finish();
	text = capture_end();

	check_text(text,
		   "TAP version 13\n"
		   "1..3\n"
		   "ok 1 - first 1\n"
		   "not ok 2 - second point\n"
		   "ok 3 - third 3 # SKIP no 1G pages\n",
		   "plan first, ok, not ok, skip");
	check(r1, "tap_check(true) returns true");
	check(!r2, "tap_check(false) returns false");
	check_int(fails, 1, "tap_failures() after one not ok (skip is no failure)");
	check_nonzero(ret, "tap_finish() with a failed point");
	free(text);
}

static void test_all_ok_plan_last(void)
{
	int ret, fails;
	char *text;

	capture_begin();
	tap_check(true, "a");
	tap_check(true, "b 0x%x", 0x2a);
	fails = tap_failures();
	ret = tap_finish();
	text = capture_end();

	check_text(text,
		   "TAP version 13\n"
		   "ok 1 - a\n"
		   "ok 2 - b 0x2a\n"
		   "1..2\n",
		   "all ok, plan printed by tap_finish()");
	check_int(fails, 0, "tap_failures() when all ok");
	check_int(ret, 0, "tap_finish() when all ok");
	free(text);
}

static void test_plan_matched(void)
{
	char *text;
	int ret;

	capture_begin();
	tap_plan(2);
	tap_check(true, "x");
	tap_skip("why", "y");
	ret = tap_finish();
	text = capture_end();

	check_text(text,
		   "TAP version 13\n"
		   "1..2\n"
		   "ok 1 - x\n"
		   "ok 2 - y # SKIP why\n",
		   "plan first and met: no second plan line");
	check_int(ret, 0, "tap_finish() with the plan met and a skip");
	free(text);
}

static void test_plan_too_many(void)
{
	int ret, fails;
	char *text;

	capture_begin();
	tap_plan(3);
	tap_check(true, "one");
	tap_check(true, "two");
	fails = tap_failures();
	ret = tap_finish();
	text = capture_end();

	check_text(text,
		   "TAP version 13\n"
		   "1..3\n"
		   "ok 1 - one\n"
		   "ok 2 - two\n"
		   "# planned 3 points, ran 2\n",
		   "fewer points than planned");
	check_int(fails, 0, "tap_failures() with a short plan");
	check_nonzero(ret, "tap_finish() with fewer points than planned");
	free(text);
}

static void test_plan_too_few(void)
{
	char *text;
	int ret;

	capture_begin();
	tap_plan(1);
	tap_check(true, "one");
	tap_check(true, "two");
	ret = tap_finish();
	text = capture_end();

	check_text(text,
		   "TAP version 13\n"
		   "1..1\n"
		   "ok 1 - one\n"
		   "ok 2 - two\n"
		   "# planned 1 points, ran 2\n",
		   "more points than planned");
	check_nonzero(ret, "tap_finish() with more points than planned");
	free(text);
}

static void test_empty(void)
{
	char *text;
	int ret;

	capture_begin();
	ret = tap_finish();
	text = capture_end();

	check_text(text, "TAP version 13\n1..0\n", "no points at all");
	check_int(ret, 0, "tap_finish() with no points");
	free(text);
}

/* True if every line of @text starts with "# " and ends with '\n'. */
static bool all_diag_lines(const char *text)
{
	const char *p;

	for (p = text; *p; p = strchr(p, '\n') + 1) {
		if (strncmp(p, "# ", 2) || !strchr(p, '\n'))
			return false;
	}
	return true;
}

static void test_diag(void)
{
	char *text;

	capture_begin();
	tap_diag("single %d", 1);
	tap_diag("va 0x%lx\nwalk:\n  pml4e 0x%x", 0x1000UL, 0x23);
	tap_finish();
	text = capture_end();

	check_text(text,
		   "TAP version 13\n"
		   "# single 1\n"
		   "# va 0x1000\n"
		   "# walk:\n"
		   "#   pml4e 0x23\n"
		   "1..0\n",
		   "single and multi-line tap_diag()");
	free(text);
}

/* tap_measured(): the values follow the next point, once, names stay bare. */
static void test_measured(void)
{
	char *text;

	capture_begin();
	tap_measured("pages_2m %d, expected %d", 25, 24);
	tap_check(false, "huge pages split");
	tap_check(true, "next point");
	tap_measured("%d missed", 0);
	tap_skip("no 1G pages", "skipped point");
	tap_finish();
	text = capture_end();

	check_text(text,
		   "TAP version 13\n"
		   "not ok 1 - huge pages split\n"
		   "# measured: pages_2m 25, expected 24\n"
		   "ok 2 - next point\n"
		   "ok 3 - skipped point # SKIP no 1G pages\n"
		   "# measured: 0 missed\n"
		   "1..3\n",
		   "tap_measured() values after the next point only");
	free(text);
}

/* Each "S.SS s" of a "# spent:" line replaced by "T s": times vary. */
static void mask_seconds(char *text)
{
	char *p = text, *s, *d;

	while ((p = strstr(p, "# spent: "))) {
		/* A subject holds no ": ": the next one ends it. */
		s = strstr(p + strlen("# spent: "), ": ");
		if (!s)
			return;
		s += 2;
		d = s + strspn(s, "0123456789.");
		if (d > s) {
			*s++ = 'T';
			memmove(s, d, strlen(d) + 1);
		}
		p = s;
	}
}

/*
 * tap_time_subjects(): a run of points with one subject (the name before
 * its first ": ") gets one "# spent:" line after its last point, before
 * the next subject's first; the last one comes with tap_finish(); a
 * tap_init() after it turns timing off again.
 */
static void test_time_subjects(void)
{
	char *text;

	capture_begin();
	tap_time_subjects("tdp");
	tap_check(true, "thp: mapped huge");
	tap_measured("pages_2m 32");
	tap_check(true, "thp: split");
	tap_skip("no 1G pages", "hugetlb-1g: mapped huge");
	tap_check(true, "no colon here");
	tap_check(true, "thp: again");
	tap_finish();
	text = capture_end();
	mask_seconds(text);
	check_text(text,
		   "TAP version 13\n"
		   "ok 1 - thp: mapped huge\n"
		   "ok 2 - thp: split\n"
		   "# measured: pages_2m 32\n"
		   "# spent: [tdp] thp: T s, 2 points\n"
		   "ok 3 - hugetlb-1g: mapped huge # SKIP no 1G pages\n"
		   "# spent: [tdp] hugetlb-1g: T s, 1 point\n"
		   "ok 4 - no colon here\n"
		   "# spent: [tdp] no colon here: T s, 1 point\n"
		   "ok 5 - thp: again\n"
		   "# spent: [tdp] thp: T s, 1 point\n"
		   "1..5\n",
		   "tap_time_subjects(): a \"# spent:\" line per run of one subject");
	free(text);

	capture_begin();
	tap_check(true, "thp: after tap_init()");
	tap_finish();
	text = capture_end();
	check_text(text,
		   "TAP version 13\n"
		   "ok 1 - thp: after tap_init()\n"
		   "1..1\n",
		   "tap_init() turns subject timing off");
	free(text);
}

/*
 * A message that itself ends in a newline: whether an empty diagnostic line
 * follows is cosmetic, but no line may escape the "# " prefix.
 */
static void test_diag_trailing_newline(void)
{
	char *text, *body;

	capture_begin();
	tap_diag("trailing newline\n");
	tap_diag("\nleading newline");
	text = capture_end();

	body = text + strlen("TAP version 13\n");
	if (!check(all_diag_lines(body),
		   "tap_diag() with leading/trailing newline: every line is a diagnostic"))
		diag_block("actual", body);
	if (!check(strstr(body, "# trailing newline\n") &&
		   strstr(body, "# leading newline\n"),
		   "tap_diag() with leading/trailing newline keeps the text"))
		diag_block("actual", body);
	free(text);
}

static void test_yaml(void)
{
	char *text;
	int ret;

	capture_begin();
	tap_plan(1);
	tap_check(false, "pages_2m after fault");
	tap_yaml_begin();
	tap_yaml("expected", "%d", 1);
	tap_yaml("actual", "%d", 0);
	tap_yaml("gva", "0x%llx", 0x40000000ULL);
	tap_yaml_end();
	ret = tap_finish();
	text = capture_end();

	check_text(text,
		   "TAP version 13\n"
		   "1..1\n"
		   "not ok 1 - pages_2m after fault\n"
		   "  ---\n"
		   "  expected: 1\n"
		   "  actual: 0\n"
		   "  gva: 0x40000000\n"
		   "  ...\n",
		   "YAML block after a failed point");
	check_nonzero(ret, "tap_finish() after a failed point with YAML");
	free(text);
}

static void test_reinit_resets(void)
{
	int ret, fails;
	char *text;

	capture_begin();
	tap_plan(5);
	tap_check(false, "old");
	tap_finish();
	free(capture_end());

	capture_begin();
	fails = tap_failures();
	tap_check(true, "new");
	ret = tap_finish();
	text = capture_end();

	check_int(fails, 0, "tap_failures() after tap_init()");
	check_text(text, "TAP version 13\nok 1 - new\n1..1\n",
		   "tap_init() restarts numbering and forgets the plan");
	check_int(ret, 0, "tap_finish() after re-init and one ok");
	free(text);
}

/* Runs tap_skip_all() in a child writing to a pipe. */
static void test_skip_all(void)
{
	char buf[256];
	int pfd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd)) {
		printf("Bail out! pipe failed\n");
		exit(KMT_EXIT_HARD);
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("Bail out! fork failed\n");
		exit(KMT_EXIT_HARD);
	}
	if (!pid) {
		FILE *f;

		close(pfd[0]);
		f = fdopen(pfd[1], "w");
		if (!f)
			_exit(98);
		tap_init(f);
		tap_skip_all("no %s here", "/dev/kvm");
	}
	close(pfd[1]);
	while (len < sizeof(buf) - 1 &&
	       (n = read(pfd[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(pfd[0]);
	waitpid(pid, &status, 0);

	if (!check(WIFEXITED(status) && WEXITSTATUS(status) == KMT_EXIT_SKIP,
		   "tap_skip_all() exits with status %d", KMT_EXIT_SKIP))
		printf("# expected exit(%d), actual wait status 0x%x (exited %d, status %d)\n",
		       KMT_EXIT_SKIP, status, WIFEXITED(status),
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	check_text(buf, "TAP version 13\n1..0 # SKIP no /dev/kvm here\n",
		   "tap_skip_all() output");
}

int main(void)
{
	printf("TAP version 13\n");
	test_plan_first();
	test_all_ok_plan_last();
	test_plan_matched();
	test_plan_too_many();
	test_plan_too_few();
	test_empty();
	test_diag();
	test_measured();
	test_time_subjects();
	test_diag_trailing_newline();
	test_yaml();
	test_reinit_resets();
	test_skip_all();
	printf("1..%d\n", points);
	return failures ? 1 : 0;
}
