// SPDX-License-Identifier: GPL-2.0-only
/*
 * The randomized differential generator (see ptgen_random() in ptgen.h).
 *
 * Several VA regions, each one level-2 entry's worth (4 MiB non-PAE,
 * 2 MiB otherwise), under two roots, point into a small pool of page
 * tables, so the same guest table is reached from several PDEs and several
 * CR3s, in both halves and all quarters; random edits then keep changing
 * what maps where.  Every edit is followed by the flush an OS would do, so
 * the prediction (which models no TLB) is exact.
 */
#include <string.h>

#include "guest.h"
#include "ptgen.h"
#include "test_util.h"

#define NR_ROOTS	2
#define NR_TABLES	6
#define MAX_REGIONS	16

struct rnd {
	struct ptgen *g;
	enum paging_mode mode;
	u32 nr_regions;
	u64 region[MAX_REGIONS];
	u64 roots[NR_ROOTS];
	u64 tables[NR_TABLES];
	u32 nr_entries;		/* entries per table */
	u64 large;		/* bytes one level-2 entry maps */
};

static u64 any_data_page(struct rnd *r)
{
	const struct ptgen_area *a = &r->g->area;

	return a->data_lo + rng_below(&r->g->rng,
		(a->data_hi - a->data_lo) / PAGE_SIZE_4K) * PAGE_SIZE_4K;
}

static u64 any_large_page(struct rnd *r)
{
	const struct ptgen_area *a = &r->g->area;
	u64 lo = ALIGN_UP(a->large_lo, r->large);

	return lo + rng_below(&r->g->rng, (a->large_hi - lo) / r->large) * r->large;
}

static u64 random_pte(struct rnd *r)
{
	u64 flags = 0;

	if (rng_below(&r->g->rng, 10) < 3)
		return 0;
	if (rng_below(&r->g->rng, 10) < 7)
		flags |= PTE_W;
	if (rng_next(&r->g->rng) & 1)
		flags |= PTE_A;	/* KVM prefetches only accessed gPTEs */
	if (rng_next(&r->g->rng) & 1)
		flags |= PTE_U;
	return pg_make_entry(r->mode, 1, any_data_page(r), flags);
}

static u64 random_pde(struct rnd *r)
{
	u64 x = rng_below(&r->g->rng, 10);

	if (x < 2)
		return 0;
	if (x < 4)
		return pg_make_entry(r->mode, 2, any_large_page(r), PTE_PS |
				     PTE_W | (rng_next(&r->g->rng) & 1 ? PTE_U : 0));
	return pg_make_entry(r->mode, 2,
			     r->tables[rng_below(&r->g->rng, NR_TABLES)],
			     PTE_W | PTE_U);
}

static bool region_taken(struct rnd *r, u64 va)
{
	u32 i;

	for (i = 0; i < r->nr_regions; i++)
		if (r->region[i] == va)
			return true;
	return false;
}

/* Regions spread over all four GiB quarters, clear of the runtime. */
static void pick_regions(struct rnd *r, u32 n)
{
	while (r->nr_regions < n) {
		u64 quarter = r->nr_regions % 4;
		u64 va = quarter << 30 |
			 rng_below(&r->g->rng, PAGE_SIZE_1G / r->large) * r->large;

		if (va < LAYOUT_RUNTIME_END || region_taken(r, va))
			continue;
		r->region[r->nr_regions++] = va;
	}
}

static void build_tables(struct rnd *r)
{
	struct kvm_vm *vm = r->g->vm;
	u32 i, t, root;

	r->roots[0] = vm->pt.root;
	for (root = 1; root < NR_ROOTS; root++)
		r->roots[root] = vm_new_root(vm);
	for (t = 0; t < NR_TABLES; t++) {
		r->tables[t] = vm_alloc_table_page(vm);
		for (i = 0; i < r->nr_entries; i++)
			pg_write_entry(&vm->pt, r->tables[t] +
				       i * pg_entry_size(r->mode), random_pte(r));
	}
	for (root = 0; root < NR_ROOTS; root++)
		for (i = 0; i < r->nr_regions; i++)
			pg_write_entry(&vm->pt,
				       pg_entry_pa_alloc(&vm->pt, r->roots[root],
							 r->region[i], 2),
				       random_pde(r));
}

