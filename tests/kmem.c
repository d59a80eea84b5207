// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel memory per VM: held to budgets, compared with a baseline, and
 * given back when the VM goes.
 *
 * Guards what KVM allocates with __GFP_ACCOUNT per VM and per vCPU and
 * frees in kvm_destroy_vm(): struct kvm_svm (kvm_arch_alloc_vm), the vCPU
 * (kvm_vcpu cache, VMCB, MSRPM, pio_data, emulator context), the MMU's
 * memory caches (mmu_topup_memory_caches() per vCPU; the VM-wide split
 * caches of topup_split_caches()), memslot metadata (rmap arrays,
 * lpage_info, gfn_track), shadow/TDP page tables (SecPageTables) and
 * their kvm_mmu_page headers, and the teardown in kvm_arch_destroy_vm()
 * / kvm_mmu_uninit_vm() / kvm_arch_free_memslot().  Bug classes: a
 * cache topped up far beyond what it needs (the seed's patch 3:
 * split_desc_cache buffered 2 x 513 pte_list_desc, ~64 KiB per VM; see
 * shared/seed-eager-split-cleanups.txt), per-GiB metadata or page-table
 * growth, and anything a destroyed VM leaves behind.
 *
 * Each scenario runs N VMs at once in a fresh memory cgroup and divides
 * (lib/kmem_cg.h explains why the figures are exact to about a page), over
 * several rounds, and reports median and spread; the budget holds the
 * largest round.  Scenarios: an idle VM, each further vCPU, kernel memory
 * per GiB the guest mapped with 4 KiB and with 2 MiB pages (configurations
 * shadow and tdp), and the split caches of a nested guest's eager page
 * split (configuration nested).  Each also checks that its create/destroy
 * loops left the cgroup where it started.  Budgets come from
 * tests/kmem.budgets (built into the binary; --budget-file overrides).
 *
 *   kmem [--budget-file FILE] [--record FILE] [--tolerance PCT]
 *        [--baseline FILE | --baseline-figures 'SCENARIO CONFIG BYTES; ...']
 *
 * --record appends the figures (kernel, configuration, median bytes per
 * scenario) to FILE, in the budgets' line format.  --baseline fails a
 * scenario whose median grew more than PCT percent (default 10), plus
 * the run's own spread (at least its resolution), beyond the baseline's.
 * In the QEMU harness the test's files stay in the guest, so every run
 * also prints its record as "# kmem-record: " lines and as one
 * "# kmem-baseline-figures: " line per configuration; join those lines
 * with "; " and pass them back with --baseline-figures:
 *
 *   ci/vm-run --kernel A ... tests/kmem > a.tap
 *   f=$(sed -n 's/^# kmem-baseline-figures: //p' a.tap | paste -sd ';')
 *   ci/vm-run --kernel B ... tests/kmem --baseline-figures "$f"
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "guest.h"
#include "kmem.h"
#include "kmem_budget.h"
#include "kmem_cg.h"
#include "kmem_measure.h"
#include "kvm_test.h"
#include "nested.h"
#include "stats.h"
#include "tap.h"
#include "test_util.h"
#include "text.h"
#include "worker.h"

/* tests/kmem.budgets, linked in by objcopy (see Makefile.am). */
extern const char _binary_kmem_budgets_start[], _binary_kmem_budgets_end[];

#define SLOT_GPA	(1ULL << 30)

struct ctx {
	struct kmem_cg cg;
	struct kmem_meter meter;
	struct kmem_limits lim;
	char flavour_buf[32];
	const char *budget_file, *baseline_file, *figures_arg, *record_file;
	char kernel[300];
	char why[256];
};

/* ---- reports ------------------------------------------------------------- */

static void spread_of(const struct kmem_result *r, enum kmem_item item,
		      struct kmem_spread *sp)
{
	s64 v[KMEM_MAX_ROUNDS];
	u32 k;

	for (k = 0; k < r->rounds; k++)
		v[k] = r->fig[k].item[item];
	kmem_spread(v, r->rounds, sp);
}

/*
 * One page per measured delta (lib/kmem.h), spread over what was
 * measured at once: round_map() takes three deltas.
 */
