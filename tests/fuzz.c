// SPDX-License-Identifier: GPL-2.0-only
/*
 * The randomized differential engine over every paging mode and MMU
 * configuration: guest page-table edits, flushes, CR3 switches, CR0.WP,
 * CR4.PSE (non-PAE), CR4.SMEP/SMAP and EFLAGS.AC toggles (where CPUID has
 * them), U/S and R/W at every level, A/D bits read back and accesses of
 * every kind (CPL 0 and 3 reads and writes, fetches), interleaved with
 * host-side
 * events (host stores to guest page-table entries, MADV_DONTNEED,
 * mprotect, memslot delete/recreate and KVM_MR_MOVE, dirty logging on,
 * off and fetched), every outcome predicted by the reference walker
 * (lib/engine.h).
 *
 * Guards arch/x86/kvm/mmu as a whole, in each flavour: the shadow MMU
 * building shadow pages from guest tables (npt=0 / ept=0: write tracking,
 * unsync and resync on INVLPG and CR3 loads, role.quadrant of 4-byte
 * tables, large guest pages, shadow pages looked up by gfn and role after
 * the host rewrote the guest's table), the shadow MMU doing TDP
 * (tdp_mmu=N: its rmaps, write-protection for dirty logging and the
 * collapse of huge mappings afterwards) and the TDP MMU; the mmu notifier
 * and memslot zap paths in all of them.  Bug classes: an access that
 * reaches another page or faults differently than the architecture says,
 * data written to the wrong page, a written page missing from the dirty
 * bitmap, huge mappings not restored once dirty logging stops (at 2 MiB
 * and, in the 64-bit modes' 1 GiB window, at 1 GiB; one huge page goes
 * unwritten through logging, so the collapse also meets a huge leaf
 * that only got write-protected), a huge mapping the
 * memslots' geometry does not allow (kvm_alloc_memslot_metadata()'s
 * lpage_info, kvm_mmu_max_mapping_level()), a WARN or BUG in the kernel
 * log (the harness fails the configuration on those).
 *
 * Every variant also has MMIO RAM (lib/kvm.h: a range no memslot backs,
 * served on KVM_EXIT_MMIO) that some leaves point into, and which now
 * and then turns into a memslot and back: guards MMIO sptes and their
 * memslot generation (mark_mmio_spte(), check_mmio_spte(), their sync),
 * handle_mmio_page_fault(), the MMIO cache, and the emulator's own walk
 * of the guest's tables in every mode (under TDP the only software walk
 * of them: init_kvm_tdp_mmu()'s gva_to_gpa); an MMIO exit is checked by
 * the tag it reads and the data it writes, one inside a memslot fails.
 *
 * One TAP point per (mode, seed).  A failing point is shrunk (delta
 * debugging over its steps) and its reproducer printed as "# repro:"
 * lines; save them to a file and rerun with --replay FILE.
 *
 *   fuzz [--mode M] [--seed N] [--steps N] [--seeds N] [--duration S | --long]
 *        [--replay FILE] [--no-shrink] [--one-vcpu] [--l2-paging P]
 *   M: nonpae-4k nonpae-pse pae 64 la57 nested nonpae-pse0
 *   P: off 64 nonpae pae la57 (nested: L2's paging; default from the seed)
 *
 * 64, la57: also a 1 GiB window (GIANT_SLOT): a 1 GiB guest leaf over a
 * hugetlb-1g memslot, accessed, turned into a directory of 2 MiB pages in
 * another order and back, dirty-logged with the rest.
 *
 * nonpae-pse0: nonpae-pse with CR4.PSE cleared for a few accesses now and
 * then, so that 4 MiB PDEs are read as page-table pointers (guards the
 * shadow MMU's CR4.PSE handling: FNAME(walk_addr_generic)'s large-page
 * test, reserved bits by CR4.PSE, and shadow pages built under one value
 * of CR4.PSE, which their role does not record, reached under the other).
 *
 * nested: L2 reads and writes at L2 GPAs under L1's nested page table
 * (NPT on AMD, EPT on Intel), which the steps build and edit (4 KiB,
 * 2 MiB and 1 GiB leaves, regions aliasing L1's pages, read-only,
 * non-user and not-present entries; L1 itself rewrites entries and
 * flushes with TLB_CONTROL / INVEPT, switches nCR3 / EPTP; the host
 * writes entries behind KVM's back), with dirty logging and memslot
 * events on L1's memory: guards the shadow MMU in guest_mode (KVM's
 * shadow of L1's NPT/EPT, its write tracking and unsync/sync of those
 * table pages, nested TLB flushes, dirty logging of L1 memory written
 * by L2), every access predicted by the walker of the table's format.
 * L2 pages in a mode of its own (paging off, non-PAE, PAE, 4- and
 * 5-level, by seed; linear = GPA ^ a multiple of 4 MiB): what KVM
 * emulates for L2 (its MMIO) goes through the nested MMU's walker of
 * L2's tables and L1's NPT/EPT (FNAME(walk_addr_generic) under
 * nested_mmu, translate_nested_gpa()), and L2 runs in each mode under
 * nested VMRUN/VMLAUNCH's state checks and loads (CR3, PDPTEs); except
 * where the processor sets reserved PDPTE bits of a PAE L2 (QEMU's TCG:
 * no_l2_emulation()).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "guest.h"
#include "kmem_cg.h"
#include "kvm_test.h"
#include "nested.h"
#include "opts.h"
#include "tap.h"
#include "test_util.h"

GUEST_PROGRAM_DECLARE(op_interp);

/*
 * Slot 0: runtime, then 4 KiB data pages.  Slots 1 and 2: the guest's
 * large pages and the huge-page window, 1 on huge pages from a 2 MiB
 * aligned base (THP or hugetlb 2 MiB: slot1_backing()), 2 its last MiB
 * (4 KiB pages), so that the last large page spans both slots and KVM
 * must never map it huge.
 */
