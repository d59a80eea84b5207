// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of the kernel-memory readers and the budget format
 * (lib/kmem.c), no KVM needed.
 *
 * tests/kmem holds KVM to per-VM budgets with figures it reads from
 * memory.stat, /proc/meminfo and /proc/slabinfo.  A reader that takes
 * "slab_reclaimable" for "slab", "kernel_stack" for "kernel", one cache
 * for another with a longer name, or kB for bytes would pass or fail
 * that test for the wrong reason; so would a budget file whose lines are
 * misread or whose precedence (exact configuration, MMU flavour, "*")
 * is wrong.  Synthetic texts laid out as the 6.1 kernel prints them, and
 * the real tests/kmem-budgets (linked in), are checked here.
 */
#include <inttypes.h>
#include <string.h>

#include "kmem.h"
#include "kmem_budget.h"
#include "tap.h"
#include "test_util.h"

extern const char _binary_kmem_budgets_start[], _binary_kmem_budgets_end[];

/* Keys that are prefixes of each other, in the order the kernel uses. */
static const char memory_stat[] =
	"anon 1052672\n"
	"file 0\n"
	"kernel 3457024\n"
	"kernel_stack 16384\n"
	"pagetables 217088\n"
	"sec_pagetables 94208\n"
	"percpu 2880\n"
	"sock 0\n"
	"vmalloc 45056\n"
	"shmem 0\n"
	"slab_reclaimable 401408\n"
	"slab_unreclaimable 1474560\n"
	"slab 1875968\n"
	"workingset_refault_anon 0\n";

static const char meminfo[] =
	"MemTotal:        3007400 kB\n"
	"SUnreclaim:        27000 kB\n"
	"KernelStack:        1376 kB\n"
	"PageTables:          412 kB\n"
	"SecPageTables:        92 kB\n"
	"HugePages_Total:      64\n";

static const char slabinfo[] =
	"slabinfo - version: 2.1\n"
	"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n"
	"pte_list_desc_x      7      9    128   32    1 : tunables    0    0    0 : slabdata      1      1      0\n"
	"kvm_vcpu              4      4   7296    4    8 : tunables    0    0    0 : slabdata      1      1      0\n"
	"x86_emulator          8     12   2656   12    8 : tunables    0    0    0 : slabdata      1      1      0\n"
	"pte_list_desc       553    576    128   32    1 : tunables    0    0    0 : slabdata     18     18      0\n";

static void test_stat(void)
{
	static const struct { const char *key; u64 val; } want[] = {
		{ "kernel", 3457024 }, { "kernel_stack", 16384 },
		{ "slab", 1875968 }, { "slab_unreclaimable", 1474560 },
		{ "sec_pagetables", 94208 }, { "pagetables", 217088 },
		{ "percpu", 2880 },
	};
	u64 v;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		bool ok = kmem_parse_stat(memory_stat, want[i].key, &v);

		tap_check(ok && v == want[i].val,
			  "memory.stat: %s = %" PRIu64 " (read %s, %" PRIu64 ")",
			  want[i].key, want[i].val, ok ? "ok" : "nothing",
			  ok ? v : 0);
	}
	tap_check(!kmem_parse_stat(memory_stat, "slab_", &v) &&
		  !kmem_parse_stat(memory_stat, "kern", &v) &&
		  !kmem_parse_stat(memory_stat, "zswap", &v),
		  "memory.stat: a prefix of a key, or a missing key, is not found");
	tap_check(!kmem_parse_stat("kernel 12x\n", "kernel", &v) &&
		  !kmem_parse_stat("kernel\n", "kernel", &v) &&
		  !kmem_parse_stat("kernel 99999999999999999999999\n", "kernel", &v),
		  "memory.stat: malformed or overflowing values are rejected");
	tap_check(kmem_parse_stat("kernel 7", "kernel", &v) && v == 7,
		  "memory.stat: a last line without newline is read");
}

static void test_meminfo(void)
{
	u64 v = 0;
	bool ok = kmem_parse_meminfo(meminfo, "SecPageTables", &v);

	tap_check(ok && v == 92 * 1024,
		  "meminfo: SecPageTables 92 kB = 94208 bytes (read %" PRIu64 ")", v);
	tap_check(kmem_parse_meminfo(meminfo, "SUnreclaim", &v) &&
		  v == 27000 * 1024, "meminfo: SUnreclaim in bytes");
	tap_check(kmem_parse_meminfo(meminfo, "HugePages_Total", &v) && v == 64,
		  "meminfo: a count without unit stays a count");
	tap_check(!kmem_parse_meminfo(meminfo, "SecPageTable", &v) &&
		  !kmem_parse_meminfo(meminfo, "PageTable", &v) &&
		  !kmem_parse_meminfo("SecPageTables: 4 MB\n", "SecPageTables", &v),
		  "meminfo: partial keys and unknown units are rejected");
}

