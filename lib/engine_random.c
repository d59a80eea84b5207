// SPDX-License-Identifier: GPL-2.0-only
/*
 * The randomized differential generator (see engine.h).
 *
 * Several VA regions, each one level-2 entry's worth (4 MiB non-PAE,
 * 2 MiB otherwise), under two roots, point into a small pool of page
 * tables, so the same guest table is reached from several PDEs and several
 * CR3s, in both halves and all quarters; random steps then keep changing
 * what maps where.  A step is drawn without looking at the tables (so any
 * sub-list of steps is a valid run, which the shrinker relies on) and
 * emitted against the tables as the steps so far leave them: every guest
 * edit is followed by the flush an OS would do, so the prediction (which
 * models no TLB) is exact; host writes to entries stay pending (either
 * translation accepted) until the guest rewrites the entry itself.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "guest.h"
#include "test_util.h"

#define RET_OPCODE	0xc3

void eng_steps_push(struct eng_steps *l, const struct eng_step *st)
{
	if (l->nr == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		TEST_ASSERT(l->v, "out of memory");
	}
	l->v[l->nr++] = *st;
}

void eng_steps_free(struct eng_steps *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static u64 below(struct eng_random *r, u64 n)
{
	return rng_below(&r->g->rng, n);
}

static u64 any_data_page(struct eng_random *r)
{
	const struct ptgen_area *a = &r->g->area;

	return a->data_lo + below(r, (a->data_hi - a->data_lo) / PAGE_SIZE_4K) *
			    PAGE_SIZE_4K;
}

/*
 * MMIO RAM (ptgen_area.mmio_lo): one leaf in 10 points there, where the
 * area has it.  Never a page table: KVM cannot walk one there.  A table
 * of leaves also serves as a directory (emit_set_upper()), so a 4 KiB
 * leaf into MMIO RAM has bit 7 (PAT) set: read as a directory entry it
 * is a large leaf, its low address bits reserved (PAE, long mode) or
 * PSE-36 bits out of memory (non-PAE); and none where CR4.PSE may go off
 * (bit 7 is then no leaf).
 */
static bool mmio_leaf(struct eng_random *r, u64 size)
{
	const struct ptgen_area *a = &r->g->area;

	if (a->mmio_hi - a->mmio_lo < size || r->prm.pse_toggle)
		return false;
	return rng_below(&r->mmio, 10) == 0;
}

/* Its own stream: the other steps of a seed stay what they were. */
static u64 any_mmio_page(struct eng_random *r, u64 size)
{
	const struct ptgen_area *a = &r->g->area;
	u64 lo = ALIGN_UP(a->mmio_lo, size);

	return lo + rng_below(&r->mmio, (a->mmio_hi - lo) / size) * size;
}

static u64 any_large_page(struct eng_random *r)
{
	const struct ptgen_area *a = &r->g->area;
	u64 lo = ALIGN_UP(a->large_lo, r->large);
	u64 pa = lo + below(r, (a->large_hi - lo) / r->large) * r->large;

	if (mmio_leaf(r, r->large) &&
	    ALIGN_UP(a->mmio_lo, r->large) + r->large <= a->mmio_hi)
		pa = any_mmio_page(r, r->large);
	return pa;
}

/* NX where the mode has it, on some entries (fetch runs only). */
static u64 maybe_nx(struct eng_random *r, u32 pct)
{
	if (!r->prm.fetch || !r->g->pt->nxe)
		return 0;
	return below(r, 100) < pct ? PTE_NX : 0;
}

static u64 code_page(struct eng_random *r)
{
	return r->g->area.data_lo + below(r, ENG_CODE_PAGES) * PAGE_SIZE_4K;
}

/*
 * U/S of a leaf: half of them user pages; in nested runs 7 in 8 (every
 * NPT walk is a user access: a supervisor leaf is a fault there).
 */
static u64 leaf_user(struct eng_random *r)
{
	if (rng_next(&r->g->rng) & 1)
		return PTE_U;
	return r->g->l2 && below(r, 4) ? PTE_U : 0;
}

static u64 random_pte(struct eng_random *r)
{
	u64 flags = 0, pa;

	if (below(r, 10) < 3)
		return 0;
	if (below(r, 10) < 7)
		flags |= PTE_W;
	if (rng_next(&r->g->rng) & 1)
		flags |= PTE_A;	/* KVM prefetches only accessed gPTEs */
	flags |= leaf_user(r);
	pa = any_data_page(r);
	if (r->prm.fetch) {
		flags |= maybe_nx(r, 25);
		/* Dirty already: KVM may map it writable at once (prefetch). */
		if (rng_next(&r->g->rng) & 1)
			flags |= PTE_D;
		if (below(r, 10) == 0)
			pa = code_page(r);
	}
	if (mmio_leaf(r, PAGE_SIZE_4K)) {
		pa = any_mmio_page(r, PAGE_SIZE_4K);
		flags |= PTE_PAT;
	}
	return pg_make_entry(r->mode, 1, pa, flags);
}

/*
 * Aliases: the page-table pool read through a read-only large page (the
 * same gfns shadowed as tables and mapped as data), or a root used as a
 * page table (recursive: one table at two levels).
 */
static u64 alias_pde(struct eng_random *r)
{
	/*
	 * Not a PAE root: a walk through its PDPTEs as PTEs may set their
	 * A bit (reserved in a PDPTE) even when it faults, and the next CR3
	 * load then takes a #GP the prediction cannot know of.
	 */
	if ((rng_next(&r->g->rng) & 1) || r->mode == PAGING_PAE)
		return pg_make_entry(r->mode, 2,
				     ALIGN_DOWN(LAYOUT_PT_POOL, r->large),
				     PTE_PS | (rng_next(&r->g->rng) & 1 ? PTE_U : 0));
	return pg_make_entry(r->mode, 2, r->roots[below(r, ENG_NR_ROOTS)],
			     PTE_W | PTE_U);
}

/*
 * A PDE over a table restricts what its PTEs grant (W, U, NX combine
 * over the walk); in fuzz runs some do.
 */
static u64 table_pde_flags(struct eng_random *r)
{
	u64 flags = PTE_W | PTE_U;

	/* Nested too: tables shared under read-only and writable PDEs. */
	if (!r->prm.fetch && !r->g->l2)
		return flags;
	if (below(r, 100) < 30)
		flags &= ~PTE_W;
	if (below(r, 100) < (r->g->l2 ? 10 : 30))
		flags &= ~PTE_U;
	return flags | maybe_nx(r, 20);
}

static u64 random_pde(struct eng_random *r)
{
	u64 x = below(r, 100);

	if (r->prm.alias && x >= 94)
		return alias_pde(r);
	if (x < 20)
		return 0;
	if (x < 20 + r->prm.large_pct)
		return pg_make_entry(r->mode, 2, any_large_page(r), PTE_PS |
				     PTE_W | (rng_next(&r->g->rng) & 1 ? PTE_U :
					      r->g->l2 && below(r, 4) ? PTE_U : 0) |
				     maybe_nx(r, 15));
	return pg_make_entry(r->mode, 2, r->tables[below(r, ENG_NR_TABLES)],
			     table_pde_flags(r));
}

static bool region_taken(struct eng_random *r, u64 va)
{
	u64 win = r->prm.window;
	u32 i;

	if (win && va + r->large > win && va < win + r->prm.window_size)
		return true;
	if (r->prm.giant && va + r->large > r->prm.giant &&
	    va < r->prm.giant + PAGE_SIZE_1G)
		return true;
	for (i = 0; i < r->nr_regions; i++)
		if (r->region[i] == va)
			return true;
	return false;
}

/*
 * Regions spread over all four GiB quarters (or, with wide_va, over all
 * four quarters of the mode's VA space, so that every upper level is
 * used), clear of the runtime.
 */
static void pick_regions(struct eng_random *r, u32 n)
{
	u64 span = r->prm.wide_va ? pg_va_limit(r->mode) / 4 : PAGE_SIZE_1G;

	/*
	 * Nested: at the offsets of L1's memory in each GiB, so that a
	 * 1 GiB leaf (L1 GPA 0) over a region still lands in its data.
	 */
	if (r->g->l2)
		span = r->g->area.large_hi;
	while (r->nr_regions < n) {
		u64 quarter = r->nr_regions % 4;
		u64 va = quarter * (r->prm.wide_va ? span : PAGE_SIZE_1G) +
			 below(r, span / r->large) * r->large;

		if (va < LAYOUT_RUNTIME_END || region_taken(r, va))
			continue;
		r->region[r->nr_regions++] = va;
	}
}