#define SLOT0_SIZE	(16ULL << 20)
#define SLOT1_GPA	(16ULL << 20)
#define SLOT1_SIZE	(7ULL << 20)
#define SLOT2_GPA	(SLOT1_GPA + SLOT1_SIZE)
#define SLOT2_SIZE	(1ULL << 20)
#define LARGE_SIZE	(SLOT1_SIZE + SLOT2_SIZE)
#define WINDOW_VA	0x30000000ULL
/*
 * Right above slot 2, in no memslot: MMIO RAM (lib/kvm.h), where some
 * leaves point (a 4 MiB one fits), so that KVM's MMIO path and the
 * emulator's walks are predicted too (lib/engine.h, struct ptgen_area).
 */
#define MMIO_GPA	(SLOT2_GPA + SLOT2_SIZE)
#define MMIO_SIZE	(4ULL << 20)
/* The memslot the MMIO RAM turns into now and then (EV_MMIO_SLOT). */
#define MMIO_SLOT	5
/*
 * Slot 3 (64-bit modes): the 1 GiB window, a GiB of hugetlb-1g (else
 * THP, else 4 KiB) pages at GPA 1 GiB, or 2 MiB above it for half the
 * seeds (no aligned GiB: KVM must map it 2 MiB at most), mapped
 * by one 1 GiB guest leaf at VA 3 GiB; only its tagged pages are
 * touched (lib/engine.h, struct ptgen_area).
 */
#define GIANT_SLOT	3
#define GIANT_PA	(1ULL << 30)
#define GIANT_VA	(3ULL << 30)

static const struct ptgen_area area = {
	.data_lo = 8ULL << 20, .data_hi = 16ULL << 20,
	.large_lo = SLOT1_GPA, .large_hi = SLOT1_GPA + LARGE_SIZE,
};

struct variant {
	const char *name;
	enum paging_mode mode;
	u32 large_pct;
	bool wide_va;
	/*
	 * L2 under L1's nested page table (NPT on AMD, EPT on Intel): the
	 * engine's tables are that table, L2 GPAs its VAs (lib/engine.h).
	 */
	bool nested;
	/* CR4.PSE cleared now and then (eng_params.pse_toggle). */
	bool pse_toggle;
	/* The 1 GiB window (slot 3, eng_params.giant). */
	bool giant;
};

/* New variants go last: variant i runs seed N + i. */
static const struct variant variants[] = {
	{ "nonpae-4k", PAGING_NONPAE, 0, false, false, false, false },
	{ "nonpae-pse", PAGING_NONPAE, 20, false, false, false, false },
	{ "pae", PAGING_PAE, 20, false, false, false, false },
	{ "64", PAGING_LM4, 20, true, false, false, true },
	{ "la57", PAGING_LM5, 20, true, false, false, true },
	{ "nested", PAGING_LM4, 20, false, true, false, false },
	{ "nonpae-pse0", PAGING_NONPAE, 40, false, false, true, false },
};

/* The KVM vendor (nested: which L1 image, NPT or EPT). */
static struct kvm_platform plat;

struct options {
	int variant;		/* -1: all */
	u64 seed;
	u32 steps;
	u32 duration;		/* seconds; 0: @rounds seeds per variant */
	u32 rounds;
	const char *replay;
	bool shrink;
};

/* One run: a variant, a seed, and the steps (drawn from the seed if NULL). */
struct run {
	const struct variant *v;
	u64 seed;
	u32 nr_steps;
	u32 ops, events, fetches, v1_ops, clears, collapses;	/* of the last run */
	u32 perm_ops;		/* CR4.PSE/SMEP/SMAP and EFLAGS.AC toggles */
	bool smap_ac_writes;	/* eng_params.smap_ac_writes */
	bool pse_keep_pdes;	/* eng_params.pse_keep_pdes */
	u32 l2_runs, l2_faults, l2_accesses;	/* nested: L2 entries, faults */
	enum paging_mode l2_mode;	/* nested: L2's paging (pick_l2_paging()) */
	u64 l2_xor;
	u64 huge_base, huge_min;
	u32 huge_checks;
	enum mem_backing slot1_backing;	/* MEM_ANON: no huge pages */
	/* The 1 GiB window: its backing, where it starts, 1 GiB mappings. */
	enum mem_backing giant_backing;
	u64 giant_gpa;
	u64 giant_base, giant_min;
	bool manual;		/* manual dirty-log protect (CLEAR) */
	/*
	 * MMIO RAM and leaves into it (random runs and their replays; the
	 * known points keep the tables they were found with).
	 */
	bool mmio;
	/* EV_MMIO_SLOT without its workaround (eng_params.mmio_raw). */
	bool mmio_raw;
	u64 mmio_reads, mmio_writes;	/* KVM_EXIT_MMIO served */
};

/*
 * Every other round of seeds (1000 apart) runs with manual dirty-log
 * protect: GET alone there, GET that also re-protects in the others.
 */
static bool manual_round(u64 seed)
{
	return (seed / 1000) & 1;
}

/* Linux 6.10 uapi, absent from older headers. */
#ifndef KVM_CAP_PRE_FAULT_MEMORY
#define KVM_CAP_PRE_FAULT_MEMORY	236
#endif