static void test_slabinfo(void)
{
	struct kmem_slab s = { 0 };
	bool ok = kmem_parse_slabinfo(slabinfo, "pte_list_desc", &s);

	tap_check(ok && s.found && s.active_objs == 553 && s.num_objs == 576 &&
		  s.objsize == 128,
		  "slabinfo: pte_list_desc 553/576 x 128, not pte_list_desc_x (read %" PRIu64 "/%" PRIu64 " x %" PRIu64 ")",
		  s.active_objs, s.num_objs, s.objsize);
	tap_check(kmem_parse_slabinfo(slabinfo, "kvm_vcpu", &s) &&
		  s.num_objs == 4 && s.objsize == 7296,
		  "slabinfo: kvm_vcpu objects and size");
	tap_check(!kmem_parse_slabinfo(slabinfo, "kvm_mmu_page_header", &s) &&
		  !s.found && !kmem_parse_slabinfo(slabinfo, "name", &s),
		  "slabinfo: a merged (absent) cache and the header are not found");
}

static void test_snapshot(void)
{
	struct kmem_snapshot a, b;

	kmem_snapshot_parse(&a, "5242880\n", memory_stat, meminfo, slabinfo);
	tap_check(a.have[KMEM_CURRENT] && a.val[KMEM_CURRENT] == 5242880 &&
		  a.have[KMEM_KVM] && a.val[KMEM_KVM] == 3457024 - 217088 &&
		  a.val[KMEM_SYS_SEC_PAGETABLES] == 94208 &&
		  a.slab[KMEM_CACHE_PTE_LIST_DESC].num_objs == 576 &&
		  !a.slab[KMEM_CACHE_MMU_PAGE_HEADER].found,
		  "snapshot: current, kernel - pagetables, meminfo and caches");
	kmem_snapshot_parse(&b, "6291456\n", "kernel 4096\n", NULL, NULL);
	tap_check(kmem_delta(&a, &b, KMEM_CURRENT) == 1048576 &&
		  kmem_delta(&a, &b, KMEM_KERNEL) == 4096 - 3457024 &&
		  kmem_delta(&a, &b, KMEM_KVM) == 0 &&
		  kmem_delta(&a, &b, KMEM_SYS_SEC_PAGETABLES) == 0,
		  "snapshot: deltas are signed, and 0 where a figure is missing");
}

static void test_spread(void)
{
	static const s64 odd[] = { 300, -5, 100 }, even[] = { 10, 40, 20, 30 };
	struct kmem_spread sp;

	kmem_spread(odd, 3, &sp);
	tap_check(sp.median == 100 && sp.min == -5 && sp.max == 300 && sp.n == 3,
		  "spread: median/min/max of 3 (%" PRId64 "/%" PRId64 "/%" PRId64 ")",
		  sp.median, sp.min, sp.max);
	kmem_spread(even, 4, &sp);
	tap_check(sp.median == 25 && sp.min == 10 && sp.max == 40,
		  "spread: median of 4 is the mean of the middle two");
}

static void test_bounds(void)
{
	static const char text[] =
		"# comment\n"
		"\n"
		"idle   *        400K   # any configuration\n"
		"idle   tdp      300K\n"
		"idle   shadow   350K\n"
		"idle   tdp-noeager 310K\n"
		"idle   tdp      320K\n"
		"map-4k shadow   7M\n"
		"leak   *        16384\n";
	struct kmem_bound b[16];
	const struct kmem_bound *f;
	char err[128] = "";
	u64 v;
	int n = kmem_bounds_parse(text, b, 16, err, sizeof(err));

	tap_check(n == 7, "bounds: 7 entries, comments and blank lines skipped (%d, %s)",
		  n, err);
	f = kmem_bounds_find(b, n, "idle", "tdp-noeager", "tdp");
	tap_check(f && f->bytes == 310 << 10, "bounds: the exact configuration first");
	f = kmem_bounds_find(b, n, "idle", "tdp", "tdp");
	tap_check(f && f->bytes == 320 << 10, "bounds: the last of two lines wins");
	f = kmem_bounds_find(b, n, "idle", "nested", "tdp");
	tap_check(f && f->bytes == 320 << 10, "bounds: then the MMU flavour");
	f = kmem_bounds_find(b, n, "idle", "x", "tdp-legacy");
	tap_check(f && f->bytes == 400 << 10, "bounds: then \"*\"");
	tap_check(!kmem_bounds_find(b, n, "map-4k", "tdp", "tdp") &&
		  !kmem_bounds_find(b, n, "map", "shadow", "shadow"),
		  "bounds: nothing for a missing scenario or configuration");
	tap_check(kmem_parse_size("7M", &v) && v == 7 << 20 &&
		  kmem_parse_size("1G", &v) && v == 1ULL << 30 &&
		  !kmem_parse_size("7MB", &v) && !kmem_parse_size("K", &v) &&
		  !kmem_parse_size("-4", &v) &&
		  !kmem_parse_size("99999999999999999999G", &v),
		  "bounds: sizes with K/M/G, malformed ones rejected");
	n = kmem_bounds_parse("idle tdp 1K\nidle tdp\n", b, 16, err, sizeof(err));
	tap_check(n < 0 && strstr(err, "line 2"),
		  "bounds: a short line is an error naming it (%s)", err);
	n = kmem_bounds_parse("idle tdp 1.5M\n", b, 16, err, sizeof(err));
	tap_check(n < 0 && strstr(err, "1.5M"), "bounds: a bad size is an error (%s)",
		  err);
	n = kmem_bounds_parse("a * 1\nb * 2\nc * 3\n", b, 2, err, sizeof(err));
	tap_check(n < 0, "bounds: more entries than room is an error (%s)", err);
}

