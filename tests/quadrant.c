// SPDX-License-Identifier: GPL-2.0-only
/*
 * Quadrant-correct shadowing of 4-byte guest PTEs.
 *
 * Guards arch/x86/kvm/mmu (shadow paging, kvm_amd npt=0 / kvm_intel
 * ept=0): kvm_mmu_child_role() (role.quadrant of a shadow page table: a
 * 4-byte guest page table maps 4 MiB, so two 8-byte shadow tables shadow
 * it, one per 2 MiB half, told apart by bit 21 of the address), the four
 * PAE page directories that mmu_alloc_shadow_roots() builds for one
 * non-PAE page directory (one per GiB quarter), and the write-tracking
 * path (kvm_mmu_track_write / get_written_sptes) that must zap the right
 * shadow entries when the guest writes a 4-byte entry.  Bug class: a
 * shadow page built for one half or quarter reused for another, or a
 * guest PTE write zapping the wrong shadow entry: the guest then reads
 * another page's data.  See shared/seed-eager-split-cleanups.txt, patch 1.
 *
 * Every scenario runs in non-PAE mode (the target) and, as controls with
 * 8-byte entries and no quadrants, in PAE and 64-bit mode.  Each access's
 * outcome is compared with the reference walker on a mirror of guest
 * memory (lib/engine.h); tags in every data word name the
 * physical address a read really reached.
 *
 *   quadrant [--mode nonpae|pae|64] [--seed N] [--iterations N] [--long]
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "guest.h"
#include "kvm_test.h"
#include "tap.h"
#include "test_util.h"

GUEST_PROGRAM_DECLARE(op_interp);

#define MEM_SIZE	(48ULL << 20)

static const struct ptgen_area area = {
	.data_lo = 8ULL << 20, .data_hi = 24ULL << 20,
	.large_lo = 24ULL << 20, .large_hi = 48ULL << 20,
};

struct qtest {
	enum paging_mode mode;
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	struct pgtable *pt;
	struct ptgen g;
	u64 large;		/* what one PDE maps: 4 MiB or 2 MiB */
	u32 nr_entries;		/* entries per table: 1024 or 512 */
	u32 esize;
};

static void q_begin(struct qtest *t, enum paging_mode mode, u64 seed)
{
	struct guest_program prog = GUEST_PROGRAM(op_interp);

	memset(t, 0, sizeof(*t));
	t->mode = mode;
	t->vm = vm_create_guest(mode, &prog, MEM_SIZE);
	t->vcpu = vm_guest_vcpu_add(t->vm, 0);
	t->pt = &t->vm->pt;
	t->large = pg_level_size(mode, 2);
	t->esize = (u32)pg_entry_size(mode);
	t->nr_entries = (u32)(PAGE_SIZE_4K / t->esize);
	ptgen_init(&t->g, t->vm, seed, &area);
}

static void q_end(struct qtest *t, const char *what)
{
	ptgen_check(&t->g, t->vcpu, "%s: %s", paging_mode_name(t->mode), what);
	ptgen_free(&t->g);
	vm_destroy(t->vm);
}

static void map4k(struct qtest *t, u64 va)
{
	pg_map(t->pt, va, ptgen_page(&t->g), PAGE_SIZE_4K, PTE_W);
}

static void read_write_read(struct qtest *t, u64 va)
{
	ptgen_read(&t->g, va);
	ptgen_write(&t->g, va + 0x40);
	ptgen_read(&t->g, va + 0x40);
}

/* PTE i and PTE 512 + i of one 4-byte page table: the two halves. */
static void scenario_halves(struct qtest *t)
{
	const u64 base = 0x40000000;
	u32 i;

	for (i = 0; i < 512; i += 5) {
		map4k(t, base + i * PAGE_SIZE_4K);
		map4k(t, base + (512 + i) * PAGE_SIZE_4K);
	}
	ptgen_start(&t->g);
	for (i = 0; i < 512; i += 5) {
		read_write_read(t, base + i * PAGE_SIZE_4K);
		read_write_read(t, base + (512 + i) * PAGE_SIZE_4K);
	}
	q_end(t, "both halves of one page table (PTE i and 512+i)");
}