/* KVM_PRE_FAULT_MEMORY events: where the kernel has them (TDP only). */
static bool pre_fault;

/* kvm_amd npt=1: see smep_fixed(). */
static bool npt;

/* --one-vcpu: the engine as it was before vCPU 1 (what it adds, measured). */
static bool one_vcpu;

/* Once a process: why the 1 GiB window is not on a 1 GiB page. */
static void giant_why(const char *why)
{
	static bool shown;

	if (!shown)
		tap_diag("1 GiB window on smaller pages: %s", why);
	shown = true;
}

/* Slot 3 on the best backing there is (see GIANT_SLOT). */
static void add_giant(struct kvm_vm *vm, struct run *run)
{
	static const enum mem_backing backings[] = {
		MEM_HUGETLB_1G, MEM_ANON_THP, MEM_ANON,
	};
	char why[256];
	u32 i;

	/* Both in each variant's default two rounds (seeds N, N + 1000). */
	run->giant_gpa = GIANT_PA + (((run->seed / 1000) ^ run->seed) & 1) *
				    PAGE_SIZE_2M;
	for (i = 0; i < ARRAY_SIZE(backings); i++) {
		run->giant_backing = backings[i];
		if (!__vm_add_memslot(vm, GIANT_SLOT, run->giant_gpa,
				      PAGE_SIZE_1G, backings[i], 0, why,
				      sizeof(why)))
			return;
		if (!i)
			giant_why(why);
	}
	TEST_ASSERT(false, "no memory for the 1 GiB window: %s", why);
}

/*
 * Nested: L2's own paging, from the seed; the default two rounds (seeds
 * N + 5, N + 1005) run 64-bit and non-PAE L2s, every fifth round of a
 * longer run each mode.  Linear = GPA ^ a multiple of 4 MiB, so that
 * what KVM translates for L2 is not the GPA by chance.
 */
static const enum paging_mode l2_modes[] = {
	PAGING_NR_MODES, PAGING_LM4, PAGING_NONPAE, PAGING_PAE, PAGING_LM5,
};
/* --l2-paging's choices, in l2_modes' order, and the choice (-1: none). */
static const char *const l2_mode_names[] = {
	"off", "64", "nonpae", "pae", "la57", NULL,
};
static int l2_paging = -1;

static void pick_l2_paging(struct run *run)
{
	char why[128];

	run->l2_mode = l2_modes[l2_paging >= 0 ? (u32)l2_paging :
				(run->seed + run->seed / 1000) % ARRAY_SIZE(l2_modes)];
	run->l2_xor = ((run->seed * 0x9e3779b97f4a7c15ULL) >> 54) << 22;
	if (run->l2_mode == PAGING_LM5 &&
	    !paging_mode_supported(PAGING_LM5, why, sizeof(why))) {
		tap_diag("%s seed %" PRIu64 ": L2 in 4-level long mode instead of la57: %s",
			 run->v->name, run->seed, why);
		run->l2_mode = PAGING_LM4;
	}
	if (run->l2_mode == PAGING_NR_MODES)
		run->l2_xor = 0;
}

/*
 * Slot 1's huge pages: THP, or 2 MiB hugetlb pages (whose last one then
 * lies half past the slot's end) on every other seed, so that each
 * variant's two default rounds (seeds N, N + 1000) get one of each; the
 * other where the first is missing, 4 KiB pages where both are.
 */
static void slot1_backing(struct kvm_vm *vm, struct run *run)
{
	static const enum mem_backing order[2][2] = {
		{ MEM_ANON_THP, MEM_HUGETLB_2M },
		{ MEM_HUGETLB_2M, MEM_ANON_THP },
	};
	const enum mem_backing *b = order[(run->seed + run->seed / 1000) & 1];
	char why[256];
	u32 i;

	for (i = 0; i < 2; i++) {
		run->slot1_backing = b[i];
		if (!__vm_add_memslot(vm, 1, SLOT1_GPA, SLOT1_SIZE, b[i], 0,
				      why, sizeof(why)))
			return;
	}
	run->slot1_backing = MEM_ANON;
	vm_add_memslot(vm, 1, SLOT1_GPA, SLOT1_SIZE, MEM_ANON, 0);
}

static struct kvm_vm *make_vm(struct run *run)
{
	struct guest_program prog = run->v->nested ? nested_program(&plat) :
				    GUEST_PROGRAM(op_interp);
	struct kvm_vm *vm = vm_create_guest(run->v->mode, &prog, SLOT0_SIZE);

	run->manual = manual_round(run->seed);
	run->giant_gpa = 0;
	if (run->manual)
		vm_enable_cap(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
			      KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE);
	slot1_backing(vm, run);
	vm_add_memslot(vm, 2, SLOT2_GPA, SLOT2_SIZE, MEM_ANON, 0);
	if (run->v->giant && pg_page_size_valid(&vm->pt, PAGE_SIZE_1G))
		add_giant(vm, run);
	if (run->mmio)
		vm_add_mmio_ram(vm, MMIO_GPA, MMIO_SIZE);
	return vm;
}

/*
 * PAE under NPT: KVM checks the PDPTEs' reserved bits on a CR4.SMEP
 * change (load_pdptrs), and QEMU's TCG sets A (bit 5, reserved there) in
 * them as it walks a PAE guest under NPT: the guest's next CR4.SMEP
 * toggle would #GP.  There, SMEP is set from the start on odd seeds
 * (KVM_SET_SREGS, before any walk) and never toggled.
 */
