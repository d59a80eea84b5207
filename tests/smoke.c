// SPDX-License-Identifier: GPL-2.0-only
/*
 * Smoke test of the whole path, once per paging mode (non-PAE, PAE,
 * 64-bit, and LA57 where the CPU has it).
 *
 * Guards the basics every other test stands on: KVM translating guest
 * virtual addresses through guest page tables the guest itself rewrites
 * (shadow paging: the write-protection of guest tables and the sync of
 * shadow entries on INVLPG, the shadow root rebuilt when a CR3 load
 * changes a PAE PDPTE; TDP: the guest's own walk), the shadow page
 * of a guest table shared by a writable and a read-only path (looked up by
 * gfn and role.access, paging_tmpl.h FNAME(fetch)), and #PF delivery
 * with the right error code and CR2.  A wrong translation shows up as a
 * read returning another physical page's tag or a write landing on
 * another page.
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

#define MEM_SIZE	(64ULL << 20)
#define DATA_PA		(8ULL << 20)
#define NR_PAGES	64
#define DECOY_PA	(DATA_PA + NR_PAGES * PAGE_SIZE_4K)
#define LARGE_PA	(16ULL << 20)	/* 4 MiB aligned */
/* Long mode: two PML4 entries, the second read-only, share one PDPT. */
#define SHARED_VA_RW	0x10000000000ULL	/* PML4 entry 2 */
#define SHARED_VA_RO	0x18000000000ULL	/* PML4 entry 3 */
#define SHARED_PA	(DECOY_PA + PAGE_SIZE_4K)

struct smoke {
	struct kvm_vm *vm;
	struct op_script s;
	u64 va[NR_PAGES];
	u64 pa[NR_PAGES];
	u64 large_va;
	u32 fault_np_op;	/* read of an unmapped page */
	u32 fault_ro_op;	/* write to a read-only page */
	u32 fault_shared_op;	/* write through the read-only PML4 entry */
};

/* VAs in two distant regions, so several tables at every level are used. */
static u64 page_va(enum paging_mode mode, int i)
{
	u64 hi = mode >= PAGING_LM4 ? 0x7fc000000000ULL : 0xc0400000ULL;

	return (i % 2 ? hi : 0x40000000ULL) + (u64)(i / 2) * PAGE_SIZE_4K;
}

/*
 * One PDPT reached through a writable PML4 entry (SHARED_VA_RW) and a
 * read-only one (SHARED_VA_RO).  Its entry 0 is read-only, entry 1
 * writable, and it leads to two pages of one page table.  The shadow
 * MMU looks up the shadow page of each guest table by gfn and role,
 * role.access being the access of the entries above that table: the PDPT
 * has two shadow pages, one per PML4 entry.  A KVM that gives the PDPT
 * the access above the leaf instead (read-only, from a walk through PDPT
 * entry 0; the bug of CVE-2021-38198) files the shadow PDPT of the
 * writable path under the read-only role.  A read through the read-only
 * PML4 entry then links that same shadow PDPT, with the writable leaf the
 * writable path made below it, and the CPU writes through the read-only
 * PML4 entry without a fault.
 */
static void build_shared_pdpt(struct pgtable *pt)
{
	u64 e;

	pg_map(pt, SHARED_VA_RW, SHARED_PA, PAGE_SIZE_4K, PTE_W);
	pg_map(pt, SHARED_VA_RW + PAGE_SIZE_1G, SHARED_PA + PAGE_SIZE_4K,
	       PAGE_SIZE_4K, PTE_W);
	pg_map(pt, SHARED_VA_RW + PAGE_SIZE_1G + PAGE_SIZE_4K,
	       SHARED_PA + 2 * PAGE_SIZE_4K, PAGE_SIZE_4K, PTE_W);
	e = pg_entry_pa(pt, pt->root, SHARED_VA_RW, 3);
	pg_write_entry(pt, e, pg_read_entry(pt, e) & ~PTE_W);
	e = pg_entry_pa(pt, pt->root, SHARED_VA_RW, 4);
	pg_write_entry(pt, pg_entry_pa_alloc(pt, pt->root, SHARED_VA_RO, 4),
		       pg_read_entry(pt, e) & ~PTE_W);
}