static s64 resolution(const struct kmem_scenario *sc)
{
	switch (sc->unit) {
	case KMEM_PER_VM:
		return 4096 / sc->nr_vms;
	case KMEM_PER_VCPU:
		return 4096 / (sc->nr_vms * (sc->nr_vcpus - 1));
	default:
		return kmem_scale(3 * 4096, sc->nr_vms, sc->slot_size);
	}
}

static void yaml_spread(const char *key, const s64 *v, u32 n)
{
	struct kmem_spread sp;

	kmem_spread(v, n, &sp);
	tap_yaml(key, "{ median: %" PRId64 ", min: %" PRId64 ", max: %" PRId64 ", spread: %" PRId64 " }",
		 sp.median, sp.min, sp.max, sp.max - sp.min);
}

static void report_figures(const struct ctx *c, const struct kmem_scenario *sc,
			   const struct kmem_result *r, const struct kmem_bound *b)
{
	static const enum kmem_item shown[] = {
		KMEM_KVM, KMEM_KERNEL, KMEM_SEC_PAGETABLES, KMEM_SLAB,
		KMEM_VMALLOC, KMEM_PERCPU, KMEM_KERNEL_STACK, KMEM_PAGETABLES,
		KMEM_CURRENT, KMEM_SYS_SEC_PAGETABLES, KMEM_SYS_SUNRECLAIM,
		KMEM_SYS_VMALLOC, KMEM_SYS_KERNEL_STACK,
	};
	struct kmem_spread sp;
	char key[64];
	s64 v[KMEM_MAX_ROUNDS];
	u32 i, k;

	tap_yaml_begin();
	tap_yaml("config", "%s (%s MMU)", c->lim.config, c->lim.flavour);
	tap_yaml("unit", "bytes %s", kmem_unit_names[sc->unit]);
	tap_yaml("vms", "%u at once, %u rounds", sc->nr_vms, r->rounds);
	tap_yaml("resolution", "%" PRId64, resolution(sc));
	if (sc->unit == KMEM_PER_GIB) {
		tap_yaml("slot", "%" PRIu64 " MiB %s, guest pages %" PRIu64 " KiB",
			 sc->slot_size >> 20, mem_backing_name(sc->backing),
			 sc->guest_page >> 10);
		yaml_spread("of_which_memslot_metadata", r->meta, r->rounds);
	}
	if (sc->nested)
		tap_yaml("l2_huge_mappings", "{ before_dirty_logging: %" PRIu64 ", of: %" PRIu64 ", after: %" PRIu64 " }",
			 r->huge, r->huge_want, r->unsplit);
	if (sc->unit == KMEM_PER_VCPU) {
		snprintf(key, sizeof(key), "whole_vm_with_%u_vcpus", sc->nr_vcpus);
		yaml_spread(key, r->whole_vm, r->rounds);
	}
	for (i = 0; i < ARRAY_SIZE(shown); i++) {
		for (k = 0; k < r->rounds; k++)
			v[k] = r->fig[k].item[shown[i]];
		yaml_spread(kmem_item_name(shown[i]), v, r->rounds);
	}
	/* SLUB counts objects of per-CPU slabs as active: approximate. */
	for (i = 0; i < KMEM_NR_CACHES; i++) {
		snprintf(key, sizeof(key), "slabinfo_%s", kmem_cache_name(i));
		if (r->fig[0].no_cache[i]) {
			tap_yaml(key, "not in /proc/slabinfo (merged with another cache: boot with slab_nomerge)");
			continue;
		}
		for (k = 0; k < r->rounds; k++)
			v[k] = r->fig[k].objs[i];
		kmem_spread(v, r->rounds, &sp);
		tap_yaml(key, "{ objsize: %" PRIu64 ", active_objs_approx: { median: %" PRId64 ", min: %" PRId64 ", max: %" PRId64 " } }",
			 r->fig[0].objsize[i], sp.median, sp.min, sp.max);
	}
	if (b)
		tap_yaml("budget", "%" PRIu64 " (%s, %s %s)", b->bytes,
			 c->lim.budget_src, b->scenario, b->config);
	tap_yaml_end();
}