static bool smep_fixed(const struct variant *v)
{
	return v->mode == PAGING_PAE && npt;
}

static void params(const struct run *run, struct eng_params *prm)
{
	*prm = (struct eng_params){
		.nr_regions = 8, .nr_steps = run->nr_steps,
		.large_pct = run->v->large_pct, .wide_va = run->v->wide_va,
		.guest_extras = true, .host_events = true, .alias = true,
		.fetch = true,
		.window = WINDOW_VA, .window_pa = SLOT1_GPA,
		.window_size = LARGE_SIZE, .window_slot = 1, .edge_slot = 2,
		.data_slot = 0, .two_vcpus = !one_vcpu, .perm = true,
		.smep_fixed = smep_fixed(run->v),
		.smap_ac_writes = run->smap_ac_writes,
		.pse_toggle = run->v->pse_toggle,
		.pse_keep_pdes = run->pse_keep_pdes,
	};
	if (run->mmio)
		prm->mmio_slot = MMIO_SLOT;
	prm->mmio_raw = run->mmio_raw;
	if (run->giant_gpa) {
		prm->giant = GIANT_VA;
		prm->giant_pa = GIANT_PA;
		prm->giant_slot = GIANT_SLOT;
	}
	/*
	 * Nested: L2 runs with paging off, so the steps of a guest's own
	 * paging (CR0.WP, SMEP/SMAP, fetches, A/D read back, vCPU 1) have no
	 * meaning; the rest edits L1's NPT/EPT.
	 */
	if (run->v->nested) {
		prm->guest_extras = prm->fetch = prm->perm = false;
		prm->two_vcpus = false;
	}
}

/*
 * Where the processor sets reserved bits in L2's PAE PDPTEs (QEMU's TCG:
 * nested_l2_pdpte_bits_set()), KVM cannot emulate for L2: no leaf into
 * the MMIO RAM then, and no EV_MMIO_SLOT (the rest of the run stays as
 * drawn: MMIO leaves have their own random stream).  Said once a run.
 */
static void no_l2_emulation(struct run *run, struct nested_l2 *l2,
			    struct ptgen *g, struct eng_params *prm)
{
	u64 set = nested_l2_pdpte_bits_set(l2);

	if (!set)
		return;
	tap_diag("%s seed %" PRIu64 ": the processor set bits 0x%" PRIx64 " (reserved) of L2's PAE PDPTEs, which KVM's walk of L2's table then rejects: no MMIO RAM for L2 (emulation would #PF)",
		 run->v->name, run->seed, set);
	g->area.mmio_lo = g->area.mmio_hi = 0;
	prm->mmio_slot = 0;
}

/* Once a process: which of SMEP and SMAP the steps may toggle. */
static void show_cr4_features(const struct pgtable *pt)
{
	static bool shown;

	if (shown)
		return;
	shown = true;
	tap_diag("CPUID: %s, %s%s", pt->has_smep ? "SMEP" : "no SMEP",
		 pt->has_smap ? "SMAP" : "no SMAP",
		 pt->has_smep && pt->has_smap ? "" :
		 ": no steps toggle what is missing (nor EFLAGS.AC without SMAP)");
}

/* PAE: a CR3 load checks the PDPTEs (reserved bits: #GP). */
static void show_pdptes(struct eng_random *r)
{
	struct ptgen *g = r->g;
	u32 root, i;

	for (root = 0; root < ENG_NR_ROOTS; root++)
		for (i = 0; i < 4; i++) {
			u64 pa = r->roots[root] + 8 * i;

			tap_diag("root %u PDPTE[%u] at PA 0x%" PRIx64 ": 0x%" PRIx64 " (predicted 0x%" PRIx64 ")",
				 root, i, pa, pg_read_entry(&g->vm->pt, pa),
				 pg_read_entry(&g->p.pt, pa));
		}
}

/*
 * Builds the guest from the seed, emits @steps (or draws them into
 * @drawn), runs and compares.  True when everything was as predicted.
 */
static bool run_steps(struct run *run, const struct eng_steps *steps,
		      struct eng_steps *drawn)
{
	struct kvm_vm *vm = make_vm(run);
	struct kvm_vcpu *vcpu = vm_guest_vcpu_add(vm, 0);
	struct kvm_vcpu *vcpu1 = one_vcpu || run->v->nested ? NULL :
				 vm_guest_vcpu_add(vm, 1);
	struct nested_l2 l2;
	struct eng_params prm;
	struct eng_random r;
	struct ptgen_area a = area;
	struct ptgen g;
	char name[128];
	bool ok;
	u32 i;