static u64 quarter_va(u32 q, u32 k)
{
	if (k == 7)	/* the last page of the quarter, 0xfffff000 for q 3 */
		return ((u64)q << 30) + PAGE_SIZE_1G - PAGE_SIZE_4K;
	return ((u64)q << 30) + 0x01000000 + k * 0x04401000ULL;
}

/* Pages in all four GiB quarters: the four shadow PAE directories. */
static void scenario_quarters(struct qtest *t)
{
	u32 q, k;

	for (q = 0; q < 4; q++)
		for (k = 0; k < 8; k++)
			map4k(t, quarter_va(q, k));
	ptgen_start(&t->g);
	for (k = 0; k < 8; k++)
		for (q = 0; q < 4; q++)
			read_write_read(t, quarter_va(q, k));
	q_end(t, "all four GiB quarters of the page directory, up to 0xfffff000");
}

static u64 pde_pa(struct qtest *t, u64 root, u64 va)
{
	return pg_entry_pa_alloc(t->pt, root, va, 2);
}

static void read_pages(struct qtest *t, u64 base, const u32 *idx, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		ptgen_read(&t->g, base + idx[i] * PAGE_SIZE_4K + 4 * i);
}

/* One page table under several PDEs and under two page directories. */
static void scenario_shared(struct qtest *t)
{
	const u64 r0 = 0x40800000, r1 = 0x7fc00000, r2 = 0xc0c00000,
		  r3 = 0x81400000;
	const u32 idx[] = { 0, 1, 255, 256, 511, 512, 513, 767, 1023 };
	u32 n = ARRAY_SIZE(idx) - (t->nr_entries == 512 ? 4 : 0);
	u64 root2, pde, epa;
	u32 i;

	for (i = 0; i < n; i++)
		map4k(t, r0 + idx[i] * PAGE_SIZE_4K);
	pde = pg_read_entry(t->pt, pde_pa(t, t->pt->root, r0));
	pg_write_entry(t->pt, pde_pa(t, t->pt->root, r1), pde);
	pg_write_entry(t->pt, pde_pa(t, t->pt->root, r2), pde);
	root2 = vm_new_root(t->vm);
	pg_write_entry(t->pt, pde_pa(t, root2, r0), pde);
	pg_write_entry(t->pt, pde_pa(t, root2, r3), pde);
	ptgen_start(&t->g);
	read_pages(t, r0, idx, n);
	read_pages(t, r1, idx, n);
	read_pages(t, r2, idx, n);
	ptgen_write(&t->g, r1 + idx[n - 1] * PAGE_SIZE_4K);
	read_pages(t, r0, idx, n);
	ptgen_load_cr3(&t->g, root2);
	read_pages(t, r3, idx, n);
	read_pages(t, r0, idx, n);
	/* Retarget one PTE of the shared table; flush where root2 maps it. */
	epa = ptgen_entry_pa(&t->g, r3 + idx[n - 2] * PAGE_SIZE_4K, 1);
	ptgen_set_entry(&t->g, epa, pg_make_entry(t->mode, 1, ptgen_page(&t->g),
						  PTE_W), 0);
	ptgen_invlpg(&t->g, r3 + idx[n - 2] * PAGE_SIZE_4K);
	ptgen_invlpg(&t->g, r0 + idx[n - 2] * PAGE_SIZE_4K);
	read_pages(t, r3, idx, n);
	read_pages(t, r0, idx, n);
	ptgen_load_cr3(&t->g, t->pt->root);
	read_pages(t, r1, idx, n);
	read_pages(t, r2, idx, n);
	q_end(t, "one page table under three PDEs and two page directories");
}