/*
 * The huge window: large pages over a huge-backed slot, in both roots
 * (nested: user pages, as every NPT walk is a user access).
 */
static void map_window(struct eng_random *r)
{
	struct pgtable *pt = r->g->pt;
	u64 off;

	for (off = 0; off < r->prm.window_size; off += r->large)
		pg_map(pt, r->prm.window + off, r->prm.window_pa + off, r->large,
		       PTE_W | PTE_A | (r->g->l2 ? PTE_U : 0));
}

/* The 1 GiB window's level-3 entry: the leaf, or the directory. */
static u64 giant_entry(const struct eng_random *r, bool split)
{
	if (split)
		return pg_make_entry(r->mode, 3, r->giant_pd, PTE_W | PTE_A);
	return pg_make_entry(r->mode, 3, r->prm.giant_pa, PTE_PS | PTE_W | PTE_A);
}

/*
 * The 1 GiB window in every root, and its directory: 2 MiB pages over
 * the same GiB with each pair of them swapped, so that a translation
 * KVM kept from the other form reaches the wrong page.
 */
static void map_giant(struct eng_random *r)
{
	struct pgtable *pt = r->g->pt;
	u32 root, i;

	r->giant_pd = vm_alloc_table_page(r->g->vm);
	for (i = 0; i < 512; i++)
		pg_write_entry(pt, r->giant_pd + 8 * i,
			       pg_make_entry(r->mode, 2, r->prm.giant_pa +
					     (u64)(i ^ 1) * PAGE_SIZE_2M,
					     PTE_PS | PTE_W | PTE_A));
	for (root = 0; root < ENG_NR_ROOTS; root++)
		pg_write_entry(pt, pg_entry_pa_alloc(pt, r->roots[root],
						     r->prm.giant, 3),
			       giant_entry(r, false));
}

/* Whether @root's 1 GiB window is the directory now. */
static bool giant_split(struct eng_random *r, u64 root)
{
	u64 epa = pg_entry_pa(&r->g->p.pt, root, r->prm.giant, 3);

	return epa && !(pg_read_entry(&r->g->p.pt, epa) & PTE_PS);
}

/* The VA of @pa (in the 1 GiB window) under the current root. */
static u64 giant_va(struct eng_random *r, u64 pa)
{
	u64 off = pa - r->prm.giant_pa;

	if (giant_split(r, ptgen_cr3(r->g)))
		off ^= PAGE_SIZE_2M;
	return r->prm.giant + off;
}

/* Root @root's window as the leaf (@split false) or the directory. */
static void giant_set(struct eng_random *r, u32 root, bool split)
{
	struct ptgen *g = r->g;
	u64 epa = pg_entry_pa(&g->p.pt, r->roots[root], r->prm.giant, 3);

	if (!epa || giant_split(r, r->roots[root]) == split)
		return;
	ptgen_set_entry(g, epa, giant_entry(r, split), 0);
	ptgen_load_cr3(g, ptgen_cr3(g));
}

/*
 * Reads one word of every tagged page of the window under both roots
 * (the leaf in each again first); or writes one under the first (while
 * dirty logging).
 */
static void touch_giant(struct eng_random *r, bool write)
{
	struct ptgen *g = r->g;
	u64 cr3 = ptgen_cr3(g), pa;
	u32 root, k;

	ptgen_force(g);
	for (root = 0; root < (write ? 1 : ENG_NR_ROOTS); root++) {
		if (!write)
			giant_set(r, root, false);
		ptgen_load_cr3(g, r->roots[root]);
		for (k = 0; (pa = ptgen_sparse_page(g, k)); k++) {
			if (write)
				ptgen_write(g, giant_va(r, pa) + 0x80);
			else
				ptgen_read(g, giant_va(r, pa) + 0x40);
		}
	}
	ptgen_load_cr3(g, cr3);
}

/* Another root, sharing the runtime's mappings (vm_new_root()). */
static u64 new_root(struct eng_random *r)
{
	u64 root = vm_alloc_table_page(r->g->vm);

	pg_share(r->g->pt, root, r->g->pt->root, 0, LAYOUT_RUNTIME_END, 2);
	return root;
}

static void build_tables(struct eng_random *r)
{
	struct kvm_vm *vm = r->g->vm;
	struct pgtable *pt = r->g->pt;
	u32 i, t, root;

	r->roots[0] = pt->root;
	if (r->prm.window)
		map_window(r);
	for (root = 1; root < ENG_NR_ROOTS; root++) {
		r->roots[root] = new_root(r);
		if (r->prm.window)
			pg_share(pt, r->roots[root], r->roots[0],
				 r->prm.window, r->prm.window_size, 2);
	}
	for (t = 0; t < ENG_NR_TABLES; t++) {
		r->tables[t] = vm_alloc_table_page(vm);
		for (i = 0; i < r->nr_entries; i++)
			pg_write_entry(pt, r->tables[t] +
				       i * pg_entry_size(r->mode), random_pte(r));
	}
	for (root = 0; root < ENG_NR_ROOTS; root++)
		for (i = 0; i < r->nr_regions; i++)
			pg_write_entry(pt, pg_entry_pa_alloc(pt, r->roots[root],
							     r->region[i], 2),
				       random_pde(r));
	/* Last: the tables above stay where they were without it. */
	if (r->prm.giant)
		map_giant(r);
}

/*
 * The window's 2 MiB pages that lie wholly in its memslot: those KVM may
 * map huge (the last one of fuzz's straddles the edge slot).
 */
static u64 window_huge_pages(const struct eng_random *r)
{
	struct kvm_memslot *m = vm_memslot(r->g->vm, r->prm.window_slot);
	u64 end = m->gpa + m->mem.size;

	if (end > r->prm.window_pa + r->prm.window_size)
		end = r->prm.window_pa + r->prm.window_size;
	return end > r->prm.window_pa ? (end - r->prm.window_pa) / PAGE_SIZE_2M : 0;
}

/*
 * Reads one word of every 2 MiB of the window, under both roots; or
 * writes one under the first (dirty logging just started: every huge
 * mapping is then split or write-protected and must come back
 * afterwards).  The writes leave out one of the pages KVM may map huge,
 * so that a huge mapping that only got write-protected (the shadow MMU
 * does not split eagerly) can still be there when logging stops, for
 * kvm_mmu_zap_collapsible_sptes() to meet beside split ones.  Which
 * page: a hash of the seed and the events so far, not a random stream,
 * so that the other steps of a seed stay what they were.
 */
static void touch_window(struct eng_random *r, bool write)
{
	struct ptgen *g = r->g;
	u64 cr3 = ptgen_cr3(g), off, spared = r->prm.window_size;
	u64 huge = write ? window_huge_pages(r) : 0;
	u32 root;

	if (huge)
		spared = ((g->seed ^ g->nr_ev) * 0x9e3779b97f4a7c15ULL >> 32) %
			 huge * PAGE_SIZE_2M;
	ptgen_force(g);
	for (root = 0; root < (write ? 1 : ENG_NR_ROOTS); root++) {
		ptgen_load_cr3(g, r->roots[root]);
		for (off = 0; off < r->prm.window_size; off += PAGE_SIZE_2M) {
			if (write && off == spared)
				continue;
			if (write)
				ptgen_write(g, r->prm.window + off + 0x80);
			else
				ptgen_read(g, r->prm.window + off + 0x40);
		}
	}
	ptgen_load_cr3(g, cr3);
}

/* Code pages: RET everywhere, so that any fetch there returns at once. */
static void fill_code(struct ptgen *g)
{
	memset(gpa_to_hva(g->vm, g->area.data_lo), RET_OPCODE,
	       ENG_CODE_PAGES * PAGE_SIZE_4K);
}

/*
 * Whether huge mappings must come back after dirty logging (and after
 * MADV_COLLAPSE).  Not in nested runs: L2's pages are mapped by shadow
 * pages of L1's NPT/EPT, and KVM recreates huge mappings from direct
 * shadow pages only (kvm_mmu_zap_collapsible_sptes), so L2's 4 KiB
 * mappings of a dirty-logged range stay until something zaps them.
 * Nor once a STEP_PSE used a large page's first 4 KiB as a page table:
 * KVM write-protects a gfn it shadows as a guest table and maps no huge
 * page over it while that shadow page lives, which may be to the end
 * (Documentation/virt/kvm/x86/mmu.rst, write protection).
 */
static bool huge_checked(const struct eng_random *r)
{
	return !r->g->l2 && !r->pse_tables;
}