	params(run, &prm);
	if (run->giant_gpa) {
		a.sparse_lo = run->giant_gpa;
		a.sparse_hi = GIANT_PA + PAGE_SIZE_1G;
	}
	if (run->mmio) {
		a.mmio_lo = MMIO_GPA;
		a.mmio_hi = MMIO_GPA + MMIO_SIZE;
	}
	if (!run->v->nested)
		show_cr4_features(&vm->pt);
	if (prm.smep_fixed && vm->pt.has_smep && (run->seed & 1)) {
		vcpu_set_cr4_bits(vcpu, OP_CR4_SMEP);
		if (vcpu1)
			vcpu_set_cr4_bits(vcpu1, OP_CR4_SMEP);
		vm->pt.smep = true;
	}
	ptgen_init(&g, vm, run->seed, &a);
	g.vcpu1 = vcpu1;
	g.manual_dirty = run->manual;
	g.pre_fault = pre_fault && !run->v->nested;
	if (run->v->nested) {
		pick_l2_paging(run);
		__nested_l2_init(&l2, &plat, vcpu, run->l2_mode, run->l2_xor);
		no_l2_emulation(run, &l2, &g, &prm);
		ptgen_nested(&g, &l2);
	}
	eng_random_setup(&r, &g, &prm);
	if (!steps) {
		eng_random_draw(&r, drawn, run->nr_steps);
		steps = drawn;
	}
	for (i = 0; i < steps->nr; i++)
		eng_step_emit(&r, &steps->v[i]);
	eng_random_finish(&r);
	snprintf(name, sizeof(name), "%s seed %" PRIu64, run->v->name, run->seed);
	ok = ptgen_verdict(&g, vcpu, name);
	if (!ok && run->v->mode == PAGING_PAE)
		show_pdptes(&r);
	run->ops = g.s.nr;
	run->events = g.nr_ev;
	run->clears = 0;
	run->collapses = g.collapses;
	for (i = 0; i < g.nr_ev; i++)
		run->clears += g.ev[i].code == EV_DIRTY_CLEAR;
	run->huge_base = g.huge_base;
	run->huge_min = g.huge_min;
	run->huge_checks = g.huge_checks;
	run->giant_base = g.giant_base;
	run->giant_min = g.giant_min;
	run->mmio_reads = vm->mmio.reads;
	run->mmio_writes = vm->mmio.writes;
	run->fetches = run->v1_ops = run->perm_ops = 0;
	for (i = 0; i < g.s.nr; i++) {
		run->fetches += g.s.ops[i].code == OP_FETCH;
		run->perm_ops += g.s.ops[i].code == OP_SET_CR4 ||
				 g.s.ops[i].code == OP_SET_AC;
		run->v1_ops += !!(g.s.ops[i].flags & OPF_VCPU1);
	}
	run->l2_runs = g.l2_runs;
	run->l2_faults = g.l2_faults;
	run->l2_accesses = g.l2_accesses;
	ptgen_free(&g);
	vm_destroy(vm);
	return ok;
}

static bool trial_fails(void *opaque, const struct eng_steps *steps,
			bool verbose)
{
	(void)verbose;
	return !run_steps(opaque, steps, NULL);
}