static void check_budget(const struct ctx *c, const struct kmem_scenario *sc,
			 const struct kmem_result *r)
{
	const struct kmem_bound *b = kmem_budget_for(&c->lim, sc->name);
	struct kmem_spread sp;

	spread_of(r, KMEM_KVM, &sp);
	if (!b)
		tap_skip("no budget for this configuration",
			 "%s: %" PRId64 " bytes %s", sc->name, sp.max,
			 kmem_unit_names[sc->unit]);
	else if (sc->nested && (r->huge != r->huge_want || r->unsplit))
		tap_check(false, "%s: %s: the split caches were not exercised: %" PRIu64 " of %" PRIu64 " L2 mappings huge before dirty logging, %" PRIu64 " after",
			  sc->name, sc->what, r->huge, r->huge_want, r->unsplit);
	else
		tap_check(sp.max <= (s64)b->bytes,
			  "%s: %s: %" PRId64 " bytes %s (max of %u rounds) within budget %" PRIu64,
			  sc->name, sc->what, sp.max, kmem_unit_names[sc->unit],
			  r->rounds, b->bytes);
	report_figures(c, sc, r, b);
}

/*
 * What the create/destroy loops left behind may not exceed "leak": in the
 * cgroup, and system wide in vmalloc and kernel stacks, which also see
 * what KVM allocates without __GFP_ACCOUNT.
 */
static void check_leak(const struct ctx *c, const struct kmem_scenario *sc,
		       const struct kmem_result *r)
{
	const struct kmem_bound *b = kmem_budget_for(&c->lim, "leak");
	const struct kmem_bound *bs = kmem_budget_for(&c->lim, "leak-sys");
	s64 tol = b ? (s64)b->bytes : 16384;
	s64 tol_sys = bs ? (s64)bs->bytes : 65536;
	s64 kvm = r->leak.item[KMEM_KVM];
	s64 sys = r->leak.item[KMEM_SYS_VMALLOC] +
		  r->leak.item[KMEM_SYS_KERNEL_STACK];

	tap_check(kvm <= tol && sys <= tol_sys,
		  "%s: %u VMs created and destroyed: kernel memory back to its baseline (cgroup %+" PRId64 " bytes, tolerance %" PRId64 "; system vmalloc+stacks %+" PRId64 ", tolerance %" PRId64 ")",
		  sc->name, r->vms_total, kvm, tol, sys, tol_sys);
	if (sys > tol_sys)
		kmem_vmalloc_diag(r->vm0, r->nr_vm0, r->vm1, r->nr_vm1);
	tap_yaml_begin();
	tap_yaml("left_behind", "{ kvm_kmem: %" PRId64 ", kernel: %" PRId64 ", slab: %" PRId64 ", vmalloc: %" PRId64 ", sys_vmalloc: %" PRId64 ", sys_kernel_stack: %" PRId64 " }",
		 kvm, r->leak.item[KMEM_KERNEL], r->leak.item[KMEM_SLAB],
		 r->leak.item[KMEM_VMALLOC], r->leak.item[KMEM_SYS_VMALLOC],
		 r->leak.item[KMEM_SYS_KERNEL_STACK]);
	tap_yaml("left_behind_per_vm", "%" PRId64,
		 r->vms_total ? kvm / (s64)r->vms_total : 0);
	tap_yaml_end();
}

static void check_baseline(const struct ctx *c, const struct kmem_scenario *sc,
			   const struct kmem_result *r)
{
	const struct kmem_bound *b = kmem_baseline_for(&c->lim, sc->name);
	struct kmem_spread sp;
	s64 allowed, noise;

	if (!c->lim.base_src)
		return;
	spread_of(r, KMEM_KVM, &sp);
	if (!b) {
		tap_skip("not in the baseline", "%s: against %s", sc->name,
			 c->lim.base_src);
		return;
	}
	/* The run's own spread, and at least its resolution, is noise. */
	noise = sp.max - sp.min > resolution(sc) ? sp.max - sp.min :
						   resolution(sc);
	allowed = kmem_baseline_allowed(&c->lim, b, noise);
	tap_check(sp.median <= allowed,
		  "%s: %" PRId64 " bytes %s against baseline %" PRIu64 " (+%u%%, allowed %" PRId64 ")",
		  sc->name, sp.median, kmem_unit_names[sc->unit], b->bytes,
		  c->lim.tolerance, allowed);
}

/*
 * Why nested-split cannot run here, or NULL.  topup_split_caches() fills
 * the VM-wide split caches only when eager page splitting finds huge SPTEs
 * in the shadow MMU's rmaps.  On 6.1 that takes a nested guest:
 * kvm_mmu_slot_try_split_huge_pages() returns at once unless the TDP MMU
 * is on, and with the TDP MMU only L2's mappings live in rmaps.  So
 * shadow paging never gets there, nor does an eager_page_split=N kernel.
 */
