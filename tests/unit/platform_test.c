// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the KVM platform probe (lib/platform.c).
 *
 * platform_probe() is what keeps the suite honest: on a host whose
 * /dev/kvm is not backed by kvm_intel or kvm_amd (no KVM at all, or the
 * paravirtual kvm_pvm, which ignores guest paging) every KVM test must
 * SKIP with the reason, never pass.  It also tells the tests whether TDP
 * (EPT/NPT) and the TDP MMU are in use, which decides what they expect.
 * This test builds fake /sys/module trees and a fake /dev/kvm under a
 * mkdtemp() directory and checks the verdict, the reason and the flags for
 * each; it needs no KVM and no root.
 */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform.h"
#include "tap.h"
#include "test_util.h"

static char root[256];

/* Writes @root/@rel into @buf and returns it. */
static const char *path_in(char *buf, size_t size, const char *rel)
{
	int n = snprintf(buf, size, "%s/%s", root, rel);

	TEST_ASSERT(n > 0 && (size_t)n < size, "path %s/%s too long", root,
		    rel);
	return buf;
}

static void mkdir_p(const char *path)
{
	char tmp[PATH_MAX], *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		TEST_ASSERT(!mkdir(tmp, 0755) || errno == EEXIST,
			    "mkdir %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	TEST_ASSERT(!mkdir(tmp, 0755) || errno == EEXIST, "mkdir %s: %s", tmp,
		    strerror(errno));
}