static void print_repro(const struct run *run, const struct eng_steps *steps)
{
	char line[256];
	u32 i;

	char inl[600];	/* vm-run %-encodes: 3 bytes each of ~1900 */
	size_t n;

	tap_diag("repro: fuzz-replay %d", run->mmio ? 2 : 1);
	tap_diag("repro: variant %s", run->v->name);
	tap_diag("repro: seed %" PRIu64, run->seed);
	n = (size_t)snprintf(inl, sizeof(inl), "fuzz-replay %d;variant %s;seed %" PRIu64,
			     run->mmio ? 2 : 1, run->v->name, run->seed);
	if (l2_paging >= 0) {
		tap_diag("repro: l2-paging %s", l2_mode_names[l2_paging]);
		n += (size_t)snprintf(inl + n, sizeof(inl) - n, ";l2-paging %s",
				      l2_mode_names[l2_paging]);
	}
	for (i = 0; i < steps->nr; i++) {
		eng_step_format(&steps->v[i], line, sizeof(line));
		tap_diag("repro: %s", line);
		if (n < sizeof(inl))
			n += (size_t)snprintf(inl + n, sizeof(inl) - n, ";%s", line);
	}
	/* Short enough for the harness's kernel command line: one argument. */
	if (n < sizeof(inl))
		tap_diag("rerun in the harness: ci/vm-run tests/fuzz --replay '%s'", inl);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A failing run: shrink it (within a budget that fits the harness's limit
 * for a failing boot), then show it once more with its diagnostics.
 */
static void shrink_and_report(struct run *run, struct eng_steps *steps)
{
	u32 before = steps->nr;
	double t0 = now();

	eng_shrink(steps, trial_fails, run, 400, 20);
	tap_diag("shrunk %u steps to %u in %.1f s; the short run:", before,
		 steps->nr, now() - t0);
	if (!run_steps(run, steps, NULL))
		print_repro(run, steps);
	else
		tap_diag("the shrunk run passes alone (a flaky failure?); the full run is the reproducer");
}

static bool shrunk_one;

static void run_point(const struct variant *v, u64 seed,
		      const struct options *o)
{
	struct run run = { .v = v, .seed = seed, .nr_steps = o->steps,
			   .mmio = true };
	struct eng_steps steps = { 0 };
	double t0 = now(), dt;
	char why[128];
	bool ok;

	if (v->nested ? !nested_supported(&plat, why, sizeof(why)) :
			!paging_mode_supported(v->mode, why, sizeof(why))) {
		tap_skip(why, "%s: seed %" PRIu64 ", %u steps as predicted",
			 v->name, seed, o->steps);
		return;
	}
	ok = run_steps(&run, NULL, &steps);
	dt = now() - t0;
	tap_diag("%s seed %" PRIu64 ": %u ops (%u fetches, %u on vCPU 1, %u PSE/SMEP/SMAP/AC toggles, %" PRIu64 " MMIO reads and %" PRIu64 " writes), %u host events (%u dirty-log CLEARs, %u MADV_COLLAPSE) in %.2f s (%.0f ops/s, %.0f events/s)%s",
		 v->name, seed, run.ops, run.fetches, run.v1_ops, run.perm_ops,
		 run.mmio_reads, run.mmio_writes, run.events,
		 run.clears, run.collapses, dt, run.ops / dt, run.events / dt,
		 run.slot1_backing != MEM_ANON ? "" : "; no huge pages for slot 1");
	if (v->nested)
		tap_diag("%s seed %" PRIu64 ": L2 (paging %s, linear = GPA ^ 0x%" PRIx64 ") under %s: %u accesses (%u nested page faults) in %u L2 entries",
			 v->name, seed, run.l2_mode < PAGING_NR_MODES ?
			 paging_mode_name(run.l2_mode) : "off", run.l2_xor,
			 nested_name(&plat), run.l2_accesses, run.l2_faults,
			 run.l2_runs);
	if (run.huge_checks)
		tap_diag("%s seed %" PRIu64 ": huge mappings %" PRIu64 " before dirty logging, at least %" PRIu64 " after it stopped (%u times; slot 1 on %s)",
			 v->name, seed, run.huge_base, run.huge_min, run.huge_checks,
			 mem_backing_name(run.slot1_backing));
	if (run.giant_gpa)
		tap_diag("%s seed %" PRIu64 ": 1 GiB window on %s at GPA 0x%" PRIx64 ": pages_1g %" PRIu64 " before dirty logging, at least %" PRIu64 " after it stopped",
			 v->name, seed, mem_backing_name(run.giant_backing),
			 run.giant_gpa, run.giant_base, run.giant_min);
	if (!ok && o->shrink && !shrunk_one) {
		shrink_and_report(&run, &steps);
		shrunk_one = true;	/* one per process: time */
	} else if (!ok) {
		tap_diag("not shrunk (one failing point per run is); rerun alone with --mode %s --seed %" PRIu64 " --steps %u",
			 v->name, seed, o->steps);
	}
	tap_check(ok, "%s: seed %" PRIu64 ", %u steps as predicted", v->name,
		  seed, o->steps);
	eng_steps_free(&steps);
}

/*
 * A known KVM bug the random runs leave out (tests/known-issues:
 * smap-ac-wp0-spte), as fuzz found it (la57 seed 81, shrunk to 3 steps,
 * here 2):
 * with CR0.WP=0 and CR4.SMAP, a supervisor write with EFLAGS.AC=1 to a
 * read-only user page, then a read and a write with AC=0, which SMAP
 * makes fault.
 */
static void known_smap_ac_wp0(void)
{
	static const struct eng_step steps[] = {
		{ STEP_SET_PDE, 0, 0, 0, 0, 0x20e005 },
		/* WP=0, SMAP=1, AC=1, write, AC=0, read */
		{ STEP_PROBE, 0x0b1ca5, 0, 0x56, 0xf58, 0x805025 },
	};
	const char *what = "known: CR0.WP=0, CR4.SMAP: a supervisor write with EFLAGS.AC=1 to a read-only user page, then AC=0 accesses to it fault";
	struct eng_steps l = { (struct eng_step *)steps, ARRAY_SIZE(steps),
			       ARRAY_SIZE(steps) };
	struct run run = { .v = &variants[4], .seed = 81, .nr_steps = l.nr,
			   .smap_ac_writes = true };
	struct kvm_vm *vm;
	char why[128];
	bool smap;

	if (!paging_mode_supported(run.v->mode, why, sizeof(why))) {
		tap_skip(why, "%s", what);
		return;
	}
	vm = make_vm(&run);
	smap = vm->pt.has_smap;
	vm_destroy(vm);
	if (!smap) {
		tap_skip("CPU has no SMAP", "%s", what);
		return;
	}
	tap_check(run_steps(&run, &l, NULL), "%s", what);
}

/*
 * The other known bug the random runs work around (tests/known-issues:
 * pse-toggle-stale-sp), as fuzz found it (nonpae-pse0 seed 7, shrunk to
 * this one step): CR4.PSE cleared, accesses through a 4 MiB PDE (now a
 * page-table pointer), CR3 loaded; CR4.PSE set, CR3 loaded, the same VAs
 * read through the 4 MiB page.
 */
static void known_pse_toggle(void)
{
	static const struct eng_step steps[] = {
		{ STEP_PSE, 0x442103, 6, 0x131, 0x550, 0 },
	};
	const char *what = "known: CR4.PSE toggled without a PDE write: the 4 MiB page's translation comes back after a CR3 load";
	struct eng_steps l = { (struct eng_step *)steps, ARRAY_SIZE(steps),
			       ARRAY_SIZE(steps) };
	struct run run = { .v = &variants[6], .seed = 7, .nr_steps = l.nr,
			   .pse_keep_pdes = true };
	char why[128];

	if (!paging_mode_supported(run.v->mode, why, sizeof(why))) {
		tap_skip(why, "%s", what);
		return;
	}
	tap_check(run_steps(&run, &l, NULL), "%s", what);
}


/* A fixed point's steps, in the replay format (eng_step_parse()). */
static void parse_steps(const char *const *lines, u32 n, struct eng_steps *l)
{
	struct eng_step st;
	u32 i;

	for (i = 0; i < n; i++) {
		TEST_ASSERT(eng_step_parse(lines[i], &st), "bad step %s", lines[i]);
		eng_steps_push(l, &st);
	}
}

/*
 * A third (tests/known-issues: mmio-spte-sync-memslot), as fuzz found it
 * (nested seed 6, L2 in 64-bit paging, shrunk to these 6 steps): L2
 * reads through an NPT leaf into the MMIO RAM (KVM: an MMIO spte in a
 * shadow NPT page), L1 edits its NPT (the page goes unsync), the MMIO RAM
 * becomes a memslot, and L2 reads the same address again: the sync at
 * the next VMRUN re-marks the MMIO spte with the new memslot generation
 * (sync_mmio_spte() sees the gfn unchanged, not that it now has a
 * memslot), so KVM emulates the read and exits KVM_EXIT_MMIO for guest
 * memory.  Random runs recreate the new memslot at once (a memslot
 * deletion zaps every shadow page), this point does not.
 */
static void known_mmio_sync(void)
{
	static const char *const lines[] = {
		"SET_PDE 0 2 1 0 21e007", "ACCESS 1 0 0 813919a0 0",
		"HOST_PTE 0 0 195 0 8ea027", "SET_PDE 0 4 1 0 0",
		"EVENT f 5 0 0 0", "EVENT 8 2 0 3e7ccf2d98fabc20 93960c078fa4992b",
	};
	const char *what = "known: the MMIO RAM turned into a memslot: L2's next read there reaches memory, not an MMIO exit";
	struct eng_steps l = { 0 };
	struct run run = { .v = &variants[5], .seed = 6, .mmio = true,
			   .mmio_raw = true };
	int saved = l2_paging;
	char why[128];

	if (!nested_supported(&plat, why, sizeof(why))) {
		tap_skip(why, "%s", what);
		return;
	}
	parse_steps(lines, ARRAY_SIZE(lines), &l);
	run.nr_steps = l.nr;
	l2_paging = 1;	/* 64 */
	tap_check(run_steps(&run, &l, NULL), "%s", what);
	l2_paging = saved;
	eng_steps_free(&l);
}

/*
 * A regression point: dirty logging on, then off at once, over huge
 * mappings the guest did not write in between.  Logging's start writes
 * every 2 MiB page of the window but one (touch_window()), so one huge
 * mapping outlives logging write-protected, and its end
 * (kvm_mmu_zap_collapsible_sptes()) meets it in a shadow page whose gfn
 * lies below the memslot's base: Linux 6.1.176 reads lpage_info out of
 * bounds there and oopses ("KVM: x86/mmu: Ensure hugepage is in by slot
 * before checking max mapping level", 6.1.177; tdp_mmu=N).  The random
 * runs reach it too where no write while logging splits the spared page.
 */
static void regress_unwritten_huge(void)
{
	static const char *const lines[] = {
		"EVENT 6 0 0 0 0", "EVENT 7 0 0 0 0",	/* EV_DIRTY_ON, _OFF */
	};
	const char *what = "regression: dirty logging started and stopped over a huge mapping the guest did not write";
	struct eng_steps l = { 0 };
	struct run run = { .v = &variants[3], .seed = 4 };

	parse_steps(lines, ARRAY_SIZE(lines), &l);
	run.nr_steps = l.nr;
	tap_check(run_steps(&run, &l, NULL), "%s", what);
	eng_steps_free(&l);
}

static int variant_parse(const char *name)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(variants); i++)
		if (!strcmp(name, variants[i].name))
			return (int)i;
	return -1;
}