/* Large pages beside 4 KiB pages, in every quarter and both halves. */
static void scenario_pse_mix(struct qtest *t)
{
	u64 big[4], small[4], epa, pde;
	u32 q, i, half = t->nr_entries / 2;

	for (q = 0; q < 4; q++) {
		big[q] = ((u64)q << 30) + 0x02000000 + q * t->large;
		small[q] = big[q] + t->large;
		pg_map(t->pt, big[q], ptgen_large_page(&t->g), t->large, PTE_W);
		for (i = 0; i < 8; i++) {
			map4k(t, small[q] + i * 3 * PAGE_SIZE_4K);
			map4k(t, small[q] + (half + i * 3) * PAGE_SIZE_4K);
		}
	}
	ptgen_start(&t->g);
	for (q = 0; q < 4; q++) {
		for (i = 0; i < 8; i++) {
			read_write_read(t, big[q] + i * (t->large / 8) + i * 0x1040);
			read_write_read(t, small[q] + i * 3 * PAGE_SIZE_4K);
			read_write_read(t, small[q] + (half + i * 3) * PAGE_SIZE_4K);
		}
	}
	/* Large -> small and back, through the guest's own PDE writes. */
	epa = ptgen_entry_pa(&t->g, big[3], 2);
	pde = ptgen_entry(&t->g, epa);
	ptgen_set_entry(&t->g, epa, ptgen_entry(&t->g, ptgen_entry_pa(&t->g, small[3], 2)), 0);
	ptgen_load_cr3(&t->g, ptgen_cr3(&t->g));
	for (i = 0; i < 8; i++)
		ptgen_read(&t->g, big[3] + (half + i * 3) * PAGE_SIZE_4K);
	ptgen_set_entry(&t->g, epa, pde, 0);
	ptgen_load_cr3(&t->g, ptgen_cr3(&t->g));
	for (i = 0; i < 8; i++)
		ptgen_read(&t->g, big[3] + i * (t->large / 8));
	q_end(t, "large pages mixed with 4 KiB pages in all quarters and halves");
}

/*
 * The guest edits one PTE @va through @via (0: identity) and exercises
 * every transition: not-present -> present without a flush, present ->
 * other page with INVLPG, -> read-only, -> user (U/S), -> user read-only,
 * -> not-present (#PF expected where the architecture says so).
 */
static void edit_transitions(struct qtest *t, u64 va, u64 epa, u64 via)
{
	struct ptgen *g = &t->g;

	ptgen_set_entry(g, epa, pg_make_entry(t->mode, 1, ptgen_page(g), PTE_W), via);
	read_write_read(t, va);
	ptgen_set_entry(g, epa, pg_make_entry(t->mode, 1, ptgen_page(g), PTE_W), via);
	ptgen_invlpg(g, va);
	read_write_read(t, va);
	ptgen_set_entry(g, epa, pg_make_entry(t->mode, 1, ptgen_page(g), 0), via);
	ptgen_invlpg(g, va);
	ptgen_read(g, va + 8);
	ptgen_write(g, va + 8);			/* #PF P|W */
	ptgen_set_entry(g, epa, ptgen_entry(g, epa) | PTE_W, via);
	ptgen_invlpg(g, va);
	ptgen_write(g, va + 8);
	ptgen_user_read(g, va + 16);		/* #PF P|U: supervisor page */
	ptgen_set_entry(g, epa, ptgen_entry(g, epa) | PTE_U, via);
	ptgen_invlpg(g, va);
	ptgen_user_read(g, va + 16);
	ptgen_user_write(g, va + 16);
	ptgen_set_entry(g, epa, ptgen_entry(g, epa) & ~PTE_W, via);
	ptgen_invlpg(g, va);
	ptgen_user_write(g, va + 20);		/* #PF P|W|U */
	ptgen_write(g, va + 20);		/* #PF P|W (CR0.WP) */
	ptgen_set_entry(g, epa, 0, via);
	ptgen_invlpg(g, va);
	ptgen_read(g, va + 12);			/* #PF not present */
	ptgen_write(g, va + 12);
}