/* Reads through both huge windows, before a huge baseline or check. */
static void touch_huge(struct eng_random *r)
{
	if (r->prm.window)
		touch_window(r, false);
	if (r->prm.giant)
		touch_giant(r, false);
}

/* The slot the huge checks name (they count the whole VM's mappings). */
static u32 huge_slot(const struct eng_random *r)
{
	return r->prm.window ? r->prm.window_slot : r->prm.giant_slot;
}

void eng_random_setup(struct eng_random *r, struct ptgen *g,
		      const struct eng_params *prm)
{
	u32 i;

	memset(r, 0, sizeof(*r));
	r->g = g;
	r->prm = *prm;
	r->mode = g->pt->mode;
	TEST_ASSERT(prm->nr_regions <= ENG_MAX_REGIONS, "too many regions");
	r->large = pg_level_size(r->mode, 2);
	r->nr_entries = (u32)(PAGE_SIZE_4K / pg_entry_size(r->mode));
	rng_seed(&r->extra, g->seed ^ 0x5eed0f5eed0f5eedULL);
	rng_seed(&r->perm, g->seed ^ 0x9e3779b97f4a7c15ULL);
	rng_seed(&r->pse, g->seed ^ 0x2545f4914f6cdd1dULL);
	rng_seed(&r->giant, g->seed ^ 0xd1b54a32d192ed03ULL);
	rng_seed(&r->mmio, g->seed ^ 0x94d049bb133111ebULL);
	TEST_ASSERT(!prm->giant || (pg_page_size_valid(g->pt, PAGE_SIZE_1G) &&
				   !g->l2 && !(prm->giant_pa % PAGE_SIZE_1G)),
		    "a 1 GiB window wants 1 GiB leaves and an aligned PA");
	pick_regions(r, prm->nr_regions);
	for (i = 0; (prm->fetch || g->l2) && i < ENG_NR_HOT; i++)
		r->hot[i] = (u32)below(r, r->nr_entries);
	build_tables(r);
	if (prm->fetch)
		fill_code(g);
	ptgen_start(g);
	/* vCPU 1 entered before the tables were built (PAE: its PDPTEs). */
	if (g->vcpu1)
		ptgen_vcpu1_flush(g);
	touch_huge(r);
	if ((prm->window || prm->giant) && huge_checked(r))
		ptgen_event(g, EV_HUGE_BASELINE, huge_slot(r), !!prm->giant, 0);
}

/* ---- drawing ---- */

static void push(struct eng_steps *out, u32 kind, u32 code, u32 a, u32 b,
		 u64 va, u64 val)
{
	struct eng_step st = { kind, code, a, b, va, val };

	eng_steps_push(out, &st);
}

/*
 * An entry index: in fuzz runs (and nested ones) half of them from a
 * small hot set, so that edits, host writes and accesses keep meeting on
 * the same entries (and their shadow pages) instead of scattering over
 * whole tables.
 */
static u32 entry_index(struct eng_random *r)
{
	if ((r->prm.fetch || r->g->l2) && (rng_next(&r->g->rng) & 1))
		return r->hot[below(r, ENG_NR_HOT)];
	return (u32)below(r, r->nr_entries);
}

/* @count accesses to consecutive pages of one region (wrapping inside it). */
static void draw_access(struct eng_random *r, struct eng_steps *out,
			u32 count)
{
	static const u32 codes[8] = {
		OP_USER_READ32, OP_USER_WRITE32, OP_WRITE32, OP_WRITE32,
		OP_READ32, OP_READ32, OP_READ32, OP_READ32,
	};
	u64 base = r->region[below(r, r->nr_regions)];
	u64 page = entry_index(r);
	u32 i;

	for (i = 0; i < count; i++, page++) {
		u64 va = base + (page % (r->large / PAGE_SIZE_4K)) * PAGE_SIZE_4K +
			 below(r, PAGE_SIZE_4K / 4) * 4;
		u64 x = below(r, 8);

		push(out, STEP_ACCESS, r->prm.fetch && x == 7 ? OP_FETCH : codes[x],
		     0, 0, va, 0);
		r->last_va = va;
	}
}

/* A data range of the 4 KiB-backed slot for madvise / mprotect. */
static void draw_range(struct eng_random *r, u64 *lo, u64 *size)
{
	u64 pages = 1 + below(r, 16);

	*lo = any_data_page(r);
	if (*lo + pages * PAGE_SIZE_4K > r->g->area.data_hi)
		pages = (r->g->area.data_hi - *lo) / PAGE_SIZE_4K;
	*size = pages * PAGE_SIZE_4K;
}

static void draw_event(struct eng_random *r, struct eng_steps *out)
{
	u32 slot = r->prm.window && (rng_next(&r->g->rng) & 1) ?
		   r->prm.window_slot : r->prm.data_slot;
	u64 x = below(r, 100), lo, size;

	/* Beside the event drawn below, from a stream of its own. */
	if (r->prm.mmio_slot && rng_below(&r->mmio, 8) == 0)
		push(out, STEP_EVENT, EV_MMIO_SLOT, r->prm.mmio_slot, 0, 0, 0);

	/* The slot beside the window's: guest large pages straddle both. */
	if (r->prm.edge_slot && below(r, 3) == 0)
		slot = r->prm.edge_slot;

	if (x < 8) {
		push(out, STEP_EVENT, EV_SLOT_RECREATE, slot, 0, 0, 0);
	} else if (x < 15) {
		/* Not slot 0: the host keeps pointers into it (percpu). */
		if (r->prm.window)
			push(out, STEP_EVENT, EV_SLOT_REPLACE,
			     slot == r->prm.data_slot ? r->prm.window_slot : slot,
			     0, 0, 0);
	} else if (x < 30) {
		push(out, STEP_EVENT, EV_SLOT_MOVE, slot, 0, 0, 0);
	} else if (x < 45) {
		draw_range(r, &lo, &size);
		push(out, STEP_EVENT, EV_DONTNEED, r->prm.data_slot, 0, lo, size);
	} else if (x < 60) {
		draw_range(r, &lo, &size);
		push(out, STEP_EVENT, EV_MPROTECT, r->prm.data_slot, 0, lo, size);
	} else if (x < 75) {
		push(out, STEP_EVENT, EV_DIRTY_ON, 0, 0, 0, 0);
	} else if (x < 85) {
		push(out, STEP_EVENT, EV_DIRTY_OFF, 0, 0, 0, 0);
	} else {
		/* With manual protect, a CLEAR of this range follows. */
		push(out, STEP_EVENT, EV_DIRTY_GET, slot, 0,
		     rng_next(&r->extra), rng_next(&r->extra));
	}
}

/* A random entry of a random table; drawn in this order (a, b, value). */
static void push_pte(struct eng_random *r, struct eng_steps *out, u32 kind)
{
	u32 t = (u32)below(r, ENG_NR_TABLES);
	u32 idx = entry_index(r);

	push(out, kind, 0, t, idx, 0, random_pte(r));
}

static void push_pde(struct eng_random *r, struct eng_steps *out, u32 kind)
{
	u32 region = (u32)below(r, r->nr_regions);
	u32 root = (u32)below(r, ENG_NR_ROOTS);

	push(out, kind, 0, region, root, 0, random_pde(r));
}

static void draw_host(struct eng_random *r, struct eng_steps *out)
{
	u64 x = below(r, 100);

	if (x < 55)
		push_pte(r, out, STEP_HOST_PTE);
	else if (x < 85)
		push_pde(r, out, STEP_HOST_PDE);
	else
		push(out, STEP_FORCE, 0, 0, 0, 0, 0);
}

/* CR0.WP, or the PTE / PDE of the last access read back. */
static void draw_extra(struct eng_random *r, struct eng_steps *out)
{
	u64 x = below(r, 3);

	if (x == 0)
		push(out, STEP_WP, 0, 0, 0, 0, below(r, 2));
	else if (r->last_va)
		push(out, STEP_READ_ENTRY, 0, (u32)x, 0, r->last_va, 0);
}

/*
 * vCPU 1: an access, INVLPG or CR3 load, most of them at a VA that maps
 * through the entry vCPU 0 changed last (b = 1, resolved at emission);
 * half the time a burst: access, flush, access (the old translation
 * allowed before the flush, only the new one after it).
 */