/* Strips TAP "# " and "repro: " prefixes so that saved output replays. */
static char *replay_line(char *line)
{
	line[strcspn(line, "\n")] = 0;
	if (!strncmp(line, "# ", 2))
		line += 2;
	if (!strncmp(line, "repro: ", 7))
		line += 7;
	return line;
}

/*
 * --replay takes a file of "# repro:" lines, or the same lines joined by
 * ';' in the argument itself (the harness passes arguments, not files).
 */
static void replay(const struct options *o)
{
	bool inline_lines = strchr(o->replay, ';');
	FILE *f = inline_lines ? fmemopen((void *)o->replay, strlen(o->replay), "r") :
				 fopen(o->replay, "r");
	struct run run = { 0 };
	struct eng_steps steps = { 0 };
	char buf[512], *line, name[64], why[128];
	struct eng_step st;
	int v, version;

	if (!f)
		usage_error("cannot open replay file %s: %m", o->replay);
	while (inline_lines ? fscanf(f, "%511[^;];", buf) == 1 :
			      fgets(buf, sizeof(buf), f) != NULL) {
		line = replay_line(buf);
		if (!*line)
			continue;
		/* Format 2: the run had MMIO RAM (1: none, before it). */
		if (sscanf(line, "fuzz-replay %d", &version) == 1) {
			if (version != 1 && version != 2)
				usage_error("replay format %d: this fuzz reads 1 and 2", version);
			run.mmio = version == 2;
			continue;
		}
		if (sscanf(line, "variant %63s", name) == 1) {
			v = variant_parse(name);
			if (v < 0)
				usage_error("unknown variant in replay file: %s", name);
			run.v = &variants[v];
		} else if (sscanf(line, "seed %" SCNu64, &run.seed) == 1) {
			continue;
		} else if (sscanf(line, "l2-paging %63s", name) == 1) {
			for (v = 0; l2_mode_names[v] && strcmp(l2_mode_names[v], name); v++)
				;
			if (!l2_mode_names[v])
				usage_error("unknown l2-paging in replay file: %s", name);
			l2_paging = v;
		} else if (eng_step_parse(line, &st)) {
			eng_steps_push(&steps, &st);
		} else {
			usage_error("malformed replay line: %s", line);
		}
	}
	fclose(f);
	if (!run.v)
		usage_error("replay file %s names no variant", o->replay);
	if (run.v->nested ? !nested_supported(&plat, why, sizeof(why)) :
			    !paging_mode_supported(run.v->mode, why, sizeof(why))) {
		tap_skip(why, "replay: %s seed %" PRIu64 ", %u steps as predicted",
			 run.v->name, run.seed, steps.nr);
		eng_steps_free(&steps);
		return;
	}
	run.nr_steps = steps.nr;
	tap_check(run_steps(&run, &steps, NULL), "replay: %s seed %" PRIu64 ", %u steps as predicted",
		  run.v->name, run.seed, steps.nr);
	eng_steps_free(&steps);
}

