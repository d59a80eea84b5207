// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the test programs' command-line contract (lib/opts.c):
 * numbers parsed strictly, --help on stdout with exit 0, and every kind
 * of bad input (unknown option, missing value, malformed or out-of-range
 * number, unknown choice, stray argument) one "NAME: error: ..." line on
 * stderr and exit 99, with nothing silently defaulted.  Each parse runs
 * in a child process, since the contract is an exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "opts.h"
#include "tap.h"
#include "test_util.h"

static void test_parse_u64(void)
{
	static const struct {
		const char *s;
		u64 min, max;
		bool ok;
		u64 val;
	} cases[] = {
		{ "0", 0, 10, true, 0 },
		{ "10", 0, 10, true, 10 },
		{ "0x1f", 0, 100, true, 31 },
		{ "18446744073709551615", 0, UINT64_MAX, true, UINT64_MAX },
		{ "18446744073709551616", 0, UINT64_MAX, false, 0 },
		{ "11", 0, 10, false, 0 },
		{ "0", 1, 10, false, 0 },
		{ "", 0, 10, false, 0 },
		{ "abc", 0, 10, false, 0 },
		{ "5x", 0, 10, false, 0 },
		{ " 5", 0, 10, false, 0 },
		{ "-1", 0, 10, false, 0 },
		{ "+1", 0, 10, false, 0 },
		{ "0x", 0, 10, false, 0 },
	};
	char why[128];
	u32 i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 v = 12345;
		bool ok = parse_u64(cases[i].s, cases[i].min, cases[i].max, &v,
				    why, sizeof(why));

		tap_check(ok == cases[i].ok && (!ok || v == cases[i].val),
			  "parse_u64('%s', [%llu, %llu]) %s", cases[i].s,
			  (unsigned long long)cases[i].min,
			  (unsigned long long)cases[i].max,
			  cases[i].ok ? "accepted" : "rejected");
	}
}

struct outcome {
	int status;
	char out[2048], err[2048];
};

/* The options of a made-up test, parsed in a child from @argv. */
static void run_child(char **argv, struct outcome *o)
{
	static const char *const modes[] = { "nonpae", "pae", NULL };
	int pout[2], perr[2], status;
	ssize_t n;
	pid_t pid;

	TEST_ASSERT(!pipe(pout) && !pipe(perr), "pipe failed");
	fflush(stdout);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork failed");
	if (!pid) {
		u64 seed = 1;
		u32 steps = 10;
		int mode = 0;
		bool flag = false;
		const char *file = NULL;
		const struct test_opt opts[] = {
			OPT_U64("seed", "N", &seed, 0, UINT64_MAX, "a seed"),
			OPT_U32("steps", "N", &steps, 1, 100, "steps"),
			OPT_CHOICE("mode", "MODE", &mode, modes, "a mode"),
			OPT_FLAG("long", &flag, "a flag"),
			OPT_STRING("file", "FILE", &file, "a file"),
			{ 0 }
		};
		const struct test_opt *tables[] = { opts };
		int argc = 0;

		dup2(pout[1], 1);
		dup2(perr[1], 2);
		while (argv[argc])
			argc++;
		opts_parse(argc, argv, "A made-up test.", tables, 1);
		printf("seed=%llu steps=%u mode=%d long=%d file=%s\n",
		       (unsigned long long)seed, steps, mode, flag,
		       file ? file : "-");
		exit(0);
	}
	close(pout[1]);
	close(perr[1]);
	n = read(pout[0], o->out, sizeof(o->out) - 1);
	o->out[n > 0 ? n : 0] = '\0';
	n = read(perr[0], o->err, sizeof(o->err) - 1);
	o->err[n > 0 ? n : 0] = '\0';
	close(pout[0]);
	close(perr[0]);
	waitpid(pid, &status, 0);
	o->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* One error line, naming the program, then nothing on stdout. */
static bool one_error_line(const struct outcome *o)
{
	const char *nl = strchr(o->err, '\n');

	return !strncmp(o->err, "opts_test: error: ", 18) && nl && !nl[1] &&
	       !o->out[0];
}

static void test_contract(void)
{
	static const struct {
		const char *args[6];
		const char *what;
		int status;
		const char *out;	/* stdout of a good parse */
	} cases[] = {
		{ { "--seed", "7", "--steps", "0x10", "--mode", "pae" },
		  "good options are all taken", 0,
		  "seed=7 steps=16 mode=1 long=0 file=-\n" },
		{ { "--seed=9", "--long", "--file", "x" },
		  "--opt=value and flags", 0,
		  "seed=9 steps=10 mode=0 long=1 file=x\n" },
		{ { "--seeed", "5" }, "an unknown option", 99, NULL },
		{ { "--seed", "abc" }, "a malformed number", 99, NULL },
		{ { "--steps", "101" }, "a number out of range", 99, NULL },
		{ { "--seed" }, "a missing value", 99, NULL },
		{ { "--mode", "la58" }, "an unknown choice", 99, NULL },
		{ { "--file", "" }, "an empty string", 99, NULL },
		{ { "stray" }, "a stray argument", 99, NULL },
		{ { "--long=1" }, "a value given to a flag", 99, NULL },
	};
	struct outcome o;
	char *argv[8];
	u32 i, k;
	bool one;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		argv[0] = "prog";
		for (k = 0; k < 6 && cases[i].args[k]; k++)
			argv[k + 1] = (char *)cases[i].args[k];
		argv[k + 1] = NULL;
		run_child(argv, &o);
		one = one_error_line(&o);
		o.err[strcspn(o.err, "\n")] = '\0';
		tap_measured("exit %d, stdout '%.*s', stderr '%s'", o.status,
			     (int)strcspn(o.out, "\n"), o.out, o.err);
		if (cases[i].status)
			tap_check(o.status == cases[i].status && one,
				  "%s: exit %d and one error line", cases[i].what,
				  cases[i].status);
		else
			tap_check(!o.status && !strcmp(o.out, cases[i].out) && !o.err[0],
				  "%s", cases[i].what);
	}
	argv[0] = "prog";
	argv[1] = "--help";
	argv[2] = NULL;
	run_child(argv, &o);
	tap_measured("exit %d", o.status);
	tap_check(!o.status && strstr(o.out, "usage: ") &&
		  strstr(o.out, "--steps N") && strstr(o.out, "A made-up test.") &&
		  !o.err[0],
		  "--help: usage with every option on stdout, exit 0");
}

int main(void)
{
	tap_init(stdout);
	test_parse_u64();
	test_contract();
	return tap_finish();
}