static void draw_vcpu1(struct eng_random *r, struct eng_steps *out)
{
	static const u32 codes[4] = {
		OP_READ32, OP_READ32, OP_USER_READ32, OP_WRITE32,
	};
	u64 va = r->region[rng_below(&r->extra, r->nr_regions)] +
		 rng_below(&r->extra, r->large / 4) * 4;
	u32 near = rng_below(&r->extra, 4) != 0, access = codes[rng_below(&r->extra, 4)];
	u32 root = (u32)rng_below(&r->extra, ENG_NR_ROOTS + 2);
	u64 x = rng_below(&r->extra, 10);

	if (x < 5) {
		push(out, STEP_VCPU1, access, 0, near, va, 0);
		push(out, STEP_VCPU1, x < 4 ? OP_INVLPG : OP_WRITE_CR3,
		     root, near, va, 0);
		push(out, STEP_VCPU1, access, 0, near, va, 0);
	} else if (x < 8) {
		push(out, STEP_VCPU1, access, 0, near, va, 0);
	} else if (x < 9) {
		push(out, STEP_VCPU1, OP_INVLPG, 0, near, va, 0);
	} else {
		push(out, STEP_VCPU1, OP_WRITE_CR3, root, near, va, 0);
	}
}

/* ---- permission steps (prm.perm), from r->perm ---- */

/* Items of a STEP_PROBE, 4 bits each. */
enum probe_item {
	PI_READ, PI_WRITE, PI_FETCH, PI_USER_READ, PI_USER_WRITE,
	PI_WP0, PI_WP1, PI_SMEP0, PI_SMEP1, PI_SMAP0, PI_SMAP1, PI_AC0, PI_AC1,
	PI_NR,
};

static u64 perm_below(struct eng_random *r, u64 n)
{
	return rng_below(&r->perm, n);
}

/* Whether the vCPU has what item @it toggles (SMAP: EFLAGS.AC too). */
static bool item_available(const struct eng_random *r, u32 it)
{
	const struct pgtable *pt = &r->g->vm->pt;

	if (it == PI_SMEP0 || it == PI_SMEP1)
		return pt->has_smep;
	if (it >= PI_SMAP0 && it <= PI_AC1)
		return pt->has_smap;
	return it < PI_NR;
}

/*
 * Mostly accesses, writes and fetches the most (a CR0.WP=0 write, then a
 * fetch under SMEP, is the case of KVM's U=0 spte for the write); the
 * rest toggles of CR0.WP, CR4.SMEP/SMAP, AC.
 */
static u32 probe_items(struct eng_random *r)
{
	static const u8 kinds[10] = {
		PI_READ, PI_READ, PI_WRITE, PI_WRITE, PI_WRITE,
		PI_FETCH, PI_FETCH, PI_FETCH, PI_USER_READ, PI_USER_WRITE,
	};
	u32 code = 0, i, it;

	for (i = 0; i < ENG_PROBE_ITEMS; i++) {
		do {
			it = perm_below(r, 100) < 75 ? kinds[perm_below(r, 10)] :
			     PI_WP0 + (u32)perm_below(r, PI_NR - PI_WP0);
		} while (!item_available(r, it));
		code |= it << (4 * i);
	}
	return code;
}

/*
 * A PTE for a probe: U, W, D and NX at random, half of them onto a code
 * page (fetches, and the CR0.WP=0 supervisor write to a read-only user
 * page that KVM's shadow MMU maps U=0, W=1: and NX with SMEP).
 */
static u64 probe_pte(struct eng_random *r)
{
	const struct ptgen_area *a = &r->g->area;
	u64 flags = PTE_A, pa;

	flags |= perm_below(r, 2) ? PTE_U : 0;
	flags |= perm_below(r, 2) ? PTE_W : 0;
	flags |= perm_below(r, 2) ? PTE_D : 0;
	if (r->g->vm->pt.nxe && perm_below(r, 5) == 0)
		flags |= PTE_NX;
	if (perm_below(r, 2))
		pa = a->data_lo + perm_below(r, ENG_CODE_PAGES) * PAGE_SIZE_4K;
	else
		pa = a->data_lo + perm_below(r, (a->data_hi - a->data_lo) /
					       PAGE_SIZE_4K) * PAGE_SIZE_4K;
	return pg_make_entry(r->mode, 1, pa, flags);
}

static void draw_perm(struct eng_random *r, struct eng_steps *out)
{
	const struct pgtable *pt = &r->g->vm->pt;
	u32 region = (u32)perm_below(r, r->nr_regions);
	u64 x = perm_below(r, 100), flags;

	/*
	 * CR4.SMEP toggles here; SMAP and AC only inside probes (which put
	 * the controls back): with SMAP on for long, every supervisor access
	 * to a user page faults, which hid what the other steps look for
	 * (mutant fuzz-sync-keep-gfn went unseen).
	 */
	if (x < 3 && pt->has_smep) {
		push(out, STEP_CR4, 0, 0, 0, 0, perm_below(r, 2));
	} else if (x >= 9 && x < 18) {
		u32 idx = (u32)perm_below(r, r->nr_entries);
		u32 items = probe_items(r);
		u64 off = perm_below(r, PAGE_SIZE_4K / 4) * 4;

		push(out, STEP_PROBE, items, region, idx, off, probe_pte(r));
	} else if (x >= 18 && x < 19 && pg_levels(r->mode) >= 4) {
		flags = (perm_below(r, 10) < 7 ? PTE_U : 0) |
			(perm_below(r, 10) < 7 ? PTE_W : 0);
		push(out, STEP_UPPER_PERM, 0, region,
		     3 + (u32)perm_below(r, pg_levels(r->mode) - 2), 0, flags);
	}
}

/*
 * CR4.PSE=0 for a few accesses (reads and writes, at CPL 0 and 3, and
 * fetches: those that reach a RET), from r->pse.
 */
static void draw_pse(struct eng_random *r, struct eng_steps *out)
{
	static const u8 kinds[] = {
		PI_READ, PI_READ, PI_WRITE, PI_WRITE, PI_USER_READ,
		PI_USER_WRITE, PI_FETCH,
	};
	u32 code = 0, i;

	for (i = 0; i < ENG_PROBE_ITEMS; i++)
		code |= (u32)kinds[rng_below(&r->pse, ARRAY_SIZE(kinds))] << (4 * i);
	push(out, STEP_PSE, code, (u32)rng_below(&r->pse, r->nr_regions),
	     (u32)rng_below(&r->pse, r->nr_entries),
	     rng_below(&r->pse, PAGE_SIZE_4K / 4) * 4, 0);
}

/*
 * The 1 GiB window, from r->giant: an access of one of its tagged pages
 * (three in four), or a root's window made the directory or the leaf.
 */
static void draw_giant(struct eng_random *r, struct eng_steps *out)
{
	static const u32 codes[] = {
		OP_READ32, OP_READ32, OP_WRITE32, OP_USER_READ32,
	};
	u64 x = rng_below(&r->giant, 4);

	if (x < 3)
		push(out, STEP_GIANT, codes[rng_below(&r->giant, ARRAY_SIZE(codes))],
		     (u32)rng_below(&r->giant, PAGE_SIZE_1G / ENG_SPARSE_STRIDE),
		     0, rng_below(&r->giant, PAGE_SIZE_4K / 4) * 4, 0);
	else
		push(out, STEP_GIANT, 0, 0,
		     (u32)rng_below(&r->giant, ENG_NR_ROOTS), 0,
		     rng_below(&r->giant, 2));
}

/*
 * Steps beside the others, from r->extra: vCPU 1, CLEAR, MADV_COLLAPSE;
 * from r->perm: the permission steps; from r->pse: STEP_PSE.
 */
static void draw_added(struct eng_random *r, struct eng_steps *out)
{
	u64 x = rng_below(&r->extra, 100);

	if (r->prm.two_vcpus && x < 12)
		draw_vcpu1(r, out);
	else if (r->prm.host_events && x < 14)
		/* A range drawn as two numbers, fitted to the slot at emission. */
		push(out, STEP_EVENT, EV_DIRTY_CLEAR,
		     rng_below(&r->extra, 2) ? r->prm.window_slot : r->prm.data_slot,
		     0, rng_next(&r->extra), rng_next(&r->extra));
	else if (r->prm.host_events && r->prm.window && x < 15)
		/* Which 2 MiB of the window slot, which page of it. */
		push(out, STEP_EVENT, EV_COLLAPSE, r->prm.window_slot, 0,
		     rng_next(&r->extra), rng_next(&r->extra));
	if (r->prm.perm)
		draw_perm(r, out);
	if (r->prm.pse_toggle && rng_below(&r->pse, 100) < 4)
		draw_pse(r, out);
	if (r->prm.giant && rng_below(&r->giant, 100) < 6)
		draw_giant(r, out);
}