/* @count accesses to consecutive pages of one region (wrapping inside it). */
static void random_access(struct rnd *r, u32 count)
{
	struct ptgen *g = r->g;
	u64 base = r->region[rng_below(&g->rng, r->nr_regions)];
	u64 page = rng_below(&g->rng, r->nr_entries);
	u32 i;

	for (i = 0; i < count; i++, page++) {
		u64 va = base + (page % (r->large / PAGE_SIZE_4K)) * PAGE_SIZE_4K +
			 rng_below(&g->rng, PAGE_SIZE_4K / 4) * 4;

		switch (rng_below(&g->rng, 8)) {
		case 0:
			ptgen_user_read(g, va);
			break;
		case 1:
			ptgen_user_write(g, va);
			break;
		case 2:
		case 3:
			ptgen_write(g, va);
			break;
		default:
			ptgen_read(g, va);
		}
	}
}

/* A PTE changes: flush it wherever the current root maps that table. */
static void edit_pte(struct rnd *r)
{
	struct ptgen *g = r->g;
	u64 table = r->tables[rng_below(&g->rng, NR_TABLES)];
	u32 idx = (u32)rng_below(&g->rng, r->nr_entries);
	u64 epa = table + idx * pg_entry_size(r->mode);
	u64 old = ptgen_entry(g, epa);
	u32 i;

	ptgen_set_entry(g, epa, random_pte(r), 0);
	if (!(old & PTE_P))
		return;	/* not-present entries are never cached */
	for (i = 0; i < r->nr_regions; i++) {
		u64 pde_pa = ptgen_entry_pa(g, r->region[i], 2);
		u64 pde = pde_pa ? ptgen_entry(g, pde_pa) : 0;

		if ((pde & PTE_P) && !(pde & PTE_PS) &&
		    pg_entry_addr(r->mode, 2, pde) == table)
			ptgen_invlpg(g, r->region[i] + idx * PAGE_SIZE_4K);
	}
}

/* A PDE changes: INVLPG covers one page only, so reload CR3. */
static void edit_pde(struct rnd *r)
{
	struct ptgen *g = r->g;
	u64 va = r->region[rng_below(&g->rng, r->nr_regions)];
	u64 epa = ptgen_entry_pa(g, va, 2);

	TEST_ASSERT(epa, "region 0x%llx lost its PDE", (unsigned long long)va);
	ptgen_set_entry(g, epa, random_pde(r), 0);
	ptgen_load_cr3(g, ptgen_cr3(g));
}

static void random_step(struct rnd *r)
{
	struct ptgen *g = r->g;
	u64 x = rng_below(&g->rng, 100);

	if (x < 40)
		random_access(r, 1);
	else if (x < 60)
		edit_pte(r);
	else if (x < 70)
		edit_pde(r);
	else if (x < 78)
		ptgen_load_cr3(g, r->roots[rng_below(&g->rng, NR_ROOTS)]);
	else if (x < 82)
		ptgen_load_cr3(g, ptgen_cr3(g));
	else
		random_access(r, 8);
}

void ptgen_random(struct ptgen *g, u32 nr_regions, u32 iterations)
{
	struct rnd r = { .g = g, .mode = g->vm->mode };
	u32 i;

	TEST_ASSERT(nr_regions <= MAX_REGIONS, "too many regions");
	r.large = pg_level_size(r.mode, 2);
	r.nr_entries = (u32)(PAGE_SIZE_4K / pg_entry_size(r.mode));
	pick_regions(&r, nr_regions);
	build_tables(&r);
	ptgen_start(g);
	for (i = 0; i < iterations; i++)
		random_step(&r);
}
