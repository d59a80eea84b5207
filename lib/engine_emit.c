// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "engine.h"
#include "tap.h"
#include "test_util.h"

void ptgen_init(struct ptgen *g, struct kvm_vm *vm, u64 seed,
		const struct ptgen_area *area)
{
	u32 i;

	memset(g, 0, sizeof(*g));
	g->vm = vm;
	g->pt = &vm->pt;
	g->area = *area;
	g->seed = seed;
	rng_seed(&g->rng, seed);
	script_init(&g->s);
	g->nr_pages = (u32)((area->data_hi - area->data_lo) / PAGE_SIZE_4K);
	g->pages = malloc(g->nr_pages * sizeof(*g->pages));
	TEST_ASSERT(g->pages, "out of memory");
	for (i = 0; i < g->nr_pages; i++)
		g->pages[i] = area->data_lo + i * PAGE_SIZE_4K;
	g->next_large = area->large_lo;
	fill_tags(vm, area->data_lo, area->data_hi - area->data_lo);
	if (area->large_hi > area->large_lo)
		fill_tags(vm, area->large_lo, area->large_hi - area->large_lo);
	for (i = 0; ptgen_sparse_page(g, i); i++)
		fill_tags(vm, ptgen_sparse_page(g, i), PAGE_SIZE_4K);
	if (area->mmio_hi > area->mmio_lo)
		fill_tags(vm, area->mmio_lo, area->mmio_hi - area->mmio_lo);
}

u64 ptgen_sparse_page(const struct ptgen *g, u32 k)
{
	u64 pa = g->area.sparse_lo + k * ENG_SPARSE_STRIDE +
		 (k * 37 % 512) * PAGE_SIZE_4K;

	return pa < g->area.sparse_hi ? pa : 0;
}

void ptgen_free(struct ptgen *g)
{
	free(g->pages);
	eng_events_free(g);
	script_free(&g->s);
	prediction_free(&g->p);
}

u64 ptgen_page(struct ptgen *g)
{
	u32 i;
	u64 pa;

	TEST_ASSERT(g->nr_pages, "out of data pages");
	i = (u32)rng_below(&g->rng, g->nr_pages);
	pa = g->pages[i];
	g->pages[i] = g->pages[--g->nr_pages];
	return pa;
}

u64 ptgen_large_page(struct ptgen *g)
{
	u64 size = pg_level_size(g->pt->mode, 2), pa;

	g->next_large = ALIGN_UP(g->next_large, size);
	pa = g->next_large;
	TEST_ASSERT(pa + size <= g->area.large_hi, "out of large pages");
	g->next_large += size;
	return pa;
}

void ptgen_start(struct ptgen *g)
{
	u32 i;

	TEST_ASSERT(!g->started, "ptgen_start() twice");
	g->started = true;
	predict_begin_sparse(g->vm, g->pt, g->pt->root, &g->p, g->area.sparse_lo,
			     g->area.sparse_hi);
	for (i = 0; ptgen_sparse_page(g, i); i++) {
		u64 pa = ptgen_sparse_page(g, i);

		memcpy(g->p.mirror + pa, gpa_to_hva(g->vm, pa), PAGE_SIZE_4K);
	}
	g->p.all_user = g->all_user;
	g->p.nested = g->l2 != NULL;
	/* PAE caches PDPTEs at CR3 load: the host may have added some. */
	ptgen_load_cr3(g, g->pt->root);
}

u64 ptgen_cr3(struct ptgen *g)
{
	return g->p.cr3;
}

u64 ptgen_entry_pa(struct ptgen *g, u64 va, int level)
{
	return pg_entry_pa(&g->p.pt, g->p.cr3, va, level);
}

u64 ptgen_entry(struct ptgen *g, u64 entry_pa)
{
	return pg_read_entry(&g->p.pt, entry_pa);
}

void ptgen_op(struct ptgen *g, u32 code, u64 va, u64 value, u32 flags)
{
	TEST_ASSERT(g->started, "ops before ptgen_start()");
	script_op(&g->s, code, va, value);
	g->s.ops[g->s.nr - 1].flags = flags;
	predict_op(&g->p, &g->s.ops[g->s.nr - 1]);
}

void ptgen_read(struct ptgen *g, u64 va)
{
	ptgen_op(g, OP_READ32, va, 0, 0);
}

void ptgen_write(struct ptgen *g, u64 va)
{
	ptgen_op(g, OP_WRITE32, va, 0x80000002U | (++g->writes & 0xfffff) << 4, 0);
}

void ptgen_user_read(struct ptgen *g, u64 va)
{
	ptgen_op(g, OP_USER_READ32, va, 0, 0);
}

void ptgen_user_write(struct ptgen *g, u64 va)
{
	ptgen_op(g, OP_USER_WRITE32, va,
		 0x80000002U | (++g->writes & 0xfffff) << 4, 0);
}