static void draw_step(struct eng_random *r, struct eng_steps *out)
{
	u64 x = below(r, 100);

	if (r->prm.host_events && x >= 90) {
		if (x < 96)
			draw_host(r, out);
		else
			draw_event(r, out);
		return;
	}
	if (r->prm.guest_extras && x >= 84 && x < 90) {
		draw_extra(r, out);
		return;
	}
	if (x < 40)
		draw_access(r, out, 1);
	else if (x < 60)
		push_pte(r, out, STEP_SET_PTE);
	else if (x < 70)
		push_pde(r, out, STEP_SET_PDE);
	else if (x < 72 && r->prm.alias && pg_levels(r->mode) >= 3)
		push(out, STEP_SET_UPPER, 0, (u32)below(r, r->nr_regions),
		     (u32)below(r, ENG_NR_TABLES + (r->g->l2 ? 3 : 0)), 0, 0);
	else if (x < 78)
		push(out, STEP_CR3, 0, (u32)below(r, ENG_NR_ROOTS), 0, 0, 0);
	else if (x < 82)
		push(out, STEP_CR3, 0, ENG_NR_ROOTS, 0, 0, 0);	/* reload */
	else
		draw_access(r, out, 8);
}

void eng_random_draw(struct eng_random *r, struct eng_steps *out, u32 n)
{
	u32 drawn = 0, before;

	/* @n steps as before the added ones, which come on top. */
	while (drawn < n) {
		draw_added(r, out);
		before = out->nr;
		draw_step(r, out);
		drawn += out->nr - before;
	}
}

/* ---- emitting ---- */

static bool in_pool(u64 pa)
{
	return pa >= LAYOUT_PT_POOL && pa < LAYOUT_PT_POOL_END;
}

static u32 as_read(u32 code)
{
	if (code == OP_WRITE32)
		return OP_READ32;
	return code == OP_USER_WRITE32 ? OP_USER_READ32 : code;
}

/*
 * Where the access may land decides what it may be: nowhere outside
 * memory (an MMIO exit), nowhere in the runtime the guest's own code
 * uses, except a read of the page-table pool (A/D bits not compared:
 * KVM and the CPU set them as they walk); no write into a table.
 */
static bool in_code(struct ptgen *g, u64 pa)
{
	return pa >= g->area.data_lo &&
	       pa < g->area.data_lo + ENG_CODE_PAGES * PAGE_SIZE_4K;
}

/*
 * @ret_fill: a write that lands in a code page may stay a write (of RET
 * bytes, so the page still holds only RETs) instead of becoming a read.
 */
static bool access_allowed(struct ptgen *g, u32 *code, u32 *flags, u64 va,
			   bool *ret_fill)
{
	struct guest_op op = { .code = *code, .flags = *flags, .va = va };
	u64 pa[2];
	u32 n = predict_targets(&g->p, &op, pa), i;
	bool all_code = n > 0, any_code = false;

	for (i = 0; i < n; i++) {
		if (!predict_pa_mirrored(&g->p, pa[i]))
			return false;
		/* A fetch runs what it reaches: only a RET. */
		if (*code == OP_FETCH &&
		    (!in_code(g, pa[i]) || g->p.mirror[pa[i]] != RET_OPCODE))
			return false;
		any_code |= in_code(g, pa[i]);
		all_code &= in_code(g, pa[i]);
		if (pa[i] >= LAYOUT_RUNTIME_END)
			continue;
		/* Nested: the pool also holds L1's VMCB/VMCS, which L1 writes. */
		if (!in_pool(pa[i]) || g->l2)
			return false;
		*code = as_read(*code);
		*flags |= OPF_IGNORE_AD;
	}
	if (any_code && !(*ret_fill && all_code))
		*code = as_read(*code);
	*ret_fill &= any_code && *code != as_read(*code);
	return true;
}

#define RET_FILL	0xc3c3c3c3U

/*
 * KVM's shadow MMU serves a CR0.WP=0 supervisor write to a read-only user
 * page with a supervisor spte (U=0, W=1).  With CR4.SMAP and EFLAGS.AC=1
 * the write is allowed, and that spte then lets through the AC=0
 * accesses SMAP forbids (tests/known-issues: smap-ac-wp0-spte; Linux
 * 6.1).  Random runs leave such writes out (prm.smap_ac_writes keeps
 * them: fuzz's "known:" point).
 */
static bool smap_ac_trap(struct eng_random *r, u64 va)
{
	struct prediction *p = &r->g->p;
	struct guest_op op = { .code = OP_WRITE32, .va = va };
	u64 pa[2];
	u32 n;

	if (r->prm.smap_ac_writes || !p->pt.smap || !p->pt.ac || p->pt.wp)
		return false;
	p->pt.wp = true;
	n = predict_targets(p, &op, pa);
	p->pt.wp = false;
	return !n && predict_targets(p, &op, pa);
}

/* Whether @op reaches the MMIO RAM (either way, if ambiguous). */
static bool reaches_mmio(struct ptgen *g, const struct guest_op *op)
{
	u64 pa[2];
	u32 n = predict_targets(&g->p, op, pa), i;

	for (i = 0; i < n; i++)
		if (pa[i] >= g->area.mmio_lo && pa[i] < g->area.mmio_hi)
			return true;
	return false;
}

static void remember_mmio(struct eng_random *r, u32 code, u32 flags, u64 va)
{
	struct guest_op op = { .code = code, .flags = flags, .va = va };

	if (r->prm.mmio_slot && reaches_mmio(r->g, &op))
		r->mmio_va[r->nr_mmio_va++ % ENG_MMIO_VAS] = va;
}

/*
 * After EV_MMIO_SLOT: the VAs that reached the MMIO RAM last, read
 * again, now that it is the other kind of memory (where they still may:
 * the tables changed since).
 */
static void reread_mmio(struct eng_random *r)
{
	u32 i, n = r->nr_mmio_va < ENG_MMIO_VAS ? r->nr_mmio_va : ENG_MMIO_VAS;

	for (i = 0; i < n; i++) {
		u32 code = OP_READ32, flags = 0;
		bool ret_fill = false;

		if (access_allowed(r->g, &code, &flags, r->mmio_va[i], &ret_fill))
			ptgen_op(r->g, code, r->mmio_va[i], 0, flags);
	}
}

static void emit_access(struct eng_random *r, const struct eng_step *st)
{
	struct ptgen *g = r->g;
	u32 code = st->code, flags = 0;
	bool ret_fill = r->prm.perm;

	/* With a host write pending a write could land on either page. */
	if (g->p.nr_stale)
		code = as_read(code);
	if (code == OP_WRITE32 && smap_ac_trap(r, st->va))
		code = OP_READ32;
	if (!access_allowed(g, &code, &flags, st->va, &ret_fill))
		return;
	remember_mmio(r, code, flags, st->va);
	if (flags || ret_fill) {
		ptgen_op(g, code, st->va, ret_fill ? RET_FILL : 0, flags);
		return;
	}
	switch (code) {
	case OP_WRITE32:
		ptgen_write(g, st->va);
		break;
	case OP_USER_WRITE32:
		ptgen_user_write(g, st->va);
		break;
	default:
		ptgen_op(g, code, st->va, 0, 0);
	}
}

/*
 * A VA of vCPU 1 that maps through the entry vCPU 0 changed last, under
 * vCPU 1's root as it is now; @va where none does.
 */
static u64 v1_target(struct eng_random *r, u64 va)
{
	struct ptgen *g = r->g;
	u64 cr3 = g->p.v1.cr3, in_large = va & (r->large - 1);
	u64 table = r->tables[r->edit_table % ENG_NR_TABLES];
	u32 i;

	if (r->edit_pde)
		return r->region[r->edit_region % r->nr_regions] + in_large;
	for (i = 0; i < r->nr_regions; i++) {
		u64 epa = pg_entry_pa(&g->p.pt, cr3, r->region[i], 2);
		u64 pde = epa ? pg_read_entry(&g->p.pt, epa) : 0;

		if ((pde & PTE_P) && !(pde & PTE_PS) &&
		    pg_entry_addr(r->mode, 2, pde) == table)
			return r->region[i] + r->edit_idx * PAGE_SIZE_4K +
			       (va & (PAGE_SIZE_4K - 1));
	}
	return va;
}