static void build_mappings(struct smoke *t)
{
	struct pgtable *pt = &t->vm->pt;
	u64 large = pg_level_size(pt->mode, 2);
	int i;

	/* A fixed shuffle: page i lands on a distinct, non-identity page. */
	for (i = 0; i < NR_PAGES; i++) {
		t->va[i] = page_va(pt->mode, i);
		t->pa[i] = DATA_PA + (u64)((i * 37 + 11) % NR_PAGES) * PAGE_SIZE_4K;
		pg_map(pt, t->va[i], DECOY_PA, PAGE_SIZE_4K, PTE_W);
	}
	t->large_va = 0x80000000ULL;
	pg_map(pt, t->large_va, LARGE_PA, large, PTE_W);
	fill_tags(t->vm, DATA_PA, LARGE_PA + large - DATA_PA);
	if (pt->mode >= PAGING_LM4)
		build_shared_pdpt(pt);
}

static void build_script(struct smoke *t)
{
	struct pgtable *pt = &t->vm->pt;
	struct op_script *s = &t->s;
	u64 large = pg_level_size(pt->mode, 2), e;
	int i;

	/*
	 * The host added PDPTEs after the vCPU loaded CR3; a PAE CPU (and
	 * KVM's shadow MMU) caches PDPTEs at CR3 load, so reload CR3 first,
	 * as an OS does after changing them.
	 */
	script_write_cr3(s, pt->root);
	for (i = 0; i < NR_PAGES; i++) {
		u64 off = (u64)(i * 52) % PAGE_SIZE_4K;

		e = pg_entry_pa(pt, pt->root, t->va[i], 1);
		script_write_entry(s, pt, e, pg_make_entry(pt->mode, 1, t->pa[i],
							   PTE_W));
		script_invlpg(s, t->va[i]);
		script_read(s, t->va[i] + off);
		script_write(s, t->va[i] + off, 0xabc00002U | (u32)i << 4);
		script_read(s, t->va[i] + off);
	}
	for (i = 0; i < 8; i++)
		script_read(s, t->large_va + (u64)i * (large / 8) + 4 * (u64)i);

	/* present -> not present, then a read must fault. */
	e = pg_entry_pa(pt, pt->root, t->va[0], 1);
	script_write_entry(s, pt, e, 0);
	script_invlpg(s, t->va[0]);
	t->fault_np_op = s->nr;
	script_read(s, t->va[0] + 0x10);

	/* writable -> read-only: reads still work, a write faults. */
	e = pg_entry_pa(pt, pt->root, t->va[1], 1);
	script_write_entry(s, pt, e, pg_make_entry(pt->mode, 1, t->pa[1], 0));
	script_invlpg(s, t->va[1]);
	script_read(s, t->va[1] + 0x20);
	t->fault_ro_op = s->nr;
	script_write(s, t->va[1] + 0x20, 0xdead0002U);

	/*
	 * PAE: the PDPTE of the large page's GiB now names the page
	 * directory of t->va[0]'s GiB; CR3 is loaded again with the same
	 * value, which loads the PDPTEs again.  The shadow MMU, which built
	 * its root from the old PDPTEs, must rebuild it (load_pdptrs()):
	 * the large page's VAs now translate as t->va[0]'s GiB does.
	 */
	if (pt->mode == PAGING_PAE) {
		e = pg_entry_pa(pt, pt->root, t->va[0], 3);
		script_write_entry(s, pt, pg_entry_pa(pt, pt->root, t->large_va, 3),
				   pg_read_entry(pt, e));
		script_write_cr3(s, pt->root);
		for (i = 2; i < 8; i += 2)
			script_read(s, t->large_va + (t->va[i] & (PAGE_SIZE_1G - 1)) + 0x40);
	}
	if (pt->mode < PAGING_LM4)
		return;
	/*
	 * See build_shared_pdpt(): a read through PDPT entry 0, a write
	 * through entry 1, both under the writable PML4 entry; under the
	 * read-only one, a read of the page table's other page, then a write
	 * to the page written before.
	 */
	script_read(s, SHARED_VA_RW + 0x30);
	script_write(s, SHARED_VA_RW + PAGE_SIZE_1G + 0x30, 0xabc00003U);
	script_read(s, SHARED_VA_RO + PAGE_SIZE_1G + PAGE_SIZE_4K + 0x30);
	t->fault_shared_op = s->nr;
	script_write(s, SHARED_VA_RO + PAGE_SIZE_1G + 0x30, 0xdead0003U);
}