/*
 * Page-table memory back where it was once every VM is gone: the memory
 * cgroup's sec_pagetables and /proc/meminfo SecPageTables (a shadow or
 * TDP page leaked, or accounted and never unaccounted, stays there).
 */
static bool accounting_begin(struct kmem_cg *cg, struct kmem_snapshot *s)
{
	char why[256];

	if (__kmem_cg_enter(cg, why, sizeof(why))) {
		tap_diag("no page-table accounting check: %s", why);
		return false;
	}
	kmem_settle(cg, s);
	return true;
}

static void accounting_end(struct kmem_cg *cg, const struct kmem_snapshot *before)
{
	struct kmem_snapshot after;
	s64 cg_d, sys_d;

	kmem_settle(cg, &after);
	cg_d = kmem_delta(before, &after, KMEM_SEC_PAGETABLES);
	sys_d = kmem_delta(before, &after, KMEM_SYS_SEC_PAGETABLES);
	tap_measured("memcg sec_pagetables %+lld bytes, SecPageTables %+lld bytes",
		     (long long)cg_d, (long long)sys_d);
	tap_check(cg_d <= 4096 && sys_d <= 4096,
		  "page-table memory back to its baseline after every VM was destroyed");
	kmem_cg_leave(cg);
}

int main(int argc, char **argv)
{
	struct kmem_cg cg;
	struct kmem_snapshot base;
	bool acct;
	/* --mode's choices: the variants' names. */
	const char *names[ARRAY_SIZE(variants) + 1] = { 0 };
	struct options o = { .variant = -1, .seed = 1, .steps = 1200, .rounds = 2 };
	bool long_run = false, no_shrink = false;
	const struct test_opt opts[] = {
		OPT_CHOICE("mode", "MODE", &o.variant, names,
			   "only this variant: nonpae-4k, nonpae-pse, pae, 64, la57, nested (L2 under L1's NPT/EPT) or nonpae-pse0 (CR4.PSE toggled)"),
		OPT_U64("seed", "N", &o.seed, 0, UINT64_MAX,
			"seed of the first run (variant i uses N + i)"),
		OPT_U32("steps", "N", &o.steps, 1, 10000000,
			"random steps per run (default 1200)"),
		OPT_U32("seeds", "N", &o.rounds, 1, 1000000,
			"seeds per variant: N, N + 1000, ... (default 2)"),
		OPT_U32("duration", "SECONDS", &o.duration, 0, 86400 * 7,
			"draw new seeds until SECONDS have passed (default $KMT_BUDGET, ci/qualify's --budget; unset: --seeds)"),
		OPT_FLAG("long", &long_run, "soak: --duration 600"),
		OPT_STRING("replay", "FILE", &o.replay,
			   "rerun the \"# repro:\" lines of a failed point"),
		OPT_FLAG("one-vcpu", &one_vcpu,
			 "no second vCPU on the shared tables"),
		OPT_FLAG("no-shrink", &no_shrink,
			 "print a failing run as it is, unshrunk"),
		OPT_CHOICE("l2-paging", "MODE", &l2_paging, l2_mode_names,
			   "nested: L2's paging, off, 64, nonpae, pae or la57 (default: from the seed)"),
		{ 0 }
	};
	const struct kvm_test test = {
		.summary = "Randomized differential engine: guest page-table edits, flushes and accesses with host-side events, every outcome predicted by the reference walker.",
		.opts = opts,
	};
	double end;
	u64 seed;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(variants); i++)
		names[i] = variants[i].name;
	kvm_test_start(argc, argv, &test, &plat);
	if (long_run && !o.duration)
		o.duration = 600;
	if (!o.duration) {
		o.duration = kvm_test_budget();
		if (o.duration)
			tap_diag("budget: new seeds for %u s ($KMT_BUDGET)",
				 o.duration);
	}
	o.shrink = !no_shrink;
	pre_fault = kvm_check_cap(KVM_CAP_PRE_FAULT_MEMORY) > 0;
	npt = plat.vendor == KVM_VENDOR_AMD && plat.tdp;
	if (npt)
		tap_diag("pae under NPT: CR4.SMEP set from the start on odd seeds, never toggled (QEMU sets the reserved A bit of PAE PDPTEs, which KVM checks on a CR4.SMEP change)");
	if (o.replay) {
		replay(&o);
		return tap_finish();
	}
	if (!pre_fault)
		tap_skip("KVM_CAP_PRE_FAULT_MEMORY absent (Linux < 6.10, or no TDP in this configuration)",
			 "host events: KVM_PRE_FAULT_MEMORY before accesses");
	acct = accounting_begin(&cg, &base);
	end = now() + o.duration;
	seed = o.seed;
	do {
		for (i = 0; i < ARRAY_SIZE(variants); i++)
			if (o.variant < 0 || o.variant == (int)i)
				run_point(&variants[i], seed + i, &o);
		seed += 1000;
	} while (o.duration ? now() < end : --o.rounds > 0);
	if (o.variant < 0) {
		known_smap_ac_wp0();
		known_pse_toggle();
		known_mmio_sync();
		regress_unwritten_huge();
	}
	if (acct)
		accounting_end(&cg, &base);
	return tap_finish();
}