/* Unmapped PTEs in both halves of the table behind @region. */
static void prepare_region(struct qtest *t, u64 region, const u32 *idx, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		map4k(t, region + idx[i] * PAGE_SIZE_4K);
		pg_write_entry(t->pt, pg_entry_pa(t->pt, t->pt->root,
			region + idx[i] * PAGE_SIZE_4K, 1), 0);
	}
}

static void scenario_edits(struct qtest *t)
{
	const u64 r = 0xc0400000, other = 0xc1000000;
	u32 idx[] = { 3, 200, 511, 512, 515, 712, 1023 };
	u32 n = ARRAY_SIZE(idx), i;
	u64 pde, pde_other, epa;

	for (i = 0; i < n; i++)
		idx[i] %= t->nr_entries;
	prepare_region(t, r, idx, n);
	for (i = 0; i < n; i++)
		map4k(t, other + idx[i] * PAGE_SIZE_4K);
	ptgen_start(&t->g);
	for (i = 0; i < n; i++) {
		u64 va = r + idx[i] * PAGE_SIZE_4K;

		edit_transitions(t, va, ptgen_entry_pa(&t->g, va, 1), 0);
	}
	/* Retarget the PDE to another table, reload CR3, and back. */
	epa = ptgen_entry_pa(&t->g, r, 2);
	pde = ptgen_entry(&t->g, epa);
	pde_other = ptgen_entry(&t->g, ptgen_entry_pa(&t->g, other, 2));
	ptgen_set_entry(&t->g, epa, pde_other, 0);
	ptgen_load_cr3(&t->g, ptgen_cr3(&t->g));
	read_pages(t, r, idx, n);
	ptgen_set_entry(&t->g, epa, pde, 0);
	ptgen_load_cr3(&t->g, ptgen_cr3(&t->g));
	read_pages(t, r, idx, n);
	q_end(t, "guest edits: not-present->present, remap, R/W and U/S changes, unmap, PDE retarget");
}

/*
 * A recursive page directory: one of its entries points at itself, so the
 * directory is also used as a page table and every table under it appears
 * in a 4 MiB (2 MiB) window.  KVM cannot unsync a table that is shadowed
 * at two levels, so every write here goes through its write tracking.
 */
static void scenario_recursive(struct qtest *t)
{
	const u64 r = 0x40400000;
	const u32 idx[] = { 5, 300, 511, 512, 700, 1023 };
	u64 span = t->large * t->nr_entries, pd, win, self, pd_idx;
	u32 n = ARRAY_SIZE(idx), i;

	prepare_region(t, r, idx, n);
	map4k(t, r + 2 * t->large);	/* a second table, for the retarget */
	pd = pg_entry_pa(t->pt, t->pt->root, r, 2) & ~(PAGE_SIZE_4K - 1);
	self = t->nr_entries - 2;
	win = ALIGN_DOWN(r, span) + self * t->large;
	pg_write_entry(t->pt, pd + self * t->esize,
		       pg_make_entry(t->mode, 2, pd, PTE_W | PTE_U));
	pd_idx = (r % span) / t->large;
	ptgen_start(&t->g);
	for (i = 0; i < n; i++) {
		u32 k = idx[i] % t->nr_entries;
		u64 va = r + k * PAGE_SIZE_4K;
		u64 via = win + pd_idx * PAGE_SIZE_4K + k * t->esize;

		edit_transitions(t, va, ptgen_entry_pa(&t->g, va, 1), via);
		ptgen_op(&t->g, OP_READ32, via, 0, OPF_IGNORE_AD);
	}
	/* A PDE written through the window: the directory's own page. */
	ptgen_set_entry(&t->g, pd + pd_idx * t->esize,
			ptgen_entry(&t->g, pd + (pd_idx + 2) * t->esize),
			win + self * PAGE_SIZE_4K + pd_idx * t->esize);
	ptgen_load_cr3(&t->g, ptgen_cr3(&t->g));
	ptgen_read(&t->g, r);
	ptgen_op(&t->g, OP_READ32, win + self * PAGE_SIZE_4K + pd_idx * t->esize,
		 0, OPF_IGNORE_AD);
	q_end(t, "recursive page directory: entries edited through the window");
}