static void emit_vcpu1(struct eng_random *r, const struct eng_step *st)
{
	struct ptgen *g = r->g;
	u64 va = st->b ? v1_target(r, st->va) : st->va;
	u32 code = st->code, flags = OPF_VCPU1;
	struct guest_op op = { .code = code, .flags = flags, .va = va };
	bool ret_fill = false;

	if (!g->vcpu1)
		return;
	if (code == OP_WRITE_CR3) {
		ptgen_vcpu1_op(g, code, 0, st->a < ENG_NR_ROOTS ?
			       r->roots[st->a] : g->p.v1.cr3);
		return;
	}
	if (code == OP_INVLPG) {
		ptgen_vcpu1_op(g, code, va, 0);
		return;
	}
	if (g->p.nr_stale)
		ptgen_force(g);
	/* Either of two pages: no write (the mirror could not say which). */
	if (predict_ambiguous(&g->p, &op))
		code = as_read(code);
	if (!access_allowed(g, &code, &flags, va, &ret_fill))
		return;
	ptgen_vcpu1_op(g, code, va, code == OP_WRITE32 ?
		       0x80000002U | (++g->writes & 0xfffff) << 4 : 0);
	g->s.ops[g->s.nr - 1].flags = flags;
}

static u64 table_entry(struct eng_random *r, u32 t, u32 idx)
{
	return r->tables[t % ENG_NR_TABLES] +
	       (idx % r->nr_entries) * pg_entry_size(r->mode);
}

/* A PTE changes: flush it wherever the current root maps that table. */
static void emit_set_pte(struct eng_random *r, const struct eng_step *st)
{
	struct ptgen *g = r->g;
	u64 epa = table_entry(r, st->a, st->b);
	u64 table = r->tables[st->a % ENG_NR_TABLES];
	u32 idx = st->b % r->nr_entries, i;
	u64 old;

	if (g->p.nr_stale)
		ptgen_force(g);
	r->edit_pde = false;
	r->edit_table = st->a;
	r->edit_idx = idx;
	old = ptgen_entry(g, epa);
	ptgen_set_entry(g, epa, st->val, 0);
	if (!(old & PTE_P))
		return;	/* not-present entries are never cached */
	for (i = 0; i < r->nr_regions; i++) {
		u64 pde_pa = ptgen_entry_pa(g, r->region[i], 2);
		u64 pde = pde_pa ? ptgen_entry(g, pde_pa) : 0;

		/* Also a directory (retargeted PDPTE): INVLPG is not enough. */
		if (ALIGN_DOWN(pde_pa, PAGE_SIZE_4K) == table) {
			ptgen_load_cr3(g, ptgen_cr3(g));
			return;
		}
		if ((pde & PTE_P) && !(pde & PTE_PS) &&
		    pg_entry_addr(r->mode, 2, pde) == table)
			ptgen_invlpg(g, r->region[i] + idx * PAGE_SIZE_4K);
	}
}

/* A PDE changes: INVLPG covers one page only, so reload CR3. */
static void emit_set_pde(struct eng_random *r, const struct eng_step *st)
{
	struct ptgen *g = r->g;
	u64 va = r->region[st->a % r->nr_regions];
	u64 epa = ptgen_entry_pa(g, va, 2);

	if (!epa)
		return;
	r->edit_pde = true;
	r->edit_region = st->a;
	ptgen_set_entry(g, epa, st->val, 0);
	ptgen_load_cr3(g, ptgen_cr3(g));
}

/* The entry at level a that maps va now, read back by the guest. */
static void emit_read_entry(struct eng_random *r, const struct eng_step *st)
{
	struct ptgen *g = r->g;
	u64 epa;

	ptgen_force(g);
	epa = ptgen_entry_pa(g, st->va, st->a == 2 ? 2 : 1);
	if (epa)
		ptgen_op(g, OP_READ32, epa, 0, OPF_ENTRY_AD);
}

/*
 * A region's level-3 entry retargeted at a pool table: now a directory.
 * Nested runs also draw b = ENG_NR_TABLES + 0..2: a 1 GiB leaf over L1
 * GPA 0 (writable, read-only, or not a user page), where the nested
 * page table may have them.
 */
static void emit_set_upper(struct eng_random *r, const struct eng_step *st)
{
	struct ptgen *g = r->g;
	u64 va = r->region[st->a % r->nr_regions];
	u64 epa = ptgen_entry_pa(g, va, 3);
	u64 flags = r->mode == PAGING_PAE ? 0 : PTE_W | PTE_U, e;
	u32 leaf = st->b >= ENG_NR_TABLES ? st->b - ENG_NR_TABLES : 0;

	/* The first GiB's entry also maps the runtime (and the window). */
	if (!epa || va < pg_level_size(r->mode, 3))
		return;
	if (st->b < ENG_NR_TABLES || !g->l2)
		e = pg_make_entry(r->mode, 3, r->tables[st->b % ENG_NR_TABLES],
				  flags);
	else if (g->l2 && pg_page_size_valid(g->pt, PAGE_SIZE_1G))
		e = pg_make_entry(r->mode, 3, 0, PTE_PS | PTE_A |
				  (leaf == 1 ? PTE_U : leaf == 2 ? PTE_W : flags));
	else
		return;
	ptgen_set_entry(g, epa, e, 0);
	ptgen_load_cr3(g, ptgen_cr3(g));
}

static void emit_host_pde(struct eng_random *r, const struct eng_step *st)
{
	struct ptgen *g = r->g;
	u64 va = r->region[st->a % r->nr_regions];
	u64 epa = pg_entry_pa(&g->p.pt, r->roots[st->b % ENG_NR_ROOTS], va, 2);

	if (!epa)
		return;
	r->edit_pde = true;
	r->edit_region = st->a;
	ptgen_host_set_entry(g, epa, st->val);
}

/*
 * KVM_CLEAR_DIRTY_LOG's rules: first_page a multiple of 64, num_pages
 * one too unless the range ends at the slot's end.  Drawn: a start, and
 * a length in 64-page words, or up to the end of the slot.
 */
/*
 * One write to a page of every 64-page word of [first, first + n) of the
 * window's slot, through the window (the other slots have no linear VA).
 */
static void write_words(struct eng_random *r, u64 first, u64 n)
{
	struct kvm_memslot *m = vm_memslot(r->g->vm, r->prm.window_slot);
	u64 page;

	for (page = first; page < first + n; page += 64) {
		/* Ranges are whole words (slot sizes are multiples of 64). */
		u64 pa = m->gpa + (page + (page / 64) % 64) * PAGE_SIZE_4K;
		struct eng_step st = { .kind = STEP_ACCESS, .code = OP_WRITE32,
				       .va = r->prm.window + pa - r->prm.window_pa + 0x100 };

		if (pa >= r->prm.window_pa &&
		    pa < r->prm.window_pa + r->prm.window_size)
			emit_access(r, &st);
	}
}

static void emit_clear(struct eng_random *r, u32 slot, u64 start, u64 len)
{
	u64 pages, words, first, n;

	if (!r->g->manual_dirty || !r->dirty_on || slot >= KVM_MAX_TEST_SLOTS ||
	    !r->g->vm->slots[slot].used)
		return;
	pages = r->g->vm->slots[slot].mem.size / PAGE_SIZE_4K;
	words = (pages + 63) / 64;
	first = (start % words) * 64;
	n = (1 + (len >> 1) % 4) * 64;
	if ((len & 1) || first + n > pages)
		n = pages - first;
	/*
	 * In the window's slot: a page of each word written before the
	 * CLEAR (dirty, so mapped writable) and again after it, which KVM
	 * must log again: the CLEAR has to write-protect every word's pages.
	 */
	if (r->prm.window && slot == r->prm.window_slot)
		write_words(r, first, n);
	ptgen_event(r->g, EV_DIRTY_CLEAR, slot, first, n);
	if (r->prm.window && slot == r->prm.window_slot)
		write_words(r, first, n);
}

/*
 * A huge page of the THP window split (MADV_DONTNEED of one of its 4 KiB
 * pages: zeroes), read through the window so that KVM maps it small, then
 * MADV_COLLAPSE, read again: as predicted, and (logging off) mapped huge
 * again.  KVM_PRE_FAULT_MEMORY of the range where the kernel has it.  On
 * hugetlb pages, which do not split, MADV_DONTNEED takes the whole huge
 * page (the mmu notifier zaps KVM's huge mapping, a fresh zeroed page
 * comes in) and MADV_COLLAPSE fails (EINVAL: no check after it).
 */