void ptgen_invlpg(struct ptgen *g, u64 va)
{
	ptgen_op(g, OP_INVLPG, va, 0, 0);
}

void ptgen_load_cr3(struct ptgen *g, u64 cr3)
{
	ptgen_op(g, OP_WRITE_CR3, 0, cr3, 0);
}

void ptgen_vcpu1_op(struct ptgen *g, u32 code, u64 va, u64 value)
{
	TEST_ASSERT(g->vcpu1, "vCPU 1 ops without a second vCPU");
	if (g->p.nr_stale)
		ptgen_force(g);
	ptgen_op(g, code, va, value, OPF_VCPU1);
}

void ptgen_vcpu1_flush(struct ptgen *g)
{
	ptgen_vcpu1_op(g, OP_WRITE_CR3, 0, g->p.v1.cr3);
}

/*
 * vCPU 0 (or the host) is about to change the entry at @entry_pa: vCPU 1
 * may go on using the old one until it flushes.  The prediction accepts
 * the old or the new translation for one entry only, and only from its
 * old value (vCPU 1 may have cached one in between): anything more and
 * vCPU 1 flushes first.
 */
void ptgen_note_edit(struct ptgen *g, u64 entry_pa)
{
	struct prediction *p = &g->p;

	if (!g->vcpu1)
		return;
	if (p->v1.pending && (p->v1.entry_pa != entry_pa || p->v1.accessed))
		ptgen_vcpu1_flush(g);
	if (p->v1.pending)
		return;
	p->v1.pending = true;
	p->v1.accessed = false;
	p->v1.nr_fresh = 0;
	p->v1.entry_pa = entry_pa;
	p->v1.old = pg_read_entry(&p->pt, entry_pa);
}

void ptgen_set_entry(struct ptgen *g, u64 entry_pa, u64 val, u64 via_va)
{
	u64 va = via_va ? via_va : entry_pa;

	/* A guest edit while a host write is pending: that one first. */
	if (g->p.nr_stale && !g->forcing)
		ptgen_force(g);
	ptgen_note_edit(g, entry_pa);
	/* Nested: L1 stores into its NPT/EPT at the entry's L1 GPA. */
	if (g->l2) {
		ptgen_op(g, OP_WRITE64, entry_pa, val, OPF_L1);
		return;
	}
	TEST_ASSERT(via_va || entry_pa < LAYOUT_RUNTIME_END,
		    "entry at PA 0x%llx is not identity mapped",
		    (unsigned long long)entry_pa);
	if (pg_entry_size(g->vm->mode) == 8)
		ptgen_op(g, OP_WRITE64, va, val, 0);
	else
		ptgen_op(g, OP_WRITE32, va, (u32)val, 0);
}

bool ptgen_verdict(struct ptgen *g, struct kvm_vcpu *vcpu, const char *name)
{
	struct guest_op_result *res = calloc(g->s.nr + 1, sizeof(*res));
	u32 bad_ops = 0, bad_words = 0, i;
	bool ran, ok;

	TEST_ASSERT(res && g->started && g->p.nr == g->s.nr,
		    "ptgen_check() without a started, predicted script");
	g->event_failures = 0;
	g->huge_checks = 0;
	g->vcpu0 = vcpu;
	if (g->run)
		ran = g->run(g, res);
	else if (g->vcpu1)
		ran = script_run_pair(vcpu, g->vcpu1, &g->s, res, eng_event_run, g);
	else
		ran = script_run_sync(vcpu, &g->s, res, eng_event_run, g);
	if (ran) {
		bad_ops = compare_results(g->vm, &g->s, &g->p, res, 6);
		bad_words = compare_memory(g->vm, &g->p, g->area.data_lo,
					   g->area.data_hi - g->area.data_lo, 6);
		if (g->area.large_hi > g->area.large_lo)
			bad_words += compare_memory(g->vm, &g->p, g->area.large_lo,
				g->area.large_hi - g->area.large_lo, 6);
		for (i = 0; ptgen_sparse_page(g, i); i++)
			bad_words += compare_memory(g->vm, &g->p,
						    ptgen_sparse_page(g, i),
						    PAGE_SIZE_4K, 6);
		if (g->area.mmio_hi > g->area.mmio_lo)
			bad_words += compare_memory(g->vm, &g->p, g->area.mmio_lo,
				g->area.mmio_hi - g->area.mmio_lo, 6);
	}
	ok = ran && !bad_ops && !bad_words && !g->event_failures;
	if (!ok)
		tap_diag("%s: seed %" PRIu64 ", %u ops, %u mismatching ops, %u wrong data words, %u broken invariants%s",
			 name, g->seed, g->s.nr, bad_ops, bad_words,
			 g->event_failures,
			 ran ? "" : ", guest did not finish the script");
	free(res);
	return ok;
}

bool ptgen_check(struct ptgen *g, struct kvm_vcpu *vcpu, const char *fmt, ...)
{
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return tap_check(ptgen_verdict(g, vcpu, name), "%s", name);
}