static const char *nested_split_skip(const struct kvm_platform *plat,
				     char *why, size_t size)
{
	if (!plat->tdp_mmu)
		return "the split caches are only used with the TDP MMU (nested guests' rmaps)";
	if (!plat->eager_split)
		return "kvm.eager_page_split=N: nothing is split eagerly";
	if (!nested_supported(plat, why, size))
		return why;
	return NULL;
}

/*
 * The harness runs the test once per configuration of its stanza in the
 * test matrix (tests/tests.cfg); a scenario's .configs picks those of
 * them it is measured in (the nested one needs kvm_amd.nested=1, the
 * others are measured once per MMU flavour, against budgets kept per
 * configuration): scenario data, like the budgets, that only filters;
 * tests/harness/check-matrix.sh fails a name the matrix does not give
 * kmem.  Natively, or in a configuration no scenario names, every
 * scenario runs.
 */
static bool runs_here(const struct kmem_scenario *all, u32 nr,
		      const struct kmem_scenario *sc)
{
	const char *cfg = getenv("KMT_CONFIG");
	u32 i;

	if (!cfg || !*cfg)
		return true;
	for (i = 0; i < nr; i++)
		if (text_has_word(all[i].configs, cfg))
			return text_has_word(sc->configs, cfg);
	return true;
}

/* ---- setup --------------------------------------------------------------- */

/* A file an option names; unreadable is bad input. */
static char *read_arg_file(const char *opt, const char *path)
{
	char *text = read_file(path);

	if (!text)
		usage_error("%s %s: %s", opt, path, strerror(errno));
	return text;
}

/* After option parsing, before the platform probe: load what they name. */
static void load_args(void *ctx)
{
	struct ctx *c = ctx;
	size_t n = _binary_kmem_budgets_end - _binary_kmem_budgets_start;
	char *text;

	if (c->budget_file) {
		text = read_arg_file("--budget-file", c->budget_file);
		kmem_limits_budgets(&c->lim, c->budget_file, text);
	} else {
		text = strndup(_binary_kmem_budgets_start, n);
		TEST_ASSERT(text, "out of memory");
		kmem_limits_budgets(&c->lim, "tests/kmem.budgets", text);
	}
	free(text);
	if (c->baseline_file && c->figures_arg)
		usage_error("--baseline and --baseline-figures exclude each other");
	if (c->baseline_file) {
		text = read_arg_file("--baseline", c->baseline_file);
		kmem_limits_baseline(&c->lim, c->baseline_file, text, false);
		free(text);
	} else if (c->figures_arg) {
		kmem_limits_baseline(&c->lim, "--baseline-figures", c->figures_arg,
				     true);
	}
	if (c->record_file)
		kmem_record_open(&c->lim, c->record_file);
}

static void describe(struct ctx *c, const struct kvm_platform *plat)
{
	struct utsname u;
	const char *cfg = getenv("KMT_CONFIG");

	/* The budgets are derived for kvm_amd; kvm_intel has its own keys. */
	c->lim.flavour = platform_mmu_flavour(plat, c->flavour_buf,
					      sizeof(c->flavour_buf));
	c->lim.config = cfg && *cfg ? cfg : c->lim.flavour;
	uname(&u);
	snprintf(c->kernel, sizeof(c->kernel), "%s %s", u.release, u.version);
	if (c->lim.record)
		fprintf(c->lim.record, "# kernel %s\n# config %s (%s MMU)\n",
			c->kernel, c->lim.config, c->lim.flavour);
}


