/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest VM whose memory worker (lib/worker.h) runs over one memslot,
 * and the host's model of that memory: the pattern generation each page
 * holds (checked from the host, page by page) and the dirty bits KVM must
 * report.  What the dirty-logging tests share, as memstress is for KVM
 * selftests.
 *
 *   struct worker_vm t;
 *
 *   if (!worker_vm_create(&t, MEM_HUGETLB_2M, 64 << 20, 1, 1ULL << 30, 0))
 *           return;                        // SKIPped: no hugetlb pages
 *   worker_vm_fill(&t);                    // every page, generation 1
 *   vm_set_memslot_flags(t.vm, t.slot, KVM_MEM_LOG_DIRTY_PAGES);
 *   worker_vm_write(&t, pages, n);         // guest writes + reads back
 *   worker_vm_fetch(&t, false);            // t.bitmap = the dirty log
 *   missed = dirty_log_missed(t.bitmap, pages, n, t.gpa, "round 1");
 *   bad = worker_vm_verify(&t);            // host reads every page
 *   worker_vm_destroy(&t);
 */
#ifndef KMT_WORKER_VM_H
#define KMT_WORKER_VM_H

#include "kvm.h"
#include "mem.h"
#include "rand.h"

struct worker_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;	/* vCPU 0, running the worker */
	const char *name;	/* prefix of the TAP points */
	enum mem_backing backing;
	u32 slot;
	u64 gpa;		/* of the slot */
	u64 size;
	u32 nr_pages;
	u64 huge;		/* backing page size */
	const char *huge_stat;	/* "pages_2m" / "pages_1g" */
	u32 first_huge;		/* slot page where the first huge page starts */
	u32 nr_huge;		/* huge mappings KVM may make (worker_vm_fill) */
	u64 *bitmap;		/* the last fetched dirty log, or scratch */
	u64 *model;		/* manual protect: the dirty bits KVM must hold */
	u32 *page_gen;		/* generation of the data each page holds */
	u32 gen;		/* the last generation written */
	struct rng rng;		/* seeded 42 */
};

/*
 * The VM (64-bit guest, memory worker loaded), @manual_flags for
 * KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 (0: none); no slot yet.
 */
void worker_vm_init(struct worker_vm *t, enum mem_backing b, u64 size,
		    u32 manual_flags);
/* Maps the slot (added at @gpa already) in the guest; starts the worker. */
void worker_vm_start(struct worker_vm *t, u32 slot, u64 gpa);
/* Both, with the slot added at @gpa; false (SKIPped, reason given) if the backing is missing. */
bool worker_vm_create(struct worker_vm *t, enum mem_backing b, u64 size,
		      u32 slot, u64 gpa, u32 manual_flags);
void worker_vm_destroy(struct worker_vm *t);

/*
 * The guest writes every page (a new generation); then nr_huge is the
 * number of huge pages KVM can map in the slot: those wholly inside it,
 * none unless guest physical and host virtual addresses are congruent
 * modulo the huge page size, and for THP only those the host backs huge.
 */
void worker_vm_fill(struct worker_vm *t);

u64 worker_vm_page_gpa(const struct worker_vm *t, u32 page);
/* Records that @list now holds generation @gen (a write by any vCPU). */
void worker_vm_note(struct worker_vm *t, const u32 *list, u32 n, u32 gen);
/* vCPU 0 writes @list with a new generation and reads it back. */
bool worker_vm_write(struct worker_vm *t, const u32 *list, u32 n);
/*
 * The host reads both pattern words of every page: a write through a
 * wrong mapping (a split child entry pointing at the wrong 4 KiB page)
 * shows at the page that missed it and at the one it hit.  Returns the
 * number of bad pages, the first eight as TAP diagnostics.
 */
u32 worker_vm_verify(const struct worker_vm *t);
/* The dirty log into t->bitmap; @clear (manual protect): CLEAR it all. */
void worker_vm_fetch(struct worker_vm *t, bool clear);

#endif
