/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TAP 13 output for Automake's tap-driver.sh.
 *
 *   tap_init(stdout);            // once, prints "TAP version 13"
 *   tap_plan(3);                 // or let tap_finish() print it last
 *   tap_measured("pages_2m %d", n); // values shown after the next point
 *   tap_check(ok, "name %d", i); // one test point
 *   tap_skip("reason", "name");  // ok N - name # SKIP reason
 *   tap_diag("va 0x%lx", va);    // "# ..." diagnostic
 *   tap_yaml_begin(); tap_yaml("pages_2m", "%lu", n); tap_yaml_end();
 *   return tap_finish();         // exit status: 0 all ok, 1 otherwise
 *
 * tap_skip_all() ends a test that cannot run at all with "1..0 # SKIP" and
 * exit status 77.
 */
#ifndef KMT_TAP_H
#define KMT_TAP_H

#include <stdbool.h>
#include <stdio.h>

void tap_init(FILE *out);
void tap_plan(int n);
bool tap_check(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * What the next point measured ("pages_2m 25, expected 24"), printed as
 * "# measured: ..." right after it: a point's name stays the same from
 * run to run (baselines, soaks and reports match points by name), the
 * values that explain it follow it.  Known kernel bugs are data
 * (tests/known-issues), applied by the harness, not by the tests.
 */
void tap_measured(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_skip(const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_yaml_begin(void);
void tap_yaml(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tap_yaml_end(void);
void __attribute__((noreturn, format(printf, 1, 2)))
tap_skip_all(const char *fmt, ...);
int tap_finish(void);
/*
 * Time the points by subject (a name's text before its first ": "): each
 * run of points of one subject gets "# spent: [LABEL] SUBJECT: S s, N
 * points" after it, so that a log says where a test's time goes.  The
 * KVM tests turn it on (kvm_test_start(), LABEL the configuration).
 */
void tap_time_subjects(const char *label);

/* Number of failed points so far. */
int tap_failures(void);

#endif