int main(int argc, char **argv)
{
	static const struct kmem_scenario scenarios[] = {
		{ .name = "idle", .configs = "shadow tdp",
		  .what = "VM with 1 vCPU and an 8 MiB slot, run to its first exit",
		  .unit = KMEM_PER_VM, .nr_vms = 8, .rounds = 3, .nr_vcpus = 1 },
		{ .name = "vcpu", .configs = "shadow tdp",
		  .what = "each further vCPU, run to its first exit",
		  .unit = KMEM_PER_VCPU, .nr_vms = 2, .rounds = 3, .nr_vcpus = 8 },
		{ .name = "map-4k", .configs = "shadow tdp",
		  .what = "slot touched by the guest, 4 KiB mappings",
		  .unit = KMEM_PER_GIB, .nr_vms = 2, .rounds = 2, .nr_vcpus = 1,
		  .backing = MEM_ANON, .slot_size = 64ULL << 20,
		  .slot_gpa = SLOT_GPA, .guest_page = PAGE_SIZE_4K },
		/* 2 MiB off a 1 GiB boundary: KVM may map 2 MiB, not 1 GiB. */
		{ .name = "map-2m", .configs = "shadow tdp",
		  .what = "slot touched by the guest, 2 MiB mappings",
		  .unit = KMEM_PER_GIB, .nr_vms = 1, .rounds = 2, .nr_vcpus = 1,
		  .backing = MEM_HUGETLB_1G, .slot_size = PAGE_SIZE_1G,
		  .slot_gpa = SLOT_GPA + PAGE_SIZE_2M,
		  .guest_page = PAGE_SIZE_2M },
		/* The seed's patch 3; see nested_split_skip(). */
		{ .name = "nested-split", .configs = "nested",
		  .what = "L2's 2 MiB mappings of a 32 MiB slot split when dirty logging starts",
		  .unit = KMEM_PER_VM, .nr_vms = 2, .rounds = 2, .nr_vcpus = 1,
		  .backing = MEM_HUGETLB_2M, .slot_size = 32ULL << 20,
		  .slot_gpa = SLOT_GPA, .guest_page = PAGE_SIZE_2M,
		  .nested = true },
	};
	/* Static: lib/kmem.c leaves the cgroup at exit, after main(). */
	static struct ctx c = { .lim.tolerance = 10 };
	static struct kmem_result r;
	const struct test_opt opts[] = {
		OPT_STRING("budget-file", "FILE", &c.budget_file,
			   "budgets to hold the figures to (default: tests/kmem.budgets, built in)"),
		OPT_STRING("record", "FILE", &c.record_file,
			   "append this run's figures to FILE, in the budget file's format"),
		OPT_STRING("baseline", "FILE", &c.baseline_file,
			   "figures of an earlier kernel (a --record file) to compare with"),
		OPT_STRING("baseline-figures", "'SCENARIO CONFIG BYTES; ...'", &c.figures_arg,
			   "the same, inline"),
		OPT_U32("tolerance", "PCT", &c.lim.tolerance, 0, 1000,
			"allowed growth over the baseline, percent (default 10)"),
		{ 0 }
	};
	const struct kvm_test test = {
		.summary = "Kernel memory per VM held to budgets, no leak on destroy, and compared with a baseline.",
		.opts = opts,
		.check_args = load_args,
		.ctx = &c,
	};
	struct kvm_platform plat;
	struct kmem_spread sp;
	u32 i;

	kvm_test_start(argc, argv, &test, &plat);
	c.meter = (struct kmem_meter){ .cg = &c.cg, .plat = &plat };
	describe(&c, &plat);
	tap_diag("config %s (%s MMU), kernel %s", c.lim.config, c.lim.flavour, c.kernel);
	if (__kmem_cg_enter(&c.cg, c.why, sizeof(c.why)))
		tap_skip_all("%s", c.why);
	kmem_warm_up(scenarios, ARRAY_SIZE(scenarios));
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		const struct kmem_scenario *sc = &scenarios[i];
		const char *skip;

		if (!runs_here(scenarios, ARRAY_SIZE(scenarios), sc)) {
			tap_diag("%s: measured in configuration %s", sc->name,
				 sc->configs);
			continue;
		}
		skip = sc->nested ?
			nested_split_skip(&plat, c.why, sizeof(c.why)) : NULL;
		if (skip) {
			tap_skip(skip, "%s: %s", sc->name, sc->what);
			continue;
		}
		kmem_scenario_run(&c.meter, sc, &r);
		if (r.skip) {
			tap_skip(r.skip, "%s: %s", sc->name, sc->what);
			continue;
		}
		check_budget(&c, sc, &r);
		check_leak(&c, sc, &r);
		check_baseline(&c, sc, &r);
		spread_of(&r, KMEM_KVM, &sp);
		kmem_record(&c.lim, sc->name, sp.median);
	}
	kmem_record_close(&c.lim);
	kmem_cg_leave(&c.cg);
	return tap_finish();
}