/* The page table also mapped as data at another VA and written there. */
static void scenario_alias(struct qtest *t)
{
	const u64 r = 0x80c00000, alias = 0xe0000000;
	const u32 idx[] = { 9, 500, 511, 512, 800, 1023 };
	u32 n = ARRAY_SIZE(idx), i;
	u64 table;

	prepare_region(t, r, idx, n);
	table = pg_entry_pa(t->pt, t->pt->root, r, 1);
	pg_map(t->pt, alias, table, PAGE_SIZE_4K, PTE_W);
	ptgen_start(&t->g);
	for (i = 0; i < n; i++) {
		u32 k = idx[i] % t->nr_entries;

		edit_transitions(t, r + k * PAGE_SIZE_4K, table + k * t->esize,
				 alias + k * t->esize);
		ptgen_op(&t->g, OP_READ32, alias + k * t->esize, 0, OPF_IGNORE_AD);
	}
	q_end(t, "page table written through a data alias");
}

struct options {
	int mode;		/* PAGING_NR_MODES: all */
	u64 seed;
	bool seed_given;
	u32 iterations;
	u32 nr_seeds;
	bool long_run;
};

static void scenario_random(struct qtest *t, u64 seed, u32 iterations)
{
	char what[128];

	ptgen_random(&t->g, 8, iterations);
	snprintf(what, sizeof(what),
		 "random differential, seed %" PRIu64 ", %u steps", seed,
		 iterations);
	q_end(t, what);
}

static void (*const scenarios[])(struct qtest *t) = {
	scenario_halves, scenario_quarters, scenario_shared, scenario_pse_mix,
	scenario_edits, scenario_recursive, scenario_alias,
};

static void run_mode(enum paging_mode mode, const struct options *o)
{
	struct qtest t;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		q_begin(&t, mode, o->seed + i);
		scenarios[i](&t);
	}
	for (i = 0; i < o->nr_seeds; i++) {
		q_begin(&t, mode, o->seed + 100 + i);
		scenario_random(&t, o->seed + 100 + i, o->iterations);
	}
}

int main(int argc, char **argv)
{
	static const char *const modes[] = { "nonpae", "pae", "64", NULL };
	struct options o = { .mode = PAGING_NR_MODES, .seed = 1,
			     .iterations = 1500, .nr_seeds = 3 };
	const struct test_opt opts[] = {
		OPT_CHOICE("mode", "MODE", &o.mode, modes,
			   "only this paging mode: nonpae, pae or 64"),
		{ .name = "seed", .kind = OPT_U64, .dst = &o.seed, .metavar = "N",
		  .min = 0, .max = UINT64_MAX, .given = &o.seed_given,
		  .help = "seed of the scenarios; one random run from N + 100 instead of three" },
		OPT_U32("iterations", "N", &o.iterations, 1, 10000000,
			"steps of each random differential run (default 1500)"),
		OPT_FLAG("long", &o.long_run,
			 "qualification length: 10 random runs of 100000 steps"),
		{ 0 }
	};
	const struct kvm_test test = {
		.summary = "Quadrant-correct shadowing of 4-byte guest PTEs (fixed scenarios and a randomized differential run per paging mode).",
		.opts = opts,
	};
	struct kvm_platform plat;
	int mode;

	kvm_test_start(argc, argv, &test, &plat);
	if (o.seed_given)
		o.nr_seeds = 1;
	if (o.long_run) {
		o.iterations = 100000;
		o.nr_seeds = o.seed_given ? 1 : 10;
	}
	if (plat.tdp)
		tap_diag("TDP is on: guest PTEs are not shadowed, so this run checks the guest walk only");
	for (mode = PAGING_NONPAE; mode <= PAGING_LM4; mode++)
		if (o.mode == PAGING_NR_MODES || o.mode == mode)
			run_mode(mode, &o);
	return tap_finish();
}