/* Creates @root/@rel (and its directories) holding @text. */
static void write_file(const char *rel, const char *text)
{
	char path[PATH_MAX], *slash;
	FILE *f;

	path_in(path, sizeof(path), rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdir_p(path);
	*slash = '/';
	f = fopen(path, "w");
	TEST_ASSERT(f, "create %s: %s", path, strerror(errno));
	fputs(text, f);
	TEST_ASSERT(!fclose(f), "write %s: %s", path, strerror(errno));
}

static void make_dir(const char *rel)
{
	char path[PATH_MAX];

	mkdir_p(path_in(path, sizeof(path), rel));
}

static int remove_one(const char *path, const struct stat *sb, int type,
		      struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Also run at exit, so that a failed assertion leaves no tree behind. */
static void cleanup(void)
{
	if (!root[0])
		return;
	if (nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS))
		tap_diag("cannot remove %s: %s", root, strerror(errno));
}

static const char *vendor_name(enum kvm_vendor v)
{
	switch (v) {
	case KVM_VENDOR_NONE:
		return "NONE";
	case KVM_VENDOR_INTEL:
		return "INTEL";
	case KVM_VENDOR_AMD:
		return "AMD";
	}
	return "?";
}

/* One probe of the fake sysfs @sys with @dev as /dev/kvm. */
struct probe {
	const char *name;
	struct kvm_platform p;
	bool ret;
};

static void probe(struct probe *pr, const char *name, const char *sys,
		  const char *dev)
{
	char s[PATH_MAX], d[PATH_MAX];

	pr->name = name;
	pr->ret = platform_probe_at(&pr->p, path_in(s, sizeof(s), sys),
				    path_in(d, sizeof(d), dev));
	tap_diag("%s: probe %s, reason \"%s\"", name,
		 pr->ret ? "true" : "false", pr->p.reason);
}

static void check_ret(const struct probe *pr, bool expected)
{
	if (!tap_check(pr->ret == expected, "%s: probe returns %s", pr->name,
		       expected ? "true" : "false"))
		tap_diag("expected %d, actual %d (reason \"%s\")", expected,
			 pr->ret, pr->p.reason);
}

static void check_vendor(const struct probe *pr, enum kvm_vendor expected)
{
	if (!tap_check(pr->p.vendor == expected, "%s: vendor %s", pr->name,
		       vendor_name(expected)))
		tap_diag("expected %s, actual %s", vendor_name(expected),
			 vendor_name(pr->p.vendor));
}

static void check_module(const struct probe *pr, const char *expected)
{
	const char *m = pr->p.module;

	if (!tap_check(m && !strcmp(m, expected), "%s: module %s", pr->name,
		       expected))
		tap_diag("expected \"%s\", actual %s%s%s", expected,
			 m ? "\"" : "NULL", m ? m : "", m ? "\"" : "");
}

static void check_flag(const struct probe *pr, const char *flag,
		       bool actual, bool expected)
{
	if (!tap_check(actual == expected, "%s: %s %s", pr->name, flag,
		       expected ? "true" : "false"))
		tap_diag("expected %d, actual %d", expected, actual);
}

static void check_reason(const struct probe *pr, const char *needle)
{
	const char *r = pr->p.reason;

	if (!tap_check(r[0] && strstr(r, needle),
		       "%s: reason mentions \"%s\"", pr->name, needle))
		tap_diag("expected a reason containing \"%s\", actual \"%s\"",
			 needle, r);
}

static void check_no_reason(const struct probe *pr)
{
	if (!tap_check(!pr->p.reason[0], "%s: no reason given", pr->name))
		tap_diag("expected \"\", actual \"%s\"", pr->p.reason);
}

/* (a) Only kvm_pvm backs /dev/kvm: never trusted. */
static void test_pvm_only(void)
{
	struct probe pr;

	make_dir("pvm/module/kvm_pvm/parameters");
	write_file("pvm/module/kvm/parameters/tdp_mmu", "Y\n");
	write_file("dev_kvm", "");
	probe(&pr, "kvm_pvm only", "pvm", "dev_kvm");
	check_ret(&pr, false);
	check_reason(&pr, "kvm_pvm");
	check_vendor(&pr, KVM_VENDOR_NONE);
}

/* (b) No KVM modules at all, with and without a sysfs tree. */
static void test_nothing(void)
{
	struct probe pr;

	make_dir("empty/module/kvm/parameters");
	probe(&pr, "no vendor module", "empty", "dev_kvm");
	check_ret(&pr, false);
	check_reason(&pr, "no kvm_intel or kvm_amd");
	check_reason(&pr, "dev_kvm");
	check_vendor(&pr, KVM_VENDOR_NONE);

	probe(&pr, "no sysfs at all", "does-not-exist", "dev_kvm");
	check_ret(&pr, false);
	check_reason(&pr, "no kvm_intel or kvm_amd");
}

/* (c) kvm_amd with NPT and the TDP MMU, and a /dev/kvm that opens. */
static void test_amd_npt(void)
{
	struct probe pr;

	write_file("amd/module/kvm_amd/parameters/npt", "Y\n");
	write_file("amd/module/kvm/parameters/tdp_mmu", "Y\n");
	write_file("dev_kvm", "");
	probe(&pr, "kvm_amd npt=Y", "amd", "dev_kvm");
	check_ret(&pr, true);
	check_vendor(&pr, KVM_VENDOR_AMD);
	check_module(&pr, "kvm_amd");
	check_flag(&pr, "tdp", pr.p.tdp, true);
	check_flag(&pr, "tdp_mmu", pr.p.tdp_mmu, true);
	check_flag(&pr, "nested", pr.p.nested, false);
	check_no_reason(&pr);
}

/* (d) kvm_intel with EPT off: trusted, shadow paging, so no TDP MMU. */
static void test_intel_no_ept(void)
{
	struct probe pr;

	write_file("intel/module/kvm_intel/parameters/ept", "N\n");
	write_file("intel/module/kvm_intel/parameters/nested", "1\n");
	write_file("intel/module/kvm/parameters/tdp_mmu", "Y\n");
	probe(&pr, "kvm_intel ept=N", "intel", "dev_kvm");
	check_ret(&pr, true);
	check_vendor(&pr, KVM_VENDOR_INTEL);
	check_module(&pr, "kvm_intel");
	check_flag(&pr, "tdp", pr.p.tdp, false);
	check_flag(&pr, "tdp_mmu", pr.p.tdp_mmu, false);
	check_flag(&pr, "nested", pr.p.nested, true);
	check_no_reason(&pr);
}

/* kvm_intel with EPT but the TDP MMU off, "y" spelled in lower case. */
static void test_intel_ept_no_tdp_mmu(void)
{
	struct probe pr;

	write_file("intel2/module/kvm_intel/parameters/ept", "y\n");
	write_file("intel2/module/kvm/parameters/tdp_mmu", "N\n");
	probe(&pr, "kvm_intel ept=y tdp_mmu=N", "intel2", "dev_kvm");
	check_ret(&pr, true);
	check_flag(&pr, "tdp", pr.p.tdp, true);
	check_flag(&pr, "tdp_mmu", pr.p.tdp_mmu, false);
}

/* (e) A vendor module but no /dev/kvm to open. */
static void test_amd_no_dev(void)
{
	struct probe pr;

	probe(&pr, "kvm_amd without /dev/kvm", "amd", "no_dev_kvm");
	check_ret(&pr, false);
	check_reason(&pr, "cannot open");
	check_reason(&pr, "no_dev_kvm");
	check_vendor(&pr, KVM_VENDOR_NONE);
}

static void check_param(const char *rel, const char *text, size_t size,
			const char *expected)
{
	char sys[PATH_MAX], buf[64];
	bool ok;

	write_file(rel, text);
	memset(buf, 'x', sizeof(buf));
	ok = module_param_read(path_in(sys, sizeof(sys), "params"), "kvm",
			       strrchr(rel, '/') + 1, buf, size);
	if (!tap_check(ok && !strcmp(buf, expected),
		       "module_param_read of \"%s\" into %zu bytes gives \"%s\"",
		       strrchr(rel, '/') + 1, size, expected))
		tap_diag("expected true and \"%s\", actual %d and \"%.*s\"",
			 expected, ok, (int)size, buf);
}

static void test_module_param_read(void)
{
	char sys[PATH_MAX], buf[16] = "unchanged";
	bool ok;

	check_param("params/module/kvm/parameters/tdp_mmu", "Y\n", 16, "Y");
	check_param("params/module/kvm/parameters/no_newline", "N", 16, "N");
	check_param("params/module/kvm/parameters/eager_page_split",
		    "always\n", 16, "always");
	check_param("params/module/kvm/parameters/halt_poll_ns",
		    "200000\n", 4, "200");
	check_param("params/module/kvm/parameters/empty", "", 16, "");
	ok = module_param_read(path_in(sys, sizeof(sys), "params"), "kvm",
			       "missing", buf, sizeof(buf));
	if (!tap_check(!ok, "module_param_read of a missing parameter is false"))
		tap_diag("expected false, actual true (\"%s\")", buf);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	tap_init(stdout);
	snprintf(root, sizeof(root), "%s/kmt-platform-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		tap_skip_all("mkdtemp %s: %s", root, strerror(errno));
	tap_diag("fake sysfs trees under %s", root);
	atexit(cleanup);

	test_pvm_only();
	test_nothing();
	test_amd_npt();
	test_intel_no_ept();
	test_intel_ept_no_tdp_mmu();
	test_amd_no_dev();
	test_module_param_read();

	cleanup();
	if (!tap_check(access(root, F_OK) && errno == ENOENT,
		       "temporary tree removed"))
		tap_diag("expected %s gone, actual: still there", root);
	root[0] = '\0';
	return tap_finish();
}