static bool check_fault(const struct guest_op_result *r, u32 ec, u64 cr2,
			const char *what, const char *mode)
{
	bool ok = r->vector == VEC_PF && r->error_code == ec && r->cr2 == cr2;

	if (!ok)
		tap_diag("expected #PF error code 0x%x CR2 0x%" PRIx64
			 "; got vector %d error code 0x%x CR2 0x%" PRIx64,
			 ec, cr2, r->vector == FAULT_NONE ? -1 : (int)r->vector,
			 r->error_code, r->cr2);
	return tap_check(ok, "%s: %s", mode, what);
}

static void run_mode(enum paging_mode mode)
{
	const char *name = paging_mode_name(mode);
	struct guest_program prog = GUEST_PROGRAM(op_interp);
	struct guest_op_result *res;
	struct prediction p;
	struct smoke t = { 0 };
	struct kvm_vcpu *vcpu;
	char why[128];
	bool ran;

	if (!paging_mode_supported(mode, why, sizeof(why))) {
		tap_skip(why, "%s: guest ran the script", name);
		return;
	}
	t.vm = vm_create_guest(mode, &prog, MEM_SIZE);
	vcpu = vm_guest_vcpu_add(t.vm, 0);
	script_init(&t.s);
	build_mappings(&t);
	build_script(&t);
	predict(t.vm, &t.s, t.vm->pt.root, &p);
	res = calloc(t.s.nr, sizeof(*res));
	ran = script_run(vcpu, &t.s, res);
	tap_measured("%u ops", t.s.nr);
	if (tap_check(ran, "%s: guest ran the script", name)) {
		tap_check(!compare_results(t.vm, &t.s, &p, res, 8),
			  "%s: every access reached the page the reference walker predicts",
			  name);
		tap_check(!compare_memory(t.vm, &p, DATA_PA,
					  LARGE_PA + PAGE_SIZE_4M - DATA_PA, 8),
			  "%s: writes landed on their pages only", name);
		check_fault(&res[t.fault_np_op], 0, t.va[0] + 0x10,
			    "read of a page made not-present faults", name);
		check_fault(&res[t.fault_ro_op], PFERR_P | PFERR_W,
			    t.va[1] + 0x20,
			    "write to a page made read-only faults", name);
		if (mode >= PAGING_LM4)
			check_fault(&res[t.fault_shared_op], PFERR_P | PFERR_W,
				    SHARED_VA_RO + PAGE_SIZE_1G + 0x30,
				    "write through a read-only PML4 entry to a PDPT a writable one shares faults",
				    name);
	}
	free(res);
	prediction_free(&p);
	script_free(&t.s);
	vm_destroy(t.vm);
}

int main(int argc, char **argv)
{
	static const struct kvm_test test = {
		.summary = "Smoke test: data, faults and INVLPG in every paging mode.",
	};
	struct kvm_platform plat;
	int mode;

	kvm_test_start(argc, argv, &test, &plat);
	for (mode = 0; mode < PAGING_NR_MODES; mode++)
		run_mode(mode);
	return tap_finish();
}