static void test_vmallocinfo(void)
{
	static const char text[] =
		"0xffffc90000000000-0xffffc90000005000   20480 pcpu_mem_zalloc+0x2b/0x70 pages=4 vmalloc N0=4\n"
		"0xffffc90000005000-0xffffc90000007000    8192 acpi_os_map_iomem+0x1ac/0x1c0 phys=0x000000003ffe0000 ioremap\n"
		"0xffffc90000008000-0xffffc9000000d000   20480 pcpu_mem_zalloc+0x2b/0x70 pages=4 vmalloc N0=4\n"
		"0xffffc90000010000-0xffffc90000012000    8192 unpurged vm_area\n"
		"0xffffc90000020000-0xffffc90000030000   65536 pcpu_get_vm_areas+0x0/0x1b0 vmalloc\n";
	struct kmem_vmalloc_caller c[2];
	int n = kmem_parse_vmallocinfo(text, c, 2);

	tap_check(n == 2 && !strcmp(c[0].caller, "pcpu_mem_zalloc") &&
		  c[0].pages == 8 && c[0].areas == 2 && c[0].bytes == 40960 &&
		  !strcmp(c[1].caller, "acpi_os_map_iomem") && !c[1].pages,
		  "vmallocinfo: summed by caller, unpurged areas skipped, callers beyond room dropped (%d)",
		  n);
}

/* The budgets the test really uses: one per scenario and MMU flavour. */
static void test_budget_file(void)
{
	static const char *const scenarios[] = {
		"idle", "vcpu", "map-4k", "map-2m", "nested-split", "leak",
		"leak-sys",
	};
	static const char *const flavours[] = { "shadow", "tdp" };
	size_t len = _binary_kmem_budgets_end - _binary_kmem_budgets_start;
	struct kmem_bound b[64];
	char err[128] = "", *text = malloc(len + 1);
	u32 i, j, missing = 0;
	int n;

	TEST_ASSERT(text, "out of memory");
	memcpy(text, _binary_kmem_budgets_start, len);
	text[len] = '\0';
	n = kmem_bounds_parse(text, b, 64, err, sizeof(err));
	tap_check(n > 0, "tests/kmem-budgets parses (%d entries%s%s)", n,
		  n < 0 ? ": " : "", n < 0 ? err : "");
	for (i = 0; n > 0 && i < ARRAY_SIZE(scenarios); i++) {
		for (j = 0; j < ARRAY_SIZE(flavours); j++) {
			if (kmem_bounds_find(b, n, scenarios[i], flavours[j],
					     flavours[j]))
				continue;
			/* Shadow paging never splits eagerly. */
			if (!strcmp(scenarios[i], "nested-split") &&
			    !strcmp(flavours[j], "shadow"))
				continue;
			tap_diag("no budget for %s in %s", scenarios[i], flavours[j]);
			missing++;
		}
	}
	tap_check(n > 0 && !missing,
		  "tests/kmem-budgets: a bound for every scenario, shadow and tdp (nested-split: tdp)");
	tap_check(n > 0 && kmem_bounds_find(b, n, "nested-split", "nested",
					    "vmx-tdp"),
		  "tests/kmem-budgets: nested-split has a kvm_intel bound (vmx-tdp)");
	free(text);
}

int main(void)
{
	tap_init(stdout);
	test_stat();
	test_meminfo();
	test_slabinfo();
	test_snapshot();
	test_spread();
	test_bounds();
	test_vmallocinfo();
	test_budget_file();
	return tap_finish();
}
