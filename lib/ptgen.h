/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page-table scenario generator, on top of the oracle (oracle.h).
 *
 * A test builds its guest's tables on the host (pg_map(), vm_new_root()),
 * calls ptgen_start(), then emits guest ops (entry edits, flushes, CR3
 * switches, accesses) while each op is predicted on the mirror, so a
 * generator can look at the tables as the ops so far leave them.
 * ptgen_check() runs the script and turns the comparison into one TAP
 * point.
 *
 *   ptgen_init(&g, vm, seed, &area);
 *   pg_map(&vm->pt, va, ptgen_page(&g), PAGE_SIZE_4K, PTE_W);
 *   ptgen_start(&g);
 *   ptgen_read(&g, va);
 *   ptgen_check(&g, vcpu, "%s: reads", mode_name);
 */
#ifndef KMT_PTGEN_H
#define KMT_PTGEN_H

#include "oracle.h"
#include "rand.h"

/* Guest physical memory a generator hands out as data. */
struct ptgen_area {
	u64 data_lo, data_hi;	/* 4 KiB pages, tagged */
	u64 large_lo, large_hi;	/* large pages (4 MiB / 2 MiB aligned), tagged */
};

struct ptgen {
	struct kvm_vm *vm;
	struct ptgen_area area;
	u64 seed;
	struct rng rng;
	struct op_script s;
	struct prediction p;
	bool started;
	u64 *pages;		/* shuffled free 4 KiB data pages */
	u32 nr_pages;
	u64 next_large;
	u32 writes;		/* makes every written value unique */
};

void ptgen_init(struct ptgen *g, struct kvm_vm *vm, u64 seed,
		const struct ptgen_area *area);
void ptgen_free(struct ptgen *g);

/* A random data page never handed out before. */
u64 ptgen_page(struct ptgen *g);
/* The next unused large page. */
u64 ptgen_large_page(struct ptgen *g);

/* Host setup is done: snapshot memory; the script starts with a CR3 load. */
void ptgen_start(struct ptgen *g);

/* Entry address / value as the ops so far leave the tables. */
u64 ptgen_entry_pa(struct ptgen *g, u64 va, int level);
u64 ptgen_entry(struct ptgen *g, u64 entry_pa);
u64 ptgen_cr3(struct ptgen *g);

void ptgen_op(struct ptgen *g, u32 code, u64 va, u64 value, u32 flags);
void ptgen_read(struct ptgen *g, u64 va);
/* Writes a value no other op writes. */
void ptgen_write(struct ptgen *g, u64 va);
/* The same two at CPL 3. */
void ptgen_user_read(struct ptgen *g, u64 va);
void ptgen_user_write(struct ptgen *g, u64 va);
void ptgen_invlpg(struct ptgen *g, u64 va);
void ptgen_load_cr3(struct ptgen *g, u64 cr3);
/*
 * Stores @val into the entry at @entry_pa, through @via_va (an alias of
 * the table page, e.g. a recursive window), or through its identity
 * mapping when @via_va is 0.
 */
void ptgen_set_entry(struct ptgen *g, u64 entry_pa, u64 val, u64 via_va);

/*
 * Runs the script on @vcpu and reports one TAP point: every op's outcome
 * as predicted, and the data area's final contents as predicted.  A
 * failure prints the seed and the first mismatches with their walks.
 */
bool ptgen_check(struct ptgen *g, struct kvm_vcpu *vcpu, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The randomized differential generator: @nr_regions large-page-sized VA
 * regions, two roots, a small pool of shared page tables, then
 * @iterations random ops (map, unmap, retarget, permission change, CR3
 * switch, flush, access), all predicted.  Call before ptgen_start(); it
 * calls ptgen_start() itself.
 */
void ptgen_random(struct ptgen *g, u32 nr_regions, u32 iterations);

#endif