static void emit_collapse(struct eng_random *r, const struct eng_step *st)
{
	struct ptgen *g = r->g;
	struct kvm_memslot *m;
	u64 chunks, gpa, page, cr3 = ptgen_cr3(g);

	if (!r->prm.window || st->a != r->prm.window_slot)
		return;
	m = vm_memslot(g->vm, st->a);
	chunks = m->mem.size / PAGE_SIZE_2M;
	if (!chunks || (m->gpa & (PAGE_SIZE_2M - 1)))
		return;
	gpa = m->gpa + (st->va % chunks) * PAGE_SIZE_2M;
	page = gpa + (st->val % 512) * PAGE_SIZE_4K;
	ptgen_force(g);
	if (m->mem.backing == MEM_HUGETLB_2M)
		ptgen_event(g, EV_DONTNEED, st->a, gpa, PAGE_SIZE_2M);
	else
		ptgen_event(g, EV_DONTNEED, st->a, page, PAGE_SIZE_4K);
	ptgen_load_cr3(g, r->roots[0]);
	ptgen_read(g, r->prm.window + page - r->prm.window_pa);
	ptgen_event(g, EV_COLLAPSE, st->a, gpa, PAGE_SIZE_2M);
	if (g->pre_fault)
		ptgen_event(g, EV_PRE_FAULT, st->a, gpa, PAGE_SIZE_2M);
	ptgen_read(g, r->prm.window + page - r->prm.window_pa + 4);
	ptgen_write(g, r->prm.window + gpa - r->prm.window_pa + 0x200);
	ptgen_load_cr3(g, cr3);
	if (!r->dirty_on && huge_checked(r)) {
		/* The baseline counts the 1 GiB window's mappings too. */
		touch_huge(r);
		ptgen_event(g, EV_COLLAPSE_CHECK, st->a, 0, 0);
	}
}

static void emit_event(struct eng_random *r, const struct eng_step *st)
{
	struct ptgen *g = r->g;
	const struct eng_params *prm = &r->prm;
	u32 slot = st->a, code = st->code;

	if (code == EV_SLOT_RECREATE || code == EV_SLOT_REPLACE ||
	    code == EV_SLOT_MOVE ||
	    code == EV_DONTNEED || code == EV_MPROTECT) {
		ptgen_event(g, code, slot, st->va, st->val);
		return;
	}
	if (code == EV_MMIO_SLOT) {
		if (!prm->mmio_slot)
			return;
		ptgen_event(g, code, prm->mmio_slot, !prm->mmio_raw, 0);
		reread_mmio(r);
		return;
	}
	if (code == EV_DIRTY_CLEAR) {
		emit_clear(r, st->a, st->va, st->val);
		return;
	}
	if (code == EV_COLLAPSE) {
		emit_collapse(r, st);
		return;
	}
	/* Dirty logging: every slot at once; GET only while logging. */
	if ((code == EV_DIRTY_ON) == r->dirty_on ||
	    (code == EV_DIRTY_GET && !r->dirty_on))
		return;
	ptgen_event(g, code, prm->data_slot, 0, 0);
	if (prm->window)
		ptgen_event(g, code, prm->window_slot, 0, 0);
	if (prm->edge_slot)
		ptgen_event(g, code, prm->edge_slot, 0, 0);
	if (prm->giant)
		ptgen_event(g, code, prm->giant_slot, 0, 0);
	/* Manual protect: each slot's log cleared over a range of its own. */
	if (code == EV_DIRTY_GET) {
		emit_clear(r, prm->data_slot, st->va, st->val);
		if (prm->window)
			emit_clear(r, prm->window_slot, st->va >> 16, st->val >> 16);
		if (prm->edge_slot)
			emit_clear(r, prm->edge_slot, st->va >> 32, st->val >> 32);
	}
	if (code == EV_DIRTY_ON) {
		r->dirty_on = true;
		if (prm->window)
			touch_window(r, true);
		if (prm->giant)
			touch_giant(r, true);
	}
	if (code == EV_DIRTY_OFF) {
		r->dirty_on = false;
		if ((prm->window || prm->giant) && huge_checked(r)) {
			touch_huge(r);
			ptgen_event(g, EV_HUGE_CHECK, huge_slot(r), !!prm->giant, 0);
		}
	}
}

/* STEP_GIANT (see draw_giant()). */
static void emit_giant(struct eng_random *r, const struct eng_step *st)
{
	struct eng_step acc = { .kind = STEP_ACCESS, .code = st->code };
	u64 pa = ptgen_sparse_page(r->g, st->a);

	if (!r->prm.giant)
		return;
	if (!st->code) {
		giant_set(r, st->b % ENG_NR_ROOTS, st->val & 1);
		return;
	}
	if (!pa)
		return;
	acc.va = giant_va(r, pa) + (st->va & (PAGE_SIZE_4K - 4));
	emit_access(r, &acc);
}

/* CR4.SMEP (@bit 0) or CR4.SMAP (1) on vCPU 0, where CPUID has it. */
static void emit_cr4(struct eng_random *r, u32 bit, bool on)
{
	const struct pgtable *pt = &r->g->vm->pt;
	u32 mask = bit ? OP_CR4_SMAP : OP_CR4_SMEP;

	if (bit ? !pt->has_smap : !pt->has_smep || r->prm.smep_fixed)
		return;
	ptgen_op(r->g, OP_SET_CR4, mask, on ? mask : 0, 0);
}

static void emit_ac(struct eng_random *r, bool on)
{
	if (r->g->vm->pt.has_smap)
		ptgen_op(r->g, OP_SET_AC, 0, on, 0);
}

/*
 * A probe: the PTE of region a's page b set (where the region's PDE
 * points at one of the pool's tables), then accesses of each kind and
 * toggles of CR0.WP, CR4.SMEP/SMAP and EFLAGS.AC on that page, in the
 * order drawn: U/S with and without WP, SMEP and SMAP, as kut's access.c
 * enumerates them, through KVM's shadow pages of each role.
 */
static const u32 item_ops[] = {
	[PI_READ] = OP_READ32, [PI_WRITE] = OP_WRITE32,
	[PI_FETCH] = OP_FETCH, [PI_USER_READ] = OP_USER_READ32,
	[PI_USER_WRITE] = OP_USER_WRITE32,
};

static void emit_probe(struct eng_random *r, const struct eng_step *st)
{
	struct ptgen *g = r->g;
	u64 base = r->region[st->a % r->nr_regions];
	u32 idx = st->b % r->nr_entries, i, t, it;
	u64 epa = ptgen_entry_pa(g, base, 2), pde, va;
	struct pgtable was = g->p.pt;

	pde = epa ? ptgen_entry(g, epa) : 0;
	for (t = 0; (pde & PTE_P) && !(pde & PTE_PS) && t < ENG_NR_TABLES; t++) {
		struct eng_step set = { STEP_SET_PTE, 0, t, idx, 0, st->val };

		if (pg_entry_addr(r->mode, 2, pde) == r->tables[t]) {
			emit_set_pte(r, &set);
			break;
		}
	}
	for (i = 0; i < ENG_PROBE_ITEMS; i++) {
		it = (st->code >> (4 * i)) & 0xf;
		va = base + idx * PAGE_SIZE_4K + ((st->va + 4 * i) & 0xffc);
		if (it < ARRAY_SIZE(item_ops)) {
			struct eng_step acc = { .kind = STEP_ACCESS,
						.code = item_ops[it], .va = va };

			emit_access(r, &acc);
		} else if (it <= PI_WP1) {
			ptgen_op(g, OP_SET_WP, 0, it == PI_WP1, 0);
		} else if (it <= PI_SMEP1) {
			emit_cr4(r, 0, it == PI_SMEP1);
		} else if (it <= PI_SMAP1) {
			emit_cr4(r, 1, it == PI_SMAP1);
		} else if (it <= PI_AC1) {
			emit_ac(r, it == PI_AC1);
		}
	}
	/* The controls back as the probe found them. */
	if (g->p.pt.wp != was.wp)
		ptgen_op(g, OP_SET_WP, 0, was.wp, 0);
	if (g->p.pt.smep != was.smep)
		emit_cr4(r, 0, was.smep);
	if (g->p.pt.smap != was.smap)
		emit_cr4(r, 1, was.smap);
	if (g->p.pt.ac != was.ac)
		emit_ac(r, was.ac);
}

/* The PA of the PDE of @va when it maps a large page, else 0. */
static u64 large_pde_pa(struct eng_random *r, u64 va)
{
	u64 epa = ptgen_entry_pa(r->g, va, 2);

	if (epa && (ptgen_entry(r->g, epa) & (PTE_P | PTE_PS)) ==
		   (PTE_P | PTE_PS))
		return epa;
	return 0;
}

/* Every large PDE of the regions stored again as it is (emit_pse()). */
static void rewrite_large_pdes(struct eng_random *r)
{
	u32 i;

	if (r->prm.pse_keep_pdes)
		return;
	for (i = 0; i < r->nr_regions; i++) {
		u64 epa = large_pde_pa(r, r->region[i]);

		if (epa)
			ptgen_set_entry(r->g, epa, ptgen_entry(r->g, epa), 0);
	}
}

/*
 * STEP_PSE: with CR4.PSE=0 a 4 MiB PDE points at a page table, the large
 * page's first 4 KiB (SDM vol. 3, 4.3): its tag words are present,
 * read-only PTEs onto that same page, U/S from their offset.  A MOV to
 * CR4 that changes only PSE need not flush the TLB (SDM vol. 3,
 * 4.10.4.1), so a CR3 load follows each toggle; each VA is read again
 * under CR4.PSE=1, the large page's once more.  KVM's shadow pages do
 * not record CR4.PSE in their role (only the vCPU's role.ext does), so
 * shadow pages built under one value must not serve the other.  Pending
 * host writes are forced first: the A bits such walks set land in data
 * pages, whose contents are compared.
 *
 * They do (tests/known-issues: pse-toggle-stale-sp; Linux 6.1, shadow
 * paging): the PD's shadow page keeps the children linked under the old
 * value, so every large PDE the step meets would fail it.  The guest
 * therefore rewrites its large PDEs (same values) at each toggle, which
 * makes KVM zap those links, and the step checks the rest: the walk by
 * CR4.PSE, A/D bits in a data page used as a table, KVM's write tracking
 * of that page; prm.pse_keep_pdes leaves the rewrites out (fuzz's
 * "known:" point).
 */
/*
 * Whether access @acc, predicted now, may land in a page that serves as a
 * page table while CR4.PSE=0 (the first 4 KiB of a large PDE's page, in
 * either root): a write there rewrites a PTE that the TLB may still hold
 * for the very VA written (a page that maps itself), and the next access
 * through it may see either value, which the prediction cannot say.
 */
static bool lands_in_pse_table(struct eng_random *r,
			       const struct eng_step *acc)
{
	struct prediction *p = &r->g->p;
	struct guest_op op = { .code = acc->code, .va = acc->va };
	u32 n, i, k, root;
	u64 pa[2];

	n = predict_targets(p, &op, pa);
	for (i = 0; i < n; i++)
		for (root = 0; root < ENG_NR_ROOTS; root++)
			for (k = 0; k < r->nr_regions; k++) {
				u64 epa = pg_entry_pa(&p->pt, r->roots[root],
						      r->region[k], 2);
				u64 e = epa ? pg_read_entry(&p->pt, epa) : 0;

				if ((e & PTE_P) && (e & PTE_PS) &&
				    ALIGN_DOWN(pa[i], PAGE_SIZE_4K) ==
				    (e & 0xfffff000ULL))
					return true;
			}
	return false;
}

static void emit_pse(struct eng_random *r, const struct eng_step *st)
{
	struct ptgen *g = r->g;
	u64 base = r->region[st->a % r->nr_regions], va[ENG_PROBE_ITEMS];
	u32 idx = st->b % r->nr_entries, i, it;
	bool base_large = false;

	if (r->mode != PAGING_NONPAE)
		return;
	for (i = 0; i < r->nr_regions; i++) {
		u64 b = r->region[(st->a + i) % r->nr_regions];

		if (large_pde_pa(r, b)) {
			base = b;
			base_large = true;
			break;
		}
	}
	ptgen_force(g);
	r->pse_tables |= base_large;
	ptgen_op(g, OP_SET_CR4, OP_CR4_PSE, 0, 0);
	rewrite_large_pdes(r);
	ptgen_load_cr3(g, ptgen_cr3(g));
	for (i = 0; i < ENG_PROBE_ITEMS; i++) {
		struct eng_step acc = { .kind = STEP_ACCESS };

		it = (st->code >> (4 * i)) & 0xf;
		va[i] = base + idx * PAGE_SIZE_4K + ((st->va + 4 * i) & 0xffc);
		acc.code = it < ARRAY_SIZE(item_ops) ? item_ops[it] : OP_READ32;
		acc.va = va[i];
		if (lands_in_pse_table(r, &acc))
			acc.code = as_read(acc.code);
		emit_access(r, &acc);
	}
	ptgen_op(g, OP_SET_CR4, OP_CR4_PSE, OP_CR4_PSE, 0);
	rewrite_large_pdes(r);
	ptgen_load_cr3(g, ptgen_cr3(g));
	for (i = 0; i < ENG_PROBE_ITEMS; i++) {
		struct eng_step acc = { STEP_ACCESS, OP_READ32, 0, 0, va[i], 0 };

		emit_access(r, &acc);
	}
}

/*
 * U and W of a region's entry above the PDE (4- and 5-level paging: PAE
 * PDPTEs have neither), away from the runtime's; CR3 reloaded.
 */
static void emit_upper_perm(struct eng_random *r, const struct eng_step *st)
{
	struct ptgen *g = r->g;
	u64 va = r->region[st->a % r->nr_regions];
	int level = (int)st->b;
	u64 epa, e;

	if (r->mode < PAGING_LM4 || level < 3 || level > pg_levels(r->mode) ||
	    va < pg_level_size(r->mode, level))
		return;
	epa = ptgen_entry_pa(g, va, level);
	e = epa ? ptgen_entry(g, epa) : 0;
	if (!(e & PTE_P))
		return;
	ptgen_set_entry(g, epa, (e & ~(PTE_U | PTE_W)) |
			(st->val & (PTE_U | PTE_W)), 0);
	ptgen_load_cr3(g, ptgen_cr3(g));
}

void eng_step_emit(struct eng_random *r, const struct eng_step *st)
{
	struct ptgen *g = r->g;

	switch (st->kind) {
	case STEP_ACCESS:
		emit_access(r, st);
		break;
	case STEP_SET_PTE:
		emit_set_pte(r, st);
		break;
	case STEP_SET_PDE:
		emit_set_pde(r, st);
		break;
	case STEP_SET_UPPER:
		emit_set_upper(r, st);
		break;
	case STEP_CR3:
		ptgen_load_cr3(g, st->a < ENG_NR_ROOTS ? r->roots[st->a] :
							 ptgen_cr3(g));
		break;
	case STEP_WP:
		ptgen_op(g, OP_SET_WP, 0, st->val & 1, 0);
		break;
	case STEP_READ_ENTRY:
		emit_read_entry(r, st);
		break;
	case STEP_HOST_PTE:
		r->edit_pde = false;
		r->edit_table = st->a;
		r->edit_idx = st->b % r->nr_entries;
		ptgen_host_set_entry(g, table_entry(r, st->a, st->b), st->val);
		break;
	case STEP_HOST_PDE:
		emit_host_pde(r, st);
		break;
	case STEP_FORCE:
		ptgen_force(g);
		break;
	case STEP_EVENT:
		emit_event(r, st);
		break;
	case STEP_VCPU1:
		emit_vcpu1(r, st);
		break;
	case STEP_CR4:
		emit_cr4(r, st->a, st->val & 1);
		break;
	case STEP_AC:
		emit_ac(r, st->val & 1);
		break;
	case STEP_PROBE:
		emit_probe(r, st);
		break;
	case STEP_UPPER_PERM:
		emit_upper_perm(r, st);
		break;
	case STEP_PSE:
		emit_pse(r, st);
		break;
	case STEP_GIANT:
		emit_giant(r, st);
		break;
	}
}

void eng_random_finish(struct eng_random *r)
{
	struct eng_step off = { .kind = STEP_EVENT, .code = EV_DIRTY_OFF };

	ptgen_force(r->g);
	if (r->dirty_on)
		eng_step_emit(r, &off);
}

void ptgen_random(struct ptgen *g, u32 nr_regions, u32 iterations)
{
	struct eng_params prm = { .nr_regions = nr_regions, .large_pct = 20 };
	struct eng_random r;
	struct eng_steps steps = { 0 };
	u32 i;

	eng_random_setup(&r, g, &prm);
	eng_random_draw(&r, &steps, iterations);
	for (i = 0; i < steps.nr; i++)
		eng_step_emit(&r, &steps.v[i]);
	eng_random_finish(&r);
	eng_steps_free(&steps);
}
